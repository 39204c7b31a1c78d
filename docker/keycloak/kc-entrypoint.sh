#!/bin/bash
# Starts Keycloak with its secrets read from files. Keycloak reads no *_FILE variables itself
# (keycloak/keycloak#10816), so each VAR_FILE below becomes VAR before kc.sh runs. PRESS_MANAGER_CLIENT_SECRET
# and PRESS_PUBLIC_URL fill the ${…} placeholders of press-realm.json, which Keycloak resolves from the
# environment when it imports the realm (--import-realm).
# Only these names: other KC_*_FILE options (KC_HTTPS_CERTIFICATE_FILE, KC_LOG_FILE …) are real file paths.
set -euo pipefail

for var in KC_DB_PASSWORD KC_BOOTSTRAP_ADMIN_PASSWORD PRESS_MANAGER_CLIENT_SECRET; do
  file_var="${var}_FILE"
  file="${!file_var:-}"
  [[ -n "$file" ]] || continue
  if [[ ! -r "$file" ]]; then
    echo "kc-entrypoint: $file_var points at '$file', which cannot be read" >&2
    exit 1
  fi
  value="$(<"$file")"
  export "$var=$value"
  unset "$file_var"
done

if [[ -z "${PRESS_MANAGER_CLIENT_SECRET:-}" ]]; then
  echo "kc-entrypoint: set PRESS_MANAGER_CLIENT_SECRET_FILE (the press-manager client's secret for the realm import)" >&2
  exit 1
fi

exec /opt/keycloak/bin/kc.sh "$@"

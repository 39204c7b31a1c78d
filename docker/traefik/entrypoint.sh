#!/bin/sh
# Starts Traefik with traefik.yml after putting the ingress secret in place of its placeholder.
# Traefik's static configuration cannot read a value from a file, and file, flags and environment are
# exclusive sources, so the secret is written into a copy on a tmpfs (/run/traefik) instead.
set -eu

template=/etc/traefik/traefik.yml
rendered=/run/traefik/traefik.yml
placeholder=__PRESS_INGRESS_SECRET__

secret_file="${PRESS_INGRESS_SECRET_FILE:?set PRESS_INGRESS_SECRET_FILE to the file that holds the ingress secret (the one Press reads through Press__Ingress__TraefikSecret_FILE)}"
[ -r "$secret_file" ] || { echo "entrypoint: cannot read the ingress secret file '$secret_file'" >&2; exit 1; }
secret="$(cat "$secret_file")"
# Only characters that need no quoting in YAML or sed (make-secrets.sh writes 64 hex digits).
case "$secret" in
  '' | *[!A-Za-z0-9_-]*)
    echo "entrypoint: the ingress secret in '$secret_file' must be non-empty and use only A-Z a-z 0-9 _ -" >&2
    exit 1 ;;
esac
grep -q "$placeholder" "$template" || { echo "entrypoint: $template has no $placeholder to fill" >&2; exit 1; }

umask 077
mkdir -p /run/traefik
sed "s|$placeholder|$secret|" "$template" > "$rendered"
exec traefik --configFile="$rendered" "$@"

#!/bin/bash
# Writes the production secrets that docker-compose.production.yml hands to its services, one file each, in
# docker/secrets/ (or the folder given). A file that already exists is kept, so running it again only adds what
# is missing; delete a file to rotate that secret (and see README.md for which ones must change together).
# Values are random: 48 hex digits for passwords, 64 for the ingress secret, base64 of 32 bytes for Press's key.
set -euo pipefail

dir="${1:-$(cd "$(dirname "$0")" && pwd)/secrets}"
umask 077
mkdir -p "$dir"
chmod 0700 "$dir"

hex() { od -An -vtx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# write NAME VALUE: only when the file does not exist yet. 0444: compose bind-mounts the file unchanged, and the
# containers read it as their own non-root users; the 0700 folder keeps everyone else on the host out.
write() {
  local file="$dir/$1"
  if [[ -e "$file" ]]; then return; fi
  printf '%s\n' "$2" > "$file"
  chmod 0444 "$file"
  echo "wrote $file"
}
value() { tr -d '\n' < "$dir/$1"; }

write postgres_password "$(hex 24)"
# Bootstrap's superuser connection carries the same password as postgres_password.
write postgres_superuser_connection "Host=127.0.0.1;Port=48532;Username=postgres;Password=$(value postgres_password);Database=postgres"
write press_postgres_password "$(hex 24)"
write press_secrets_key "$(head -c 32 /dev/urandom | base64)"
write press_admin_password "$(hex 24)"
write redis_password "$(hex 24)"
write traefik_ingress_secret "$(hex 32)"
write minio_root_user "press-$(hex 4)"
write minio_root_password "$(hex 24)"
write keycloak_db_password "$(hex 24)"
write keycloak_admin_password "$(hex 24)"
write keycloak_press_manager_secret "$(hex 32)"
if [[ ! -e "$dir/prometheus_press_token" ]]; then
  : > "$dir/prometheus_press_token"
  chmod 0444 "$dir/prometheus_press_token"
  echo "wrote $dir/prometheus_press_token EMPTY: Prometheus scrapes the manager as a loopback caller; put a viewer token there (press token create prometheus --role viewer) for a scrape from elsewhere"
fi
if [[ ! -e "$dir/acme_dns_api_token" ]]; then
  : > "$dir/acme_dns_api_token"
  chmod 0444 "$dir/acme_dns_api_token"
  echo "wrote $dir/acme_dns_api_token EMPTY: put your DNS provider's API token there before Traefik needs a certificate"
fi

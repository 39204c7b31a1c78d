#!/bin/bash
# Writes the development self-signed certificate that dynamic/dev-tls.yml serves (certs/, not committed):
# localhost, *.localhost and 127.0.0.1, valid for 825 days. Run it again to replace it.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/certs"
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 825 \
  -subj "/CN=Press development" \
  -addext "subjectAltName=DNS:localhost,DNS:*.localhost,IP:127.0.0.1" \
  -keyout "$dir/dev.key" -out "$dir/dev.crt" 2>/dev/null
# Traefik in the container reads the key as root; keep it away from other users of this machine.
chmod 0600 "$dir/dev.key"
echo "wrote $dir/dev.crt and dev.key"

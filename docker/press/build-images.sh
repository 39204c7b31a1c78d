#!/bin/bash
# Publishes press-manager and press-worker self-contained on this machine and builds their images.
#   docker/press/build-images.sh                     # production bases (aspnet:10.0, PostgreSQL client from PGDG)
#   BASE_IMAGE=fcs-press-base:bookworm PG_CLIENT_INSTALL=none docker/press/build-images.sh   # offline machine
# Images: fcs-press/press-manager:$TAG and fcs-press/press-worker:$TAG (TAG defaults to dev).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tag="${TAG:-dev}"
# Debian's CLI matches Debian's engine (20.10) where both exist; the legacy builder (no buildx on these hosts).
docker_cli=docker
[[ -x /usr/bin/docker ]] && docker_cli=/usr/bin/docker
export DOCKER_BUILDKIT=0
base_args=()
[[ -n "${BASE_IMAGE:-}" ]] && base_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE")

for app in manager worker; do
  project="$repo/src/Press.${app^}"
  out="$here/press-$app/publish"
  rm -rf "$out"
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -o "$out" -p:PublishSingleFile=false
  extra=()
  [[ "$app" == worker ]] && extra=(--build-arg "PG_CLIENT_INSTALL=${PG_CLIENT_INSTALL:-pgdg}")
  # --network host: these hosts' Docker engines may run without a bridge network (dockerd --bridge=none).
  "$docker_cli" build --network host "${base_args[@]}" "${extra[@]}" --build-arg "PRESS_VERSION=$tag" \
    -f "$here/press-$app/Dockerfile" -t "fcs-press/press-$app:$tag" "$out"
done

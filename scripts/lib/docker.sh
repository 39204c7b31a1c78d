# shellcheck shell=bash
# scripts/lib/docker.sh: sourced by test scripts that need a Docker engine (the
# Docker runtime driver's tests and the Frappe test double's image).
#
# No registry is reachable here, so the engine is Debian's docker.io started by
# hand on its own socket and folders, with no bridge and no iptables rules:
# every container must use `--network host` and bind 127.0.0.1 itself. Base
# images come from debootstrap + `docker import`. Same conventions as
# services.sh (press_log/press_die, stop by PID file, tolerant stops); callers
# set `set -euo pipefail`, this file sets no options.

if ! declare -F press_log >/dev/null; then
  # shellcheck source-path=SCRIPTDIR source=services.sh
  . "$(dirname "${BASH_SOURCE[0]}")/services.sh"
fi

PRESS_DOCKER_BASE_IMAGE="fcs-press-base:bookworm"
PRESS_DOCKER_DOUBLE_IMAGE="fcs-press-frappe-double:test"
# Each site's Redis sidecar in the tests (production: the official redis image, setting runtime.redisImage).
PRESS_DOCKER_REDIS_IMAGE="${PRESS_DOCKER_REDIS_IMAGE:-fcs-press-redis:test}"
# What the sidecar image unpacks: Debian 12's Redis (the server binary is redis-tools' redis-check-rdb) and the
# libraries it needs beyond the base image.
PRESS_DOCKER_REDIS_DEBS="redis-tools libjemalloc2 liblzf1 libatomic1"
PRESS_DOCKER_CACHE="$PRESS_REPO/.press/cache"
# Packages the base image needs beyond minbase: libicu72 for .NET apps that do
# not run invariant, ca-certificates and curl for health checks from inside.
PRESS_DOCKER_BASE_INCLUDE="libicu72,ca-certificates,curl"
# Where long engine folders go instead (unix sockets under DIR must stay below
# ~107 bytes, and overlay2 mount options grow with the data-root length).
PRESS_DOCKER_FALLBACK_ROOT="/var/lib/press-docker"
# Set by press_start_dockerd: the engine folder actually used.
PRESS_DOCKER_DIR="${PRESS_DOCKER_DIR:-}"

# The Debian CLI matches the Debian engine (20.10); a newer `docker` earlier on
# PATH would also work through API negotiation but warns about the legacy builder.
press_docker() {
  if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi
}

_press_now() { date +%s.%N; }
# _press_elapsed START: seconds since START with one decimal.
_press_elapsed() { awk -v s="$1" -v e="$(_press_now)" 'BEGIN { printf "%.1f", e - s }'; }

# press_install_docker: dockerd, the Docker CLI and debootstrap from Debian,
# only when missing (apt-get update happens only then, once per script).
press_install_docker() {
  local pkgs=()
  [ -x /usr/sbin/dockerd ] || pkgs+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || pkgs+=(debootstrap)
  [ "${#pkgs[@]}" -gt 0 ] || return 0
  _press_require_root press_install_docker
  local t0
  t0="$(_press_now)"
  press_log "installing ${pkgs[*]} (apt)"
  # _press_apt_install's policy-rc.d keeps the packages from starting the
  # system docker/containerd services (we run our own engine).
  _press_apt_install "${pkgs[@]}"
  press_log "installed ${pkgs[*]} in $(_press_elapsed "$t0") s"
}

# _press_docker_dir DIR: the folder the engine really uses for DIR: DIR itself,
# or /var/lib/press-docker/<hash of DIR> when DIR's path is too long.
_press_docker_dir() {
  local abs
  abs="$(realpath -m -- "$1")"
  if [ "${#abs}" -le 48 ]; then
    printf '%s' "$abs"
  else
    printf '%s/%s' "$PRESS_DOCKER_FALLBACK_ROOT" "$(printf '%s' "$abs" | sha256sum | cut -c1-12)"
  fi
}

_press_dockerd_ready() { press_docker -H "unix://$1/docker.sock" info >/dev/null 2>&1; }

# _press_umount_under DIR: unmount whatever is still mounted below DIR (the
# engine's netns, overlay layers of a killed engine, debootstrap's /proc),
# deepest first, so the folder can be deleted.
_press_umount_under() {
  local dir m
  dir="$(realpath -m -- "$1")"
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || press_log "could not unmount $m"
  done
}

# press_start_dockerd DIR: a private dockerd with socket DIR/docker.sock and
# data/exec roots under DIR (see _press_docker_dir), no bridge, no iptables,
# no forwarding. Waits up to 30 s for `docker info`, then exports DOCKER_HOST
# and PRESS_DOCKER_DIR. Does nothing but export when it is already running.
press_start_dockerd() {
  _press_require_root press_start_dockerd
  [ -x /usr/sbin/dockerd ] || press_install_docker
  local dir i t0
  dir="$(_press_docker_dir "$1")"
  PRESS_DOCKER_DIR="$dir"
  export PRESS_DOCKER_DIR
  if [ "$dir" != "$(realpath -m -- "$1")" ]; then press_log "engine folder for $1 is $dir (short path)"; fi
  if [ -f "$dir/dockerd.pid" ] && _press_pid_matches "$(head -n1 "$dir/dockerd.pid")" dockerd \
    && _press_dockerd_ready "$dir"; then
    press_log "dockerd already running (socket $dir/docker.sock)"
    export DOCKER_HOST="unix://$dir/docker.sock"
    return 0
  fi
  # A stale pid file from a killed engine would make dockerd refuse to start.
  rm -f "$dir/dockerd.pid" "$dir/docker.sock"
  install -d -m 711 "$dir"
  t0="$(_press_now)"
  # dockerd writes its own pid file (with `set -m` callers, `$!` could name a
  # wrapper rather than dockerd). setsid: a Ctrl-C meant for the calling
  # script must not kill the engine behind its cleanup's back.
  setsid /usr/sbin/dockerd \
    --host "unix://$dir/docker.sock" \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --storage-driver overlay2 \
    --log-level warn \
    </dev/null >>"$dir/dockerd.log" 2>&1 &
  for ((i = 0; i < 300; i++)); do
    if _press_dockerd_ready "$dir"; then
      export DOCKER_HOST="unix://$dir/docker.sock"
      press_log "dockerd ready in $(_press_elapsed "$t0") s (socket $dir/docker.sock)"
      return 0
    fi
    sleep 0.1
  done
  tail -n 30 "$dir/dockerd.log" >&2 || true
  press_stop_dockerd "$1"
  press_die "dockerd did not answer on $dir/docker.sock within 30 s (log $dir/dockerd.log)"
}

# press_stop_dockerd DIR: stop the engine (its containers stop with it), its
# containerd if a killed engine left it behind, and unmount what stays mounted
# (exec/netns/default above all). Tolerant when nothing runs.
press_stop_dockerd() {
  local dir
  dir="$(_press_docker_dir "$1")"
  [ -d "$dir" ] || return 0
  if [ -f "$dir/dockerd.pid" ]; then
    # The engine stops running containers first (up to their 10 s stop timeout).
    _press_kill_pid "$(head -n1 "$dir/dockerd.pid")" dockerd TERM 30
    rm -f "$dir/dockerd.pid"
  fi
  if [ -f "$dir/exec/containerd/containerd.pid" ]; then
    press_stop_pid "$dir/exec/containerd/containerd.pid" containerd
  fi
  if mountpoint -q "$dir/exec/netns/default" 2>/dev/null; then
    umount "$dir/exec/netns/default" 2>/dev/null || umount -l "$dir/exec/netns/default" 2>/dev/null || true
  fi
  _press_umount_under "$dir"
  if [ "${DOCKER_HOST:-}" = "unix://$dir/docker.sock" ]; then unset DOCKER_HOST; fi
}

# _press_mirror: the Debian mirror this machine's apt uses (never written into
# the repo: mirrors differ between machines).
_press_mirror() {
  local m=""
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    m="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$m" ] && [ -r /etc/apt/sources.list ]; then
    m="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  printf '%s' "$m"
}

# press_base_image [NAME]: the Debian 12 base image (default
# fcs-press-base:bookworm), imported once into the running engine. The
# debootstrapped root file system is cached as a tarball under .press/cache so
# later runs (and new engine folders) only pay for the import.
press_base_image() {
  local name="${1:-$PRESS_DOCKER_BASE_IMAGE}" tarball root mirror t0 rc=0
  [ -n "${DOCKER_HOST:-}" ] || press_die "press_base_image: start the engine first (press_start_dockerd)"
  if press_docker image inspect "$name" >/dev/null 2>&1; then return 0; fi
  tarball="$PRESS_DOCKER_CACHE/bookworm-minbase-$(printf '%s' "$PRESS_DOCKER_BASE_INCLUDE" | sha256sum | cut -c1-8).tar"
  if [ ! -s "$tarball" ]; then
    _press_require_root press_base_image
    command -v debootstrap >/dev/null 2>&1 || press_install_docker
    mirror="$(_press_mirror)"
    [ -n "$mirror" ] || press_die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources"
    mkdir -p "$PRESS_DOCKER_CACHE"
    root="$PRESS_DOCKER_CACHE/bookworm-rootfs.tmp"
    _press_umount_under "$root"
    rm -rf "$root"
    press_log "debootstrap bookworm (minbase + $PRESS_DOCKER_BASE_INCLUDE) into $root"
    t0="$(_press_now)"
    debootstrap --variant=minbase --include="$PRESS_DOCKER_BASE_INCLUDE" bookworm "$root" "$mirror" \
      >"$PRESS_DOCKER_CACHE/debootstrap.log" 2>&1 || rc=$?
    _press_umount_under "$root"
    if [ "$rc" -ne 0 ]; then
      tail -n 20 "$PRESS_DOCKER_CACHE/debootstrap.log" >&2 || true
      press_die "debootstrap failed (exit $rc; log $PRESS_DOCKER_CACHE/debootstrap.log)"
    fi
    press_log "debootstrap took $(_press_elapsed "$t0") s"
    # Downloaded .debs and apt lists are dead weight in every image layer.
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  t0="$(_press_now)"
  press_docker import - "$name" <"$tarball" >/dev/null
  press_log "imported $name from $tarball in $(_press_elapsed "$t0") s"
}

# press_build_double_image [TAG] [RELEASE]: the Frappe test double's image (default
# fcs-press-frappe-double:test) on top of the base image; RELEASE 1 (default) or 2
# (newer app versions and a migrate patch, for the upgrade tests). The image has no SDK,
# so the double is published self-contained on the host and copied in; the
# build context is a staging folder under .press/cache (nothing generated lands
# in the source tree).
press_build_double_image() {
  local tag="${1:-$PRESS_DOCKER_DOUBLE_IMAGE}" release="${2:-1}" ctx t0
  [ -n "${DOCKER_HOST:-}" ] || press_die "press_build_double_image: start the engine first (press_start_dockerd)"
  press_base_image "$PRESS_DOCKER_BASE_IMAGE"
  # The double's image takes redis-cli from the Redis sidecar's image (PRESS_DOCKER_REDIS_IMAGE).
  press_docker image inspect "$PRESS_DOCKER_REDIS_IMAGE" >/dev/null 2>&1 || press_build_redis_image "$PRESS_DOCKER_REDIS_IMAGE"
  ctx="$PRESS_DOCKER_CACHE/frappe-double-context"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp -a "$PRESS_REPO/tests/docker/frappe-double/." "$ctx/"
  t0="$(_press_now)"
  # Own artifacts folder: the RID-specific restore must not rewrite the project's obj/ under a concurrent
  # `dotnet test Press.slnx`.
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish "$PRESS_REPO/tests/Press.FrappeDouble" \
    -c Release -r linux-x64 --self-contained --artifacts-path "$PRESS_DOCKER_CACHE/frappe-double-artifacts" \
    -o "$ctx/app" -nologo -v quiet </dev/null >&2 \
    || press_die "dotnet publish of tests/Press.FrappeDouble failed"
  press_log "published the Frappe test double in $(_press_elapsed "$t0") s"
  t0="$(_press_now)"
  if ! DOCKER_BUILDKIT=0 press_docker build -t "$tag" --build-arg "BASE_IMAGE=$PRESS_DOCKER_BASE_IMAGE" --build-arg "DOUBLE_RELEASE=$release" \
    --build-arg "REDIS_IMAGE=$PRESS_DOCKER_REDIS_IMAGE" "$ctx" >"$PRESS_DOCKER_CACHE/frappe-double-build.log" 2>&1; then
    tail -n 30 "$PRESS_DOCKER_CACHE/frappe-double-build.log" >&2 || true
    press_die "docker build of $tag failed (log $PRESS_DOCKER_CACHE/frappe-double-build.log)"
  fi
  press_log "built $tag in $(_press_elapsed "$t0") s"
}

# press_build_redis_image [TAG]: the Redis sidecar image for tests (default fcs-press-redis:test) on the base image:
# Debian's redis .debs, downloaded once with apt into .press/cache/redis-debs and unpacked in the image — cheaper than a
# second debootstrap, and the base image (shared by every engineer's runs) stays as it is.
press_build_redis_image() {
  local tag="${1:-$PRESS_DOCKER_REDIS_IMAGE}" ctx debs t0 pkg
  [ -n "${DOCKER_HOST:-}" ] || press_die "press_build_redis_image: start the engine first (press_start_dockerd)"
  press_base_image "$PRESS_DOCKER_BASE_IMAGE"
  debs="$PRESS_DOCKER_CACHE/redis-debs"
  for pkg in $PRESS_DOCKER_REDIS_DEBS; do
    if ! compgen -G "$debs/${pkg}_*.deb" >/dev/null; then
      mkdir -p "$debs"
      # apt-get download needs the package lists; a machine that never ran apt-get update has none.
      (cd "$debs" && apt-get download -qq "$pkg" >/dev/null 2>&1) ||
        { apt-get update -qq && (cd "$debs" && apt-get download -qq "$pkg" >/dev/null); } ||
        press_die "apt-get download $pkg failed"
    fi
  done
  ctx="$PRESS_DOCKER_CACHE/redis-context"
  rm -rf "$ctx"
  mkdir -p "$ctx/debs"
  cp -a "$PRESS_REPO/tests/docker/redis/." "$ctx/"
  cp "$debs"/*.deb "$ctx/debs/"
  t0="$(_press_now)"
  if ! DOCKER_BUILDKIT=0 press_docker build -t "$tag" --build-arg "BASE_IMAGE=$PRESS_DOCKER_BASE_IMAGE" "$ctx" \
    >"$PRESS_DOCKER_CACHE/redis-build.log" 2>&1; then
    tail -n 30 "$PRESS_DOCKER_CACHE/redis-build.log" >&2 || true
    press_die "docker build of $tag failed (log $PRESS_DOCKER_CACHE/redis-build.log)"
  fi
  press_log "built $tag in $(_press_elapsed "$t0") s"
}

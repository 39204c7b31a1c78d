# shellcheck shell=bash
# scripts/lib/pgtools.sh: sourced by services.sh (do not source it alone).
#
# PostgreSQL 17 client tools (pg_dump, pg_restore, psql) for backups and
# restores. Backups need tools of the server's major, and neither Debian 12
# (PostgreSQL 15 only), npm nor NuGet has a 16 or 17 client; Debian 13
# (trixie) has postgresql-client-17. So a minimal trixie tree is debootstrapped
# from the machine's own Debian mirror (taken from its apt sources at run time,
# never written into the repo), cached as a tarball under .press/cache, unpacked
# into $PRESS_TOOLS/pg17-client/root (only the loader, the shared libraries
# and PostgreSQL's folders), and each tool gets a small wrapper in
# $PRESS_TOOLS/pg17-client/bin that runs it with trixie's own loader and
# libraries (no chroot, so it runs as any user and sees the host's files).
# Same conventions as services.sh; callers set `set -euo pipefail`.

PRESS_PG_CLIENT_MAJOR=17
PRESS_PG_CLIENT_SUITE="trixie"
# The packages beyond minbase; the cache key is a hash of suite and this list.
PRESS_PG_CLIENT_INCLUDE="postgresql-client-17"
PRESS_PG_CLIENT_TOOLS="pg_dump pg_restore psql"
PRESS_PG_CLIENT_DIR="$PRESS_TOOLS/pg$PRESS_PG_CLIENT_MAJOR-client"
PRESS_PG_CLIENT_CACHE="$PRESS_REPO/.press/cache"
# Set by press_install_pg_client_tools: the folder holding pg_dump, pg_restore, psql.
PRESS_PG_TOOLS="${PRESS_PG_TOOLS:-}"

# _press_pg_client_key: short hash of what goes into the tree.
_press_pg_client_key() {
  printf '%s minbase %s' "$PRESS_PG_CLIENT_SUITE" "$PRESS_PG_CLIENT_INCLUDE" | sha256sum | cut -c1-8
}

# _press_pg_client_ok BIN: every wrapper in BIN runs and reports the expected major.
_press_pg_client_ok() {
  local bin="$1" tool out
  for tool in $PRESS_PG_CLIENT_TOOLS; do
    [ -x "$bin/$tool" ] || return 1
    out="$("$bin/$tool" --version 2>/dev/null)" || return 1
    case "$out" in
      *" $PRESS_PG_CLIENT_MAJOR."*) ;;
      *) return 1 ;;
    esac
  done
}

# _press_pg_client_build TARBALL: debootstrap the tree and pack it into TARBALL
# (about 1.5 min and 300 MB of downloads; the tarball is smaller, docs pruned).
_press_pg_client_build() {
  local tarball="$1" root mirror t0 rc=0 log
  # The mirror lookup, timing and unmount helpers live with the Docker base image, built the same way.
  if ! declare -F _press_mirror >/dev/null; then
    # Not followed by shellcheck: docker.sh sources services.sh, which sources this file.
    # shellcheck source=/dev/null
    . "$PRESS_REPO/scripts/lib/docker.sh"
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    press_log "installing debootstrap (apt)"
    _press_apt_install debootstrap
  fi
  mirror="$(_press_mirror)"
  [ -n "$mirror" ] || press_die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  root="$PRESS_PG_CLIENT_CACHE/$PRESS_PG_CLIENT_SUITE-pgclient-rootfs.tmp"
  log="$PRESS_PG_CLIENT_CACHE/debootstrap-$PRESS_PG_CLIENT_SUITE-pgclient.log"
  _press_umount_under "$root"
  rm -rf "$root"
  press_log "debootstrap $PRESS_PG_CLIENT_SUITE (minbase + $PRESS_PG_CLIENT_INCLUDE) into $root for the PostgreSQL $PRESS_PG_CLIENT_MAJOR client tools"
  t0="$(_press_now)"
  debootstrap --variant=minbase --include="$PRESS_PG_CLIENT_INCLUDE" "$PRESS_PG_CLIENT_SUITE" "$root" "$mirror" \
    >"$log" 2>&1 || rc=$?
  _press_umount_under "$root"
  if [ "$rc" -ne 0 ]; then
    tail -n 20 "$log" >&2 || true
    rm -rf "$root"
    press_die "debootstrap of $PRESS_PG_CLIENT_SUITE failed (exit $rc; log $log)"
  fi
  press_log "debootstrap took $(_press_elapsed "$t0") s"
  # Only the tools and their libraries are used: drop downloads, apt lists and documentation.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/info "$root"/usr/share/locale
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$root"
}

# _press_pg_client_loader ROOT: the tree's own dynamic loader (a real file inside ROOT).
_press_pg_client_loader() {
  local root="$1" c real
  for c in usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
    usr/lib64/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2; do
    [ -e "$root/$c" ] || continue
    real="$(realpath -e -- "$root/$c" 2>/dev/null)" || continue
    case "$real" in "$root"/*) printf '%s' "$real" && return 0 ;; esac
  done
  return 1
}

# press_install_pg_client_tools: PostgreSQL 17 pg_dump, pg_restore and psql as
# wrappers in $PRESS_TOOLS/pg17-client/bin; sets and exports PRESS_PG_TOOLS to
# that folder. Builds the trixie tree once (debootstrap, ~1.5 min; needs root),
# then reuses the tarball in .press/cache; a no-op (a few ms) when the tools are
# in place. World-readable, so the wrappers run for any user who can reach
# $PRESS_TOOLS.
press_install_pg_client_tools() {
  local dir="$PRESS_PG_CLIENT_DIR" key tarball root loader libdir tool t0 lock_fd
  key="$(_press_pg_client_key)"
  if [ "$(cat "$dir/.press-key" 2>/dev/null)" = "$key" ] && _press_pg_client_ok "$dir/bin"; then
    PRESS_PG_TOOLS="$dir/bin"
    export PRESS_PG_TOOLS
    return 0
  fi
  _press_require_root press_install_pg_client_tools
  mkdir -p "$PRESS_PG_CLIENT_CACHE" "$dir"
  # One builder at a time per checkout (scripts/run and scripts/test may overlap).
  exec {lock_fd}>"$PRESS_PG_CLIENT_CACHE/pgclient.lock"
  flock "$lock_fd"
  if [ "$(cat "$dir/.press-key" 2>/dev/null)" = "$key" ] && _press_pg_client_ok "$dir/bin"; then
    exec {lock_fd}>&-
    PRESS_PG_TOOLS="$dir/bin"
    export PRESS_PG_TOOLS
    return 0
  fi
  tarball="$PRESS_PG_CLIENT_CACHE/$PRESS_PG_CLIENT_SUITE-pgclient-$key.tar"
  if [ ! -s "$tarball" ]; then _press_pg_client_build "$tarball"; fi

  t0="$(date +%s.%N)"
  rm -f "$dir/.press-key"
  rm -rf "${dir:?}/root.tmp" "${dir:?}/bin"
  mkdir -p "$dir/root.tmp"
  # Only what the tools load (the loader, the shared libraries, PostgreSQL's own folders): a third of the tree.
  tar --numeric-owner -C "$dir/root.tmp" -xf "$tarball" --exclude='./usr/lib/x86_64-linux-gnu/perl*' \
    ./usr/lib/x86_64-linux-gnu ./usr/lib64 ./lib64 ./usr/lib/postgresql ./usr/share/postgresql ||
    press_die "cannot unpack $tarball (delete it to rebuild)"
  rm -rf "$dir/root"
  mv "$dir/root.tmp" "$dir/root"
  root="$(cd "$dir/root" && pwd -P)"
  case "$root" in *"'"*) press_die "the tools folder $root must not contain a single quote" ;; esac
  loader="$(_press_pg_client_loader "$root")" ||
    press_die "no x86-64 dynamic loader in $root (looked in usr/lib/x86_64-linux-gnu, lib64); delete $tarball to rebuild"
  libdir="$root/usr/lib/x86_64-linux-gnu"
  mkdir -p "$dir/bin"
  for tool in $PRESS_PG_CLIENT_TOOLS; do
    [ -x "$root/usr/lib/postgresql/$PRESS_PG_CLIENT_MAJOR/bin/$tool" ] ||
      press_die "$tool is missing from $root/usr/lib/postgresql/$PRESS_PG_CLIENT_MAJOR/bin; delete $tarball to rebuild"
    cat >"$dir/bin/$tool" <<WRAPPER
#!/bin/sh
# Generated by scripts/lib/pgtools.sh: PostgreSQL $PRESS_PG_CLIENT_MAJOR $tool from Debian $PRESS_PG_CLIENT_SUITE,
# run with that tree's own loader and libraries.
exec '$loader' --library-path '$libdir' '$root/usr/lib/postgresql/$PRESS_PG_CLIENT_MAJOR/bin/$tool' "\$@"
WRAPPER
  done
  chmod 755 "$dir/bin"/*
  # Readable by every user: the folders on the way and the tree's libraries and tools.
  chmod a+rX "$PRESS_TOOLS" "$dir" "$dir/bin" "$root" "$root/usr" "$root/usr/lib"
  chmod -R a+rX "$libdir" "$root/usr/lib/postgresql"
  _press_pg_client_ok "$dir/bin" ||
    press_die "the PostgreSQL $PRESS_PG_CLIENT_MAJOR tools in $dir/bin do not run ($("$dir/bin/pg_dump" --version 2>&1 | head -n 3))"
  printf '%s' "$key" >"$dir/.press-key"
  exec {lock_fd}>&-
  press_log "PostgreSQL $PRESS_PG_CLIENT_MAJOR client tools ($PRESS_PG_CLIENT_TOOLS) in $dir/bin (unpacked in $(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s)"
  PRESS_PG_TOOLS="$dir/bin"
  export PRESS_PG_TOOLS
}

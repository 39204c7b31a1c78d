# shellcheck shell=bash
# scripts/lib/ceph.sh: a real, credential-checking S3 server for the object
# store's tests: single-node Ceph (one mon, one in-memory OSD, no mgr, cluster
# auth off) with radosgw's S3 API on 127.0.0.1:PORT. MinIO and friends cannot be
# had here; Debian's radosgw can (docs/architecture.md §10).
#
# Ceph's own daemons use ports PRESS_CEPH_PORT_MIN..PRESS_CEPH_PORT_MAX
# (default 49760–49790: mon 49760/49761, OSD messengers from 49762 on); every
# daemon binds 127.0.0.1 and is stopped through the pid file it wrote, never by
# name. The S3 user gets a fresh random access/secret key pair per start,
# written to DIR/s3.env (mode 600) and exported as PRESS_S3_URL,
# PRESS_S3_ACCESS_KEY and PRESS_S3_SECRET_KEY. Same conventions as services.sh;
# callers set `set -euo pipefail`, this file sets no options.

if ! declare -F press_log >/dev/null; then
  # shellcheck source-path=SCRIPTDIR source=services.sh
  . "$(dirname "${BASH_SOURCE[0]}")/services.sh"
fi

PRESS_CEPH_PORT_MIN="${PRESS_CEPH_PORT_MIN:-49760}"
PRESS_CEPH_PORT_MAX="${PRESS_CEPH_PORT_MAX:-49790}"
# The OSD keeps every object in memory; 4 GiB is a ceiling, not an allocation.
PRESS_CEPH_MEMSTORE_BYTES="${PRESS_CEPH_MEMSTORE_BYTES:-4294967296}"
# Daemons in start order; pid files are DIR/run/ceph-<name>.pid.
_PRESS_CEPH_DAEMONS=("client.rgw.a:radosgw" "osd.0:ceph-osd" "mon.a:ceph-mon")

_press_ceph_now() { date +%s.%N; }
_press_ceph_elapsed() { awk -v s="$1" -v e="$(_press_ceph_now)" 'BEGIN { printf "%.1f", e - s }'; }

# press_install_ceph: radosgw, ceph-mon and ceph-osd from Debian (about a
# minute), only when missing. The policy-rc.d of _press_apt_install keeps the
# packages from starting system Ceph services.
press_install_ceph() {
  local cmd missing=0 t0
  for cmd in radosgw radosgw-admin ceph-mon ceph-osd monmaptool ceph; do
    command -v "$cmd" >/dev/null 2>&1 || missing=1
  done
  [ "$missing" = 1 ] || return 0
  _press_require_root press_install_ceph
  t0="$(_press_ceph_now)"
  press_log "installing radosgw ceph-mon ceph-osd (apt)"
  _press_apt_install --no-install-recommends radosgw ceph-mon ceph-osd
  press_log "installed Ceph in $(_press_ceph_elapsed "$t0") s"
}

# _press_ceph_running DIR: every daemon of DIR is alive.
_press_ceph_running() {
  local entry
  for entry in "${_PRESS_CEPH_DAEMONS[@]}"; do
    [ -f "$1/run/ceph-${entry%%:*}.pid" ] || return 1
    _press_pid_matches "$(head -n1 "$1/run/ceph-${entry%%:*}.pid")" "${entry#*:}" || return 1
  done
}

# _press_ceph_fail DIR WHAT: show the daemons' log tails, stop them, die.
_press_ceph_fail() {
  local f
  for f in "$1"/log/*.log; do
    [ -s "$f" ] || continue
    printf -- '--- %s\n' "$f" >&2
    tail -n 15 "$f" >&2 || true
  done
  press_stop_ceph "$1"
  press_die "Ceph: $2 (logs in $1/log)"
}

# _press_ceph_export DIR: exports what DIR/s3.env holds.
_press_ceph_export() {
  # shellcheck disable=SC1091
  . "$1/s3.env"
  export PRESS_S3_URL PRESS_S3_ACCESS_KEY PRESS_S3_SECRET_KEY
}

# press_start_ceph DIR PORT: a fresh single-node Ceph in DIR (wiped first) with
# radosgw on 127.0.0.1:PORT, and an S3 user with a random key pair (DIR/s3.env,
# exported). Does nothing but export the keys when DIR's Ceph is already up.
# About 15 s; about 350 MB resident.
press_start_ceph() {
  local dir="$1" port="$2" t0 fsid osd_uuid mon_addr i
  [[ "$port" =~ ^[0-9]+$ ]] || press_die "press_start_ceph DIR PORT: bad port '$port'"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
  if _press_ceph_running "$dir" && [ -f "$dir/s3.env" ]; then
    press_log "Ceph already running (dir $dir)"
    _press_ceph_export "$dir"
    return 0
  fi
  press_stop_ceph "$dir"
  for cmd in radosgw radosgw-admin ceph-mon ceph-osd monmaptool ceph; do
    command -v "$cmd" >/dev/null 2>&1 || press_die "$cmd is missing; run press_install_ceph first"
  done
  t0="$(_press_ceph_now)"
  rm -rf "${dir:?}"/{run,log,mon.a,osd.0,rgw,ceph.conf,keyring,monmap,s3.env}
  mkdir -p "$dir"/{run,log,mon.a,osd.0,rgw}
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  mon_addr="[v2:127.0.0.1:$PRESS_CEPH_PORT_MIN,v1:127.0.0.1:$((PRESS_CEPH_PORT_MIN + 1))]"
  # auth none: the cluster is private to this machine's loopback; the S3 API in
  # front of it checks its users' signatures regardless.
  cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon_host = $mon_addr
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
public_network = 127.0.0.0/8
ms_bind_ipv6 = false
ms_bind_port_min = $((PRESS_CEPH_PORT_MIN + 2))
ms_bind_port_max = $PRESS_CEPH_PORT_MAX
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
auth_allow_insecure_global_id_reclaim = true
# daemons default to ms_mon_client_mode=secure, which cannot work with auth none
ms_mon_client_mode = crc secure
mon_data_avail_warn = 5
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
run_dir = $dir/run
admin_socket = $dir/run/\$cluster-\$name.asok
pid_file = $dir/run/\$cluster-\$name.pid
log_file = $dir/log/\$cluster-\$name.log
keyring = $dir/keyring
[mon.a]
mon_data = $dir/mon.a
[osd.0]
osd_data = $dir/osd.0
osd_objectstore = memstore
memstore_device_bytes = $PRESS_CEPH_MEMSTORE_BYTES
[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:$port
rgw_data = $dir/rgw
# Deleted and aborted objects are freed by radosgw's garbage collector, by default after two hours: the in-memory
# OSD would grow by every byte a test run writes. Collect within seconds instead.
rgw_gc_obj_min_wait = 5
rgw_gc_processor_period = 5
CONF
  : >"$dir/keyring"
  local conf=(-c "$dir/ceph.conf")
  monmaptool --create --addv a "$mon_addr" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-mon "${conf[@]}" --mkfs -i a --monmap "$dir/monmap" >>"$dir/log/setup.log" 2>&1 ||
    _press_ceph_fail "$dir" "ceph-mon --mkfs failed"
  # Each daemon forks into the background and writes its pid file.
  ceph-mon "${conf[@]}" -i a </dev/null >>"$dir/log/setup.log" 2>&1 || _press_ceph_fail "$dir" "ceph-mon did not start"
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  timeout 60 ceph "${conf[@]}" --connect-timeout 30 osd new "$osd_uuid" >>"$dir/log/setup.log" 2>&1 ||
    _press_ceph_fail "$dir" "the monitor did not accept the OSD"
  ceph-osd "${conf[@]}" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$dir/log/setup.log" 2>&1 ||
    _press_ceph_fail "$dir" "ceph-osd --mkfs failed"
  ceph-osd "${conf[@]}" -i 0 </dev/null >>"$dir/log/setup.log" 2>&1 || _press_ceph_fail "$dir" "ceph-osd did not start"
  radosgw "${conf[@]}" -n client.rgw.a </dev/null >>"$dir/log/setup.log" 2>&1 || _press_ceph_fail "$dir" "radosgw did not start"
  for ((i = 0; i < 600; i++)); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" && break
    _press_ceph_running "$dir" || _press_ceph_fail "$dir" "a daemon exited during start"
    sleep 0.2
  done
  [ "$i" -lt 600 ] || _press_ceph_fail "$dir" "radosgw did not answer on 127.0.0.1:$port within 120 s"

  local access secret
  access="$(press_random_secret 20 | tr '[:lower:]' '[:upper:]')"
  secret="$(press_random_secret 40)"
  timeout 60 radosgw-admin "${conf[@]}" user create --uid=press-test --display-name="Press tests" \
    --access-key="$access" --secret-key="$secret" >>"$dir/log/setup.log" 2>&1 ||
    _press_ceph_fail "$dir" "radosgw-admin user create failed"
  (
    umask 077
    printf 'PRESS_S3_URL=%s\nPRESS_S3_ACCESS_KEY=%s\nPRESS_S3_SECRET_KEY=%s\n' \
      "http://127.0.0.1:$port" "$access" "$secret" >"$dir/s3.env"
  )
  _press_ceph_export "$dir"
  press_log "Ceph radosgw ready on http://127.0.0.1:$port in $(_press_ceph_elapsed "$t0") s (keys in $dir/s3.env)"
}

# press_ceph_rss_mb DIR: resident memory of DIR's daemons together, in MB.
press_ceph_rss_mb() {
  local entry pid kb total=0
  for entry in "${_PRESS_CEPH_DAEMONS[@]}"; do
    [ -f "$1/run/ceph-${entry%%:*}.pid" ] || continue
    pid="$(head -n1 "$1/run/ceph-${entry%%:*}.pid")"
    _press_pid_matches "$pid" "${entry#*:}" || continue
    kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}

# press_stop_ceph DIR: radosgw, then the OSD, then the monitor (TERM, KILL after
# 10 s); tolerant when nothing runs. The data lived in memory and is gone.
press_stop_ceph() {
  local dir="$1" entry
  [ -d "$dir/run" ] || return 0
  for entry in "${_PRESS_CEPH_DAEMONS[@]}"; do
    press_stop_pid "$dir/run/ceph-${entry%%:*}.pid" "${entry#*:}"
  done
}

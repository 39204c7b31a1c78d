#!/usr/bin/env bash
# tests/docker/frappe-double/smoke.sh: end-to-end check of the Frappe test double's image, doing by hand what
# Press's Docker runtime driver and Frappe adapter do: private dockerd (no bridge), base + double images, own
# PostgreSQL 16 and Redis, a site role/schema provisioned as Press does, site_config.json on a host folder mounted
# into a host-network container, `bench new-site` through docker exec, then ping / maintenance / unknown host.
# Everything it starts is stopped on exit. Run as root:  tests/docker/frappe-double/smoke.sh
# Env: SMOKE_DIR (state; default .press/frappe-double-smoke), SMOKE_PG_PORT (49735), SMOKE_REDIS_PORT (49736),
#      SMOKE_SITE_PORT (48601).
set -euo pipefail
cd "$(dirname "$0")/../../.."
# shellcheck source-path=SCRIPTDIR source=../../../scripts/lib/docker.sh
. scripts/lib/docker.sh

SMOKE_DIR="$(realpath -m "${SMOKE_DIR:-$PRESS_REPO/.press/frappe-double-smoke}")"
PG_PORT="${SMOKE_PG_PORT:-49735}"
REDIS_PORT="${SMOKE_REDIS_PORT:-49736}"
SITE_PORT="${SMOKE_SITE_PORT:-48601}"
REDIS_DB=5
SUFFIX="$(press_random_secret 8 | tr '[:upper:]' '[:lower:]')"
SITE="s-$SUFFIX.test"
ROLE="t_$SUFFIX"
CONTAINER="fcs-press-double-smoke-$SUFFIX"
BENCH=/home/frappe/frappe-bench
declare -A TIMES=()

timed() { # timed LABEL CMD...: run CMD, remember its duration under LABEL
  local label="$1" t0
  shift
  t0="$(_press_now)"
  "$@"
  TIMES[$label]="$(_press_elapsed "$t0")"
}
fail() { press_log "FAIL: $*"; exit 1; }
# expect_http CODE HOST: GET /api/method/ping with that Host header must answer CODE.
expect_http() {
  local code
  code="$(curl -s -o "$SMOKE_DIR/body" -w '%{http_code}' -H "Host: $2" "http://127.0.0.1:$SITE_PORT/api/method/ping")"
  [ "$code" = "$1" ] || fail "ping as $2: expected $1, got $code ($(cat "$SMOKE_DIR/body"))"
  press_log "ping as $2 -> $code $(cat "$SMOKE_DIR/body")"
}
su_sql() { PGPASSWORD="$pg_password" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

cleanup() {
  local rc=$?
  if [ -n "${DOCKER_HOST:-}" ]; then
    press_docker logs "$CONTAINER" >"$SMOKE_DIR/container.log" 2>&1 || true
    press_docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  fi
  press_stop_dockerd "$SMOKE_DIR/docker" || true
  press_stop_redis "$SMOKE_DIR/redis" || true
  press_stop_postgres "$SMOKE_DIR/pg" || true
  rm -f "$SMOKE_DIR/pgpw"
  if [ "$rc" -eq 0 ]; then press_log "smoke test passed"; else press_log "smoke test FAILED (exit $rc; logs in $SMOKE_DIR)"; fi
  exit "$rc"
}
trap cleanup EXIT

if ss -ltn | awk '{ print $4 }' | grep -q ":$SITE_PORT\$"; then press_die "port $SITE_PORT is in use"; fi
command -v psql >/dev/null 2>&1 || _press_apt_install postgresql-client
press_install_postgres16
press_install_redis
timed install-docker press_install_docker
mkdir -p "$SMOKE_DIR"

# ---- services (throwaway data)
press_stop_postgres "$SMOKE_DIR/pg"
press_wipe_postgres "$SMOKE_DIR/pg"
press_stop_redis "$SMOKE_DIR/redis"
pg_password="$(press_random_secret 32)"
(umask 077 && printf '%s' "$pg_password" >"$SMOKE_DIR/pgpw")
PRESS_PG_FAST=1 press_start_postgres "$SMOKE_DIR/pg" "$PG_PORT" "$SMOKE_DIR/pgpw"
press_start_redis "$REDIS_PORT" "$SMOKE_DIR/redis"

# ---- engine and images
timed dockerd press_start_dockerd "$SMOKE_DIR/docker"
timed base-image press_base_image
timed double-image press_build_double_image

# ---- provision the site as Press does (superuser): role, schema, role-level search_path, CONNECT
site_password="$(press_random_secret 32)"
su_sql -d postgres -c "CREATE DATABASE press_sites"
su_sql -d press_sites <<SQL
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE press_sites FROM PUBLIC;
CREATE ROLE $ROLE LOGIN PASSWORD '$site_password';
CREATE SCHEMA $ROLE AUTHORIZATION $ROLE;
ALTER ROLE $ROLE SET search_path = $ROLE;
GRANT CONNECT ON DATABASE press_sites TO $ROLE;
SQL

# site_config.json on a host folder that becomes sites/<site> in the container. The image runs as uid 1000:
# the folder must be its (new-site creates locks/, logs/ …; set-config rewrites the file).
site_dir="$SMOKE_DIR/sites/$SITE"
rm -rf "$SMOKE_DIR/sites"
mkdir -p "$site_dir"
cat >"$site_dir/site_config.json" <<JSON
{
 "db_host": "127.0.0.1",
 "db_name": "press_sites",
 "db_password": "$site_password",
 "db_port": $PG_PORT,
 "db_schema": "$ROLE",
 "db_type": "postgres",
 "db_user": "$ROLE",
 "redis_cache": "redis://127.0.0.1:$REDIS_PORT/$REDIS_DB",
 "redis_queue": "redis://127.0.0.1:$REDIS_PORT/$((REDIS_DB + 1))"
}
JSON
chmod 600 "$site_dir/site_config.json"
chown -R 1000:1000 "$site_dir"

# ---- runner container: frappe_docker's backend command with a loopback bind in our port range
t0="$(_press_now)"
press_docker run -d --name "$CONTAINER" --network host \
  -v "$site_dir:$BENCH/sites/$SITE" \
  "$PRESS_DOCKER_DOUBLE_IMAGE" \
  "$BENCH/env/bin/gunicorn" "--chdir=$BENCH/sites" "--bind=127.0.0.1:$SITE_PORT" --threads=4 --workers=2 \
  --worker-class=gthread --worker-tmp-dir=/dev/shm --timeout=120 --preload frappe.app:application >/dev/null
for ((i = 0; i < 300; i++)); do
  if curl -s -o /dev/null "http://127.0.0.1:$SITE_PORT/"; then break; fi
  sleep 0.1
done
TIMES[container-start-to-http]="$(_press_elapsed "$t0")"
curl -s -o /dev/null "http://127.0.0.1:$SITE_PORT/" || fail "container never answered on 127.0.0.1:$SITE_PORT"

# Config present but new-site not run yet: Frappe connects, then the tables are missing → 500.
expect_http 500 "$SITE"

# ---- bench commands through docker exec, as the image's user (frappe, 1000)
bench() { press_docker exec "$CONTAINER" bench "$@"; }
timed new-site bench new-site "$SITE" --force --no-setup-db --db-type postgres --admin-password "$(press_random_secret 16)"
timed new-site-again bench new-site "$SITE" --force --no-setup-db --db-type postgres --admin-password "$(press_random_secret 16)"
if bench new-site "$SITE" --db-type postgres --admin-password x 2>/dev/null; then fail "new-site without --force/--no-setup-db succeeded"; fi

expect_http 200 "$SITE"
expect_http 200 "$SITE:$SITE_PORT"
expect_http 404 "unknown-$SUFFIX.test"
bench --site "$SITE" set-maintenance-mode on
expect_http 503 "$SITE"
bench --site "$SITE" set-maintenance-mode off
expect_http 200 "$SITE"
bench --site "$SITE" migrate >/dev/null
bench --site "$SITE" enable-scheduler >/dev/null
bench --site "$SITE" set-config -p limits "{'users': 5}"

# ---- what landed where
tables="$(su_sql -d press_sites -c "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '$ROLE'")"
[ "$tables" = "__Auth,tabDefaultValue,tabInstalled Application,tabPatch Log,tabSingles" ] || fail "tables in schema $ROLE: $tables"
public_tables="$(su_sql -d press_sites -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
[ "$public_tables" = 0 ] || fail "$public_tables tables landed in public"
[ "$(su_sql -d press_sites -c "SELECT value FROM $ROLE.\"tabSingles\" WHERE field = 'enable_scheduler'")" = 1 ] || fail "scheduler not enabled"
[ "$(su_sql -d press_sites -c "SELECT count(*) FROM $ROLE.\"tabPatch Log\"")" = 1 ] || fail "migrate left no patch log row"
cached="$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$REDIS_DB" get 'press_sites|installed_apps')"
[ "$cached" = '["frappe"]' ] || fail "cache key in db $REDIS_DB: '$cached'"
[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 0 dbsize)" = 0 ] || fail "keys leaked into Redis db 0"
grep -q '"users": 5' "$site_dir/site_config.json" || fail "set-config -p did not write limits"
press_log "schema $ROLE: $tables; Redis db $REDIS_DB: press_sites|installed_apps = $cached"
press_log "site folder after the commands (uid:gid): $(find "$site_dir" -maxdepth 1 -printf '%P=%U:%G ' | sed 's/^=[^ ]* //')"

size="$(press_docker image inspect --format '{{.Size}}' "$PRESS_DOCKER_DOUBLE_IMAGE")"
press_log "image $PRESS_DOCKER_DOUBLE_IMAGE: $((size / 1000000)) MB"
for k in "${!TIMES[@]}"; do press_log "time $k: ${TIMES[$k]} s"; done

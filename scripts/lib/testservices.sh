# shellcheck shell=bash
# scripts/lib/testservices.sh: the throwaway servers the tests run against, shared by scripts/test (start, test,
# stop) and scripts/test-services (start and keep them, for repeated `dotnet test` runs from an IDE or from several
# checkouts at once). Sourced after services.sh, docker.sh and ceph.sh; callers set `set -euo pipefail`.

# shellcheck source-path=SCRIPTDIR source=browser.sh
. "$PRESS_REPO/scripts/lib/browser.sh"

PRESS_TEST_PG_PORT=49710
PRESS_TEST_REDIS_PORT=49711
PRESS_TEST_PG16_PORT=49712
# A third PostgreSQL 17 with few connection slots, for the test that fills every ordinary slot as a tenant would and
# checks Press still gets in through reserved_connections: filling the main server would break the tests running
# beside it.
PRESS_TEST_PG_SMALL_PORT=49713
PRESS_TEST_PG_SMALL_MAX_CONNECTIONS=30
PRESS_TEST_PG_SMALL_RESERVED_CONNECTIONS=5
PRESS_TEST_S3_PORT=49715
PRESS_TEST_DIR="$PRESS_REPO/.press/test"
# What `up` exported, as a file a shell can source: `. .press/test/services.env && dotnet test …`.
PRESS_TEST_ENV_FILE="$PRESS_TEST_DIR/services.env"

# press_test_services_up: installs what is missing, starts every server from empty data (stopping what a killed
# earlier run left), builds the images, exports the PRESS_TEST_* variables and writes them to $PRESS_TEST_ENV_FILE.
press_test_services_up() {
  local pwfile pg_password pg_data pg16_data pg_small_data stale
  press_install_postgres 17
  press_install_postgres 16
  # pg_dump/pg_restore/psql of the main server's major (17); sets PRESS_PG_TOOLS.
  press_install_pg_client_tools
  press_install_redis
  press_install_docker
  press_install_ceph
  # The login tests: Chromium for Playwright, and the real OIDC provider the tests start themselves (49716–49719).
  press_install_chromium
  press_install_test_oidc_provider
  # The OpenAPI document tests: Redocly's linter and a generated TypeScript client (npm, tests/openapi).
  press_install_openapi_tools
  # Site runners bind ports inside the ephemeral range: keep outgoing connections off them.
  press_reserve_ports

  press_test_services_down
  press_wipe_postgres "$PRESS_TEST_DIR/pg"
  press_wipe_postgres "$PRESS_TEST_DIR/pg16"
  press_wipe_postgres "$PRESS_TEST_DIR/pg-small"
  rm -rf "$PRESS_TEST_DIR/redis" "$PRESS_TEST_ENV_FILE"

  pwfile="$(mktemp)"
  pg_password="$(press_random_secret 32)"
  printf '%s' "$pg_password" >"$pwfile"
  # Throwaway data: no fsync. Both clusters get the same superuser password.
  press_start_postgres "$PRESS_TEST_DIR/pg" "$PRESS_TEST_PG_PORT" "$pwfile" --major 17 --fast
  pg_data="$PRESS_PG_RUN_DATA"
  press_start_postgres "$PRESS_TEST_DIR/pg16" "$PRESS_TEST_PG16_PORT" "$pwfile" --major 16 --fast
  pg16_data="$PRESS_PG_RUN_DATA"
  PRESS_PG_MAX_CONNECTIONS=$PRESS_TEST_PG_SMALL_MAX_CONNECTIONS PRESS_PG_RESERVED_CONNECTIONS=$PRESS_TEST_PG_SMALL_RESERVED_CONNECTIONS \
    press_start_postgres "$PRESS_TEST_DIR/pg-small" "$PRESS_TEST_PG_SMALL_PORT" "$pwfile" --major 17 --fast
  pg_small_data="$PRESS_PG_RUN_DATA"
  rm -f "$pwfile"
  # Press's Redis requires a password, as in production (the runners share the host's network).
  mkdir -p "$PRESS_TEST_DIR/redis"
  (umask 077 && press_random_secret 32 >"$PRESS_TEST_DIR/redis/password")
  press_start_redis "$PRESS_TEST_REDIS_PORT" "$PRESS_TEST_DIR/redis" "$PRESS_TEST_DIR/redis/password"
  # An S3 store that checks credentials (Ceph radosgw), for the object store's tests.
  press_start_ceph "$PRESS_TEST_DIR/ceph" "$PRESS_TEST_S3_PORT"
  # A Docker engine (host networking only) with the Frappe test double's image, for the runtime driver's tests.
  press_start_dockerd "$PRESS_TEST_DIR/docker"
  stale="$(press_docker ps -aq --filter label=press.managed=true)"
  [ -z "$stale" ] || press_docker rm -f $stale >/dev/null
  stale="$(press_docker volume ls -q --filter name=fcs-press-site-)"
  [ -z "$stale" ] || press_docker volume rm -f $stale >/dev/null
  press_base_image
  # Each site's own Redis runs in a sidecar container from this image (the double's image takes redis-cli from it).
  press_build_redis_image
  press_build_double_image
  # Press's own images, built as an operator would (self-contained, on the local base instead of aspnet:10.0;
  # this machine cannot reach the PostgreSQL apt repository), for the image tests.
  mkdir -p "$PRESS_TEST_DIR"
  BASE_IMAGE="$PRESS_DOCKER_BASE_IMAGE" PG_CLIENT_INSTALL=none docker/press/build-images.sh >"$PRESS_TEST_DIR/build-images.log" 2>&1 ||
    { tail -n 40 "$PRESS_TEST_DIR/build-images.log" >&2; press_die "building the Press images failed"; }

  export PRESS_TEST_POSTGRES="Host=127.0.0.1;Port=$PRESS_TEST_PG_PORT;Username=postgres;Password=$pg_password;Database=postgres"
  export PRESS_TEST_POSTGRES16="Host=127.0.0.1;Port=$PRESS_TEST_PG16_PORT;Username=postgres;Password=$pg_password;Database=postgres"
  export PRESS_TEST_POSTGRES_SMALL="Host=127.0.0.1;Port=$PRESS_TEST_PG_SMALL_PORT;Username=postgres;Password=$pg_password;Database=postgres"
  export PRESS_TEST_PG_TOOLS="$PRESS_PG_TOOLS"
  export PRESS_TEST_REDIS="127.0.0.1:$PRESS_TEST_REDIS_PORT"
  PRESS_TEST_REDIS_PASSWORD="$(cat "$PRESS_TEST_DIR/redis/password")"
  export PRESS_TEST_REDIS_PASSWORD PRESS_TEST_REDIS_IMAGE="$PRESS_DOCKER_REDIS_IMAGE"
  export PRESS_TEST_DOCKER_HOST="$DOCKER_HOST" PRESS_TEST_DOUBLE_IMAGE="$PRESS_DOCKER_DOUBLE_IMAGE"
  export PRESS_TEST_S3_URL="$PRESS_S3_URL" PRESS_TEST_S3_ACCESS_KEY="$PRESS_S3_ACCESS_KEY" PRESS_TEST_S3_SECRET_KEY="$PRESS_S3_SECRET_KEY"
  export PRESS_TEST_MANAGER_IMAGE="fcs-press/press-manager:dev" PRESS_TEST_WORKER_IMAGE="fcs-press/press-worker:dev"
  (
    umask 077
    env | grep -E '^(PRESS_TEST_[A-Z0-9_]+|DOCKER_HOST)=' | sed -E "s/^([^=]+)=(.*)$/export \1='\2'/" >"$PRESS_TEST_ENV_FILE"
  )
  press_log "test services: PostgreSQL 17 on 127.0.0.1:$PRESS_TEST_PG_PORT (data $pg_data), PostgreSQL 16 on 127.0.0.1:$PRESS_TEST_PG16_PORT (data $pg16_data), PostgreSQL 17 with $PRESS_TEST_PG_SMALL_MAX_CONNECTIONS slots on 127.0.0.1:$PRESS_TEST_PG_SMALL_PORT (data $pg_small_data), PostgreSQL 17 tools in $PRESS_TEST_PG_TOOLS, Redis on 127.0.0.1:$PRESS_TEST_REDIS_PORT (with a password), S3 on $PRESS_S3_URL, Docker at $DOCKER_HOST; variables in $PRESS_TEST_ENV_FILE"
}

# press_test_services_down: stops every test server by its pid file (tolerant when nothing runs).
press_test_services_down() {
  press_stop_redis "$PRESS_TEST_DIR/redis" || true
  press_stop_postgres "$PRESS_TEST_DIR/pg" || true
  press_stop_postgres "$PRESS_TEST_DIR/pg16" || true
  press_stop_postgres "$PRESS_TEST_DIR/pg-small" || true
  press_stop_dockerd "$PRESS_TEST_DIR/docker" || true
  press_stop_ceph "$PRESS_TEST_DIR/ceph" || true
  rm -f "$PRESS_TEST_ENV_FILE"
}

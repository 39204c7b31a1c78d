#!/bin/bash
# Keycloak's own role and database in Press's cluster (production compose only). The postgres image runs the
# scripts of /docker-entrypoint-initdb.d once, when it initialises an empty data directory; on a cluster that
# already exists, run the same statements by hand. Press's own role and databases come from
# `Press.Manager bootstrap` (the press-bootstrap service), not from here.
set -euo pipefail

: "${KEYCLOAK_DB_PASSWORD_FILE:?set KEYCLOAK_DB_PASSWORD_FILE to the file holding the password of the keycloak role}"

# The password goes through a psql variable read from the file (never on a command line), quoted by :'pw'.
psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" --dbname postgres <<'SQL'
\set pw `cat "$KEYCLOAK_DB_PASSWORD_FILE"`
CREATE ROLE keycloak LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
CREATE DATABASE keycloak OWNER keycloak ENCODING 'UTF8' TEMPLATE template0;
REVOKE CONNECT, TEMPORARY ON DATABASE keycloak FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE keycloak TO keycloak;
SQL

#!/bin/sh
# Creates or upgrades the Temporal server's two PostgreSQL databases (persistence and visibility) with the schema
# files shipped in go.temporal.io/server (schema/postgresql/v12/...). Idempotent: run it before every start or
# upgrade of the server. Used by `npm start -- --temporal server`, the bench and the drill
# (scripts/lib/temporal-topology.ts) and by docker-compose.yml (temporal-schema job).
#   SQL_TOOL (temporal-sql-tool), SCHEMA_DIR (…/schema/postgresql/v12), SQL_HOST, SQL_PORT, SQL_USER,
#   SQL_PASSWORD, DBNAME (temporal), VISIBILITY_DBNAME (temporal_visibility)
set -eu
SQL_TOOL="${SQL_TOOL:-temporal-sql-tool}"
: "${SCHEMA_DIR:?SCHEMA_DIR: the folder holding temporal/ and visibility/ (schema/postgresql/v12)}"
export SQL_PLUGIN=postgres12

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db="${pair%%:*}"
  schema="${pair#*:}"
  # create-database fails when the database exists: --quiet keeps that from stopping us.
  "$SQL_TOOL" --quiet --db "$db" create-database
  # A database already set up is only upgraded: setup-schema -v 0.0 on it would reset its version.
  if ! "$SQL_TOOL" --db "$db" update-schema --schema-dir "$SCHEMA_DIR/$schema/versioned" 2>/dev/null; then
    "$SQL_TOOL" --db "$db" setup-schema -v 0.0
    "$SQL_TOOL" --db "$db" update-schema --schema-dir "$SCHEMA_DIR/$schema/versioned"
  fi
  echo "temporal schema: $db ($schema) up to date"
done

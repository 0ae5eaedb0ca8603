#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d):
# n8n's own database beside the CRM's (POSTGRES_DB). Two databases on one server,
# as the queue-mode test runs them.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE DATABASE "${N8N_DB_NAME:-n8n}";
SQL

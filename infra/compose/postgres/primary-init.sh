#!/bin/bash
# Runs once, when the primary's data directory is created (the postgres
# image's /docker-entrypoint-initdb.d): a role for the standby's WAL stream,
# a pg_hba.conf line letting it connect, and, last, synchronous replication:
# from the server's next start on (right after this initialisation) every
# commit waits until `standby1` has flushed it. Set any earlier, the
# initialisation's own commits would wait for a standby not there yet.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=password="$SAMVERKAN_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby1)';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"

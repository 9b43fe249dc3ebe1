#!/bin/bash
# The standby: on first start, copy the primary (pg_basebackup, with a
# replication slot so the primary keeps the WAL the standby still needs)
# and follow it as `standby1`, the name the primary's
# synchronous_standby_names waits for. Runs as the postgres user.
set -euo pipefail
: "${PGDATA:?}" "${PRIMARY_HOST:?}" "${STANDBY_NAME:?}" "${SAMVERKAN_REPLICATION_PASSWORD:?}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -U replicator; do sleep 1; done
  export PGPASSWORD="$SAMVERKAN_REPLICATION_PASSWORD"
  pg_basebackup -h "$PRIMARY_HOST" -U replicator -D "$PGDATA" \
    --wal-method=stream --write-recovery-conf --create-slot --slot="$STANDBY_NAME"
  # The name the primary waits for (a later line wins over -R's).
  echo "primary_conninfo = 'host=$PRIMARY_HOST user=replicator password=$SAMVERKAN_REPLICATION_PASSWORD application_name=$STANDBY_NAME'" \
    >> "$PGDATA/postgresql.auto.conf"
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on

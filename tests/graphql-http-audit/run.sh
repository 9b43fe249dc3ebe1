#!/usr/bin/env bash
# The GraphQL over HTTP conformance audit (graphql-http's `serverAudits`)
# against the real server: builds `samverkan` (unless SAMVERKAN_BIN names a
# binary), serves the demo data from a fresh data directory on a free port,
# mints a reader token for it and runs audit.mjs. Exits non-zero when an audit
# does not pass. Needs node >= 18 and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# shellcheck source=../lib/serve.sh
source "$root/tests/lib/serve.sh"
samverkan_bin

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 18 )); then
  echo "graphql-http audit: needs node >= 18 (has $(node --version))" >&2
  exit 1
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d "${TMPDIR:-/tmp}/samverkan-audit.XXXXXX")"
log="$data/serve.log"
cleanup() {
  stop_server
  rm -rf "$data"
}
trap cleanup EXIT

start_server "graphql-http audit" "$log" --demo --data-dir "$data"

token="$("$SAMVERKAN_BIN" token --role reader --data-dir "$data")"
echo "graphql-http audit against $base/graphql"
node "$here/audit.mjs" "$base/graphql" "$token"

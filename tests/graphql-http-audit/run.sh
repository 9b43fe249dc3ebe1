#!/usr/bin/env bash
# The GraphQL over HTTP conformance audit (graphql-http's `serverAudits`)
# against the real server: builds `samverkan` (unless SAMVERKAN_BIN names a
# binary), serves the demo data from a fresh data directory on a free port,
# mints a reader token for it and runs audit.mjs. Exits non-zero when an audit
# does not pass. Needs node >= 18 and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ -z "${SAMVERKAN_BIN:-}" ]]; then
  (cd "$root" && cargo build --quiet --bin samverkan)
  SAMVERKAN_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/samverkan"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 18 )); then
  echo "graphql-http audit: needs node >= 18 (has $(node --version))" >&2
  exit 1
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d "${TMPDIR:-/tmp}/samverkan-audit.XXXXXX")"
log="$data/serve.log"
server=""
cleanup() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

"$SAMVERKAN_BIN" serve --demo --data-dir "$data" --listen 127.0.0.1:0 >"$log" 2>&1 &
server=$!

# Port 0: the server prints the address it got.
base=""
for _ in $(seq 1 300); do
  base="$(sed -n 's|^Samverkan listening on \(http://[^ ]*\)$|\1|p' "$log" 2>/dev/null || true)"
  [[ -n "$base" ]] && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$log" >&2
    echo "graphql-http audit: the server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$base" ]]; then
  cat "$log" >&2
  echo "graphql-http audit: the server printed no address" >&2
  exit 1
fi
healthy() {
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base/healthz"
}
for _ in $(seq 1 100); do
  healthy && break
  sleep 0.1
done
healthy || { cat "$log" >&2; echo "graphql-http audit: /healthz does not answer 200" >&2; exit 1; }

token="$("$SAMVERKAN_BIN" token --role reader --data-dir "$data")"
echo "graphql-http audit against $base/graphql"
node "$here/audit.mjs" "$base/graphql" "$token"

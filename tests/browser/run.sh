#!/usr/bin/env bash
# The web app in a real browser: builds `samverkan` (unless SAMVERKAN_BIN names
# a binary), serves the demo from a fresh data directory on a free port, and
# drives Debian's chromium through playwright-core (test.mjs): sign-in as each
# demo role, dashboards against the API, the V6 application flow with a live
# update, validation errors, asOf, the CSV, languages, axe-core. Screenshots,
# the CSV, a PDF of the report and axe's findings go to target/browser-artifacts/
# (or BROWSER_ARTIFACTS). Exits non-zero when a check fails. Needs node >= 18,
# npm and chromium (installed with apt-get when /usr/bin/chromium is missing).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
artifacts="${BROWSER_ARTIFACTS:-${CARGO_TARGET_DIR:-$root/target}/browser-artifacts}"

if [[ -z "${SAMVERKAN_BIN:-}" ]]; then
  (cd "$root" && cargo build --quiet --bin samverkan)
  SAMVERKAN_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/samverkan"
fi

if [[ ! -x /usr/bin/chromium ]]; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 18 )); then
  echo "browser test: needs node >= 18 (has $(node --version))" >&2
  exit 1
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d "${TMPDIR:-/tmp}/samverkan-browser.XXXXXX")"
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

"$SAMVERKAN_BIN" serve --demo --data-dir "$data/store" --listen 127.0.0.1:0 >"$log" 2>&1 &
server=$!

# Port 0: the server prints the address it got.
base=""
for _ in $(seq 1 300); do
  base="$(sed -n 's|^Samverkan listening on \(http://[^ ]*\)$|\1|p' "$log" 2>/dev/null || true)"
  [[ -n "$base" ]] && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$log" >&2
    echo "browser test: the server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$base" ]]; then
  cat "$log" >&2
  echo "browser test: the server printed no address" >&2
  exit 1
fi

echo "browser test against $base (artifacts in $artifacts)"
status=0
node "$here/test.mjs" "$base" "$artifacts" || status=$?
if (( status != 0 )); then
  echo "--- server log (last 40 lines)" >&2
  tail -n 40 "$log" >&2
  exit "$status"
fi

# Without --demo the page is served but there are no demo tokens (404).
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
"$SAMVERKAN_BIN" serve --data-dir "$data/plain" --listen 127.0.0.1:0 >"$data/plain.log" 2>&1 &
server=$!
plain=""
for _ in $(seq 1 300); do
  plain="$(sed -n 's|^Samverkan listening on \(http://[^ ]*\)$|\1|p' "$data/plain.log" 2>/dev/null || true)"
  [[ -n "$plain" ]] && break
  kill -0 "$server" 2>/dev/null || { cat "$data/plain.log" >&2; echo "browser test: the plain server did not start" >&2; exit 1; }
  sleep 0.1
done
node -e '
  const base = process.argv[1];
  (async () => {
    const page = await fetch(`${base}/`);
    const tokens = await fetch(`${base}/demo/tokens`);
    const ok = page.status === 200 && /<script type="module" src="\/web\/app.js">/.test(await page.text()) && tokens.status === 404;
    console.log(`${ok ? "ok  " : "FAIL"} without --demo: GET / ${page.status}, GET /demo/tokens ${tokens.status}`);
    process.exit(ok ? 0 : 1);
  })().catch((e) => { console.error(e); process.exit(1); });
' "$plain"

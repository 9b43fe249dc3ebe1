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

# shellcheck source=../lib/serve.sh
source "$root/tests/lib/serve.sh"
samverkan_bin

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
cleanup() {
  stop_server
  rm -rf "$data"
}
trap cleanup EXIT

start_server "browser test" "$log" --demo --data-dir "$data/store"
# An administrator's token (the demo offers none) for opening a call.
SAMVERKAN_ADMIN_TOKEN="$(RUST_LOG=off "$SAMVERKAN_BIN" token --data-dir "$data/store" --role admin)"
export SAMVERKAN_ADMIN_TOKEN

echo "browser test against $base (artifacts in $artifacts)"
status=0
node "$here/test.mjs" "$base" "$artifacts" || status=$?
if (( status != 0 )); then
  echo "--- server log (last 40 lines)" >&2
  tail -n 40 "$log" >&2
  exit "$status"
fi

# Without --demo the page is served but there are no demo tokens (404).
stop_server
start_server "browser test (without --demo)" "$data/plain.log" --data-dir "$data/plain"
node -e '
  const base = process.argv[1];
  (async () => {
    const page = await fetch(`${base}/`);
    const tokens = await fetch(`${base}/demo/tokens`);
    const ok = page.status === 200 && /<script type="module" src="\/web\/app.js">/.test(await page.text()) && tokens.status === 404;
    console.log(`${ok ? "ok  " : "FAIL"} without --demo: GET / ${page.status}, GET /demo/tokens ${tokens.status}`);
    process.exit(ok ? 0 : 1);
  })().catch((e) => { console.error(e); process.exit(1); });
' "$base"

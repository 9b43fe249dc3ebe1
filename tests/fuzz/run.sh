#!/usr/bin/env bash
# A bounded GraphQL fuzzing run against the real binary (see
# tests/fuzz/fuzz_graphql.py for what is checked).
#
# Installs the pinned fuzzer (tests/fuzz/requirements.txt) into a virtual
# environment of its own (target/fuzz-venv), builds the binary if needed,
# starts `samverkan serve --demo` on a free port with a fresh data directory,
# mints an administrator's and an officer's token for it, runs the fuzzer,
# stops the server (SIGTERM, which must end it cleanly) and looks for panics
# in its log. Exits non-zero on any finding.
#
# Environment: FUZZ_MAX_EXAMPLES (3000), FUZZ_DEADLINE_SECONDS (150),
# FUZZ_SEED (20240212), SAMVERKAN_BIN (target/debug/samverkan, built when
# missing), FUZZ_KEEP=1 keeps the run's directory (server.log, data/,
# report.json, trace.jsonl: every document and its response).
set -euo pipefail
cd "$(dirname "$0")/../.."

max_examples=${FUZZ_MAX_EXAMPLES:-3000}
deadline=${FUZZ_DEADLINE_SECONDS:-150}
seed=${FUZZ_SEED:-20240212}
bin=${SAMVERKAN_BIN:-target/debug/samverkan}
venv=target/fuzz-venv

if [ -z "${SAMVERKAN_BIN:-}" ]; then
  cargo build -q -p samverkan-server --bin samverkan
fi

# The fuzzer's own environment, reinstalled when the pins change.
stamp="$venv/.requirements"
if ! cmp -s tests/fuzz/requirements.txt "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian's python3 keeps venv (ensurepip) in a package of its own.
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$venv"
      python3 -m venv "$venv"
    else
      echo "fuzz: python3 -m venv failed (install python3-venv)" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/fuzz/requirements.txt
  cp tests/fuzz/requirements.txt "$stamp"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/samverkan-fuzz.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${FUZZ_KEEP:-}" = 1 ]; then
    echo "fuzz: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

data="$work/data"
"$bin" serve --demo --data-dir "$data" --listen 127.0.0.1:0 >"$work/server.out" 2>"$work/server.log" &
server_pid=$!

url=
for _ in $(seq 1 600); do
  url=$(sed -n 's|^Samverkan listening on \(http://[^ ]*\)$|\1|p' "$work/server.out")
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "fuzz: the server did not start" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "fuzz: the server did not print its address within 60 s" >&2
  exit 1
fi
"$venv/bin/python" - "$url/healthz" <<'EOF'
import sys, time, urllib.request
for _ in range(100):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit("fuzz: /healthz did not answer 200")
EOF

admin=$("$bin" token --role admin --data-dir "$data")
officer=$("$bin" token --role officer --municipality SE-1494 --data-dir "$data")

status=0
FUZZ_ADMIN_TOKEN=$admin FUZZ_OFFICER_TOKEN=$officer "$venv/bin/python" tests/fuzz/fuzz_graphql.py \
  --url "$url" \
  --store-file "$data/events.sqlite" \
  --max-examples "$max_examples" \
  --deadline-seconds "$deadline" \
  --seed "$seed" \
  --report "$work/report.json" \
  --trace "$work/trace.jsonl" || status=$?

kill -TERM "$server_pid" 2>/dev/null || true
server_status=0
wait "$server_pid" || server_status=$?
server_pid=
if [ "$server_status" != 0 ]; then
  echo "fuzz: FINDING: the server exited with status $server_status on SIGTERM" >&2
  status=1
fi
if grep -n -B2 -A8 'panicked' "$work/server.log" >&2; then
  echo "fuzz: FINDING: the server log has a panic (above)" >&2
  status=1
fi
if [ "$status" = 0 ]; then
  echo "fuzz: no findings"
else
  echo "fuzz: findings (see above); rerun with FUZZ_SEED=$seed FUZZ_KEEP=1 to keep the log" >&2
fi
exit "$status"

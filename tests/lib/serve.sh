# Sourced by the scripts that test the real binary over HTTP (the browser
# test, the graphql-http audit): build it, start it on a free port, stop it.
#   samverkan_bin              sets SAMVERKAN_BIN (builds target/debug/samverkan unless set)
#   start_server LABEL LOG ARGS  runs `samverkan serve --listen 127.0.0.1:0 ARGS`,
#                              sets $server (pid) and $base (http://…), waits for /healthz
#   stop_server                stops $server
# Needs $root (the repository) and node (for the health check).

samverkan_bin() {
  if [[ -z "${SAMVERKAN_BIN:-}" ]]; then
    (cd "$root" && cargo build --quiet --bin samverkan)
    SAMVERKAN_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/samverkan"
  fi
}

server=""
base=""

start_server() {
  local label="$1" log="$2"
  shift 2
  "$SAMVERKAN_BIN" serve --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  server=$!
  # Port 0: the server prints the address it got.
  base=""
  for _ in $(seq 1 300); do
    base="$(sed -n 's|^Samverkan listening on \(http://[^ ]*\)$|\1|p' "$log" 2>/dev/null || true)"
    [[ -n "$base" ]] && break
    if ! kill -0 "$server" 2>/dev/null; then
      cat "$log" >&2
      echo "$label: the server did not start" >&2
      exit 1
    fi
    sleep 0.1
  done
  if [[ -z "$base" ]]; then
    cat "$log" >&2
    echo "$label: the server printed no address" >&2
    exit 1
  fi
  for _ in $(seq 1 100); do
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base/healthz" && return 0
    sleep 0.1
  done
  cat "$log" >&2
  echo "$label: /healthz does not answer 200" >&2
  exit 1
}

stop_server() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}

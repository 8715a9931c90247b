# Shared by the benchmark scripts: a scratch folder, a token, and starting
# unitclockd on a free loopback port. Sourced, not run.

# bench_init: makes $work (removed on exit, with every process started) and a
# platform token for platform "bench" in $work/token.
bench_init() {
  work=$(mktemp -d)
  bench_pids=()
  trap bench_cleanup EXIT
  scripts/make_token.sh bench bench platform "$work/tokens.json" >"$work/token"
}

bench_cleanup() {
  local p
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# wait_port FILE: prints the port written to FILE once it is there.
wait_port() {
  local _
  for _ in $(seq 1000); do
    [[ -s $1 ]] && { cat "$1"; return; }
    sleep 0.01
  done
  echo "bench: no port in $1" >&2
  exit 1
}

# start_unitclockd BINARY DB NAME [extra flags...]: starts unitclockd on the
# database DB, logging to $work/NAME.log; sets uc_pid and uc_port.
start_unitclockd() {
  local binary=$1 db=$2 name=$3
  shift 3
  rm -f "$work/$name.port"
  "$binary" --listen 127.0.0.1:0 --port-file "$work/$name.port" --db "$db" \
    --policy-dir core/policies --auth-file "$work/tokens.json" "$@" 2>"$work/$name.log" &
  uc_pid=$!
  bench_pids+=("$uc_pid")
  uc_port=$(wait_port "$work/$name.port")
}

# stop_unitclockd: SIGTERM, and waits for it to end.
stop_unitclockd() {
  kill -TERM "$uc_pid"
  wait "$uc_pid" || true
}

# rss_kib PID: resident memory of a process, in KiB.
rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

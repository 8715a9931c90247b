# Shared by the benchmark scripts: a scratch folder, a token, and starting
# unitclockd on a free loopback port. Sourced, not run.

# bench_init: makes $work (removed on exit, with every process started) and a
# platform token for platform "bench" in $work/token (with the build's
# unitclock-token: the caller has set $build).
bench_init() {
  work=$(mktemp -d)
  bench_pids=()
  pg_dirs=()
  trap bench_cleanup EXIT
  "$build/plugin/auth/unitclock-token" bench bench platform "$work/tokens.json" >"$work/token"
}

bench_cleanup() {
  local p
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for p in "${pg_dirs[@]}"; do scripts/pg_cluster.sh stop "$p" >/dev/null 2>&1 || true; done
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

# pg_start DIR: a throwaway PostgreSQL cluster in DIR (scripts/pg_cluster.sh),
# stopped on exit with the rest.
pg_start() {
  # The cluster's server may run as another user (nobody, when run as root),
  # who must be able to reach its folder.
  chmod a+x "$work"
  # Durable, as a real server: fsync on, like the SQLite store's.
  PG_CLUSTER_DURABLE=1 scripts/pg_cluster.sh start "$1" >/dev/null
  pg_dirs+=("$1")
}

# pg_new_database DIR NAME: creates database NAME in the cluster in DIR and
# prints its connection URI.
pg_new_database() {
  local uri
  uri=$(cat "$1/uri")
  psql -q -X "$uri" -c "CREATE DATABASE \"$2\"" >/dev/null
  pg_database_uri "$uri" "$2"
}

# pg_database_uri URI NAME: URI (of the cluster's maintenance database,
# "postgres") with the database NAME instead.
pg_database_uri() {
  sed -E "s#/postgres(\?|$)#/$2\1#" <<<"$1"
}

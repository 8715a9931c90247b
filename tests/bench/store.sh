#!/usr/bin/env bash
# The store benchmark: unitclockd on SQLite and on PostgreSQL, in the same
# run on this machine (docs/performance.md):
#
#   tests/bench/store.sh BUILD_DIR [--events N] [--streams N] [--read-seconds S]
#                                  [--restart-events N] [--backends "sqlite postgres"]
#                                  [--server PATH]
#
# For SQLite (a file), PostgreSQL with one instance, and PostgreSQL with two
# instances on one database (the load split between them, as behind a load
# balancer):
#   - ingest: events/s and acknowledgement p50/p99 (ingest_load, streams);
#   - GetSession p50/p99 on a quiet server, and while that ingest runs
#     (read_probe beside ingest_load): reads use the store's read-only
#     connections, not the writer's;
# and, per backend, the time from start to serving on a database already
# holding --restart-events events (median of 3 starts). --server runs another
# unitclockd binary (an older build, to compare a change with what came
# before).
#
# PostgreSQL is a throwaway cluster of Debian's postgresql package
# (scripts/pg_cluster.sh), durable (fsync on, as SQLite's synchronous=FULL),
# on a Unix socket of this machine, started here and stopped on exit. BUILD_DIR is a
# Release build. Prints RESULT lines and a table. Nothing here asserts a time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:?usage: store.sh BUILD_DIR [options]}
shift
events=200000 streams=64 read_seconds=5 restart_events=200000 backends="sqlite postgres"
server_arg=""
while (($#)); do
  case $1 in
    --events) events=$2 ;;
    --streams) streams=$2 ;;
    --read-seconds) read_seconds=$2 ;;
    --restart-events) restart_events=$2 ;;
    --backends) backends=$2 ;;
    --server) server_arg=$2 ;;
    *) echo "store.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
load=$build/tests/bench/ingest/ingest_load
probe=$build/tests/bench/ingest/read_probe
server=${server_arg:-$build/plugin/server/unitclockd}

# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_init
if [[ $backends == *postgres* ]]; then
  pg_start "$work/pg"
fi

# new_db BACKEND NAME: prints a fresh database's --db value.
new_db() {
  if [[ $1 == sqlite ]]; then echo "$work/$2.db"; else pg_new_database "$work/pg" "$2"; fi
}

# ingest LABEL PORT PID EVENTS STREAMS: one ingest_load run; prints its RESULT line.
ingest() {
  "$load" --label "$1" --target "127.0.0.1:$2" --token-file "$work/token" --platform bench \
    --server-pid "$3" --events "$4" --streams "$5" --channels 4 --window 32
}

# read LABEL PORT: GetSession for --read-seconds; prints its RESULT line.
read_session() {
  "$probe" --label "$1" --target "127.0.0.1:$2" --token-file "$work/token" --platform bench \
    --seconds "$read_seconds"
}

echo "== store: $events events per ingest run, $streams streams on 4 connections, window 32;" \
  "GetSession for ${read_seconds} s; restart on $restart_events events; $(nproc) cores," \
  "every process on this machine"
for backend in $backends; do
  # One instance: ingest, then reads alone and beside a second ingest.
  db=$(new_db "$backend" "one")
  start_unitclockd "$server" "$db" "$backend" --log-level warn --session-timeout-s 86400
  ingest "$backend-1" "$uc_port" "$uc_pid" "$events" "$streams" | tee -a "$work/results"
  read_session "$backend-get-quiet" "$uc_port" | tee -a "$work/results"
  ingest "$backend-1-under-reads" "$uc_port" "$uc_pid" $((events * 2)) "$streams" >"$work/bg.out" &
  bg=$!
  sleep 0.5
  read_session "$backend-get-under-ingest" "$uc_port" | tee -a "$work/results"
  wait "$bg"
  stop_unitclockd

  if [[ $backend == postgres ]]; then
    # Two instances on one database, half of the streams on each.
    db=$(new_db postgres "two")
    start_unitclockd "$server" "$db" "pg-a" --log-level warn --session-timeout-s 86400
    pid_a=$uc_pid port_a=$uc_port
    start_unitclockd "$server" "$db" "pg-b" --log-level warn --session-timeout-s 86400
    pid_b=$uc_pid port_b=$uc_port
    t0=$(date +%s%N)
    ingest postgres-2a "$port_a" "$pid_a" $((events / 2)) $((streams / 2)) >"$work/a.out" &
    a=$!
    ingest postgres-2b "$port_b" "$pid_b" $((events / 2)) $((streams / 2)) >"$work/b.out" &
    b=$!
    wait "$a" "$b"
    t1=$(date +%s%N)
    cat "$work/a.out" "$work/b.out" | tee -a "$work/results"
    # Both halves together: all events over the wall time of the slower half.
    awk -v events="$(((events / 2) * 2))" -v ns=$((t1 - t0)) '
      function field(line, key,   n, i, kv) {
        n = split(line, kv, " ")
        for (i = 1; i <= n; i++) if (index(kv[i], key "=") == 1) return substr(kv[i], length(key) + 2)
      }
      { p50 = field($0, "ack_p50_us") + 0; p99 = field($0, "ack_p99_us") + 0
        if (p50 > m50) m50 = p50; if (p99 > m99) m99 = p99 }
      END { printf "RESULT label=postgres-2 events=%d seconds=%.3f events_per_s=%.0f ack_p50_us=%d ack_p99_us=%d\n",
              events, ns / 1e9, events / (ns / 1e9), m50, m99 }' "$work/a.out" "$work/b.out" |
      tee -a "$work/results"
    kill -TERM "$pid_a" "$pid_b"
    wait "$pid_a" "$pid_b" || true
  fi

  # Restart: fill, stop, and time three starts to serving.
  db=$(new_db "$backend" "restart")
  start_unitclockd "$server" "$db" "$backend-fill" --log-level warn --session-timeout-s 86400
  ingest fill "$uc_port" "$uc_pid" "$restart_events" "$streams" >/dev/null
  stop_unitclockd
  times=()
  for r in 1 2 3; do
    t0=$(date +%s%N)
    start_unitclockd "$server" "$db" "$backend-restart$r" --log-level warn --session-timeout-s 86400
    times+=($((($(date +%s%N) - t0) / 1000000)))
    stop_unitclockd
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  echo "RESULT label=$backend-restart events=$restart_events median_ms_to_serving=$median" |
    tee -a "$work/results"
done

awk '
  function field(line, key,   n, i, kv) {
    n = split(line, kv, " ")
    for (i = 1; i <= n; i++) if (index(kv[i], key "=") == 1) return substr(kv[i], length(key) + 2)
    return "-"
  }
  /^RESULT/ { v[field($0, "label")] = $0 }
  END {
    printf "\n%-22s %10s %10s %10s %13s %13s %13s %13s %11s\n", "store", "events/s", "ack p50 us",
      "ack p99 us", "get p50 quiet", "get p99 quiet", "get p50 busy", "get p99 busy", "restart ms"
    n = split("sqlite postgres", b, " ")
    for (i = 1; i <= n; i++) {
      if (!((b[i] "-1") in v)) continue
      one = v[b[i] "-1"]; q = v[b[i] "-get-quiet"]; u = v[b[i] "-get-under-ingest"]
      printf "%-22s %10s %10s %10s %13s %13s %13s %13s %11s\n", b[i] ", one instance",
        field(one, "events_per_s"), field(one, "ack_p50_us"), field(one, "ack_p99_us"),
        field(q, "get_p50_us"), field(q, "get_p99_us"), field(u, "get_p50_us"),
        field(u, "get_p99_us"), field(v[b[i] "-restart"], "median_ms_to_serving")
      if ((b[i] "-2") in v) {
        two = v[b[i] "-2"]
        printf "%-22s %10s %10s %10s %13s %13s %13s %13s %11s\n", b[i] ", two instances",
          field(two, "events_per_s"), field(two, "ack_p50_us"), field(two, "ack_p99_us"),
          "-", "-", "-", "-", "-"
      }
    }
  }' "$work/results"

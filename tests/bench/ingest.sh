#!/usr/bin/env bash
# The ingest benchmark: the same load against a bare echo service (the
# transport's limit) and against unitclockd with its durable SQLite store,
# one after the other on this machine, then the ratio.
#
#   tests/bench/ingest.sh BUILD_DIR [--events N] [--streams N] [--channels N] [--window N]
#                                   [--batch N] [--ids time|random] [--server PATH] [--rounds N]
#
# The sessions replayed started up to an hour ago; the watchdog's timeout is
# raised to a day so that it does not close them while they are replayed.
# BUILD_DIR is a Release build (build/release). --server runs another
# unitclockd binary (to compare a change with what came before). --batch N
# replaces the streams by as many callers of RecordEvents, N events a call
# (one call in flight each). --ids random sends random (version 4) UUIDs as
# session and event ids instead of time-ordered ones. Each round
# runs echo then unitclockd; the figures of every round are printed, and the
# summary takes the median round of each. Prints RESULT lines and a table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:?usage: ingest.sh BUILD_DIR [options]}
shift
events=200000 streams=64 channels=4 window=32 batch=0 rounds=3 ids=time
server=$build/plugin/server/unitclockd
while (($#)); do
  case $1 in
    --events) events=$2 ;;
    --streams) streams=$2 ;;
    --channels) channels=$2 ;;
    --window) window=$2 ;;
    --batch) batch=$2 ;;
    --ids) ids=$2 ;;
    --server) server=$2 ;;
    --rounds) rounds=$2 ;;
    *) echo "ingest.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
load=$build/tests/bench/ingest/ingest_load
echo_server=$build/tests/bench/ingest/echo_server

# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_init

# run_one LABEL PORT PID: one load run; appends its RESULT line to results.
run_one() {
  "$load" --label "$1" --target "127.0.0.1:$2" --token-file "$work/token" --platform bench \
    --server-pid "$3" --events "$events" --streams "$streams" --channels "$channels" \
    --window "$window" --batch "$batch" --ids "$ids" | tee -a "$work/results"
}

"$echo_server" --listen 127.0.0.1:0 --port-file "$work/echo.port" 2>"$work/echo.log" &
bench_pids+=($!)
echo_pid=$!
echo_port=$(wait_port "$work/echo.port")

start_unitclockd "$server" "$work/bench.db" unitclockd --log-level warn --session-timeout-s 86400

if ((batch > 0)); then
  shape="$streams RecordEvents callers of $batch events a call on $channels connections"
else
  shape="$streams streams on $channels connections, window $window"
fi
echo "== ingest: $events events per run, $shape, $ids ids, $rounds rounds;" \
  "$(nproc) cores, both processes on this machine"
for ((r = 1; r <= rounds; r++)); do
  run_one echo "$echo_port" "$echo_pid"
  run_one unitclockd "$uc_port" "$uc_pid"
done

# The median round of each server, and the ratio of their rates.
awk -v rounds="$rounds" '
  function field(line, key,   n, i, kv) {
    n = split(line, kv, " ")
    for (i = 1; i <= n; i++) if (index(kv[i], key "=") == 1) return substr(kv[i], length(key) + 2)
  }
  /^RESULT/ {
    label = field($0, "label"); k = ++count[label]
    rate[label, k] = field($0, "events_per_s") + 0; line[label, k] = $0
  }
  function median_line(label,   i, j, n, idx, t) {
    n = count[label]
    for (i = 1; i <= n; i++) idx[i] = i
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
      if (rate[label, idx[j]] < rate[label, idx[i]]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
    return line[label, idx[int((n + 1) / 2)]]
  }
  END {
    printf "\n%-11s %12s %12s %12s %16s %16s\n", "server", "events/s", "ack p50 us", "ack p99 us",
      "server cpu s/M", "client cpu s/M"
    split("echo unitclockd", labels, " ")
    for (i = 1; i <= 2; i++) {
      l = median_line(labels[i]); m[labels[i]] = field(l, "events_per_s")
      printf "%-11s %12s %12s %12s %16s %16s\n", labels[i], field(l, "events_per_s"),
        field(l, "ack_p50_us"), field(l, "ack_p99_us"), field(l, "server_cpu_s_per_M"),
        field(l, "client_cpu_s_per_M")
    }
    printf "unitclockd / echo: %.0f%% of the echo service'"'"'s events per second (median of %d rounds)\n",
      100 * m["unitclockd"] / m["echo"], rounds
  }' "$work/results"

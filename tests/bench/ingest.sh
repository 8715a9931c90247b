#!/usr/bin/env bash
# The ingest benchmark: the same load against a bare echo service (the
# transport's limit) and against unitclockd with its durable SQLite store,
# one after the other on this machine, then their ratios; and the load
# generator against a null sink in its own process (the limit that the
# machine puts on both).
#
#   tests/bench/ingest.sh BUILD_DIR [--events N] [--streams N] [--channels N] [--window N]
#                                   [--batch N] [--shapes stream,batch] [--ids time,random]
#                                   [--server PATH] [--rounds N]
#
# Shapes (each with each kind of ids):
#   stream   --streams PublishEvents streams on --channels connections, up to
#            --window events in flight on each (what unitclock's client does)
#   batch    --streams concurrent callers of RecordEvents, --batch events a
#            call, one call in flight each
# Ids: time (time-ordered UUIDs, as unitclock's client library makes them) or
# random (version 4 UUIDs, as a platform keeping its own ids may send), for
# sessions and events alike.
#
# Each shape gets a fresh unitclockd and database; each round runs echo then
# unitclockd with the same messages, streams and window. The sessions
# replayed started up to an hour ago; the watchdog's timeout is raised to a
# day so that it does not close them meanwhile. BUILD_DIR is a Release build
# (build/release). --server runs another unitclockd binary (to compare a
# change with what came before). Prints each run's RESULT line, then a table:
# the median round of each server (events per second, server CPU per event,
# unitclockd's ack latency), and the median of the rounds' ratios: events
# per second, unitclockd's over echo's, and server CPU per event, echo's over
# unitclockd's (the share of the server's CPU that the transport alone takes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:?usage: ingest.sh BUILD_DIR [options]}
shift
events=200000 streams=64 channels=4 window=32 batch=10 rounds=3
shapes=stream,batch ids_list=time,random
server=$build/plugin/server/unitclockd
while (($#)); do
  case $1 in
    --events) events=$2 ;;
    --streams) streams=$2 ;;
    --channels) channels=$2 ;;
    --window) window=$2 ;;
    --batch) batch=$2 ;;
    --shapes) shapes=$2 ;;
    --ids) ids_list=$2 ;;
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

# run_one LABEL SHAPE IDS [--target ADDR --server-pid PID | --null-sink]: one
# load run; appends its RESULT line, tagged with the shape, to results.
run_one() {
  local label=$1 shape=$2 ids=$3
  shift 3
  local per_call=0
  [[ $shape == batch ]] && per_call=$batch
  "$load" --label "$label" --token-file "$work/token" --platform bench --events "$events" \
    --streams "$streams" --channels "$channels" --window "$window" --batch "$per_call" \
    --ids "$ids" "$@" | sed "s/^RESULT /RESULT shape=$shape-$ids /" | tee -a "$work/results"
}

"$echo_server" --listen 127.0.0.1:0 --port-file "$work/echo.port" 2>"$work/echo.log" &
bench_pids+=($!)
echo_pid=$!
echo_port=$(wait_port "$work/echo.port")

echo "== ingest: $events events per run, $rounds rounds; stream: $streams streams on" \
  "$channels connections, window $window; batch: $streams RecordEvents callers of $batch" \
  "events a call; $(nproc) cores, all processes on this machine"
IFS=, read -ra shape_array <<<"$shapes"
IFS=, read -ra ids_array <<<"$ids_list"
for shape in "${shape_array[@]}"; do
  [[ $shape == stream || $shape == batch ]] || { echo "ingest.sh: unknown shape $shape" >&2; exit 2; }
  for ids in "${ids_array[@]}"; do
    [[ $ids == time || $ids == random ]] || { echo "ingest.sh: unknown ids $ids" >&2; exit 2; }
    start_unitclockd "$server" "$work/$shape-$ids.db" "unitclockd-$shape-$ids" --log-level warn \
      --session-timeout-s 86400
    for ((r = 1; r <= rounds; r++)); do
      run_one echo "$shape" "$ids" --target "127.0.0.1:$echo_port" --server-pid "$echo_pid"
      run_one unitclockd "$shape" "$ids" --target "127.0.0.1:$uc_port" --server-pid "$uc_pid"
    done
    run_one null-sink "$shape" "$ids" --null-sink
    stop_unitclockd
  done
done

# Per shape: the median round of each server, and the median of the rounds'
# ratios (each round's echo and unitclockd ran one after the other, so that
# their ratio varies less than either, on a machine whose speed drifts).
awk -v rounds="$rounds" '
  function field(line, key,   n, i, kv) {
    n = split(line, kv, " ")
    for (i = 1; i <= n; i++) if (index(kv[i], key "=") == 1) return substr(kv[i], length(key) + 2)
  }
  /^RESULT/ {
    key = field($0, "shape") SUBSEP field($0, "label"); k = ++count[key]
    if (!(field($0, "shape") in seen)) { seen[field($0, "shape")] = 1; order[++n_shapes] = field($0, "shape") }
    rate[key, k] = field($0, "events_per_s") + 0; cpu[key, k] = field($0, "server_cpu_s_per_M") + 0
    line[key, k] = $0
  }
  function median_line(key,   i, j, n, idx, t) {
    n = count[key]
    for (i = 1; i <= n; i++) idx[i] = i
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
      if (rate[key, idx[j]] < rate[key, idx[i]]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
    return line[key, idx[int((n + 1) / 2)]]
  }
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int((n + 1) / 2)]
  }
  END {
    printf "\n%-14s %9s %11s %7s %14s %14s %7s %13s %13s %11s\n", "shape", "echo ev/s",
      "unitclockd", "ratio", "echo cpu us/ev", "uc cpu us/ev", "ratio", "uc ack p50 ms",
      "uc ack p99 ms", "null sink"
    for (s = 1; s <= n_shapes; s++) {
      shape = order[s]; e = shape SUBSEP "echo"; u = shape SUBSEP "unitclockd"
      n = count[u] < count[e] ? count[u] : count[e]
      delete rr; delete cr
      for (k = 1; k <= n; k++) { rr[k] = rate[u, k] / rate[e, k]; cr[k] = cpu[u, k] > 0 ? cpu[e, k] / cpu[u, k] : 0 }
      er_m = median(rr, n); cr_m = median(cr, n)
      el = median_line(e); ul = median_line(u); zl = median_line(shape SUBSEP "null-sink")
      printf "%-14s %9d %11d %7.2f %14.1f %14.1f %7.2f %13.1f %13.1f %11d\n", shape,
        field(el, "events_per_s"), field(ul, "events_per_s"), er_m,
        field(el, "server_cpu_s_per_M"), field(ul, "server_cpu_s_per_M"), cr_m,
        field(ul, "ack_p50_us") / 1000, field(ul, "ack_p99_us") / 1000, field(zl, "events_per_s")
      summary[s] = sprintf("RESULT label=ingest_ratio shape=%s events_ratio=%.3f server_cpu_ratio=%.3f",
        shape, er_m, cr_m)
    }
    printf "(events/s, CPU and latency: the median round of each server; ratios: the median of the\n"
    printf " %d rounds%s ratios, unitclockd over echo for events/s, echo over unitclockd for server\n", rounds, "\047"
    printf " CPU per event; null sink: the load generator alone, in-process)\n"
    for (s = 1; s <= n_shapes; s++) print summary[s]
  }' "$work/results"

#!/usr/bin/env bash
# The restart benchmark: how long unitclockd takes, on a database holding
# N stored events, from its start to serving.
#
#   tests/bench/restart.sh BUILD_DIR [--events 1000000] [--restarts 5]
#
# Fills a fresh database through unitclockd itself (ingest_load, realistic
# sessions), stops it with SIGTERM, then starts it --restarts times and times
# each start until its port file appears (written once the gRPC server
# listens, after the store is opened and its schema checked) and a first
# PublishEvents stream is acknowledged. Prints each time and the median.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:?usage: restart.sh BUILD_DIR [--events N] [--restarts N]}
shift
events=1000000 restarts=5
while (($#)); do
  case $1 in
    --events) events=$2 ;;
    --restarts) restarts=$2 ;;
    *) echo "restart.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
load=$build/tests/bench/ingest/ingest_load
server=$build/plugin/server/unitclockd
# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_init

db=$work/restart.db
start_unitclockd "$server" "$db" fill --log-level warn --session-timeout-s 86400
"$load" --label fill --target "127.0.0.1:$uc_port" --token-file "$work/token" --platform bench \
  --events "$events" >/dev/null
stop_unitclockd

echo "== restart: unitclockd start to serving, database of $events events" \
  "($(du -m "$db" | cut -f1) MiB + WAL $(du -m "$db-wal" 2>/dev/null | cut -f1 || echo 0) MiB)"
times=()
for ((r = 1; r <= restarts; r++)); do
  t0=$(date +%s%N)
  start_unitclockd "$server" "$db" "restart$r" --log-level info --session-timeout-s 86400
  t_port=$(date +%s%N)
  # A first event through the restarted server.
  "$load" --label probe --target "127.0.0.1:$uc_port" --token-file "$work/token" \
    --platform bench --events 1 --streams 1 --channels 1 >/dev/null
  t_ack=$(date +%s%N)
  stored=$(grep -o 'stored_events=[0-9]*' "$work/restart$r.log" | head -1 | cut -d= -f2)
  stop_unitclockd
  ms_port=$(((t_port - t0) / 1000000))
  ms_ack=$(((t_ack - t0) / 1000000))
  times+=("$ms_port")
  echo "start $r: serving after $ms_port ms (first event acknowledged after $ms_ack ms);" \
    "stored_events=$stored"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "RESULT label=restart events=$events median_ms_to_serving=$median"

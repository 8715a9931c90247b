#!/usr/bin/env bash
# The memory benchmark: resident memory of unitclockd holding live sessions.
#
#   tests/bench/memory.sh BUILD_DIR [--sessions "10000 100000"] [--warmup 1000]
#
# A live session is one in progress and idle: started, both parties joined,
# video on, an activity started, and no event since (no open stream). The
# script opens sessions with ingest_load --live-sessions, in steps up to each
# count, and reads unitclockd's VmRSS after each step, once the load
# generator's streams are closed. Bytes per live session = (RSS at the count -
# RSS after a warm-up of 1,000 sessions, which settles gRPC's buffers and the
# allocator) / (count - 1,000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:?usage: memory.sh BUILD_DIR [--sessions "N1 N2 ..."]}
shift
counts="10000 100000" warmup=1000
while (($#)); do
  case $1 in
    --sessions) counts=$2 ;;
    --warmup) warmup=$2 ;;
    *) echo "memory.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
load=$build/tests/bench/ingest/ingest_load
# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_init

start_unitclockd "$build/plugin/server/unitclockd" "$work/memory.db" unitclockd --log-level warn

open_sessions() {
  "$load" --label live --target "127.0.0.1:$uc_port" --token-file "$work/token" \
    --platform bench --live-sessions "$1" >/dev/null
}

open_sessions "$warmup"
sleep 1
base=$(rss_kib "$uc_pid")
held=$warmup
echo "== memory: unitclockd resident memory with live sessions (warm-up: $warmup sessions, RSS $base KiB)"
printf '%-15s %12s %14s %22s\n' "live sessions" "RSS MiB" "database MiB" "bytes per live session"
for n in $counts; do
  open_sessions $((n - held))
  held=$n
  sleep 1
  rss=$(rss_kib "$uc_pid")
  db_kib=$(du -k "$work/memory.db" | cut -f1)
  per=$(((rss - base) * 1024 / (n - warmup)))
  awk -v n="$n" -v rss="$rss" -v db="$db_kib" -v per="$per" \
    'BEGIN { printf "%-15s %12.1f %14.1f %22d\n", n, rss / 1024, db / 1024, per }'
  echo "RESULT label=memory live_sessions=$n rss_kib=$rss bytes_per_live_session=$per"
done

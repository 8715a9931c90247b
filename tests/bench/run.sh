#!/usr/bin/env bash
# Every benchmark, one after the other (docs/performance.md):
#
#   tests/bench/run.sh BUILD_DIR           the figures docs/performance.md reports (about 10 minutes)
#   tests/bench/run.sh BUILD_DIR --smoke   each benchmark briefly, as CI runs them: checks
#                                          that they work; its figures mean nothing
#
# BUILD_DIR is a Release build (./setup.sh bench builds build/release and
# runs this). Nothing here asserts a time: each benchmark fails only if the
# work it measures goes wrong (an event not recorded, a bad workload).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:?usage: run.sh BUILD_DIR [--smoke]}
smoke=false
[[ ${2:-} == --smoke ]] && smoke=true

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
if $smoke; then
  "$build/tests/bench/core/core_bench" --benchmark_min_time=0.01
  tests/bench/ingest.sh "$build" --events 3000 --streams 8 --rounds 1
  tests/bench/memory.sh "$build" --warmup 50 --sessions 200
  tests/bench/restart.sh "$build" --events 3000 --restarts 1
  tests/bench/store.sh "$build" --events 3000 --streams 8 --read-seconds 0.5 --restart-events 3000
else
  echo "== core (Google Benchmark)"
  "$build/tests/bench/core/core_bench"
  tests/bench/ingest.sh "$build"
  tests/bench/memory.sh "$build"
  tests/bench/restart.sh "$build"
  tests/bench/store.sh "$build"
fi

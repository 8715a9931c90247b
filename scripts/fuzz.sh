#!/usr/bin/env bash
# Fuzzes the event-batch target (tests/fuzz/event_batch_fuzz.h) with libFuzzer
# for a bounded time:
#
#   scripts/fuzz.sh [seconds]     (default 60)
#
# Needs, besides ./setup.sh deps, Debian's clang-14 and libclang-rt-14-dev.
# Configures and builds build/fuzz (clang++-14, -DUNITCLOCK_FUZZ=ON: ASan,
# UBSan, coverage), fuzzes a copy of tests/fuzz/corpus/ and
# tests/fuzz/regressions/ in a temporary folder (one job), and prints the
# executions run and the time taken.
#
# If the fuzzer finds a crash, a sanitizer report, a timeout or an
# out-of-memory input, the input is copied to tests/fuzz/regressions/ as
# <kind>-<what>-<sha1 prefix> (replayed by ctest's fuzz_regression_test from
# then on), the report is printed, and the exit status is 1. Exit status 2:
# wrong usage or clang missing.
#
# Environment: FUZZ_CORPUS_OUT=<folder> keeps the corpus the run grew there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
if [[ ! $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  sed -n '2,18p' "$0" >&2
  exit 2
fi
if ! command -v clang++-14 >/dev/null; then
  echo "fuzz: clang++-14 is missing: apt-get install clang-14 libclang-rt-14-dev" >&2
  exit 2
fi

dir=build/fuzz
if [[ ! -f $dir/CMakeCache.txt ]]; then
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DUNITCLOCK_FUZZ=ON >/dev/null
fi
cmake --build "$dir" -j "$(nproc)" --target event_batch_fuzzer
fuzzer=$dir/tests/fuzz/event_batch_fuzzer

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
seeds=0
for f in tests/fuzz/corpus/* tests/fuzz/regressions/*; do
  [[ -f $f && $(basename "$f") != README.md ]] || continue
  cp "$f" "$work/corpus/"
  seeds=$((seeds + 1))
done

# -timeout: one batch of at most 1000 events takes well under a second;
# -rss_limit_mb: the same limit applies to single allocations. A request is
# at most 4 MB (gRPC's default); 64 KB already holds hundreds of events.
echo "fuzz: ${seconds}s on $seeds seed inputs ($fuzzer)"
start=$SECONDS
status=0
"$fuzzer" "$work/corpus" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -dict=tests/fuzz/event_batch.dict \
  -artifact_prefix="$work/artifacts/" >"$work/fuzz.log" 2>&1 || status=$?
elapsed=$((SECONDS - start))

executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log" | tail -1)
coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$work/fuzz.log" | tail -1 || true)
echo "fuzz: ${executions:-?} executions in ${elapsed}s (${per_second:-?}/s); ${coverage:-no coverage line}"

if [[ -n ${FUZZ_CORPUS_OUT:-} ]]; then
  mkdir -p "$FUZZ_CORPUS_OUT"
  cp "$work/corpus/"* "$FUZZ_CORPUS_OUT/"
fi

# What the report says broke, for a file name: the sanitizer's error (or
# "invariant") and the first place in our code that the report names.
describe() {
  local log=$1 what="" where m
  if grep -q 'fuzz invariant violated' "$log"; then
    what=invariant
  elif m=$(grep -m1 -oE 'runtime error: [a-z]+( [a-z]+)?' "$log"); then
    what="ubsan-${m#runtime error: }"
  elif m=$(grep -m1 -oE 'ERROR: [A-Za-z]+Sanitizer: [a-z-]+' "$log"); then
    what="${m#ERROR: }"
    what="${what%%Sanitizer*}-${what##* }"
  fi
  where=$(grep -m1 -oE "$PWD/(core|plugin|tests|examples)/[A-Za-z0-9_/.]+\.(cc|h):[0-9]+" "$log" ||
    true)
  where=$(basename "${where:-unknown}")
  m="${what:+$what-}${where/:/-}"
  echo "${m// /-}" | tr 'A-Z' 'a-z'
}

found=0
for artifact in "$work/artifacts/"*; do
  [[ -f $artifact ]] || continue
  kind=$(basename "$artifact")
  kind=${kind%%-*}  # crash, timeout, oom, leak, slow-unit
  [[ $kind == slow ]] && continue
  sha=$(sha1sum "$artifact" | cut -c1-12)
  name="$kind-$(describe "$work/fuzz.log")-$sha"
  cp "$artifact" "tests/fuzz/regressions/$name"
  echo "fuzz: found a $kind: kept as tests/fuzz/regressions/$name" >&2
  found=$((found + 1))
done
if ((found > 0 || status != 0)); then
  echo "fuzz: the fuzzer stopped with status $status; its report:" >&2
  awk '/==ERROR|fuzz invariant violated|runtime error:|ALARM: working on the last Unit|out-of-memory/ {p=1} p' \
    "$work/fuzz.log" | head -80 >&2
  ((found > 0)) || tail -40 "$work/fuzz.log" >&2
  exit 1
fi
echo "fuzz: no crash"

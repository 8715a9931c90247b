#!/usr/bin/env bash
# Fuzzes the event-batch target (tests/fuzz/event_batch_fuzz.h) and the HTTP
# request target (tests/fuzz/http_request_fuzz.h) with libFuzzer for a bounded
# time, split between them (the HTTP target gets a third):
#
#   scripts/fuzz.sh [seconds]     (default 60; at least 2)
#
# Needs, besides ./setup.sh deps, Debian's clang-14 and libclang-rt-14-dev.
# Configures and builds build/fuzz (clang++-14, -DUNITCLOCK_FUZZ=ON: ASan,
# UBSan, coverage), fuzzes a copy of tests/fuzz/corpus/ and
# tests/fuzz/regressions/ (the HTTP target: http_corpus/ and
# http_regressions/) in a temporary folder (one job), and prints the
# executions run and the time taken.
#
# If the fuzzer finds a crash, a sanitizer report, a timeout or an
# out-of-memory input, the input is copied to tests/fuzz/regressions/ (or
# http_regressions/) as <kind>-<what>-<sha1 prefix> (replayed by ctest's
# fuzz_regression_test or http_fuzz_regression_test from then on), the report
# is printed, and the exit status is 1. Exit status 2: wrong usage or clang
# missing.
#
# Environment: FUZZ_CORPUS_OUT=<folder> keeps the corpus the event-batch run
# grew there (the HTTP run's in <folder>/http).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
if [[ ! $seconds =~ ^[0-9]+$ ]] || ((seconds < 2)); then
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
cmake --build "$dir" -j "$(nproc)" --target event_batch_fuzzer http_request_fuzzer

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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_target <fuzzer> <seconds> <corpus folder> <regressions folder> <dict> <max_len> <corpus out>:
# fuzzes, keeps what it stops on in <regressions folder>; 1 if it stopped.
run_target() {
  local name=$1 secs=$2 corpus=$3 regressions=$4 dict=$5 max_len=$6 corpus_out=$7
  local fuzzer=$dir/tests/fuzz/$name run=$work/$name
  mkdir -p "$run/corpus" "$run/artifacts"
  local seeds=0 f
  for f in "$corpus"/* "$regressions"/*; do
    [[ -f $f && $(basename "$f") != README.md ]] || continue
    cp "$f" "$run/corpus/"
    seeds=$((seeds + 1))
  done

  echo "fuzz: ${secs}s on $seeds seed inputs ($fuzzer)"
  local start=$SECONDS status=0
  "$fuzzer" "$run/corpus" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -max_len="$max_len" -dict="$dict" \
    -artifact_prefix="$run/artifacts/" >"$run/fuzz.log" 2>&1 || status=$?
  local elapsed=$((SECONDS - start))

  local executions per_second coverage
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/fuzz.log" | tail -1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run/fuzz.log" | tail -1)
  coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$run/fuzz.log" | tail -1 || true)
  echo "fuzz: $name: ${executions:-?} executions in ${elapsed}s (${per_second:-?}/s);" \
    "${coverage:-no coverage line}"

  if [[ -n $corpus_out ]]; then
    mkdir -p "$corpus_out"
    cp "$run/corpus/"* "$corpus_out/"
  fi

  local found=0 artifact kind sha kept
  for artifact in "$run/artifacts/"*; do
    [[ -f $artifact ]] || continue
    kind=$(basename "$artifact")
    kind=${kind%%-*}  # crash, timeout, oom, leak, slow-unit
    [[ $kind == slow ]] && continue
    sha=$(sha1sum "$artifact" | cut -c1-12)
    kept="$regressions/$kind-$(describe "$run/fuzz.log")-$sha"
    cp "$artifact" "$kept"
    echo "fuzz: found a $kind: kept as $kept" >&2
    found=$((found + 1))
  done
  if ((found > 0 || status != 0)); then
    echo "fuzz: $name stopped with status $status; its report:" >&2
    awk '/==ERROR|fuzz invariant violated|runtime error:|ALARM: working on the last Unit|out-of-memory/ {p=1} p' \
      "$run/fuzz.log" | head -80 >&2
    ((found > 0)) || tail -40 "$run/fuzz.log" >&2
    return 1
  fi
}

# -timeout: one batch of at most 1000 events takes well under a second;
# -rss_limit_mb: the same limit applies to single allocations. A request is
# at most 4 MB (gRPC's default); 64 KB already holds hundreds of events.
# The HTTP target's limits are 8 KiB of header and 64 KiB of body: 80 KB
# covers both and some pipelined requests.
http_seconds=$((seconds / 3))
failed=0
run_target event_batch_fuzzer $((seconds - http_seconds)) tests/fuzz/corpus tests/fuzz/regressions \
  tests/fuzz/event_batch.dict 65536 "${FUZZ_CORPUS_OUT:-}" || failed=1
run_target http_request_fuzzer "$http_seconds" tests/fuzz/http_corpus tests/fuzz/http_regressions \
  tests/fuzz/http_request.dict 81920 "${FUZZ_CORPUS_OUT:+$FUZZ_CORPUS_OUT/http}" || failed=1
if ((failed)); then
  exit 1
fi
echo "fuzz: no crash"

#!/usr/bin/env bash
# ctest CppExample, NodeExample and PythonExample: the integration examples
# in C++ (the simulated platform, on the client library; and the quickstart,
# built against the installed library), examples/node/ and examples/python/
# against the real daemon. Starts
# unitclockd on an ephemeral loopback port with a token made by
# unitclock-token ($UNITCLOCK_TOKEN_TOOL), installs what the language needs (node: the pinned
# packages outside the checkout, with scripts/npm_ci.sh, checking that the
# checkout is left as it was; python: the generated code into
# WORK_DIR/gen), runs the example on the example scenario and checks its
# output: every event recorded, and the suggestion for 2026-11-27 is 97110 x2
# GP 95, POS 10. A second run must succeed with every event already recorded
# and print the same suggestion; a scenario with a bad event must exit 1
# naming it; node and python: a token of another platform than the
# scenario's must exit 1 naming both platforms (the examples ask GetCaller
# for the token's platform). The documented snippet (quickstart.cc and .mjs in
# docs/client-library.md, .py in README), run from a folder other than the
# repository's, must then publish its own session and print its line; run
# again with a token of another platform, its events are rejected (their ids
# belong to the first platform's session)
# and it must exit non-zero saying so. Fails (never skips) when node, npm or
# a Python module is missing.
#
# cpp: installs the build (cmake --install BUILD_DIR) into WORK_DIR/prefix,
# builds examples/quickstart against it with find_package(unitclock) (with
# CXX_FLAGS, the sanitizer flags of a sanitized build), and runs
# SIMULATED_PLATFORM as the example.
#
#   language_examples_test.sh UNITCLOCKD WORK_DIR node|python
#   language_examples_test.sh UNITCLOCKD WORK_DIR cpp SIMULATED_PLATFORM BUILD_DIR [CXX_FLAGS]
set -euo pipefail
usage="usage: language_examples_test.sh UNITCLOCKD WORK_DIR node|python|cpp [SIMULATED_PLATFORM BUILD_DIR [CXX_FLAGS]]"
unitclockd=${1:?$usage}
work=${2:?$usage}
lang=${3:?$usage}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scenario=$repo/examples/scenarios/video_exercise_30min.json

fail_context=$lang
# shellcheck source=tests/e2e/lib.sh
source "$repo/tests/e2e/lib.sh"

check "$lang and its packages are installed"
case $lang in
  node)
    dir=$repo/examples/node
    # Installing writes nothing into the checkout: the packages go to the
    # npm cache folder and the examples find them through NODE_PATH.
    before=$(find "$dir" -printf '%p %s %T@\n' | sort)
    NODE_PATH=$(bash "$repo/scripts/npm_ci.sh" "$dir") || fail "npm ci of $dir failed"
    export NODE_PATH
    [[ $(find "$dir" -printf '%p %s %T@\n' | sort) == "$before" ]] ||
      fail "installing the packages of $dir wrote into the checkout"
    for package in @grpc/grpc-js @grpc/proto-loader; do
      # Resolved as the example resolves it (createRequire from its file).
      resolved=$(cd / && node --input-type=module -e "
        import { createRequire } from 'node:module';
        console.log(createRequire('$dir/quickstart.mjs').resolve('$package'))") ||
        fail "the npm package $package is not found from $dir (NODE_PATH=$NODE_PATH)"
      case $resolved in
        "$repo"/*) fail "$package resolves into the checkout ($resolved): remove $dir/node_modules" ;;
      esac
    done
    example=(node "$dir/publish_and_suggest.mjs")
    quickstart=(node "$dir/quickstart.mjs")
    ;;
  python)
    python=/usr/bin/python3  # Debian's: the python3 first on PATH may not see its modules
    [[ -x $python ]] || fail "$python is missing (Debian package python3)"
    "$python" -c 'import grpc' 2>/dev/null ||
      fail "$python cannot import grpc (Debian package python3-grpcio)"
    "$python" -c 'import google.protobuf' 2>/dev/null ||
      fail "$python cannot import google.protobuf (Debian package python3-protobuf)"
    bash "$repo/examples/python/generate.sh" "$work/gen" ||
      fail "generating the Python code failed (Debian packages protobuf-compiler, protobuf-compiler-grpc)"
    example=("$python" "$repo/examples/python/publish_and_suggest.py" --gen-dir "$work/gen")
    quickstart=(env "PYTHONPATH=$work/gen" "$python" "$repo/examples/python/quickstart.py")
    ;;
  cpp)
    simulated_platform=${4:?$usage}
    build_dir=${5:?$usage}
    cxx_flags=${6:-}
    command -v cmake >/dev/null || fail "cmake is not on PATH (Debian package cmake)"
    echo "    cmake --install $build_dir --prefix $work/prefix"
    cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log" 2>&1 ||
      { cat "$work/install.log"; fail "cmake --install failed"; }
    for installed in include/unitclock/client/recorder.h include/unitclock/v1/event.pb.h \
      include/unitclock/v1/session_service.grpc.pb.h share/unitclock/proto/unitclock/v1/event.proto \
      lib/cmake/unitclock/unitclockConfig.cmake; do
      [[ -f $work/prefix/$installed ]] || fail "cmake --install did not install $installed"
    done
    # Nothing of the source tree or the build tree may be needed any more.
    if grep -rlE "$(dirname "$build_dir")|/plugin/client/" "$work/prefix/lib/cmake" >/dev/null; then
      fail "the installed CMake package points into the build or source tree"
    fi
    echo "    building examples/quickstart against $work/prefix"
    cmake -S "$repo/examples/quickstart" -B "$work/quickstart" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$cxx_flags" \
      -DCMAKE_EXE_LINKER_FLAGS="$cxx_flags" >"$work/quickstart.log" 2>&1 &&
      cmake --build "$work/quickstart" >>"$work/quickstart.log" 2>&1 ||
      { cat "$work/quickstart.log"; fail "building the quickstart against the installed library failed"; }
    example=("$simulated_platform" --buffer "$work/platform.buffer")
    quickstart=("$work/quickstart/quickstart")
    ;;
  *)
    fail "unknown language \"$lang\": node, python or cpp"
    ;;
esac

check "unitclockd starts"
"$unitclock_token" ex demo-rehab platform,reviewer,billing "$work/tokens.json" \
  >"$work/token"
"$unitclock_token" other other-rehab platform,reviewer,billing "$work/tokens.json" \
  >"$work/other-token"
start_daemon "$unitclockd" "$repo/core/policies"

# run NAME [ARGS...]: runs the example; output in $out, exit status in $rc.
out= rc=
run() {
  local name=$1
  shift
  rc=0
  UNITCLOCK_TOKEN=$(cat "$work/token") "${example[@]}" --target "$target" "$@" \
    >"$work/$name.out" 2>&1 || rc=$?
  out=$(cat "$work/$name.out")
  sed 's/^/    /' <<<"$out"
}

n=$(grep -c '"at"' "$scenario")
suggestion_re='^suggestion for 2026-11-27 \(medicare, UNIT_METHOD_MEDICARE_POOLED\):$'
line_re='^  97110 x2 GP 95, POS 10  \(25 min\)$'

# expect_suggestion WHAT: $out holds the scenario's one suggestion, one line, and one
# warning: the info that no year-to-date amount was given (so KX was not considered).
expect_suggestion() {
  expect_count "$out" '^suggestion for ' 1 "$1: suggestions"
  expect_count "$out" "$suggestion_re" 1 "$1: the suggestion for 2026-11-27"
  expect_count "$out" '^  [0-9]{5} x' 1 "$1: suggested lines"
  expect_count "$out" "$line_re" 1 "$1: the line 97110 x2 GP 95, POS 10"
  expect_count "$out" '^  warning ' 1 "$1: warnings"
  expect_count "$out" '^  warning threshold_amount_unknown \(SEVERITY_INFO\)' 1 "$1: the KX info"
}

check "first run: all $n events recorded, 97110 x2 GP 95 POS 10"
run first --scenario "$scenario"
[[ $rc == 0 ]] || fail "the first run exited $rc"
expect_count "$out" '^ack ' "$n" "first run: acknowledgements"
expect_count "$out" '^ack demo-20261127-0001-[0-9]{3} OUTCOME_RECORDED$' "$n" "first run: recorded"
expect_suggestion "first run"

check "second run (the token from --token-file): all $n already recorded, the same suggestion"
rc=0
env -u UNITCLOCK_TOKEN "${example[@]}" --target "$target" --token-file "$work/token" \
  --scenario "$scenario" >"$work/second.out" 2>&1 || rc=$?
out=$(cat "$work/second.out")
sed 's/^/    /' <<<"$out"
[[ $rc == 0 ]] || fail "the second run exited $rc"
expect_count "$out" '^ack ' "$n" "second run: acknowledgements"
expect_count "$out" '^ack demo-20261127-0001-[0-9]{3} OUTCOME_ALREADY_RECORDED$' "$n" \
  "second run: already recorded"
expect_suggestion "second run"
[[ $(sed -n '/^suggestion for /,$p' "$work/first.out") == $(sed -n '/^suggestion for /,$p' "$work/second.out") ]] ||
  fail "the second run printed another suggestion than the first"

check "a rejected event: the example names it and exits 1"
sed -e 's/demo-20261127-0001/bad-20261127-0001/' -e 's#America/Chicago#Mars/Olympus_Mons#' \
  "$scenario" >"$work/bad.json"
run bad --scenario "$work/bad.json"
[[ $rc == 1 ]] || fail "the run with a rejected event exited $rc, expected 1"
expect_count "$out" '^ack bad-20261127-0001-001 OUTCOME_REJECTED code=3 .*clinic_time_zone' 1 \
  "the rejected event"
expect_count "$out" '^suggestion for ' 0 "the run with a rejected event: suggestions"

if [[ $lang != cpp ]]; then
  check "a token of another platform than the scenario's: exits 1 naming both, sends nothing"
  rc=0
  UNITCLOCK_TOKEN=$(cat "$work/other-token") "${example[@]}" --target "$target" \
    --scenario "$scenario" >"$work/other.out" 2>&1 || rc=$?
  out=$(cat "$work/other.out")
  sed 's/^/    /' <<<"$out"
  [[ $rc == 1 ]] || fail "the run with another platform's token exited $rc, expected 1"
  expect_count "$out" 'names platform "demo-rehab", but the token other is of platform "other-rehab"' 1 \
    "the platform mismatch"
  expect_count "$out" '^ack ' 0 "the run with another platform's token: acknowledgements"
fi

# run_quickstart NAME TOKEN_FILE: runs the documented snippet in the folder $work/NAME
# (not the repository: node and python find proto/ and gen/ from their own
# folder; the C++ quickstart keeps its buffer in the current folder).
run_quickstart() {
  mkdir -p "$work/$1"
  rc=0
  (cd "$work/$1" && UNITCLOCK_TOKEN=$(cat "$2") UNITCLOCK_TARGET=$target "${quickstart[@]}") \
    >"$work/$1.out" 2>&1 || rc=$?
  out=$(cat "$work/$1.out")
  sed 's/^/    /' <<<"$out"
}

check "the documented snippet (the quickstart), from another folder: its own session, 97110 x2 GP 95 POS 10"
run_quickstart quickstart "$work/token"
[[ $rc == 0 ]] || fail "the quickstart exited $rc"
expect_count "$out" ' OUTCOME_RECORDED' 7 "quickstart: recorded events"
expect_count "$out" '^97110 x2 GP 95 POS 10$' 1 "quickstart: the suggested line"

check "the quickstart with another platform's token: its events are rejected, it says so, exits non-zero"
run_quickstart quickstart-other "$work/other-token"
[[ $rc != 0 ]] || fail "the quickstart with another platform's token exited 0"
expect_count "$out" 'OUTCOME_REJECTED' 7 "quickstart with another platform's token: rejected events"
expect_count "$out" 'event\(s\) rejected' 1 "quickstart with another platform's token: the message"
expect_count "$out" '^97110 ' 0 "quickstart with another platform's token: suggested lines"

stop_daemon

echo "$lang example: ok"

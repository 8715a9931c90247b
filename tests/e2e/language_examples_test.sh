#!/usr/bin/env bash
# ctest NodeExample and PythonExample: the integration examples in
# examples/node/ and examples/python/ against the real daemon. Starts
# unitclockd on an ephemeral loopback port with a token made by
# scripts/make_token.sh, installs what the language needs (node: npm ci into
# examples/node/node_modules under a lock; python: the generated code into
# WORK_DIR/gen), runs the example on the example scenario and checks its
# output: every event recorded, and the suggestion for 2026-11-27 is 97110 x2
# GP 95, POS 10. A second run must succeed with every event already recorded
# and print the same suggestion; a scenario with a bad event must exit 1
# naming it. README's snippet (quickstart.mjs, quickstart.py) must then publish
# its own session and print its line. Fails (never skips) when node, npm or a Python module is missing.
#
#   language_examples_test.sh UNITCLOCKD WORK_DIR node|python
set -euo pipefail
unitclockd=${1:?usage: language_examples_test.sh UNITCLOCKD WORK_DIR node|python}
work=${2:?usage: language_examples_test.sh UNITCLOCKD WORK_DIR node|python}
lang=${3:?usage: language_examples_test.sh UNITCLOCKD WORK_DIR node|python}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scenario=$repo/examples/scenarios/video_exercise_30min.json

rm -rf "$work"
mkdir -p "$work"

daemon_pid=
cleanup() {
  if [[ -n $daemon_pid ]]; then
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

fail() {
  echo "FAIL ($lang): $*"
  if [[ -f $work/daemon.log ]]; then
    echo "--- daemon log (last 20 lines)"
    tail -n 20 "$work/daemon.log"
  fi
  exit 1
}

check() { echo "== $*"; }

# expect_count TEXT PATTERN N WHAT: exactly N lines of TEXT match the extended regex PATTERN.
expect_count() {
  local n
  n=$(grep -Ec -- "$2" <<<"$1" || true)
  [[ $n == "$3" ]] || { echo "$1"; fail "$4: $n lines match /$2/, expected $3"; }
}

check "$lang and its packages are installed"
case $lang in
  node)
    for tool in node npm flock; do
      command -v "$tool" >/dev/null ||
        fail "$tool is not on PATH (Debian packages nodejs and npm; ./setup.sh deps installs them)"
    done
    # npm ci when node_modules is missing or older than package-lock.json, under
    # a lock: several build folders share examples/node/node_modules.
    dir=$repo/examples/node
    stamp=$dir/node_modules/.unitclock-npm-ci
    (
      flock 9
      if [[ ! -f $stamp || $dir/package-lock.json -nt $stamp ]]; then
        echo "    npm ci in $dir"
        (cd "$dir" && npm ci --no-audit --no-fund)
        touch "$stamp"
      fi
    ) 9>"$dir/.npm-ci.lock" || fail "npm ci in $dir failed"
    for package in @grpc/grpc-js @grpc/proto-loader; do
      (cd "$dir" && node -e "require.resolve('$package')") 2>/dev/null ||
        fail "the npm package $package is missing from $dir/node_modules"
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
  *)
    fail "unknown language \"$lang\": node or python"
    ;;
esac

check "unitclockd starts"
bash "$repo/scripts/make_token.sh" ex demo-rehab platform,reviewer,billing "$work/tokens.json" \
  >"$work/token"
"$unitclockd" --listen 127.0.0.1:0 --port-file "$work/port" --db "$work/x.db" \
  --policy-dir "$repo/core/policies" --auth-file "$work/tokens.json" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 200); do
  [[ -s $work/port ]] && break
  kill -0 "$daemon_pid" 2>/dev/null || fail "unitclockd exited before writing its port file"
  sleep 0.1
done
[[ -s $work/port ]] || fail "unitclockd wrote no port file in 20 s"
target=127.0.0.1:$(head -n 1 "$work/port")
echo "    listening on $target"

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

# expect_suggestion WHAT: $out holds the scenario's one suggestion, one line, no warning.
expect_suggestion() {
  expect_count "$out" '^suggestion for ' 1 "$1: suggestions"
  expect_count "$out" "$suggestion_re" 1 "$1: the suggestion for 2026-11-27"
  expect_count "$out" '^  [0-9]{5} x' 1 "$1: suggested lines"
  expect_count "$out" "$line_re" 1 "$1: the line 97110 x2 GP 95, POS 10"
  expect_count "$out" '^  warning ' 0 "$1: warnings"
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

check "README's snippet (the quickstart): its own session, 97110 x2 GP 95 POS 10"
rc=0
(cd "$repo" && UNITCLOCK_TOKEN=$(cat "$work/token") UNITCLOCK_TARGET=$target "${quickstart[@]}") \
  >"$work/quickstart.out" 2>&1 || rc=$?
out=$(cat "$work/quickstart.out")
sed 's/^/    /' <<<"$out"
[[ $rc == 0 ]] || fail "the quickstart exited $rc"
expect_count "$out" ' OUTCOME_RECORDED' 7 "quickstart: recorded events"
expect_count "$out" '^97110 x2 GP 95 POS 10$' 1 "quickstart: the suggested line"

kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "unitclockd did not stop cleanly"
daemon_pid=

echo "$lang example: ok"

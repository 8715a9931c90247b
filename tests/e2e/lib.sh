# Shared by the end-to-end scripts (reviewer_cli_test.sh,
# monitoring_month_test.sh, language_examples_test.sh and others): failing
# with the daemon's log, expectations on a program's output, reviewer_cli and
# the export validators, and unitclockd on an ephemeral loopback port. Sourced,
# not run, once the script has set $work (its folder, made empty here) and,
# if it likes, $fail_context (shown in every failure). $unitclock_token is the
# build's unitclock-token, which ctest passes as UNITCLOCK_TOKEN_TOOL.

unitclock_token=${UNITCLOCK_TOKEN_TOOL:?set UNITCLOCK_TOKEN_TOOL to the path of unitclock-token}
rm -rf "$work"
mkdir -p "$work"

daemon_pid=
e2e_cleanup() {
  if [[ -n $daemon_pid ]]; then
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
}
trap e2e_cleanup EXIT

fail() {
  echo "FAIL${fail_context:+ ($fail_context)}: $*"
  if [[ -f $work/daemon.log ]]; then
    echo "--- daemon log (last 30 lines)"
    tail -n 30 "$work/daemon.log"
  fi
  exit 1
}

check() { echo "== $*"; }

# cli ARGS...: runs $reviewer_cli against the daemon with the desk's token
# ($work/reviewer.token); output in $out, fails the test when it does not
# exit 0.
out=
cli() {
  local rc=0
  out=$("$reviewer_cli" --target "$target" --token-file "$work/reviewer.token" "$@" 2>&1) || rc=$?
  echo "$out" | sed 's/^/    /'
  [[ $rc == 0 ]] || fail "reviewer_cli $* exited $rc"
}

# cli_fails ARGS...: reviewer_cli must exit 2; output in $out.
cli_fails() {
  local rc=0
  out=$("$reviewer_cli" --target "$target" --token-file "$work/reviewer.token" "$@" 2>&1) || rc=$?
  echo "$out" | sed 's/^/    /'
  [[ $rc == 2 ]] || fail "reviewer_cli $* exited $rc, expected 2"
}

# validate FORMAT FILE: the independent npm validator of FORMAT (csv, x12,
# fhir) must accept FILE; NODE_PATH must name the installed validators
# (scripts/npm_ci.sh tests/validators).
validate() {
  node "$repo/tests/validators/validate.mjs" "$1" "$2" >"$work/validate-$1.log" 2>&1 ||
    { cat "$work/validate-$1.log"; fail "the $1 validator rejected $2"; }
  echo "    $1 validator accepts $(basename "$2")"
}

# expect_match TEXT PATTERN WHAT: TEXT must match the extended regex PATTERN.
expect_match() {
  grep -Eq -- "$2" <<<"$1" || { echo "$1"; fail "$3: no line matches /$2/"; }
}

# expect_count TEXT PATTERN N WHAT: exactly N lines of TEXT match PATTERN.
expect_count() {
  local n
  n=$(grep -Ec -- "$2" <<<"$1" || true)
  [[ $n == "$3" ]] || { echo "$1"; fail "$4: $n lines match /$2/, expected $3"; }
}

# start_daemon UNITCLOCKD POLICY_DIR [FLAGS...]: starts unitclockd on
# 127.0.0.1:0 with the database $work/u.db and the tokens of
# $work/tokens.json, logging to $work/daemon.log; sets daemon_pid and target.
start_daemon() {
  local unitclockd=$1 policies=$2
  shift 2
  rm -f "$work/port"
  "$unitclockd" --listen 127.0.0.1:0 --port-file "$work/port" --db "$work/u.db" \
    --policy-dir "$policies" --auth-file "$work/tokens.json" "$@" >"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  await_port_file
  echo "    listening on $target"
}

# await_port_file: waits (up to 20 s) for the unitclockd started as
# $daemon_pid with --port-file $work/port to write it; sets target. Fails if
# the daemon exits first.
await_port_file() {
  local _
  for _ in $(seq 200); do
    [[ -s $work/port ]] && break
    kill -0 "$daemon_pid" 2>/dev/null || fail "unitclockd exited before writing its port file"
    sleep 0.1
  done
  [[ -s $work/port ]] || fail "unitclockd wrote no port file in 20 s"
  target=127.0.0.1:$(head -n 1 "$work/port")
}

# stop_daemon: SIGTERM; fails unless unitclockd exits cleanly.
stop_daemon() {
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || fail "unitclockd did not stop cleanly"
  daemon_pid=
}

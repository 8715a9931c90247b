#!/usr/bin/env bash
# ctest ReviewPageBrowser: the review page (web/) in a real browser against a
# real unitclockd. Starts unitclockd with its HTTP face on an ephemeral
# loopback port, records scenarios with simulated_platform (the example
# session, copies of it for amending and for a late-event conflict, a
# blocking one from the billing scenarios, another platform's, a month of
# remote monitoring, and a live session still going on), then runs
# review_page.test.mjs: Debian's chromium,
# headless, driven by puppeteer-core, with axe-core for accessibility. The
# browser's screenshots go to WORK_DIR.
#
#   review_page_test.sh UNITCLOCKD SIMULATED_PLATFORM WORK_DIR
#
# Fails when node, npm or chromium is missing (./setup.sh deps installs
# them): a test that cannot run is no pass.
set -euo pipefail
unitclockd=$1
simulated_platform=$2
work=$3
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# shellcheck source=tests/e2e/lib.sh
source "$repo/tests/e2e/lib.sh"

chromium=${CHROMIUM:-/usr/bin/chromium}
[[ -x $chromium ]] || fail "$chromium is missing (./setup.sh deps installs Debian's chromium)"

check "puppeteer-core and axe-core installed (outside the checkout)"
NODE_PATH=$(bash "$repo/scripts/npm_ci.sh" "$repo/tests/web")
export NODE_PATH

check "tokens: the platforms' and the desks' (reviewer, billing)"
"$unitclock_token" demo-web demo-rehab platform "$work/tokens.json" \
  >"$work/platform.token"
"$unitclock_token" demo-desk demo-rehab reviewer,billing "$work/tokens.json" \
  >"$work/desk.token"
"$unitclock_token" other-web other-rehab platform "$work/tokens.json" \
  >"$work/other-platform.token"
"$unitclock_token" other-desk other-rehab reviewer "$work/tokens.json" \
  >"$work/other-desk.token"

check "unitclockd starts with its HTTP face"
# --http-port-file receives the HTTP port bound; the page is the one built into
# unitclockd, as users get it.
start_daemon "$unitclockd" "$repo/core/policies" --http-listen 127.0.0.1:0 \
  --http-port-file "$work/http-port"
for _ in $(seq 100); do
  [[ -s $work/http-port ]] && break
  sleep 0.1
done
[[ -s $work/http-port ]] || fail "unitclockd wrote no HTTP port file"
url=http://127.0.0.1:$(head -n 1 "$work/http-port")/
echo "    page at $url"

# record FILE TOKEN_FILE: streams a scenario with simulated_platform.
record() {
  local name
  name=$(basename "$1" .json)
  "$simulated_platform" --target "$target" --token-file "$2" --buffer "$work/$name.buffer" \
    --scenario "$1" >"$work/$name.out" 2>&1 || { cat "$work/$name.out"; fail "simulated_platform $1"; }
}

# scenario_copy SRC DEST SED_ARGS...: a copy of a scenario with other ids.
scenario_copy() {
  local src=$1 dest=$2
  shift 2
  sed "$@" "$src" >"$dest"
}

check "simulated_platform records the scenarios"
example=$repo/examples/scenarios/video_exercise_30min.json
record "$example" "$work/platform.token"
scenario_copy "$example" "$work/amend.json" -e 's/demo-20261127-0001/demo-20261127-0002/' \
  -e 's/pt-4f9c2a/pt-8d21e0/'
record "$work/amend.json" "$work/platform.token"
scenario_copy "$example" "$work/conflict.json" -e 's/demo-20261127-0001/demo-20261127-0003/' \
  -e 's/pt-4f9c2a/pt-c0ff1c/'
record "$work/conflict.json" "$work/platform.token"
scenario_copy "$example" "$work/other.json" -e 's/demo-20261127-0001/other-20261127-0001/' \
  -e 's/pt-4f9c2a/pt-0th3r1/' -e 's/"demo-rehab"/"other-rehab"/'
record "$work/other.json" "$work/other-platform.token"
# References are opaque printable text: markup in them must show as text.
scenario_copy "$example" "$work/markup.json" -e 's/demo-20261127-0001/demo-20261126-0001/' \
  -e 's/2026-11-27T/2026-11-26T/' -e 's|pt-4f9c2a|<img src=x onerror=window.pwned=1>|' \
  -e 's|prov-17b3|<b>prov</b>|'
record "$work/markup.json" "$work/platform.token"
# The billing scenarios hold a list of sessions; simulated_platform takes one.
node -e '
  const fs = require("fs");
  const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).sessions[0];
  fs.writeFileSync(process.argv[2], JSON.stringify(s));
' "$repo/tests/e2e/billing_scenarios/audio_only_not_at_home.json" "$work/blocking.json"
record "$work/blocking.json" "$work/platform.token"

# A month of remote monitoring with its live video visit (October 2026).
record "$repo/examples/scenarios/rtm_month.json" "$work/platform.token"

# Late events for the conflict: the patient dropped out for 15 minutes, which
# takes a unit away while the page has the suggestion open. Explicit event
# ids: the defaults (<session>-<position>) are taken.
cat >"$work/late.json" <<'EOF'
{"session_id": "demo-20261127-0003", "start_time": "2026-11-27T15:00:00Z", "events": [
  {"at": "05:00", "event_id": "demo-20261127-0003-late-1", "participant_left": {"participant": "PARTICIPANT_PATIENT"}},
  {"at": "20:00", "event_id": "demo-20261127-0003-late-2", "participant_joined": {"participant": "PARTICIPANT_PATIENT"}}
]}
EOF

# A live session, started 4 minutes ago and still going on; its stop event is
# sent by the test while the page watches it.
start=$(date -u -d '-4 min' +%Y-%m-%dT%H:%M:%SZ)
live_id=live-$(date -u +%s)
cat >"$work/live.json" <<EOF
{"session_id": "$live_id", "start_time": "$start", "events": [
  {"at": "00:00", "session_started": {"platform": "demo-rehab", "patient_ref": "pt-l1ve01", "provider_ref": "prov-17b3", "provider_role": "PROVIDER_ROLE_PT", "discipline": "DISCIPLINE_PHYSICAL_THERAPY", "payer_id": "medicare", "clinic_time_zone": "America/Chicago", "patient_location": "PATIENT_LOCATION_HOME", "planned_modality": "MODALITY_AUDIO_VIDEO"}},
  {"at": "00:05", "participant_joined": {"participant": "PARTICIPANT_PROVIDER"}},
  {"at": "00:05", "participant_joined": {"participant": "PARTICIPANT_PATIENT"}},
  {"at": "00:05", "media_changed": {"modality": "MODALITY_AUDIO_VIDEO"}},
  {"at": "00:10", "activity_started": {"activity_id": "ex-1", "kind": "ACTIVITY_KIND_THERAPEUTIC_EXERCISE", "performed_by": "PARTICIPANT_PROVIDER"}},
  {"at": "01:30", "liveness_signal": {"activity_id": "ex-1", "signal": "repetition"}},
  {"at": "03:00", "liveness_signal": {"activity_id": "ex-1", "signal": "repetition"}}
]}
EOF
"$simulated_platform" --target "$target" --token-file "$work/platform.token" \
  --buffer "$work/live.buffer" --scenario "$work/live.json" >"$work/live.out" 2>&1 || true
grep -q OUTCOME_REJECTED "$work/live.out" && { cat "$work/live.out"; fail "the live session's events were rejected"; }
[[ $(grep -c 'OUTCOME_RECORDED' "$work/live.out") == 7 ]] ||
  { cat "$work/live.out"; fail "the live session's 7 events were not all recorded"; }

check "the page in chromium (node --test review_page.test.mjs)"
export UNITCLOCK_URL=$url UNITCLOCK_TARGET=$target WORK_DIR=$work CHROMIUM=$chromium \
  SIMULATED_PLATFORM=$simulated_platform LIVE_SESSION=$live_id \
  DOCS_SCREENSHOT=${DOCS_SCREENSHOT:-}
node --test --test-reporter=spec "$repo/tests/web/review_page.test.mjs" 2>&1 |
  tee "$work/node-test.log" || fail "review_page.test.mjs failed (screenshots in $work)"

check "the daemon's log names no patient, provider or token"
stop_daemon
for secret in pt-4f9c2a pt-8d21e0 pt-c0ff1c prov-17b3 pt-7f3a prov-19 "$(cat "$work/desk.token")" \
  "$(cat "$work/platform.token")"; do
  if grep -qF -- "$secret" "$work/daemon.log"; then
    grep -nF -- "$secret" "$work/daemon.log" | head -5
    fail "the daemon's log holds \"$secret\""
  fi
done

echo "ReviewPageBrowser: ok"

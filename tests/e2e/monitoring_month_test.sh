#!/usr/bin/env bash
# ctest MonitoringMonth: one month of a digital-rehab program end to end with
# the real programs. Starts unitclockd on an ephemeral loopback port, plays
# examples/scenarios/rtm_month.json (October 2026 of an MSK remote
# therapeutic monitoring episode: 18 days of device data, 12 + 9 minutes of
# management, one live video visit) with simulated_platform, checks the
# month's lines against rtm_month.expected.json, reviews every suggestion of
# October with reviewer_cli, and exports them as CSV, X12 837P and FHIR R4,
# each file checked by the independent npm validators. Last, the daemon's
# log must not hold the patient or provider reference.
#
#   monitoring_month_test.sh UNITCLOCKD SIMULATED_PLATFORM REVIEWER_CLI REPO_DIR WORK_DIR
set -euo pipefail
unitclockd=$1
simulated_platform=$2
reviewer_cli=$3
repo=$4
work=$5

# shellcheck source=tests/e2e/lib.sh
source "$repo/tests/e2e/lib.sh"

scenario=$repo/examples/scenarios/rtm_month.json
expected=$repo/examples/scenarios/rtm_month.expected.json
# jq-free reads of the expectations: python3 is on every Debian machine.
expect() { python3 -c "import json,sys; e=json.load(open('$expected')); print($1)"; }

check "validators installed"
NODE_PATH=$(bash "$repo/scripts/npm_ci.sh" "$repo/tests/validators")
export NODE_PATH

check "tokens: the platform's, a therapist's desk (reviewer, billing)"
"$unitclock_token" demo-web demo-rehab platform "$work/tokens.json" >"$work/platform.token"
"$unitclock_token" demo-desk demo-rehab reviewer,billing "$work/tokens.json" \
  >"$work/reviewer.token"

check "unitclockd starts"
start_daemon "$unitclockd" "$repo/core/policies" --log-level=trace

check "simulated_platform plays the month and prints its lines"
"$simulated_platform" --target "$target" --token-file "$work/platform.token" \
  --buffer "$work/platform.buffer" --scenario "$scenario" >"$work/platform.out" 2>&1 ||
  { cat "$work/platform.out"; fail "simulated_platform failed"; }
sed 's/^/    /' "$work/platform.out"
platform_out=$(cat "$work/platform.out")
expect_match "$platform_out" "98980" "the month's management line"
expect_match "$platform_out" "98977" "the device period's supply line"
expect_match "$platform_out" "98975" "the set-up line"
expect_match "$platform_out" "97110" "the visit's line"
# README shows this output: it must stay true.
readme_block=$(awk '/^monitoring suggestions for pt-7f3a, 2026-10:/,/^```/' "$repo/README.md" | grep -v '^```')
platform_block=$(sed -n '/^monitoring suggestions for pt-7f3a, 2026-10:/,$p' "$work/platform.out")
[[ $readme_block == "$platform_block" ]] ||
  fail "README's example month differs from simulated_platform's output:
$(diff <(echo "$readme_block") <(echo "$platform_block") || true)"

range=(--from 2026-10-01 --to 2026-10-31)
check "pending lists the visit, the device period and the month, with the expected ids"
cli pending "${range[@]}"
visit_id=$(expect "e['visits'][0]['suggestion_id']")
device_id=$(expect "e['monitoring']['suggestions'][0]['suggestion_id']")
month_id=$(expect "e['monitoring']['suggestions'][1]['suggestion_id']")
for id in "$visit_id" "$device_id" "$month_id"; do
  expect_count "$out" "^$id " 1 "pending: $id"
done
expect_count "$out" '^[0-9]{4}-' 3 "pending: three suggestions"
expect_match "$out" "^$month_id .*98980 x1 GP POS 11" "the month's line"
expect_match "$out" "^$device_id .*98977 x1 GP POS 11" "the device period's supply line"
expect_match "$out" "^$device_id .*98975 x1 GP POS 11" "the device period's set-up line"

check "show: the month's period, minutes and contact"
cli show "$month_id"
expect_match "$out" "21 min" "show month"
expect_match "$out" "visit-2026-10-14" "show month's contact"
cli show "$device_id"
expect_match "$out" "18 days" "show device period"

check "approve all three"
for id in "$visit_id" "$device_id" "$month_id"; do
  cli show "$id"
  etag=$(grep -Eo 'etag: [0-9a-f]+' <<<"$out" | cut -d' ' -f2)
  cli approve "$id" --reviewer prov-19 --etag "$etag"
  expect_match "$out" "approve $id: now approved" "approve $id"
done

check "export csv: the four lines of three claims"
cli export "${range[@]}" --format csv --out "$work/claims.csv" --actor billing-1
expect_match "$out" ": 3 claims, 4 lines" "export csv"
csv=$(tr -d '\r' <"$work/claims.csv")
echo "$csv" | sed 's/^/    | /'
expect_match "$csv" "^2026-10-31,demo-rehab,pt-7f3a,prov-19,medicare,98980,\"?GP\"?,1,20,\"?11\"?,$month_id," \
  "claims.csv: the month"
expect_match "$csv" "^2026-10-30,demo-rehab,pt-7f3a,prov-19,medicare,98977,\"?GP\"?,1,[0-9]+,\"?11\"?,$device_id," \
  "claims.csv: device supply"
expect_match "$csv" "^2026-10-30,demo-rehab,pt-7f3a,prov-19,medicare,98975,\"?GP\"?,1,[0-9]+,\"?11\"?,$device_id," \
  "claims.csv: set-up"
expect_match "$csv" "^2026-10-14,demo-rehab,pt-7f3a,prov-19,medicare,97110,\"?GP 95\"?,1,16,\"?10\"?,$visit_id," \
  "claims.csv: the visit"
validate csv "$work/claims.csv"

check "export x12 and fhir with --include-exported"
cli export "${range[@]}" --format x12 --out "$work/claims.x12" --actor billing-1 --include-exported
expect_match "$out" ": 3 claims, 4 lines" "export x12"
validate x12 "$work/claims.x12"
cli export "${range[@]}" --format fhir --out "$work/claims.fhir.json" --actor billing-1 \
  --include-exported
expect_match "$out" ": 3 claims, 4 lines" "export fhir"
validate fhir "$work/claims.fhir.json"

check "the daemon's log names neither the patient nor the provider"
stop_daemon
log=$(cat "$work/daemon.log")
expect_match "$log" 'msg="event recorded"' "the trace-level log"
for ref in pt-7f3a prov-19; do
  if grep -q -- "$ref" "$work/daemon.log"; then fail "the daemon's log holds $ref"; fi
done
echo "PASS"

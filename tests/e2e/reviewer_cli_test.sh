#!/usr/bin/env bash
# ctest ReviewerCliSmoke: the review workflow end to end with the real
# programs. Starts unitclockd on an ephemeral loopback port, records the
# example scenario with simulated_platform, then drives reviewer_cli through
# pending, show, approve, audit and export (CSV, X12 837P, FHIR R4, each file
# checked by the independent npm validators), and amend and reject on a second
# session. Every program authenticates with tokens made by
# unitclock-token ($UNITCLOCK_TOKEN_TOOL). Last, the daemon's log of the whole run (at trace
# level) must not hold any patient or provider reference the run used.
#
#   reviewer_cli_test.sh UNITCLOCKD SIMULATED_PLATFORM REVIEWER_CLI REPO_DIR WORK_DIR
set -euo pipefail
unitclockd=$1
simulated_platform=$2
reviewer_cli=$3
repo=$4
work=$5

# shellcheck source=tests/e2e/lib.sh
source "$repo/tests/e2e/lib.sh"

check "validators installed"
NODE_PATH=$(bash "$repo/scripts/npm_ci.sh" "$repo/tests/validators")
export NODE_PATH

check "tokens: the platform's, a therapist's desk (reviewer, billing)"
"$unitclock_token" demo-web demo-rehab platform "$work/tokens.json" \
  >"$work/platform.token"
"$unitclock_token" demo-desk demo-rehab reviewer,billing "$work/tokens.json" \
  >"$work/reviewer.token"

check "unitclockd starts"
start_daemon "$unitclockd" "$repo/core/policies" --log-level=trace

check "simulated_platform records the example scenario"
"$simulated_platform" --target "$target" --token-file "$work/platform.token" \
  --buffer "$work/platform.buffer" \
  --scenario "$repo/examples/scenarios/video_exercise_30min.json" >"$work/platform.out" 2>&1 ||
  { cat "$work/platform.out"; fail "simulated_platform failed"; }

day=2026-11-27
range=(--from "$day" --to "$day")
# A suggestion id names its patient-day: date, discipline, payer and patient.
id_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}\.[a-z]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+ +'

check "pending shows one suggestion: 97110 x2 GP 95 POS 10"
cli pending "${range[@]}"
expect_count "$out" "$id_re" 1 "pending"
expect_match "$out" "${id_re}$day pt-4f9c2a medicare pending +97110 x2 GP 95 POS 10\$" "pending"
id=$(awk 'NR == 1 { print $1 }' <<<"$out")

check "show prints the state, the etag and the provenance of both units"
cli show "$id"
expect_match "$out" "state: pending" "show"
expect_match "$out" "etag: [0-9a-f]+" "show"
expect_match "$out" "97110 .*: 2 units, modifiers GP 95, POS 10, 25 min" "show"
expect_match "$out" "unit 1: ${day}T[0-9:]+Z/${day}T[0-9:]+Z" "show provenance"
expect_match "$out" "unit 2: ${day}T[0-9:]+Z/${day}T[0-9:]+Z" "show provenance"
expect_match "$out" "total timed minutes: 25" "show documentation"
expect_match "$out" "medicare_pooled +cpt_midpoint" "show methods"

check "approve"
etag=$(grep -Eo 'etag: [0-9a-f]+' <<<"$out" | cut -d' ' -f2)
# An etag that is not the current version is refused: the numbers changed.
cli_fails approve "$id" --reviewer prov-17b3 --etag 0000000000000000
expect_match "$out" "ABORTED" "approve with a stale etag"
cli approve "$id" --reviewer prov-17b3 --etag "$etag"
expect_match "$out" "approve $id: now approved" "approve"

check "pending shows none now"
cli pending "${range[@]}"
expect_count "$out" "$id_re" 0 "pending after approve"
cli pending "${range[@]}" --all
expect_match "$out" "^$id $day pt-4f9c2a medicare approved " "pending --all"

check "audit shows one record: the approval"
cli audit --patient pt-4f9c2a --date "$day"
expect_count "$out" '^#[0-9]+ ' 1 "audit"
expect_match "$out" "^#[0-9]+ [^ ]+ approve by prov-17b3 on $id" "audit"
expect_match "$out" "after: 97110 x2 GP 95 POS 10" "audit"

check "export csv: exactly the approved line"
cli export "${range[@]}" --format csv --out "$work/claims.csv" --actor billing-1
expect_match "$out" "^batch b[0-9a-f-]+: 1 claim, 1 line" "export csv"
csv=$(tr -d '\r' <"$work/claims.csv")
echo "$csv" | sed 's/^/    | /'
expect_count "$csv" '.' 2 "claims.csv (header and one line)"
# date_of_service,platform,patient_ref,provider_ref,payer_id,code,modifiers,units,minutes,place_of_service,...
expect_match "$csv" "^$day,demo-rehab,pt-4f9c2a,prov-17b3,medicare,97110,\"?GP 95\"?,2,25,\"?10\"?,$id," \
  "claims.csv line"
validate csv "$work/claims.csv"

check "export x12 and fhir again with --include-exported"
cli export "${range[@]}" --format x12 --out "$work/claims.x12" --actor billing-1 --include-exported
expect_match "$out" ": 1 claim, 1 line" "export x12"
validate x12 "$work/claims.x12"
cli export "${range[@]}" --format fhir --out "$work/claims.fhir.json" --actor billing-1 \
  --include-exported
expect_match "$out" ": 1 claim, 1 line" "export fhir"
validate fhir "$work/claims.fhir.json"

check "a plain export now exports nothing"
cli export "${range[@]}" --format csv --out "$work/again.csv" --actor billing-1
expect_match "$out" "^nothing to export from $day to $day" "second plain export"
[[ ! -e $work/again.csv && ! -e $work/again.csv.part ]] || fail "nothing to export wrote a file"

check "audit: the approval and one export record per export with lines"
cli audit --patient pt-4f9c2a --date "$day"
expect_count "$out" '^#[0-9]+ ' 4 "audit after exports"
expect_count "$out" "^#[0-9]+ [^ ]+ export by billing-1 on $id .* batch b" 3 "audit export records"
batches=$(grep -Eo 'batch b[0-9a-f-]+' <<<"$out" | sort -u | wc -l)
[[ $batches == 3 ]] || fail "the 3 export records name $batches distinct batches, expected 3"

check "a second session: amend with a reason"
sed -e 's/demo-20261127-0001/demo-20261127-0002/' -e 's/pt-4f9c2a/pt-8d21e0/' \
  "$repo/examples/scenarios/video_exercise_30min.json" >"$work/second.json"
"$simulated_platform" --target "$target" --token-file "$work/platform.token" \
  --buffer "$work/platform.buffer" --scenario "$work/second.json" >"$work/second.out" 2>&1 ||
  { cat "$work/second.out"; fail "simulated_platform failed on the second scenario"; }
cli pending "${range[@]}"
expect_count "$out" "$id_re" 1 "pending with the second session"
expect_match "$out" "${id_re}$day pt-8d21e0 medicare pending +97110 x2 GP 95 POS 10\$" "pending"
id2=$(awk 'NR == 1 { print $1 }' <<<"$out")
[[ $id2 != "$id" ]] || fail "the second session's suggestion has the first one's id"
cli amend "$id2" --reviewer prov-17b3 --reason "patient rested 10 minutes" --line "97110 1 GP,95 10"
expect_match "$out" "amend $id2: now amended" "amend"
expect_match "$out" "97110 x1 GP 95 POS 10 \(25 min\)" "amend"
cli show "$id2"
expect_match "$out" "state: amended" "show after amend"
cli audit --patient pt-8d21e0 --date "$day"
expect_count "$out" '^#[0-9]+ ' 1 "audit after amend"
expect_match "$out" "amend by prov-17b3 on $id2" "audit after amend"
expect_match "$out" "reason: patient rested 10 minutes" "audit after amend"
expect_match "$out" "before: \(none\)" "audit after amend"
expect_match "$out" "after: 97110 x1 GP 95 POS 10" "audit after amend"
cli export "${range[@]}" --format csv --out "$work/amended.csv" --actor billing-1
expect_match "$out" ": 1 claim, 1 line" "export of the amended line"
expect_match "$(tr -d '\r' <"$work/amended.csv")" \
  "^$day,demo-rehab,pt-8d21e0,prov-17b3,medicare,97110,\"?GP 95\"?,1,25,\"?10\"?,$id2," "amended.csv"
validate csv "$work/amended.csv"

check "reject without a reason fails, naming the reason"
cli_fails reject "$id2" --reviewer prov-17b3
expect_match "$out" "reason" "reject without --reason"
cli_fails reject "$id2" --reviewer prov-17b3 --reason ""
expect_match "$out" "INVALID_ARGUMENT: reason" "reject with an empty reason"
cli show "$id2"
expect_match "$out" "state: exported" "show after the refused rejects"

check "errors print the status and exit 2"
# A well-formed id of a patient-day with no session (pt-none, medicare, PT).
cli_fails show 2026-11-27.pt.bWVkaWNhcmU.cHQtbm9uZQ
expect_match "$out" "GetSuggestion failed: NOT_FOUND" "show of an unknown suggestion"
cli_fails show s0000000000000000
expect_match "$out" "GetSuggestion failed: INVALID_ARGUMENT: name: must be suggestions/" \
  "show of a malformed suggestion id"
cli_fails amend "$id2" --reviewer prov-17b3 --reason r --line "97110 lots GP 10"
expect_match "$out" "units" "amend with a bad line"

check "the platform's token cannot review, and the desk's cannot publish"
out=$("$reviewer_cli" --target "$target" --token-file "$work/platform.token" pending "${range[@]}" 2>&1) &&
  fail "a platform token listed suggestions"
expect_match "$out" "PERMISSION_DENIED: ListSuggestions: needs a token with role reviewer or billing" \
  "pending with the platform token"
"$simulated_platform" --target "$target" --token-file "$work/reviewer.token" \
  --buffer "$work/intruder.buffer" --scenario "$work/second.json" >"$work/intruder.out" 2>&1 &&
  fail "the desk's token published"
expect_match "$(cat "$work/intruder.out")" \
  "delivery failed: PublishEvents: PERMISSION_DENIED: PublishEvents: needs a token with role platform .*; 21 events stay in" \
  "publishing with the desk's token"

check "the daemon's log names no patient or provider, and no token"
stop_daemon
log=$(cat "$work/daemon.log")
expect_match "$log" 'msg="event recorded"' "the trace-level log"
expect_match "$log" 'msg="call refused"' "the log of refused calls"
for secret in pt-4f9c2a pt-8d21e0 prov-17b3 "$(cat "$work/platform.token")" \
  "$(cat "$work/reviewer.token")"; do
  if grep -qF -- "$secret" "$work/daemon.log"; then
    grep -nF -- "$secret" "$work/daemon.log" | head -5
    fail "the daemon's log holds \"$secret\""
  fi
done
echo "    $(wc -l <"$work/daemon.log") log lines, none with a patient, provider or token"

echo "ReviewerCliSmoke: ok"

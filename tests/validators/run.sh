#!/usr/bin/env bash
# ctest ExternalValidators: checks unitclock's exports with independent npm
# validators, and checks that those validators reject broken files (so that a
# pass means something).
#
#   run.sh EXPORT_SAMPLES_BINARY OUT_DIR
#
# Installs the pinned packages first, outside the checkout (scripts/npm_ci.sh:
# npm ci when they are missing or stale, under a lock), and finds them through
# NODE_PATH. Fails when node or npm is missing
# (./setup.sh deps installs them): a validation that cannot run is no pass.
set -euo pipefail
samples=$1
out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

NODE_PATH=$(bash "$here/../../scripts/npm_ci.sh" "$here")
export NODE_PATH

validate() { node "$here/validate.mjs" "$@"; }

# expect_rejected KIND FILE PATTERN...: the validator must fail, naming every PATTERN.
expect_rejected() {
  local kind=$1 file=$2 log pattern
  shift 2
  if log=$(validate "$kind" "$file" 2>&1); then
    echo "FAIL: the $kind validator accepted the broken file $file"
    exit 1
  fi
  for pattern in "$@"; do
    if ! grep -q -- "$pattern" <<<"$log"; then
      echo "FAIL: the $kind validator rejected $file without naming '$pattern':"
      echo "$log"
      exit 1
    fi
  done
  echo "$kind: $(basename "$file") rejected as expected:"
  sed 's/^/    /' <<<"$log"
}

rm -rf "$out"
mkdir -p "$out"
echo "== sample exports"
"$samples" "$out"

echo "== validators accept the exports"
validate csv "$out/claims.csv"
validate x12 "$out/claims.x12"
validate fhir "$out/claims.fhir.json"

echo "== validators reject broken files"
# X12 with a wrong SE01 segment count.
sed -E 's/~SE\*[0-9]+\*/~SE*3*/' "$out/claims.x12" >"$out/broken-se-count.x12"
expect_rejected x12 "$out/broken-se-count.x12" "node-x12: .*SE01"
# X12 whose IEA02 does not repeat ISA13.
sed -E 's/IEA\*1\*[0-9]+~$/IEA*1*000000002~/' "$out/claims.x12" >"$out/broken-iea-number.x12"
expect_rejected x12 "$out/broken-iea-number.x12" "node-x12: .*IEA02"
# FHIR Claim without its required status, checked by both FHIR validators.
node -e '
  const fs = require("fs");
  const bundle = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  delete bundle.entry[0].resource.status;
  fs.writeFileSync(process.argv[2], JSON.stringify(bundle, null, 2));
' "$out/claims.fhir.json" "$out/broken-no-status.fhir.json"
expect_rejected fhir "$out/broken-no-status.fhir.json" "medplum entry\[0\] Claim: .*Claim.status" \
  "fhir entry\[0\] Claim: .*Claim.status"
# CSV with a row of 13 columns.
{ cat "$out/claims.csv"; printf '2026-03-02,a,b,c,d,97110,GP,1,8,10,s,r,extra\r\n'; } \
  >"$out/broken-columns.csv"
expect_rejected csv "$out/broken-columns.csv" "13 columns"

echo "ExternalValidators: ok"

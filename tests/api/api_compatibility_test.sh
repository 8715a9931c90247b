#!/usr/bin/env bash
# ctest ApiCompatibility: the compatibility checks of the public API
# (tests/api/check_api.sh: buf lint, buf breaking against the previous main
# and against the baseline) on REPO, and then proof that they bite: in a
# clone of REPO, a renumbered field and a deleted enum value must fail buf
# breaking, naming each; a field name against the style must fail buf lint;
# an ignore comment without a reason must fail; and a shallow clone must fail
# rather than skip the comparison.
#
#   api_compatibility_test.sh REPO WORK_DIR
#
# Needs git, node and npm (./setup.sh deps installs them); fails without them.
set -euo pipefail
repo=$(cd "${1:?usage: api_compatibility_test.sh REPO WORK_DIR}" && pwd)
work=${2:?usage: api_compatibility_test.sh REPO WORK_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check() { bash "$here/check_api.sh" "$@"; }
# Commits in the clone whatever the machine's git configuration says.
git_commit() {
  git -C "$clone" -c user.name="ApiCompatibility test" -c user.email=api-test@invalid \
    -c commit.gpgsign=false commit -q "$@"
}

# expect_failure WHAT DIR PATTERN...: check_api.sh on DIR must fail, and its
# output must match every (extended regular expression) PATTERN.
expect_failure() {
  local what=$1 dir=$2 log pattern
  shift 2
  if log=$(check "$dir" 2>&1); then
    echo "FAIL: the API check passed $what:"
    echo "$log"
    exit 1
  fi
  for pattern in "$@"; do
    if ! grep -Eq -- "$pattern" <<<"$log"; then
      echo "FAIL: the API check failed $what without matching '$pattern':"
      echo "$log"
      exit 1
    fi
  done
  echo "failed as expected, $what:"
  sed 's/^/    /' <<<"$log"
}

# edit FILE SED_SCRIPT: sed -i that must change FILE (else the test would
# prove nothing).
edit() {
  local file=$1 before
  before=$(cat "$file")
  sed -i -E "$2" "$file"
  if [[ $(cat "$file") == "$before" ]]; then
    echo "FAIL: '$2' changed nothing in $file (has the proto changed? update this test)"
    exit 1
  fi
}

echo "== the API of $repo"
check "$repo"

rm -rf "$work"
mkdir -p "$work"
clone=$work/clone
echo "== a clone of $repo, with its working tree's buf.yaml and proto/ committed on top"
git clone -q --no-checkout "$repo" "$clone"
git -C "$clone" checkout -q --detach "$(git -C "$repo" rev-parse HEAD)"
rm -rf "$clone/proto"
cp -R "$repo/proto" "$clone/proto"
cp "$repo/buf.yaml" "$clone/buf.yaml"
git -C "$clone" add -A buf.yaml proto
git_commit --allow-empty -m "the working tree's API"
caller=$clone/proto/unitclock/v1/caller.proto
coding=$clone/proto/unitclock/v1/coding.proto

echo "== breaking: a field renumbered and an enum value deleted, committed"
edit "$caller" 's/^(  string token_id = )2;/\15;/'
edit "$coding" '/^  UNIT_METHOD_CPT_MIDPOINT = 2;$/d'
git_commit -a -m "break the API"
expect_failure "a renumbered field and a deleted enum value" "$clone" \
  '^ok: buf lint$' \
  'caller\.proto:[0-9]+:[0-9]+: FIELD_NO_DELETE: .*"token_id" on message "Caller"' \
  'coding\.proto:[0-9]+:[0-9]+: ENUM_VALUE_NO_DELETE: .*enum value "2" on enum "UnitMethod"' \
  '^FAIL: buf breaking against HEAD\^1 ' '^FAIL: buf breaking against the baseline '
git -C "$clone" reset -q --hard HEAD^1

echo "== lint: a field name that is not lower_snake_case (a compatible addition)"
edit "$caller" 's/^(  repeated string roles = 4;)$/\1\n  string homePlatform = 5;/'
expect_failure "a camelCase field" "$clone" \
  'caller\.proto:[0-9]+:[0-9]+: FIELD_LOWER_SNAKE_CASE: Field name "homePlatform"' \
  '^FAIL: buf lint ' '^ok: buf breaking against HEAD\^1$'

echo "== lint: the same field under an ignore comment that gives no reason"
edit "$caller" 's|^(  string homePlatform = 5;)$|  // buf:lint:ignore FIELD_LOWER_SNAKE_CASE\n\1|'
expect_failure "an ignore comment without a reason" "$clone" \
  '^ok: buf lint$' 'caller\.proto:[0-9]+: +// buf:lint:ignore FIELD_LOWER_SNAKE_CASE \(names no AIP' \
  '^FAIL: buf:lint:ignore without a reason$'
git -C "$clone" checkout -q -- proto

echo "== a shallow clone: HEAD^1 and the baseline are missing, which must fail"
git -c advice.detachedHead=false clone -q --depth 1 "file://$clone" "$work/shallow"
expect_failure "in a shallow clone" "$work/shallow" \
  'FAIL: HEAD\^1 is not in .*, a shallow clone' 'FAIL: b362ad0[0-9a-f]* is not in .*, a shallow clone'

echo "ApiCompatibility: ok"

#!/usr/bin/env bash
# The compatibility checks of unitclock's public API (proto/, package
# unitclock.v1; docs/api.md, Compatibility), with the buf pinned in
# tests/api/package.json and the rules of REPO's buf.yaml:
#
#   1. buf lint of REPO's proto/ (working tree, edits included);
#   2. every buf:lint:ignore comment in proto/ says why in the comment lines
#      before it: the AIP that asks for the exception ("AIP-131"), or "Not an
#      AIP exception" for the ones kept only because renaming breaks clients;
#   3. buf breaking of the same proto/ against AGAINST_REF (default HEAD^1,
#      the previous main: on main every landing is a merge or a commit whose
#      first parent is the main before it);
#   4. buf breaking against the fixed baseline below (main before the RTM
#      work began), so that a series of commits, each compatible with the
#      one before, cannot drift away from what clients already use.
#
#   tests/api/check_api.sh REPO [AGAINST_REF]
#
# Runs every check and reports each finding as FILE:LINE:COLUMN: RULE:
# message; exits non-zero if any check failed. A ref that is not in REPO's
# history (a shallow clone, or HEAD without a parent) fails: a comparison that
# cannot run is no pass. Installs buf first, outside the checkout
# (scripts/npm_ci.sh); fails when node or npm is missing.
set -euo pipefail
repo=$(cd "${1:?usage: check_api.sh REPO [AGAINST_REF]}" && pwd)
against=${2:-HEAD^1}
# main before the RTM work began (issue 19).
baseline=b362ad0ca4cf4335e4f4baad7d3e40ce7361b4b8
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

node_modules=$(bash "$here/../../scripts/npm_ci.sh" "$here")
buf=$node_modules/.bin/buf
[[ -x $buf ]] || {
  echo "FAIL: $buf is missing after npm ci" >&2
  exit 1
}
cd "$repo"
[[ -f buf.yaml ]] || {
  echo "FAIL: $repo/buf.yaml is missing" >&2
  exit 1
}
echo "== $("$buf" --version | sed 's/^/buf /') in $repo"

failed=()

# run_buf NAME ARGS...: buf with its findings as JSON lines, printed one a
# line with the rule's name (buf's text format leaves the rule out). Other
# output (a build or git error) passes through as it is.
run_buf() {
  local name=$1 status=0
  shift
  "$buf" "$@" --error-format=json >"$tmp/out" 2>"$tmp/err" || status=$?
  node -e '
    const fs = require("fs");
    for (const line of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
      if (!line) continue;
      let f;
      try { f = JSON.parse(line); } catch { console.log(line); continue; }
      const where = [f.path, f.start_line, f.start_column].filter((x) => x).join(":");
      console.log(`${where || "(no file)"}: ${f.type}: ${f.message}`);
    }' "$tmp/out"
  cat "$tmp/err"
  if ((status != 0)); then
    echo "FAIL: $name (buf exited $status)"
    failed+=("$name")
  else
    echo "ok: $name"
  fi
}

# resolve REF: the commit REF names in REPO, or a loud failure.
resolve() {
  local ref=$1 commit
  if commit=$(git rev-parse --verify --quiet "$ref^{commit}"); then
    echo "$commit"
    return
  fi
  if [[ $(git rev-parse --is-shallow-repository) == true ]]; then
    echo "FAIL: $ref is not in $repo, a shallow clone; the API check compares against" \
      "earlier commits and does not skip them: fetch the history (git fetch --unshallow)" >&2
  else
    echo "FAIL: $ref is not a commit of $repo (HEAD without a parent?)" >&2
  fi
  return 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== buf lint"
run_buf "buf lint" lint proto

echo "== every buf:lint:ignore says why"
# The comment lines of one block before the ignore must name an AIP or say
# "Not an AIP exception"; the block ends at the first line that is no comment.
if unjustified=$(find proto -name '*.proto' -print0 | sort -z | xargs -0 -r awk '
    FNR == 1 { block = "" }
    /^[[:space:]]*\/\// {
      if ($0 ~ /buf:lint:ignore/ && block !~ /AIP-[0-9]+|Not an AIP exception/)
        printf "%s:%d: %s\n", FILENAME, FNR, $0
      block = block "\n" $0
      next
    }
    { block = "" }') && [[ -z $unjustified ]]; then
  echo "ok: every buf:lint:ignore names its AIP or says it is none"
else
  echo "$unjustified" | sed 's/$/ (names no AIP nor says "Not an AIP exception")/'
  echo "FAIL: buf:lint:ignore without a reason"
  failed+=("ignore reasons")
fi

previous=$(resolve "$against") || failed+=("$against not found")
base=$(resolve "$baseline") || failed+=("baseline not found")
if [[ -n $previous ]]; then
  echo "== buf breaking against $against ($previous)"
  run_buf "buf breaking against $against" breaking proto \
    --against "$repo/.git#ref=$previous,subdir=proto"
fi
if [[ -n $base && $base == "$previous" ]]; then
  echo "== the baseline $baseline is $against: checked above"
elif [[ -n $base ]]; then
  echo "== buf breaking against the baseline $baseline (main before the RTM work)"
  run_buf "buf breaking against the baseline" breaking proto \
    --against "$repo/.git#ref=$base,subdir=proto"
fi

if ((${#failed[@]} > 0)); then
  echo "API check FAILED:"
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
echo "API check: ok"

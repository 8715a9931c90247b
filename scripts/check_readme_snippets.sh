#!/usr/bin/env bash
# README's code snippets that name their file on their first line
# ("// examples/quickstart/quickstart.cc: ..." or "# examples/python/...: ...")
# must be that file, byte for byte: the tests run the file, so the snippet a
# newcomer copies is the code that was tested. Also fails if none is found.
#
#   scripts/check_readme_snippets.sh [README]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readme=${1:-$repo/README.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Splits each fenced block into $tmp/<n> and lists "<n> <file named>" per block.
awk -v dir="$tmp" '
  /^```/ {
    if (inside) { inside = 0; close(out); next }
    inside = 1; n++; out = dir "/" n; first = 1; printf "" > out; next
  }
  inside {
    if (first && match($0, /^(\/\/|#) examples\/[^: ]+:/)) {
      name = substr($0, 1, RLENGTH - 1); sub(/^(\/\/|#) /, "", name); print n, name > (dir "/index")
    }
    first = 0; print > out
  }' "$readme"

[[ -s $tmp/index ]] || { echo "FAIL: no snippet in $readme names its file"; exit 1; }
failed=0
while read -r n file; do
  if [[ ! -f $repo/$file ]]; then
    echo "FAIL: README names $file, which does not exist"
    failed=1
  elif ! diff -u "$repo/$file" "$tmp/$n" >"$tmp/diff"; then
    echo "FAIL: README's snippet differs from $file:"
    cat "$tmp/diff"
    failed=1
  else
    echo "ok: README's snippet is $file"
  fi
done <"$tmp/index"
exit "$failed"

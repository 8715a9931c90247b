#!/usr/bin/env bash
# The code snippets of README and docs/ that name their file on their first line
# ("// examples/quickstart/quickstart.cc: ..." or "# examples/python/...: ...")
# must be that file, byte for byte: the tests run the file, so the snippet a
# newcomer copies is the code that was tested. Fails if README.md holds no such
# snippet; another Markdown file may hold none.
#
#   scripts/check_readme_snippets.sh [FILE.md ...]   (default: README.md and docs/*.md)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if (($# == 0)); then
  shopt -s nullglob
  set -- "$repo/README.md" "$repo"/docs/*.md
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
for doc in "$@"; do
  name=${doc#"$repo"/}
  rm -rf "$tmp/blocks" && mkdir "$tmp/blocks"
  # Splits each fenced block into blocks/<n> and lists "<n> <file named>" per block.
  awk -v dir="$tmp/blocks" '
    /^```/ {
      if (inside) { inside = 0; close(out); next }
      inside = 1; n++; out = dir "/" n; first = 1; printf "" > out; next
    }
    inside {
      if (first && match($0, /^(\/\/|#) examples\/[^: ]+:/)) {
        name = substr($0, 1, RLENGTH - 1); sub(/^(\/\/|#) /, "", name); print n, name > (dir "/index")
      }
      first = 0; print > out
    }' "$doc"

  if [[ ! -s $tmp/blocks/index ]]; then
    if [[ $(basename "$doc") == README.md ]]; then
      echo "FAIL: no snippet in $name names its file"
      failed=1
    fi
    continue
  fi
  while read -r n file; do
    if [[ ! -f $repo/$file ]]; then
      echo "FAIL: $name names $file, which does not exist"
      failed=1
    elif ! diff -u "$repo/$file" "$tmp/blocks/$n" >"$tmp/diff"; then
      echo "FAIL: $name's snippet differs from $file:"
      cat "$tmp/diff"
      failed=1
    else
      echo "ok: $name's snippet is $file"
    fi
  done <"$tmp/blocks/index"
done
exit "$failed"

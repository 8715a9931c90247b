#!/usr/bin/env bash
# Installs the pinned npm packages of a folder of the checkout (its
# package.json and package-lock.json, with npm ci) outside the checkout, and
# prints the node_modules folder to put in NODE_PATH:
#
#   export NODE_PATH=$(scripts/npm_ci.sh examples/node)
#
# The packages go to DEST (default: $UNITCLOCK_NPM_DIR, else
# ${XDG_CACHE_HOME:-~/.cache}/unitclock/npm, then the package's name), so that
# installing writes nothing into the checkout, which may be read-only or
# shared. They are installed again only when the package files change, under
# a lock so that parallel runs (ctest jobs, several build folders) install
# once. npm's own output goes to stderr. The scripts load their packages with
# createRequire, which follows NODE_PATH (an ES module import does not).
#
# Fails when node, npm or flock is missing (./setup.sh deps installs them): a
# test that cannot run is no pass.
#
#   scripts/npm_ci.sh SRC [DEST]
set -euo pipefail
src=$(cd "${1:?usage: npm_ci.sh SRC [DEST]}" && pwd)

for tool in node npm flock; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool is not on PATH (./setup.sh deps installs node and npm)" >&2
    exit 1
  fi
done
for file in package.json package-lock.json; do
  [[ -f $src/$file ]] || { echo "FAIL: $src/$file is missing" >&2; exit 1; }
done

name=$(node -p 'require(process.argv[1]).name' "$src/package.json")
dest=${2:-${UNITCLOCK_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/unitclock/npm}/$name}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
case $dest/ in
  "$src"/*) echo "FAIL: $dest is inside $src; install outside the checkout" >&2; exit 1 ;;
esac

(
  flock 9
  # Installed when the package files differ from those of the last install.
  if ! cmp -s "$src/package-lock.json" "$dest/package-lock.json" ||
    ! cmp -s "$src/package.json" "$dest/package.json" || [[ ! -d $dest/node_modules ]]; then
    echo "== npm ci into $dest" >&2
    cp "$src/package.json" "$src/package-lock.json" "$dest/"
    (cd "$dest" && npm ci --no-audit --no-fund >&2) || {
      # Not kept as installed: the next run tries again.
      rm -f "$dest/package-lock.json"
      exit 1
    }
  fi
) 9>"$dest/.npm-ci.lock"
echo "$dest/node_modules"

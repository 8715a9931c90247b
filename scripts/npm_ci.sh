#!/usr/bin/env bash
# Installs a folder's pinned npm packages (npm ci, from its package-lock.json)
# into DIR/node_modules when missing or older than the lock file, under a lock
# so that parallel runs (ctest jobs, several build folders) install once.
# Fails when node, npm or flock is missing (./setup.sh deps installs them): a
# test that cannot run is no pass.
#
#   scripts/npm_ci.sh DIR
set -euo pipefail
dir=$(cd "${1:?usage: npm_ci.sh DIR}" && pwd)

for tool in node npm flock; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool is not on PATH (./setup.sh deps installs node and npm)"
    exit 1
  fi
done

stamp=$dir/node_modules/.unitclock-npm-ci
(
  flock 9
  if [[ ! -f $stamp || $dir/package-lock.json -nt $stamp ]]; then
    echo "== npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
    touch "$stamp"
  fi
) 9>"$dir/.npm-ci.lock"

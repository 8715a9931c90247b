#!/usr/bin/env bash
# Installs the pinned validator packages (npm ci) into tests/validators/node_modules
# when missing or older than package-lock.json, under a lock so that parallel
# runs (ExternalValidators, ReviewerCliSmoke, several build folders) install
# once. Fails when node, npm or flock is missing (./setup.sh deps installs
# them): a validation that cannot run is no pass.
#
#   install.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

for tool in node npm flock; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool is not on PATH (./setup.sh deps installs node and npm)"
    exit 1
  fi
done

stamp=$here/node_modules/.unitclock-npm-ci
(
  flock 9
  if [[ ! -f $stamp || $here/package-lock.json -nt $stamp ]]; then
    echo "== npm ci in $here"
    (cd "$here" && npm ci --no-audit --no-fund)
    touch "$stamp"
  fi
) 9>"$here/.npm-ci.lock"

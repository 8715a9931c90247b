#!/usr/bin/env bash
# Generates the Python code of the unitclock.v1 API (messages and gRPC stubs)
# for publish_and_suggest.py, with Debian's protoc and grpc_python_plugin
# (packages protobuf-compiler, protobuf-compiler-grpc). The code is not
# committed: it must match the python3-protobuf that runs it.
#
#   examples/python/generate.sh [OUT_DIR]     # default examples/python/gen
#
# Then run publish_and_suggest.py with --gen-dir OUT_DIR (or
# UNITCLOCK_PYTHON_GEN_DIR=OUT_DIR).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$here/gen}
plugin=${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}

command -v protoc >/dev/null ||
  { echo "generate.sh: protoc is missing (Debian package protobuf-compiler)" >&2; exit 1; }
[[ -x $plugin ]] ||
  { echo "generate.sh: $plugin is missing (Debian package protobuf-compiler-grpc)" >&2; exit 1; }

mkdir -p "$out"
protoc -I "$repo/proto" --python_out="$out" --grpc_out="$out" --plugin=protoc-gen-grpc="$plugin" \
  "$repo"/proto/unitclock/v1/*.proto

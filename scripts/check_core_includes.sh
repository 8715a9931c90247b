#!/usr/bin/env bash
# Fails if anything under core/ includes gRPC, Protobuf, Asio, a store or
# generated API header: the core is pure domain logic (see docs/architecture.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pattern='#include\s*[<"](grpc|grpcpp|google/protobuf|boost/asio|asio|sqlite3|libpq|pqxx|plugin/|unitclock/v1/)'
if grep -rnE "$pattern" core/; then
  echo "core/ must not include the headers above" >&2
  exit 1
fi
echo "core/ includes: ok"

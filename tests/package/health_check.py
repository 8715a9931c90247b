#!/usr/bin/python3
"""gRPC health check (grpc.health.v1.Health/Check, service "") with Debian's
python3-grpcio and no generated code: the request is the empty message, and a
SERVING answer is the bytes 08 01 (field 1, status = 1). Exits 0 if SERVING,
1 otherwise.

    health_check.py HOST:PORT
"""
import sys

import grpc

SERVING = b"\x08\x01"

with grpc.insecure_channel(sys.argv[1]) as channel:
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    answer = check(b"", timeout=10)
print("health answer: " + (answer.hex() or "(empty: UNKNOWN)"))
sys.exit(0 if answer == SERVING else 1)

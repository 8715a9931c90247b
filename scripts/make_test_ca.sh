#!/usr/bin/env bash
# Makes a throwaway certificate authority and certificates for the TLS tests:
#   ca.pem                 the test CA
#   server.pem server.key  for localhost / 127.0.0.1 / ::1, signed by the CA
#   client.pem client.key  a client certificate (mutual TLS), signed by the CA
#   stranger.pem stranger.key  a client certificate from another, untrusted CA
# Usage: scripts/make_test_ca.sh OUTDIR. Never use these outside tests.
set -euo pipefail
out=${1:?usage: make_test_ca.sh OUTDIR}
mkdir -p "$out"
cd "$out"
rm -f ./*.pem ./*.key ./*.csr ./*.srl ./*.ext

quiet() { "$@" 2>/dev/null >/dev/null || { "$@"; exit 1; }; }

# make_ca NAME: self-signed CA NAME.pem / NAME.key
make_ca() {
  quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=unitclock test CA $1" -keyout "$1.key" -out "$1.pem"
}

# issue NAME CA EXTENSIONS: NAME.pem / NAME.key signed by CA
issue() {
  local name=$1 ca=$2 ext=$3
  quiet openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=unitclock test $name" -keyout "$name.key" -out "$name.csr"
  printf '%s\n' "$ext" >"$name.ext"
  quiet openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
    -days 2 -extfile "$name.ext" -out "$name.pem"
  rm -f "$name.csr" "$name.ext"
}

make_ca ca
make_ca stranger-ca
issue server ca "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
issue client ca "extendedKeyUsage=clientAuth"
issue stranger stranger-ca "extendedKeyUsage=clientAuth"
rm -f ./*.srl stranger-ca.key
echo "test certificates in $out"

#pragma once

// The transport of the end-to-end suites. Plaintext on loopback by default;
// when the environment variable UNITCLOCK_TEST_TLS_DIR names a folder made by
// scripts/make_test_ca.sh, mutual TLS with its throwaway certificates (ctest
// runs the suites once that way: the "tls." tests).
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugin/service/service_options.h"
#include "tests/testing/process.h"

namespace unitclock::testing {

// The certificate folder, or nullopt for plaintext.
inline std::optional<std::string> TestTlsDir() {
  const char* dir = std::getenv("UNITCLOCK_TEST_TLS_DIR");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  return std::string(dir);
}

// The server side: mutual TLS with the test CA, or plaintext.
inline service::TlsOptions TestServerTls() {
  service::TlsOptions tls;
  if (const auto dir = TestTlsDir()) {
    tls.cert_chain = ReadFile(*dir + "/server.pem");
    tls.private_key = ReadFile(*dir + "/server.key");
    tls.client_ca = ReadFile(*dir + "/ca.pem");
  }
  return tls;
}

// The client side, with the test client certificate (or `client`, a name
// of make_test_ca.sh's certificates: "client", "stranger"; empty: none).
inline std::shared_ptr<grpc::ChannelCredentials> TestChannelCredentials(
    const std::string& client = "client") {
  const auto dir = TestTlsDir();
  if (!dir) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(*dir + "/ca.pem");
  if (!client.empty()) {
    ssl.pem_cert_chain = ReadFile(*dir + "/" + client + ".pem");
    ssl.pem_private_key = ReadFile(*dir + "/" + client + ".key");
  }
  return grpc::SslCredentials(ssl);
}

// unitclockd's flags for the same transport.
inline std::vector<std::string> TestDaemonTlsFlags() {
  const auto dir = TestTlsDir();
  if (!dir) return {};
  return {"--tls-cert=" + *dir + "/server.pem", "--tls-key=" + *dir + "/server.key",
          "--tls-client-ca=" + *dir + "/ca.pem"};
}

// The examples' flags (examples/connect) for the same transport.
inline std::vector<std::string> TestExampleTlsFlags() {
  const auto dir = TestTlsDir();
  if (!dir) return {};
  return {"--ca-cert=" + *dir + "/ca.pem", "--client-cert=" + *dir + "/client.pem",
          "--client-key=" + *dir + "/client.key"};
}

}  // namespace unitclock::testing

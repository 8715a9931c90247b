#pragma once

// How the examples reach unitclockd: address, bearer token and TLS, the same
// flags in every example.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace CLI {
class App;
}

namespace unitclock::examples {

struct ConnectOptions {
  std::string target = "127.0.0.1:50051";
  // The bearer token: read from this file, else from the UNITCLOCK_TOKEN
  // environment variable (never a command-line argument, which `ps` shows).
  std::string token_file;
  // TLS: the certificate authority that signed the server's certificate.
  // Empty: plaintext (loopback only).
  std::string ca_cert;
  // Mutual TLS: this client's certificate and key.
  std::string client_cert;
  std::string client_key;
};

// Adds --target, --token-file, --ca-cert, --client-cert and --client-key.
void AddConnectOptions(CLI::App& app, ConnectOptions& options);

// A connection to unitclockd and the token to send on it.
struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::string token;
  std::string target;
  std::shared_ptr<grpc::ChannelCredentials> credentials;

  // One more channel to the same server, on a TCP connection of its own
  // (channels with the same arguments may share one).
  std::shared_ptr<grpc::Channel> NewChannel(int index) const;

  // Adds `authorization: Bearer <token>` to a call.
  void Authorize(grpc::ClientContext& context) const {
    context.AddMetadata("authorization", "Bearer " + token);
  }
};

// Reads the token and the TLS files. INVALID_ARGUMENT naming the flag when a
// file cannot be read or no token is given.
absl::StatusOr<Connection> Connect(const ConnectOptions& options);

}  // namespace unitclock::examples

#include "examples/connect/connect.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"

namespace unitclock::examples {
namespace {

absl::StatusOr<std::string> ReadWhole(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(flag + ": cannot read \"" + path + "\"");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void AddConnectOptions(CLI::App& app, ConnectOptions& options) {
  app.add_option("--target", options.target, "unitclockd address")->capture_default_str();
  app.add_option("--token-file", options.token_file,
                 "File holding your bearer token (default: the UNITCLOCK_TOKEN variable)");
  app.add_option("--ca-cert", options.ca_cert,
                 "Use TLS, trusting this certificate authority (PEM)");
  app.add_option("--client-cert", options.client_cert, "Mutual TLS: this client's certificate");
  app.add_option("--client-key", options.client_key, "Mutual TLS: this client's key");
}

absl::StatusOr<Connection> Connect(const ConnectOptions& options) {
  Connection out;
  if (!options.token_file.empty()) {
    auto token = ReadWhole(options.token_file, "--token-file");
    if (!token.ok()) return token.status();
    out.token = *token;
    while (!out.token.empty() && std::isspace(static_cast<unsigned char>(out.token.back()))) {
      out.token.pop_back();
    }
  } else if (const char* env = std::getenv("UNITCLOCK_TOKEN"); env != nullptr) {
    out.token = env;
  }
  if (out.token.empty()) {
    return absl::InvalidArgumentError(
        "--token-file: no bearer token; give --token-file or set UNITCLOCK_TOKEN");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!options.ca_cert.empty()) {
    grpc::SslCredentialsOptions ssl;
    auto ca = ReadWhole(options.ca_cert, "--ca-cert");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    if (!options.client_cert.empty() || !options.client_key.empty()) {
      auto cert = ReadWhole(options.client_cert, "--client-cert");
      if (!cert.ok()) return cert.status();
      auto key = ReadWhole(options.client_key, "--client-key");
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(ssl);
  }
  out.target = options.target;
  out.credentials = credentials;
  out.channel = grpc::CreateChannel(options.target, credentials);
  return out;
}

std::shared_ptr<grpc::Channel> Connection::NewChannel(int index) const {
  grpc::ChannelArguments args;
  args.SetInt("unitclock.channel_index", index);
  return grpc::CreateCustomChannel(target, credentials, args);
}

}  // namespace unitclock::examples

#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "plugin/client/recorder.h"

// The library's gRPC channel: which instances RecorderOptions::target names,
// and how the channel spreads calls over them.
namespace unitclock::client::internal {

// The service config of every channel: round_robin keeps a connection to
// each address the target resolves to and puts each new call on the next
// ready one, so a stream that fails with its instance is reopened on a
// live one. (gRPC's default, pick_first, would stay with the first address
// that answers and reach the next only after re-resolving.)
inline constexpr std::string_view kServiceConfig =
    R"({"loadBalancingConfig":[{"round_robin":{}}]})";

// RecorderOptions::target as the target to give gRPC:
//   - one "host:port" ("127.0.0.1:50051", "unitclock.internal:50051",
//     "[::1]:50051"): as given; gRPC resolves a name by DNS, and every
//     address the name resolves to is an instance;
//   - a target in gRPC's own syntax ("dns:///name:port", "ipv4:...",
//     "ipv6:...", "unix:..."): as given;
//   - a comma-separated list of "ip:port" entries, all IPv4 or all IPv6 (in
//     brackets): gRPC's multi-address form, "ipv4:10.0.0.1:50051,10.0.0.2:50051".
//     Debian 12's gRPC (1.51) offers no public way to feed a channel a list
//     of names (its manual resolver is internal), so a list takes addresses
//     only; instances known by name are one DNS name with an address for
//     each ("dns:///unitclock.internal:50051").
// Spaces around the target and its entries are ignored. INVALID_ARGUMENT
// naming options.target otherwise.
absl::StatusOr<std::string> ChannelTarget(std::string_view target);

// A channel to `options.target` with kServiceConfig and the library's
// reconnection and keepalive arguments. INVALID_ARGUMENT naming
// options.target when the target is malformed or gRPC does not accept it.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const RecorderOptions& options);

}  // namespace unitclock::client::internal

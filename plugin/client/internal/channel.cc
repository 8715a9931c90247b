#include "plugin/client/internal/channel.h"

#include <arpa/inet.h>

#include <charconv>
#include <optional>
#include <vector>

#include "absl/status/status.h"

namespace unitclock::client::internal {
namespace {

// Targets gRPC 1.51 resolves itself (its resolver registry's schemes that a
// client of a TCP server would use): passed through, and checked by gRPC.
constexpr std::string_view kSchemes[] = {"dns:", "ipv4:", "ipv6:", "unix:", "unix-abstract:"};

absl::Status Invalid(const std::string& why) {
  return absl::InvalidArgumentError("options.target: " + why);
}

// Debian 12's Abseil has a string_view of its own, which std::string_view
// does not convert to: the two string functions needed are here.
std::string_view Strip(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t at = s.find(separator); at != std::string_view::npos; at = s.find(separator)) {
    parts.push_back(s.substr(0, at));
    s.remove_prefix(at + 1);
  }
  parts.push_back(s);
  return parts;
}

enum class Family { kIpv4, kIpv6 };

bool IsPort(std::string_view port) {
  int value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  return error == std::errc() && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

// One entry of a list: "ip:port", IPv6 in brackets.
absl::StatusOr<Family> ParseEntry(std::string_view entry) {
  const auto not_an_address = [entry] {
    return Invalid(
        "\"" + std::string(entry) +
        "\" is not an IP address with a port; a list takes addresses only (\"10.0.0.1:50051\", "
        "\"[fd00::1]:50051\"): for instances known by name give one DNS name that resolves to "
        "each of them (\"dns:///unitclock.internal:50051\")");
  };
  const std::size_t colon = entry.rfind(':');
  if (colon == std::string_view::npos) return not_an_address();
  std::string_view host = entry.substr(0, colon);
  const std::string_view port = entry.substr(colon + 1);
  if (!IsPort(port)) {
    return Invalid("\"" + std::string(entry) + "\" has no port from 1 to 65535");
  }
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  const std::string address(host);  // inet_pton wants a terminated string
  unsigned char parsed[16];
  if (bracketed && inet_pton(AF_INET6, address.c_str(), parsed) == 1) return Family::kIpv6;
  if (!bracketed && inet_pton(AF_INET, address.c_str(), parsed) == 1) return Family::kIpv4;
  return not_an_address();
}

}  // namespace

absl::StatusOr<std::string> ChannelTarget(std::string_view target) {
  target = Strip(target);
  if (target.empty()) return Invalid("empty");
  for (std::string_view scheme : kSchemes) {
    if (target.substr(0, scheme.size()) == scheme) return std::string(target);
  }
  const std::vector<std::string_view> entries = Split(target, ',');
  if (entries.size() == 1) return std::string(target);
  std::optional<Family> family;
  std::string addresses;
  for (std::string_view entry : entries) {
    entry = Strip(entry);
    if (entry.empty()) return Invalid("an empty entry in \"" + std::string(target) + "\"");
    absl::StatusOr<Family> f = ParseEntry(entry);
    if (!f.ok()) return f.status();
    if (family.has_value() && *family != *f) {
      // gRPC's ipv4: and ipv6: lists each take one family.
      return Invalid("\"" + std::string(target) +
                     "\" mixes IPv4 and IPv6 addresses; list one family, or give a DNS name "
                     "that resolves to all of them");
    }
    family = *f;
    addresses += (addresses.empty() ? "" : ",") + std::string(entry);
  }
  return (*family == Family::kIpv4 ? "ipv4:" : "ipv6:") + addresses;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const RecorderOptions& options) {
  absl::StatusOr<std::string> target = ChannelTarget(options.target);
  if (!target.ok()) return target.status();
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(std::string(kServiceConfig));
  // Ours, whatever a DNS TXT record might say.
  args.SetInt(GRPC_ARG_SERVICE_CONFIG_DISABLE_RESOLUTION, 1);
  // gRPC's own reconnection backoff (1 s growing to 120 s by default) would
  // keep a channel failing fast long after the server is back: bound it by
  // ours. With several instances it also paces the reconnection of each
  // dead one, while the calls go to the others.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.initial_backoff.count()));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(options.max_backoff.count()));
  if (options.keepalive_interval.count() > 0) {
    // Pings only while a stream is open (it nearly always is), and as many
    // as needed on a stream that carries no data for a long time (gRPC's
    // default stops after two).
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(options.keepalive_interval.count()));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, static_cast<int>(options.keepalive_timeout.count()));
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  }
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      *target, options.credentials ? options.credentials : grpc::InsecureChannelCredentials(),
      args);
  // A target gRPC cannot parse ("ipv4:10.0.0.300:1") gives a lame channel,
  // failing every call, whose state starts in TRANSIENT_FAILURE; a usable
  // channel starts IDLE.
  if (channel->GetState(/*try_to_connect=*/false) != GRPC_CHANNEL_IDLE) {
    return Invalid("gRPC does not accept \"" + *target + "\" as a target");
  }
  return channel;
}

}  // namespace unitclock::client::internal

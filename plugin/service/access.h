#pragma once

#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "plugin/auth/token_table.h"

namespace unitclock::metrics {
class ServerMetrics;
}

namespace unitclock::service {

class Gate;

// One open stream of a platform, counted by the Gate until destroyed.
// Move-only.
class StreamSlot {
 public:
  StreamSlot() = default;
  ~StreamSlot();
  StreamSlot(StreamSlot&& other) noexcept;
  StreamSlot& operator=(StreamSlot&& other) noexcept;
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

 private:
  friend class Gate;
  StreamSlot(Gate* gate, std::string platform) : gate_(gate), platform_(std::move(platform)) {}
  void Release();

  Gate* gate_ = nullptr;
  std::string platform_;
};

// The value of a call's Authorization header ("Bearer <token>"), nullopt
// when absent: what a call is admitted by, whatever its transport.
using Authorization = std::optional<std::string_view>;

// The `authorization` metadata of a gRPC call.
Authorization AuthorizationOf(const grpc::CallbackServerContext& context);

// What every call passes first: the bearer token is authenticated, its role
// checked against the call, and streams counted per platform.
//
// Thread-safe.
class Gate {
 public:
  // `metrics` (nullptr: none; must outlive the gate) follows the open
  // streams of each platform.
  Gate(auth::TokenTable tokens, int max_streams_per_platform,
       metrics::ServerMetrics* metrics = nullptr)
      : tokens_(std::move(tokens)),
        max_streams_per_platform_(max_streams_per_platform),
        metrics_(metrics) {}

  // The caller of `context`, if its `authorization` metadata carries a known
  // token with one of `roles`. UNAUTHENTICATED or PERMISSION_DENIED (naming
  // `call`, e.g. "GetSession") otherwise; failures are logged with the
  // token id, never the token.
  absl::StatusOr<auth::Caller> Admit(const grpc::CallbackServerContext& context,
                                     std::initializer_list<auth::Role> roles,
                                     std::string_view call) const;

  // The same check for a caller that is not a gRPC call (the HTTP listener):
  // `authorization` is the Authorization header's value ("Bearer <token>"),
  // nullopt when absent.
  absl::StatusOr<auth::Caller> Admit(Authorization authorization,
                                     std::initializer_list<auth::Role> roles,
                                     std::string_view call) const;

  // Counts one more open stream for the caller's platform until the slot is
  // destroyed. RESOURCE_EXHAUSTED when the platform already has the most
  // streams allowed.
  absl::StatusOr<StreamSlot> OpenStream(const auth::Caller& caller);

 private:
  friend class StreamSlot;
  void CloseStream(const std::string& platform);

  const auth::TokenTable tokens_;
  const int max_streams_per_platform_;
  metrics::ServerMetrics* const metrics_;
  absl::Mutex mu_;
  std::map<std::string, int> open_streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace unitclock::service

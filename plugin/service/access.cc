#include "plugin/service/access.h"

#include <spdlog/spdlog.h>

#include "absl/status/status.h"
#include "plugin/common/log.h"
#include "plugin/metrics/server_metrics.h"

namespace unitclock::service {

StreamSlot::~StreamSlot() { Release(); }

StreamSlot::StreamSlot(StreamSlot&& other) noexcept
    : gate_(other.gate_), platform_(std::move(other.platform_)) {
  other.gate_ = nullptr;
}

StreamSlot& StreamSlot::operator=(StreamSlot&& other) noexcept {
  if (this != &other) {
    Release();
    gate_ = other.gate_;
    platform_ = std::move(other.platform_);
    other.gate_ = nullptr;
  }
  return *this;
}

void StreamSlot::Release() {
  if (gate_ != nullptr) gate_->CloseStream(platform_);
  gate_ = nullptr;
}

Authorization AuthorizationOf(const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  if (const auto it = metadata.find("authorization"); it != metadata.end()) {
    return std::string_view(it->second.data(), it->second.size());
  }
  return std::nullopt;
}

absl::StatusOr<auth::Caller> Gate::Admit(const grpc::CallbackServerContext& context,
                                         std::initializer_list<auth::Role> roles,
                                         std::string_view call) const {
  return Admit(AuthorizationOf(context), roles, call);
}

absl::StatusOr<auth::Caller> Gate::Admit(Authorization authorization,
                                         std::initializer_list<auth::Role> roles,
                                         std::string_view call) const {
  absl::StatusOr<auth::Caller> caller = tokens_.Authenticate(authorization);
  if (!caller.ok()) {
    spdlog::warn("msg={} call={} error={}", common::Quote("call refused"), common::Quote(call),
                 common::Quote(std::string(caller.status().message())));
    return caller.status();
  }
  if (absl::Status st = auth::RequireRole(*caller, roles, call); !st.ok()) {
    spdlog::warn("msg={} call={} token_id={} error={}", common::Quote("call refused"),
                 common::Quote(call), common::Quote(caller->token_id),
                 common::Quote(std::string(st.message())));
    return st;
  }
  return caller;
}

absl::StatusOr<StreamSlot> Gate::OpenStream(const auth::Caller& caller) {
  absl::MutexLock lock(&mu_);
  int& open = open_streams_[caller.platform];
  if (open >= max_streams_per_platform_) {
    return absl::ResourceExhaustedError("platform \"" + caller.platform + "\" already has " +
                                        std::to_string(open) +
                                        " open streams, the most allowed; close one first");
  }
  ++open;
  // Under the lock, so that the gauge takes the counts in their order. The
  // platform is the token's: the token file bounds the label's values.
  if (metrics_ != nullptr) metrics_->SetOpenStreams(caller.platform, open);
  return StreamSlot(this, caller.platform);
}

void Gate::CloseStream(const std::string& platform) {
  absl::MutexLock lock(&mu_);
  const int open = --open_streams_[platform];
  if (metrics_ != nullptr) metrics_->SetOpenStreams(platform, open);
  if (open == 0) open_streams_.erase(platform);
}

}  // namespace unitclock::service

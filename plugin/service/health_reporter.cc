#include "plugin/service/health_reporter.h"

#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "absl/time/time.h"
#include "plugin/common/log.h"

namespace unitclock::service {

HealthReporter::HealthReporter(grpc::HealthCheckServiceInterface& health, Probe probe,
                               std::chrono::milliseconds interval)
    : health_(health), probe_(std::move(probe)), interval_(interval), thread_([this] { Run(); }) {}

HealthReporter::~HealthReporter() { Stop(); }

void HealthReporter::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;  // wakes Run's wait
  }
  if (thread_.joinable()) thread_.join();
}

void HealthReporter::Run() {
  for (;;) {
    // Without the lock, so that Stop can say so at once while a probe runs.
    const absl::Status status = probe_();
    absl::MutexLock lock(&mu_);
    // Stop came during the probe: its result may be stale already, and the
    // server may be shutting its health service down.
    if (stopping_) return;
    Report(status);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::FromChrono(interval_))) return;
  }
}

void HealthReporter::Report(const absl::Status& status) {
  const bool serving = status.ok();
  if (serving_ == serving) return;
  const bool first = !serving_.has_value();
  serving_ = serving;
  health_.SetServingStatus("", serving);
  if (!serving) {
    down_since_ = std::chrono::steady_clock::now();
    spdlog::warn("msg={} error={}", common::Quote("health NOT_SERVING: the probe failed"),
                 common::Quote(status.ToString()));
  } else if (!first) {
    const auto down = std::chrono::steady_clock::now() - down_since_;
    spdlog::info("msg={} down_ms={}", common::Quote("health SERVING: the probe succeeds again"),
                 std::chrono::duration_cast<std::chrono::milliseconds>(down).count());
  }
}

}  // namespace unitclock::service

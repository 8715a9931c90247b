#pragma once

#include <chrono>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace grpc {
class HealthCheckServiceInterface;
}

namespace unitclock::service {

// Keeps gRPC's health service (grpc.health.v1.Health, for the whole server:
// service name "") in step with a probe of what the server cannot work
// without, the database (the event log's Health()): SERVING while the probe
// returns OK, NOT_SERVING while it fails. A load balancer in front of
// several instances then sends no new calls to one that cannot reach the
// database, and sends them again once it can; Watch callers hear each change.
//
// A thread of its own calls the probe at once, then `interval` after each
// probe returned, and sets the status whenever it differs from the last one
// set (the first probe always sets it). Each change is logged once: a
// warning with the probe's error when it starts failing, info when it
// succeeds again. One failed probe flips the status and one success flips
// it back: hysteresis belongs to the load balancer's own thresholds
// (failures in a row before it takes an instance out).
//
// A probe that blocks holds up the next probe and Stop: it must bound its
// own time (a database round trip with a timeout).
//
// Thread-safe. Stop is idempotent; after it returns the reporter sets no
// status again, so a server that shuts its health service down
// (HealthCheckServiceInterface::Shutdown: NOT_SERVING for good) stops the
// reporter first and never flips back to SERVING.
class HealthReporter {
 public:
  using Probe = absl::AnyInvocable<absl::Status()>;
  static constexpr std::chrono::milliseconds kDefaultInterval{1000};

  // Starts probing. `health` (the server's GetHealthCheckService()) must
  // outlive the reporter; `interval` must be positive.
  HealthReporter(grpc::HealthCheckServiceInterface& health, Probe probe,
                 std::chrono::milliseconds interval = kDefaultInterval);
  ~HealthReporter();  // Calls Stop().
  HealthReporter(const HealthReporter&) = delete;
  HealthReporter& operator=(const HealthReporter&) = delete;

  // Wakes the thread from its wait, waits for a probe in progress, and
  // joins. The status stays the last one set. Not from the probe.
  void Stop();

 private:
  void Run();
  void Report(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  grpc::HealthCheckServiceInterface& health_;
  Probe probe_;  // called on thread_ only
  const std::chrono::milliseconds interval_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The status set last, none before the first probe.
  std::optional<bool> serving_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point down_since_ ABSL_GUARDED_BY(mu_);

  absl::Mutex stop_mu_;                           // one Stop joins, a concurrent one waits for it
  std::thread thread_ ABSL_GUARDED_BY(stop_mu_);  // last: starts once the rest is ready
};

}  // namespace unitclock::service

#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/time.h"
#include "plugin/common/clock.h"
#include "plugin/service/event_intake.h"
#include "plugin/store/event_log.h"

// The session watchdog: closes sessions whose events stopped arriving, so that
// a platform that crashed or lost its network does not leave a session open
// (and its activity accruing) for ever. The decision is a pure function of
// the time and the open sessions; an Asio timer merely triggers it.
namespace unitclock::metrics {
class ServerMetrics;
}

namespace unitclock::watchdog {

// Closing one idle session: a SessionStopped (TIMED_OUT) at `stop_at`,
// stored only if the session still holds `event_count` events (none arrived
// since the scan that decided it).
struct StopDecision {
  std::string session_id;
  core::TimePoint stop_at{};
  std::int64_t event_count = 0;
  friend bool operator==(const StopDecision&, const StopDecision&) = default;
};

// Returns, in the order of `open`, a decision for every session whose last
// event is at least `timeout` before `now`. The stop goes at the last event,
// the last evidence of activity, and not at `now`: replaying the log then
// gives the same timeline whenever the watchdog happened to run. Sessions
// whose last event is after `now` are not idle. Pure; thread-safe.
std::vector<StopDecision> FindIdleSessions(core::TimePoint now,
                                           std::span<const store::OpenSession> open,
                                           core::Duration timeout);

// The event id of the watchdog's SessionStopped for `session_id`:
// "watchdog-stop-" and the 16 hex digits of the session id's 64-bit FNV-1a
// hash. Deterministic, so that a scan repeated after a crash is acknowledged
// ALREADY_RECORDED instead of storing a second stop. A valid event id (30
// characters of [a-z0-9-]) for any session id. Pure; thread-safe.
std::string WatchdogStopEventId(std::string_view session_id);

struct WatchdogOptions {
  // A session with no event for this long is closed.
  core::Duration timeout = std::chrono::minutes(30);
  // How often Start()'s timer scans for idle sessions.
  core::Duration scan_interval = std::chrono::seconds(60);
  // Counts the sessions closed; nullptr records nothing. Must outlive the
  // watchdog.
  metrics::ServerMetrics* metrics = nullptr;
};

// Scans the event log for idle open sessions and submits a SessionStopped
// (STOP_REASON_TIMED_OUT) for each to the EventIntake, the one way events
// enter unitclock.
//
// Threading: ScanOnce may be called from any thread, also concurrently with
// the timer's scans, and with other instances' watchdogs on a shared log (the
// log decides each stop's event count at commit, and the deterministic event
// id makes a repeated close a no-op). Start() runs the scans on one thread of
// the watchdog's own; Start and Stop are thread-safe and idempotent; once
// stopped, the watchdog does not start again. The log, intake and clock
// must outlive the watchdog.
class SessionWatchdog {
 public:
  SessionWatchdog(store::EventLog& log, service::EventIntake& intake, const common::Clock& clock,
                  WatchdogOptions options);
  ~SessionWatchdog();  // Calls Stop().
  SessionWatchdog(const SessionWatchdog&) = delete;
  SessionWatchdog& operator=(const SessionWatchdog&) = delete;

  // Reads the clock once, closes every session idle for `timeout`, and logs
  // each one closed. Returns how many sessions it closed now (a session some
  // other scan closed first is not counted). An error status (UNAVAILABLE)
  // means the log failed; the next scan tries again.
  absl::StatusOr<int> ScanOnce();

  // The second half of ScanOnce: records the stops and logs each session
  // closed. A session that received an event since its decision was made is
  // left open (its stop is refused by the log, and logged at info); a later
  // scan judges it again. Returns how many sessions it closed.
  absl::StatusOr<int> Close(std::span<const StopDecision> decisions);

  // Starts scanning every `scan_interval`, the first scan one interval from
  // now, on a thread of its own. Does nothing if already started or stopped.
  void Start();

  // Cancels the timer and waits for a scan in progress to finish. After it
  // returns, the watchdog records nothing more.
  void Stop();

 private:
  // Arms the timer for the next scan. Runs on the watchdog's thread (or in
  // Start, before that thread exists).
  void ScheduleScan();

  enum class State { kIdle, kRunning, kStopped };

  store::EventLog& log_;
  service::EventIntake& intake_;
  const common::Clock& clock_;
  const WatchdogOptions options_;

  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;  // used on the watchdog's thread only, once started

  absl::Mutex mu_;  // serialises Start and Stop
  State state_ ABSL_GUARDED_BY(mu_) = State::kIdle;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace unitclock::watchdog

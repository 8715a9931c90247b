#include "plugin/watchdog/session_watchdog.h"

#include <spdlog/spdlog.h>

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "core/fingerprint.h"
#include "plugin/common/log.h"
#include "plugin/metrics/server_metrics.h"

namespace unitclock::watchdog {
namespace {

core::Event StopEvent(const StopDecision& decision) {
  core::Event event;
  event.event_id = WatchdogStopEventId(decision.session_id);
  event.session_id = decision.session_id;
  event.occurred_at = decision.stop_at;
  event.payload = core::SessionStopped{core::StopReason::kTimedOut};
  return event;
}

}  // namespace

std::vector<StopDecision> FindIdleSessions(core::TimePoint now,
                                           std::span<const store::OpenSession> open,
                                           core::Duration timeout) {
  std::vector<StopDecision> decisions;
  for (const store::OpenSession& session : open) {
    if (now - session.last_event_time >= timeout) {
      decisions.push_back(
          StopDecision{session.session_id, session.last_event_time, session.event_count});
    }
  }
  return decisions;
}

std::string WatchdogStopEventId(std::string_view session_id) {
  return "watchdog-stop-" + core::Fnv1a64Hex(session_id);
}

SessionWatchdog::SessionWatchdog(store::EventLog& log, service::EventIntake& intake,
                                 const common::Clock& clock, WatchdogOptions options)
    : log_(log), intake_(intake), clock_(clock), options_(options), timer_(io_) {}

SessionWatchdog::~SessionWatchdog() { Stop(); }

absl::StatusOr<int> SessionWatchdog::ScanOnce() {
  const core::TimePoint now = clock_.Now();
  // The store lists last events strictly before its cutoff; a session idle
  // for exactly `timeout` is due, hence the extra millisecond.
  absl::StatusOr<std::vector<store::OpenSession>> open =
      log_.ListOpenSessions(now - options_.timeout + core::Duration(1));
  if (!open.ok()) return open.status();
  return Close(FindIdleSessions(now, *open, options_.timeout));
}

absl::StatusOr<int> SessionWatchdog::Close(std::span<const StopDecision> decisions) {
  if (decisions.empty()) return 0;
  std::vector<service::Submission> stops;
  stops.reserve(decisions.size());
  for (const StopDecision& d : decisions) stops.push_back({StopEvent(d), d.event_count, {}});
  absl::StatusOr<std::vector<service::IntakeOutcome>> outcomes =
      intake_.Submit(std::move(stops), /*platform=*/{});
  if (!outcomes.ok()) return outcomes.status();

  int closed = 0;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const service::IntakeOutcome& outcome = (*outcomes)[i];
    if (!outcome.ok()) {
      if (outcome.status().code() == absl::StatusCode::kFailedPrecondition) {
        spdlog::info("msg={} session_id={}",
                     common::Quote("session left open: events arrived since the scan"),
                     common::Quote(decisions[i].session_id));
      } else {
        spdlog::error("msg={} session_id={} error={}", common::Quote("watchdog stop refused"),
                      common::Quote(decisions[i].session_id),
                      common::Quote(std::string(outcome.status().message())));
      }
      continue;
    }
    // kAlreadyRecorded: another scan (or instance) closed the session first.
    if (*outcome != store::AppendOutcome::kRecorded) continue;
    ++closed;
    spdlog::info("msg={} session_id={} stop_at={} timeout_s={}",
                 common::Quote("session closed by watchdog"),
                 common::Quote(decisions[i].session_id),
                 common::Quote(core::FormatRfc3339(decisions[i].stop_at)),
                 std::chrono::duration_cast<std::chrono::seconds>(options_.timeout).count());
  }
  if (options_.metrics != nullptr) options_.metrics->CountWatchdogCloses(closed);
  return closed;
}

void SessionWatchdog::Start() {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kIdle) return;
  state_ = State::kRunning;
  ScheduleScan();  // the pending wait keeps io_.run() busy until Stop
  thread_ = std::thread([this] { io_.run(); });
}

void SessionWatchdog::Stop() {
  absl::MutexLock lock(&mu_);
  const State was = std::exchange(state_, State::kStopped);
  if (was != State::kRunning) return;
  // run() returns once the handler in progress, if any, has finished; the
  // timer's pending wait is dropped with the io_context.
  io_.stop();
  thread_.join();
}

void SessionWatchdog::ScheduleScan() {
  timer_.expires_after(options_.scan_interval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled
    absl::StatusOr<int> closed = ScanOnce();
    if (!closed.ok()) {
      spdlog::error("msg={} error={}", common::Quote("watchdog scan failed"),
                    common::Quote(std::string(closed.status().message())));
    }
    ScheduleScan();
  });
}

}  // namespace unitclock::watchdog

#include "plugin/watchdog/session_watchdog.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "core/fingerprint.h"
#include "plugin/common/log.h"
#include "unitclock/v1/event.pb.h"

namespace unitclock::watchdog {
namespace {

v1::Event StopEvent(const StopDecision& decision) {
  v1::Event event;
  event.set_event_id(WatchdogStopEventId(decision.session_id));
  event.set_session_id(decision.session_id);
  *event.mutable_occurred_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
      decision.stop_at.time_since_epoch().count());
  event.mutable_session_stopped()->set_reason(v1::STOP_REASON_TIMED_OUT);
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

SessionWatchdog::SessionWatchdog(store::SqliteEventStore& store, service::EventRecorder& recorder,
                                 const common::Clock& clock, WatchdogOptions options)
    : store_(store), recorder_(recorder), clock_(clock), options_(options), timer_(io_) {}

SessionWatchdog::~SessionWatchdog() { Stop(); }

absl::StatusOr<int> SessionWatchdog::ScanOnce() {
  const core::TimePoint now = clock_.Now();
  // The store lists last events strictly before its cutoff; a session idle
  // for exactly `timeout` is due, hence the extra millisecond.
  absl::StatusOr<std::vector<store::OpenSession>> open =
      store_.ListOpenSessions(now - options_.timeout + core::Duration(1));
  if (!open.ok()) return open.status();
  return Close(FindIdleSessions(now, *open, options_.timeout));
}

absl::StatusOr<int> SessionWatchdog::Close(std::span<const StopDecision> decisions) {
  if (decisions.empty()) return 0;
  std::vector<v1::Event> events;
  std::vector<std::int64_t> counts;
  events.reserve(decisions.size());
  counts.reserve(decisions.size());
  for (const StopDecision& d : decisions) {
    events.push_back(StopEvent(d));
    counts.push_back(d.event_count);
  }
  std::vector<const v1::Event*> batch;
  batch.reserve(events.size());
  for (const v1::Event& e : events) batch.push_back(&e);
  absl::StatusOr<std::vector<v1::EventAcknowledgement>> acks =
      recorder_.Record(batch, /*platform=*/{}, counts);
  if (!acks.ok()) return acks.status();

  int closed = 0;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const v1::EventAcknowledgement& ack = (*acks)[i];
    if (ack.outcome() == v1::EventAcknowledgement::OUTCOME_REJECTED &&
        ack.error_code() == static_cast<int>(absl::StatusCode::kFailedPrecondition)) {
      spdlog::info("msg={} session_id={}",
                   common::Quote("session left open: events arrived since the scan"),
                   common::Quote(decisions[i].session_id));
      continue;
    }
    // Other REJECTED acknowledgements are logged by the recorder;
    // ALREADY_RECORDED means another scan closed the session first.
    if (ack.outcome() != v1::EventAcknowledgement::OUTCOME_RECORDED) continue;
    ++closed;
    spdlog::info("msg={} session_id={} stop_at={} timeout_s={}",
                 common::Quote("session closed by watchdog"),
                 common::Quote(decisions[i].session_id),
                 common::Quote(core::FormatRfc3339(decisions[i].stop_at)),
                 std::chrono::duration_cast<std::chrono::seconds>(options_.timeout).count());
  }
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

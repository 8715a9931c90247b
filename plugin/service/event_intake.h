#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/time.h"
#include "plugin/common/clock.h"
#include "plugin/store/event_log.h"

namespace unitclock::metrics {
class ServerMetrics;
}

namespace unitclock::service {

// One event offered to the intake.
struct Submission {
  // The event, or why it could not be read (then it is refused with that
  // error, in its place among the others).
  absl::StatusOr<core::Event> event;
  // If set, store the event only if its session then holds exactly this many
  // events (store::StoredEvent::only_if_event_count): the watchdog's stops.
  std::optional<std::int64_t> only_if_event_count;
  // The bytes of the unitclock.v1.Event it was read from, kept as the stored
  // payload once the event is valid; empty for unitclock's own events (the
  // watchdog's), which are stored in their canonical encoding (EncodeEvent).
  // Either way the log tells a retry from a different event by content
  // (SameEventContent), not by bytes.
  std::string received_bytes;
};

// What became of one event: stored now, or stored before with identical
// content (an idempotent retry); or refused, with the reason:
// INVALID_ARGUMENT naming the field, PERMISSION_DENIED, ALREADY_EXISTS,
// RESOURCE_EXHAUSTED or FAILED_PRECONDITION (see EventIntake::SubmitAsync).
using IntakeOutcome = absl::StatusOr<store::AppendOutcome>;

// The one way events enter unitclock, on core values: validates them, turns
// them into what the event log keeps, appends them durably and says what
// became of each. The service's EventRecorder (PublishEvents, RecordEvents)
// and the session watchdog both submit through it.
//
// Thread-safe (the log serialises writes; the clock is thread-safe).
class EventIntake {
 public:
  // `log` and `clock` must outlive the intake. Events whose occurred_at is
  // more than `future_tolerance` ahead of `clock` are refused. `metrics`
  // (nullptr: none; must outlive the intake) counts what became of the
  // events and the time to their outcomes.
  EventIntake(store::EventLog& log, const common::Clock& clock, core::Duration future_tolerance,
              metrics::ServerMetrics* metrics = nullptr)
      : log_(log), clock_(clock), future_tolerance_(future_tolerance), metrics_(metrics) {}

  // Called once with one outcome per submission, in order; or with an error
  // (UNAVAILABLE) if the log failed, when none of the valid events is known
  // to be stored and the caller should offer them again. Runs on the log's
  // writer thread after its commit, or before SubmitAsync returns if no event
  // is valid. Must not block.
  using Done = absl::AnyInvocable<void(absl::StatusOr<std::vector<IntakeOutcome>>) &&>;

  // Validates now (core::ValidateEvent; the clock is read once for the whole
  // batch), queues the valid events for the log's next group commit, and
  // calls `done`. `platform` is the caller's platform (tenant): a
  // SessionStarted or MonitoringEpisodeStarted naming another is refused
  // (PERMISSION_DENIED), and an event of a session that another platform
  // owns is refused (ALREADY_EXISTS). Empty for unitclock's own writers (the
  // watchdog), which may write to any session. A monitoring event is stored
  // marked (store::StoredEvent::monitoring): its session is an episode.
  void SubmitAsync(std::vector<Submission> submissions, std::string_view platform, Done done);

  // SubmitAsync, waiting for the outcomes.
  absl::StatusOr<std::vector<IntakeOutcome>> Submit(std::vector<Submission> submissions,
                                                    std::string_view platform);

 private:
  store::EventLog& log_;
  const common::Clock& clock_;
  const core::Duration future_tolerance_;
  metrics::ServerMetrics* const metrics_;
};

}  // namespace unitclock::service

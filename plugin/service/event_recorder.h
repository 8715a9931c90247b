#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "core/time.h"
#include "plugin/common/clock.h"
#include "plugin/service/event_decode.h"
#include "plugin/service/event_intake.h"
#include "plugin/store/event_log.h"
#include "unitclock/v1/event.pb.h"
#include "unitclock/v1/session_service.pb.h"

namespace unitclock::service {

// Records API events: converts them to core events, submits them to the
// EventIntake (the one way events enter unitclock), and turns what became of
// each into its acknowledgement. Shared by PublishEvents and RecordEvents.
//
// Thread-safe, as the intake is.
class EventRecorder {
 public:
  // `log` and `clock` must outlive the recorder. Events whose occurred_at
  // is more than `future_tolerance` ahead of `clock` are rejected. `metrics`:
  // the intake's (nullptr: none).
  EventRecorder(store::EventLog& log, const common::Clock& clock, core::Duration future_tolerance,
                metrics::ServerMetrics* metrics = nullptr)
      : intake_(log, clock, future_tolerance, metrics) {}

  // Returns one acknowledgement per event, in order. Invalid events, events
  // more than the tolerance ahead of the clock (INVALID_ARGUMENT
  // "event.occurred_at: more than N seconds ahead of the server clock"; the
  // clock is read once per call) and conflicting reuses of an event id are
  // REJECTED; the others are durable before this returns. An error status (UNAVAILABLE) means the
  // store failed and none of the batch's valid events is known to be stored: the client should send
  // them again.
  //
  // `platform` is the caller's platform (tenant): a SessionStarted or
  // MonitoringEpisodeStarted naming another is REJECTED (PERMISSION_DENIED),
  // and an event of a session that another platform owns is REJECTED
  // (ALREADY_EXISTS: the session id is taken).
  // (The events are taken as if received as their own serialization.)
  absl::StatusOr<std::vector<v1::EventAcknowledgement>> Record(
      std::span<const v1::Event* const> events, std::string_view platform);

  // Called once with what Record would return; on the store's writer thread
  // after the group commit, or before RecordAsync returns if no event of the
  // batch is valid. Must not block.
  using RecordDone =
      absl::AnyInvocable<void(absl::StatusOr<std::vector<v1::EventAcknowledgement>>) &&>;

  // Record without waiting: converts and validates now, queues the valid
  // events for the store's next group commit, and calls `done`. The log
  // keeps each valid event's bytes as received, which this takes from
  // `events` (the rest need not outlive the call).
  void RecordAsync(std::span<ReceivedEvent> events, std::string_view platform, RecordDone done);

 private:
  EventIntake intake_;
};

}  // namespace unitclock::service

#include "plugin/service/event_recorder.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "core/event_validation.h"
#include "plugin/common/log.h"
#include "plugin/service/proto_convert.h"

namespace unitclock::service {
namespace {

v1::EventAcknowledgement Rejected(const std::string& event_id, const absl::Status& status) {
  v1::EventAcknowledgement ack;
  ack.set_event_id(event_id);
  ack.set_outcome(v1::EventAcknowledgement::OUTCOME_REJECTED);
  ack.set_error_code(static_cast<int>(status.code()));
  ack.set_error_message(std::string(status.message()));
  // Ids are opaque and messages name fields, never patient references.
  spdlog::warn("msg={} event_id={} error={}", common::Quote("event rejected"),
               common::Quote(event_id.substr(0, core::kMaxIdLength)),
               common::Quote(std::string(status.message())));
  return ack;
}

// Converts and validates one event into what the store keeps. Events after
// `latest_allowed` are rejected: a clock far ahead on the platform's side
// would otherwise put time in the log that has not happened yet.
absl::StatusOr<store::StoredEvent> Prepare(const v1::Event& proto, core::TimePoint latest_allowed,
                                           core::Duration future_tolerance,
                                           std::string_view platform) {
  absl::StatusOr<core::Event> event = EventFromProto(proto);
  if (!event.ok()) return event.status();
  if (absl::Status st = core::ValidateEvent(*event); !st.ok()) return st;
  if (event->occurred_at > latest_allowed) {
    return absl::InvalidArgumentError(
        "event.occurred_at: more than " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(future_tolerance).count()) +
        " seconds ahead of the server clock");
  }
  store::StoredEvent stored;
  stored.event_id = event->event_id;
  stored.session_id = event->session_id;
  stored.occurred_at = event->occurred_at;
  stored.payload = EncodeEvent(*event);
  stored.platform = std::string(platform);
  if (const auto* started = std::get_if<core::SessionStarted>(&event->payload)) {
    if (!platform.empty() && started->platform != platform) {
      return absl::PermissionDeniedError(
          "event.session_started.platform: not the platform of the caller's token");
    }
    stored.started = store::SessionIndexFacts{started->platform, started->patient_ref};
  }
  stored.stops_session = std::holds_alternative<core::SessionStopped>(event->payload);
  return stored;
}

}  // namespace

absl::StatusOr<std::vector<v1::EventAcknowledgement>> EventRecorder::Record(
    std::span<const v1::Event* const> events, std::string_view platform,
    std::span<const std::int64_t> only_if_event_count) {
  // std::promise, not absl::Notification: ThreadSanitizer sees through it.
  std::promise<absl::StatusOr<std::vector<v1::EventAcknowledgement>>> done;
  auto out = done.get_future();
  RecordAsync(
      events, platform,
      [&done](absl::StatusOr<std::vector<v1::EventAcknowledgement>> acks) {
        done.set_value(std::move(acks));
      },
      only_if_event_count);
  return out.get();
}

void EventRecorder::RecordAsync(std::span<const v1::Event* const> events, std::string_view platform,
                                RecordDone done,
                                std::span<const std::int64_t> only_if_event_count) {
  if (!only_if_event_count.empty() && only_if_event_count.size() != events.size()) {
    std::move(done)(absl::InvalidArgumentError("only_if_event_count: not one count per event"));
    return;
  }
  std::vector<v1::EventAcknowledgement> acks(events.size());
  std::vector<store::StoredEvent> valid;
  std::vector<std::size_t> valid_index;  // position in `events` of each valid event
  // One reading of the clock judges the whole batch.
  const core::TimePoint latest_allowed = clock_.Now() + future_tolerance_;
  for (std::size_t i = 0; i < events.size(); ++i) {
    absl::StatusOr<store::StoredEvent> stored =
        Prepare(*events[i], latest_allowed, future_tolerance_, platform);
    if (!stored.ok()) {
      acks[i] = Rejected(events[i]->event_id(), stored.status());
      continue;
    }
    if (!only_if_event_count.empty()) stored->only_if_event_count = only_if_event_count[i];
    // The acknowledgement's id now; the store answers by position.
    acks[i].set_event_id(stored->event_id);
    valid.push_back(*std::move(stored));
    valid_index.push_back(i);
  }
  if (valid.empty()) {
    std::move(done)(std::move(acks));
    return;
  }
  store_.AppendAsync(
      std::move(valid),
      [acks = std::move(acks), valid_index = std::move(valid_index),
       done = std::move(done)](absl::StatusOr<store::AppendResults> results) mutable {
        if (!results.ok()) {
          spdlog::error("msg={} error={}", common::Quote("event store append failed"),
                        common::Quote(std::string(results.status().message())));
          std::move(done)(results.status());
          return;
        }
        for (std::size_t k = 0; k < valid_index.size(); ++k) {
          v1::EventAcknowledgement& ack = acks[valid_index[k]];
          const absl::StatusOr<store::AppendOutcome>& r = (*results)[k];
          if (!r.ok()) {
            ack = Rejected(ack.event_id(), r.status());
            continue;
          }
          const bool recorded = *r == store::AppendOutcome::kRecorded;
          ack.set_outcome(recorded ? v1::EventAcknowledgement::OUTCOME_RECORDED
                                   : v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
          if (spdlog::should_log(spdlog::level::debug)) {
            spdlog::debug("msg={} event_id={} outcome={}", common::Quote("event recorded"),
                          common::Quote(ack.event_id()),
                          recorded ? "recorded" : "already_recorded");
          }
        }
        std::move(done)(std::move(acks));
      });
}

}  // namespace unitclock::service

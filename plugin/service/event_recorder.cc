#include "plugin/service/event_recorder.h"

#include <spdlog/spdlog.h>

#include <future>
#include <string>
#include <utility>

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

}  // namespace

absl::StatusOr<std::vector<v1::EventAcknowledgement>> EventRecorder::Record(
    std::span<const v1::Event* const> events, std::string_view platform) {
  // std::promise, not absl::Notification: ThreadSanitizer sees through it.
  std::promise<absl::StatusOr<std::vector<v1::EventAcknowledgement>>> done;
  auto out = done.get_future();
  std::vector<ReceivedEvent> received;
  received.reserve(events.size());
  for (const v1::Event* event : events) received.push_back({*event, event->SerializeAsString()});
  RecordAsync(received, platform,
              [&done](absl::StatusOr<std::vector<v1::EventAcknowledgement>> acks) {
                done.set_value(std::move(acks));
              });
  return out.get();
}

void EventRecorder::RecordAsync(std::span<ReceivedEvent> events, std::string_view platform,
                                RecordDone done) {
  std::vector<Submission> submissions;
  std::vector<std::string> ids;  // each acknowledgement's event id, as the client sent it
  submissions.reserve(events.size());
  ids.reserve(events.size());
  for (ReceivedEvent& received : events) {
    submissions.push_back(
        Submission{EventFromProto(received.event), std::nullopt, std::move(received.bytes)});
    ids.push_back(received.event.event_id());
  }
  intake_.SubmitAsync(
      std::move(submissions), platform,
      [ids = std::move(ids),
       done = std::move(done)](absl::StatusOr<std::vector<IntakeOutcome>> outcomes) mutable {
        if (!outcomes.ok()) {
          spdlog::error("msg={} error={}", common::Quote("event store append failed"),
                        common::Quote(std::string(outcomes.status().message())));
          std::move(done)(outcomes.status());
          return;
        }
        std::vector<v1::EventAcknowledgement> acks(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
          const IntakeOutcome& outcome = (*outcomes)[i];
          if (!outcome.ok()) {
            acks[i] = Rejected(ids[i], outcome.status());
            continue;
          }
          const bool recorded = *outcome == store::AppendOutcome::kRecorded;
          acks[i].set_event_id(std::move(ids[i]));
          acks[i].set_outcome(recorded ? v1::EventAcknowledgement::OUTCOME_RECORDED
                                       : v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
          if (spdlog::should_log(spdlog::level::debug)) {
            spdlog::debug("msg={} event_id={} outcome={}", common::Quote("event recorded"),
                          common::Quote(acks[i].event_id()),
                          recorded ? "recorded" : "already_recorded");
          }
        }
        std::move(done)(std::move(acks));
      });
}

}  // namespace unitclock::service

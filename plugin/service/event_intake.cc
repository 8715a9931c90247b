#include "plugin/service/event_intake.h"

#include <chrono>
#include <future>
#include <string>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "core/event_validation.h"
#include "plugin/metrics/server_metrics.h"
#include "plugin/service/proto_convert.h"

namespace unitclock::service {
namespace {

// Validates one event and turns it into what the log keeps. Events after
// `latest_allowed` are refused: a clock far ahead on the platform's side
// would otherwise put time in the log that has not happened yet.
absl::StatusOr<store::StoredEvent> Prepare(Submission& submission, core::TimePoint latest_allowed,
                                           core::Duration future_tolerance,
                                           std::string_view platform) {
  if (!submission.event.ok()) return submission.event.status();
  const core::Event& event = *submission.event;
  if (absl::Status st = core::ValidateEvent(event); !st.ok()) return st;
  if (event.occurred_at > latest_allowed) {
    return absl::InvalidArgumentError(
        "event.occurred_at: more than " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(future_tolerance).count()) +
        " seconds ahead of the server clock");
  }
  store::StoredEvent stored;
  stored.event_id = event.event_id;
  stored.session_id = event.session_id;
  stored.occurred_at = event.occurred_at;
  stored.payload =
      submission.received_bytes.empty() ? EncodeEvent(event) : std::move(submission.received_bytes);
  stored.platform = std::string(platform);
  if (const auto* started = std::get_if<core::SessionStarted>(&event.payload)) {
    if (!platform.empty() && started->platform != platform) {
      return absl::PermissionDeniedError(
          "event.session_started.platform: not the platform of the caller's token");
    }
    stored.started = store::SessionIndexFacts{started->platform, started->patient_ref};
  }
  // An episode is listed by patient and start time as a visit is.
  if (const auto* started = std::get_if<core::MonitoringEpisodeStarted>(&event.payload)) {
    if (!platform.empty() && started->platform != platform) {
      return absl::PermissionDeniedError(
          "event.monitoring_episode_started.platform: not the platform of the caller's token");
    }
    stored.started = store::SessionIndexFacts{started->platform, started->patient_ref};
  }
  stored.monitoring = core::IsMonitoringPayload(event.payload);
  stored.stops_session = std::holds_alternative<core::SessionStopped>(event.payload);
  stored.only_if_event_count = submission.only_if_event_count;
  return stored;
}

// `done`, counting in `metrics` what became of the batch's events (one
// increment per outcome, not per event) and the time from now to then.
EventIntake::Done Measured(metrics::ServerMetrics& metrics, EventIntake::Done done,
                           std::int64_t events) {
  return [&metrics, done = std::move(done), events, start = std::chrono::steady_clock::now()](
             absl::StatusOr<std::vector<IntakeOutcome>> outcomes) mutable {
    using metrics::EventOutcome;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!outcomes.ok()) {
      metrics.CountEvents(EventOutcome::kFailed, events, outcomes.status().code());
    } else {
      std::int64_t recorded = 0;
      std::int64_t already = 0;
      std::int64_t rejected[17] = {};
      for (const IntakeOutcome& outcome : *outcomes) {
        if (!outcome.ok()) {
          const int code = static_cast<int>(outcome.status().code());
          ++rejected[code >= 0 && code < 17 ? code : static_cast<int>(absl::StatusCode::kUnknown)];
        } else {
          ++(*outcome == store::AppendOutcome::kRecorded ? recorded : already);
        }
      }
      metrics.CountEvents(EventOutcome::kRecorded, recorded);
      metrics.CountEvents(EventOutcome::kAlreadyRecorded, already);
      for (int code = 1; code < 17; ++code) {
        metrics.CountEvents(EventOutcome::kRejected, rejected[code],
                            static_cast<absl::StatusCode>(code));
      }
      metrics.ObserveAckLatency(seconds, static_cast<std::int64_t>(outcomes->size()));
    }
    std::move(done)(std::move(outcomes));
  };
}

}  // namespace

void EventIntake::SubmitAsync(std::vector<Submission> submissions, std::string_view platform,
                              Done done) {
  if (metrics_ != nullptr) done = Measured(*metrics_, std::move(done), std::ssize(submissions));
  std::vector<IntakeOutcome> outcomes(submissions.size(), store::AppendOutcome::kRecorded);
  std::vector<store::StoredEvent> valid;
  std::vector<std::size_t> valid_index;  // position in `submissions` of each valid event
  // One reading of the clock judges the whole batch.
  const core::TimePoint latest_allowed = clock_.Now() + future_tolerance_;
  for (std::size_t i = 0; i < submissions.size(); ++i) {
    absl::StatusOr<store::StoredEvent> stored =
        Prepare(submissions[i], latest_allowed, future_tolerance_, platform);
    if (!stored.ok()) {
      outcomes[i] = stored.status();
      continue;
    }
    valid.push_back(*std::move(stored));
    valid_index.push_back(i);
  }
  if (valid.empty()) {
    std::move(done)(std::move(outcomes));
    return;
  }
  log_.AppendAsync(
      std::move(valid), [submissions = std::move(submissions), outcomes = std::move(outcomes),
                         valid_index = std::move(valid_index), done = std::move(done)](
                            absl::StatusOr<store::AppendResults> results) mutable {
        if (!results.ok()) {
          std::move(done)(results.status());
          return;
        }
        for (std::size_t k = 0; k < valid_index.size(); ++k) {
          IntakeOutcome& outcome = (*results)[k];
          // Stored before with other bytes: a retry all the same if they mean
          // the same event (another client's encoding, digits below the
          // millisecond), as the canonical encodings of the two would be equal.
          if (std::optional<std::string> stored = store::StoredPayloadOf(outcome.status())) {
            absl::StatusOr<core::Event> before = DecodeEvent(*stored);
            if (before.ok() && *before == *submissions[valid_index[k]].event) {
              outcome = store::AppendOutcome::kAlreadyRecorded;
            }
          }
          outcomes[valid_index[k]] = std::move(outcome);
        }
        std::move(done)(std::move(outcomes));
      });
}

absl::StatusOr<std::vector<IntakeOutcome>> EventIntake::Submit(std::vector<Submission> submissions,
                                                               std::string_view platform) {
  // std::promise, not absl::Notification: ThreadSanitizer sees through it.
  std::promise<absl::StatusOr<std::vector<IntakeOutcome>>> done;
  auto out = done.get_future();
  SubmitAsync(std::move(submissions), platform,
              [&done](absl::StatusOr<std::vector<IntakeOutcome>> outcomes) {
                done.set_value(std::move(outcomes));
              });
  return out.get();
}

}  // namespace unitclock::service

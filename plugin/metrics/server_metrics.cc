#include "plugin/metrics/server_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <vector>

namespace unitclock::metrics {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Seconds from 0.5 ms to 10 s: an acknowledgement waits for one group
// commit's sync (a millisecond or two on a local disk).
const Histogram::BucketBoundaries kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
// Events in one group commit: 1 to EventLog::kMaxGroupEvents, by powers of 2.
const Histogram::BucketBoundaries kGroupBuckets = {1,   2,   4,   8,    16,   32,  64,
                                                   128, 256, 512, 1024, 2048, 4096};
// A suggestion codes a patient-day's sessions: milliseconds, more with many.
const Histogram::BucketBoundaries kSuggestionBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1,    2.5};

std::string_view OneOf(std::string_view value, std::initializer_list<std::string_view> known) {
  return std::find(known.begin(), known.end(), value) != known.end() ? value : "other";
}

const char* OperationLabel(StoreOperation operation) {
  switch (operation) {
    case StoreOperation::kAppend:
      return "append";
    case StoreOperation::kHealth:
      return "health";
  }
  return "other";
}

}  // namespace

std::string StatusCodeLabel(absl::StatusCode code) {
  const int value = static_cast<int>(code);
  if (value < 0 || value > 16) return "UNKNOWN";
  return absl::StatusCodeToString(code);
}

ServerMetrics::ServerMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::Registry& r = *registry_;
  events_ = &BuildCounter()
                 .Name("unitclock_events_received_total")
                 .Help(
                     "Events offered by platforms (PublishEvents, RecordEvents), by outcome; "
                     "code is the status code of a rejection or a store failure, OK otherwise")
                 .Register(r);
  recorded_ = &events_->Add({{"outcome", "recorded"}, {"code", "OK"}});
  already_recorded_ = &events_->Add({{"outcome", "already_recorded"}, {"code", "OK"}});
  ack_latency_ = &BuildHistogram()
                      .Name("unitclock_event_ack_latency_seconds")
                      .Help(
                          "From an event's receipt by the intake to its acknowledgement "
                          "(durable, or rejected), per event")
                      .Register(r)
                      .Add({}, kLatencyBuckets);
  commit_events_ = &BuildHistogram()
                        .Name("unitclock_store_commit_group_events")
                        .Help("Events in one group commit of the event log")
                        .Register(r)
                        .Add({}, kGroupBuckets);
  commit_duration_ = &BuildHistogram()
                          .Name("unitclock_store_commit_duration_seconds")
                          .Help("Time of one group commit of the event log, sync included")
                          .Register(r)
                          .Add({}, kLatencyBuckets);
  store_errors_ = &BuildCounter()
                       .Name("unitclock_store_errors_total")
                       .Help("Failed store calls, by operation (append, health) and status code")
                       .Register(r);
  store_healthy_ = &BuildGauge()
                        .Name("unitclock_store_healthy")
                        .Help("1 while the database answers the health probe, 0 while not")
                        .Register(r)
                        .Add({});
  store_healthy_->Set(1);
  open_streams_ = &BuildGauge()
                       .Name("unitclock_open_streams")
                       .Help(
                           "Open streams (PublishEvents, WatchSession, ExportClaims) by the "
                           "platform of the caller's token")
                       .Register(r);
  watchdog_closes_ = &BuildCounter()
                          .Name("unitclock_watchdog_sessions_closed_total")
                          .Help("Sessions the watchdog closed because their events stopped")
                          .Register(r)
                          .Add({});
  suggestion_duration_ = &BuildHistogram()
                              .Name("unitclock_suggestion_duration_seconds")
                              .Help(
                                  "Time to answer one SuggestCodes call: loading the "
                                  "sessions and coding them")
                              .Register(r)
                              .Add({}, kSuggestionBuckets);
  review_actions_ = &BuildCounter()
                         .Name("unitclock_review_actions_total")
                         .Help("Review actions recorded, by action (approve, amend, reject)")
                         .Register(r);
  exports_ = &BuildCounter()
                  .Name("unitclock_exports_total")
                  .Help("Exports committed, by format (csv, x12_837p, fhir_r4)")
                  .Register(r);
  http_requests_ = &BuildCounter()
                        .Name("unitclock_http_requests_total")
                        .Help("Responses of the HTTP face, by method, route template and status")
                        .Register(r);
  // The series a dashboard plots from the start, at zero.
  for (const char* action : {"approve", "amend", "reject"}) {
    review_actions_->Add({{"action", action}});
  }
  for (const char* format : {"csv", "x12_837p", "fhir_r4"}) exports_->Add({{"format", format}});
  // A store that cannot be reached fails with UNAVAILABLE: at zero from the
  // start, so that increase() sees the first one.
  for (StoreOperation op : {StoreOperation::kAppend, StoreOperation::kHealth}) {
    store_errors_->Add({{"operation", OperationLabel(op)},
                        {"code", StatusCodeLabel(absl::StatusCode::kUnavailable)}});
  }
}

ServerMetrics::~ServerMetrics() = default;

std::string ServerMetrics::Render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

prometheus::Counter& ServerMetrics::RejectedOrFailed(EventOutcome outcome, absl::StatusCode code) {
  int index = static_cast<int>(code);
  if (index < 0 || index >= kCodes) index = static_cast<int>(absl::StatusCode::kUnknown);
  std::atomic<prometheus::Counter*>& slot =
      (outcome == EventOutcome::kRejected ? rejected_ : failed_)[static_cast<std::size_t>(index)];
  prometheus::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add returns the series already made for equal labels, so two
    // threads racing here store the same pointer.
    counter =
        &events_->Add({{"outcome", outcome == EventOutcome::kRejected ? "rejected" : "failed"},
                       {"code", StatusCodeLabel(static_cast<absl::StatusCode>(index))}});
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

void ServerMetrics::CountEvents(EventOutcome outcome, std::int64_t n, absl::StatusCode code) {
  if (n <= 0) return;
  switch (outcome) {
    case EventOutcome::kRecorded:
      recorded_->Increment(static_cast<double>(n));
      return;
    case EventOutcome::kAlreadyRecorded:
      already_recorded_->Increment(static_cast<double>(n));
      return;
    case EventOutcome::kRejected:
    case EventOutcome::kFailed:
      RejectedOrFailed(outcome, code).Increment(static_cast<double>(n));
      return;
  }
}

void ServerMetrics::ObserveAckLatency(double seconds, std::int64_t n) {
  if (n <= 0) return;
  if (n == 1) {
    ack_latency_->Observe(seconds);
    return;
  }
  // n observations of one value in one step: its bucket (the first bound
  // not below it, or +Inf) gets n.
  std::vector<double> increments(kLatencyBuckets.size() + 1, 0.0);
  const auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
  increments[static_cast<std::size_t>(bucket - kLatencyBuckets.begin())] = static_cast<double>(n);
  ack_latency_->ObserveMultiple(increments, seconds * static_cast<double>(n));
}

void ServerMetrics::ObserveCommit(std::int64_t events, double seconds) {
  commit_events_->Observe(static_cast<double>(events));
  commit_duration_->Observe(seconds);
}

void ServerMetrics::CountStoreError(StoreOperation operation, absl::StatusCode code) {
  store_errors_->Add({{"operation", OperationLabel(operation)}, {"code", StatusCodeLabel(code)}})
      .Increment();
}

void ServerMetrics::SetStoreHealthy(bool healthy) { store_healthy_->Set(healthy ? 1 : 0); }

void ServerMetrics::SetOpenStreams(std::string_view platform, int open) {
  open_streams_->Add({{"platform", std::string(platform)}}).Set(open);
}

void ServerMetrics::CountWatchdogCloses(std::int64_t n) {
  if (n > 0) watchdog_closes_->Increment(static_cast<double>(n));
}

void ServerMetrics::ObserveSuggestion(double seconds) { suggestion_duration_->Observe(seconds); }

void ServerMetrics::CountReviewAction(std::string_view action) {
  review_actions_->Add({{"action", std::string(OneOf(action, {"approve", "amend", "reject"}))}})
      .Increment();
}

void ServerMetrics::CountExport(std::string_view format) {
  exports_->Add({{"format", std::string(OneOf(format, {"csv", "x12_837p", "fhir_r4"}))}})
      .Increment();
}

void ServerMetrics::CountHttpRequest(std::string_view method, std::string_view route,
                                     unsigned status) {
  const std::string_view known =
      OneOf(method, {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"});
  // A status outside 100..599 is not HTTP: one label for all of them.
  const std::string code = status >= 100 && status <= 599 ? std::to_string(status) : "other";
  http_requests_
      ->Add({{"method", std::string(known)}, {"route", std::string(route)}, {"status", code}})
      .Increment();
}

}  // namespace unitclock::metrics

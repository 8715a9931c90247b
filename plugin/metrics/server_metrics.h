#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

// unitclockd's Prometheus metrics (docs/metrics.md lists them, with each
// label's bound).
namespace unitclock::metrics {

// What became of events offered to the intake.
enum class EventOutcome {
  kRecorded,         // stored now
  kAlreadyRecorded,  // stored before (an identical retry)
  kRejected,         // refused, acknowledged REJECTED with a status code
  kFailed,           // the store failed: not acknowledged, the client sends them again
};

// The store calls whose failures are counted.
enum class StoreOperation {
  kAppend,  // a group commit (every append of the group fails with it)
  kHealth,  // the health probe (unitclockd's --db answers)
};

// The one metrics object of a unitclockd: a registry and every family, the
// series of bounded label sets made ahead where the hot path records.
//
// The parts that record take a `ServerMetrics*` in their options (nullptr:
// record nothing), so that tests and tools that build them without metrics
// work unchanged. Recording is a few relaxed atomic operations (a histogram
// also takes prometheus-cpp's mutex); recording a label value not made ahead
// (HTTP requests, streams, errors) also looks its series up under the
// family's mutex.
//
// Labels never carry a patient or provider reference, a session or event id,
// or a raw path: every label value comes from a fixed set, the status codes,
// the route templates, or the token file's platforms.
//
// Thread-safe.
class ServerMetrics {
 public:
  ServerMetrics();
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // The registry, for the endpoint (MetricsEndpoint).
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // Every series now, in Prometheus' text exposition format (what a scrape
  // of the endpoint returns).
  std::string Render() const;

  // ---- Intake (EventIntake) ----
  // `n` events had `outcome`; `code` is the rejection's or failure's status
  // code (ignored for kRecorded and kAlreadyRecorded).
  void CountEvents(EventOutcome outcome, std::int64_t n,
                   absl::StatusCode code = absl::StatusCode::kOk);
  // `n` events acknowledged `seconds` after they were received.
  void ObserveAckLatency(double seconds, std::int64_t n);

  // ---- Store (GroupCommitWriter, the health probe) ----
  // One group commit of `events` events that took `seconds`.
  void ObserveCommit(std::int64_t events, double seconds);
  void CountStoreError(StoreOperation operation, absl::StatusCode code);
  // The latest health probe: the database answered or not.
  void SetStoreHealthy(bool healthy);

  // ---- Streams (Gate) ----
  // `platform` now holds `open` streams. `platform` is a token file's
  // platform, or "*" for a token of every platform.
  void SetOpenStreams(std::string_view platform, int open);

  // ---- Watchdog ----
  void CountWatchdogCloses(std::int64_t n);

  // ---- Coding and review ----
  // One SuggestCodes call answered in `seconds` (loading its sessions and coding them).
  void ObserveSuggestion(double seconds);
  // One review action recorded: "approve", "amend" or "reject" (core::ReviewActionName);
  // another name counts as "other".
  void CountReviewAction(std::string_view action);
  // One export committed, in "csv", "x12_837p" or "fhir_r4"; another as "other".
  void CountExport(std::string_view format);

  // ---- HTTP face ----
  // One response: `method` (a method outside GET, HEAD, POST, PUT, PATCH,
  // DELETE and OPTIONS counts as "other"), `route` the route template that
  // matched or "-", `status` the HTTP status code.
  void CountHttpRequest(std::string_view method, std::string_view route, unsigned status);

 private:
  prometheus::Counter& RejectedOrFailed(EventOutcome outcome, absl::StatusCode code);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* events_;
  prometheus::Counter* recorded_;
  prometheus::Counter* already_recorded_;
  // kRejected's and kFailed's series by status code, made on first use.
  static constexpr int kCodes = 17;
  std::array<std::atomic<prometheus::Counter*>, kCodes> rejected_{};
  std::array<std::atomic<prometheus::Counter*>, kCodes> failed_{};
  prometheus::Histogram* ack_latency_;
  prometheus::Histogram* commit_events_;
  prometheus::Histogram* commit_duration_;
  prometheus::Family<prometheus::Counter>* store_errors_;
  prometheus::Gauge* store_healthy_;
  prometheus::Family<prometheus::Gauge>* open_streams_;
  prometheus::Counter* watchdog_closes_;
  prometheus::Histogram* suggestion_duration_;
  prometheus::Family<prometheus::Counter>* review_actions_;
  prometheus::Family<prometheus::Counter>* exports_;
  prometheus::Family<prometheus::Counter>* http_requests_;
};

// The name of a status code as labels carry it ("INVALID_ARGUMENT"): one of
// the 17 gRPC codes, "UNKNOWN" for a value outside them.
std::string StatusCodeLabel(absl::StatusCode code);

}  // namespace unitclock::metrics

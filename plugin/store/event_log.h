#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "core/time.h"

namespace unitclock::metrics {
class ServerMetrics;
}

// The event log: one of the store's two concerns (the other is the review
// ledger, review_ledger.h). An interface with two implementations, SQLite
// (plugin/store/sqlite, the embedded default) and PostgreSQL
// (plugin/store/postgres, shared by several unitclockd instances); both pass
// one contract test suite (tests/plugin/store/event_log_contract_test.cc).
namespace unitclock::store {

// Facts of a SessionStarted (or MonitoringEpisodeStarted) event that
// sessions are listed by.
struct SessionIndexFacts {
  std::string platform;
  std::string patient_ref;
};

// One event as the log keeps it. The log does not interpret `payload`: it is
// the event's canonical encoding, compared byte for byte to tell an identical
// retry from a conflicting reuse of an event id.
struct StoredEvent {
  std::string event_id;
  std::string session_id;
  // On append, the platform (tenant) sending the event: the first event of a
  // session makes it the session's owner, and an event of another owner's
  // session is refused. Empty for unitclock's own writers (the watchdog),
  // which neither claim nor are checked. Never set by loads.
  std::string platform;
  core::TimePoint occurred_at{};
  std::string payload;
  // Set on append when the event is a SessionStarted or a
  // MonitoringEpisodeStarted; never set by loads.
  std::optional<SessionIndexFacts> started;
  // Set on append for a monitoring episode's event: its session is then an
  // episode, which ListOpenSessions never lists (the watchdog closes idle
  // visits, not months-long episodes) and which ListSessions finds by kind.
  // Never set by loads.
  bool monitoring = false;
  // Set on append when the event is a SessionStopped: the session is then
  // stopped for good (ListOpenSessions no longer lists it). Never set by loads.
  bool stops_session = false;
  // On append, if set: store the event only if its session then holds
  // exactly this many events, else FAILED_PRECONDITION (nothing written). The
  // watchdog's stop carries the count it saw, so that a session that received
  // an event after the scan stays open. An identical event already stored is
  // still ALREADY_RECORDED. Never set by loads.
  std::optional<std::int64_t> only_if_event_count;
};

// A session that no SessionStopped has closed yet, as ListOpenSessions
// returns it.
struct OpenSession {
  std::string session_id;
  core::TimePoint last_event_time{};  // the latest occurred_at of its events
  std::int64_t event_count = 0;       // the events it holds
  friend bool operator==(const OpenSession&, const OpenSession&) = default;
};

// What became of one appended event.
enum class AppendOutcome {
  kRecorded,         // stored now
  kAlreadyRecorded,  // an identical event with this id was stored before
};

// The result of one append: one outcome or per-event error per event.
using AppendResults = std::vector<absl::StatusOr<AppendOutcome>>;

// What a session is: a visit, or a remote monitoring episode (a session any
// of whose events is a monitoring event).
enum class SessionKind { kVisit, kMonitoringEpisode };

// Filters of ListSessions; empty fields do not filter.
struct SessionQuery {
  std::string platform;  // the owning platform (tenant)
  std::string patient_ref;
  std::optional<SessionKind> kind;                // unset: both kinds
  std::optional<core::TimePoint> start_time_min;  // inclusive
  std::optional<core::TimePoint> start_time_max;  // exclusive
  int page_size = 100;                            // 1..1000
  std::string page_token;                         // from a previous SessionPage
};

// One page of session ids, ordered by start time (sessions without a
// SessionStarted or MonitoringEpisodeStarted event first) then session id.
struct SessionPage {
  std::vector<std::string> session_ids;
  std::string next_page_token;  // empty on the last page
};

// Limits the log enforces, whatever writes to it.
struct StoreOptions {
  // An event beyond this many in one session is refused (RESOURCE_EXHAUSTED).
  std::int64_t max_events_per_session = 100000;
  // Where the group commit records its groups, durations and failures;
  // nullptr records nothing. Must outlive the store.
  metrics::ServerMetrics* metrics = nullptr;
};

// What appending `e` means when an event of its id is stored already, with
// this session, time and payload: kAlreadyRecorded if they are `e`'s, else
// ALREADY_EXISTS. When only the payload bytes differ, the error carries the
// stored payload (StoredPayloadOf), so that the caller, who knows what the
// bytes mean, may still recognise a retry encoded otherwise. The one
// comparison of both backends.
absl::StatusOr<AppendOutcome> CompareWithStored(std::string_view stored_session,
                                                std::int64_t stored_occurred_at_ms,
                                                std::string_view stored_payload,
                                                const StoredEvent& e);

// The stored payload that an ALREADY_EXISTS of CompareWithStored carries;
// nullopt for any other status.
std::optional<std::string> StoredPayloadOf(const absl::Status& status);

// The durable, idempotent event log: once an append calls back with OK,
// what it wrote survives a crash of the process or of the machine (and, on
// PostgreSQL, of any instance sharing the database).
//
// Group commit: appends are committed by one writer thread, which takes
// every append waiting (up to kMaxGroupEvents events) into one transaction
// and one sync of the log; concurrent appends thus share a commit's cost.
// Reads use connections of their own, so that they do not wait for a
// commit's sync.
//
// Several writers (instances) may share one log: an event id is stored once
// whichever writer receives it first, and conditional appends
// (StoredEvent::only_if_event_count) are decided against the log as it is
// at commit.
//
// Thread-safe. Errors of the database itself, including losing it, are
// UNAVAILABLE: the caller may try again, and nothing of a failed append is
// stored.
class EventLog {
 public:
  virtual ~EventLog() = default;

  // Called once with the results of an append (one per event, in order), on
  // the writer thread, after the commit. Must not block, and must not wait
  // for another append.
  using AppendDone = absl::AnyInvocable<void(absl::StatusOr<AppendResults>) &&>;

  // Queues `events` for the next group commit and returns at once; `done`
  // gets one result per event, in order: kRecorded, kAlreadyRecorded, or an
  // error for that event alone (it is not stored; the others are):
  // ALREADY_EXISTS when the event id is stored with a different session, time
  // or payload (see CompareWithStored), or when the session belongs to
  // another platform (see
  // StoredEvent::platform); RESOURCE_EXHAUSTED when the session holds
  // StoreOptions::max_events_per_session events; FAILED_PRECONDITION for a
  // failed only_if_event_count. Appends are committed in the order they are
  // queued. A group's transaction fails as a whole (UNAVAILABLE for each
  // append in it).
  virtual void AppendAsync(std::vector<StoredEvent> events, AppendDone done) = 0;

  // AppendAsync, waiting for the results.
  absl::StatusOr<AppendResults> Append(std::span<const StoredEvent> events);

  // The most events one group commit takes (one append larger than this is
  // committed alone).
  static constexpr std::size_t kMaxGroupEvents = 4096;

  // Group commits so far by this process, and the events they took: their
  // ratio is the average group size. `queued_events`: events waiting for the
  // writer now.
  struct WriteStats {
    std::int64_t commits = 0;
    std::int64_t events = 0;
    std::int64_t queued_events = 0;
  };
  virtual WriteStats Stats() = 0;

  // Returns the events of one session ordered by occurred_at then event_id;
  // empty if the session has none.
  virtual absl::StatusOr<std::vector<StoredEvent>> LoadSession(std::string_view session_id) = 0;

  // The platform owning a session: nullopt if the session has no event, an
  // empty string if it was written by unitclock's own writers only.
  virtual absl::StatusOr<std::optional<std::string>> SessionOwner(std::string_view session_id) = 0;

  // Lists session ids matching `query`. A session is a monitoring episode
  // (SessionKind::kMonitoringEpisode) once any of its stored events was
  // appended with `monitoring` set, a visit otherwise. INVALID_ARGUMENT for
  // a malformed page token or a page size outside 1..1000.
  virtual absl::StatusOr<SessionPage> ListSessions(const SessionQuery& query) = 0;

  // Lists the visit sessions with no SessionStopped event whose latest event
  // occurred strictly before `last_event_before`, ordered by that latest
  // event's time, then session id. A late event of a stopped session does
  // not reopen it; a monitoring episode is never listed. For the watchdog.
  virtual absl::StatusOr<std::vector<OpenSession>> ListOpenSessions(
      core::TimePoint last_event_before) = 0;

  // The number of distinct events stored.
  virtual absl::StatusOr<std::int64_t> CountEvents() = 0;

  // OK if the database can be reached now, else UNAVAILABLE saying why. For
  // health checks: cheap enough to call every second; it may probe the
  // database (and reconnect) when the last operation failed.
  virtual absl::Status Health() = 0;
};

}  // namespace unitclock::store

#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/time.h"

struct sqlite3;

namespace unitclock::sqlite {
class StatementCache;
}  // namespace unitclock::sqlite

namespace unitclock::store {

// Facts of a SessionStarted event that sessions are listed by.
struct SessionIndexFacts {
  std::string platform;
  std::string patient_ref;
};

// One event as the store keeps it. The store does not interpret `payload`:
// it is the event's canonical encoding, compared byte for byte to tell an
// identical retry from a conflicting reuse of an event id.
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
  // Set on append when the event is a SessionStarted; never set by loads.
  std::optional<SessionIndexFacts> started;
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

// The result of one Append: one outcome or per-event error per event.
using AppendResults = std::vector<absl::StatusOr<AppendOutcome>>;

// Filters of ListSessions; empty fields do not filter.
struct SessionQuery {
  std::string platform;  // the owning platform (tenant)
  std::string patient_ref;
  std::optional<core::TimePoint> start_time_min;  // inclusive
  std::optional<core::TimePoint> start_time_max;  // exclusive
  int page_size = 100;                            // 1..1000
  std::string page_token;                         // from a previous SessionPage
};

// One page of session ids, ordered by start time (sessions without a
// SessionStarted event first) then session id.
struct SessionPage {
  std::vector<std::string> session_ids;
  std::string next_page_token;  // empty on the last page
};

// One entry of the append-only audit trail: what a reviewer (or an export)
// did to one suggestion, and on which content. Never changed or removed once
// written (the database itself refuses UPDATE and DELETE of audit records).
struct AuditRecord {
  std::int64_t record_id = 0;  // set by the store; increases with every record
  core::TimePoint recorded_at{};
  std::string actor;     // who acted (the reviewer, or the exporting user)
  std::string platform;  // the suggestion's key: platform, patient, date of service
  std::string action;    // core::ReviewActionName: approve, amend, reject, export
  std::string suggestion_id;
  std::string patient_ref;
  std::string date_of_service;  // YYYY-MM-DD
  std::string fingerprint;      // the suggestion's content when the action was taken
  std::string reason;           // empty if none
  std::string override_reason;  // empty if none
  std::string before;           // the lines before the action, encoded; empty if none
  std::string after;            // the lines after the action, encoded; empty if none
  std::string batch_id;         // the export batch of an export record; empty otherwise
  friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

// One export: the file handed to billing, as RecordExport stores it.
struct ExportBatch {
  std::string batch_id;
  core::TimePoint created_at{};
  std::string actor;
  std::string platform;
  std::string format;       // the export format's name, as the API spells it
  std::string range_start;  // first date of service covered, YYYY-MM-DD
  std::string range_end;    // last date of service covered, YYYY-MM-DD
  int claim_count = 0;
  int line_count = 0;
  friend bool operator==(const ExportBatch&, const ExportBatch&) = default;
};

// Limits the store enforces, whatever writes to it.
struct StoreOptions {
  // An event beyond this many in one session is refused (RESOURCE_EXHAUSTED).
  std::int64_t max_events_per_session = 100000;
};

// The durable, idempotent event log and the append-only review audit trail,
// in one SQLite file (WAL mode, synchronous=FULL): once a write call
// (Append, AppendAudit, RecordExport) returns OK, or
// AppendAsync calls back with OK, what it wrote survives a crash of the
// process or of the machine.
//
// Group commit: events are appended by one writer thread, which takes every
// append waiting (up to kMaxGroupEvents events) into one transaction and one
// sync of the log; concurrent appends thus share the cost of a commit.
//
// Thread-safe: one connection, every call serialised by a mutex.
// Errors of the database itself are UNAVAILABLE.
class SqliteEventStore {
 public:
  // Opens or creates the database at `path` (its folder must exist) and
  // brings its schema up to date. Errors: UNAVAILABLE if the file cannot be
  // opened, FAILED_PRECONDITION if it was written by a newer unitclock.
  static absl::StatusOr<std::unique_ptr<SqliteEventStore>> Open(const std::string& path,
                                                                StoreOptions options = {});

  ~SqliteEventStore();
  SqliteEventStore(const SqliteEventStore&) = delete;
  SqliteEventStore& operator=(const SqliteEventStore&) = delete;

  // Appends `events` in one transaction and makes it durable before
  // returning. Returns one result per event, in order: kRecorded,
  // kAlreadyRecorded, or an error for that event alone (it is not stored; the
  // others are): ALREADY_EXISTS when the event id is stored with a different
  // session, time or payload, or when the session belongs to another platform
  // (see StoredEvent::platform); RESOURCE_EXHAUSTED when the session holds
  // StoreOptions::max_events_per_session events. Returns an error
  // (UNAVAILABLE), and stores nothing, if the transaction fails.
  // Waits for the group commit that takes `events` (see AppendAsync).
  absl::StatusOr<AppendResults> Append(std::span<const StoredEvent> events);

  // Called once with what Append would return, on the writer thread, after
  // the commit. Must not block, and must not wait for another append.
  using AppendDone = absl::AnyInvocable<void(absl::StatusOr<AppendResults>) &&>;

  // Queues `events` for the next group commit and returns at once; `done`
  // gets the results. Appends are committed in the order they are queued.
  // A group's transaction fails as a whole (UNAVAILABLE for each append in
  // it); per-event errors concern their event alone.
  void AppendAsync(std::vector<StoredEvent> events, AppendDone done);

  // Group commits so far, and the events they took: their ratio is the
  // average group size. `queued_events`: events waiting for the writer now.
  struct WriteStats {
    std::int64_t commits = 0;
    std::int64_t events = 0;
    std::int64_t queued_events = 0;
  };
  WriteStats Stats();

  // The most events one group commit takes (one append larger than this is
  // committed alone).
  static constexpr std::size_t kMaxGroupEvents = 4096;

  // Returns the events of one session ordered by occurred_at then event_id;
  // empty if the session has none.
  absl::StatusOr<std::vector<StoredEvent>> LoadSession(std::string_view session_id);

  // The platform owning a session: nullopt if the session has no event, an
  // empty string if it was written by unitclock's own writers only.
  absl::StatusOr<std::optional<std::string>> SessionOwner(std::string_view session_id);

  // Lists session ids matching `query`. INVALID_ARGUMENT for a malformed
  // page token or a page size outside 1..1000.
  absl::StatusOr<SessionPage> ListSessions(const SessionQuery& query);

  // Lists the sessions with no SessionStopped event whose latest event
  // occurred strictly before `last_event_before`, ordered by that latest
  // event's time, then session id. A late event of a stopped session does
  // not reopen it. For the watchdog; uses an index of open sessions.
  absl::StatusOr<std::vector<OpenSession>> ListOpenSessions(core::TimePoint last_event_before);

  // The number of distinct events stored.
  absl::StatusOr<std::int64_t> CountEvents();

  // ---- Audit trail ----

  // Appends `record` to the audit trail, durably, and returns its record_id
  // (the record_id passed in is ignored). Records are never deduplicated: a
  // retry appends a second record.
  absl::StatusOr<std::int64_t> AppendAudit(const AuditRecord& record);

  // The audit records of one suggestion of `platform`, oldest first (by
  // record_id); empty if it has none. (A suggestion id names a patient-day of
  // its platform: two platforms may use the same one.)
  absl::StatusOr<std::vector<AuditRecord>> ListAudit(const std::string& platform,
                                                     const std::string& suggestion_id);

  // The audit records of every suggestion of one patient on one date of
  // service on one platform, oldest first (by record_id).
  absl::StatusOr<std::vector<AuditRecord>> ListAuditForPatientDay(
      const std::string& platform, const std::string& patient_ref,
      const std::string& date_of_service);

  // Records an export in one transaction: the `batch` row plus one audit
  // record per element of `exports` (one per exported suggestion), whose
  // action the store sets to "export" and batch_id to batch.batch_id (their
  // record_id is ignored). All or nothing, durable before returning. Returns
  // the number of audit records written. ALREADY_EXISTS, and nothing written,
  // if batch.batch_id was recorded before.
  absl::StatusOr<std::int64_t> RecordExport(const ExportBatch& batch,
                                            std::span<const AuditRecord> exports);

 private:
  struct PendingAppend {
    std::vector<StoredEvent> events;
    AppendDone done;
  };

  SqliteEventStore(sqlite3* db, StoreOptions options);
  // The writer thread: commits the queued appends, a group at a time, until
  // the store is destroyed and the queue is empty.
  void WriteLoop();
  // Appends a group in one transaction; one result per append.
  std::vector<absl::StatusOr<AppendResults>> CommitGroup(std::span<const PendingAppend> group);

  absl::Mutex mu_;
  sqlite3* const db_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<sqlite::StatementCache> cache_ ABSL_GUARDED_BY(mu_);
  const StoreOptions options_;

  absl::Mutex queue_mu_;
  absl::CondVar queue_cv_;
  std::deque<PendingAppend> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  WriteStats stats_ ABSL_GUARDED_BY(queue_mu_);
  std::thread writer_;  // last: starts once everything above is ready
};

}  // namespace unitclock::store

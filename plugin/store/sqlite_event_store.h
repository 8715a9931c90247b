#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/time.h"

struct sqlite3;

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
  core::TimePoint occurred_at{};
  std::string payload;
  // Set on append when the event is a SessionStarted; never set by loads.
  std::optional<SessionIndexFacts> started;
  // Set on append when the event is a SessionStopped: the session is then
  // stopped for good (ListOpenSessions no longer lists it). Never set by loads.
  bool stops_session = false;
};

// A session that no SessionStopped has closed yet, as ListOpenSessions
// returns it.
struct OpenSession {
  std::string session_id;
  core::TimePoint last_event_time{};  // the latest occurred_at of its events
  friend bool operator==(const OpenSession&, const OpenSession&) = default;
};

// What became of one appended event.
enum class AppendOutcome {
  kRecorded,         // stored now
  kAlreadyRecorded,  // an identical event with this id was stored before
};

// Filters of ListSessions; empty fields do not filter.
struct SessionQuery {
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

// The durable, idempotent event log in one SQLite file (WAL mode,
// synchronous=FULL): once Append returns, its events survive a crash of the
// process or of the machine.
//
// Thread-safe: one connection, every call serialised by a mutex.
class SqliteEventStore {
 public:
  // Opens or creates the database at `path` (its folder must exist) and
  // brings its schema up to date. Errors: UNAVAILABLE if the file cannot be
  // opened, FAILED_PRECONDITION if it was written by a newer unitclock.
  static absl::StatusOr<std::unique_ptr<SqliteEventStore>> Open(const std::string& path);

  ~SqliteEventStore();
  SqliteEventStore(const SqliteEventStore&) = delete;
  SqliteEventStore& operator=(const SqliteEventStore&) = delete;

  // Appends `events` in one transaction and makes it durable before
  // returning. Returns one result per event, in order: kRecorded,
  // kAlreadyRecorded, or ALREADY_EXISTS when the event id is stored with a
  // different session, time or payload (that event is not stored; the others
  // are). Returns an error, and stores nothing, if the transaction fails.
  absl::StatusOr<std::vector<absl::StatusOr<AppendOutcome>>> Append(
      std::span<const StoredEvent> events);

  // Returns the events of one session ordered by occurred_at then event_id;
  // empty if the session has none.
  absl::StatusOr<std::vector<StoredEvent>> LoadSession(std::string_view session_id);

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

 private:
  explicit SqliteEventStore(sqlite3* db);

  absl::Mutex mu_;
  sqlite3* const db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace unitclock::store

#include "plugin/store/sqlite_event_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <future>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "core/review.h"
#include "plugin/sqlite/statement.h"

namespace unitclock::store {
namespace {

constexpr int kSchemaVersion = 3;

// The schema. `events` is the log; `sessions` indexes sessions for listing
// and for the watchdog, and is maintained in the same transaction as the
// events: `last_event_ms` is the latest occurred_at of the session's events,
// `stopped` is 1 once any SessionStopped of the session is stored,
// `platform` is the owning tenant (set by the session's first event, or by
// its SessionStarted for sessions written by unitclock's own writers) and
// `event_count` the number of its events.
// `audit_records` is the review trail; its triggers make it append-only even
// for other programs writing the file (INSERT OR REPLACE deletes without
// firing DELETE triggers, hence the third). A suggestion id names its key
// (core::SuggestionId), so no table maps ids to keys. `export_batches` has
// one row per export, whose suggestions have "export" audit records carrying
// its batch_id.
constexpr const char* kSchema = R"sql(
CREATE TABLE events (
  event_id       TEXT PRIMARY KEY,
  session_id     TEXT NOT NULL,
  occurred_at_ms INTEGER NOT NULL,
  payload        BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX events_by_session ON events (session_id, occurred_at_ms, event_id);
CREATE TABLE sessions (
  session_id    TEXT PRIMARY KEY,
  platform      TEXT,
  patient_ref   TEXT,
  start_ms      INTEGER,
  last_event_ms INTEGER NOT NULL,
  stopped       INTEGER NOT NULL DEFAULT 0,
  event_count   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sessions_by_platform ON sessions (platform, start_ms, session_id);
CREATE INDEX sessions_by_patient ON sessions (patient_ref, start_ms, session_id);
CREATE INDEX sessions_by_start ON sessions (start_ms, session_id);
CREATE INDEX open_sessions_by_last_event ON sessions (last_event_ms, session_id)
  WHERE stopped = 0;
CREATE TABLE audit_records (
  record_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  recorded_at_ms  INTEGER NOT NULL,
  actor           TEXT NOT NULL,
  platform        TEXT NOT NULL,
  action          TEXT NOT NULL,
  suggestion_id   TEXT NOT NULL,
  patient_ref     TEXT NOT NULL,
  date_of_service TEXT NOT NULL,
  fingerprint     TEXT NOT NULL,
  reason          TEXT NOT NULL DEFAULT '',
  override_reason TEXT NOT NULL DEFAULT '',
  "before"        BLOB,
  "after"         BLOB,
  batch_id        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_suggestion ON audit_records (suggestion_id, record_id);
CREATE INDEX audit_by_patient_day
  ON audit_records (platform, patient_ref, date_of_service, record_id);
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_replace BEFORE INSERT ON audit_records
  WHEN EXISTS (SELECT 1 FROM audit_records WHERE record_id = NEW.record_id)
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TABLE export_batches (
  batch_id      TEXT PRIMARY KEY,
  created_at_ms INTEGER NOT NULL,
  actor         TEXT NOT NULL,
  platform      TEXT NOT NULL,
  format        TEXT NOT NULL,
  range_start   TEXT NOT NULL,
  range_end     TEXT NOT NULL,
  claim_count   INTEGER NOT NULL,
  line_count    INTEGER NOT NULL
) WITHOUT ROWID;
PRAGMA user_version = 3;
)sql";

// From schema 1: sessions gain their event count (the per-session limit) and
// an index by owner.
constexpr const char* kMigrateFrom1 = R"sql(
ALTER TABLE sessions ADD COLUMN event_count INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET event_count =
  (SELECT COUNT(*) FROM events WHERE events.session_id = sessions.session_id);
CREATE INDEX sessions_by_platform ON sessions (platform, start_ms, session_id);
PRAGMA user_version = 2;
)sql";

// Sessions without a SessionStarted event sort first in listings.
constexpr std::int64_t kNoStart = std::numeric_limits<std::int64_t>::min();

// Prefixes the errors of the database: "event store: <what>: <SQLite's message>".
constexpr std::string_view kOwner = "event store";

using sqlite::Statement;
using sqlite::StatementCache;

// Runs one cached statement that returns no rows.
absl::Status Run(StatementCache& cache, const char* sql) {
  Statement st(cache, sql);
  if (!st.ok() || st.Step() != SQLITE_DONE) return st.Error(sql);
  return absl::OkStatus();
}

// sqlite::Exec for this store's connection.
absl::Status Exec(sqlite3* db, const char* sql) { return sqlite::Exec(db, kOwner, sql); }

// From schema 2: suggestion ids name their key (core::SuggestionId) instead
// of hashing it, and `suggestion_keys`, which mapped the old ids to their
// keys (written by read calls), goes. The audit records of each old id take
// its new id; the append-only trigger is lifted for this one rewrite only,
// inside the migration's transaction.
absl::Status MigrateFrom2(sqlite3* db) {
  absl::Status st = Exec(db, "DROP TRIGGER audit_records_no_update");
  {
    sqlite::Statement keys(db, kOwner,
                           "SELECT suggestion_id, patient_ref, date_of_service, payer_id, "
                           "discipline FROM suggestion_keys");
    if (st.ok() && !keys.ok()) st = keys.Error("prepare");
    int rc = SQLITE_ROW;
    while (st.ok() && (rc = keys.Step()) == SQLITE_ROW) {
      core::SuggestionKey key;
      key.patient_ref = keys.Text(1);
      const std::optional<core::Day> day = core::ParseDay(keys.Text(2));
      if (!day) {
        st = absl::DataLossError("event store: suggestion_keys: bad date of service");
        break;
      }
      key.date_of_service = *day;
      key.payer_id = keys.Text(3);
      key.discipline = static_cast<core::Discipline>(keys.Int(4));
      sqlite::Statement rename(
          db, kOwner, "UPDATE audit_records SET suggestion_id = ? WHERE suggestion_id = ?");
      if (!rename.ok()) {
        st = rename.Error("prepare");
        break;
      }
      rename.Bind(1, core::SuggestionId(key));
      rename.Bind(2, keys.Text(0));
      if (rename.Step() != SQLITE_DONE) st = rename.Error("rename suggestion");
    }
    if (st.ok() && rc != SQLITE_DONE) st = keys.Error("read suggestion_keys");
  }
  if (st.ok()) {
    st = Exec(db, R"sql(
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
DROP TABLE suggestion_keys;
PRAGMA user_version = 3;
)sql");
  }
  return st;
}

std::int64_t ToMillis(core::TimePoint t) { return t.time_since_epoch().count(); }

// Page tokens are "<start_ms>/<session_id>" of the last session returned.
// Clients treat them as opaque.
std::string MakePageToken(std::int64_t start_ms, const std::string& session_id) {
  return std::to_string(start_ms) + "/" + session_id;
}

bool ParsePageToken(const std::string& token, std::int64_t& start_ms, std::string& session_id) {
  const auto slash = token.find('/');
  if (slash == std::string::npos || slash + 1 >= token.size()) return false;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + slash, start_ms);
  if (ec != std::errc() || ptr != token.data() + slash) return false;
  session_id = token.substr(slash + 1);
  return true;
}

// What the store keeps of one session in the `sessions` table, as a group
// commit reads it once and writes it back once, whatever the number of the
// group's events in the session.
struct SessionRow {
  bool exists = false;                  // stored before this group
  bool changed = false;                 // to be written back
  bool facts_changed = false;           // platform, patient_ref or start_ms (indexed) too
  std::optional<std::string> platform;  // the owner; none if written by unitclock only
  std::optional<std::string> patient_ref;
  std::optional<std::int64_t> start_ms;
  std::int64_t last_event_ms = std::numeric_limits<std::int64_t>::min();
  bool stopped = false;
  std::int64_t event_count = 0;
};

// The sessions a group commit touches, read on first use.
class SessionRows {
 public:
  explicit SessionRows(StatementCache& db) : db_(db) {}

  absl::StatusOr<SessionRow*> Get(const std::string& session_id) {
    auto [it, inserted] = rows_.try_emplace(session_id);
    if (!inserted) return &it->second;
    Statement q(db_,
                "SELECT platform, patient_ref, start_ms, last_event_ms, stopped, event_count "
                "FROM sessions WHERE session_id = ?");
    if (!q.ok()) return q.Error("prepare");
    q.Bind(1, session_id);
    const int rc = q.Step();
    if (rc == SQLITE_ROW) {
      SessionRow& row = it->second;
      row.exists = true;
      if (!q.IsNull(0)) row.platform = q.Text(0);
      if (!q.IsNull(1)) row.patient_ref = q.Text(1);
      if (!q.IsNull(2)) row.start_ms = q.Int(2);
      row.last_event_ms = q.Int(3);
      row.stopped = q.Int(4) != 0;
      row.event_count = q.Int(5);
    } else if (rc != SQLITE_DONE) {
      return q.Error("read session");
    }
    return &it->second;
  }

  // Writes back every changed session.
  absl::Status Flush() {
    for (const auto& [session_id, row] : rows_) {
      if (!row.changed) continue;
      // Most groups add events to sessions already listed: their update
      // leaves the columns that three of the indexes are on alone.
      const char* sql = !row.exists ? "INSERT INTO sessions (session_id, platform, patient_ref, "
                                      "start_ms, last_event_ms, stopped, event_count) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                        : row.facts_changed
                            ? "UPDATE sessions SET platform = ?2, patient_ref = ?3, "
                              "start_ms = ?4, last_event_ms = ?5, stopped = ?6, "
                              "event_count = ?7 WHERE session_id = ?1"
                            : "UPDATE sessions SET last_event_ms = ?5, stopped = ?6, "
                              "event_count = ?7 WHERE session_id = ?1";  // ?2-?4 unused
      Statement w(db_, sql);
      if (!w.ok()) return w.Error("prepare");
      w.Bind(1, session_id);
      BindOptional(w, 2, row.platform);
      BindOptional(w, 3, row.patient_ref);
      if (row.start_ms) {
        w.Bind(4, *row.start_ms);
      } else {
        w.BindNull(4);
      }
      w.Bind(5, row.last_event_ms);
      w.Bind(6, std::int64_t{row.stopped ? 1 : 0});
      w.Bind(7, row.event_count);
      if (w.Step() != SQLITE_DONE) return w.Error("write session");
    }
    return absl::OkStatus();
  }

 private:
  static void BindOptional(Statement& st, int i, const std::optional<std::string>& v) {
    if (v) {
      st.Bind(i, *v);
    } else {
      st.BindNull(i);
    }
  }

  StatementCache& db_;
  std::unordered_map<std::string, SessionRow> rows_;
};

// Compares event `e` with the stored event of the same id: kAlreadyRecorded
// if identical, ALREADY_EXISTS if not; nullopt if no event has that id.
absl::StatusOr<std::optional<AppendOutcome>> CompareStored(StatementCache& db,
                                                           const StoredEvent& e) {
  Statement existing(db,
                     "SELECT session_id, occurred_at_ms, payload FROM events WHERE event_id = ?");
  if (!existing.ok()) return existing.Error("prepare");
  existing.Bind(1, e.event_id);
  const int rc = existing.Step();
  if (rc == SQLITE_DONE) return std::optional<AppendOutcome>();
  if (rc != SQLITE_ROW) return existing.Error("read event");
  const bool same = existing.Text(0) == e.session_id &&
                    existing.Int(1) == ToMillis(e.occurred_at) && existing.BlobEquals(2, e.payload);
  if (same) return std::optional<AppendOutcome>(AppendOutcome::kAlreadyRecorded);
  return absl::AlreadyExistsError(
      "event.event_id: an event with this id was already recorded with different content; "
      "use a new event_id for a new event");
}

// Appends one event inside an open transaction; its session's row changes in
// `sessions` (written back by the caller). Errors other than UNAVAILABLE
// concern this event alone, and are found before anything is written, so the
// event leaves no trace; an UNAVAILABLE error aborts the whole transaction.
absl::StatusOr<AppendOutcome> AppendOne(StatementCache& db, SessionRows& sessions,
                                        const StoredEvent& e, const StoreOptions& options) {
  absl::StatusOr<SessionRow*> found = sessions.Get(e.session_id);
  if (!found.ok()) return found.status();
  SessionRow& row = **found;
  // Says only that the id is taken, nothing of the session that holds it.
  if (!e.platform.empty() && row.platform && !row.platform->empty() &&
      *row.platform != e.platform) {
    return absl::AlreadyExistsError(
        "event.session_id: already in use; session ids must be unique across platforms (use "
        "a UUID)");
  }
  if (e.only_if_event_count && row.event_count != *e.only_if_event_count) {
    absl::StatusOr<std::optional<AppendOutcome>> stored = CompareStored(db, e);
    if (!stored.ok()) return stored.status();
    if (*stored) return **stored;
    return absl::FailedPreconditionError(
        "event.session_id: the session now holds " + std::to_string(row.event_count) +
        " events, not the " + std::to_string(*e.only_if_event_count) + " this event expects");
  }
  if (row.event_count >= options.max_events_per_session) {
    absl::StatusOr<std::optional<AppendOutcome>> stored = CompareStored(db, e);
    if (!stored.ok()) return stored.status();
    if (*stored) return **stored;
    return absl::ResourceExhaustedError("event.session_id: the session already holds " +
                                        std::to_string(row.event_count) +
                                        " events, the most one session may hold");
  }

  // Insert first: a new id (the usual case) costs one lookup.
  Statement insert(db,
                   "INSERT INTO events (event_id, session_id, occurred_at_ms, payload) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING");
  if (!insert.ok()) return insert.Error("prepare");
  insert.Bind(1, e.event_id);
  insert.Bind(2, e.session_id);
  insert.Bind(3, ToMillis(e.occurred_at));
  insert.BindBlob(4, e.payload);
  if (insert.Step() != SQLITE_DONE) return insert.Error("insert event");
  if (sqlite3_changes(db.db()) == 0) {
    absl::StatusOr<std::optional<AppendOutcome>> stored = CompareStored(db, e);
    if (!stored.ok()) return stored.status();
    if (!*stored) return absl::UnavailableError("event store: an event vanished while appending");
    return **stored;
  }

  const std::int64_t at = ToMillis(e.occurred_at);
  row.changed = true;
  if (!row.platform && !e.platform.empty()) {
    row.platform = e.platform;
    row.facts_changed = true;
  }
  row.last_event_ms = std::max(row.last_event_ms, at);
  row.stopped = row.stopped || e.stops_session;
  ++row.event_count;
  // The earliest SessionStarted wins, as in core::SummarizeSession.
  if (e.started && (!row.start_ms || *row.start_ms > at)) {
    row.facts_changed = true;
    if (!row.platform) row.platform = e.started->platform;
    row.patient_ref = e.started->patient_ref;
    row.start_ms = at;
  }
  return AppendOutcome::kRecorded;
}

// Binds `blob`, or NULL when it is empty (no lines before or after).
void BindOptionalBlob(Statement& st, int i, const std::string& blob) {
  if (blob.empty()) {
    st.BindNull(i);
  } else {
    st.BindBlob(i, blob);
  }
}

// Inserts one audit record with `action` and `batch_id` as given (not the
// record's own); returns its record_id.
absl::StatusOr<std::int64_t> InsertAudit(sqlite3* db, const AuditRecord& r,
                                         const std::string& action, const std::string& batch_id) {
  Statement insert(db, kOwner,
                   "INSERT INTO audit_records (recorded_at_ms, actor, platform, action, "
                   "suggestion_id, patient_ref, date_of_service, fingerprint, reason, "
                   "override_reason, \"before\", \"after\", batch_id) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.Error("prepare");
  insert.Bind(1, ToMillis(r.recorded_at));
  insert.Bind(2, r.actor);
  insert.Bind(3, r.platform);
  insert.Bind(4, action);
  insert.Bind(5, r.suggestion_id);
  insert.Bind(6, r.patient_ref);
  insert.Bind(7, r.date_of_service);
  insert.Bind(8, r.fingerprint);
  insert.Bind(9, r.reason);
  insert.Bind(10, r.override_reason);
  BindOptionalBlob(insert, 11, r.before);
  BindOptionalBlob(insert, 12, r.after);
  insert.Bind(13, batch_id);
  if (insert.Step() != SQLITE_DONE) return insert.Error("insert audit record");
  return sqlite3_last_insert_rowid(db);
}

constexpr const char* kAuditColumns =
    "record_id, recorded_at_ms, actor, platform, action, suggestion_id, patient_ref, "
    "date_of_service, fingerprint, reason, override_reason, \"before\", \"after\", batch_id";

// Reads the rows of a statement selecting kAuditColumns.
absl::StatusOr<std::vector<AuditRecord>> ReadAudit(Statement& q) {
  std::vector<AuditRecord> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    AuditRecord r;
    r.record_id = q.Int(0);
    r.recorded_at = core::TimePoint(core::Duration(q.Int(1)));
    r.actor = q.Text(2);
    r.platform = q.Text(3);
    r.action = q.Text(4);
    r.suggestion_id = q.Text(5);
    r.patient_ref = q.Text(6);
    r.date_of_service = q.Text(7);
    r.fingerprint = q.Text(8);
    r.reason = q.Text(9);
    r.override_reason = q.Text(10);
    r.before = q.Blob(11);
    r.after = q.Blob(12);
    r.batch_id = q.Text(13);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return q.Error("list audit records");
  return out;
}

// Inserts the row of an export batch inside an open transaction.
absl::Status InsertBatch(sqlite3* db, const ExportBatch& b) {
  Statement insert(db, kOwner,
                   "INSERT INTO export_batches (batch_id, created_at_ms, actor, platform, format, "
                   "range_start, range_end, claim_count, line_count) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.Error("prepare");
  insert.Bind(1, b.batch_id);
  insert.Bind(2, ToMillis(b.created_at));
  insert.Bind(3, b.actor);
  insert.Bind(4, b.platform);
  insert.Bind(5, b.format);
  insert.Bind(6, b.range_start);
  insert.Bind(7, b.range_end);
  insert.Bind(8, std::int64_t{b.claim_count});
  insert.Bind(9, std::int64_t{b.line_count});
  const int rc = insert.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return absl::AlreadyExistsError("batch.batch_id: an export batch with this id (\"" +
                                    b.batch_id + "\") was already recorded");
  }
  if (rc != SQLITE_DONE) return insert.Error("insert export batch");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteEventStore>> SqliteEventStore::Open(const std::string& path,
                                                                         StoreOptions options) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status st = sqlite::Error(db, kOwner, "cannot open \"" + path + "\"");
    sqlite3_close(db);
    return st;
  }
  std::unique_ptr<SqliteEventStore> store(new SqliteEventStore(db, options));
  absl::Status st = Exec(db, "PRAGMA journal_mode = WAL");
  // In WAL mode, synchronous=FULL syncs the log at every commit: a commit
  // that returned survives power loss, which an acknowledgement promises.
  if (st.ok()) st = Exec(db, "PRAGMA synchronous = FULL");
  if (st.ok()) st = Exec(db, "PRAGMA foreign_keys = ON");
  if (!st.ok()) return st;
  sqlite3_busy_timeout(db, 5000);

  std::int64_t v = 0;
  {
    // Finalized before any migration: DROP TABLE needs no statement pending.
    Statement version(db, kOwner, "PRAGMA user_version");
    if (!version.ok() || version.Step() != SQLITE_ROW) return version.Error("read schema version");
    v = version.Int(0);
  }
  if (v > kSchemaVersion) {
    return absl::FailedPreconditionError("event store: \"" + path + "\" has schema version " +
                                         std::to_string(v) + ", newer than this unitclockd (" +
                                         std::to_string(kSchemaVersion) + ")");
  }
  if (v == 0) {
    st = Exec(db, "BEGIN IMMEDIATE");
    if (st.ok()) st = Exec(db, kSchema);
    if (st.ok()) st = Exec(db, "COMMIT");
    if (!st.ok()) return st;
  } else if (v < kSchemaVersion) {
    // One transaction from the file's version to this one's.
    st = Exec(db, "BEGIN IMMEDIATE");
    if (st.ok() && v == 1) st = Exec(db, kMigrateFrom1);
    if (st.ok() && v <= 2) st = MigrateFrom2(db);
    if (st.ok()) st = Exec(db, "COMMIT");
    if (!st.ok()) {
      (void)Exec(db, "ROLLBACK");
      return st;
    }
  }
  return store;
}

SqliteEventStore::SqliteEventStore(sqlite3* db, StoreOptions options)
    : db_(db),
      cache_(std::make_unique<StatementCache>(db, kOwner)),
      options_(options),
      writer_([this] { WriteLoop(); }) {}

SqliteEventStore::~SqliteEventStore() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
    queue_cv_.Signal();
  }
  writer_.join();  // after writing what was queued
  absl::MutexLock lock(&mu_);
  cache_.reset();
  sqlite3_close(db_);
}

absl::StatusOr<AppendResults> SqliteEventStore::Append(std::span<const StoredEvent> events) {
  // std::promise, not absl::Notification: ThreadSanitizer sees through it.
  std::promise<absl::StatusOr<AppendResults>> done;
  std::future<absl::StatusOr<AppendResults>> out = done.get_future();
  AppendAsync(
      std::vector<StoredEvent>(events.begin(), events.end()),
      [&done](absl::StatusOr<AppendResults> results) { done.set_value(std::move(results)); });
  return out.get();
}

void SqliteEventStore::AppendAsync(std::vector<StoredEvent> events, AppendDone done) {
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(PendingAppend{std::move(events), std::move(done)});
  queue_cv_.Signal();
}

SqliteEventStore::WriteStats SqliteEventStore::Stats() {
  absl::MutexLock lock(&queue_mu_);
  WriteStats stats = stats_;
  for (const PendingAppend& append : queue_) {
    stats.queued_events += static_cast<std::int64_t>(append.events.size());
  }
  return stats;
}

void SqliteEventStore::WriteLoop() {
  for (;;) {
    // Takes every append waiting, up to kMaxGroupEvents events (and at least
    // one append, whatever its size).
    std::vector<PendingAppend> group;
    {
      absl::MutexLock lock(&queue_mu_);
      while (queue_.empty() && !stopping_) queue_cv_.Wait(&queue_mu_);
      if (queue_.empty()) return;
      std::size_t events = 0;
      while (!queue_.empty() &&
             (group.empty() || events + queue_.front().events.size() <= kMaxGroupEvents)) {
        events += queue_.front().events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++stats_.commits;
      stats_.events += static_cast<std::int64_t>(events);
    }
    std::vector<absl::StatusOr<AppendResults>> results = CommitGroup(group);
    for (std::size_t i = 0; i < group.size(); ++i) std::move(group[i].done)(std::move(results[i]));
  }
}

std::vector<absl::StatusOr<AppendResults>> SqliteEventStore::CommitGroup(
    std::span<const PendingAppend> group) {
  absl::MutexLock lock(&mu_);
  std::vector<absl::StatusOr<AppendResults>> out;
  out.reserve(group.size());
  absl::Status st = Run(*cache_, "BEGIN IMMEDIATE");
  SessionRows sessions(*cache_);
  for (std::size_t i = 0; st.ok() && i < group.size(); ++i) {
    AppendResults results;
    results.reserve(group[i].events.size());
    for (const StoredEvent& e : group[i].events) {
      absl::StatusOr<AppendOutcome> r = AppendOne(*cache_, sessions, e, options_);
      if (!r.ok() && r.status().code() == absl::StatusCode::kUnavailable) {
        st = r.status();
        break;
      }
      results.push_back(std::move(r));
    }
    out.push_back(std::move(results));
  }
  // One write of each session's row, one commit and one sync of the log for
  // the whole group.
  if (st.ok()) st = sessions.Flush();
  if (st.ok()) st = Run(*cache_, "COMMIT");
  if (!st.ok()) {
    (void)Exec(db_, "ROLLBACK");
    out.assign(group.size(), st);
  }
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> SqliteEventStore::LoadSession(
    std::string_view session_id) {
  absl::MutexLock lock(&mu_);
  Statement q(*cache_,
              "SELECT event_id, occurred_at_ms, payload FROM events WHERE session_id = ? "
              "ORDER BY occurred_at_ms, event_id");
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, session_id);
  std::vector<StoredEvent> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    StoredEvent e;
    e.event_id = q.Text(0);
    e.session_id = std::string(session_id);
    e.occurred_at = core::TimePoint(core::Duration(q.Int(1)));
    e.payload = q.Blob(2);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return q.Error("load session");
  return out;
}

absl::StatusOr<std::optional<std::string>> SqliteEventStore::SessionOwner(
    std::string_view session_id) {
  absl::MutexLock lock(&mu_);
  Statement q(*cache_, "SELECT COALESCE(platform, '') FROM sessions WHERE session_id = ?");
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, session_id);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return q.Error("read session owner");
  return std::optional<std::string>(q.Text(0));
}

absl::StatusOr<SessionPage> SqliteEventStore::ListSessions(const SessionQuery& query) {
  if (query.page_size < 1 || query.page_size > 1000) {
    return absl::InvalidArgumentError("page_size: must be between 1 and 1000");
  }
  std::int64_t after_start = kNoStart;
  std::string after_id;
  const bool has_cursor = !query.page_token.empty();
  if (has_cursor && !ParsePageToken(query.page_token, after_start, after_id)) {
    return absl::InvalidArgumentError("page_token: not a token returned by ListSessions");
  }

  absl::MutexLock lock(&mu_);
  Statement q(db_, kOwner,
              "SELECT session_id, COALESCE(start_ms, ?1) AS s FROM sessions "
              "WHERE (?2 = '' OR patient_ref = ?2) AND (?9 = '' OR platform = ?9) "
              "AND (?3 IS NULL OR start_ms >= ?3) AND (?4 IS NULL OR start_ms < ?4) "
              "AND (?5 = 0 OR (COALESCE(start_ms, ?1), session_id) > (?6, ?7)) "
              "ORDER BY s, session_id LIMIT ?8");
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, kNoStart);
  q.Bind(2, query.patient_ref);
  if (query.start_time_min) {
    q.Bind(3, ToMillis(*query.start_time_min));
  } else {
    q.BindNull(3);
  }
  if (query.start_time_max) {
    q.Bind(4, ToMillis(*query.start_time_max));
  } else {
    q.BindNull(4);
  }
  q.Bind(5, std::int64_t{has_cursor ? 1 : 0});
  q.Bind(6, after_start);
  q.Bind(7, after_id);
  q.Bind(8, std::int64_t{query.page_size} + 1);
  q.Bind(9, query.platform);

  SessionPage page;
  std::int64_t last_start = kNoStart;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    if (static_cast<int>(page.session_ids.size()) == query.page_size) {
      page.next_page_token = MakePageToken(last_start, page.session_ids.back());
      break;
    }
    page.session_ids.push_back(q.Text(0));
    last_start = q.Int(1);
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return q.Error("list sessions");
  return page;
}

absl::StatusOr<std::vector<OpenSession>> SqliteEventStore::ListOpenSessions(
    core::TimePoint last_event_before) {
  absl::MutexLock lock(&mu_);
  Statement q(*cache_,
              "SELECT session_id, last_event_ms, event_count FROM sessions "
              "WHERE stopped = 0 AND last_event_ms < ? ORDER BY last_event_ms, session_id");
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, ToMillis(last_event_before));
  std::vector<OpenSession> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    out.push_back(OpenSession{q.Text(0), core::TimePoint(core::Duration(q.Int(1))), q.Int(2)});
  }
  if (rc != SQLITE_DONE) return q.Error("list open sessions");
  return out;
}

absl::StatusOr<std::int64_t> SqliteEventStore::CountEvents() {
  absl::MutexLock lock(&mu_);
  Statement q(*cache_, "SELECT COUNT(*) FROM events");
  if (!q.ok() || q.Step() != SQLITE_ROW) return q.Error("count events");
  return q.Int(0);
}

absl::StatusOr<std::int64_t> SqliteEventStore::AppendAudit(const AuditRecord& record) {
  absl::MutexLock lock(&mu_);
  // One statement in autocommit mode: its own transaction, synced at commit.
  return InsertAudit(db_, record, record.action, record.batch_id);
}

absl::StatusOr<std::vector<AuditRecord>> SqliteEventStore::ListAudit(
    const std::string& platform, const std::string& suggestion_id) {
  absl::MutexLock lock(&mu_);
  Statement q(db_, kOwner,
              (std::string("SELECT ") + kAuditColumns +
               " FROM audit_records WHERE suggestion_id = ? AND platform = ? ORDER BY record_id")
                  .c_str());
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, suggestion_id);
  q.Bind(2, platform);
  return ReadAudit(q);
}

absl::StatusOr<std::vector<AuditRecord>> SqliteEventStore::ListAuditForPatientDay(
    const std::string& platform, const std::string& patient_ref,
    const std::string& date_of_service) {
  absl::MutexLock lock(&mu_);
  Statement q(db_, kOwner,
              (std::string("SELECT ") + kAuditColumns +
               " FROM audit_records WHERE platform = ? AND patient_ref = ? "
               "AND date_of_service = ? ORDER BY record_id")
                  .c_str());
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, platform);
  q.Bind(2, patient_ref);
  q.Bind(3, date_of_service);
  return ReadAudit(q);
}

absl::StatusOr<std::int64_t> SqliteEventStore::RecordExport(const ExportBatch& batch,
                                                            std::span<const AuditRecord> exports) {
  absl::MutexLock lock(&mu_);
  absl::Status st = Exec(db_, "BEGIN IMMEDIATE");
  if (!st.ok()) return st;
  st = InsertBatch(db_, batch);
  std::int64_t written = 0;
  for (const AuditRecord& r : exports) {
    if (!st.ok()) break;
    absl::StatusOr<std::int64_t> id = InsertAudit(db_, r, "export", batch.batch_id);
    if (id.ok()) {
      ++written;
    } else {
      st = id.status();
    }
  }
  if (st.ok()) st = Exec(db_, "COMMIT");
  if (!st.ok()) {
    (void)Exec(db_, "ROLLBACK");
    return st;
  }
  return written;
}

}  // namespace unitclock::store

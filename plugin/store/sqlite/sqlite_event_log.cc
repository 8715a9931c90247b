#include "plugin/store/sqlite/sqlite_event_log.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "plugin/sqlite/statement.h"
#include "plugin/store/session_page.h"

namespace unitclock::store {
namespace {

using sqlite::Statement;
using sqlite::StatementCache;

// Runs one cached statement that returns no rows.
absl::Status Run(StatementCache& cache, const char* sql) {
  Statement st(cache, sql);
  if (!st.ok() || st.Step() != SQLITE_DONE) return st.Error(sql);
  return absl::OkStatus();
}

std::int64_t ToMillis(core::TimePoint t) { return t.time_since_epoch().count(); }

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

}  // namespace

SqliteEventLog::SqliteEventLog(std::unique_ptr<sqlite_backend::Connection> writer,
                               std::unique_ptr<sqlite_backend::ReadPool> reads,
                               StoreOptions options)
    : writer_db_(std::move(writer)),
      reads_(std::move(reads)),
      options_(options),
      writer_([this](std::span<const PendingAppend> group) { return CommitGroup(group); },
              options_.metrics) {}

std::vector<absl::StatusOr<AppendResults>> SqliteEventLog::CommitGroup(
    std::span<const PendingAppend> group) {
  StatementCache& cache = writer_db_->cache();
  std::vector<absl::StatusOr<AppendResults>> out;
  out.reserve(group.size());
  absl::Status st = Run(cache, "BEGIN IMMEDIATE");
  SessionRows sessions(cache);
  for (std::size_t i = 0; st.ok() && i < group.size(); ++i) {
    AppendResults results;
    results.reserve(group[i].events.size());
    for (const StoredEvent& e : group[i].events) {
      absl::StatusOr<AppendOutcome> r = AppendOne(cache, sessions, e, options_);
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
  if (st.ok()) st = Run(cache, "COMMIT");
  if (!st.ok()) {
    (void)writer_db_->Exec("ROLLBACK");
    out.assign(group.size(), st);
  }
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> SqliteEventLog::LoadSession(std::string_view session_id) {
  const sqlite_backend::ReadPool::Lease db = reads_->Acquire();
  Statement q(db->cache(),
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

absl::StatusOr<std::optional<std::string>> SqliteEventLog::SessionOwner(
    std::string_view session_id) {
  const sqlite_backend::ReadPool::Lease db = reads_->Acquire();
  Statement q(db->cache(), "SELECT COALESCE(platform, '') FROM sessions WHERE session_id = ?");
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, session_id);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return q.Error("read session owner");
  return std::optional<std::string>(q.Text(0));
}

absl::StatusOr<SessionPage> SqliteEventLog::ListSessions(const SessionQuery& query) {
  absl::StatusOr<PageCursor> cursor = ReadPageCursor(query);
  if (!cursor.ok()) return cursor.status();
  const std::int64_t after_start = cursor->start_ms;
  const std::string& after_id = cursor->session_id;
  const bool has_cursor = !cursor->first_page;

  const sqlite_backend::ReadPool::Lease db = reads_->Acquire();
  Statement q(db->db(), sqlite_backend::kOwner,
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

absl::StatusOr<std::vector<OpenSession>> SqliteEventLog::ListOpenSessions(
    core::TimePoint last_event_before) {
  const sqlite_backend::ReadPool::Lease db = reads_->Acquire();
  Statement q(db->cache(),
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

absl::StatusOr<std::int64_t> SqliteEventLog::CountEvents() {
  const sqlite_backend::ReadPool::Lease db = reads_->Acquire();
  Statement q(db->cache(), "SELECT COUNT(*) FROM events");
  if (!q.ok() || q.Step() != SQLITE_ROW) return q.Error("count events");
  return q.Int(0);
}

}  // namespace unitclock::store

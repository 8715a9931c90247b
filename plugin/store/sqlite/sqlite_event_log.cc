#include "plugin/store/sqlite/sqlite_event_log.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "plugin/sqlite/statement.h"
#include "plugin/store/session_page.h"
#include "plugin/store/sqlite/seq_list.h"

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

// sessions.kind (schema 5): what a session is.
constexpr std::int64_t kVisitKind = 0;
constexpr std::int64_t kEpisodeKind = 1;

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
  bool monitoring = false;  // a monitoring episode (kind 1)
  std::int64_t event_count = 0;
  // The seqs of its latest events (seq_list.h): how many, the first and the
  // last.
  std::string event_seqs;
  std::int64_t listed = 0;
  std::int64_t first_listed = 0;
  std::int64_t last_listed = 0;

  // Lists the event at `seq`, its session's latest.
  void List(std::int64_t seq) {
    sqlite_backend::AppendSeq(event_seqs, last_listed, seq);
    if (listed++ == 0) first_listed = seq;
    last_listed = seq;
  }
};

// The sessions a group commit touches, read on first use.
class SessionRows {
 public:
  explicit SessionRows(StatementCache& db) : db_(db) {}

  absl::StatusOr<SessionRow*> Get(const std::string& session_id) {
    auto [it, inserted] = rows_.try_emplace(session_id);
    if (!inserted) return &it->second;
    Statement q(db_,
                "SELECT platform, patient_ref, start_ms, last_event_ms, stopped, event_count, "
                "event_seqs, kind FROM sessions WHERE session_id = ?");
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
      row.event_seqs = q.Blob(6);
      row.monitoring = q.Int(7) == kEpisodeKind;
      std::vector<std::int64_t> seqs;
      const std::optional<std::int64_t> last = sqlite_backend::DecodeSeqs(row.event_seqs, seqs);
      if (!last) return absl::DataLossError("event store: sessions.event_seqs: not a list of seqs");
      row.listed = static_cast<std::int64_t>(seqs.size());
      row.first_listed = seqs.empty() ? 0 : seqs.front();
      row.last_listed = *last;
    } else if (rc != SQLITE_DONE) {
      return q.Error("read session");
    }
    return &it->second;
  }

  // Writes back every changed session, and moves each list of seqs that
  // reached kSeqsPerChunk to a chunk.
  absl::Status Flush() {
    for (auto& [session_id, row] : rows_) {
      if (!row.changed) continue;
      if (row.listed >= sqlite_backend::kSeqsPerChunk) {
        Statement chunk(db_,
                        "INSERT INTO session_event_chunks (session_id, first_seq, seqs) "
                        "VALUES (?, ?, ?)");
        if (!chunk.ok()) return chunk.Error("prepare");
        chunk.Bind(1, session_id);
        chunk.Bind(2, row.first_listed);
        chunk.BindBlob(3, row.event_seqs);
        if (chunk.Step() != SQLITE_DONE) return chunk.Error("write a chunk of a session's events");
        row.event_seqs.clear();
        row.listed = 0;
        row.last_listed = 0;
      }
      // Most groups add events to sessions already listed: their update
      // leaves the columns that three of the indexes are on alone.
      const char* sql = !row.exists ? "INSERT INTO sessions (session_id, platform, patient_ref, "
                                      "start_ms, last_event_ms, stopped, event_count, "
                                      "event_seqs, kind) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                        : row.facts_changed
                            ? "UPDATE sessions SET platform = ?2, patient_ref = ?3, "
                              "start_ms = ?4, last_event_ms = ?5, stopped = ?6, "
                              "event_count = ?7, event_seqs = ?8, kind = ?9 "
                              "WHERE session_id = ?1"
                            : "UPDATE sessions SET last_event_ms = ?5, stopped = ?6, "
                              "event_count = ?7, event_seqs = ?8 "
                              "WHERE session_id = ?1";  // ?2-?4 and ?9 unused
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
      w.BindBlob(8, row.event_seqs);
      w.Bind(9, row.monitoring ? kEpisodeKind : kVisitKind);
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

// What one group commit appends: the events' rows from `next_seq` on, and
// their fingerprints, added to the writer's index as they are written (the
// index is loaded again if the commit fails).
struct GroupAppend {
  StatementCache& db;
  sqlite_backend::FingerprintKey key;
  sqlite_backend::EventIdIndex& ids;
  std::int64_t next_seq;
  std::vector<char> fingerprints;  // of the events written, from first_seq
  std::int64_t first_seq;
};

// Compares event `e` with the stored event of the same id: kAlreadyRecorded
// if identical, ALREADY_EXISTS if not; nullopt if no event has that id.
absl::StatusOr<std::optional<AppendOutcome>> CompareStored(GroupAppend& g, const StoredEvent& e,
                                                           std::uint64_t fingerprint) {
  std::optional<AppendOutcome> outcome;
  absl::Status error;
  g.ids.AnyOf(fingerprint, [&](std::int64_t seq) {
    Statement existing(g.db,
                       "SELECT event_id, session_id, occurred_at_ms, payload FROM events "
                       "WHERE seq = ?");
    if (!existing.ok()) {
      error = existing.Error("prepare");
      return true;
    }
    existing.Bind(1, seq);
    if (existing.Step() != SQLITE_ROW) {
      error = existing.Error("read event");
      return true;
    }
    if (existing.Text(0) != e.event_id) return false;  // another id of the same fingerprint
    absl::StatusOr<AppendOutcome> compared =
        CompareWithStored(existing.Text(1), existing.Int(2), existing.Blob(3), e);
    if (compared.ok()) {
      outcome = *compared;
    } else {
      error = compared.status();
    }
    return true;
  });
  if (!error.ok()) return error;
  return outcome;
}

// Appends one event inside an open transaction; its session's row changes in
// `sessions` (written back by the caller). Errors other than UNAVAILABLE
// concern this event alone, and are found before anything is written, so the
// event leaves no trace; an UNAVAILABLE error aborts the whole transaction.
absl::StatusOr<AppendOutcome> AppendOne(GroupAppend& g, SessionRows& sessions, const StoredEvent& e,
                                        const StoreOptions& options) {
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
  const std::uint64_t fingerprint = sqlite_backend::Fingerprint(g.key, e.event_id);
  absl::StatusOr<std::optional<AppendOutcome>> stored = CompareStored(g, e, fingerprint);
  if (!stored.ok()) return stored.status();
  if (*stored) return **stored;
  if (e.only_if_event_count && row.event_count != *e.only_if_event_count) {
    return absl::FailedPreconditionError(
        "event.session_id: the session now holds " + std::to_string(row.event_count) +
        " events, not the " + std::to_string(*e.only_if_event_count) + " this event expects");
  }
  if (row.event_count >= options.max_events_per_session) {
    return absl::ResourceExhaustedError("event.session_id: the session already holds " +
                                        std::to_string(row.event_count) +
                                        " events, the most one session may hold");
  }

  const std::int64_t at = ToMillis(e.occurred_at);
  Statement insert(g.db,
                   "INSERT INTO events (seq, event_id, session_id, occurred_at_ms, payload) "
                   "VALUES (?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.Error("prepare");
  insert.Bind(1, g.next_seq);
  insert.Bind(2, e.event_id);
  insert.Bind(3, e.session_id);
  insert.Bind(4, at);
  insert.BindBlob(5, e.payload);
  if (insert.Step() != SQLITE_DONE) return insert.Error("insert event");
  g.ids.Add(fingerprint, g.next_seq);
  sqlite_backend::AppendFingerprint(fingerprint, g.fingerprints);
  row.List(g.next_seq);
  ++g.next_seq;

  row.changed = true;
  if (!row.platform && !e.platform.empty()) {
    row.platform = e.platform;
    row.facts_changed = true;
  }
  row.last_event_ms = std::max(row.last_event_ms, at);
  row.stopped = row.stopped || e.stops_session;
  ++row.event_count;
  // A session is an episode from its first monitoring event on: the kind
  // is indexed (the open sessions' index leaves episodes out).
  if (e.monitoring && !row.monitoring) {
    row.monitoring = true;
    row.facts_changed = true;
  }
  // The earliest SessionStarted wins, as in core::SummarizeSession.
  if (e.started && (!row.start_ms || *row.start_ms > at)) {
    row.facts_changed = true;
    if (!row.platform) row.platform = e.started->platform;
    row.patient_ref = e.started->patient_ref;
    row.start_ms = at;
  }
  return AppendOutcome::kRecorded;
}

// The seqs of a session's events that its row lists, after those of its
// chunks if `with_chunks`; and the number of its events (0 for no session).
struct SessionSeqs {
  std::vector<std::int64_t> seqs;
  std::int64_t event_count = 0;
};
absl::StatusOr<SessionSeqs> ReadSessionSeqs(StatementCache& db, std::string_view session_id,
                                            bool with_chunks) {
  SessionSeqs out;
  int rc;
  if (with_chunks) {
    Statement chunks(
        db, "SELECT seqs FROM session_event_chunks WHERE session_id = ? ORDER BY first_seq");
    if (!chunks.ok()) return chunks.Error("prepare");
    chunks.Bind(1, session_id);
    while ((rc = chunks.Step()) == SQLITE_ROW) {
      if (!sqlite_backend::DecodeSeqs(chunks.Blob(0), out.seqs)) {
        return absl::DataLossError("event store: session_event_chunks.seqs: not a list of seqs");
      }
    }
    if (rc != SQLITE_DONE) return chunks.Error("load session");
  }
  Statement row(db, "SELECT event_count, event_seqs FROM sessions WHERE session_id = ?");
  if (!row.ok()) return row.Error("prepare");
  row.Bind(1, session_id);
  rc = row.Step();
  if (rc == SQLITE_ROW) {
    out.event_count = row.Int(0);
    if (!sqlite_backend::DecodeSeqs(row.Blob(1), out.seqs)) {
      return absl::DataLossError("event store: sessions.event_seqs: not a list of seqs");
    }
  } else if (rc != SQLITE_DONE) {
    return row.Error("load session");
  }
  return out;
}

// The events at `seqs`, of session `session_id`, in time order.
absl::StatusOr<std::vector<StoredEvent>> ReadEvents(StatementCache& db, std::string_view session_id,
                                                    const std::vector<std::int64_t>& seqs) {
  // One statement for all of them (a statement per event cost about 1 us
  // each): the seqs as a JSON array, which SQLite's json_each walks.
  std::string array = "[";
  for (std::int64_t seq : seqs) {
    if (array.size() > 1) array += ',';
    array += std::to_string(seq);
  }
  array += ']';
  Statement q(db,
              "SELECT event_id, occurred_at_ms, payload FROM events "
              "WHERE seq IN (SELECT value FROM json_each(?))");
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, array);
  std::vector<StoredEvent> out;
  out.reserve(seqs.size());
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
  if (out.size() != seqs.size()) {
    return absl::DataLossError("event store: " + std::to_string(seqs.size() - out.size()) +
                               " events of a session's list are missing");
  }
  // Time order; events of the same millisecond by id, as before.
  std::sort(out.begin(), out.end(), [](const StoredEvent& a, const StoredEvent& b) {
    return std::tie(a.occurred_at, a.event_id) < std::tie(b.occurred_at, b.event_id);
  });
  return out;
}

}  // namespace

SqliteEventLog::SqliteEventLog(std::unique_ptr<sqlite_backend::Connection> writer,
                               std::unique_ptr<sqlite_backend::ReadPool> reads,
                               StoreOptions options)
    : writer_db_(std::move(writer)),
      reads_(std::move(reads)),
      options_(options),
      writer_([this](std::span<const PendingAppend> group) { return CommitGroup(group); },
              options_.metrics, [this] { WarmUp(); }) {}

void SqliteEventLog::WarmUp() {
  // The event id index, loaded while the server starts rather than by the
  // first commit; if this fails, that commit loads it.
  if (!Run(writer_db_->cache(), "BEGIN").ok()) return;
  if (!CatchUp().ok()) {
    ids_.Clear();
    indexed_through_ = 0;
  }
  (void)writer_db_->Exec("COMMIT");
}

absl::Status SqliteEventLog::CatchUp() {
  if (!key_) {
    absl::StatusOr<sqlite_backend::FingerprintKey> key =
        sqlite_backend::ReadFingerprintKey(*writer_db_);
    if (!key.ok()) return key.status();
    key_ = *key;
  }
  StatementCache& cache = writer_db_->cache();
  Statement last(cache, "SELECT COALESCE(MAX(seq), 0) FROM events");
  if (!last.ok() || last.Step() != SQLITE_ROW) return last.Error("read the last seq");
  const std::int64_t last_seq = last.Int(0);
  // At the first commit, the whole log's ids: the table sized once for them.
  if (last_seq > indexed_through_) ids_.Reserve(static_cast<std::size_t>(last_seq));
  Statement blocks(cache,
                   "SELECT first_seq, fingerprints FROM event_id_blocks WHERE first_seq > ? "
                   "ORDER BY first_seq");
  if (!blocks.ok()) return blocks.Error("prepare");
  blocks.Bind(1, indexed_through_);
  int rc;
  while ((rc = blocks.Step()) == SQLITE_ROW) {
    const std::int64_t first_seq = blocks.Int(0);
    const std::string fingerprints = blocks.Blob(1);
    if (first_seq != indexed_through_ + 1 || fingerprints.size() % 8 != 0) {
      return absl::DataLossError("event store: event_id_blocks: the block at seq " +
                                 std::to_string(first_seq) + " does not follow seq " +
                                 std::to_string(indexed_through_));
    }
    for (std::size_t i = 0; i < fingerprints.size() / 8; ++i) {
      ids_.Add(sqlite_backend::ReadFingerprint(fingerprints, i), first_seq + i);
    }
    indexed_through_ = first_seq + static_cast<std::int64_t>(fingerprints.size() / 8) - 1;
  }
  if (rc != SQLITE_DONE) return blocks.Error("read event id fingerprints");
  if (last_seq != indexed_through_) {
    return absl::DataLossError("event store: event_id_blocks: fingerprints end at seq " +
                               std::to_string(indexed_through_) + ", events at seq " +
                               std::to_string(last_seq));
  }
  return absl::OkStatus();
}

std::vector<absl::StatusOr<AppendResults>> SqliteEventLog::CommitGroup(
    std::span<const PendingAppend> group) {
  StatementCache& cache = writer_db_->cache();
  std::vector<absl::StatusOr<AppendResults>> out;
  out.reserve(group.size());
  absl::Status st = Run(cache, "BEGIN IMMEDIATE");
  if (st.ok()) st = CatchUp();
  SessionRows sessions(cache);
  GroupAppend g{cache, key_ ? *key_ : sqlite_backend::FingerprintKey{},
                ids_,  indexed_through_ + 1,
                {},    indexed_through_ + 1};
  for (std::size_t i = 0; st.ok() && i < group.size(); ++i) {
    AppendResults results;
    results.reserve(group[i].events.size());
    for (const StoredEvent& e : group[i].events) {
      absl::StatusOr<AppendOutcome> r = AppendOne(g, sessions, e, options_);
      if (!r.ok() && r.status().code() == absl::StatusCode::kUnavailable) {
        st = r.status();
        break;
      }
      results.push_back(std::move(r));
    }
    out.push_back(std::move(results));
  }
  // One write of each session's row, one block of fingerprints, one commit
  // and one sync of the log for the whole group.
  if (st.ok()) st = sessions.Flush();
  if (st.ok() && !g.fingerprints.empty()) {
    st = sqlite_backend::InsertFingerprintBlock(cache, g.first_seq, g.fingerprints);
  }
  if (st.ok()) st = Run(cache, "COMMIT");
  if (st.ok()) {
    indexed_through_ = g.next_seq - 1;
  } else {
    (void)writer_db_->Exec("ROLLBACK");
    // The index may hold fingerprints of rows rolled back: loaded again from
    // the file by the next commit.
    ids_.Clear();
    indexed_through_ = 0;
    out.assign(group.size(), st);
  }
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> SqliteEventLog::LoadSession(std::string_view session_id) {
  const sqlite_backend::ReadPool::Lease db = reads_->Acquire();
  StatementCache& cache = db->cache();
  // Most sessions have no chunk: their row lists every event, and events
  // are never removed, so two statements outside a transaction read them.
  absl::StatusOr<SessionSeqs> listed = ReadSessionSeqs(cache, session_id, /*with_chunks=*/false);
  if (!listed.ok()) return listed.status();
  if (std::ssize(listed->seqs) == listed->event_count) {
    return ReadEvents(cache, session_id, listed->seqs);
  }
  // Chunks and row in one snapshot: a commit may move the row's list to a
  // chunk meanwhile.
  if (absl::Status st = Run(cache, "BEGIN"); !st.ok()) return st;
  listed = ReadSessionSeqs(cache, session_id, /*with_chunks=*/true);
  absl::StatusOr<std::vector<StoredEvent>> out =
      listed.ok() ? ReadEvents(cache, session_id, listed->seqs) : listed.status();
  (void)Run(cache, "COMMIT");  // a read: nothing to keep or lose
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
              "AND (?10 IS NULL OR kind = ?10) "
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
  if (query.kind) {
    q.Bind(10, *query.kind == SessionKind::kMonitoringEpisode ? kEpisodeKind : kVisitKind);
  } else {
    q.BindNull(10);
  }

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
              "WHERE stopped = 0 AND kind = 0 AND last_event_ms < ? "
              "ORDER BY last_event_ms, session_id");
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
  // The seqs number the events from 1 without gaps: the last is the count,
  // without a scan.
  Statement q(db->cache(), "SELECT COALESCE(MAX(seq), 0) FROM events");
  if (!q.ok() || q.Step() != SQLITE_ROW) return q.Error("count events");
  return q.Int(0);
}

}  // namespace unitclock::store

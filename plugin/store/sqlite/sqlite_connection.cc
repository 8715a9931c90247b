#include "plugin/store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "core/review.h"
#include "plugin/store/sqlite/seq_list.h"

namespace unitclock::store::sqlite_backend {
namespace {

using sqlite::Statement;

constexpr int kSchemaVersion = 5;

// How long a statement waits for another connection's (or process's) lock.
constexpr int kBusyTimeoutMs = 5000;

// The schema. `events` is the log, in arrival order: `seq` numbers the
// events from 1, without gaps, so that an append writes at the table's end
// whatever its event id or session. A session's events are found from its
// row in `sessions`: `event_seqs` lists the seqs of its latest events
// (seq_list.h), and once it holds kSeqsPerChunk of them a commit moves the
// list to a row of `session_event_chunks`. A commit rewrites the row of each
// session it adds to anyway; an index of events by session would have cost
// an entry per event, and a page of its own per session at every commit. `event_id_blocks` holds,
// for each commit, the fingerprints of its events' ids (8 bytes each, little-endian, the first for
// `first_seq`), from which the writer keeps its event id index in memory (event_id_index.h);
// `store_meta` holds the fingerprints' key, made with the file. `sessions` indexes sessions for
// listing and for the watchdog, and is maintained in the same transaction as the events:
// `last_event_ms` is the latest occurred_at of the session's events, `stopped` is 1 once any
// SessionStopped of the session is stored, `platform` is the owning tenant (set by the session's
// first event, or by its SessionStarted for sessions written by unitclock's own writers),
// `event_count` the number of its events and `kind` 1 once any of its events is a monitoring
// episode's (the session is then an episode, which the watchdog's index leaves out), else 0 (a
// visit). `start_ms` and `patient_ref` come from a SessionStarted or MonitoringEpisodeStarted.
// `audit_records` is the review ledger's trail; its triggers make it
// append-only even for other programs writing the file (INSERT OR REPLACE
// deletes without firing DELETE triggers, hence the third). A suggestion id
// names its key (core::SuggestionId), so no table maps ids to keys.
// `export_batches` has one row per export, whose suggestions have "export"
// audit records carrying its batch_id.
// The event log's tables (new in schema 4, which kept `events` in arrival
// order), created alone by the migration from schema 3.
constexpr const char* kEventLogTables = R"sql(
CREATE TABLE events (
  seq            INTEGER PRIMARY KEY,
  event_id       TEXT NOT NULL,
  session_id     TEXT NOT NULL,
  occurred_at_ms INTEGER NOT NULL,
  payload        BLOB NOT NULL
);
CREATE TABLE event_id_blocks (
  first_seq    INTEGER PRIMARY KEY,
  fingerprints BLOB NOT NULL
);
CREATE TABLE store_meta (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
INSERT INTO store_meta VALUES ('event_id_key', randomblob(16));
CREATE TABLE session_event_chunks (
  session_id TEXT NOT NULL,
  first_seq  INTEGER NOT NULL,
  seqs       BLOB NOT NULL,
  PRIMARY KEY (session_id, first_seq)
) WITHOUT ROWID;
)sql";

// The other tables; a new file gets both.
constexpr const char* kSchema = R"sql(
CREATE TABLE sessions (
  session_id    TEXT PRIMARY KEY,
  platform      TEXT,
  patient_ref   TEXT,
  start_ms      INTEGER,
  last_event_ms INTEGER NOT NULL,
  stopped       INTEGER NOT NULL DEFAULT 0,
  event_count   INTEGER NOT NULL DEFAULT 0,
  event_seqs    BLOB NOT NULL DEFAULT x'',
  kind          INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sessions_by_platform ON sessions (platform, start_ms, session_id);
CREATE INDEX sessions_by_patient ON sessions (patient_ref, start_ms, session_id);
CREATE INDEX sessions_by_start ON sessions (start_ms, session_id);
CREATE INDEX open_sessions_by_last_event ON sessions (last_event_ms, session_id)
  WHERE stopped = 0 AND kind = 0;
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
PRAGMA user_version = 5;
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

// From schema 2: suggestion ids name their key (core::SuggestionId) instead
// of hashing it, and `suggestion_keys`, which mapped the old ids to their
// keys (written by read calls), goes. The audit records of each old id take
// its new id; the append-only trigger is lifted for this one rewrite only,
// inside the migration's transaction.
absl::Status MigrateFrom2(Connection& c) {
  sqlite3* db = c.db();
  absl::Status st = c.Exec("DROP TRIGGER audit_records_no_update");
  {
    Statement keys(db, kOwner,
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
      Statement rename(db, kOwner,
                       "UPDATE audit_records SET suggestion_id = ? WHERE suggestion_id = ?");
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
    st = c.Exec(R"sql(
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
DROP TABLE suggestion_keys;
PRAGMA user_version = 3;
)sql");
  }
  return st;
}

// Writes each session's `event_seqs`, whole, from `events` (the next commit
// to add to a long list moves it to a chunk).
absl::Status ListSessionSeqs(Connection& c) {
  Statement seqs(c.db(), kOwner, "SELECT session_id, seq FROM events ORDER BY session_id, seq");
  if (!seqs.ok()) return seqs.Error("prepare");
  std::string session;
  std::string list;
  std::int64_t last = 0;
  auto write = [&]() -> absl::Status {
    if (session.empty() && list.empty()) return absl::OkStatus();
    Statement w(c.cache(), "UPDATE sessions SET event_seqs = ? WHERE session_id = ?");
    if (!w.ok()) return w.Error("prepare");
    w.BindBlob(1, list);
    w.Bind(2, session);
    if (w.Step() != SQLITE_DONE) return w.Error("list a session's events");
    return absl::OkStatus();
  };
  int rc;
  while ((rc = seqs.Step()) == SQLITE_ROW) {
    std::string s = seqs.Text(0);
    if (s != session) {
      if (absl::Status st = write(); !st.ok()) return st;
      session = std::move(s);
      list.clear();
      last = 0;
    }
    const std::int64_t seq = seqs.Int(1);
    AppendSeq(list, last, seq);
    last = seq;
  }
  if (rc != SQLITE_DONE) return seqs.Error("read sessions' events");
  return write();
}

// From schema 3: `events` was keyed on event_id, so that a random id cost
// a page of its own at every append, and indexed by session. It is copied in
// occurred_at order, which becomes its arrival order; the fingerprint blocks
// of its ids are written under the file's new key, and each session's row
// gets the list of its events' seqs.
absl::Status MigrateFrom3(Connection& c) {
  absl::Status st = c.Exec(R"sql(
DROP INDEX IF EXISTS events_by_session;
ALTER TABLE events RENAME TO events_v3;
ALTER TABLE sessions ADD COLUMN event_seqs BLOB NOT NULL DEFAULT x'';
)sql");
  if (st.ok()) st = c.Exec(kEventLogTables);
  if (st.ok()) {
    st = c.Exec(R"sql(
INSERT INTO events (event_id, session_id, occurred_at_ms, payload)
  SELECT event_id, session_id, occurred_at_ms, payload FROM events_v3
  ORDER BY occurred_at_ms, event_id;
DROP TABLE events_v3;
)sql");
  }
  absl::StatusOr<FingerprintKey> key = st.ok() ? ReadFingerprintKey(c) : st;
  if (!key.ok()) return key.status();
  Statement ids(c.db(), kOwner, "SELECT seq, event_id FROM events ORDER BY seq");
  if (!ids.ok()) return ids.Error("prepare");
  std::vector<char> block;
  std::int64_t first_seq = 1;
  int rc;
  while ((rc = ids.Step()) == SQLITE_ROW) {
    if (block.empty()) first_seq = ids.Int(0);
    AppendFingerprint(Fingerprint(*key, ids.Text(1)), block);
    if (block.size() == 8 * kFingerprintBlockEvents) {
      if (st = InsertFingerprintBlock(c.cache(), first_seq, block); !st.ok()) return st;
      block.clear();
    }
  }
  if (rc != SQLITE_DONE) return ids.Error("read event ids");
  if (!block.empty()) st = InsertFingerprintBlock(c.cache(), first_seq, block);
  if (!st.ok()) return st;
  return ListSessionSeqs(c);
}

// From schema 4: sessions gain their kind (remote monitoring episodes are
// sessions too, which the watchdog leaves alone). Every session stored
// before is a visit: no unitclockd of schema 4 accepted a monitoring event.
constexpr const char* kMigrateFrom4 = R"sql(
ALTER TABLE sessions ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
DROP INDEX IF EXISTS open_sessions_by_last_event;
CREATE INDEX open_sessions_by_last_event ON sessions (last_event_ms, session_id)
  WHERE stopped = 0 AND kind = 0;
)sql";

absl::StatusOr<std::int64_t> SchemaVersion(Connection& c) {
  // Finalized before any migration: DROP TABLE needs no statement pending.
  Statement version(c.db(), kOwner, "PRAGMA user_version");
  if (!version.ok() || version.Step() != SQLITE_ROW) return version.Error("read schema version");
  return version.Int(0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                             bool read_only) {
  sqlite3* db = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    absl::Status st = sqlite::Error(db, kOwner, "cannot open \"" + path + "\"");
    sqlite3_close(db);
    return st;
  }
  std::unique_ptr<Connection> c(new Connection(db));
  // Another connection (or process) may hold the write lock for a commit.
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (read_only) return c;
  // A process killed while it made a fresh file can leave a hot rollback
  // journal (the file was not yet in WAL mode). While another process rolls
  // it back, SQLite may answer this first statement SQLITE_BUSY at once,
  // without calling the busy handler, and of several instances starting
  // together after such a crash all but one would end. So it is retried
  // here for as long as the busy timeout would have waited.
  absl::Status st;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  while (true) {
    st = c->Exec("PRAGMA journal_mode = WAL");
    if (st.ok() || (sqlite3_extended_errcode(db) & 0xff) != SQLITE_BUSY ||
        std::chrono::steady_clock::now() > give_up) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // In WAL mode, synchronous=FULL syncs the log at every commit: a commit
  // that returned survives power loss, which an acknowledgement promises.
  if (st.ok()) st = c->Exec("PRAGMA synchronous = FULL");
  if (st.ok()) st = c->Exec("PRAGMA foreign_keys = ON");
  if (!st.ok()) return st;
  return c;
}

Connection::~Connection() {
  // The cache's statements are finalized by its own destructor, after this
  // body: close_v2 defers the close until then.
  sqlite3_close_v2(db_);
}

absl::Status Connection::Exec(const char* sql) { return sqlite::Exec(db_, kOwner, sql); }

absl::Status PrepareSchema(Connection& c, const std::string& path) {
  absl::Status st = c.Exec("BEGIN IMMEDIATE");
  if (!st.ok()) return st;
  absl::StatusOr<std::int64_t> v = SchemaVersion(c);
  if (!v.ok()) {
    st = v.status();
  } else if (*v > kSchemaVersion) {
    st = absl::FailedPreconditionError("event store: \"" + path + "\" has schema version " +
                                       std::to_string(*v) + ", newer than this unitclockd (" +
                                       std::to_string(kSchemaVersion) + ")");
  } else if (*v == 0) {
    st = c.Exec(kEventLogTables);
    if (st.ok()) st = c.Exec(kSchema);
  } else {
    // One transaction from the file's version to this one's.
    if (*v == 1) st = c.Exec(kMigrateFrom1);
    if (st.ok() && *v <= 2) st = MigrateFrom2(c);
    if (st.ok() && *v <= 3) st = MigrateFrom3(c);
    if (st.ok() && *v <= 4) st = c.Exec(kMigrateFrom4);
    if (st.ok()) st = c.Exec("PRAGMA user_version = 5");
  }
  if (st.ok()) st = c.Exec("COMMIT");
  if (!st.ok()) (void)c.Exec("ROLLBACK");
  return st;
}

absl::StatusOr<FingerprintKey> ReadFingerprintKey(Connection& c) {
  Statement q(c.cache(), "SELECT value FROM store_meta WHERE name = 'event_id_key'");
  if (!q.ok()) return q.Error("prepare");
  if (q.Step() != SQLITE_ROW) return q.Error("read the event id key");
  const std::string key = q.Blob(0);
  if (key.size() != 16) {
    return absl::DataLossError("event store: store_meta: the event id key is not 16 bytes");
  }
  return FingerprintKey{ReadFingerprint(key, 0), ReadFingerprint(key, 1)};
}

absl::Status InsertFingerprintBlock(sqlite::StatementCache& cache, std::int64_t first_seq,
                                    const std::vector<char>& fingerprints) {
  Statement w(cache, "INSERT INTO event_id_blocks (first_seq, fingerprints) VALUES (?, ?)");
  if (!w.ok()) return w.Error("prepare");
  w.Bind(1, first_seq);
  w.BindBlob(2, std::string_view(fingerprints.data(), fingerprints.size()));
  if (w.Step() != SQLITE_DONE) return w.Error("write event id fingerprints");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path, int size) {
  auto pool = std::make_unique<ReadPool>();
  for (int i = 0; i < size; ++i) {
    absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Open(path, /*read_only=*/true);
    if (!c.ok()) return c.status();
    pool->all_.push_back(*std::move(c));
  }
  absl::MutexLock lock(&pool->mu_);
  for (const auto& c : pool->all_) pool->free_.push_back(c.get());
  return pool;
}

ReadPool::Lease ReadPool::Acquire() {
  absl::MutexLock lock(&mu_);
  // A CondVar, not Mutex::Await: ThreadSanitizer sees through the former only.
  while (free_.empty()) released_.Wait(&mu_);
  Connection* c = free_.back();
  free_.pop_back();
  return Lease(*this, c);
}

void ReadPool::Release(Connection* connection) {
  absl::MutexLock lock(&mu_);
  free_.push_back(connection);
  released_.Signal();
}

}  // namespace unitclock::store::sqlite_backend

// What the SQLite backend does beyond the store contract: its file's
// journal mode, its schema versions and migrations, the triggers that keep
// the audit trail append-only for any program writing the file, and the
// event id index that its writer keeps in memory (event_id_index.h).
#include "plugin/store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

#include "core/review.h"
#include "tests/plugin/store/store_test_values.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::store {
namespace {

using store_tests::Ev;
using store_tests::From;
using testing::At;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Runs `sql` on the database file through a connection of its own, as another
// program would; returns SQLite's error message, empty on success.
std::string ExecDirectly(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  char* error = nullptr;
  std::string message;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    message = error != nullptr ? error : "error";
  }
  sqlite3_free(error);
  sqlite3_close(db);
  return message;
}

// The first column of the first row of `sql` on the file, as text ("" if
// none or on error).
std::string QueryOne(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

std::vector<std::string> Actions(const std::vector<core::ReviewRecord>& records) {
  std::vector<std::string> out;
  for (const core::ReviewRecord& r : records) {
    out.push_back(r.suggestion_id + ":" + core::ReviewActionName(r.action));
  }
  return out;
}

core::ReviewRecord Record(const std::string& suggestion_id, core::ReviewAction action) {
  core::ReviewRecord r;
  r.action = action;
  r.actor = "therapist-1";
  r.platform = "platform-a";
  r.suggestion_id = suggestion_id;
  r.patient_ref = "pt-1";
  r.date_of_service = *core::ParseDay("2026-11-30");
  r.fingerprint = "fp";
  return r;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_ = {};
    auto s = OpenSqliteStore(path());
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }

  std::string path() const { return dir_.File("events.db"); }

  std::vector<absl::StatusOr<AppendOutcome>> Append(std::vector<StoredEvent> events) {
    auto r = store_.events->Append(events);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<absl::StatusOr<AppendOutcome>>{};
  }

  std::vector<core::ReviewRecord> List(const std::string& suggestion_id) {
    auto records = store_.ledger->ListAudit("platform-a", suggestion_id);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *records : std::vector<core::ReviewRecord>{};
  }

  testing::TempDir dir_;
  Store store_;
};

TEST_F(SqliteStoreTest, UsesWriteAheadLogging) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromANewerVersion) {
  store_ = {};
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto s = OpenSqliteStore(path());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("schema version 99"));
}

TEST_F(SqliteStoreTest, OpeningAnUnwritablePathFailsClearly) {
  auto s = OpenSqliteStore(dir_.File("no/such/folder/events.db"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("cannot open"));
}

TEST_F(SqliteStoreTest, ASchemaOneDatabaseIsMigratedWithItsEventCounts) {
  store_ = {};
  const std::string path = dir_.File("v1.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // The parts of schema 1 that the migration touches.
  ASSERT_EQ(sqlite3_exec(db, R"sql(
    CREATE TABLE events (event_id TEXT PRIMARY KEY, session_id TEXT NOT NULL,
      occurred_at_ms INTEGER NOT NULL, payload BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE sessions (session_id TEXT PRIMARY KEY, platform TEXT, patient_ref TEXT,
      start_ms INTEGER, last_event_ms INTEGER NOT NULL, stopped INTEGER NOT NULL DEFAULT 0)
      WITHOUT ROWID;
    CREATE TABLE audit_records (record_id INTEGER PRIMARY KEY AUTOINCREMENT,
      suggestion_id TEXT NOT NULL);
    CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    CREATE TABLE suggestion_keys (suggestion_id TEXT PRIMARY KEY, platform TEXT NOT NULL,
      patient_ref TEXT NOT NULL, date_of_service TEXT NOT NULL, payer_id TEXT NOT NULL,
      discipline INTEGER NOT NULL, provider_ref TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO events VALUES ('e1', 's1', 0, 'a'), ('e2', 's1', 1000, 'b');
    INSERT INTO sessions VALUES ('s1', 'platform-a', 'pt-1', 0, 1000, 0);
    PRAGMA user_version = 1;)sql",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto s = OpenSqliteStore(path, StoreOptions{.max_events_per_session = 3});
  ASSERT_TRUE(s.ok()) << s.status();
  store_ = *std::move(s);
  EXPECT_EQ(*store_.events->SessionOwner("s1"), std::optional<std::string>("platform-a"));
  auto r = Append({From("platform-a", Ev("e3", "s1", 2)), From("platform-a", Ev("e4", "s1", 3))});
  EXPECT_TRUE(r[0].ok());
  EXPECT_EQ(r[1].status().code(), absl::StatusCode::kResourceExhausted);
}

// Two stores on one file, as two processes: each one's writer catches up
// with the ids that the other appended before deciding on its own.
TEST_F(SqliteStoreTest, TwoStoresOnOneFileKnowEachOthersEventIds) {
  auto other = OpenSqliteStore(path());
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*Append({Ev("e1", "s1", 1)})[0], AppendOutcome::kRecorded);
  auto r = other->events->Append(
      std::vector<StoredEvent>{Ev("e1", "s1", 1), Ev("e1", "s1", 1, "changed"), Ev("e2", "s1", 2)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*(*r)[0], AppendOutcome::kAlreadyRecorded);
  EXPECT_EQ((*r)[1].status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*(*r)[2], AppendOutcome::kRecorded);
  EXPECT_EQ(*Append({Ev("e2", "s1", 2)})[0], AppendOutcome::kAlreadyRecorded);
  EXPECT_EQ(*store_.events->CountEvents(), 2);
}

// A session's row lists its events' seqs; past kSeqsPerChunk of them a
// commit moves the list to a chunk. Loads read chunks and list as one.
TEST_F(SqliteStoreTest, ALongSessionIsLoadedWholeAcrossItsChunks) {
  std::vector<std::string> ids;
  int second = 0;
  for (int group = 0; group < 9; ++group) {
    std::vector<StoredEvent> events;
    for (int i = 0; i < 150; ++i) {
      ids.push_back("e" + std::to_string(ids.size()));
      events.push_back(Ev(ids.back(), "long", ++second));
      events.push_back(Ev("other-" + ids.back(), "other", second));  // interleaved
    }
    for (const auto& r : Append(std::move(events))) ASSERT_EQ(*r, AppendOutcome::kRecorded);
  }
  EXPECT_EQ(QueryOne(path(), "SELECT count(*) FROM session_event_chunks WHERE session_id = 'long'"),
            "2");
  auto loaded = store_.events->LoadSession("long");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ((*loaded)[i].event_id, ids[i]);
  // An id of the first chunk is still known.
  EXPECT_EQ(*Append({Ev("e3", "long", 4)})[0], AppendOutcome::kAlreadyRecorded);
}

// A commit that fails after its events were written leaves none of their
// ids behind in the writer's memory: appended again, they are new.
TEST_F(SqliteStoreTest, AFailedCommitLeavesNoEventIdBehind) {
  ASSERT_EQ(*Append({Ev("e1", "s1", 1)})[0], AppendOutcome::kRecorded);
  // Another program refuses the next fingerprint block, the last write
  // of a commit.
  ASSERT_EQ(ExecDirectly(path(),
                         "CREATE TRIGGER test_refuse BEFORE INSERT ON event_id_blocks "
                         "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"),
            "");
  auto failed = store_.events->Append(std::vector<StoredEvent>{Ev("e2", "s1", 2)});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  ASSERT_EQ(ExecDirectly(path(), "DROP TRIGGER test_refuse"), "");
  auto r = Append({Ev("e2", "s1", 2), Ev("e1", "s1", 1)});
  EXPECT_EQ(*r[0], AppendOutcome::kRecorded);
  EXPECT_EQ(*r[1], AppendOutcome::kAlreadyRecorded);
  auto loaded = store_.events->LoadSession("s1");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[1].event_id, "e2");
}

// The fingerprints must cover every event: a file whose blocks were cut
// (another program, a damaged copy) is refused with DATA_LOSS before
// anything is written, rather than taking an id twice.
TEST_F(SqliteStoreTest, AFileWhoseFingerprintsWereCutIsRefusedBeforeWriting) {
  ASSERT_EQ(*Append({Ev("e1", "s1", 1), Ev("e2", "s1", 2)})[0], AppendOutcome::kRecorded);
  ASSERT_EQ(ExecDirectly(path(), "DELETE FROM event_id_blocks"), "");
  Reopen();
  auto r = store_.events->Append(std::vector<StoredEvent>{Ev("e3", "s1", 3)});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("event_id_blocks"));
  EXPECT_EQ(*store_.events->CountEvents(), 2);
}

TEST_F(SqliteStoreTest, TheDatabaseRefusesToUpdateOrDeleteAuditRecords) {
  ASSERT_TRUE(
      store_.ledger->AppendDecision({Record("sg-1", core::ReviewAction::kApprove), 0}).ok());
  // Another program with the file open: the triggers stop it, not this class.
  EXPECT_THAT(ExecDirectly(path(), "UPDATE audit_records SET action = 'reject'"),
              HasSubstr("audit records are append-only"));
  EXPECT_THAT(ExecDirectly(path(), "DELETE FROM audit_records"),
              HasSubstr("audit records are append-only"));
  EXPECT_THAT(ExecDirectly(path(),
                           "INSERT OR REPLACE INTO audit_records (record_id, recorded_at_ms, "
                           "actor, platform, action, suggestion_id, patient_ref, "
                           "date_of_service, fingerprint) "
                           "SELECT record_id, 0, 'x', 'x', 'reject', suggestion_id, 'x', 'x', 'x' "
                           "FROM audit_records"),
              HasSubstr("audit records are append-only"));
  const std::vector<core::ReviewRecord> records = List("sg-1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].action, core::ReviewAction::kApprove);
  // Appending still works.
  EXPECT_EQ(ExecDirectly(path(),
                         "INSERT INTO audit_records (recorded_at_ms, actor, platform, action, "
                         "suggestion_id, patient_ref, date_of_service, fingerprint) "
                         "VALUES (0, 'a', 'platform-a', 'reject', 'sg-1', 'pt-1', '2026-11-30', "
                         "'fp')"),
            "");
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve", "sg-1:reject"));
}

TEST_F(SqliteStoreTest, AFailureMidExportLeavesNeitherBatchNorRecords) {
  // Another program forbids export records of sg-bad; the second insert fails.
  ASSERT_EQ(ExecDirectly(path(),
                         "CREATE TRIGGER test_refuse BEFORE INSERT ON audit_records "
                         "WHEN NEW.suggestion_id = 'sg-bad' "
                         "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"),
            "");
  Reopen();  // so that the store's connection sees the new trigger's schema
  const std::vector<RecordAfter> exports = {{Record("sg-good", core::ReviewAction::kExport), 0},
                                            {Record("sg-bad", core::ReviewAction::kExport), 0}};
  ExportBatch batch;
  batch.batch_id = "batch-1";
  auto r = store_.ledger->RecordExport(batch, exports);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(List("sg-good"), IsEmpty());
  ASSERT_EQ(ExecDirectly(path(), "DROP TRIGGER test_refuse"), "");
  // The batch id was not taken by the failed call.
  auto retried = store_.ledger->RecordExport(batch, {exports.data(), 1});
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(*retried, 1);
}

// A database of schema 2 named suggestions by a hash and kept the key of
// each in suggestion_keys. Opening it renames every audit record's
// suggestion to the id that names its key, drops the table, and keeps the
// trail append-only.
TEST(SqliteStoreMigrationTest, Schema2SuggestionIdsBecomeTheIdsThatNameTheirKeys) {
  testing::TempDir dir;
  const std::string path = dir.File("v2.db");
  ASSERT_EQ(ExecDirectly(path, R"sql(
CREATE TABLE events (event_id TEXT PRIMARY KEY, session_id TEXT NOT NULL,
  occurred_at_ms INTEGER NOT NULL, payload BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX events_by_session ON events (session_id, occurred_at_ms, event_id);
CREATE TABLE sessions (session_id TEXT PRIMARY KEY, platform TEXT, patient_ref TEXT,
  start_ms INTEGER, last_event_ms INTEGER NOT NULL, stopped INTEGER NOT NULL DEFAULT 0,
  event_count INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE audit_records (record_id INTEGER PRIMARY KEY AUTOINCREMENT,
  recorded_at_ms INTEGER NOT NULL, actor TEXT NOT NULL, platform TEXT NOT NULL,
  action TEXT NOT NULL, suggestion_id TEXT NOT NULL, patient_ref TEXT NOT NULL,
  date_of_service TEXT NOT NULL, fingerprint TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
  override_reason TEXT NOT NULL DEFAULT '', "before" BLOB, "after" BLOB,
  batch_id TEXT NOT NULL DEFAULT '');
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TABLE suggestion_keys (suggestion_id TEXT PRIMARY KEY, platform TEXT NOT NULL,
  patient_ref TEXT NOT NULL, date_of_service TEXT NOT NULL, payer_id TEXT NOT NULL,
  discipline INTEGER NOT NULL, provider_ref TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE export_batches (batch_id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL, platform TEXT NOT NULL, format TEXT NOT NULL, range_start TEXT NOT NULL,
  range_end TEXT NOT NULL, claim_count INTEGER NOT NULL, line_count INTEGER NOT NULL)
  WITHOUT ROWID;
INSERT INTO suggestion_keys VALUES
  ('s0123456789abcdef', 'platform-a', 'pt 1/x', '2026-11-30', 'medicare', 1, 'prov-7'),
  ('sfedcba9876543210', 'platform-a', 'pt-2', '2026-11-29', 'aetna', 2, 'prov-8');
INSERT INTO audit_records (recorded_at_ms, actor, platform, action, suggestion_id,
  patient_ref, date_of_service, fingerprint) VALUES
  (1000, 'therapist-1', 'platform-a', 'approve', 's0123456789abcdef', 'pt 1/x', '2026-11-30', 'fp1'),
  (2000, 'biller-1', 'platform-a', 'export', 's0123456789abcdef', 'pt 1/x', '2026-11-30', 'fp1'),
  (3000, 'therapist-1', 'platform-a', 'reject', 'sfedcba9876543210', 'pt-2', '2026-11-29', 'fp2');
PRAGMA user_version = 2;
)sql"),
            "");
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string first = core::SuggestionId(
      {"pt 1/x", *core::ParseDay("2026-11-30"), "medicare", core::Discipline::kPhysicalTherapy});
  const std::string second = core::SuggestionId(
      {"pt-2", *core::ParseDay("2026-11-29"), "aetna", core::Discipline::kOccupationalTherapy});
  auto trail = store->ledger->ListAudit("platform-a", first);
  ASSERT_TRUE(trail.ok()) << trail.status();
  EXPECT_THAT(Actions(*trail), ElementsAre(first + ":approve", first + ":export"));
  trail = store->ledger->ListAudit("platform-a", second);
  ASSERT_TRUE(trail.ok()) << trail.status();
  EXPECT_THAT(Actions(*trail), ElementsAre(second + ":reject"));
  EXPECT_THAT(store->ledger->ListAudit("platform-a", "s0123456789abcdef").value(), IsEmpty());
  *store = {};
  EXPECT_THAT(ExecDirectly(path, "SELECT * FROM suggestion_keys"),
              HasSubstr("no such table: suggestion_keys"));
  EXPECT_THAT(ExecDirectly(path, "UPDATE audit_records SET actor = 'x'"), HasSubstr("append-only"));
  // Opened again: nothing left to migrate.
  auto reopened = OpenSqliteStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(reopened->ledger->ListAudit("platform-a", first).value().size(), 2u);
}

// A database of schema 3 kept `events` keyed on event_id. Opening it copies
// the events into arrival order (their time order) and writes their ids'
// fingerprints, so that a stored id is still recognised.
TEST(SqliteStoreMigrationTest, Schema3EventsKeepTheirIdsSessionsAndOrder) {
  testing::TempDir dir;
  const std::string path = dir.File("v3.db");
  auto ms = [](int seconds) { return std::to_string(At(seconds).time_since_epoch().count()); };
  ASSERT_EQ(ExecDirectly(path, R"sql(
CREATE TABLE events (event_id TEXT PRIMARY KEY, session_id TEXT NOT NULL,
  occurred_at_ms INTEGER NOT NULL, payload BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX events_by_session ON events (session_id, occurred_at_ms, event_id);
CREATE TABLE sessions (session_id TEXT PRIMARY KEY, platform TEXT, patient_ref TEXT,
  start_ms INTEGER, last_event_ms INTEGER NOT NULL, stopped INTEGER NOT NULL DEFAULT 0,
  event_count INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE audit_records (record_id INTEGER PRIMARY KEY AUTOINCREMENT,
  suggestion_id TEXT NOT NULL);
INSERT INTO sessions VALUES ('s1', 'platform-a', 'pt-1', 0, 0, 0, 2),
  ('s2', 'platform-a', 'pt-2', 0, 0, 0, 1);
PRAGMA user_version = 3;
)sql" + std::string("INSERT INTO events VALUES ('zz', 's1', ") +
                                   ms(1) + ", 'payload:zz'), ('aa', 's1', " + ms(3) +
                                   ", 'payload:aa'), ('mm', 's2', " + ms(2) + ", 'payload:mm');"),
            "");
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  auto loaded = store->events->LoadSession("s1");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].event_id, "zz");
  EXPECT_EQ((*loaded)[1].payload, "payload:aa");
  EXPECT_EQ(*store->events->CountEvents(), 3);
  auto r = store->events->Append(std::vector<StoredEvent>{
      Ev("mm", "s2", 2), Ev("aa", "s1", 3, "changed"), Ev("new", "s2", 4)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*(*r)[0], AppendOutcome::kAlreadyRecorded);
  EXPECT_EQ((*r)[1].status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*(*r)[2], AppendOutcome::kRecorded);
  *store = {};
  // Arrival order: the old events by time, then the new one.
  EXPECT_EQ(QueryOne(path,
                     "SELECT group_concat(event_id, ',') FROM "
                     "(SELECT event_id FROM events ORDER BY seq)"),
            "zz,mm,aa,new");
  EXPECT_EQ(QueryOne(path, "SELECT count(*) FROM event_id_blocks"), "2");
}

// A database of schema 4 had no session kinds: its sessions stay visits,
// the watchdog's index is remade to leave episodes out, and new episodes
// are told apart.
TEST(SqliteStoreMigrationTest, Schema4SessionsStayVisitsAndEpisodesAreNeverOpen) {
  testing::TempDir dir;
  const std::string path = dir.File("v4.db");
  const std::string at = std::to_string(At(100).time_since_epoch().count());
  // Schema 4's event log and sessions (with no event behind the rows: the
  // migration reads none).
  ASSERT_EQ(ExecDirectly(
                path, R"sql(
CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, session_id TEXT NOT NULL,
  occurred_at_ms INTEGER NOT NULL, payload BLOB NOT NULL);
CREATE TABLE event_id_blocks (first_seq INTEGER PRIMARY KEY, fingerprints BLOB NOT NULL);
CREATE TABLE store_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
INSERT INTO store_meta VALUES ('event_id_key', randomblob(16));
CREATE TABLE session_event_chunks (session_id TEXT NOT NULL, first_seq INTEGER NOT NULL,
  seqs BLOB NOT NULL, PRIMARY KEY (session_id, first_seq)) WITHOUT ROWID;
CREATE TABLE sessions (session_id TEXT PRIMARY KEY, platform TEXT, patient_ref TEXT,
  start_ms INTEGER, last_event_ms INTEGER NOT NULL, stopped INTEGER NOT NULL DEFAULT 0,
  event_count INTEGER NOT NULL DEFAULT 0, event_seqs BLOB NOT NULL DEFAULT x'') WITHOUT ROWID;
CREATE INDEX sessions_by_platform ON sessions (platform, start_ms, session_id);
CREATE INDEX sessions_by_patient ON sessions (patient_ref, start_ms, session_id);
CREATE INDEX sessions_by_start ON sessions (start_ms, session_id);
CREATE INDEX open_sessions_by_last_event ON sessions (last_event_ms, session_id)
  WHERE stopped = 0;
CREATE TABLE audit_records (record_id INTEGER PRIMARY KEY AUTOINCREMENT,
  suggestion_id TEXT NOT NULL);
PRAGMA user_version = 4;
)sql" +
                          std::string(
                              "INSERT INTO sessions (session_id, platform, patient_ref, start_ms, "
                              "last_event_ms, stopped) VALUES ('s-open', "
                              "'platform-a', 'pt-1', ") +
                          at + ", " + at + ", 0), ('s-closed', 'platform-a', 'pt-1', " + at + ", " +
                          at + ", 1);"),
            "");
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  SessionQuery visits;
  visits.kind = SessionKind::kVisit;
  EXPECT_THAT(store->events->ListSessions(visits)->session_ids, ElementsAre("s-closed", "s-open"));
  StoredEvent data = Ev("d1", "ep-1", 50);
  data.monitoring = true;
  ASSERT_TRUE(store->events->Append(std::vector<StoredEvent>{data}).ok());
  SessionQuery episodes;
  episodes.kind = SessionKind::kMonitoringEpisode;
  EXPECT_THAT(store->events->ListSessions(episodes)->session_ids, ElementsAre("ep-1"));
  EXPECT_THAT(*store->events->ListOpenSessions(At(1000)),
              ElementsAre(OpenSession{"s-open", At(100), 0}));
  *store = {};
  EXPECT_EQ(QueryOne(path, "PRAGMA user_version"), "5");
  EXPECT_THAT(
      QueryOne(path, "SELECT sql FROM sqlite_master WHERE name = 'open_sessions_by_last_event'"),
      HasSubstr("kind = 0"));
  // Opened again: nothing left to migrate.
  auto reopened = OpenSqliteStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_THAT(reopened->events->ListSessions(episodes)->session_ids, ElementsAre("ep-1"));
}

}  // namespace
}  // namespace unitclock::store

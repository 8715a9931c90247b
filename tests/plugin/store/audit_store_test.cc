// The audit trail and export batches of SqliteEventStore, and the migration
// of schema 2's suggestion ids.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/review.h"
#include "plugin/store/sqlite_event_store.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::store {
namespace {

using testing::At;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

AuditRecord Audit(const std::string& suggestion_id, const std::string& action, int seconds,
                  const std::string& patient_ref = "pt-1",
                  const std::string& date_of_service = "2026-11-30") {
  AuditRecord r;
  r.recorded_at = At(seconds);
  r.actor = "therapist-1";
  r.platform = "platform-a";
  r.action = action;
  r.suggestion_id = suggestion_id;
  r.patient_ref = patient_ref;
  r.date_of_service = date_of_service;
  r.fingerprint = "fp-" + suggestion_id;
  return r;
}

std::vector<std::string> Actions(const std::vector<AuditRecord>& records) {
  std::vector<std::string> out;
  for (const AuditRecord& r : records) out.push_back(r.suggestion_id + ":" + r.action);
  return out;
}

ExportBatch Batch(const std::string& batch_id) {
  ExportBatch b;
  b.batch_id = batch_id;
  b.created_at = At(3600);
  b.actor = "biller-1";
  b.platform = "platform-a";
  b.format = "csv";
  b.range_start = "2026-11-01";
  b.range_end = "2026-11-30";
  b.claim_count = 1;
  b.line_count = 2;
  return b;
}

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

class AuditStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto s = SqliteEventStore::Open(path());
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }

  std::string path() const { return dir_.File("events.db"); }

  std::int64_t Append(const AuditRecord& r) {
    auto id = store_->AppendAudit(r);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : -1;
  }

  std::vector<AuditRecord> List(const std::string& suggestion_id) {
    auto records = store_->ListAudit("platform-a", suggestion_id);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *records : std::vector<AuditRecord>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteEventStore> store_;
};

TEST_F(AuditStoreTest, ListsASuggestionsRecordsOldestFirst) {
  const std::int64_t first = Append(Audit("sg-1", "approve", 10));
  Append(Audit("sg-2", "approve", 20));
  // Recorded later, though its recorded_at is earlier: the order is the order of appends.
  const std::int64_t second = Append(Audit("sg-1", "amend", 5));
  EXPECT_LT(first, second);
  const std::vector<AuditRecord> records = List("sg-1");
  EXPECT_THAT(Actions(records), ElementsAre("sg-1:approve", "sg-1:amend"));
  EXPECT_EQ(records[0].record_id, first);
  EXPECT_EQ(records[1].record_id, second);
  EXPECT_THAT(List("sg-none"), IsEmpty());
}

TEST_F(AuditStoreTest, KeepsEveryFieldAndIgnoresThePassedRecordId) {
  AuditRecord r = Audit("sg-1", "amend", 30);
  r.record_id = 999;
  r.reason = "patient left early";
  r.override_reason = "payer confirmed";
  r.before = std::string("97110\0x2", 8);  // binary-safe
  r.after = "97110x1";
  r.batch_id = "";
  const std::int64_t id = Append(r);
  EXPECT_NE(id, 999);
  const std::vector<AuditRecord> records = List("sg-1");
  ASSERT_EQ(records.size(), 1u);
  AuditRecord expected = r;
  expected.record_id = id;
  EXPECT_EQ(records[0], expected);
}

TEST_F(AuditStoreTest, EmptyBeforeAndAfterRoundTrip) {
  Append(Audit("sg-1", "approve", 0));
  const std::vector<AuditRecord> records = List("sg-1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].before, "");
  EXPECT_EQ(records[0].after, "");
  EXPECT_EQ(records[0].reason, "");
}

TEST_F(AuditStoreTest, ListsAPatientDayAcrossSuggestions) {
  Append(Audit("sg-pt", "approve", 0, "pt-1", "2026-11-30"));
  Append(Audit("sg-ot", "reject", 10, "pt-1", "2026-11-30"));
  Append(Audit("sg-other-day", "approve", 20, "pt-1", "2026-12-01"));
  Append(Audit("sg-other-patient", "approve", 30, "pt-2", "2026-11-30"));
  AuditRecord other_platform = Audit("sg-other-platform", "approve", 40, "pt-1", "2026-11-30");
  other_platform.platform = "platform-b";
  Append(other_platform);
  Append(Audit("sg-pt", "amend", 50, "pt-1", "2026-11-30"));
  auto records = store_->ListAuditForPatientDay("platform-a", "pt-1", "2026-11-30");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(Actions(*records), ElementsAre("sg-pt:approve", "sg-ot:reject", "sg-pt:amend"));
  auto none = store_->ListAuditForPatientDay("platform-a", "pt-9", "2026-11-30");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_THAT(*none, IsEmpty());
}

TEST_F(AuditStoreTest, RecordsSurviveCloseAndReopen) {
  Append(Audit("sg-1", "approve", 0));
  Reopen();
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve"));
  Append(Audit("sg-1", "reject", 10));
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve", "sg-1:reject"));
}

// Suggestion ids name a patient-day of their platform: another platform's
// records of the same id are not its history.
TEST_F(AuditStoreTest, ASuggestionsHistoryIsItsPlatformsOnly) {
  Append(Audit("sg-1", "approve", 0));
  AuditRecord other = Audit("sg-1", "reject", 5);
  other.platform = "platform-b";
  Append(other);
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve"));
  auto b = store_->ListAudit("platform-b", "sg-1");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(Actions(*b), ElementsAre("sg-1:reject"));
}

TEST_F(AuditStoreTest, TheDatabaseRefusesToUpdateOrDeleteAuditRecords) {
  Append(Audit("sg-1", "approve", 0));
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
  const std::vector<AuditRecord> records = List("sg-1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].action, "approve");
  // Appending still works.
  EXPECT_EQ(ExecDirectly(path(),
                         "INSERT INTO audit_records (recorded_at_ms, actor, platform, action, "
                         "suggestion_id, patient_ref, date_of_service, fingerprint) "
                         "VALUES (0, 'a', 'platform-a', 'reject', 'sg-1', 'pt-1', '2026-11-30', "
                         "'fp')"),
            "");
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve", "sg-1:reject"));
}

TEST_F(AuditStoreTest, RecordExportWritesTheBatchAndOneExportRecordPerSuggestion) {
  Append(Audit("sg-1", "approve", 0));
  AuditRecord e1 = Audit("sg-1", "whatever the caller says", 3600);
  e1.batch_id = "not this";
  const AuditRecord e2 = Audit("sg-2", "", 3600);
  const std::vector<AuditRecord> exports = {e1, e2};
  auto written = store_->RecordExport(Batch("batch-1"), exports);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 2);
  const std::vector<AuditRecord> sg1 = List("sg-1");
  EXPECT_THAT(Actions(sg1), ElementsAre("sg-1:approve", "sg-1:export"));
  EXPECT_EQ(sg1[1].batch_id, "batch-1");
  EXPECT_EQ(sg1[1].fingerprint, "fp-sg-1");
  EXPECT_EQ(sg1[0].batch_id, "");
  EXPECT_THAT(Actions(List("sg-2")), ElementsAre("sg-2:export"));
}

TEST_F(AuditStoreTest, AnExportOfNoSuggestionsStillRecordsItsBatch) {
  auto written = store_->RecordExport(Batch("batch-empty"), {});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 0);
  auto again = store_->RecordExport(Batch("batch-empty"), {});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(AuditStoreTest, AReusedBatchIdFailsAndWritesNothing) {
  const std::vector<AuditRecord> first = {Audit("sg-1", "export", 3600)};
  ASSERT_TRUE(store_->RecordExport(Batch("batch-1"), first).ok());
  const std::vector<AuditRecord> second = {Audit("sg-2", "export", 7200),
                                           Audit("sg-3", "export", 7200)};
  ExportBatch reused = Batch("batch-1");
  reused.line_count = 5;
  auto r = store_->RecordExport(reused, second);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r.status().message()), ::testing::StartsWith("batch.batch_id: "));
  EXPECT_THAT(List("sg-2"), IsEmpty());
  EXPECT_THAT(List("sg-3"), IsEmpty());
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:export"));
  // The store is usable afterwards: the failed transaction was rolled back.
  EXPECT_TRUE(store_->RecordExport(Batch("batch-2"), second).ok());
  EXPECT_THAT(Actions(List("sg-2")), ElementsAre("sg-2:export"));
}

TEST_F(AuditStoreTest, AFailureMidExportLeavesNeitherBatchNorRecords) {
  // Another program forbids export records of sg-bad; the second insert fails.
  ASSERT_EQ(ExecDirectly(path(),
                         "CREATE TRIGGER test_refuse BEFORE INSERT ON audit_records "
                         "WHEN NEW.suggestion_id = 'sg-bad' "
                         "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"),
            "");
  Reopen();  // so that the store's connection sees the new trigger's schema
  const std::vector<AuditRecord> exports = {Audit("sg-good", "export", 0),
                                            Audit("sg-bad", "export", 0)};
  auto r = store_->RecordExport(Batch("batch-1"), exports);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(List("sg-good"), IsEmpty());
  ASSERT_EQ(ExecDirectly(path(), "DROP TRIGGER test_refuse"), "");
  // The batch id was not taken by the failed call.
  auto retried = store_->RecordExport(Batch("batch-1"), {exports.data(), 1});
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(*retried, 1);
}

// A database of schema 2 named suggestions by a hash and kept the key of
// each in suggestion_keys. Opening it renames every audit record's
// suggestion to the id that names its key, drops the table, and keeps the
// trail append-only.
TEST(AuditStoreMigrationTest, Schema2SuggestionIdsBecomeTheIdsThatNameTheirKeys) {
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
  auto store = SqliteEventStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string first = core::SuggestionId(
      {"pt 1/x", *core::ParseDay("2026-11-30"), "medicare", core::Discipline::kPhysicalTherapy});
  const std::string second = core::SuggestionId(
      {"pt-2", *core::ParseDay("2026-11-29"), "aetna", core::Discipline::kOccupationalTherapy});
  auto trail = (*store)->ListAudit("platform-a", first);
  ASSERT_TRUE(trail.ok()) << trail.status();
  EXPECT_THAT(Actions(*trail), ElementsAre(first + ":approve", first + ":export"));
  trail = (*store)->ListAudit("platform-a", second);
  ASSERT_TRUE(trail.ok()) << trail.status();
  EXPECT_THAT(Actions(*trail), ElementsAre(second + ":reject"));
  EXPECT_THAT((*store)->ListAudit("platform-a", "s0123456789abcdef").value(), IsEmpty());
  store->reset();
  EXPECT_THAT(ExecDirectly(path, "SELECT * FROM suggestion_keys"),
              HasSubstr("no such table: suggestion_keys"));
  EXPECT_THAT(ExecDirectly(path, "UPDATE audit_records SET actor = 'x'"), HasSubstr("append-only"));
  // Opened again: nothing left to migrate.
  auto reopened = SqliteEventStore::Open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->ListAudit("platform-a", first).value().size(), 2u);
}

}  // namespace
}  // namespace unitclock::store

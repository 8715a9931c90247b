// The PostgreSQL store's own behaviour, beyond the contract it shares with
// the SQLite store (event_log_contract_test, review_ledger_contract_test):
// migrations when instances start together, a ledger the database itself
// keeps append-only, two instances (two OpenPostgresStore on one database)
// racing for the same events, sessions and suggestions, and losing the
// database and getting it back. Needs ctest's PostgreSQL cluster (fixture
// "pg"); the test of losing the database starts one of its own.
#include "plugin/store/postgres/postgres_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "plugin/store/postgres/schema.h"
#include "tests/plugin/store/store_test_values.h"
#include "tests/testing/events.h"
#include "tests/testing/scratch_pg_cluster.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_database.h"

namespace unitclock::store {
namespace {

using store_tests::Day;
using store_tests::Ev;
using ::testing::HasSubstr;
using ::testing::Not;
using unitclock::testing::At;
using unitclock::testing::Backend;
using unitclock::testing::TestDatabase;

// SQL over a plain libpq connection, as another program (or a person with
// psql) would run it.
class RawSql {
 public:
  explicit RawSql(const std::string& uri) : conn_(PQconnectdb(uri.c_str())) {}
  ~RawSql() { PQfinish(conn_); }
  RawSql(const RawSql&) = delete;
  RawSql& operator=(const RawSql&) = delete;

  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }

  // The rows of `sql`, or the server's error message.
  absl::StatusOr<std::vector<std::vector<std::string>>> Query(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const ExecStatusType status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      std::string message = PQresultErrorMessage(r);
      PQclear(r);
      return absl::InternalError(message);
    }
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
      rows.emplace_back();
      for (int j = 0; j < PQnfields(r); ++j) rows.back().emplace_back(PQgetvalue(r, i, j));
    }
    PQclear(r);
    return rows;
  }

  // The one value of `sql`.
  std::string Value(const std::string& sql) {
    absl::StatusOr<std::vector<std::vector<std::string>>> rows = Query(sql);
    if (!rows.ok() || rows->size() != 1 || rows->front().size() != 1) return "<no value>";
    return rows->front().front();
  }

 private:
  PGconn* conn_;
};

std::unique_ptr<TestDatabase> NewDatabase() {
  absl::StatusOr<std::unique_ptr<TestDatabase>> db = TestDatabase::Create(Backend::kPostgres);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

Store Open(const std::string& uri, StoreOptions options = {}) {
  absl::StatusOr<Store> store = OpenPostgresStore(uri, options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : Store{};
}

using Events = std::vector<StoredEvent>;

core::ReviewRecord Decision(const std::string& suggestion_id) {
  core::ReviewRecord r;
  r.action = core::ReviewAction::kApprove;
  r.fingerprint = "fp-1";
  r.recorded_at = At(0);
  r.actor = "reviewer-1";
  r.platform = "platform-a";
  r.suggestion_id = suggestion_id;
  r.patient_ref = "pt-1";
  r.date_of_service = Day("2026-11-30");
  r.after = {core::ApprovedLine{"97110", 2, {"GP", "95"}, "10", 30}};
  return r;
}

ExportBatch Batch(const std::string& batch_id) {
  ExportBatch b;
  b.batch_id = batch_id;
  b.created_at = At(60);
  b.actor = "biller-1";
  b.platform = "platform-a";
  b.format = core::exports::Format::kX12_837P;
  b.range_start = Day("2026-11-01");
  b.range_end = Day("2026-11-30");
  b.claim_count = 1;
  b.line_count = 1;
  return b;
}

// Runs `a` and `b` on two threads released at the same moment.
template <typename A, typename B>
void AtOnce(A a, B b) {
  std::latch start(2);
  std::thread ta([&] {
    start.arrive_and_wait();
    a();
  });
  std::thread tb([&] {
    start.arrive_and_wait();
    b();
  });
  ta.join();
  tb.join();
}

// ---- Migrations

TEST(PostgresMigrationTest, InstancesStartingTogetherApplyTheSchemaOnce) {
  std::unique_ptr<TestDatabase> db = NewDatabase();
  ASSERT_NE(db, nullptr);
  constexpr int kInstances = 6;
  std::vector<absl::StatusOr<Store>> stores;
  for (int i = 0; i < kInstances; ++i) stores.emplace_back(absl::UnknownError("not opened"));
  std::latch start(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      stores[i] = OpenPostgresStore(db->spec(), {});
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kInstances; ++i)
    ASSERT_TRUE(stores[i].ok()) << i << ": " << stores[i].status();

  RawSql sql(db->spec());
  ASSERT_TRUE(sql.ok());
  // One row per version applied: a second application would have failed on
  // the primary key (or on CREATE TABLE), and its instance with it.
  EXPECT_EQ(sql.Value("SELECT count(*) FROM unitclock_schema"),
            std::to_string(postgres::kSchemaVersion));
  EXPECT_EQ(sql.Value("SELECT max(version) FROM unitclock_schema"),
            std::to_string(postgres::kSchemaVersion));
  // Every instance works on the one schema.
  for (int i = 0; i < kInstances; ++i) {
    absl::StatusOr<AppendResults> r =
        stores[i]->events->Append(Events{Ev("e" + std::to_string(i), "s", i)});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->at(0).value(), AppendOutcome::kRecorded);
  }
  EXPECT_EQ(*stores[0]->events->CountEvents(), kInstances);
}

TEST(PostgresMigrationTest, ReopeningKeepsTheData) {
  std::unique_ptr<TestDatabase> db = NewDatabase();
  ASSERT_NE(db, nullptr);
  {
    Store store = Open(db->spec());
    ASSERT_NE(store.events, nullptr);
    ASSERT_TRUE(store.events->Append(Events{Ev("e1", "s1", 0)}).ok());
  }
  Store again = Open(db->spec());
  ASSERT_NE(again.events, nullptr);
  EXPECT_EQ(*again.events->CountEvents(), 1);
  RawSql sql(db->spec());
  EXPECT_EQ(sql.Value("SELECT count(*) FROM unitclock_schema"),
            std::to_string(postgres::kSchemaVersion));
}

TEST(PostgresMigrationTest, RefusesADatabaseOfANewerSchema) {
  std::unique_ptr<TestDatabase> db = NewDatabase();
  ASSERT_NE(db, nullptr);
  { ASSERT_NE(Open(db->spec()).events, nullptr); }
  RawSql sql(db->spec());
  const int newer = postgres::kSchemaVersion + 1;
  ASSERT_TRUE(
      sql.Query("INSERT INTO unitclock_schema (version) VALUES (" + std::to_string(newer) + ")")
          .ok());

  absl::StatusOr<Store> store = OpenPostgresStore(db->spec(), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr("database schema " + std::to_string(newer) +
                        " is newer than this unitclockd knows (" +
                        std::to_string(postgres::kSchemaVersion) + "); upgrade unitclockd"));
}

// A database of schema 1 (before monitoring episodes): its sessions are all
// visits, and the watchdog's index is remade to leave episodes out. The
// schema-1 database is this one's schema 1 as it was released: opened, then
// the migration to 2 undone by hand.
TEST(PostgresMigrationTest, Schema1SessionsStayVisitsAndEpisodesAreNeverOpen) {
  std::unique_ptr<TestDatabase> db = NewDatabase();
  ASSERT_NE(db, nullptr);
  { ASSERT_NE(Open(db->spec()).events, nullptr); }
  {
    RawSql sql(db->spec());
    ASSERT_TRUE(sql.ok());
    const std::string at = std::to_string(At(100).time_since_epoch().count());
    for (const std::string& statement : std::vector<std::string>{
             "DROP INDEX open_sessions_by_last_event",
             "ALTER TABLE sessions DROP COLUMN kind",
             "CREATE INDEX open_sessions_by_last_event ON sessions (last_event_ms, session_id) "
             "WHERE NOT stopped",
             "DELETE FROM unitclock_schema WHERE version = 2",
             "INSERT INTO events VALUES ('o1', 's-open', " + at +
                 ", 'payload:o1'), "
                 "('c1', 's-closed', " +
                 at + ", 'payload:c1')",
             "INSERT INTO sessions (session_id, platform, patient_ref, start_ms, last_event_ms, "
             "stopped, event_count) VALUES ('s-open', 'platform-a', 'pt-1', " +
                 at + ", " + at + ", false, 1), ('s-closed', 'platform-a', 'pt-1', " + at + ", " +
                 at + ", true, 1)",
         }) {
      ASSERT_TRUE(sql.Query(statement).ok()) << statement;
    }
  }
  Store store = Open(db->spec());
  ASSERT_NE(store.events, nullptr);
  RawSql sql(db->spec());
  EXPECT_EQ(sql.Value("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
                      "unitclock_schema"),
            "1,2");
  EXPECT_THAT(sql.Value("SELECT indexdef FROM pg_indexes WHERE indexname = "
                        "'open_sessions_by_last_event'"),
              HasSubstr("kind = 0"));
  SessionQuery visits;
  visits.kind = SessionKind::kVisit;
  EXPECT_THAT(store.events->ListSessions(visits)->session_ids,
              ::testing::ElementsAre("s-closed", "s-open"));
  StoredEvent data = Ev("d1", "ep-1", 50);
  data.monitoring = true;
  ASSERT_TRUE(store.events->Append(Events{data}).ok());
  SessionQuery episodes;
  episodes.kind = SessionKind::kMonitoringEpisode;
  EXPECT_THAT(store.events->ListSessions(episodes)->session_ids, ::testing::ElementsAre("ep-1"));
  EXPECT_THAT(*store.events->ListOpenSessions(At(1000)),
              ::testing::ElementsAre(OpenSession{"s-open", At(100), 1}));
  EXPECT_EQ(store.events->LoadSession("s-open")->size(), 1u);
}

// ---- Errors

TEST(PostgresOpenTest, ErrorsNeverRepeatThePassword) {
  // Nothing listens on port 1: the connection is refused at once.
  absl::StatusOr<Store> unreachable =
      OpenPostgresStore("postgresql://alice:s3cr3t-pw@127.0.0.1:1/unitclock?connect_timeout=2", {});
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unreachable.status().message(), HasSubstr("alice@127.0.0.1:1/unitclock"));
  EXPECT_THAT(unreachable.status().message(), Not(HasSubstr("s3cr3t-pw")));

  absl::StatusOr<Store> malformed =
      OpenPostgresStore("postgresql://alice:s3cr3t-pw@host/db?no_such_option=s3cr3t-pw", {});
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(malformed.status().message(), Not(HasSubstr("s3cr3t-pw")));

  absl::StatusOr<Store> not_postgres = OpenPostgresStore("mysql://alice:s3cr3t-pw@host/db", {});
  ASSERT_FALSE(not_postgres.ok());
  EXPECT_EQ(not_postgres.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(not_postgres.status().message(), Not(HasSubstr("s3cr3t-pw")));
}

// ---- Append-only ledger

TEST(PostgresLedgerTest, TheDatabaseRefusesUpdateDeleteAndTruncate) {
  std::unique_ptr<TestDatabase> db = NewDatabase();
  ASSERT_NE(db, nullptr);
  Store store = Open(db->spec());
  ASSERT_NE(store.ledger, nullptr);
  absl::StatusOr<std::int64_t> decided = store.ledger->AppendDecision({Decision("sg-1"), 0});
  ASSERT_TRUE(decided.ok()) << decided.status();
  core::ReviewRecord exported = Decision("sg-1");
  exported.action = core::ReviewAction::kExport;
  const RecordAfter exports[] = {{exported, *decided}};
  ASSERT_TRUE(store.ledger->RecordExport(Batch("batch-1"), exports).ok());
  const std::vector<core::ReviewRecord> before = *store.ledger->ListAudit("platform-a", "sg-1");
  ASSERT_EQ(before.size(), 2u);

  RawSql sql(db->spec());
  ASSERT_TRUE(sql.ok());
  for (const char* table : {"audit_records", "export_batches"}) {
    SCOPED_TRACE(table);
    const std::string t = table;
    for (const std::string& statement :
         {"UPDATE " + t + " SET actor = 'mallory'", "DELETE FROM " + t,
          "UPDATE " + t + " SET actor = 'mallory' WHERE false", "DELETE FROM " + t + " WHERE false",
          "TRUNCATE " + t, "TRUNCATE " + t + " CASCADE"}) {
      SCOPED_TRACE(statement);
      absl::StatusOr<std::vector<std::vector<std::string>>> r = sql.Query(statement);
      ASSERT_FALSE(r.ok());
      EXPECT_THAT(r.status().message(), HasSubstr("append-only"));
    }
  }
  // No privilege to change either table is granted to PUBLIC.
  EXPECT_EQ(sql.Value("SELECT count(*) FROM information_schema.role_table_grants "
                      "WHERE grantee = 'PUBLIC' AND table_name IN ('audit_records', "
                      "'export_batches')"),
            "0");
  EXPECT_EQ(*store.ledger->ListAudit("platform-a", "sg-1"), before);
  EXPECT_EQ(sql.Value("SELECT count(*) FROM export_batches"), "1");
}

// ---- Two instances on one database

class PostgresTwoInstancesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = NewDatabase();
    ASSERT_NE(db_, nullptr);
    a_ = Open(db_->spec());
    b_ = Open(db_->spec());
    ASSERT_NE(a_.events, nullptr);
    ASSERT_NE(b_.events, nullptr);
  }

  std::unique_ptr<TestDatabase> db_;
  Store a_;
  Store b_;
};

// The outcome of appending `e` alone.
absl::StatusOr<AppendOutcome> AppendOne(EventLog& log, const StoredEvent& e) {
  absl::StatusOr<AppendResults> r = log.Append(Events{e});
  if (!r.ok()) return r.status();
  return r->at(0);
}

TEST_F(PostgresTwoInstancesTest, TheSameEventFromBothIsStoredOnce) {
  constexpr int kRounds = 30;
  for (int round = 0; round < kRounds; ++round) {
    const StoredEvent e =
        Ev("same-" + std::to_string(round), "s-" + std::to_string(round % 3), round);
    absl::StatusOr<AppendOutcome> ra, rb;
    AtOnce([&] { ra = AppendOne(*a_.events, e); }, [&] { rb = AppendOne(*b_.events, e); });
    ASSERT_TRUE(ra.ok()) << ra.status();
    ASSERT_TRUE(rb.ok()) << rb.status();
    EXPECT_EQ((*ra == AppendOutcome::kRecorded) + (*rb == AppendOutcome::kRecorded), 1)
        << "round " << round;
    EXPECT_EQ((*ra == AppendOutcome::kAlreadyRecorded) + (*rb == AppendOutcome::kAlreadyRecorded),
              1)
        << "round " << round;
  }
  EXPECT_EQ(*a_.events->CountEvents(), kRounds);
  // Each session counts each of its events once.
  std::int64_t counted = 0;
  const std::vector<OpenSession> open = *b_.events->ListOpenSessions(At(1000));
  for (const OpenSession& s : open) counted += s.event_count;
  EXPECT_EQ(counted, kRounds);
}

TEST_F(PostgresTwoInstancesTest, AnEventIdReusedWithOtherContentIsRefused) {
  constexpr int kRounds = 30;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = "contested-" + std::to_string(round);
    // Different payloads; every other round also different sessions.
    const StoredEvent ea = Ev(id, "s-a", round, "from a");
    const StoredEvent eb = Ev(id, round % 2 ? "s-b" : "s-a", round, "from b");
    absl::StatusOr<AppendOutcome> ra, rb;
    AtOnce([&] { ra = AppendOne(*a_.events, ea); }, [&] { rb = AppendOne(*b_.events, eb); });
    ASSERT_EQ(ra.ok() + rb.ok(), 1)
        << "round " << round << ": " << ra.status() << " / " << rb.status();
    const absl::Status& refused = ra.ok() ? rb.status() : ra.status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kAlreadyExists) << refused;
    EXPECT_EQ(ra.ok() ? *ra : *rb, AppendOutcome::kRecorded);
  }
  EXPECT_EQ(*a_.events->CountEvents(), kRounds);
  // Each stored event is one of the two, whole.
  std::vector<StoredEvent> all = *a_.events->LoadSession("s-a");
  const std::vector<StoredEvent> in_b = *a_.events->LoadSession("s-b");
  all.insert(all.end(), in_b.begin(), in_b.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kRounds));
  for (const StoredEvent& e : all) {
    EXPECT_TRUE((e.payload == "from a:" + e.event_id && e.session_id == "s-a") ||
                e.payload == "from b:" + e.event_id)
        << e.event_id;
  }
}

TEST_F(PostgresTwoInstancesTest, TwoWatchdogsNeverBothStopASession) {
  constexpr int kSessions = 20;
  for (int s = 0; s < kSessions; ++s) {
    const std::string session = "idle-" + std::to_string(s);
    ASSERT_TRUE(
        a_.events->Append(Events{Ev(session + "-1", session, 0), Ev(session + "-2", session, 1)})
            .ok());
    // Each instance's watchdog saw 2 events and stops the session with an
    // event of its own (a watchdog's stop has its own event id).
    StoredEvent stop_a = Ev(session + "-stop-a", session, 100);
    StoredEvent stop_b = Ev(session + "-stop-b", session, 100);
    for (StoredEvent* stop : {&stop_a, &stop_b}) {
      stop->stops_session = true;
      stop->only_if_event_count = 2;
    }
    absl::StatusOr<AppendOutcome> ra, rb;
    AtOnce([&] { ra = AppendOne(*a_.events, stop_a); },
           [&] { rb = AppendOne(*b_.events, stop_b); });
    ASSERT_EQ(ra.ok() + rb.ok(), 1) << session << ": " << ra.status() << " / " << rb.status();
    const absl::Status& refused = ra.ok() ? rb.status() : ra.status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
    EXPECT_EQ(a_.events->LoadSession(session)->size(), 3u);
  }
  EXPECT_TRUE(b_.events->ListOpenSessions(At(1000))->empty());
}

TEST_F(PostgresTwoInstancesTest, TheSessionLimitHoldsAcrossInstances) {
  // Two instances, each with 8 events for one session that may hold 10.
  Store a = Open(db_->spec(), {.max_events_per_session = 10});
  Store b = Open(db_->spec(), {.max_events_per_session = 10});
  ASSERT_NE(a.events, nullptr);
  ASSERT_NE(b.events, nullptr);
  std::vector<StoredEvent> from_a, from_b;
  for (int i = 0; i < 8; ++i) {
    from_a.push_back(Ev("a-" + std::to_string(i), "busy", i));
    from_b.push_back(Ev("b-" + std::to_string(i), "busy", i));
  }
  absl::StatusOr<AppendResults> ra, rb;
  AtOnce([&] { ra = a.events->Append(from_a); }, [&] { rb = b.events->Append(from_b); });
  ASSERT_TRUE(ra.ok()) << ra.status();
  ASSERT_TRUE(rb.ok()) << rb.status();
  int recorded = 0, exhausted = 0;
  for (const AppendResults* results : {&*ra, &*rb}) {
    for (const absl::StatusOr<AppendOutcome>& r : *results) {
      if (r.ok()) ++recorded;
      if (r.status().code() == absl::StatusCode::kResourceExhausted) ++exhausted;
    }
  }
  EXPECT_EQ(recorded, 10);
  EXPECT_EQ(exhausted, 6);
  EXPECT_EQ(a_.events->LoadSession("busy")->size(), 10u);
}

TEST_F(PostgresTwoInstancesTest, TwoReviewersOfOneSuggestionCannotBothDecide) {
  constexpr int kSuggestions = 15;
  for (int s = 0; s < kSuggestions; ++s) {
    const std::string suggestion = "sg-" + std::to_string(s);
    absl::StatusOr<std::int64_t> ra, rb;
    core::ReviewRecord reject = Decision(suggestion);
    reject.action = core::ReviewAction::kReject;
    reject.reason = "not billable";
    reject.after.clear();
    AtOnce(
        [&] {
          ra = a_.ledger->AppendDecision({Decision(suggestion), 0});
        },
        [&] {
          rb = b_.ledger->AppendDecision({reject, 0});
        });
    ASSERT_EQ(ra.ok() + rb.ok(), 1) << suggestion << ": " << ra.status() << " / " << rb.status();
    const absl::Status& refused = ra.ok() ? rb.status() : ra.status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kAborted) << refused;
    EXPECT_EQ(a_.ledger->ListAudit("platform-a", suggestion)->size(), 1u);
  }
}

TEST_F(PostgresTwoInstancesTest, TwoExportsOfOneSuggestionCannotBothSucceed) {
  constexpr int kRounds = 15;
  for (int round = 0; round < kRounds; ++round) {
    // Two suggestions approved; each instance exports both, listed in
    // opposite orders (their locks are still taken in one order).
    const std::string first = "sg-" + std::to_string(round) + "-1";
    const std::string second = "sg-" + std::to_string(round) + "-2";
    absl::StatusOr<std::int64_t> id1 = a_.ledger->AppendDecision({Decision(first), 0});
    absl::StatusOr<std::int64_t> id2 = a_.ledger->AppendDecision({Decision(second), 0});
    ASSERT_TRUE(id1.ok() && id2.ok());
    core::ReviewRecord e1 = Decision(first), e2 = Decision(second);
    e1.action = e2.action = core::ReviewAction::kExport;
    const std::vector<RecordAfter> forward = {{e1, *id1}, {e2, *id2}};
    const std::vector<RecordAfter> backward = {{e2, *id2}, {e1, *id1}};
    absl::StatusOr<std::int64_t> ra, rb;
    const std::string n = std::to_string(round);
    AtOnce([&] { ra = a_.ledger->RecordExport(Batch("batch-a-" + n), forward); },
           [&] { rb = b_.ledger->RecordExport(Batch("batch-b-" + n), backward); });
    ASSERT_EQ(ra.ok() + rb.ok(), 1)
        << "round " << round << ": " << ra.status() << " / " << rb.status();
    const absl::Status& refused = ra.ok() ? rb.status() : ra.status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kAborted) << refused;
    EXPECT_EQ(ra.ok() ? *ra : *rb, 2);
    for (const std::string& suggestion : {first, second}) {
      const std::vector<core::ReviewRecord> history =
          *b_.ledger->ListAudit("platform-a", suggestion);
      ASSERT_EQ(history.size(), 2u);
      EXPECT_EQ(history[1].action, core::ReviewAction::kExport);
      EXPECT_EQ(history[1].batch_id, (ra.ok() ? "batch-a-" : "batch-b-") + n);
    }
  }
  RawSql sql(db_->spec());
  EXPECT_EQ(sql.Value("SELECT count(*) FROM export_batches"), std::to_string(kRounds));
}

// ---- Losing the database

// Creates database `name` on `cluster` and returns its URI; empty if it
// cannot.
std::string CreateDatabase(unitclock::testing::ScratchPgCluster& cluster, const std::string& name) {
  RawSql sql(cluster.uri());
  if (!sql.Query("CREATE DATABASE " + name).ok()) return "";
  return cluster.DatabaseUri(name);
}

// Polls `ok` every 50 ms for up to 15 s.
template <typename F>
bool Eventually(F ok) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(PostgresLossTest, CallsFailWhileTheDatabaseIsDownAndTheSameStoreRecovers) {
  unitclock::testing::ScratchPgCluster cluster;
  ASSERT_TRUE(cluster.started());
  const std::string uri = CreateDatabase(cluster, "loss");
  ASSERT_FALSE(uri.empty());
  Store store = Open(uri);
  ASSERT_NE(store.events, nullptr);
  EventLog& log = *store.events;
  ReviewLedger& ledger = *store.ledger;
  ASSERT_TRUE(log.Append(Events{Ev("before-1", "s1", 0)}).ok());
  absl::StatusOr<std::int64_t> decided = ledger.AppendDecision({Decision("sg-1"), 0});
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_TRUE(log.Health().ok());

  ASSERT_TRUE(cluster.Kill());

  auto unavailable = [](const absl::Status& st) {
    EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
    EXPECT_THAT(st.message(), HasSubstr("postgres store"));
  };
  unavailable(log.Append(Events{Ev("during-1", "s1", 1)}).status());
  unavailable(log.LoadSession("s1").status());
  unavailable(log.SessionOwner("s1").status());
  unavailable(log.ListSessions({}).status());
  unavailable(log.ListOpenSessions(At(100)).status());
  unavailable(log.CountEvents().status());
  unavailable(ledger.AppendDecision({Decision("sg-2"), 0}).status());
  unavailable(ledger.ListAudit("platform-a", "sg-1").status());
  unavailable(ledger.ListAuditForPatientDay("platform-a", "pt-1", Day("2026-11-30")).status());
  core::ReviewRecord exported = Decision("sg-1");
  exported.action = core::ReviewAction::kExport;
  const RecordAfter exports[] = {{exported, *decided}};
  unavailable(ledger.RecordExport(Batch("batch-1"), exports).status());
  unavailable(log.Health());
  // Still down: again at once (within the backoff) and a little later.
  unavailable(log.CountEvents().status());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  unavailable(log.Append(Events{Ev("during-2", "s1", 2)}).status());
  unavailable(log.Health());

  ASSERT_TRUE(cluster.Resume());
  // Calls find the database again by themselves (no Health() needed)...
  EXPECT_TRUE(Eventually([&] { return log.CountEvents().ok(); }));
  EXPECT_TRUE(log.Health().ok()) << log.Health();
  // ...and the writer and the ledger too, on the same objects.
  absl::StatusOr<AppendResults> after = log.Append(Events{Ev("after-1", "s1", 3)});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->at(0).value(), AppendOutcome::kRecorded);
  // Nothing of the failed appends was stored.
  absl::StatusOr<std::vector<StoredEvent>> events = log.LoadSession("s1");
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].event_id, "before-1");
  EXPECT_EQ((*events)[1].event_id, "after-1");
  absl::StatusOr<std::int64_t> exported_now = ledger.RecordExport(Batch("batch-1"), exports);
  ASSERT_TRUE(exported_now.ok()) << exported_now.status();
  EXPECT_EQ(*exported_now, 1);
  EXPECT_EQ(ledger.ListAudit("platform-a", "sg-1")->size(), 2u);
}

TEST(PostgresLossTest, ACommitCutShortIsUnavailableAndASafeResend) {
  unitclock::testing::ScratchPgCluster cluster;
  ASSERT_TRUE(cluster.started());
  const std::string uri = CreateDatabase(cluster, "cut");
  ASSERT_FALSE(uri.empty());
  Store store = Open(uri);
  ASSERT_NE(store.events, nullptr);
  {
    // A deferred trigger that makes every COMMIT of an event take 3 s: the
    // server is killed while the writer waits for its COMMIT.
    RawSql sql(uri);
    ASSERT_TRUE(sql.Query(R"sql(
CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON events
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
)sql")
                    .ok());
  }
  const Events cut = {Ev("cut-1", "s1", 0)};
  absl::StatusOr<AppendResults> during;
  std::thread append([&] { during = store.events->Append(cut); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_TRUE(cluster.Kill());
  append.join();
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(during.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(during.status().message(),
              HasSubstr("whether the transaction was committed is unknown"));

  ASSERT_TRUE(cluster.Resume());
  {
    RawSql sql(uri);
    ASSERT_TRUE(sql.Query("DROP TRIGGER slow_commit ON events").ok());
  }
  // The client sends it again: stored once, whatever became of the commit.
  absl::StatusOr<AppendResults> resent;
  EXPECT_TRUE(Eventually([&] {
    resent = store.events->Append(cut);
    return resent.ok();
  })) << resent.status();
  ASSERT_TRUE(resent.ok());
  EXPECT_TRUE(resent->at(0).ok()) << resent->at(0).status();
  EXPECT_EQ(*store.events->CountEvents(), 1);
  EXPECT_EQ(store.events->ListOpenSessions(At(100))->at(0).event_count, 1);
}

// ---- PostgreSQL's collations

TEST(PostgresEventLogTest, SessionsListInByteOrderWhateverTheLocale) {
  std::unique_ptr<TestDatabase> db = NewDatabase();
  ASSERT_NE(db, nullptr);
  Store store = Open(db->spec());
  ASSERT_NE(store.events, nullptr);
  // In byte order "B" < "_" < "a"; a linguistic collation would say a, B, _.
  ASSERT_TRUE(
      store.events->Append(Events{Ev("e1", "a", 0), Ev("e2", "B", 0), Ev("e3", "_", 0)}).ok());
  SessionQuery first;
  first.page_size = 2;
  absl::StatusOr<SessionPage> page = store.events->ListSessions(first);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->session_ids, ::testing::ElementsAre("B", "_"));
  SessionQuery next;
  next.page_token = page->next_page_token;
  EXPECT_THAT(store.events->ListSessions(next)->session_ids, ::testing::ElementsAre("a"));
}

}  // namespace
}  // namespace unitclock::store

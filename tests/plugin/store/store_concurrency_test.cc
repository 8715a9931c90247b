// The store under concurrent use (a contract: every test runs once per
// backend): threads append events to the same
// and to different sessions (the same event ids too) while others load and
// list sessions and write and read the audit trail. Whatever the interleaving,
// the outcome must be that of some serial order. Part of store_test, which
// also runs under ThreadSanitizer (UNITCLOCK_TSAN).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugin/store/store_test_fixture.h"
#include "tests/plugin/store/store_test_values.h"
#include "tests/testing/events.h"

namespace unitclock::store {
namespace {

using store_tests::Ev;
using testing::At;
using ::testing::ElementsAreArray;

constexpr int kWriters = 8;
constexpr int kRounds = 25;  // batches per writer
constexpr int kReaders = 3;
constexpr int kAuditors = 3;
constexpr int kAuditsPerAuditor = 20;
constexpr int kExportsPerBatch = 4;

const char kShared[] = "shared";        // every writer appends to it
const char kConflicts[] = "conflicts";  // every writer claims the same ids with its own payload
const char kPlatform[] = "platform-a";
const char kAuditPatient[] = "pt-audit";
const core::Day kAuditDay = *core::ParseDay("2026-11-30");

std::string OwnSession(int writer) { return "own-" + std::to_string(writer); }

// Writers with an even number stop their own session in their last batch.
bool StopsOwnSession(int writer) { return writer % 2 == 0; }

StoredEvent Started(const std::string& id, const std::string& session, int seconds) {
  StoredEvent e = Ev(id, session, seconds);
  e.started = SessionIndexFacts{kPlatform, "pt-" + session};
  return e;
}

// The batch a writer appends in one round, in one Append call:
//  0: an event of its own session (its SessionStarted in round 0, its
//     SessionStopped in the last round if StopsOwnSession);
//  1: an event of its own in the shared session;
//  2: "contested-<round>", identical from every writer, in the shared session;
//  3: "conflict-<round>", with a payload naming the writer, in kConflicts.
std::vector<StoredEvent> WriterBatch(int writer, int round) {
  const std::string own_id = "own-" + std::to_string(writer) + "-" + std::to_string(round);
  StoredEvent own = round == 0 ? Started(own_id, OwnSession(writer), round)
                               : Ev(own_id, OwnSession(writer), round);
  own.stops_session = StopsOwnSession(writer) && round == kRounds - 1;
  StoredEvent conflict = Ev("conflict-" + std::to_string(round), kConflicts, round);
  conflict.payload = "from writer " + std::to_string(writer);
  return {own,
          Ev("shared-" + std::to_string(writer) + "-" + std::to_string(round), kShared,
             100 + round * kWriters + writer),
          Ev("contested-" + std::to_string(round), kShared, 100 + round), conflict};
}

// The audit record an auditor appends k-th; its reason says which.
core::ReviewRecord Audit(int auditor, int k) {
  core::ReviewRecord r;
  r.recorded_at = At(k);
  r.actor = "auditor-" + std::to_string(auditor);
  r.platform = kPlatform;
  r.action = core::ReviewAction::kApprove;
  r.suggestion_id = "sugg-" + std::to_string(auditor);
  r.patient_ref = kAuditPatient;
  r.date_of_service = kAuditDay;
  r.fingerprint = "fp-" + std::to_string(k);
  r.reason = std::to_string(k);
  r.after = {{"97110", k + 1, {"GP"}, "02", 8 * k}};
  return r;
}

// What one writer's Append calls returned: outcomes[round][i] is the result
// of event i of WriterBatch(writer, round).
struct WriterResult {
  std::vector<std::vector<absl::StatusOr<AppendOutcome>>> outcomes;
};

class StoreConcurrencyTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    // Every session has its SessionStarted from its first event on, so that
    // listings by start time are stable while the test runs.
    auto r = log().Append(std::vector<StoredEvent>{Started("shared-start", kShared, 0),
                                                   Started("conflicts-start", kConflicts, 0)});
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // Appends every round of `writer`, one batch per call.
  WriterResult RunWriter(int writer) {
    WriterResult result;
    for (int round = 0; round < kRounds; ++round) {
      const std::vector<StoredEvent> batch = WriterBatch(writer, round);
      auto r = log().Append(batch);
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok()) break;
      EXPECT_EQ(r->size(), batch.size());
      result.outcomes.push_back(*std::move(r));
    }
    return result;
  }

  // Reads until `done`: each read must be consistent in itself and with the
  // reads before it (the log only grows, sessions never vanish).
  void RunReader(const std::atomic<bool>& done) {
    std::size_t shared_seen = 0;
    std::int64_t count_seen = 0;
    std::set<std::string> listed_before;
    do {
      auto shared = log().LoadSession(kShared);
      ASSERT_TRUE(shared.ok()) << shared.status();
      EXPECT_GE(shared->size(), shared_seen) << "the shared session lost events";
      shared_seen = shared->size();
      std::set<std::string> ids;
      for (std::size_t i = 0; i < shared->size(); ++i) {
        const StoredEvent& e = (*shared)[i];
        EXPECT_EQ(e.session_id, kShared);
        EXPECT_EQ(e.payload, "payload:" + e.event_id);
        EXPECT_TRUE(ids.insert(e.event_id).second) << "loaded twice: " << e.event_id;
        if (i > 0) {
          const StoredEvent& prev = (*shared)[i - 1];
          EXPECT_LT(std::tie(prev.occurred_at, prev.event_id), std::tie(e.occurred_at, e.event_id));
        }
      }

      auto count = log().CountEvents();
      ASSERT_TRUE(count.ok()) << count.status();
      EXPECT_GE(*count, count_seen) << "CountEvents went down";
      count_seen = *count;

      // Every session, a page of three at a time: none twice, none lost.
      std::set<std::string> listed;
      SessionQuery query;
      query.page_size = 3;
      do {
        auto page = log().ListSessions(query);
        ASSERT_TRUE(page.ok()) << page.status();
        for (const std::string& id : page->session_ids) {
          EXPECT_TRUE(listed.insert(id).second) << "listed twice: " << id;
        }
        query.page_token = page->next_page_token;
      } while (!query.page_token.empty());
      EXPECT_TRUE(
          std::includes(listed.begin(), listed.end(), listed_before.begin(), listed_before.end()))
          << "a session disappeared from ListSessions";
      listed_before = std::move(listed);

      auto open = log().ListOpenSessions(At(1'000'000));
      ASSERT_TRUE(open.ok()) << open.status();
      EXPECT_TRUE(std::is_sorted(open->begin(), open->end(),
                                 [](const OpenSession& a, const OpenSession& b) {
                                   return std::tie(a.last_event_time, a.session_id) <
                                          std::tie(b.last_event_time, b.session_id);
                                 }));
      EXPECT_TRUE(std::any_of(open->begin(), open->end(),
                              [](const OpenSession& s) { return s.session_id == kShared; }));
    } while (!done.load());
  }

  // Appends this auditor's records, reading its suggestion's trail and the
  // patient-day's after each; returns the record ids the store gave.
  std::vector<std::int64_t> RunAuditor(int auditor) {
    std::vector<std::int64_t> ids;
    std::vector<core::ReviewRecord> mine;
    for (int k = 0; k < kAuditsPerAuditor; ++k) {
      // Only this auditor writes its suggestion: its history ends at its last record.
      auto id = ledger().AppendDecision({Audit(auditor, k), ids.empty() ? 0 : ids.back()});
      EXPECT_TRUE(id.ok()) << id.status();
      if (!id.ok()) break;
      if (!ids.empty()) {
        EXPECT_GT(*id, ids.back()) << "record ids must increase";
      }
      ids.push_back(*id);
      core::ReviewRecord written = Audit(auditor, k);
      written.record_id = *id;
      mine.push_back(written);

      // Only this auditor writes its suggestion: its trail is exactly what it wrote.
      auto trail = ledger().ListAudit(kPlatform, "sugg-" + std::to_string(auditor));
      EXPECT_TRUE(trail.ok()) << trail.status();
      if (trail.ok()) {
        EXPECT_THAT(*trail, ElementsAreArray(mine));
      }

      auto day = ledger().ListAuditForPatientDay(kPlatform, kAuditPatient, kAuditDay);
      EXPECT_TRUE(day.ok()) << day.status();
      if (!day.ok()) continue;
      std::set<std::int64_t> day_ids;
      for (std::size_t i = 0; i < day->size(); ++i) {
        if (i > 0) {
          EXPECT_LT((*day)[i - 1].record_id, (*day)[i].record_id);
        }
        day_ids.insert((*day)[i].record_id);
      }
      EXPECT_TRUE(std::includes(day_ids.begin(), day_ids.end(), ids.begin(), ids.end()));
    }
    return ids;
  }

  // Records export "batch-1" of kExportsPerBatch records; every auditor tries.
  absl::StatusOr<std::int64_t> RunExport(int auditor) {
    ExportBatch batch;
    batch.batch_id = "batch-1";
    batch.created_at = At(0);
    batch.actor = "auditor-" + std::to_string(auditor);
    batch.platform = kPlatform;
    batch.format = core::exports::Format::kCsv;
    batch.range_start = kAuditDay;
    batch.range_end = kAuditDay;
    batch.claim_count = 1;
    batch.line_count = kExportsPerBatch;
    std::vector<RecordAfter> exports;
    for (int k = 0; k < kExportsPerBatch; ++k) {
      core::ReviewRecord r = Audit(auditor, 1000 + k);
      r.suggestion_id = "exported-" + std::to_string(k);
      exports.push_back({r, 0});
    }
    return ledger().RecordExport(batch, exports);
  }

  std::vector<std::string> Ids(const std::string& session) {
    auto loaded = log().LoadSession(session);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    std::vector<std::string> ids;
    if (loaded.ok()) {
      for (const StoredEvent& e : *loaded) ids.push_back(e.event_id);
    }
    return ids;
  }
};

TEST_P(StoreConcurrencyTest, ConcurrentAppendsReadsAndAuditsGiveASerialOutcome) {
  std::vector<WriterResult> writers(kWriters);
  std::vector<std::vector<std::int64_t>> audit_ids(kAuditors);
  std::vector<absl::StatusOr<std::int64_t>> exports(kAuditors, absl::UnknownError("not run"));
  std::atomic<bool> done{false};
  std::latch start(kWriters + kReaders + kAuditors);
  std::latch writers_and_auditors_done(kWriters + kAuditors);
  {
    std::vector<std::jthread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        start.arrive_and_wait();
        writers[w] = RunWriter(w);
        writers_and_auditors_done.count_down();
      });
    }
    for (int a = 0; a < kAuditors; ++a) {
      threads.emplace_back([&, a] {
        start.arrive_and_wait();
        audit_ids[a] = RunAuditor(a);
        exports[a] = RunExport(a);
        writers_and_auditors_done.count_down();
      });
    }
    for (int r = 0; r < kReaders; ++r) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        RunReader(done);
      });
    }
    writers_and_auditors_done.wait();
    done.store(true);
  }  // joins the readers

  // Every writer's own and shared events are recorded; of the identical
  // "contested" events exactly one writer recorded each round, the others
  // were told it was already there; of the conflicting ones exactly one writer
  // recorded each round and the others were refused.
  std::map<int, int> conflict_winner;  // round -> writer
  for (int round = 0; round < kRounds; ++round) {
    int contested_recorded = 0;
    for (int w = 0; w < kWriters; ++w) {
      ASSERT_EQ(writers[w].outcomes.size(), static_cast<std::size_t>(kRounds)) << w;
      const auto& r = writers[w].outcomes[round];
      ASSERT_EQ(r.size(), 4u);
      ASSERT_TRUE(r[0].ok() && r[1].ok() && r[2].ok()) << w << " " << round;
      EXPECT_EQ(*r[0], AppendOutcome::kRecorded);
      EXPECT_EQ(*r[1], AppendOutcome::kRecorded);
      if (*r[2] == AppendOutcome::kRecorded) ++contested_recorded;
      if (r[3].ok()) {
        EXPECT_EQ(*r[3], AppendOutcome::kRecorded);
        EXPECT_FALSE(conflict_winner.contains(round)) << "two writers recorded conflict-" << round;
        conflict_winner[round] = w;
      } else {
        EXPECT_EQ(r[3].status().code(), absl::StatusCode::kAlreadyExists) << r[3].status();
      }
    }
    EXPECT_EQ(contested_recorded, 1) << "contested-" << round;
  }
  ASSERT_EQ(conflict_winner.size(), static_cast<std::size_t>(kRounds));

  // Each distinct event stored once: two starts, then per round the writers'
  // own and shared events, one contested and one conflicting event.
  EXPECT_EQ(*log().CountEvents(), 2 + kRounds * (2 * kWriters + 2));
  auto conflicts = log().LoadSession(kConflicts);
  ASSERT_TRUE(conflicts.ok());
  ASSERT_EQ(conflicts->size(), static_cast<std::size_t>(kRounds + 1));
  for (const StoredEvent& e : *conflicts) {
    if (e.event_id == "conflicts-start") continue;
    const int round = std::stoi(e.event_id.substr(std::string("conflict-").size()));
    EXPECT_EQ(e.payload, "from writer " + std::to_string(conflict_winner[round])) << e.event_id;
  }
  EXPECT_EQ(Ids(kShared).size(), static_cast<std::size_t>(1 + kRounds * (kWriters + 1)));
  // Open sessions with their event counts: the conflicts' start and one per
  // round; each writer's own events; the shared session's start, the
  // writers' shared events and the contested ones.
  std::vector<OpenSession> expected_open = {{kConflicts, At(kRounds - 1), kRounds + 1}};
  for (int w = 0; w < kWriters; ++w) {
    std::vector<std::string> own;
    for (int round = 0; round < kRounds; ++round) {
      own.push_back("own-" + std::to_string(w) + "-" + std::to_string(round));
    }
    std::sort(own.begin(), own.end(), [](const std::string& a, const std::string& b) {
      // Loaded by time, and round r is at At(r).
      return std::stoi(a.substr(a.rfind('-') + 1)) < std::stoi(b.substr(b.rfind('-') + 1));
    });
    EXPECT_EQ(Ids(OwnSession(w)), own) << w;
    if (!StopsOwnSession(w)) {
      expected_open.push_back(
          {OwnSession(w), At(kRounds - 1), static_cast<std::int64_t>(own.size())});
    }
  }
  expected_open.push_back(
      {kShared, At(100 + kRounds * kWriters - 1), 1 + kRounds * (kWriters + 1)});
  std::sort(expected_open.begin(), expected_open.end(),
            [](const OpenSession& a, const OpenSession& b) {
              return std::tie(a.last_event_time, a.session_id) <
                     std::tie(b.last_event_time, b.session_id);
            });
  EXPECT_THAT(*log().ListOpenSessions(At(1'000'000)), ElementsAreArray(expected_open));

  // One export batch won; the others wrote nothing.
  int exported = 0;
  for (const auto& e : exports) {
    if (e.ok()) {
      EXPECT_EQ(*e, kExportsPerBatch);
      ++exported;
    } else {
      // Its batch id was taken (or, on a backend that checks the histories
      // first, its suggestions were exported).
      EXPECT_THAT(e.status().code(),
                  ::testing::AnyOf(absl::StatusCode::kAlreadyExists, absl::StatusCode::kAborted))
          << e.status();
    }
  }
  EXPECT_EQ(exported, 1);

  // The audit trail holds every record once, in increasing record ids (a
  // database's sequence may skip numbers that a failed transaction took),
  // and each one the store numbered is there with the content written.
  auto day = ledger().ListAuditForPatientDay(kPlatform, kAuditPatient, kAuditDay);
  ASSERT_TRUE(day.ok()) << day.status();
  const int total = kAuditors * kAuditsPerAuditor + kExportsPerBatch;
  ASSERT_EQ(day->size(), static_cast<std::size_t>(total));
  std::map<std::int64_t, core::ReviewRecord> by_id;
  for (int i = 0; i < total; ++i) {
    if (i > 0) {
      EXPECT_LT((*day)[i - 1].record_id, (*day)[i].record_id);
    }
    by_id[(*day)[i].record_id] = (*day)[i];
  }
  for (int a = 0; a < kAuditors; ++a) {
    ASSERT_EQ(audit_ids[a].size(), static_cast<std::size_t>(kAuditsPerAuditor)) << a;
    for (int k = 0; k < kAuditsPerAuditor; ++k) {
      core::ReviewRecord expected = Audit(a, k);
      expected.record_id = audit_ids[a][k];
      EXPECT_EQ(by_id[audit_ids[a][k]], expected) << a << " " << k;
    }
  }
}

// Many threads append the very same batch at once: each event is recorded
// by exactly one of them and acknowledged as already recorded to the others.
TEST_P(StoreConcurrencyTest, IdenticalBatchesFromManyThreadsAreStoredOnce) {
  constexpr int kThreads = 8;
  constexpr int kBatches = 10;
  constexpr int kPerBatch = 5;
  std::vector<std::vector<StoredEvent>> batches;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<StoredEvent> batch;
    for (int i = 0; i < kPerBatch; ++i) {
      const int n = b * kPerBatch + i;
      batch.push_back(Ev("same-" + std::to_string(n), "s-" + std::to_string(n % 3), n));
    }
    batches.push_back(batch);
  }
  std::vector<std::vector<int>> recorded(kThreads, std::vector<int>(kBatches * kPerBatch, 0));
  std::latch start(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        // Each thread goes through the batches in its own order.
        for (int k = 0; k < kBatches; ++k) {
          const int b = (k + t) % kBatches;
          auto r = log().Append(batches[b]);
          ASSERT_TRUE(r.ok()) << r.status();
          for (int i = 0; i < kPerBatch; ++i) {
            ASSERT_TRUE((*r)[i].ok()) << (*r)[i].status();
            if (*(*r)[i] == AppendOutcome::kRecorded) ++recorded[t][b * kPerBatch + i];
          }
        }
      });
    }
  }
  for (int n = 0; n < kBatches * kPerBatch; ++n) {
    int total = 0;
    for (int t = 0; t < kThreads; ++t) total += recorded[t][n];
    EXPECT_EQ(total, 1) << "same-" << n;
  }
  EXPECT_EQ(*log().CountEvents(), 2 + kBatches * kPerBatch);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConcurrencyTest, UNITCLOCK_STORE_BACKENDS,
                         BackendParamName);

}  // namespace
}  // namespace unitclock::store

// The review ledger's contract, which both backends (SQLite, PostgreSQL)
// keep: every test runs once per backend (store_test_fixture.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/review.h"
#include "tests/plugin/store/store_test_fixture.h"
#include "tests/plugin/store/store_test_values.h"
#include "tests/testing/events.h"

namespace unitclock::store {
namespace {

using core::ReviewAction;
using store_tests::Day;
using testing::At;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

core::ReviewRecord Record(const std::string& suggestion_id, ReviewAction action, int seconds,
                          const std::string& patient_ref = "pt-1",
                          const char* date_of_service = "2026-11-30") {
  core::ReviewRecord r;
  r.action = action;
  r.recorded_at = At(seconds);
  r.actor = "therapist-1";
  r.platform = "platform-a";
  r.suggestion_id = suggestion_id;
  r.patient_ref = patient_ref;
  r.date_of_service = Day(date_of_service);
  r.fingerprint = "fp-" + suggestion_id;
  return r;
}

std::vector<std::string> Actions(const std::vector<core::ReviewRecord>& records) {
  std::vector<std::string> out;
  for (const core::ReviewRecord& r : records) {
    out.push_back(r.suggestion_id + ":" + core::ReviewActionName(r.action));
  }
  return out;
}

ExportBatch Batch(const std::string& batch_id) {
  ExportBatch b;
  b.batch_id = batch_id;
  b.created_at = At(3600);
  b.actor = "biller-1";
  b.platform = "platform-a";
  b.format = core::exports::Format::kX12_837P;
  b.range_start = Day("2026-11-01");
  b.range_end = Day("2026-11-30");
  b.claim_count = 1;
  b.line_count = 2;
  return b;
}

class ReviewLedgerContractTest : public StoreTest {
 protected:
  // The record_id of the last record of a suggestion of platform-a; 0 if none.
  std::int64_t Last(const std::string& suggestion_id) {
    const std::vector<core::ReviewRecord> records = List(suggestion_id);
    return records.empty() ? 0 : records.back().record_id;
  }

  // Appends a decision on the suggestion's history as it is now.
  std::int64_t Append(const core::ReviewRecord& r) {
    auto id = ledger().AppendDecision({r, Last(r.suggestion_id)});
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : -1;
  }

  std::vector<core::ReviewRecord> List(const std::string& suggestion_id) {
    auto records = ledger().ListAudit("platform-a", suggestion_id);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *records : std::vector<core::ReviewRecord>{};
  }

  // An export record of the suggestion on its history as it is now.
  RecordAfter Export(const std::string& suggestion_id, int seconds) {
    return {Record(suggestion_id, ReviewAction::kExport, seconds), Last(suggestion_id)};
  }
};

TEST_P(ReviewLedgerContractTest, ListsASuggestionsRecordsOldestFirst) {
  const std::int64_t first = Append(Record("sg-1", ReviewAction::kApprove, 10));
  Append(Record("sg-2", ReviewAction::kApprove, 20));
  // Recorded later, though its recorded_at is earlier: the order is the order of appends.
  const std::int64_t second = Append(Record("sg-1", ReviewAction::kAmend, 5));
  EXPECT_LT(first, second);
  const std::vector<core::ReviewRecord> records = List("sg-1");
  EXPECT_THAT(Actions(records), ElementsAre("sg-1:approve", "sg-1:amend"));
  EXPECT_EQ(records[0].record_id, first);
  EXPECT_EQ(records[1].record_id, second);
  EXPECT_THAT(List("sg-none"), IsEmpty());
}

TEST_P(ReviewLedgerContractTest, KeepsEveryTypedFieldAndIgnoresThePassedRecordId) {
  core::ReviewRecord r = Record("sg-1", ReviewAction::kAmend, 30);
  r.record_id = 999;
  r.reason = "patient left early";
  r.override_reason = "payer confirmed";
  r.before = {{"97110", 2, {"GP", "95"}, "10", 38}};
  r.after = {{"97110", 1, {"GP", "95"}, "10", 38}, {"97112", 1, {"GP"}, "02", 9}};
  const std::int64_t id = Append(r);
  EXPECT_NE(id, 999);
  const std::vector<core::ReviewRecord> records = List("sg-1");
  ASSERT_EQ(records.size(), 1u);
  core::ReviewRecord expected = r;
  expected.record_id = id;
  EXPECT_EQ(records[0], expected);
}

TEST_P(ReviewLedgerContractTest, EmptyLinesAndReasonsRoundTrip) {
  Append(Record("sg-1", ReviewAction::kReject, 0));
  const std::vector<core::ReviewRecord> records = List("sg-1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].before, IsEmpty());
  EXPECT_THAT(records[0].after, IsEmpty());
  EXPECT_EQ(records[0].reason, "");
  EXPECT_EQ(records[0].action, ReviewAction::kReject);
}

TEST_P(ReviewLedgerContractTest, ListsAPatientDayAcrossSuggestions) {
  Append(Record("sg-pt", ReviewAction::kApprove, 0, "pt-1", "2026-11-30"));
  Append(Record("sg-ot", ReviewAction::kReject, 10, "pt-1", "2026-11-30"));
  Append(Record("sg-other-day", ReviewAction::kApprove, 20, "pt-1", "2026-12-01"));
  Append(Record("sg-other-patient", ReviewAction::kApprove, 30, "pt-2", "2026-11-30"));
  core::ReviewRecord other_platform =
      Record("sg-other-platform", ReviewAction::kApprove, 40, "pt-1", "2026-11-30");
  other_platform.platform = "platform-b";
  ASSERT_TRUE(ledger().AppendDecision({other_platform, 0}).ok());
  Append(Record("sg-pt", ReviewAction::kAmend, 50, "pt-1", "2026-11-30"));
  auto records = ledger().ListAuditForPatientDay("platform-a", "pt-1", Day("2026-11-30"));
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(Actions(*records), ElementsAre("sg-pt:approve", "sg-ot:reject", "sg-pt:amend"));
  auto none = ledger().ListAuditForPatientDay("platform-a", "pt-9", Day("2026-11-30"));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(ReviewLedgerContractTest, RecordsSurviveCloseAndReopen) {
  Append(Record("sg-1", ReviewAction::kApprove, 0));
  Reopen();
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve"));
  Append(Record("sg-1", ReviewAction::kReject, 10));
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve", "sg-1:reject"));
}

// Suggestion ids name a patient-day of their platform: another platform's
// records of the same id are not its history.
TEST_P(ReviewLedgerContractTest, ASuggestionsHistoryIsItsPlatformsOnly) {
  Append(Record("sg-1", ReviewAction::kApprove, 0));
  core::ReviewRecord other = Record("sg-1", ReviewAction::kReject, 5);
  other.platform = "platform-b";
  ASSERT_TRUE(ledger().AppendDecision({other, 0}).ok());  // platform-b's history was empty
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve"));
  auto b = ledger().ListAudit("platform-b", "sg-1");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(Actions(*b), ElementsAre("sg-1:reject"));
}

TEST_P(ReviewLedgerContractTest, ADecisionOnAHistoryThatMovedOnIsAbortedAndWritesNothing) {
  const std::int64_t first = Append(Record("sg-1", ReviewAction::kApprove, 0));
  // A second reviewer read the empty history before the first approved.
  auto late = ledger().AppendDecision({Record("sg-1", ReviewAction::kReject, 5), 0});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(late.status().message(), HasSubstr("read it again"));
  // A record id from the past is no better than none.
  auto stale = ledger().AppendDecision({Record("sg-1", ReviewAction::kReject, 5), first - 1});
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve"));
  // On the history as it is now, it goes.
  auto now = ledger().AppendDecision({Record("sg-1", ReviewAction::kReject, 5), first});
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve", "sg-1:reject"));
}

TEST_P(ReviewLedgerContractTest, ExportRecordsGoOnlyThroughRecordExport) {
  auto r = ledger().AppendDecision({Record("sg-1", ReviewAction::kExport, 0), 0});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(List("sg-1"), IsEmpty());
}

TEST_P(ReviewLedgerContractTest, RecordExportWritesTheBatchAndOneExportRecordPerSuggestion) {
  Append(Record("sg-1", ReviewAction::kApprove, 0));
  RecordAfter e1 = Export("sg-1", 3600);
  e1.record.action = ReviewAction::kApprove;  // the ledger sets the action
  e1.record.batch_id = "not this";            // and the batch
  const std::vector<RecordAfter> exports = {e1, Export("sg-2", 3600)};
  auto written = ledger().RecordExport(Batch("batch-1"), exports);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 2);
  const std::vector<core::ReviewRecord> sg1 = List("sg-1");
  EXPECT_THAT(Actions(sg1), ElementsAre("sg-1:approve", "sg-1:export"));
  EXPECT_EQ(sg1[1].batch_id, "batch-1");
  EXPECT_EQ(sg1[1].fingerprint, "fp-sg-1");
  EXPECT_EQ(sg1[0].batch_id, "");
  EXPECT_THAT(Actions(List("sg-2")), ElementsAre("sg-2:export"));
}

TEST_P(ReviewLedgerContractTest, AnExportOfNoSuggestionsStillRecordsItsBatch) {
  auto written = ledger().RecordExport(Batch("batch-empty"), {});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 0);
  auto again = ledger().RecordExport(Batch("batch-empty"), {});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_P(ReviewLedgerContractTest, AReusedBatchIdFailsAndWritesNothing) {
  const std::vector<RecordAfter> first = {Export("sg-1", 3600)};
  ASSERT_TRUE(ledger().RecordExport(Batch("batch-1"), first).ok());
  const std::vector<RecordAfter> second = {Export("sg-2", 7200), Export("sg-3", 7200)};
  ExportBatch reused = Batch("batch-1");
  reused.line_count = 5;
  auto r = ledger().RecordExport(reused, second);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r.status().message()), ::testing::StartsWith("batch.batch_id: "));
  EXPECT_THAT(List("sg-2"), IsEmpty());
  EXPECT_THAT(List("sg-3"), IsEmpty());
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:export"));
  // The ledger is usable afterwards: the failed transaction was rolled back.
  EXPECT_TRUE(ledger().RecordExport(Batch("batch-2"), second).ok());
  EXPECT_THAT(Actions(List("sg-2")), ElementsAre("sg-2:export"));
}

// Two billers prepared exports of the same approved suggestion: the one that
// commits second is refused whole, and no line is in two exports.
TEST_P(ReviewLedgerContractTest, TheSecondOfTwoExportsOfOneSuggestionIsAbortedWhole) {
  Append(Record("sg-1", ReviewAction::kApprove, 0));
  Append(Record("sg-2", ReviewAction::kApprove, 0));
  const std::vector<RecordAfter> a = {Export("sg-1", 3600)};
  const std::vector<RecordAfter> b = {Export("sg-2", 3600), Export("sg-1", 3600)};
  ASSERT_TRUE(ledger().RecordExport(Batch("batch-a"), a).ok());
  auto second = ledger().RecordExport(Batch("batch-b"), b);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(second.status().message(), HasSubstr("sg-1"));
  EXPECT_THAT(Actions(List("sg-1")), ElementsAre("sg-1:approve", "sg-1:export"));
  EXPECT_THAT(Actions(List("sg-2")), ElementsAre("sg-2:approve"));  // not half of batch-b
  // Its batch id is free: nothing of batch-b was written.
  const std::vector<RecordAfter> again = {Export("sg-2", 3700)};
  EXPECT_TRUE(ledger().RecordExport(Batch("batch-b"), again).ok());
}

// Many exporters, on one store or two (two instances), race for the same
// suggestions: each suggestion is exported exactly once.
TEST_P(ReviewLedgerContractTest, RacingExportersFromTwoStoresExportEachSuggestionOnce) {
  constexpr int kSuggestions = 20;
  constexpr int kExporters = 8;
  std::vector<std::string> ids;
  for (int i = 0; i < kSuggestions; ++i) {
    ids.push_back("sg-" + std::to_string(i));
    Append(Record(ids.back(), ReviewAction::kApprove, 0));
  }
  Store other = OpenAnother();
  ASSERT_NE(other.ledger, nullptr);
  // Each exporter prepares its plan first (all on the same histories), then
  // commits: every suggestion in two plans makes all but one commit fail.
  std::vector<std::vector<RecordAfter>> plans(kExporters);
  for (int e = 0; e < kExporters; ++e) {
    for (int i = e % 3; i < kSuggestions; i += 1 + e % 3) plans[e].push_back(Export(ids[i], 3600));
  }
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(kExporters);
  for (int e = 0; e < kExporters; ++e) {
    threads.emplace_back([&, e] {
      ReviewLedger& l = e % 2 == 0 ? ledger() : *other.ledger;
      auto r = l.RecordExport(Batch("batch-" + std::to_string(e)), plans[e]);
      results[e] = r.status();
      if (r.ok()) ++committed;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_GE(committed.load(), 1);
  for (const absl::Status& st : results) {
    EXPECT_TRUE(st.ok() || st.code() == absl::StatusCode::kAborted) << st;
  }
  for (const std::string& id : ids) {
    int exports = 0;
    for (const core::ReviewRecord& r : List(id)) exports += r.action == ReviewAction::kExport;
    EXPECT_LE(exports, 1) << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewLedgerContractTest, UNITCLOCK_STORE_BACKENDS,
                         BackendParamName);

}  // namespace
}  // namespace unitclock::store

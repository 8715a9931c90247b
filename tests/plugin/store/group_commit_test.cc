// Group commit: appends queued while the writer is busy share one
// transaction, and each still gets exactly its own results, as if it had been
// committed alone. A contract of the event log: every test runs once per
// backend. Part of store_test (also run under ThreadSanitizer).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugin/store/store_test_fixture.h"
#include "tests/plugin/store/store_test_values.h"
#include "tests/testing/events.h"

namespace unitclock::store {
namespace {

using store_tests::Ev;
using store_tests::From;
using testing::At;

// An event sent by `platform`: platform-a owns the sessions these tests fill.
StoredEvent Owned(const std::string& id, const std::string& session, int seconds,
                  const std::string& platform = "platform-a") {
  return From(platform, Ev(id, session, seconds));
}

class GroupCommitTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Reopen(StoreOptions{5});
  }
};

// The first append's callback holds the writer thread until 50 more appends
// are queued; they must then go in one group, each with its own results:
// recorded, a retry, a conflict, another platform's session, a full session.
TEST_P(GroupCommitTest, AppendsQueuedDuringACommitShareTheNextOne) {
  // std::latch, not absl::Notification: ThreadSanitizer sees through it.
  std::latch writer_busy(1);
  std::latch queued(1);
  std::latch first_done(1);
  log().AppendAsync({Owned("e-first", "s-0", 0)}, [&](absl::StatusOr<AppendResults> results) {
    EXPECT_TRUE(results.ok());
    writer_busy.count_down();
    queued.wait();  // the writer waits here
    first_done.count_down();
  });
  writer_busy.wait();

  constexpr int kAppends = 50;
  std::vector<absl::StatusOr<AppendResults>> results(kAppends);
  std::latch done(kAppends);
  for (int i = 0; i < kAppends; ++i) {
    std::vector<StoredEvent> events;
    switch (i % 5) {
      case 0:  // two new events of a new session
        events = {Owned("e-" + std::to_string(i) + "a", "s-" + std::to_string(i), 1),
                  Owned("e-" + std::to_string(i) + "b", "s-" + std::to_string(i), 2)};
        break;
      case 1:  // a retry of the first event: identical
        events = {Owned("e-first", "s-0", 0)};
        break;
      case 2:  // the first event's id with other content
        events = {Owned("e-first", "s-0", 99)};
        break;
      case 3:  // a session another platform owns (s-0 is platform-a's)
        events = {Owned("e-" + std::to_string(i), "s-0", 3, "platform-b")};
        break;
      case 4:  // events into the shared session s-full, which holds at most 5
        events = {Owned("e-" + std::to_string(i), "s-full", i)};
        break;
    }
    log().AppendAsync(std::move(events), [&, i](absl::StatusOr<AppendResults> r) {
      results[i] = std::move(r);
      done.count_down();
    });
  }
  queued.count_down();
  first_done.wait();
  done.wait();

  const EventLog::WriteStats stats = log().Stats();
  EXPECT_EQ(stats.commits, 2) << "the 50 queued appends should share one commit";
  EXPECT_EQ(stats.events, 1 + 10 * 2 + 40);

  int full_refused = 0;
  for (int i = 0; i < kAppends; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status();
    const AppendResults& r = *results[i];
    switch (i % 5) {
      case 0:
        ASSERT_EQ(r.size(), 2u);
        EXPECT_EQ(r[0].value(), AppendOutcome::kRecorded);
        EXPECT_EQ(r[1].value(), AppendOutcome::kRecorded);
        break;
      case 1:
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0].value(), AppendOutcome::kAlreadyRecorded);
        break;
      case 2:
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0].status().code(), absl::StatusCode::kAlreadyExists) << r[0].status();
        EXPECT_THAT(std::string(r[0].status().message()), ::testing::HasSubstr("event.event_id"));
        break;
      case 3:
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0].status().code(), absl::StatusCode::kAlreadyExists) << r[0].status();
        EXPECT_THAT(std::string(r[0].status().message()), ::testing::HasSubstr("event.session_id"));
        break;
      case 4:
        ASSERT_EQ(r.size(), 1u);
        if (r[0].ok()) {
          EXPECT_EQ(r[0].value(), AppendOutcome::kRecorded);
        } else {
          EXPECT_EQ(r[0].status().code(), absl::StatusCode::kResourceExhausted);
          ++full_refused;
        }
        break;
    }
  }
  // s-full took the first five of its ten appends, in queue order.
  EXPECT_EQ(full_refused, 5);
  auto full = log().LoadSession("s-full");
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->size(), 5u);
  EXPECT_EQ(full->front().event_id, "e-4");
  EXPECT_EQ(full->back().event_id, "e-24");
  EXPECT_EQ(log().CountEvents().value(), 1 + 10 * 2 + 5);
  EXPECT_EQ(log().SessionOwner("s-0").value(), std::optional<std::string>("platform-a"));
}

// One append larger than a group is committed alone, whole.
TEST_P(GroupCommitTest, AnAppendLargerThanAGroupIsCommittedWhole) {
  std::vector<StoredEvent> events;
  for (std::size_t i = 0; i < EventLog::kMaxGroupEvents + 10; ++i) {
    events.push_back(Owned("big-" + std::to_string(i), "s-" + std::to_string(i % 7), 0));
  }
  Reopen();
  auto results = log().Append(events);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), events.size());
  for (const auto& r : *results) EXPECT_EQ(r.value(), AppendOutcome::kRecorded);
  EXPECT_EQ(log().CountEvents().value(), static_cast<std::int64_t>(events.size()));
  EXPECT_EQ(log().Stats().commits, 1);
}

// Destroying the store commits what is queued, and calls every callback.
TEST_P(GroupCommitTest, DestroyingTheStoreCommitsWhatIsQueued) {
  constexpr int kAppends = 200;
  std::atomic<int> recorded{0};
  Reopen();
  for (int i = 0; i < kAppends; ++i) {
    log().AppendAsync({Owned("d-" + std::to_string(i), "s-drain", i)},
                      [&](absl::StatusOr<AppendResults> r) {
                        if (r.ok() && r->front().ok()) ++recorded;
                      });
  }
  store_ = {};
  EXPECT_EQ(recorded.load(), kAppends);
  Reopen();
  EXPECT_EQ(log().CountEvents().value(), kAppends);
}

INSTANTIATE_TEST_SUITE_P(Backends, GroupCommitTest, UNITCLOCK_STORE_BACKENDS, BackendParamName);

}  // namespace
}  // namespace unitclock::store

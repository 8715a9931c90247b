// Group commit: appends queued while the writer is busy share one
// transaction, and each still gets exactly its own results, as if it had been
// committed alone. Part of store_test (also run under ThreadSanitizer).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "plugin/store/sqlite_event_store.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::store {
namespace {

using testing::At;

StoredEvent Ev(const std::string& id, const std::string& session, int seconds,
               const std::string& platform = "platform-a") {
  StoredEvent e;
  e.event_id = id;
  e.session_id = session;
  e.platform = platform;
  e.occurred_at = At(seconds);
  e.payload = "payload:" + id;
  return e;
}

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteEventStore::Open(dir_.File("events.db"), StoreOptions{5});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteEventStore> store_;
};

// The first append's callback holds the writer thread until 50 more appends
// are queued; they must then go in one group, each with its own results:
// recorded, a retry, a conflict, another platform's session, a full session.
TEST_F(GroupCommitTest, AppendsQueuedDuringACommitShareTheNextOne) {
  // std::latch, not absl::Notification: ThreadSanitizer sees through it.
  std::latch writer_busy(1);
  std::latch queued(1);
  std::latch first_done(1);
  store_->AppendAsync({Ev("e-first", "s-0", 0)}, [&](absl::StatusOr<AppendResults> results) {
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
        events = {Ev("e-" + std::to_string(i) + "a", "s-" + std::to_string(i), 1),
                  Ev("e-" + std::to_string(i) + "b", "s-" + std::to_string(i), 2)};
        break;
      case 1:  // a retry of the first event: identical
        events = {Ev("e-first", "s-0", 0)};
        break;
      case 2:  // the first event's id with other content
        events = {Ev("e-first", "s-0", 99)};
        break;
      case 3:  // a session another platform owns (s-0 is platform-a's)
        events = {Ev("e-" + std::to_string(i), "s-0", 3, "platform-b")};
        break;
      case 4:  // events into the shared session s-full, which holds at most 5
        events = {Ev("e-" + std::to_string(i), "s-full", i)};
        break;
    }
    store_->AppendAsync(std::move(events), [&, i](absl::StatusOr<AppendResults> r) {
      results[i] = std::move(r);
      done.count_down();
    });
  }
  queued.count_down();
  first_done.wait();
  done.wait();

  const SqliteEventStore::WriteStats stats = store_->Stats();
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
  auto full = store_->LoadSession("s-full");
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->size(), 5u);
  EXPECT_EQ(full->front().event_id, "e-4");
  EXPECT_EQ(full->back().event_id, "e-24");
  EXPECT_EQ(store_->CountEvents().value(), 1 + 10 * 2 + 5);
  EXPECT_EQ(store_->SessionOwner("s-0").value(), std::optional<std::string>("platform-a"));
}

// One append larger than a group is committed alone, whole.
TEST_F(GroupCommitTest, AnAppendLargerThanAGroupIsCommittedWhole) {
  std::vector<StoredEvent> events;
  for (std::size_t i = 0; i < SqliteEventStore::kMaxGroupEvents + 10; ++i) {
    events.push_back(Ev("big-" + std::to_string(i), "s-" + std::to_string(i % 7), 0));
  }
  auto store = SqliteEventStore::Open(dir_.File("big.db"));
  ASSERT_TRUE(store.ok());
  auto results = (*store)->Append(events);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), events.size());
  for (const auto& r : *results) EXPECT_EQ(r.value(), AppendOutcome::kRecorded);
  EXPECT_EQ((*store)->CountEvents().value(), static_cast<std::int64_t>(events.size()));
  EXPECT_EQ((*store)->Stats().commits, 1);
}

// Destroying the store commits what is queued, and calls every callback.
TEST_F(GroupCommitTest, DestroyingTheStoreCommitsWhatIsQueued) {
  const std::string path = dir_.File("drain.db");
  constexpr int kAppends = 200;
  std::atomic<int> recorded{0};
  {
    auto store = SqliteEventStore::Open(path);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < kAppends; ++i) {
      (*store)->AppendAsync({Ev("d-" + std::to_string(i), "s-drain", i)},
                            [&](absl::StatusOr<AppendResults> r) {
                              if (r.ok() && r->front().ok()) ++recorded;
                            });
    }
  }
  EXPECT_EQ(recorded.load(), kAppends);
  auto reopened = SqliteEventStore::Open(path);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->CountEvents().value(), kAppends);
}

}  // namespace
}  // namespace unitclock::store

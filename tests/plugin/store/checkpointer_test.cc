// The SQLite store's checkpoints, on a thread of their own: the writer's
// commits no longer copy the log back into the file themselves.
#include "plugin/store/sqlite/checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "plugin/store/sqlite/sqlite_connection.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::store::sqlite_backend {
namespace {

// Frames in the file's write-ahead log, as a PASSIVE checkpoint of another
// connection reports them (it also copies back what it can, which changes
// nothing of the count); -1 if that fails.
int WalFrames(const std::string& path) {
  sqlite3* db = nullptr;
  int frames = -1;
  // A first read opens the log for this connection.
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
      sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) ==
          SQLITE_OK) {
    int checkpointed = 0;
    if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &checkpointed) !=
        SQLITE_OK) {
      frames = -1;
    }
  }
  sqlite3_close(db);
  return frames;
}

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Connection::Open(path(), /*read_only=*/false);
    ASSERT_TRUE(c.ok()) << c.status();
    writer_ = *std::move(c);
    ASSERT_TRUE(writer_->Exec("CREATE TABLE t (x BLOB)").ok());
  }

  std::string path() const { return dir_.File("c.db"); }

  // One commit of `pages` pages of new rows.
  void Commit(int pages) {
    ASSERT_TRUE(writer_->Exec("BEGIN").ok());
    for (int i = 0; i < pages; ++i) {
      ASSERT_TRUE(writer_->Exec("INSERT INTO t VALUES (randomblob(3900))").ok());
    }
    ASSERT_TRUE(writer_->Exec("COMMIT").ok());
  }

  // Waits (up to 30 s) for the checkpointer to have run `n` checkpoints.
  static bool WaitForCheckpoints(Checkpointer& c, int n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (c.checkpoints() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  testing::TempDir dir_;
  std::unique_ptr<Connection> writer_;
};

TEST_F(CheckpointerTest, TheWritersCommitsNoLongerCheckpointThemselves) {
  auto checkpointer = Checkpointer::Start(path(), {.checkpoint_pages = 1000000});
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  Checkpointer::Watch(*writer_, *checkpointer);
  // Past SQLite's own threshold (1000 pages), which no longer applies.
  for (int i = 0; i < 12; ++i) Commit(100);
  EXPECT_GE(WalFrames(path()), 1200);
  EXPECT_EQ((*checkpointer)->checkpoints(), 0);
}

TEST_F(CheckpointerTest, CopiesTheLogBackOnItsOwnThreadAndTheLogIsReused) {
  auto checkpointer = Checkpointer::Start(path(), {.checkpoint_pages = 50, .restart_pages = 1000});
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  Checkpointer::Watch(*writer_, *checkpointer);
  const auto before = std::filesystem::file_size(path());
  Commit(60);
  ASSERT_TRUE(WaitForCheckpoints(**checkpointer, 1));
  // The pages reached the database file...
  EXPECT_GT(std::filesystem::file_size(path()), before + 50 * 3900);
  // ...and the next commit writes the log from its start again.
  Commit(1);
  const int frames = WalFrames(path());
  EXPECT_GE(frames, 1);
  EXPECT_LT(frames, 10);
}

TEST_F(CheckpointerTest, PastTheRestartThresholdARestartCheckpointLeavesTheLogReusedToo) {
  auto checkpointer = Checkpointer::Start(path(), {.checkpoint_pages = 20, .restart_pages = 20});
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  Checkpointer::Watch(*writer_, *checkpointer);
  Commit(30);
  ASSERT_TRUE(WaitForCheckpoints(**checkpointer, 1));
  Commit(1);
  const int frames = WalFrames(path());
  EXPECT_GE(frames, 1);
  EXPECT_LT(frames, 10);
}

// The checkpointer lives as long as a connection that reports to it, however
// the two are released.
TEST_F(CheckpointerTest, OutlivesTheConnectionsThatReportToIt) {
  {
    auto checkpointer = Checkpointer::Start(path(), {.checkpoint_pages = 5});
    ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
    Checkpointer::Watch(*writer_, *checkpointer);
  }  // only the writer holds it now
  Commit(10);
  writer_.reset();
  SUCCEED();  // under AddressSanitizer, a use after free would have ended the test
}

}  // namespace
}  // namespace unitclock::store::sqlite_backend

#include "plugin/sqlite/statement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

namespace unitclock::sqlite {
namespace {

using ::testing::StartsWith;

constexpr std::string_view kOwner = "test db";

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(Exec(db_, kOwner, "CREATE TABLE t (k INTEGER, v TEXT, b BLOB)").ok());
    cache_ = std::make_unique<StatementCache>(db_, kOwner);
  }
  void TearDown() override {
    cache_.reset();  // finalizes: the connection then closes for good
    EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);
  }

  sqlite3* db_ = nullptr;
  std::unique_ptr<StatementCache> cache_;
};

TEST_F(SqliteTest, ErrorsAreUnavailableNamingOwnerWhatAndSqlitesReason) {
  absl::Status s = Exec(db_, kOwner, "SELECT * FROM missing");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "test db: SELECT * FROM missing: no such table: missing");

  Statement owned(db_, kOwner, "SELECT * FROM missing");
  EXPECT_FALSE(owned.ok());
  EXPECT_EQ(owned.Error("prepare").message(), "test db: prepare: no such table: missing");
  EXPECT_EQ(Error(nullptr, kOwner, "open").message(), "test db: open: out of memory");
}

TEST_F(SqliteTest, CacheKeepsOneStatementPerSqlText) {
  static constexpr const char* kCount = "SELECT COUNT(*) FROM t";
  sqlite3_stmt* first = cache_->Get(kCount);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(cache_->Get(kCount), first);
  EXPECT_EQ(cache_->Get("SELECT * FROM missing"), nullptr);
  Statement failed(*cache_, "SELECT * FROM missing");
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.Error("prepare").message()), StartsWith("test db: prepare: "));
}

TEST_F(SqliteTest, BorrowedStatementIsResetAndUnboundAfterUse) {
  static constexpr const char* kInsert = "INSERT INTO t (k, v, b) VALUES (?, ?, ?)";
  static constexpr const char* kSelect = "SELECT k, v, b FROM t WHERE k >= ? ORDER BY k";
  for (std::int64_t k : {1, 2}) {
    Statement insert(*cache_, kInsert);
    ASSERT_TRUE(insert.ok());
    insert.Bind(1, k);
    insert.Bind(2, std::string_view("v"));
    insert.BindBlob(3, std::string_view("b\0b", 3));
    EXPECT_EQ(insert.Step(), SQLITE_DONE);
  }
  {
    Statement q(*cache_, kSelect);
    q.Bind(1, std::int64_t{1});
    ASSERT_EQ(q.Step(), SQLITE_ROW);  // one row read of two: left mid-way
    EXPECT_EQ(q.Int(0), 1);
    EXPECT_EQ(q.Text(1), "v");
    EXPECT_EQ(q.Blob(2), std::string("b\0b", 3));
    EXPECT_TRUE(q.BlobEquals(2, std::string_view("b\0b", 3)));
  }
  Statement q(*cache_, kSelect);     // the same statement, from its first row, unbound
  ASSERT_EQ(q.Step(), SQLITE_DONE);  // k >= NULL matches nothing
}

TEST_F(SqliteTest, NullColumnsReadAsEmpty) {
  Statement q(db_, kOwner, "SELECT NULL, NULL");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q.Step(), SQLITE_ROW);
  EXPECT_TRUE(q.IsNull(0));
  EXPECT_EQ(q.Text(0), "");
  EXPECT_EQ(q.Blob(1), "");
  EXPECT_TRUE(q.BlobEquals(1, ""));
}

}  // namespace
}  // namespace unitclock::sqlite

#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "plugin/store/backend/open_store.h"
#include "plugin/store/store.h"
#include "tests/testing/test_database.h"

// The fixture of the store contract suites: each test runs once per backend,
// on a fresh database of its own.
namespace unitclock::store {

class StoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    auto db = testing::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    Reopen();
  }

  // Closes the store and opens the same database again, as a restarted
  // unitclockd would.
  void Reopen(StoreOptions options = {}) {
    store_ = {};
    auto s = OpenStore(db_->spec(), options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }

  // Another store on the same database: a second unitclockd instance (on
  // SQLite, a second process on the same file).
  Store OpenAnother(StoreOptions options = {}) {
    auto s = OpenStore(db_->spec(), options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : Store{};
  }

  EventLog& log() { return *store_.events; }
  ReviewLedger& ledger() { return *store_.ledger; }
  const std::string spec() const { return db_->spec(); }

  std::unique_ptr<testing::TestDatabase> db_;
  Store store_;
};

// The backends every contract suite runs on.
inline std::string BackendParamName(const ::testing::TestParamInfo<testing::Backend>& info) {
  return testing::BackendName(info.param);
}
#define UNITCLOCK_STORE_BACKENDS                            \
  ::testing::Values(::unitclock::testing::Backend::kSqlite, \
                    ::unitclock::testing::Backend::kPostgres)

}  // namespace unitclock::store

#include "tests/testing/test_database.h"

#include <sqlite3.h>

#include "absl/status/status.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::testing {
namespace {

class SqliteTestDatabase final : public TestDatabase {
 public:
  std::string spec() const override { return dir_.File("unitclock.db"); }

  absl::StatusOr<std::int64_t> CountRows(const std::string& table) const override {
    sqlite3* db = nullptr;
    absl::StatusOr<std::int64_t> count = absl::UnavailableError("cannot open " + spec());
    if (sqlite3_open_v2(spec().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      const std::string sql = "SELECT COUNT(*) FROM " + table;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        count = sqlite3_column_int64(stmt, 0);
      } else {
        count = absl::UnavailableError(sqlite3_errmsg(db));
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return count;
  }

 private:
  TempDir dir_;
};

}  // namespace

std::string BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgres";
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(Backend backend) {
  if (backend == Backend::kSqlite) return std::make_unique<SqliteTestDatabase>();
  return absl::UnimplementedError("PostgreSQL test databases are not built yet");
}

}  // namespace unitclock::testing

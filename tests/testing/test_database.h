#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

// Databases for the tests that run against both store backends (the store
// contract suites, the end-to-end suites).
namespace unitclock::testing {

enum class Backend { kSqlite, kPostgres };

// "sqlite" or "postgres": for test names.
std::string BackendName(Backend backend);

// A fresh, empty database of one backend, removed when destroyed.
//
// SQLite: a file in a new temporary folder. PostgreSQL: a new database in
// the throwaway cluster that ctest's fixture started (scripts/pg_cluster.sh);
// the environment variable UNITCLOCK_TEST_PG names the cluster's folder. A
// test of the PostgreSQL backend fails, and is never skipped, when it is
// unset or the cluster does not answer.
class TestDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create(Backend backend);
  virtual ~TestDatabase() = default;

  // What to pass to store::OpenStore or to unitclockd's --db: a file path,
  // or a postgresql:// URI.
  virtual std::string spec() const = 0;

  // The number of rows of `table` (one of the store's tables), read through a
  // connection of the test's own, as another program would.
  virtual absl::StatusOr<std::int64_t> CountRows(const std::string& table) const = 0;
};

}  // namespace unitclock::testing

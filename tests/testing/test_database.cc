#include "tests/testing/test_database.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/status/status.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::testing {
namespace {

// How to get the PostgreSQL tests their cluster, for the error that a test
// without one fails with.
constexpr const char* kHowToRun =
    "the PostgreSQL tests need the throwaway cluster that ctest starts (fixture pg_cluster_start; "
    "run them through ctest, e.g. ctest --test-dir build/test -R postgres), or start one with "
    "scripts/pg_cluster.sh start DIR and set UNITCLOCK_TEST_PG=DIR";

class SqliteDatabase final : public TestDatabase {
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

// A connection to a database of the cluster (its maintenance database, or a
// test's), closed when it dies.
struct PgConnection {
  explicit PgConnection(const std::string& uri) : conn(PQconnectdb(uri.c_str())) {}
  ~PgConnection() { PQfinish(conn); }
  bool ok() const { return conn != nullptr && PQstatus(conn) == CONNECTION_OK; }
  std::string error() const {
    std::string message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    return message;
  }
  // Runs `sql`; the server's message if it fails.
  absl::Status Exec(const std::string& sql) {
    PGresult* r = PQexec(conn, sql.c_str());
    const bool ok = r != nullptr && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok) return absl::OkStatus();
    return absl::UnavailableError(sql + ": " + error());
  }
  PGconn* conn;
};

class PostgresDatabase final : public TestDatabase {
 public:
  PostgresDatabase(std::string maintenance_uri, std::string name, std::string spec)
      : maintenance_uri_(std::move(maintenance_uri)),
        name_(std::move(name)),
        spec_(std::move(spec)) {}

  ~PostgresDatabase() override {
    // FORCE: a store a test leaked (or a connection still closing) must not
    // keep the database, and the next run's cluster is new anyway.
    PgConnection m(maintenance_uri_);
    if (m.ok()) (void)m.Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }

  std::string spec() const override { return spec_; }

  absl::StatusOr<std::int64_t> CountRows(const std::string& table) const override {
    PgConnection db(spec_);
    if (!db.ok()) return absl::UnavailableError("cannot connect to " + spec_ + ": " + db.error());
    PGresult* r = PQexec(db.conn, ("SELECT count(*) FROM " + table).c_str());
    absl::StatusOr<std::int64_t> count;
    if (r != nullptr && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
      count = std::stoll(PQgetvalue(r, 0, 0));
    } else {
      count = absl::UnavailableError("count " + table + ": " + db.error());
    }
    PQclear(r);
    return count;
  }

 private:
  const std::string maintenance_uri_;
  const std::string name_;
  const std::string spec_;
};

// Percent-encodes a URI query value (a socket folder).
std::string UriEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The URI of database `name` on the server `maintenance_uri` reaches.
absl::StatusOr<std::string> DatabaseUri(const std::string& maintenance_uri,
                                        const std::string& name) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(maintenance_uri.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    return absl::FailedPreconditionError("UNITCLOCK_TEST_PG/uri: " + message);
  }
  std::string query;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string keyword = o->keyword;
    if (keyword == "dbname") continue;
    query += (query.empty() ? "?" : "&") + keyword + "=" + UriEncode(o->val);
  }
  PQconninfoFree(options);
  return "postgresql:///" + name + query;
}

absl::StatusOr<std::unique_ptr<TestDatabase>> CreatePostgres() {
  const char* dir = std::getenv("UNITCLOCK_TEST_PG");
  if (dir == nullptr || *dir == '\0') {
    return absl::FailedPreconditionError(std::string("UNITCLOCK_TEST_PG is not set: ") + kHowToRun);
  }
  std::ifstream file(std::string(dir) + "/uri");
  std::string maintenance_uri;
  if (!std::getline(file, maintenance_uri) || maintenance_uri.empty()) {
    return absl::FailedPreconditionError("no cluster in UNITCLOCK_TEST_PG=" + std::string(dir) +
                                         " (no uri file): " + kHowToRun);
  }
  PgConnection m(maintenance_uri);
  if (!m.ok()) {
    return absl::FailedPreconditionError("the test cluster (" + maintenance_uri +
                                         ") does not answer: " + m.error() + "; " + kHowToRun);
  }
  // Unique across the test processes ctest runs at once, and across runs.
  static std::atomic<int> counter{0};
  std::random_device random;
  std::ostringstream name;
  name << "unitclock_test_" << getpid() << "_" << counter++ << "_" << std::hex << random();
  if (absl::Status st = m.Exec("CREATE DATABASE " + name.str()); !st.ok()) return st;
  absl::StatusOr<std::string> uri = DatabaseUri(maintenance_uri, name.str());
  if (!uri.ok()) return uri.status();
  return std::make_unique<PostgresDatabase>(maintenance_uri, name.str(), *uri);
}

}  // namespace

std::string BackendName(Backend backend) {
  switch (backend) {
    case Backend::kSqlite:
      return "sqlite";
    case Backend::kPostgres:
      return "postgres";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(Backend backend) {
  switch (backend) {
    case Backend::kSqlite:
      return std::make_unique<SqliteDatabase>();
    case Backend::kPostgres:
      return CreatePostgres();
  }
  return absl::InvalidArgumentError("unknown backend");
}

}  // namespace unitclock::testing

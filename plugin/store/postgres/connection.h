#pragma once

// The PostgreSQL store's own thin layer over libpq: connections that
// reconnect by themselves (with a backoff shared by every connection of one
// database), prepared statements, results, and PostgreSQL's errors as
// absl::Status. Internal to plugin/store/postgres.
//
// Why libpq and not libpqxx: libpq is the C client that Debian's libpq-dev
// ships with every PostgreSQL (no further C++ dependency to build, package
// or keep ABI-compatible), and its plain C API leaves every connection in our
// hands: which thread uses which connection (the writer's group commit has
// its own), when a lost connection is dropped and made again, and which
// errors are worth a retry. libpqxx's value, RAII and typed rows, is the few
// lines of Result and Params below.
//
// Nothing here locks except Database and ConnectionPool: a Connection is used
// by one thread at a time (its pool's lease, or its one owner).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

struct pg_conn;
struct pg_result;

namespace unitclock::store::postgres {

// A statement of the store: prepared once per connection under `name`.
// Both must be string literals (they outlive every connection).
struct Sql {
  const char* name;
  const char* text;
};

// The parameters of one statement, in libpq's text format, except bytea,
// sent as binary (no escaping, no doubling of its size).
class Params {
 public:
  Params& Text(std::string_view value);
  Params& Int(std::int64_t value);
  Params& Bool(bool value);
  Params& Bytea(std::string_view value);
  Params& Null();
  // Text, or NULL for nullopt.
  Params& OptionalText(const std::optional<std::string>& value);
  Params& OptionalInt(const std::optional<std::int64_t>& value);

  int size() const { return static_cast<int>(values_.size()); }
  bool null(int i) const { return nulls_[i]; }
  const std::string& value(int i) const { return values_[i]; }
  int format(int i) const { return formats_[i]; }

 private:
  void Add(std::string value, bool null, int format);

  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<int> formats_;
};

// A one-dimensional array literal ('{"a","b",NULL}') for a text[], int8[],
// bool[] or bytea[] parameter: one parameter carries a whole group's values
// (unnest() turns it into rows), so that a group commit is a few statements,
// not a few per event.
class ArrayLiteral {
 public:
  ArrayLiteral() { out_ = "{"; }
  void Text(std::string_view value);
  void Int(std::int64_t value);
  void Bool(bool value);
  void Bytea(std::string_view value);  // as hex: "\\x0a1b..."
  void Null();
  void OptionalText(const std::optional<std::string>& value);
  void OptionalInt(const std::optional<std::int64_t>& value);
  // The literal; the builder is spent.
  std::string Take();

 private:
  void Separate();
  std::string out_;
  bool empty_ = true;
};

// The rows of a statement's result, text format. Owns its PGresult.
class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const;
  bool IsNull(int row, int column) const;
  std::string_view Text(int row, int column) const;
  std::int64_t Int(int row, int column) const;   // 0 if NULL or not a number
  bool Bool(int row, int column) const;          // "t"
  std::string Bytea(int row, int column) const;  // decodes "\x..." (hex output)
  // Rows INSERT/UPDATE/DELETE changed.
  std::int64_t Affected() const;

 private:
  pg_result* result_;
};

// The SQLSTATE of a failed statement ("40001"); empty for errors that are
// not the server's (a lost connection, a statement never sent).
std::string SqlState(const absl::Status& status);
// True if the connection was lost (or could not be made) by the call that
// returned `status`: nothing of the transaction then in progress was
// committed, unless the loss came during its COMMIT (see Connection::Commit).
bool ConnectionLost(const absl::Status& status);
// A serialization failure or a deadlock (40001, 40P01): the transaction was
// rolled back and may be tried again as a whole.
bool Retryable(const absl::Status& status);

using Clock = std::chrono::steady_clock;

class Connection;

// One database: its URI, what every connection to it shares (the reconnect
// backoff, the health bookkeeping, a generation that makes every connection
// drop what may be a dead link once one of them finds the database gone),
// and the probe behind Health(). Thread-safe.
class Database {
 public:
  // INVALID_ARGUMENT if `uri` is not a libpq connection URI (the message
  // never repeats a password).
  static absl::StatusOr<std::shared_ptr<Database>> Create(const std::string& uri);
  ~Database();

  const std::string& uri() const { return uri_; }
  // The database for messages: "postgresql://user@host:port/dbname", without
  // password or other parameters.
  const std::string& name() const { return name_; }

  // OK, or UNAVAILABLE with the last connection error while the backoff
  // after failed connection attempts lasts.
  absl::Status MayConnect();
  void ConnectFailed(const absl::Status& error);
  void Connected();

  // Every statement's outcome, for Health(): a database error or a lost
  // connection counts as a failure, a statement the server ran (even one it
  // refused, such as a unique violation) as a success.
  void Succeeded();
  void Failed(const absl::Status& error);

  std::uint64_t generation();
  // Called by a connection made in `generation` that found its link dead:
  // the connections made before now are dropped before their next use.
  void Lost(std::uint64_t generation);

  // OK if the database answered within about the last second, else the
  // outcome of a "SELECT 1" (run at most about once a second, on a
  // connection of its own that ignores the backoff: it is the probe that
  // ends it once the database is back).
  absl::Status Health();

 private:
  Database(std::string uri, std::string name);

  const std::string uri_;
  const std::string name_;

  absl::Mutex mu_;
  Clock::duration backoff_ ABSL_GUARDED_BY(mu_){};
  Clock::time_point next_connect_ ABSL_GUARDED_BY(mu_){};
  absl::Status connect_error_ ABSL_GUARDED_BY(mu_);
  std::uint64_t generation_ ABSL_GUARDED_BY(mu_) = 1;
  bool failing_ ABSL_GUARDED_BY(mu_) = false;
  Clock::time_point last_success_ ABSL_GUARDED_BY(mu_){};
  Clock::time_point last_probe_ ABSL_GUARDED_BY(mu_){};
  absl::Status probe_status_ ABSL_GUARDED_BY(mu_);

  absl::Mutex probe_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<Connection> probe_ ABSL_GUARDED_BY(probe_mu_);
};

// One connection to `db`, made on first use and made again after it was
// lost. Every error is UNAVAILABLE "postgres store: <what>: <PostgreSQL's
// message>", except a data exception (SQLSTATE class 22: a value the database
// refuses), which is INVALID_ARGUMENT; callers look at SqlState for the
// errors they expect (a unique violation, a serialization failure).
class Connection {
 public:
  explicit Connection(std::shared_ptr<Database> db);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects if not connected (or connected before the database was found
  // gone). `ignore_backoff`: try now even if the last attempt just failed.
  absl::Status Ensure(bool ignore_backoff = false);

  // Runs a prepared statement (preparing it on this connection first if
  // needed). Connects first if needed.
  absl::StatusOr<Result> Run(const Sql& sql, const Params& params = Params());
  // Runs SQL text without parameters (one or more statements, e.g. BEGIN, a
  // migration), through the simple query protocol.
  absl::Status Exec(std::string_view what, const char* sql);
  // COMMIT. If the connection is lost while the server may have committed,
  // UNAVAILABLE saying the outcome is unknown.
  absl::Status Commit();
  // ROLLBACK if a transaction is open; drops the connection if even that
  // fails.
  void Rollback();
  // Closes the connection (the next call makes a new one).
  void Reset();

  Database& db() { return *db_; }

 private:
  // The status of a failed command; drops the connection if it was lost.
  absl::Status Failure(std::string_view what, pg_result* result);
  absl::StatusOr<Result> Check(std::string_view what, pg_result* result);

  const std::shared_ptr<Database> db_;
  pg_conn* conn_ = nullptr;
  std::uint64_t generation_ = 0;
  std::unordered_set<std::string> prepared_;
};

// A few connections for the calls that may run at the same time (reads,
// ledger transactions). Acquire waits for a free one.
class ConnectionPool {
 public:
  ConnectionPool(std::shared_ptr<Database> db, int size);

  class Lease {
   public:
    Lease(ConnectionPool* pool, Connection* connection) : pool_(pool), connection_(connection) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_; }

   private:
    ConnectionPool* pool_;
    Connection* connection_;
  };

  Lease Acquire();

 private:
  std::vector<std::unique_ptr<Connection>> connections_;
  absl::Mutex mu_;
  absl::CondVar returned_;
  std::vector<Connection*> free_ ABSL_GUARDED_BY(mu_);
};

// Runs `read` on a connection of `pool`; once more on a fresh connection if
// the first found its connection dead (a database restarted since it was
// last used), which a read may do safely.
template <typename T, typename Read>
absl::StatusOr<T> WithReader(ConnectionPool& pool, Read read) {
  for (int attempt = 1;; ++attempt) {
    ConnectionPool::Lease c = pool.Acquire();
    absl::StatusOr<T> out = read(*c);
    if (out.ok() || attempt == 2 || !ConnectionLost(out.status())) return out;
  }
}

// True if PostgreSQL can store `text` as TEXT as it is: no NUL byte (libpq
// passes text parameters as C strings) and valid UTF-8 (the databases'
// encoding; client_encoding is set to it). Strings that are not could never
// have been stored, so a lookup of one finds nothing.
bool Storable(std::string_view text);

// A key for pg_advisory_xact_lock(bigint): 64-bit FNV-1a of `parts`, each
// followed by a NUL (so that ("ab", "c") and ("a", "bc") differ).
std::int64_t LockKey(std::initializer_list<std::string_view> parts);

}  // namespace unitclock::store::postgres

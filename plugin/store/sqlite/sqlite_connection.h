#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "plugin/sqlite/statement.h"
#include "plugin/store/sqlite/event_id_index.h"

struct sqlite3;

// Connections to the store's SQLite file, shared by its event log and its
// review ledger: opening one (the schema brought up to date first), and a
// pool of read-only connections, so that reads do not wait behind a
// writer's commit (WAL mode lets readers and one writer work at once).
namespace unitclock::store::sqlite_backend {

// Prefixes the errors of the database: "event store: <what>: <SQLite's message>".
inline constexpr std::string_view kOwner = "event store";

// One connection with its cache of prepared statements. Used by one thread
// at a time.
class Connection {
 public:
  // Opens `path`: read-write (creating the file) with WAL and full sync at
  // every commit, or read-only. UNAVAILABLE if it cannot be opened.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  sqlite::StatementCache& cache() { return cache_; }
  // sqlite::Exec on this connection.
  absl::Status Exec(const char* sql);

 private:
  explicit Connection(sqlite3* db) : db_(db), cache_(db, kOwner) {}
  sqlite3* const db_;
  sqlite::StatementCache cache_;
};

// Brings the schema of the file at `path` up to date, creating it if the file
// is new: one transaction, holding SQLite's write lock, so that two processes
// opening one file at once do not race. FAILED_PRECONDITION if the file was
// written by a newer unitclock.
absl::Status PrepareSchema(Connection& connection, const std::string& path);

// The key of the file's event id fingerprints (store_meta).
absl::StatusOr<FingerprintKey> ReadFingerprintKey(Connection& connection);

// Appends one row of `event_id_blocks`: the fingerprints of the events from
// `first_seq` on (AppendFingerprint's bytes).
absl::Status InsertFingerprintBlock(sqlite::StatementCache& cache, std::int64_t first_seq,
                                    const std::vector<char>& fingerprints);

// The most fingerprints the migration writes in one block; a commit writes
// one block of all its events.
inline constexpr std::size_t kFingerprintBlockEvents = 4096;

// The most seqs a session's row lists before a commit moves the list to a
// row of session_event_chunks.
inline constexpr std::int64_t kSeqsPerChunk = 512;

// A fixed set of read-only connections; a reader waits for a free one.
class ReadPool {
 public:
  // Opens `size` read-only connections to `path`.
  static absl::StatusOr<std::unique_ptr<ReadPool>> Open(const std::string& path, int size);

  // A connection, returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(ReadPool& pool, Connection* connection) : pool_(pool), connection_(connection) {}
    ~Lease() { pool_.Release(connection_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_; }

   private:
    ReadPool& pool_;
    Connection* const connection_;
  };
  Lease Acquire();

 private:
  void Release(Connection* connection);

  std::vector<std::unique_ptr<Connection>> all_;
  absl::Mutex mu_;
  absl::CondVar released_;
  std::vector<Connection*> free_ ABSL_GUARDED_BY(mu_);
};

}  // namespace unitclock::store::sqlite_backend

#pragma once

// The few SQLite helpers that the event store (plugin/store) and the client's
// event buffer (plugin/client) share: prepared statements, cached per
// connection or owned, that reset or finalize themselves, and SQLite's errors
// as absl::Status. A library of its own so that the client library need not
// link the server's store.
//
// Nothing here locks: a connection, its cache and its statements are used by
// one thread at a time (their owners serialise calls with a mutex).
// Return codes (Statement::Step) are sqlite3.h's.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace unitclock::sqlite {

// UNAVAILABLE "<owner>: <what>: <SQLite's message for db's last error>", as
// in "event store: insert event: disk I/O error". `owner` names the database
// for the reader ("event store"); `db` may be null (SQLite's message is then
// "out of memory").
absl::Status Error(sqlite3* db, std::string_view owner, std::string_view what);

// Runs `sql` (one or more statements, their rows ignored). On failure,
// Error(db, owner, sql).
absl::Status Exec(sqlite3* db, std::string_view owner, const char* sql);

// The statements of a connection's hot paths, prepared once
// (SQLITE_PREPARE_PERSISTENT) and kept until the cache is destroyed. Keyed by
// the address of their SQL text, which must therefore be a string literal (or
// outlive the cache, and never change); SQL built at run time goes to an
// owned Statement instead. Finalizes its statements on destruction: destroy
// it before closing `db`.
class StatementCache {
 public:
  // `db` and `owner` (see Error) must outlive the cache.
  StatementCache(sqlite3* db, std::string_view owner) : db_(db), owner_(owner) {}
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  sqlite3* db() const { return db_; }
  std::string_view owner() const { return owner_; }

  // The statement of `sql`, prepared on first use; nullptr if it cannot be
  // (then nothing is kept, and db's error says why). Use it through a
  // Statement, which resets it after use.
  sqlite3_stmt* Get(const char* sql);

 private:
  sqlite3* const db_;
  const std::string_view owner_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

// A prepared statement for one use: its own, finalized on destruction, or
// borrowed from a StatementCache, reset and unbound on destruction (which
// also ends a read transaction that its rows kept open).
//
// On a failed preparation ok() is false and Error() says why; the other
// calls must not be made then.
class Statement {
 public:
  // Prepares `sql` for this statement alone. `owner` (see Error) must
  // outlive the statement.
  Statement(sqlite3* db, std::string_view owner, const char* sql);
  // Borrows the cached statement of `sql` (see StatementCache::Get).
  Statement(StatementCache& cache, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Whether the statement was prepared.
  bool ok() const { return stmt_ != nullptr; }

  // Binds parameter `i` (from 1); the value is copied.
  void Bind(int i, std::string_view text);
  void BindBlob(int i, std::string_view blob);
  void Bind(int i, std::int64_t v);
  void BindNull(int i);

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();

  // Column `col` (from 0) of the current row; empty for NULL.
  std::string Text(int col) const;
  std::string Blob(int col) const;
  // Compares a column with `blob` without copying it.
  bool BlobEquals(int col, std::string_view blob) const;
  std::int64_t Int(int col) const;
  bool IsNull(int col) const;

  // Error(db, owner, what) for the statement's connection.
  absl::Status Error(std::string_view what) const;

 private:
  sqlite3* const db_;
  const std::string_view owner_;
  const bool owned_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace unitclock::sqlite

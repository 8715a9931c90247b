#include "plugin/sqlite/statement.h"

#include <sqlite3.h>

namespace unitclock::sqlite {

absl::Status Error(sqlite3* db, std::string_view owner, std::string_view what) {
  return absl::UnavailableError(std::string(owner) + ": " + std::string(what) + ": " +
                                sqlite3_errmsg(db));
}

absl::Status Exec(sqlite3* db, std::string_view owner, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(db, owner, sql);
  return absl::OkStatus();
}

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
}

sqlite3_stmt* StatementCache::Get(const char* sql) {
  auto [it, inserted] = stmts_.try_emplace(sql, nullptr);
  if (inserted && sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &it->second,
                                     nullptr) != SQLITE_OK) {
    sqlite3_finalize(it->second);
    stmts_.erase(it);
    return nullptr;
  }
  return it->second;
}

Statement::Statement(sqlite3* db, std::string_view owner, const char* sql)
    : db_(db), owner_(owner), owned_(true) {
  sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
}

Statement::Statement(StatementCache& cache, const char* sql)
    : db_(cache.db()), owner_(cache.owner()), owned_(false), stmt_(cache.Get(sql)) {}

Statement::~Statement() {
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Statement::BindBlob(int i, std::string_view blob) {
  sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
}

void Statement::Bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }

void Statement::BindNull(int i) { sqlite3_bind_null(stmt_, i); }

int Statement::Step() { return sqlite3_step(stmt_); }

std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
}

std::string Statement::Blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
}

bool Statement::BlobEquals(int col, std::string_view blob) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col));
  return std::string_view(p == nullptr ? "" : p, p == nullptr ? 0 : n) == blob;
}

std::int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

absl::Status Statement::Error(std::string_view what) const {
  return sqlite::Error(db_, owner_, what);
}

}  // namespace unitclock::sqlite

#include "plugin/client/internal/event_buffer.h"

#include <sqlite3.h>

#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace unitclock::client::internal {
namespace {

// AUTOINCREMENT: a seq is never reused, even after the newest event left,
// so that the sender can read "everything after the last seq it took".
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS pending (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id       TEXT NOT NULL,
  session_id     TEXT NOT NULL,
  recorded_at_ms INTEGER NOT NULL,
  payload        BLOB NOT NULL
);
)sql";

constexpr const char* kInsert =
    "INSERT INTO pending (event_id, session_id, recorded_at_ms, payload) VALUES (?, ?, ?, ?)";
constexpr const char* kReadAfter =
    "SELECT seq, event_id, session_id, recorded_at_ms, payload FROM pending WHERE seq > ? "
    "ORDER BY seq LIMIT ?";
constexpr const char* kDelete = "DELETE FROM pending WHERE seq = ?";
constexpr const char* kOldest = "SELECT recorded_at_ms FROM pending ORDER BY seq LIMIT 1";

absl::Status SqliteError(sqlite3* db, std::string_view what) {
  return absl::UnavailableError(
      absl::StrCat("event buffer: ", std::string(what), ": ", sqlite3_errmsg(db)));
}

absl::Status Exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK ? absl::OkStatus()
                                                                       : SqliteError(db, sql);
}

}  // namespace

// The statements of the hot paths, prepared once and kept (as the event
// store does), by the address of their SQL text.
class BufferStatements {
 public:
  explicit BufferStatements(sqlite3* db) : db_(db) {}
  ~BufferStatements() {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
  }
  BufferStatements(const BufferStatements&) = delete;
  BufferStatements& operator=(const BufferStatements&) = delete;

  // The statement of `sql`, reset and unbound; nullptr if it cannot be prepared.
  sqlite3_stmt* Get(const char* sql) {
    auto [it, inserted] = stmts_.try_emplace(sql, nullptr);
    if (inserted && sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &it->second,
                                       nullptr) != SQLITE_OK) {
      sqlite3_finalize(it->second);
      stmts_.erase(it);
      return nullptr;
    }
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }

 private:
  sqlite3* const db_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

namespace {

void BindText(sqlite3_stmt* stmt, int i, std::string_view text) {
  sqlite3_bind_text(stmt, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* stmt, int col) {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, col));
  return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt, col));
}

// Opens the file and takes it for this connection alone: with
// locking_mode=EXCLUSIVE the first write transaction keeps its lock until
// the connection closes (the OS drops it if the process dies).
absl::StatusOr<sqlite3*> OpenExclusive(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    absl::Status s = SqliteError(db, "open " + path);
    sqlite3_close(db);
    return s;
  }
  absl::Status s = Exec(db,
                        "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; "
                        "PRAGMA synchronous=NORMAL;");
  if (s.ok()) s = Exec(db, "BEGIN IMMEDIATE");
  if (!s.ok()) {
    const bool busy = sqlite3_errcode(db) == SQLITE_BUSY || sqlite3_errcode(db) == SQLITE_LOCKED;
    sqlite3_close(db);
    if (busy) return absl::FailedPreconditionError("event buffer: " + path + " is in use");
    return s;
  }
  s = Exec(db, kSchema);
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok()) {
    sqlite3_close(db);
    return s;
  }
  return db;
}

}  // namespace

std::int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<std::unique_ptr<EventBuffer>> EventBuffer::Open(const std::string& path,
                                                               std::int64_t max_events) {
  absl::StatusOr<sqlite3*> db = OpenExclusive(path);
  if (!db.ok()) return db.status();
  sqlite3_stmt* count = nullptr;
  std::int64_t size = 0;
  if (sqlite3_prepare_v2(*db, "SELECT COUNT(*) FROM pending", -1, &count, nullptr) != SQLITE_OK ||
      sqlite3_step(count) != SQLITE_ROW) {
    absl::Status s = SqliteError(*db, "count");
    sqlite3_finalize(count);
    sqlite3_close(*db);
    return s;
  }
  size = sqlite3_column_int64(count, 0);
  sqlite3_finalize(count);
  return std::unique_ptr<EventBuffer>(new EventBuffer(*db, max_events, size));
}

EventBuffer::EventBuffer(sqlite3* db, std::int64_t max_events, std::int64_t size)
    : db_(db),
      statements_(std::make_unique<BufferStatements>(db)),
      max_events_(max_events),
      size_(size) {}

EventBuffer::~EventBuffer() {
  absl::MutexLock lock(&mu_);
  statements_.reset();
  sqlite3_close(db_);
}

absl::Status EventBuffer::Append(const BufferedEvent& event) {
  absl::MutexLock lock(&mu_);
  if (size_ >= max_events_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("buffer: ", size_, " events waiting, the most allowed; delivery lag ",
                     LagLocked(WallClockMs()).count(), "ms"));
  }
  sqlite3_stmt* stmt = statements_->Get(kInsert);
  if (stmt == nullptr) return SqliteError(db_, "prepare insert");
  BindText(stmt, 1, event.event_id);
  BindText(stmt, 2, event.session_id);
  sqlite3_bind_int64(stmt, 3, event.recorded_at_ms);
  sqlite3_bind_blob(stmt, 4, event.payload.data(), static_cast<int>(event.payload.size()),
                    SQLITE_TRANSIENT);
  if (sqlite3_step(stmt) != SQLITE_DONE) return SqliteError(db_, "insert");
  ++size_;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BufferedEvent>> EventBuffer::ReadAfter(std::int64_t after_seq,
                                                                  int limit) {
  absl::MutexLock lock(&mu_);
  sqlite3_stmt* stmt = statements_->Get(kReadAfter);
  if (stmt == nullptr) return SqliteError(db_, "prepare read");
  sqlite3_bind_int64(stmt, 1, after_seq);
  sqlite3_bind_int(stmt, 2, limit);
  std::vector<BufferedEvent> events;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    events.push_back({.seq = sqlite3_column_int64(stmt, 0),
                      .event_id = ColumnText(stmt, 1),
                      .session_id = ColumnText(stmt, 2),
                      .recorded_at_ms = sqlite3_column_int64(stmt, 3),
                      .payload = ColumnText(stmt, 4)});
  }
  if (rc != SQLITE_DONE) return SqliteError(db_, "read");
  sqlite3_reset(stmt);  // ends its read transaction now, not at the next use
  return events;
}

absl::Status EventBuffer::Remove(std::span<const std::int64_t> seqs) {
  if (seqs.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  absl::Status s = Exec(db_, "BEGIN");
  if (!s.ok()) return s;
  std::int64_t removed = 0;
  for (std::int64_t seq : seqs) {
    sqlite3_stmt* stmt = statements_->Get(kDelete);
    if (stmt == nullptr || (sqlite3_bind_int64(stmt, 1, seq), sqlite3_step(stmt)) != SQLITE_DONE) {
      s = SqliteError(db_, "delete");
      Exec(db_, "ROLLBACK").IgnoreError();
      return s;
    }
    removed += sqlite3_changes(db_);
  }
  s = Exec(db_, "COMMIT");
  if (!s.ok()) {
    Exec(db_, "ROLLBACK").IgnoreError();
    return s;
  }
  size_ -= removed;
  return absl::OkStatus();
}

std::int64_t EventBuffer::Size() {
  absl::MutexLock lock(&mu_);
  return size_;
}

std::chrono::milliseconds EventBuffer::Lag(std::int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  return LagLocked(now_ms);
}

std::chrono::milliseconds EventBuffer::LagLocked(std::int64_t now_ms) {
  if (size_ == 0) return std::chrono::milliseconds(0);
  sqlite3_stmt* stmt = statements_->Get(kOldest);
  if (stmt == nullptr || sqlite3_step(stmt) != SQLITE_ROW) return std::chrono::milliseconds(0);
  const std::int64_t oldest = sqlite3_column_int64(stmt, 0);
  sqlite3_reset(stmt);
  return std::chrono::milliseconds(now_ms > oldest ? now_ms - oldest : 0);
}

bool EventBuffer::AwaitEmpty(std::chrono::milliseconds timeout) {
  absl::MutexLock lock(&mu_);
  auto empty = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return size_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&empty), absl::FromChrono(timeout));
}

}  // namespace unitclock::client::internal

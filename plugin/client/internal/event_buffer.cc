#include "plugin/client/internal/event_buffer.h"

#include <sqlite3.h>

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "plugin/sqlite/statement.h"

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

// Prefixes the errors of the database: "event buffer: <what>: <SQLite's message>".
constexpr std::string_view kOwner = "event buffer";

using sqlite::Statement;

// sqlite::Exec for the buffer's connection.
absl::Status Exec(sqlite3* db, const char* sql) { return sqlite::Exec(db, kOwner, sql); }

// Opens the file and takes it for this connection alone: with
// locking_mode=EXCLUSIVE the first write transaction keeps its lock until
// the connection closes (the OS drops it if the process dies).
absl::StatusOr<sqlite3*> OpenExclusive(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    absl::Status s = sqlite::Error(db, kOwner, "open " + path);
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
  absl::Status s;
  std::int64_t size = 0;
  {
    Statement count(*db, kOwner, "SELECT COUNT(*) FROM pending");
    if (!count.ok() || count.Step() != SQLITE_ROW) {
      s = count.Error("count");
    } else {
      size = count.Int(0);
    }
  }  // finalized: the connection cannot close with a statement open
  if (!s.ok()) {
    sqlite3_close(*db);
    return s;
  }
  return std::unique_ptr<EventBuffer>(new EventBuffer(*db, max_events, size));
}

EventBuffer::EventBuffer(sqlite3* db, std::int64_t max_events, std::int64_t size)
    : db_(db),
      statements_(std::make_unique<sqlite::StatementCache>(db, kOwner)),
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
  Statement insert(*statements_, kInsert);
  if (!insert.ok()) return insert.Error("prepare insert");
  insert.Bind(1, event.event_id);
  insert.Bind(2, event.session_id);
  insert.Bind(3, event.recorded_at_ms);
  insert.BindBlob(4, event.payload);
  if (insert.Step() != SQLITE_DONE) return insert.Error("insert");
  ++size_;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BufferedEvent>> EventBuffer::ReadAfter(std::int64_t after_seq,
                                                                  int limit) {
  absl::MutexLock lock(&mu_);
  // Reset when it goes out of scope, which ends its read transaction.
  Statement read(*statements_, kReadAfter);
  if (!read.ok()) return read.Error("prepare read");
  read.Bind(1, after_seq);
  read.Bind(2, std::int64_t{limit});
  std::vector<BufferedEvent> events;
  int rc;
  while ((rc = read.Step()) == SQLITE_ROW) {
    events.push_back({.seq = read.Int(0),
                      .event_id = read.Text(1),
                      .session_id = read.Text(2),
                      .recorded_at_ms = read.Int(3),
                      .payload = read.Blob(4)});
  }
  if (rc != SQLITE_DONE) return read.Error("read");
  return events;
}

absl::Status EventBuffer::Remove(std::span<const std::int64_t> seqs) {
  if (seqs.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  absl::Status s = Exec(db_, "BEGIN");
  if (!s.ok()) return s;
  std::int64_t removed = 0;
  for (std::int64_t seq : seqs) {
    Statement del(*statements_, kDelete);
    if (!del.ok() || (del.Bind(1, seq), del.Step()) != SQLITE_DONE) {
      s = del.Error("delete");
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
  Statement oldest(*statements_, kOldest);
  if (!oldest.ok() || oldest.Step() != SQLITE_ROW) return std::chrono::milliseconds(0);
  const std::int64_t oldest_ms = oldest.Int(0);
  return std::chrono::milliseconds(now_ms > oldest_ms ? now_ms - oldest_ms : 0);
}

bool EventBuffer::AwaitEmpty(std::chrono::milliseconds timeout) {
  absl::MutexLock lock(&mu_);
  auto empty = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return size_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&empty), absl::FromChrono(timeout));
}

}  // namespace unitclock::client::internal

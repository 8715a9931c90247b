#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct sqlite3;

namespace unitclock::sqlite {
class StatementCache;
}  // namespace unitclock::sqlite

namespace unitclock::client::internal {

// One event waiting in the buffer.
struct BufferedEvent {
  std::int64_t seq = 0;  // buffer order; set by the buffer, never reused
  std::string event_id;
  std::string session_id;
  std::int64_t recorded_at_ms = 0;  // wall clock when recorded: the lag's origin
  std::string payload;              // the v1.Event, serialized
};

// The durable queue of events not yet acknowledged by the server: one SQLite
// file (WAL, synchronous=NORMAL: a committed append survives a crash of the
// process, not necessarily one of the machine), held exclusively by one
// EventBuffer at a time (locking_mode=EXCLUSIVE), so that two recorders never
// deliver and delete from the same file.
//
// Thread-safe: one connection, every call serialised by a mutex. Errors of
// the database are UNAVAILABLE.
class EventBuffer {
 public:
  // Opens or creates the file. FAILED_PRECONDITION if another connection
  // holds it; UNAVAILABLE if it cannot be opened.
  static absl::StatusOr<std::unique_ptr<EventBuffer>> Open(const std::string& path,
                                                           std::int64_t max_events);
  ~EventBuffer();
  EventBuffer(const EventBuffer&) = delete;
  EventBuffer& operator=(const EventBuffer&) = delete;

  // Appends `event` (its seq is ignored) durably, or refuses it with
  // RESOURCE_EXHAUSTED ("buffer: N events waiting, the most allowed; delivery
  // lag Ms") when the buffer holds max_events; then nothing is written.
  absl::Status Append(const BufferedEvent& event);

  // Up to `limit` events with a seq above `after_seq`, in buffer order.
  absl::StatusOr<std::vector<BufferedEvent>> ReadAfter(std::int64_t after_seq, int limit);

  // Removes the events `seqs` in one transaction (unknown seqs are ignored).
  absl::Status Remove(std::span<const std::int64_t> seqs);

  // Events waiting.
  std::int64_t Size();
  // Age of the oldest event waiting at `now_ms`; zero if none.
  std::chrono::milliseconds Lag(std::int64_t now_ms);

  // Waits until no event is waiting or `timeout` passed; whether it is empty.
  bool AwaitEmpty(std::chrono::milliseconds timeout);

 private:
  EventBuffer(sqlite3* db, std::int64_t max_events, std::int64_t size);
  std::chrono::milliseconds LagLocked(std::int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  sqlite3* const db_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<sqlite::StatementCache> statements_ ABSL_GUARDED_BY(mu_);
  const std::int64_t max_events_;
  // COUNT(*) kept in memory: every Append checks it.
  std::int64_t size_ ABSL_GUARDED_BY(mu_);
};

// Milliseconds since the epoch on the wall clock (buffered events outlive
// the process, so a steady clock would not do).
std::int64_t WallClockMs();

}  // namespace unitclock::client::internal

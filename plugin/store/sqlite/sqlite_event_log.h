#pragma once

#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "plugin/store/event_log.h"
#include "plugin/store/sqlite/sqlite_connection.h"

namespace unitclock::store {

// The event log in a SQLite file (WAL mode, synchronous=FULL). The writer
// thread owns one read-write connection; reads share a pool of read-only
// connections. Several processes may open one file: SQLite's write lock
// serialises their commits.
class SqliteEventLog final : public EventLog {
 public:
  // `writer` is a read-write connection to a file whose schema is up to date
  // (sqlite_backend::PrepareSchema); `reads` serves the read calls.
  SqliteEventLog(std::unique_ptr<sqlite_backend::Connection> writer,
                 std::unique_ptr<sqlite_backend::ReadPool> reads, StoreOptions options);
  // Commits what is queued, then closes.
  ~SqliteEventLog() override;

  void AppendAsync(std::vector<StoredEvent> events, AppendDone done) override;
  WriteStats Stats() override;
  absl::StatusOr<std::vector<StoredEvent>> LoadSession(std::string_view session_id) override;
  absl::StatusOr<std::optional<std::string>> SessionOwner(std::string_view session_id) override;
  absl::StatusOr<SessionPage> ListSessions(const SessionQuery& query) override;
  absl::StatusOr<std::vector<OpenSession>> ListOpenSessions(
      core::TimePoint last_event_before) override;
  absl::StatusOr<std::int64_t> CountEvents() override;
  // Always OK: the file is local, and a failure shows in the call that met it.
  absl::Status Health() override { return absl::OkStatus(); }

 private:
  struct PendingAppend {
    std::vector<StoredEvent> events;
    AppendDone done;
  };

  // The writer thread: commits the queued appends, a group at a time, until
  // the log is destroyed and the queue is empty.
  void WriteLoop();
  // Appends a group in one transaction; one result per append.
  std::vector<absl::StatusOr<AppendResults>> CommitGroup(std::span<const PendingAppend> group);

  const std::unique_ptr<sqlite_backend::Connection> writer_db_;  // the writer thread's alone
  const std::unique_ptr<sqlite_backend::ReadPool> reads_;
  const StoreOptions options_;

  absl::Mutex queue_mu_;
  absl::CondVar queue_cv_;
  std::deque<PendingAppend> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  WriteStats stats_ ABSL_GUARDED_BY(queue_mu_);
  std::thread writer_;  // last: starts once everything above is ready
};

}  // namespace unitclock::store

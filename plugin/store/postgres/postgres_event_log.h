#pragma once

#include <memory>
#include <span>
#include <vector>

#include "plugin/store/event_log.h"
#include "plugin/store/group_commit.h"
#include "plugin/store/postgres/connection.h"

namespace unitclock::store::postgres {

// The event log in PostgreSQL, shared by every unitclockd whose --db names
// the same database. Internal: OpenPostgresStore (postgres_store.h) makes
// one.
//
// One writer thread, with a connection of its own, commits the queued
// appends a group at a time. Each group's transaction first locks the rows of
// its sessions (creating those of new sessions) in session id order, so that
// another instance's writer touching one of them waits for this commit, and
// ownership, the per-session limit and only_if_event_count are decided
// against committed state; the same order everywhere means no deadlock
// between writers (a deadlock or a serialization failure would still just
// retry the group). An event id is stored once: INSERT ... ON CONFLICT DO
// NOTHING, and an insert that finds another writer's row is settled by
// trying the group again, which then compares the stored event.
//
// Reads use a small pool of connections of their own.
class PostgresEventLog final : public EventLog {
 public:
  PostgresEventLog(std::shared_ptr<Database> db, StoreOptions options);
  // Commits what is queued, then closes.
  ~PostgresEventLog() override = default;

  void AppendAsync(std::vector<StoredEvent> events, AppendDone done) override {
    writer_.Append(std::move(events), std::move(done));
  }
  WriteStats Stats() override { return writer_.Stats(); }
  absl::StatusOr<std::vector<StoredEvent>> LoadSession(std::string_view session_id) override;
  absl::StatusOr<std::optional<std::string>> SessionOwner(std::string_view session_id) override;
  absl::StatusOr<SessionPage> ListSessions(const SessionQuery& query) override;
  absl::StatusOr<std::vector<OpenSession>> ListOpenSessions(
      core::TimePoint last_event_before) override;
  absl::StatusOr<std::int64_t> CountEvents() override;
  absl::Status Health() override;

  // Read connections: the watchdog's scan and a few API calls at once.
  static constexpr int kReadConnections = 2;
  // Tries of one group before its appends get UNAVAILABLE.
  static constexpr int kMaxGroupAttempts = 5;

 private:
  // Appends a group in one transaction, tried again on a serialization
  // failure, a deadlock, a lost race for an event id, or a connection found
  // dead before the commit; one result per append.
  std::vector<absl::StatusOr<AppendResults>> CommitGroup(std::span<const PendingAppend> group);
  absl::StatusOr<std::vector<AppendResults>> TryCommitGroup(std::span<const PendingAppend> group);

  const std::shared_ptr<Database> db_;
  const StoreOptions options_;
  Connection writer_connection_;  // the writer thread's alone
  ConnectionPool readers_;
  GroupCommitWriter writer_;  // last: destroyed (drained) before what it commits with
};

}  // namespace unitclock::store::postgres

#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "plugin/store/event_log.h"
#include "plugin/store/group_commit.h"
#include "plugin/store/sqlite/sqlite_connection.h"

namespace unitclock::store {

// The event log in a SQLite file (WAL mode, synchronous=FULL). The writer
// thread owns one read-write connection and the event id index
// (event_id_index.h); reads share a pool of read-only connections. Several
// processes may open one file: SQLite's write lock serialises their
// commits, and each commit first reads the fingerprints that other
// processes appended since its writer's last.
class SqliteEventLog final : public EventLog {
 public:
  // `writer` is a read-write connection to a file whose schema is up to date
  // (sqlite_backend::PrepareSchema); `reads` serves the read calls.
  SqliteEventLog(std::unique_ptr<sqlite_backend::Connection> writer,
                 std::unique_ptr<sqlite_backend::ReadPool> reads, StoreOptions options);
  // Commits what is queued, then closes.
  ~SqliteEventLog() override = default;

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
  // Always OK: the file is local, and a failure shows in the call that met it.
  absl::Status Health() override { return absl::OkStatus(); }

 private:
  // Appends a group in one transaction; one result per append.
  std::vector<absl::StatusOr<AppendResults>> CommitGroup(std::span<const PendingAppend> group);
  // Inside the group's transaction: reads the fingerprint blocks written
  // since the index last saw the file (all of them on the first commit, or
  // after a failed one), and checks that they cover every event.
  absl::Status CatchUp();
  // On the writer thread, before its first group: CatchUp, in a read
  // transaction of its own.
  void WarmUp();

  // The writer thread's alone:
  const std::unique_ptr<sqlite_backend::Connection> writer_db_;
  std::optional<sqlite_backend::FingerprintKey> key_;
  sqlite_backend::EventIdIndex ids_;
  std::int64_t indexed_through_ = 0;  // the last seq in ids_ (0: none, to load)
  const std::unique_ptr<sqlite_backend::ReadPool> reads_;
  const StoreOptions options_;
  GroupCommitWriter writer_;  // last: destroyed (drained) before what it commits with
};

}  // namespace unitclock::store

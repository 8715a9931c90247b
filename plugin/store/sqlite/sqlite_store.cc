#include "plugin/store/sqlite/sqlite_store.h"

#include <utility>

#include "plugin/store/sqlite/sqlite_event_log.h"
#include "plugin/store/sqlite/sqlite_review_ledger.h"

namespace unitclock::store {

namespace {
// Read-only connections of the event log: as many as the readers that a
// two-core machine runs at once. The ledger's reads are rarer: one.
constexpr int kLogReaders = 2;
constexpr int kLedgerReaders = 1;
}  // namespace

absl::StatusOr<Store> OpenSqliteStore(const std::string& path, const StoreOptions& options) {
  using sqlite_backend::Connection;
  using sqlite_backend::ReadPool;
  absl::StatusOr<std::unique_ptr<Connection>> log_writer = Connection::Open(path, false);
  if (!log_writer.ok()) return log_writer.status();
  if (absl::Status st = sqlite_backend::PrepareSchema(**log_writer, path); !st.ok()) return st;
  absl::StatusOr<std::unique_ptr<Connection>> ledger_writer = Connection::Open(path, false);
  if (!ledger_writer.ok()) return ledger_writer.status();
  absl::StatusOr<std::unique_ptr<ReadPool>> log_reads = ReadPool::Open(path, kLogReaders);
  if (!log_reads.ok()) return log_reads.status();
  absl::StatusOr<std::unique_ptr<ReadPool>> ledger_reads = ReadPool::Open(path, kLedgerReaders);
  if (!ledger_reads.ok()) return ledger_reads.status();
  Store store;
  store.events =
      std::make_unique<SqliteEventLog>(*std::move(log_writer), *std::move(log_reads), options);
  store.ledger =
      std::make_unique<SqliteReviewLedger>(*std::move(ledger_writer), *std::move(ledger_reads));
  return store;
}

}  // namespace unitclock::store

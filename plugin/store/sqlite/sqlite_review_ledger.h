#pragma once

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "plugin/store/review_ledger.h"
#include "plugin/store/sqlite/sqlite_connection.h"

namespace unitclock::store {

// The review ledger in the store's SQLite file, beside the event log. Writes
// go through one read-write connection, one at a time; each holds SQLite's
// write lock (BEGIN IMMEDIATE) from its check to its commit, which is what
// makes conditional appends safe also between processes. Reads use
// read-only connections.
class SqliteReviewLedger final : public ReviewLedger {
 public:
  SqliteReviewLedger(std::unique_ptr<sqlite_backend::Connection> writer,
                     std::unique_ptr<sqlite_backend::ReadPool> reads);

  absl::StatusOr<std::int64_t> AppendDecision(const RecordAfter& entry) override;
  absl::StatusOr<std::vector<core::ReviewRecord>> ListAudit(
      const std::string& platform, const std::string& suggestion_id) override;
  absl::StatusOr<std::vector<core::ReviewRecord>> ListAuditForPatientDay(
      const std::string& platform, const std::string& patient_ref,
      core::Day date_of_service) override;
  absl::StatusOr<std::int64_t> RecordExport(const ExportBatch& batch,
                                            std::span<const RecordAfter> exports) override;

 private:
  absl::Mutex write_mu_;
  const std::unique_ptr<sqlite_backend::Connection> writer_ ABSL_PT_GUARDED_BY(write_mu_);
  const std::unique_ptr<sqlite_backend::ReadPool> reads_;
};

}  // namespace unitclock::store

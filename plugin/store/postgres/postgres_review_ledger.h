#pragma once

#include <memory>
#include <span>

#include "plugin/store/postgres/connection.h"
#include "plugin/store/review_ledger.h"

namespace unitclock::store::postgres {

// The review ledger in PostgreSQL, shared by every unitclockd on the same
// database. Internal: OpenPostgresStore (postgres_store.h) makes one.
//
// A conditional append (RecordAfter::last_record_id) takes a transaction-
// scoped advisory lock on its suggestion (platform and id) before it checks
// where the suggestion's history ends: two appends to one suggestion, from
// any instance, check and write one after the other. An export takes the
// locks of all its suggestions in key order (no deadlock between two
// exports), then checks them all. The database itself refuses UPDATE, DELETE
// and TRUNCATE of the ledger's tables (schema.cc).
class PostgresReviewLedger final : public ReviewLedger {
 public:
  explicit PostgresReviewLedger(std::shared_ptr<Database> db);

  absl::StatusOr<std::int64_t> AppendDecision(const RecordAfter& entry) override;
  absl::StatusOr<std::vector<core::ReviewRecord>> ListAudit(
      const std::string& platform, const std::string& suggestion_id) override;
  absl::StatusOr<std::vector<core::ReviewRecord>> ListAuditForPatientDay(
      const std::string& platform, const std::string& patient_ref,
      core::Day date_of_service) override;
  absl::StatusOr<std::int64_t> RecordExport(const ExportBatch& batch,
                                            std::span<const RecordAfter> exports) override;

  // Reviews and exports at once (an export can take a while).
  static constexpr int kConnections = 2;
  // Tries of one transaction (on a deadlock or a serialization failure).
  static constexpr int kMaxAttempts = 5;

 private:
  const std::shared_ptr<Database> db_;
  ConnectionPool pool_;
};

}  // namespace unitclock::store::postgres

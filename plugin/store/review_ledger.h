#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export/claim.h"
#include "core/review.h"
#include "core/time.h"

// The review ledger: the store's second concern, beside the event log
// (event_log.h). The append-only audit trail of what reviewers and billers
// did to suggestions, and the export batches. An interface with two
// implementations, SQLite and PostgreSQL, which pass one contract test suite
// (tests/plugin/store/review_ledger_contract_test.cc).
namespace unitclock::store {

// One export: the file handed to billing, as RecordExport stores it.
struct ExportBatch {
  std::string batch_id;
  core::TimePoint created_at{};
  std::string actor;
  std::string platform;
  core::exports::Format format = core::exports::Format::kCsv;
  core::Day range_start{};  // first date of service covered
  core::Day range_end{};    // last date of service covered
  int claim_count = 0;
  int line_count = 0;
  friend bool operator==(const ExportBatch&, const ExportBatch&) = default;
};

// An audit record to append, and the history it was decided on: the
// record_id of the last record of its suggestion when the caller read it
// (0 if it had none). The ledger appends it only if the suggestion's history
// still ends there, so that two reviewers, or two billers, acting on the same
// suggestion at once (on one instance or on two) cannot both succeed: the
// second gets ABORTED and reads again.
struct RecordAfter {
  core::ReviewRecord record;  // its record_id is ignored: the ledger sets it
  std::int64_t last_record_id = 0;
};

// The append-only audit trail and the export batches. A record, once
// written, is never changed or removed: the database itself refuses UPDATE
// and DELETE of audit records, also for other programs writing it. Write
// calls are durable once they return OK.
//
// Thread-safe. Errors of the database itself, including losing it, are
// UNAVAILABLE.
class ReviewLedger {
 public:
  virtual ~ReviewLedger() = default;

  // Appends one decision (approve, amend or reject) and returns its
  // record_id, which increases with every record of the ledger. ABORTED, and
  // nothing written, if the suggestion's history no longer ends at
  // `entry.last_record_id`. INVALID_ARGUMENT for an export record (those go
  // through RecordExport).
  virtual absl::StatusOr<std::int64_t> AppendDecision(const RecordAfter& entry) = 0;

  // The audit records of one suggestion of `platform`, oldest first (by
  // record_id); empty if it has none. (A suggestion id names a patient-day of
  // its platform: two platforms may use the same one.)
  virtual absl::StatusOr<std::vector<core::ReviewRecord>> ListAudit(
      const std::string& platform, const std::string& suggestion_id) = 0;

  // The audit records of every suggestion of one patient on one date of
  // service on one platform, oldest first (by record_id).
  virtual absl::StatusOr<std::vector<core::ReviewRecord>> ListAuditForPatientDay(
      const std::string& platform, const std::string& patient_ref, core::Day date_of_service) = 0;

  // Records an export in one transaction: the `batch` row plus one export
  // record per element of `exports` (one per exported suggestion, action
  // kExport; the ledger sets their batch_id to batch.batch_id). All or
  // nothing. ALREADY_EXISTS if batch.batch_id was recorded before; ABORTED if
  // any exported suggestion's history no longer ends at its last_record_id
  // (another export or a review came first); nothing is written then.
  // Returns the number of export records written.
  virtual absl::StatusOr<std::int64_t> RecordExport(const ExportBatch& batch,
                                                    std::span<const RecordAfter> exports) = 0;
};

}  // namespace unitclock::store

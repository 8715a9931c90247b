#include "plugin/store/sqlite/sqlite_review_ledger.h"

#include <sqlite3.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "plugin/sqlite/statement.h"
#include "plugin/store/record_codec.h"

namespace unitclock::store {
namespace {

using sqlite::Statement;
using sqlite_backend::Connection;
using sqlite_backend::kOwner;

std::int64_t ToMillis(core::TimePoint t) { return t.time_since_epoch().count(); }

// Binds `blob`, or NULL when it is empty (no lines before or after).
void BindOptionalBlob(Statement& st, int i, const std::string& blob) {
  if (blob.empty()) {
    st.BindNull(i);
  } else {
    st.BindBlob(i, blob);
  }
}

// ABORTED unless the last record of `r`'s suggestion is `last_record_id`
// (0: it has none). Inside the writer's transaction, which holds the write
// lock: no other record can come between the check and the insert.
absl::Status CheckLast(Connection& c, const core::ReviewRecord& r, std::int64_t last_record_id) {
  Statement q(c.cache(),
              "SELECT COALESCE(MAX(record_id), 0) FROM audit_records "
              "WHERE suggestion_id = ? AND platform = ?");
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, r.suggestion_id);
  q.Bind(2, r.platform);
  if (q.Step() != SQLITE_ROW) return q.Error("read last audit record");
  if (q.Int(0) != last_record_id) {
    return absl::AbortedError("suggestion " + r.suggestion_id +
                              ": reviewed or exported by someone else since it was read; read it "
                              "again");
  }
  return absl::OkStatus();
}

// Inserts one audit record; returns its record_id.
absl::StatusOr<std::int64_t> InsertAudit(Connection& c, const core::ReviewRecord& r) {
  Statement insert(c.cache(),
                   "INSERT INTO audit_records (recorded_at_ms, actor, platform, action, "
                   "suggestion_id, patient_ref, date_of_service, fingerprint, reason, "
                   "override_reason, \"before\", \"after\", batch_id) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.Error("prepare");
  insert.Bind(1, ToMillis(r.recorded_at));
  insert.Bind(2, r.actor);
  insert.Bind(3, r.platform);
  insert.Bind(4, core::ReviewActionName(r.action));
  insert.Bind(5, r.suggestion_id);
  insert.Bind(6, r.patient_ref);
  insert.Bind(7, core::FormatDay(r.date_of_service));
  insert.Bind(8, r.fingerprint);
  insert.Bind(9, r.reason);
  insert.Bind(10, r.override_reason);
  BindOptionalBlob(insert, 11, EncodeApprovedLines(r.before));
  BindOptionalBlob(insert, 12, EncodeApprovedLines(r.after));
  insert.Bind(13, r.batch_id);
  if (insert.Step() != SQLITE_DONE) return insert.Error("insert audit record");
  return sqlite3_last_insert_rowid(c.db());
}

constexpr const char* kAuditColumns =
    "record_id, recorded_at_ms, actor, platform, action, suggestion_id, patient_ref, "
    "date_of_service, fingerprint, reason, override_reason, \"before\", \"after\", batch_id";

// Reads the rows of a statement selecting kAuditColumns. DATA_LOSS for a row
// that is not a record this ledger writes.
absl::StatusOr<std::vector<core::ReviewRecord>> ReadAudit(Statement& q) {
  std::vector<core::ReviewRecord> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    core::ReviewRecord r;
    r.record_id = q.Int(0);
    r.recorded_at = core::TimePoint(core::Duration(q.Int(1)));
    r.actor = q.Text(2);
    r.platform = q.Text(3);
    const std::optional<core::ReviewAction> action = core::ReviewActionFromName(q.Text(4));
    if (!action) return absl::DataLossError("review ledger: a record has an unknown action");
    r.action = *action;
    r.suggestion_id = q.Text(5);
    r.patient_ref = q.Text(6);
    const std::optional<core::Day> day = core::ParseDay(q.Text(7));
    if (!day) return absl::DataLossError("review ledger: a record has a bad date of service");
    r.date_of_service = *day;
    r.fingerprint = q.Text(8);
    r.reason = q.Text(9);
    r.override_reason = q.Text(10);
    absl::StatusOr<std::vector<core::ApprovedLine>> before = DecodeApprovedLines(q.Blob(11));
    if (!before.ok()) return before.status();
    absl::StatusOr<std::vector<core::ApprovedLine>> after = DecodeApprovedLines(q.Blob(12));
    if (!after.ok()) return after.status();
    r.before = *std::move(before);
    r.after = *std::move(after);
    r.batch_id = q.Text(13);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return q.Error("list audit records");
  return out;
}

// Inserts the row of an export batch inside an open transaction.
absl::Status InsertBatch(Connection& c, const ExportBatch& b) {
  Statement insert(c.cache(),
                   "INSERT INTO export_batches (batch_id, created_at_ms, actor, platform, format, "
                   "range_start, range_end, claim_count, line_count) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.Error("prepare");
  insert.Bind(1, b.batch_id);
  insert.Bind(2, ToMillis(b.created_at));
  insert.Bind(3, b.actor);
  insert.Bind(4, b.platform);
  insert.Bind(5, ExportFormatName(b.format));
  insert.Bind(6, core::FormatDay(b.range_start));
  insert.Bind(7, core::FormatDay(b.range_end));
  insert.Bind(8, std::int64_t{b.claim_count});
  insert.Bind(9, std::int64_t{b.line_count});
  const int rc = insert.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return absl::AlreadyExistsError("batch.batch_id: an export batch with this id (\"" +
                                    b.batch_id + "\") was already recorded");
  }
  if (rc != SQLITE_DONE) return insert.Error("insert export batch");
  return absl::OkStatus();
}

// Runs `body` in one write transaction (BEGIN IMMEDIATE takes the write lock
// at once, so that its checks see what its inserts will follow); rolls back
// on error.
template <typename T, typename Body>
absl::StatusOr<T> InWriteTransaction(Connection& c, Body body) {
  if (absl::Status st = c.Exec("BEGIN IMMEDIATE"); !st.ok()) return st;
  absl::StatusOr<T> result = body();
  if (result.ok()) {
    if (absl::Status st = c.Exec("COMMIT"); !st.ok()) result = st;
  }
  if (!result.ok()) (void)c.Exec("ROLLBACK");
  return result;
}

}  // namespace

SqliteReviewLedger::SqliteReviewLedger(std::unique_ptr<Connection> writer,
                                       std::unique_ptr<sqlite_backend::ReadPool> reads)
    : writer_(std::move(writer)), reads_(std::move(reads)) {}

absl::StatusOr<std::int64_t> SqliteReviewLedger::AppendDecision(const RecordAfter& entry) {
  if (entry.record.action == core::ReviewAction::kExport) {
    return absl::InvalidArgumentError("action: exports are recorded with their batch");
  }
  absl::MutexLock lock(&write_mu_);
  Connection& c = *writer_;
  return InWriteTransaction<std::int64_t>(c, [&]() -> absl::StatusOr<std::int64_t> {
    if (absl::Status st = CheckLast(c, entry.record, entry.last_record_id); !st.ok()) return st;
    return InsertAudit(c, entry.record);
  });
}

absl::StatusOr<std::vector<core::ReviewRecord>> SqliteReviewLedger::ListAudit(
    const std::string& platform, const std::string& suggestion_id) {
  const sqlite_backend::ReadPool::Lease db = reads_->Acquire();
  Statement q(db->db(), kOwner,
              (std::string("SELECT ") + kAuditColumns +
               " FROM audit_records WHERE suggestion_id = ? AND platform = ? ORDER BY record_id")
                  .c_str());
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, suggestion_id);
  q.Bind(2, platform);
  return ReadAudit(q);
}

absl::StatusOr<std::vector<core::ReviewRecord>> SqliteReviewLedger::ListAuditForPatientDay(
    const std::string& platform, const std::string& patient_ref, core::Day date_of_service) {
  const sqlite_backend::ReadPool::Lease db = reads_->Acquire();
  Statement q(db->db(), kOwner,
              (std::string("SELECT ") + kAuditColumns +
               " FROM audit_records WHERE platform = ? AND patient_ref = ? "
               "AND date_of_service = ? ORDER BY record_id")
                  .c_str());
  if (!q.ok()) return q.Error("prepare");
  q.Bind(1, platform);
  q.Bind(2, patient_ref);
  q.Bind(3, core::FormatDay(date_of_service));
  return ReadAudit(q);
}

absl::StatusOr<std::int64_t> SqliteReviewLedger::RecordExport(
    const ExportBatch& batch, std::span<const RecordAfter> exports) {
  absl::MutexLock lock(&write_mu_);
  Connection& c = *writer_;
  return InWriteTransaction<std::int64_t>(c, [&]() -> absl::StatusOr<std::int64_t> {
    if (absl::Status st = InsertBatch(c, batch); !st.ok()) return st;
    std::int64_t written = 0;
    for (const RecordAfter& e : exports) {
      if (absl::Status st = CheckLast(c, e.record, e.last_record_id); !st.ok()) return st;
      core::ReviewRecord r = e.record;
      r.action = core::ReviewAction::kExport;
      r.batch_id = batch.batch_id;
      absl::StatusOr<std::int64_t> id = InsertAudit(c, r);
      if (!id.ok()) return id.status();
      ++written;
    }
    return written;
  });
}

}  // namespace unitclock::store

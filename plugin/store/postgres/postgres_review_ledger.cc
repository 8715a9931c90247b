#include "plugin/store/postgres/postgres_review_ledger.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "plugin/store/record_codec.h"

namespace unitclock::store::postgres {
namespace {

constexpr Sql kLockSuggestion{"ledger_lock_suggestion", "SELECT pg_advisory_xact_lock($1::bigint)"};

// In the order given (sorted by the caller): two exports sharing suggestions
// take their locks in one order.
constexpr Sql kLockSuggestions{"ledger_lock_suggestions",
                               "SELECT pg_advisory_xact_lock(t.k) "
                               "FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, n) ORDER BY t.n"};

// Appends a decision if the suggestion's history still ends at $14 (0: it
// has none). Run once the suggestion's lock is held: the statement's
// snapshot, taken after, sees every record committed before.
constexpr Sql kAppendDecision{
    "ledger_append_decision",
    "INSERT INTO audit_records (recorded_at_ms, actor, platform, action, suggestion_id, "
    "patient_ref, date_of_service, fingerprint, reason, override_reason, \"before\", \"after\", "
    "batch_id) "
    "SELECT $1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, $7::date, $8::text, "
    "$9::text, $10::text, $11::bytea, $12::bytea, $13::text "
    "WHERE COALESCE((SELECT max(record_id) FROM audit_records "
    "WHERE platform = $3::text AND suggestion_id = $5::text), 0) = $14::bigint "
    "RETURNING record_id"};

constexpr Sql kInsertBatch{
    "ledger_insert_batch",
    "INSERT INTO export_batches (batch_id, created_at_ms, actor, platform, format, range_start, "
    "range_end, claim_count, line_count) "
    "VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8, $9) "
    "ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id"};

// The first exported suggestion (1-based) whose history no longer ends
// where the caller read it.
constexpr Sql kCheckHistories{
    "ledger_check_histories",
    "SELECT t.n FROM unnest($1::text[], $2::text[], $3::bigint[]) "
    "WITH ORDINALITY AS t(platform, suggestion_id, last_record_id, n) "
    "WHERE COALESCE((SELECT max(a.record_id) FROM audit_records a "
    "WHERE a.platform = t.platform AND a.suggestion_id = t.suggestion_id), 0) "
    "<> t.last_record_id ORDER BY t.n LIMIT 1"};

// In the order given, so that record ids follow it.
constexpr Sql kInsertExports{
    "ledger_insert_exports",
    "INSERT INTO audit_records (recorded_at_ms, actor, platform, action, suggestion_id, "
    "patient_ref, date_of_service, fingerprint, reason, override_reason, \"before\", \"after\", "
    "batch_id) "
    "SELECT t.at, t.actor, t.platform, 'export', t.suggestion_id, t.patient_ref, t.day::date, "
    "t.fingerprint, t.reason, t.override_reason, t.\"before\", t.\"after\", $12::text "
    "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::text[], $9::text[], $10::bytea[], $11::bytea[]) "
    "WITH ORDINALITY AS t(at, actor, platform, suggestion_id, patient_ref, day, fingerprint, "
    "reason, override_reason, \"before\", \"after\", n) "
    "ORDER BY t.n RETURNING record_id"};

#define UNITCLOCK_AUDIT_COLUMNS                                                             \
  "SELECT record_id, recorded_at_ms, actor, platform, action, suggestion_id, patient_ref, " \
  "to_char(date_of_service, 'YYYY-MM-DD'), fingerprint, reason, override_reason, "          \
  "\"before\", \"after\", batch_id FROM audit_records "

constexpr Sql kListAudit{"ledger_list_audit", UNITCLOCK_AUDIT_COLUMNS
                         "WHERE platform = $1 AND suggestion_id = $2 ORDER BY record_id"};

constexpr Sql kListAuditForPatientDay{
    "ledger_list_audit_for_patient_day", UNITCLOCK_AUDIT_COLUMNS
    "WHERE platform = $1 AND patient_ref = $2 AND date_of_service = $3::date "
    "ORDER BY record_id"};

#undef UNITCLOCK_AUDIT_COLUMNS

std::int64_t ToMillis(core::TimePoint t) { return t.time_since_epoch().count(); }

// INVALID_ARGUMENT naming the first text field of `r` that PostgreSQL
// cannot store.
absl::Status CheckStorable(const core::ReviewRecord& r, const std::string& field) {
  const std::pair<const char*, const std::string*> texts[] = {
      {"actor", &r.actor},
      {"platform", &r.platform},
      {"suggestion_id", &r.suggestion_id},
      {"patient_ref", &r.patient_ref},
      {"fingerprint", &r.fingerprint},
      {"reason", &r.reason},
      {"override_reason", &r.override_reason},
      {"batch_id", &r.batch_id}};
  for (const auto& [name, text] : texts) {
    if (!Storable(*text)) {
      return absl::InvalidArgumentError(field + "." + name +
                                        ": holds a NUL byte or is not valid UTF-8");
    }
  }
  return absl::OkStatus();
}

// The ledger reads what it wrote; a row it cannot read was written by
// something else (or damaged).
absl::Status Damaged(std::int64_t record_id, const std::string& what) {
  return absl::DataLossError("postgres store: audit record " + std::to_string(record_id) + ": " +
                             what);
}

absl::StatusOr<std::vector<core::ReviewRecord>> ReadRecords(const Result& r) {
  std::vector<core::ReviewRecord> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    core::ReviewRecord rec;
    rec.record_id = r.Int(i, 0);
    rec.recorded_at = core::TimePoint(core::Duration(r.Int(i, 1)));
    rec.actor = std::string(r.Text(i, 2));
    rec.platform = std::string(r.Text(i, 3));
    const std::optional<core::ReviewAction> action = core::ReviewActionFromName(r.Text(i, 4));
    if (!action) return Damaged(rec.record_id, "unknown action");
    rec.action = *action;
    rec.suggestion_id = std::string(r.Text(i, 5));
    rec.patient_ref = std::string(r.Text(i, 6));
    const std::optional<core::Day> day = core::ParseDay(r.Text(i, 7));
    if (!day) return Damaged(rec.record_id, "bad date of service");
    rec.date_of_service = *day;
    rec.fingerprint = std::string(r.Text(i, 8));
    rec.reason = std::string(r.Text(i, 9));
    rec.override_reason = std::string(r.Text(i, 10));
    for (auto [column, lines] : {std::pair{11, &rec.before}, std::pair{12, &rec.after}}) {
      if (r.IsNull(i, column)) continue;
      absl::StatusOr<std::vector<core::ApprovedLine>> decoded =
          DecodeApprovedLines(r.Bytea(i, column));
      if (!decoded.ok()) return Damaged(rec.record_id, "stored lines cannot be decoded");
      *lines = *std::move(decoded);
    }
    rec.batch_id = std::string(r.Text(i, 13));
    out.push_back(std::move(rec));
  }
  return out;
}

// Binds lines as bytea, NULL for none (as the SQLite ledger stores them).
void BindLines(Params& params, const std::vector<core::ApprovedLine>& lines) {
  if (lines.empty()) {
    params.Null();
  } else {
    params.Bytea(EncodeApprovedLines(lines));
  }
}

void AddLines(ArrayLiteral& array, const std::vector<core::ApprovedLine>& lines) {
  if (lines.empty()) {
    array.Null();
  } else {
    array.Bytea(EncodeApprovedLines(lines));
  }
}

absl::Status HistoryMoved(const RecordAfter& entry) {
  return absl::AbortedError("suggestion " + entry.record.suggestion_id +
                            ": its history no longer ends at record " +
                            std::to_string(entry.last_record_id) +
                            " (another review or export came first); read it again");
}

// Runs `body` in a transaction on a connection of `pool` and commits it.
// Tried again on a deadlock or a serialization failure, and once on a
// connection found dead before the commit (nothing was committed then);
// `body`'s own errors (ABORTED, ALREADY_EXISTS) roll back and return.
template <typename T, typename Body>
absl::StatusOr<T> InTransaction(ConnectionPool& pool, int max_attempts, Body body) {
  std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    ConnectionPool::Lease c = pool.Acquire();
    absl::StatusOr<T> out = [&]() -> absl::StatusOr<T> {
      if (absl::Status st = c->Exec("begin", "BEGIN"); !st.ok()) return st;
      absl::StatusOr<T> result = body(*c);
      if (!result.ok()) return result;
      if (absl::Status st = c->Commit(); !st.ok()) return st;
      return result;
    }();
    if (out.ok()) return out;
    c->Rollback();
    const absl::Status& st = out.status();
    const bool again =
        attempt < max_attempts && (Retryable(st) || (ConnectionLost(st) && attempt == 1));
    if (!again) return out;
    if (!ConnectionLost(st)) {
      absl::SleepFor(
          absl::Milliseconds(std::uniform_int_distribution<int>(1, 5 * attempt)(jitter)));
    }
  }
}

}  // namespace

PostgresReviewLedger::PostgresReviewLedger(std::shared_ptr<Database> db)
    : db_(std::move(db)), pool_(db_, kConnections) {}

absl::StatusOr<std::int64_t> PostgresReviewLedger::AppendDecision(const RecordAfter& entry) {
  const core::ReviewRecord& r = entry.record;
  if (r.action == core::ReviewAction::kExport) {
    return absl::InvalidArgumentError(
        "record.action: export records are written by RecordExport, with their batch");
  }
  if (absl::Status st = CheckStorable(r, "record"); !st.ok()) return st;
  Params params;
  params.Int(ToMillis(r.recorded_at))
      .Text(r.actor)
      .Text(r.platform)
      .Text(core::ReviewActionName(r.action))
      .Text(r.suggestion_id)
      .Text(r.patient_ref)
      .Text(core::FormatDay(r.date_of_service))
      .Text(r.fingerprint)
      .Text(r.reason)
      .Text(r.override_reason);
  BindLines(params, r.before);
  BindLines(params, r.after);
  params.Text(r.batch_id).Int(entry.last_record_id);
  const std::int64_t key = LockKey({r.platform, r.suggestion_id});

  return InTransaction<std::int64_t>(
      pool_, kMaxAttempts, [&](Connection& c) -> absl::StatusOr<std::int64_t> {
        if (absl::StatusOr<Result> locked = c.Run(kLockSuggestion, Params().Int(key));
            !locked.ok()) {
          return locked.status();
        }
        absl::StatusOr<Result> inserted = c.Run(kAppendDecision, params);
        if (!inserted.ok()) return inserted.status();
        if (inserted->rows() == 0) return HistoryMoved(entry);
        return inserted->Int(0, 0);
      });
}

absl::StatusOr<std::vector<core::ReviewRecord>> PostgresReviewLedger::ListAudit(
    const std::string& platform, const std::string& suggestion_id) {
  if (!Storable(platform) || !Storable(suggestion_id)) return std::vector<core::ReviewRecord>();
  return WithReader<std::vector<core::ReviewRecord>>(
      pool_, [&](Connection& c) -> absl::StatusOr<std::vector<core::ReviewRecord>> {
        absl::StatusOr<Result> r = c.Run(kListAudit, Params().Text(platform).Text(suggestion_id));
        if (!r.ok()) return r.status();
        return ReadRecords(*r);
      });
}

absl::StatusOr<std::vector<core::ReviewRecord>> PostgresReviewLedger::ListAuditForPatientDay(
    const std::string& platform, const std::string& patient_ref, core::Day date_of_service) {
  if (!Storable(platform) || !Storable(patient_ref)) return std::vector<core::ReviewRecord>();
  return WithReader<std::vector<core::ReviewRecord>>(
      pool_, [&](Connection& c) -> absl::StatusOr<std::vector<core::ReviewRecord>> {
        absl::StatusOr<Result> r =
            c.Run(kListAuditForPatientDay,
                  Params().Text(platform).Text(patient_ref).Text(core::FormatDay(date_of_service)));
        if (!r.ok()) return r.status();
        return ReadRecords(*r);
      });
}

absl::StatusOr<std::int64_t> PostgresReviewLedger::RecordExport(
    const ExportBatch& batch, std::span<const RecordAfter> exports) {
  for (const auto& [name, text] :
       {std::pair{"batch.batch_id", &batch.batch_id}, std::pair{"batch.actor", &batch.actor},
        std::pair{"batch.platform", &batch.platform}}) {
    if (!Storable(*text)) {
      return absl::InvalidArgumentError(std::string(name) +
                                        ": holds a NUL byte or is not valid UTF-8");
    }
  }
  std::vector<std::int64_t> keys;
  ArrayLiteral at, actor, platform, suggestion, patient, day, fingerprint, reason, override_reason,
      before, after, last;
  ArrayLiteral check_platform, check_suggestion;
  for (std::size_t i = 0; i < exports.size(); ++i) {
    const core::ReviewRecord& r = exports[i].record;
    if (absl::Status st = CheckStorable(r, "exports[" + std::to_string(i) + "]"); !st.ok()) {
      return st;
    }
    keys.push_back(LockKey({r.platform, r.suggestion_id}));
    at.Int(ToMillis(r.recorded_at));
    actor.Text(r.actor);
    platform.Text(r.platform);
    suggestion.Text(r.suggestion_id);
    patient.Text(r.patient_ref);
    day.Text(core::FormatDay(r.date_of_service));
    fingerprint.Text(r.fingerprint);
    reason.Text(r.reason);
    override_reason.Text(r.override_reason);
    AddLines(before, r.before);
    AddLines(after, r.after);
    check_platform.Text(r.platform);
    check_suggestion.Text(r.suggestion_id);
    last.Int(exports[i].last_record_id);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  ArrayLiteral key_array;
  for (std::int64_t k : keys) key_array.Int(k);

  const Params lock_params = Params().Text(key_array.Take());
  const Params batch_params = Params()
                                  .Text(batch.batch_id)
                                  .Int(ToMillis(batch.created_at))
                                  .Text(batch.actor)
                                  .Text(batch.platform)
                                  .Text(ExportFormatName(batch.format))
                                  .Text(core::FormatDay(batch.range_start))
                                  .Text(core::FormatDay(batch.range_end))
                                  .Int(batch.claim_count)
                                  .Int(batch.line_count);
  const Params check_params =
      Params().Text(check_platform.Take()).Text(check_suggestion.Take()).Text(last.Take());
  const Params insert_params = Params()
                                   .Text(at.Take())
                                   .Text(actor.Take())
                                   .Text(platform.Take())
                                   .Text(suggestion.Take())
                                   .Text(patient.Take())
                                   .Text(day.Take())
                                   .Text(fingerprint.Take())
                                   .Text(reason.Take())
                                   .Text(override_reason.Take())
                                   .Text(before.Take())
                                   .Text(after.Take())
                                   .Text(batch.batch_id);

  return InTransaction<std::int64_t>(
      pool_, kMaxAttempts, [&](Connection& c) -> absl::StatusOr<std::int64_t> {
        if (!keys.empty()) {
          if (absl::StatusOr<Result> locked = c.Run(kLockSuggestions, lock_params); !locked.ok()) {
            return locked.status();
          }
        }
        absl::StatusOr<Result> inserted = c.Run(kInsertBatch, batch_params);
        if (!inserted.ok()) return inserted.status();
        if (inserted->rows() == 0) {
          return absl::AlreadyExistsError("batch.batch_id: an export batch with this id (\"" +
                                          batch.batch_id + "\") was already recorded");
        }
        if (exports.empty()) return std::int64_t{0};
        absl::StatusOr<Result> moved = c.Run(kCheckHistories, check_params);
        if (!moved.ok()) return moved.status();
        if (moved->rows() > 0) return HistoryMoved(exports[moved->Int(0, 0) - 1]);
        absl::StatusOr<Result> records = c.Run(kInsertExports, insert_params);
        if (!records.ok()) return records.status();
        return std::int64_t{records->rows()};
      });
}

}  // namespace unitclock::store::postgres

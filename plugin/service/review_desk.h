#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/export/claim.h"
#include "core/policy.h"
#include "core/review.h"
#include "plugin/service/coding_context.h"
#include "plugin/store/sqlite_event_store.h"
#include "unitclock/v1/review.pb.h"

namespace unitclock::service {

// The review workflow: suggestions with their review state, review actions
// that leave audit records, and exports of approved lines. It asks the core
// what a history means (core/review.h) and what the lines are
// (core/coding.h); the store keeps the audit trail. The gRPC handlers in
// review_service.cc only convert.
//
// Thread-safe: state lives in the store, which serialises access. Two
// reviewers acting at once on one suggestion are told apart by etags.
class ReviewDesk {
 public:
  // `store`, `policies` and `billing` must outlive the desk.
  ReviewDesk(store::SqliteEventStore& store, const core::PolicySet& policies,
             const core::exports::BillingConfig& billing)
      : store_(store),
        policies_(policies),
        billing_(billing),
        charges_context_(ChargesContext(billing)) {}

  // The suggestions of `platform` with dates of service in [first, last]
  // (optionally only those where `provider_ref` has a session; each is coded
  // over the whole patient-day all the same), with their states, in order of date, patient,
  // payer, discipline. INVALID_ARGUMENT for a range over 31 days.
  absl::StatusOr<std::vector<v1::ReviewedSuggestion>> List(const std::string& platform,
                                                           const std::string& provider_ref,
                                                           core::Day first, core::Day last);

  // One suggestion, recomputed from the events now. NOT_FOUND if unknown or
  // of another platform (its existence is not revealed).
  absl::StatusOr<v1::ReviewedSuggestion> Get(const std::string& platform,
                                             const std::string& suggestion_id);

  // Applies a review action at `now` and appends its audit record. Errors:
  // INVALID_ARGUMENT naming the field, NOT_FOUND, ABORTED when the etag is
  // not the current one, FAILED_PRECONDITION when the state refuses.
  absl::StatusOr<v1::ReviewedSuggestion> Review(const v1::ReviewSuggestionRequest& request,
                                                core::TimePoint now);

  // The audit records of one patient-day, oldest first.
  absl::StatusOr<std::vector<v1::AuditRecord>> Audit(const std::string& platform,
                                                     const std::string& patient_ref, core::Day day);

  // An export ready to stream: the file, and what committing it records.
  struct ExportPlan {
    std::string data;
    store::ExportBatch batch;
    std::vector<store::AuditRecord> records;  // one per exported suggestion
    int line_count = 0;
    // Approved claims left out of the file, each with the reason.
    std::vector<v1::SkippedClaim> skipped;
  };

  // Builds the export of the approved lines of `platform` in [first, last].
  // With nothing to export, the plan has no data, no records and no batch id.
  absl::StatusOr<ExportPlan> PrepareExport(const v1::ExportClaimsRequest& request,
                                           core::TimePoint now);

  // Records a streamed export as a batch with its audit records, atomically,
  // and returns the batch id (the plan's, or a variant of it if two exports
  // were prepared in the same millisecond). A plan with nothing to export
  // records nothing and returns an empty id.
  absl::StatusOr<std::string> CommitExport(const ExportPlan& plan);

 private:
  struct Item;
  absl::StatusOr<std::vector<Item>> Collect(const std::string& platform,
                                            const std::string& provider_ref, core::Day first,
                                            core::Day last, const std::string& only_id);
  absl::StatusOr<v1::ReviewedSuggestion> ToProto(const Item& item);

  store::SqliteEventStore& store_;
  const core::PolicySet& policies_;
  const core::exports::BillingConfig& billing_;
  // The charges, for KX; the year-to-date amounts come from the sessions.
  const core::CodingContext charges_context_;
};

// The stable id of a suggestion: a hash of its platform, patient, date of
// service, payer and discipline.
std::string SuggestionId(const std::string& platform, const core::Suggestion& suggestion);

// The etag of a suggestion's numbers: lines (code, units, modifiers, place
// of service, minutes, blocking) and warning codes. Changes when late events
// change what would be billed.
std::string SuggestionEtag(const core::Suggestion& suggestion);

}  // namespace unitclock::service

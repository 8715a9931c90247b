#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/export/claim.h"
#include "core/policy.h"
#include "core/review.h"
#include "plugin/store/event_log.h"
#include "plugin/store/review_ledger.h"

namespace unitclock::metrics {
class ServerMetrics;
}

namespace unitclock::service {

// The review workflow: suggestions with their review state, review actions
// that leave audit records, and exports of approved lines. It takes and
// returns core values: the rules are the core's (core/review.h: states,
// checks of a review, approved lines; core/coding.h: the lines), the audit
// trail is the review ledger's, and each face (gRPC in review_service.cc, HTTP)
// only converts.
//
// Each call codes the sessions it needs once, and only those: a suggestion's
// id names its patient-day (core::SuggestionId), so that one suggestion is
// coded from its patient's sessions alone. Read calls (List, Get, Audit,
// PrepareExport) never write.
//
// Thread-safe: state lives in the store. Two reviewers (or billers) acting
// at once on one suggestion, on one instance or on two, cannot both succeed:
// the ledger appends a record only if the suggestion's history is still the
// one the desk read (store::RecordAfter), and the second gets ABORTED.
class ReviewDesk {
 public:
  // `events`, `ledger`, `policies` and `billing` must outlive the desk, and
  // `metrics` (nullptr: none), which counts review actions and exports.
  ReviewDesk(store::EventLog& events, store::ReviewLedger& ledger, const core::PolicySet& policies,
             const core::exports::BillingConfig& billing,
             metrics::ServerMetrics* metrics = nullptr);

  // The suggestions of `platform` with dates of service in [first, last]
  // (optionally only those where `provider_ref` has a session or bills the
  // monitoring episode; each is coded over the whole patient-day or month all
  // the same), with their states, in order of date, patient, payer,
  // discipline, then visit before month before device period. Remote
  // monitoring suggestions are dated by their period's last day; those of
  // periods still open at `now` only with `include_provisional`.
  // INVALID_ARGUMENT for a range that is reversed or over 31 days.
  absl::StatusOr<std::vector<core::ReviewedSuggestion>> List(const std::string& platform,
                                                             const std::string& provider_ref,
                                                             core::Day first, core::Day last,
                                                             core::TimePoint now,
                                                             bool include_provisional = false);

  // One suggestion, recomputed from the events as of `now`. NOT_FOUND if its
  // patient-day (or month, or device period) has neither a suggestion nor a
  // review on `platform` (another platform's is not revealed). A reviewed
  // suggestion whose billable time late events took away is returned empty,
  // for review.
  absl::StatusOr<core::ReviewedSuggestion> Get(const std::string& platform,
                                               const core::SuggestionKey& key, core::TimePoint now);

  // Applies a review action at `now` and appends its audit record; returns
  // the suggestion after it. Errors: INVALID_ARGUMENT naming the field,
  // NOT_FOUND, ABORTED when the etag is not the current one,
  // FAILED_PRECONDITION when the state refuses (core::DecideReview).
  absl::StatusOr<core::ReviewedSuggestion> Review(const core::ReviewCommand& command,
                                                  core::TimePoint now);

  // The audit records of one patient-day, oldest first.
  absl::StatusOr<std::vector<core::ReviewRecord>> Audit(const std::string& platform,
                                                        const std::string& patient_ref,
                                                        core::Day day);

  // An approved claim left out of an export, with the reason.
  struct SkippedClaim {
    std::string suggestion_id;
    std::string reason;
  };

  // An export ready to stream: the file, and what committing it records.
  struct ExportPlan {
    std::string data;
    store::ExportBatch batch;
    // One export record per exported suggestion, with the history it was
    // prepared on.
    std::vector<store::RecordAfter> records;
    int line_count = 0;
    std::vector<SkippedClaim> skipped;
  };

  // Builds the export of the approved lines the request names. With nothing
  // to export, the plan has no data, no records and no batch id. Approved
  // monitoring lines of a period still open at `now` are left out as
  // skipped: they bill once the period closes and they are approved again.
  // INVALID_ARGUMENT naming the field for a bad request.
  absl::StatusOr<ExportPlan> PrepareExport(const core::exports::ExportRequest& request,
                                           core::TimePoint now);

  // Records a streamed export as a batch with its audit records, atomically,
  // and returns the batch id (the plan's, or a variant of it if two exports
  // were prepared in the same millisecond). A plan with nothing to export
  // records nothing and returns an empty id. ABORTED, and nothing recorded,
  // if another export or a review of one of its suggestions came first (on
  // any instance): the streamed file must then be discarded, and no line is
  // ever in two exports.
  absl::StatusOr<std::string> CommitExport(const ExportPlan& plan);

 private:
  // A suggestion with its history, as the calls work on it.
  struct Item {
    core::ReviewedSuggestion view;
    std::vector<core::ReviewRecord> history;  // oldest first
  };

  // Which suggestions Collect returns.
  struct Scope {
    std::string platform;
    std::string patient_ref;   // only this patient's, if not empty
    std::string provider_ref;  // only where this therapist has a session or bills, if not empty
    core::Day first{};
    core::Day last{};
    core::TimePoint now{};             // which monitoring periods have closed
    bool include_provisional = false;  // also monitoring periods still open
    // What to code: visit days, monitoring periods, or both.
    bool visits = true;
    bool monitoring = true;
  };
  // Codes the sessions and monitoring episodes the scope needs once, and
  // returns the suggestions dated in the range, each with its history, in
  // List's order.
  absl::StatusOr<std::vector<Item>> Collect(const Scope& scope);
  // The suggestion `key` names, coded once (see Get).
  absl::StatusOr<Item> Find(const std::string& platform, const core::SuggestionKey& key,
                            core::TimePoint now);
  // Fills `item.view` from `suggestion` and `item.history`.
  static void Describe(core::Suggestion suggestion, Item& item);

  store::EventLog& events_;
  store::ReviewLedger& ledger_;
  const core::PolicySet& policies_;
  const core::exports::BillingConfig& billing_;
  // The charges, for KX; the year-to-date amounts come from the sessions.
  const core::CodingContext charges_context_;
  metrics::ServerMetrics* const metrics_;
};

}  // namespace unitclock::service

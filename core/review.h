#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/time.h"

// Therapist review of suggestions: the states a suggestion goes through and
// which actions each allows. Pure rules; the store keeps the history and the
// service asks these functions what the history means.
namespace unitclock::core {

// What a reviewer (or the export) did to a suggestion.
enum class ReviewAction {
  kApprove,  // accept the suggested lines as they are
  kAmend,    // accept with changed lines (units, code, modifiers); reason required
  kReject,   // do not bill; reason required
  kExport,   // the approved lines were exported in a batch
};

// Where a suggestion stands.
enum class ReviewState {
  kPending,        // never reviewed
  kApproved,       // approved as suggested
  kAmended,        // approved with changes
  kRejected,       // rejected
  kNeedsReReview,  // the suggestion changed (late events) after the last decision
  kExported,       // approved lines exported; changes after that need re-review
};

// One entry of a suggestion's history, in the order it happened.
struct ReviewRecord {
  ReviewAction action = ReviewAction::kApprove;
  // The suggestion's fingerprint when the action was taken (its content as
  // the reviewer saw it).
  std::string fingerprint;
  friend bool operator==(const ReviewRecord&, const ReviewRecord&) = default;
};

// The state of a suggestion whose current content has `fingerprint`, given
// its history (oldest first). A decision taken on other content than the
// current one means the numbers changed since: kNeedsReReview. Pure.
ReviewState CurrentReviewState(const std::vector<ReviewRecord>& history,
                               const std::string& fingerprint);

// What a reviewer asks for.
struct ReviewRequest {
  ReviewAction action = ReviewAction::kApprove;  // approve, amend or reject
  std::string reason;                            // required for amend and reject
  std::string override_reason;  // required to approve or amend over a blocking warning
  bool has_blocking = false;    // the lines to approve include a blocking one
};

// Checks that `request` is allowed in `state`. Returns OK, INVALID_ARGUMENT
// naming the missing field ("reason: required to amend"), or
// FAILED_PRECONDITION naming the state ("suggestion is already approved; amend
// or reject it instead"). Pure.
absl::Status CheckReview(ReviewState state, const ReviewRequest& request);

// Whether lines in `state` may be exported (approved or amended, not yet
// exported; exported again only when asked explicitly).
bool IsExportable(ReviewState state, bool include_exported);

// Stable lower_snake names, as the API and the audit trail spell them.
const char* ReviewActionName(ReviewAction action);
const char* ReviewStateName(ReviewState state);

}  // namespace unitclock::core

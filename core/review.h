#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/day.h"
#include "core/policy.h"
#include "core/time.h"

// Therapist review of suggestions: the states a suggestion goes through,
// which actions each allows, what a review approves, and how a suggestion is
// named. Pure rules; the store keeps the history and the service asks these
// functions what the history means.
namespace unitclock::core {

// What a suggestion is the suggestion of: one patient, date of service,
// payer and discipline of a platform (the platform is the caller's).
struct SuggestionKey {
  std::string patient_ref;
  Day date_of_service{};
  std::string payer_id;
  Discipline discipline = Discipline::kUnspecified;
  // kNone for a visit's date of service; a remote monitoring month or device
  // period is dated by its last day.
  MonitoringPeriodKind period = MonitoringPeriodKind::kNone;
  friend bool operator==(const SuggestionKey&, const SuggestionKey&) = default;
};

SuggestionKey KeyOf(const Suggestion& suggestion);

// A suggestion's id names its key, so that it can be found from the id alone
// without any table: "<date>.<discipline>.<payer>.<patient>", e.g.
// "2026-11-27.pt.bWVkaWNhcmU.cHQtNGY5YzJh", the payer and patient in
// unpadded base64url (references may hold any printable character). A
// monitoring key marks its discipline "-rtm" (calendar month) or "-rtmd"
// (device period): "2026-11-30.pt-rtm.bWVkaWNhcmU.cHQtNGY5YzJh". Within
// a platform, one key has one id and one id one key. Letters, digits and
// - _ . only; at most kMaxSuggestionIdLength characters.
std::string SuggestionId(const SuggestionKey& key);
inline constexpr std::size_t kMaxSuggestionIdLength = 300;

// The key an id names; nullopt if `id` is not one SuggestionId writes.
std::optional<SuggestionKey> ParseSuggestionId(std::string_view id);

// One line as a reviewer approved it (or amended it to).
struct ApprovedLine {
  std::string code;
  int units = 0;
  std::vector<std::string> modifiers;
  std::string place_of_service;
  int minutes = 0;
  friend bool operator==(const ApprovedLine&, const ApprovedLine&) = default;
};

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

// One entry of a suggestion's history (its audit record), in the order it
// happened.
struct ReviewRecord {
  ReviewAction action = ReviewAction::kApprove;
  // The suggestion's fingerprint (etag) when the action was taken: its
  // content as the reviewer saw it.
  std::string fingerprint;
  std::int64_t record_id = 0;  // set by the store; increases with every record
  TimePoint recorded_at{};
  std::string actor;  // who acted: the reviewer, or the exporting user
  std::string platform;
  std::string suggestion_id;
  std::string patient_ref;
  Day date_of_service{};
  std::string reason;                // empty if none
  std::string override_reason;       // empty if none
  std::vector<ApprovedLine> before;  // the approved lines before the action
  std::vector<ApprovedLine> after;   // and after it (empty for a reject)
  std::string batch_id;              // the export batch of an export record
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
  std::string override_reason;              // required to approve or amend over a blocking warning
  bool has_blocking = false;                // the lines to approve include a blocking one
  std::vector<ApprovedLine> amended_lines;  // amend only: the lines as they should be
};

// Longest reason or override reason a reviewer may give, in bytes.
inline constexpr std::size_t kMaxReasonLength = 2000;
// Most lines an amendment may hold.
inline constexpr int kMaxAmendedLines = 32;

// Checks that `request` is allowed in `state`. Returns OK, INVALID_ARGUMENT
// naming the missing field ("reason: required to amend"), or
// FAILED_PRECONDITION naming the state ("suggestion is already approved; amend
// or reject it instead"). Pure.
absl::Status CheckReview(ReviewState state, const ReviewRequest& request);

// A suggestion with where it stands in review.
struct ReviewedSuggestion {
  std::string suggestion_id;  // SuggestionId of its key
  std::string platform;
  std::string provider_ref;  // the therapist of the day's first session; empty if none
  ReviewState state = ReviewState::kPending;
  std::string etag;                          // the version of its numbers (lines and warnings)
  Suggestion suggestion;                     // the engine's output from the events now
  std::vector<ApprovedLine> approved_lines;  // CurrentApprovedLines of its history
};

// A reviewer's action on one suggestion, as the review desk takes it.
struct ReviewCommand {
  std::string platform;
  SuggestionKey key;
  std::string reviewer_ref;
  std::string etag;  // the version the reviewer saw: a stale one is refused
  ReviewRequest request;
};

// Checks amended lines: 1 to kMaxAmendedLines lines, each with a code of
// `catalogue`, 1 to 99 units, at most 4 modifiers of two upper-case letters
// or digits, and a two-digit place of service. INVALID_ARGUMENT naming the
// field ("amended_lines[1].units: must be 1 to 99"), never repeating the
// value. Pure.
absl::Status CheckAmendedLines(const std::vector<ApprovedLine>& lines,
                               const CodeCatalogue& catalogue);

// The lines approving `suggestion` as it stands: its lines with units (a
// blocked code's line of 0 units bills nothing and is left out).
std::vector<ApprovedLine> LinesToApprove(const Suggestion& suggestion);

// Decides a review of `current`, which is in `state`: checks the request's
// fields (reason lengths, amended lines) and CheckReview, where a line to
// approve is blocking if `current` has a blocking line with units of its
// code. Returns the lines the review approves (empty for a reject). `request`
// .has_blocking is ignored: it is worked out here. Pure.
absl::StatusOr<std::vector<ApprovedLine>> DecideReview(ReviewState state, const Suggestion& current,
                                                       const ReviewRequest& request,
                                                       const CodeCatalogue& catalogue);

// The lines of the last approve or amend of `history`; empty if there is
// none, or a reject came after it.
std::vector<ApprovedLine> CurrentApprovedLines(const std::vector<ReviewRecord>& history);

// The record id of the last decision (approve, amend, reject); 0 if none.
std::int64_t LastDecisionId(const std::vector<ReviewRecord>& history);

// Whether lines in `state` may be exported (approved or amended, not yet
// exported; exported again only when asked explicitly).
bool IsExportable(ReviewState state, bool include_exported);

// Stable lower_snake names, as the API and the audit trail spell them.
const char* ReviewActionName(ReviewAction action);
const char* ReviewStateName(ReviewState state);
// The action of a name ReviewActionName writes; nullopt for another.
std::optional<ReviewAction> ReviewActionFromName(std::string_view name);

}  // namespace unitclock::core

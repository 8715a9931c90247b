#include "core/review.h"

#include <string>

namespace unitclock::core {
namespace {

bool IsDecision(ReviewAction action) { return action != ReviewAction::kExport; }

// A reason of only blanks explains nothing: it counts as missing.
bool IsBlank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

ReviewState StateAfter(ReviewAction decision) {
  switch (decision) {
    case ReviewAction::kApprove:
      return ReviewState::kApproved;
    case ReviewAction::kAmend:
      return ReviewState::kAmended;
    case ReviewAction::kReject:
      return ReviewState::kRejected;
    case ReviewAction::kExport:
      break;
  }
  return ReviewState::kPending;  // not a decision
}

// Field errors: what the request itself lacks, whatever the state.
absl::Status CheckFields(const ReviewRequest& request) {
  switch (request.action) {
    case ReviewAction::kExport:
      return absl::InvalidArgumentError("action: must be approve, amend or reject");
    case ReviewAction::kAmend:
      if (IsBlank(request.reason)) return absl::InvalidArgumentError("reason: required to amend");
      break;
    case ReviewAction::kReject:
      if (IsBlank(request.reason)) return absl::InvalidArgumentError("reason: required to reject");
      break;
    case ReviewAction::kApprove:
      break;
  }
  // Rejecting bills nothing, so a blocking warning needs no override to reject.
  if (request.action != ReviewAction::kReject && request.has_blocking &&
      IsBlank(request.override_reason)) {
    return absl::InvalidArgumentError(
        "override_reason: required to approve a line with a blocking warning");
  }
  return absl::OkStatus();
}

}  // namespace

ReviewState CurrentReviewState(const std::vector<ReviewRecord>& history,
                               const std::string& fingerprint) {
  const ReviewRecord* last_decision = nullptr;
  const ReviewRecord* last_export = nullptr;  // the last export after last_decision
  for (const ReviewRecord& record : history) {
    if (IsDecision(record.action)) {
      last_decision = &record;
      last_export = nullptr;
    } else if (last_decision != nullptr) {
      last_export = &record;
    }
  }
  if (last_decision == nullptr) return ReviewState::kPending;
  if (last_decision->fingerprint != fingerprint) return ReviewState::kNeedsReReview;
  if (last_export != nullptr) {
    return last_export->fingerprint == fingerprint ? ReviewState::kExported
                                                   : ReviewState::kNeedsReReview;
  }
  return StateAfter(last_decision->action);
}

absl::Status CheckReview(ReviewState state, const ReviewRequest& request) {
  if (absl::Status fields = CheckFields(request); !fields.ok()) return fields;
  switch (state) {
    case ReviewState::kPending:
    case ReviewState::kNeedsReReview:
      return absl::OkStatus();
    case ReviewState::kApproved:
    case ReviewState::kAmended:
      if (request.action == ReviewAction::kApprove) {
        // An amended suggestion is approved too (with changes).
        return absl::FailedPreconditionError(
            "suggestion is already approved; amend or reject it instead");
      }
      return absl::OkStatus();
    case ReviewState::kRejected:
      // Approving or amending a rejected suggestion reopens it.
      if (request.action == ReviewAction::kReject) {
        return absl::FailedPreconditionError("suggestion is already rejected");
      }
      return absl::OkStatus();
    case ReviewState::kExported:
      return absl::FailedPreconditionError(
          "suggestion is already exported; it can be reviewed again only if its numbers change");
  }
  return absl::InvalidArgumentError("state: unknown review state");
}

bool IsExportable(ReviewState state, bool include_exported) {
  switch (state) {
    case ReviewState::kApproved:
    case ReviewState::kAmended:
      return true;
    case ReviewState::kExported:
      return include_exported;
    case ReviewState::kPending:
    case ReviewState::kRejected:
    case ReviewState::kNeedsReReview:
      return false;
  }
  return false;
}

const char* ReviewActionName(ReviewAction action) {
  switch (action) {
    case ReviewAction::kApprove:
      return "approve";
    case ReviewAction::kAmend:
      return "amend";
    case ReviewAction::kReject:
      return "reject";
    case ReviewAction::kExport:
      return "export";
  }
  return "unknown";
}

const char* ReviewStateName(ReviewState state) {
  switch (state) {
    case ReviewState::kPending:
      return "pending";
    case ReviewState::kApproved:
      return "approved";
    case ReviewState::kAmended:
      return "amended";
    case ReviewState::kRejected:
      return "rejected";
    case ReviewState::kNeedsReReview:
      return "needs_rereview";
    case ReviewState::kExported:
      return "exported";
  }
  return "unknown";
}

}  // namespace unitclock::core

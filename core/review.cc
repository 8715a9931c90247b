#include "core/review.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/escaping.h"

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

// The short names of disciplines in suggestion ids.
constexpr std::pair<Discipline, std::string_view> kDisciplineIds[] = {
    {Discipline::kPhysicalTherapy, "pt"},
    {Discipline::kOccupationalTherapy, "ot"},
    {Discipline::kSpeechLanguage, "slp"},
    {Discipline::kUnspecified, "none"},
};

// The suffixes of the discipline part of a monitoring suggestion's id.
constexpr std::pair<MonitoringPeriodKind, std::string_view> kPeriodSuffixes[] = {
    {MonitoringPeriodKind::kNone, ""},
    {MonitoringPeriodKind::kCalendarMonth, "-rtm"},
    {MonitoringPeriodKind::kDevicePeriod, "-rtmd"},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

SuggestionKey KeyOf(const Suggestion& suggestion) {
  return {suggestion.patient_ref, suggestion.date_of_service, suggestion.payer_id,
          suggestion.discipline,
          suggestion.monitoring ? suggestion.monitoring->kind : MonitoringPeriodKind::kNone};
}

std::string SuggestionId(const SuggestionKey& key) {
  std::string_view discipline = "none";
  for (const auto& [d, id] : kDisciplineIds) {
    if (d == key.discipline) discipline = id;
  }
  std::string_view suffix;
  for (const auto& [kind, text] : kPeriodSuffixes) {
    if (kind == key.period) suffix = text;
  }
  return FormatDay(key.date_of_service) + "." + std::string(discipline) + std::string(suffix) +
         "." + absl::WebSafeBase64Escape(key.payer_id) + "." +
         absl::WebSafeBase64Escape(key.patient_ref);
}

std::optional<SuggestionKey> ParseSuggestionId(std::string_view id) {
  if (id.size() > kMaxSuggestionIdLength) return std::nullopt;
  std::vector<std::string> parts(1);
  for (char c : id) {
    if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  if (parts.size() != 4) return std::nullopt;
  SuggestionKey key;
  const std::optional<Day> day = ParseDay(parts[0]);
  if (!day) return std::nullopt;
  key.date_of_service = *day;
  bool known = false;
  for (const auto& [kind, suffix] : kPeriodSuffixes) {
    for (const auto& [d, short_name] : kDisciplineIds) {
      if (parts[1].size() == short_name.size() + suffix.size() &&
          parts[1].starts_with(short_name) && parts[1].ends_with(suffix)) {
        key.discipline = d;
        key.period = kind;
        known = true;
      }
    }
  }
  if (!known) return std::nullopt;
  // Only the canonical spelling: one key, one id.
  if (!absl::WebSafeBase64Unescape(parts[2], &key.payer_id) ||
      !absl::WebSafeBase64Unescape(parts[3], &key.patient_ref) || key.payer_id.empty() ||
      key.patient_ref.empty() || SuggestionId(key) != id) {
    return std::nullopt;
  }
  return key;
}

absl::Status CheckAmendedLines(const std::vector<ApprovedLine>& lines,
                               const CodeCatalogue& catalogue) {
  if (lines.empty()) {
    return absl::InvalidArgumentError("amended_lines: at least one line is required to amend");
  }
  if (lines.size() > static_cast<std::size_t>(kMaxAmendedLines)) {
    return absl::InvalidArgumentError("amended_lines: at most " + std::to_string(kMaxAmendedLines) +
                                      " lines");
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const ApprovedLine& l = lines[i];
    const std::string f = "amended_lines[" + std::to_string(i) + "].";
    if (catalogue.Find(l.code) == nullptr) {
      return absl::InvalidArgumentError(f + "code: not in the code catalogue");
    }
    if (l.units < 1 || l.units > 99)
      return absl::InvalidArgumentError(f + "units: must be 1 to 99");
    if (l.modifiers.size() > 4) return absl::InvalidArgumentError(f + "modifiers: at most 4");
    for (std::size_t j = 0; j < l.modifiers.size(); ++j) {
      if (!IsModifier(l.modifiers[j])) {
        // Not repeated: it may be long or hold any byte.
        return absl::InvalidArgumentError(f + "modifiers[" + std::to_string(j) +
                                          "]: must be two upper-case letters or digits");
      }
    }
    const std::string& pos = l.place_of_service;
    if (pos.size() != 2 || !IsDigit(pos[0]) || !IsDigit(pos[1])) {
      return absl::InvalidArgumentError(f + "place_of_service: must be two digits");
    }
    if (l.minutes < 0) return absl::InvalidArgumentError(f + "minutes: must not be negative");
  }
  return absl::OkStatus();
}

std::vector<ApprovedLine> LinesToApprove(const Suggestion& suggestion) {
  std::vector<ApprovedLine> lines;
  for (const SuggestedLine& l : suggestion.lines) {
    if (l.units == 0) continue;
    lines.push_back({l.code, l.units, l.modifiers, l.place_of_service, l.minutes});
  }
  return lines;
}

absl::StatusOr<std::vector<ApprovedLine>> DecideReview(ReviewState state, const Suggestion& current,
                                                       const ReviewRequest& request,
                                                       const CodeCatalogue& catalogue) {
  for (const auto& [text, field] : {std::pair{&request.reason, "reason"},
                                    std::pair{&request.override_reason, "override_reason"}}) {
    if (text->size() > kMaxReasonLength) {
      return absl::InvalidArgumentError(std::string(field) + ": at most " +
                                        std::to_string(kMaxReasonLength) + " characters");
    }
  }
  std::vector<ApprovedLine> after;
  switch (request.action) {
    case ReviewAction::kAmend:
      if (absl::Status st = CheckAmendedLines(request.amended_lines, catalogue); !st.ok()) {
        return st;
      }
      after = request.amended_lines;
      break;
    case ReviewAction::kApprove:
      after = LinesToApprove(current);
      break;
    case ReviewAction::kReject:
    case ReviewAction::kExport:  // refused by CheckReview
      break;
  }
  // A blocked code's line without a unit bills nothing: it needs no override.
  std::set<std::string> blocking_codes;
  for (const SuggestedLine& l : current.lines) {
    if (l.blocking && l.units > 0) blocking_codes.insert(l.code);
  }
  ReviewRequest checked = request;
  checked.has_blocking = std::any_of(after.begin(), after.end(), [&](const ApprovedLine& l) {
    return blocking_codes.count(l.code) > 0;
  });
  if (absl::Status st = CheckReview(state, checked); !st.ok()) return st;
  return after;
}

std::vector<ApprovedLine> CurrentApprovedLines(const std::vector<ReviewRecord>& history) {
  std::vector<ApprovedLine> lines;
  for (const ReviewRecord& r : history) {
    if (IsDecision(r.action)) lines = r.after;
  }
  return lines;
}

std::int64_t LastDecisionId(const std::vector<ReviewRecord>& history) {
  std::int64_t id = 0;
  for (const ReviewRecord& r : history) {
    if (IsDecision(r.action)) id = r.record_id;
  }
  return id;
}

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

std::optional<ReviewAction> ReviewActionFromName(std::string_view name) {
  for (ReviewAction a : {ReviewAction::kApprove, ReviewAction::kAmend, ReviewAction::kReject,
                         ReviewAction::kExport}) {
    if (name == ReviewActionName(a)) return a;
  }
  return std::nullopt;
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

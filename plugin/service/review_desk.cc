#include "plugin/service/review_desk.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "absl/status/status.h"
#include "core/event_validation.h"
#include "core/export/billing_config.h"
#include "core/export/csv.h"
#include "core/export/fhir_claim.h"
#include "core/export/x12_837p.h"
#include "core/fingerprint.h"
#include "plugin/service/proto_convert.h"
#include "plugin/service/session_loader.h"

namespace unitclock::service {

// A suggestion as the desk sees it: the engine's current output, its key and
// its history.
struct ReviewDesk::Item {
  store::SuggestionKey key;
  core::Suggestion suggestion;
  std::string etag;
  std::vector<store::AuditRecord> history;  // oldest first
};

namespace {

constexpr int kMaxRangeDays = 31;
constexpr std::size_t kMaxReasonLength = 2000;
constexpr int kMaxAmendedLines = 32;

// INVALID_ARGUMENT naming `field` when `value` is longer than `max` bytes.
absl::Status CheckLength(const std::string& value, std::size_t max, const std::string& field) {
  if (value.size() <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(field + ": at most " + std::to_string(max) + " characters");
}

std::string Deterministic(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

absl::StatusOr<core::ReviewAction> ActionFromName(const std::string& name) {
  for (core::ReviewAction a : {core::ReviewAction::kApprove, core::ReviewAction::kAmend,
                               core::ReviewAction::kReject, core::ReviewAction::kExport}) {
    if (name == core::ReviewActionName(a)) return a;
  }
  return absl::InternalError("audit record: unknown action \"" + name + "\"");
}

absl::StatusOr<core::ReviewState> StateOf(const std::vector<store::AuditRecord>& history,
                                          const std::string& etag) {
  std::vector<core::ReviewRecord> records;
  for (const store::AuditRecord& r : history) {
    absl::StatusOr<core::ReviewAction> action = ActionFromName(r.action);
    if (!action.ok()) return action.status();
    records.push_back({*action, r.fingerprint});
  }
  return core::CurrentReviewState(records, etag);
}

// The lines of the last approve or amend; empty if none or rejected since.
v1::ApprovedLines ApprovedLinesOf(const std::vector<store::AuditRecord>& history) {
  v1::ApprovedLines lines;
  for (const store::AuditRecord& r : history) {
    if (r.action == core::ReviewActionName(core::ReviewAction::kExport)) continue;
    lines.Clear();
    lines.ParseFromString(r.after);
  }
  return lines;
}

// The id of the last decision record (approve, amend, reject).
std::int64_t LastDecisionId(const std::vector<store::AuditRecord>& history) {
  std::int64_t id = 0;
  for (const store::AuditRecord& r : history) {
    if (r.action != core::ReviewActionName(core::ReviewAction::kExport)) id = r.record_id;
  }
  return id;
}

bool IsModifier(const std::string& m) {
  return m.size() == 2 && std::all_of(m.begin(), m.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) ||
                  std::isupper(static_cast<unsigned char>(c));
         });
}

absl::Status CheckAmendedLines(const v1::ReviewSuggestionRequest& request,
                               const core::CodeCatalogue& catalogue) {
  if (request.amended_lines_size() == 0) {
    return absl::InvalidArgumentError("amended_lines: at least one line is required to amend");
  }
  if (request.amended_lines_size() > kMaxAmendedLines) {
    return absl::InvalidArgumentError("amended_lines: at most " + std::to_string(kMaxAmendedLines) +
                                      " lines");
  }
  for (int i = 0; i < request.amended_lines_size(); ++i) {
    const v1::ApprovedLine& l = request.amended_lines(i);
    const std::string f = "amended_lines[" + std::to_string(i) + "].";
    if (catalogue.Find(l.code()) == nullptr) {
      return absl::InvalidArgumentError(f + "code: not in the code catalogue");
    }
    if (l.units() < 1 || l.units() > 99) {
      return absl::InvalidArgumentError(f + "units: must be 1 to 99");
    }
    if (l.modifiers_size() > 4) return absl::InvalidArgumentError(f + "modifiers: at most 4");
    for (int j = 0; j < l.modifiers_size(); ++j) {
      if (!IsModifier(l.modifiers(j))) {
        // Not repeated: it may be long or hold any byte.
        return absl::InvalidArgumentError(f + "modifiers[" + std::to_string(j) +
                                          "]: must be two letters or digits");
      }
    }
    const std::string& pos = l.place_of_service();
    if (pos.size() != 2 || !std::isdigit(static_cast<unsigned char>(pos[0])) ||
        !std::isdigit(static_cast<unsigned char>(pos[1]))) {
      return absl::InvalidArgumentError(f + "place_of_service: must be two digits");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::pair<core::Day, core::Day>> Range(const std::string& min,
                                                      const std::string& max) {
  const std::optional<core::Day> first = core::ParseDay(min);
  if (!first) return absl::InvalidArgumentError("date_min: must be a date \"YYYY-MM-DD\"");
  const std::optional<core::Day> last = core::ParseDay(max);
  if (!last) return absl::InvalidArgumentError("date_max: must be a date \"YYYY-MM-DD\"");
  if (*last < *first) return absl::InvalidArgumentError("date_max: before date_min");
  if (*last - *first > std::chrono::days(kMaxRangeDays)) {
    return absl::InvalidArgumentError("date_max: at most 31 days after date_min");
  }
  return std::make_pair(*first, *last);
}

}  // namespace

std::string SuggestionId(const std::string& platform, const core::Suggestion& s) {
  const std::string key = platform + '\x1f' + s.patient_ref + '\x1f' +
                          core::FormatDay(s.date_of_service) + '\x1f' + s.payer_id + '\x1f' +
                          std::to_string(static_cast<int>(s.discipline));
  return "s" + core::Fnv1a64Hex(key);
}

std::string SuggestionEtag(const core::Suggestion& s) {
  v1::Suggestion numbers;
  for (const core::SuggestedLine& l : s.lines) {
    v1::SuggestedLine* p = numbers.add_lines();
    p->set_code(l.code);
    p->set_units(l.units);
    for (const std::string& m : l.modifiers) p->add_modifiers(m);
    p->set_place_of_service(l.place_of_service);
    p->set_minutes(l.minutes);
    p->set_assistant_minutes(l.assistant_minutes);
    p->set_blocking(l.blocking);
  }
  for (const core::CodingWarning& w : s.warnings) {
    v1::CodingWarning* p = numbers.add_warnings();
    p->set_code(w.code);
    p->set_cpt_code(w.cpt_code);
  }
  return core::Fnv1a64Hex(Deterministic(numbers));
}

absl::StatusOr<std::vector<ReviewDesk::Item>> ReviewDesk::Collect(const std::string& platform,
                                                                  const std::string& provider_ref,
                                                                  core::Day first, core::Day last,
                                                                  const std::string& only_id) {
  auto sessions =
      // All the platform's sessions: a patient-day is coded whole, and only
      // then kept for a therapist who has a session in it.
      LoadSessionsAround(store_, {platform, "", ""}, first, last, policies_.timeline);
  if (!sessions.ok()) return sessions.status();
  std::map<std::string, std::string> provider_of;  // session id -> provider ref
  for (const core::SessionForCoding& s : *sessions) {
    provider_of[s.session_id] = s.facts.provider_ref;
  }
  std::vector<Item> items;
  for (core::Suggestion& s : core::SuggestCodes(*sessions, policies_, charges_context_)) {
    if (s.date_of_service < first || s.date_of_service > last) continue;
    if (!provider_ref.empty() &&
        std::none_of(s.session_ids.begin(), s.session_ids.end(),
                     [&](const std::string& id) { return provider_of[id] == provider_ref; })) {
      continue;
    }
    Item item;
    item.key.suggestion_id = SuggestionId(platform, s);
    if (!only_id.empty() && item.key.suggestion_id != only_id) continue;
    item.key.platform = platform;
    item.key.patient_ref = s.patient_ref;
    item.key.date_of_service = core::FormatDay(s.date_of_service);
    item.key.payer_id = s.payer_id;
    item.key.discipline = static_cast<int>(s.discipline);
    item.key.provider_ref = s.session_ids.empty() ? "" : provider_of[s.session_ids.front()];
    if (absl::Status st = store_.RememberSuggestion(item.key); !st.ok()) return st;
    auto history = store_.ListAudit(item.key.suggestion_id);
    if (!history.ok()) return history.status();
    item.history = *std::move(history);
    item.etag = SuggestionEtag(s);
    item.suggestion = std::move(s);
    items.push_back(std::move(item));
  }
  return items;
}

absl::StatusOr<v1::ReviewedSuggestion> ReviewDesk::ToProto(const Item& item) {
  absl::StatusOr<core::ReviewState> state = StateOf(item.history, item.etag);
  if (!state.ok()) return state.status();
  v1::ReviewedSuggestion out;
  out.set_name("suggestions/" + item.key.suggestion_id);
  out.set_suggestion_id(item.key.suggestion_id);
  out.set_platform(item.key.platform);
  out.set_provider_ref(item.key.provider_ref);
  out.set_state(static_cast<v1::ReviewState>(static_cast<int>(*state) + 1));
  out.set_etag(item.etag);
  SuggestionToProto(item.suggestion, *out.mutable_suggestion());
  *out.mutable_approved_lines() = ApprovedLinesOf(item.history).lines();
  return out;
}

absl::StatusOr<std::vector<v1::ReviewedSuggestion>> ReviewDesk::List(
    const std::string& platform, const std::string& provider_ref, core::Day first, core::Day last) {
  if (last - first > std::chrono::days(kMaxRangeDays)) {
    return absl::InvalidArgumentError("date_max: at most 31 days after date_min");
  }
  auto items = Collect(platform, provider_ref, first, last, "");
  if (!items.ok()) return items.status();
  std::vector<v1::ReviewedSuggestion> out;
  for (const Item& item : *items) {
    absl::StatusOr<v1::ReviewedSuggestion> p = ToProto(item);
    if (!p.ok()) return p.status();
    out.push_back(*std::move(p));
  }
  return out;
}

absl::StatusOr<v1::ReviewedSuggestion> ReviewDesk::Get(const std::string& platform,
                                                       const std::string& suggestion_id) {
  const absl::Status not_found =
      absl::NotFoundError("name: no suggestion \"" + suggestion_id + "\"");
  auto key = store_.FindSuggestion(suggestion_id);
  if (!key.ok()) return key.status();
  if (!key->has_value() || (*key)->platform != platform) return not_found;
  const std::optional<core::Day> day = core::ParseDay((*key)->date_of_service);
  if (!day) return absl::InternalError("suggestion key: bad date of service");
  auto items = Collect(platform, "", *day, *day, suggestion_id);
  if (!items.ok()) return items.status();
  if (items->empty()) {
    // Late events took every billable minute of the patient-day away: what
    // is left to review is an empty suggestion.
    Item item;
    item.key = **key;
    item.suggestion.patient_ref = item.key.patient_ref;
    item.suggestion.date_of_service = *day;
    item.suggestion.payer_id = item.key.payer_id;
    item.suggestion.discipline = static_cast<core::Discipline>(item.key.discipline);
    auto history = store_.ListAudit(suggestion_id);
    if (!history.ok()) return history.status();
    item.history = *std::move(history);
    item.etag = SuggestionEtag(item.suggestion);
    return ToProto(item);
  }
  return ToProto(items->front());
}

absl::StatusOr<v1::ReviewedSuggestion> ReviewDesk::Review(
    const v1::ReviewSuggestionRequest& request, core::TimePoint now) {
  if (request.platform().empty()) return absl::InvalidArgumentError("platform: required");
  if (request.reviewer_ref().empty()) return absl::InvalidArgumentError("reviewer_ref: required");
  if (request.etag().empty()) return absl::InvalidArgumentError("etag: required");
  for (const auto& [value, max, field] :
       {std::tuple{&request.reviewer_ref(), core::kMaxIdLength, "reviewer_ref"},
        std::tuple{&request.etag(), core::kMaxIdLength, "etag"},
        std::tuple{&request.reason(), kMaxReasonLength, "reason"},
        std::tuple{&request.override_reason(), kMaxReasonLength, "override_reason"}}) {
    if (absl::Status st = CheckLength(*value, max, field); !st.ok()) return st;
  }
  if (absl::Status st = CheckEnumValue<v1::ReviewAction>(request.action(), "action"); !st.ok()) {
    return st;
  }
  core::ReviewRequest review;
  switch (request.action()) {
    case v1::REVIEW_ACTION_APPROVE:
      review.action = core::ReviewAction::kApprove;
      break;
    case v1::REVIEW_ACTION_AMEND:
      review.action = core::ReviewAction::kAmend;
      break;
    case v1::REVIEW_ACTION_REJECT:
      review.action = core::ReviewAction::kReject;
      break;
    default:
      return absl::InvalidArgumentError("action: must be approve, amend or reject");
  }
  absl::StatusOr<std::string> parsed = IdFromName(request.name(), "suggestions", "name");
  if (!parsed.ok()) return parsed.status();
  const std::string& id = *parsed;
  absl::StatusOr<v1::ReviewedSuggestion> current = Get(request.platform(), id);
  if (!current.ok()) return current.status();
  if (request.etag() != current->etag()) {
    return absl::AbortedError(
        "etag: the suggestion changed since it was read (late events); read it again and "
        "review the new numbers");
  }
  v1::ApprovedLines after;
  std::set<std::string> blocking_codes;
  // A blocked code's line without a unit bills nothing: it needs no override
  // and is not approved (the export would refuse a line of 0 units).
  for (const v1::SuggestedLine& l : current->suggestion().lines()) {
    if (l.blocking() && l.units() > 0) blocking_codes.insert(l.code());
  }
  if (review.action == core::ReviewAction::kAmend) {
    if (absl::Status st = CheckAmendedLines(request, policies_.catalogue); !st.ok()) return st;
    *after.mutable_lines() = request.amended_lines();
  } else if (review.action == core::ReviewAction::kApprove) {
    for (const v1::SuggestedLine& l : current->suggestion().lines()) {
      if (l.units() == 0) continue;
      v1::ApprovedLine* a = after.add_lines();
      a->set_code(l.code());
      a->set_units(l.units());
      *a->mutable_modifiers() = l.modifiers();
      a->set_place_of_service(l.place_of_service());
      a->set_minutes(l.minutes());
    }
  }
  for (const v1::ApprovedLine& l : after.lines()) {
    review.has_blocking = review.has_blocking || blocking_codes.count(l.code()) > 0;
  }
  review.reason = request.reason();
  review.override_reason = request.override_reason();
  absl::StatusOr<core::ReviewState> state = [&]() -> absl::StatusOr<core::ReviewState> {
    switch (current->state()) {
      case v1::REVIEW_STATE_PENDING:
        return core::ReviewState::kPending;
      case v1::REVIEW_STATE_APPROVED:
        return core::ReviewState::kApproved;
      case v1::REVIEW_STATE_AMENDED:
        return core::ReviewState::kAmended;
      case v1::REVIEW_STATE_REJECTED:
        return core::ReviewState::kRejected;
      case v1::REVIEW_STATE_NEEDS_REREVIEW:
        return core::ReviewState::kNeedsReReview;
      case v1::REVIEW_STATE_EXPORTED:
        return core::ReviewState::kExported;
      default:
        return absl::InternalError("review state unknown");
    }
  }();
  if (!state.ok()) return state.status();
  if (absl::Status st = core::CheckReview(*state, review); !st.ok()) return st;

  store::AuditRecord record;
  record.recorded_at = now;
  record.actor = request.reviewer_ref();
  record.platform = request.platform();
  record.action = core::ReviewActionName(review.action);
  record.suggestion_id = id;
  record.patient_ref = current->suggestion().patient_ref();
  record.date_of_service = current->suggestion().date_of_service();
  record.fingerprint = current->etag();
  record.reason = request.reason();
  record.override_reason = request.override_reason();
  v1::ApprovedLines before;
  *before.mutable_lines() = current->approved_lines();
  record.before = before.lines_size() == 0 ? "" : Deterministic(before);
  record.after = after.lines_size() == 0 ? "" : Deterministic(after);
  auto appended = store_.AppendAudit(record);
  if (!appended.ok()) return appended.status();
  return Get(request.platform(), id);
}

absl::StatusOr<std::vector<v1::AuditRecord>> ReviewDesk::Audit(const std::string& platform,
                                                               const std::string& patient_ref,
                                                               core::Day day) {
  auto records = store_.ListAuditForPatientDay(platform, patient_ref, core::FormatDay(day));
  if (!records.ok()) return records.status();
  std::vector<v1::AuditRecord> out;
  for (const store::AuditRecord& r : *records) {
    v1::AuditRecord p;
    p.set_record_id(r.record_id);
    *p.mutable_time() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
        r.recorded_at.time_since_epoch().count());
    p.set_actor(r.actor);
    p.set_action(r.action);
    p.set_suggestion_id(r.suggestion_id);
    p.set_etag(r.fingerprint);
    p.set_reason(r.reason);
    p.set_override_reason(r.override_reason);
    v1::ApprovedLines before, after;
    before.ParseFromString(r.before);
    after.ParseFromString(r.after);
    *p.mutable_before() = before.lines();
    *p.mutable_after() = after.lines();
    p.set_batch_id(r.batch_id);
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<ReviewDesk::ExportPlan> ReviewDesk::PrepareExport(
    const v1::ExportClaimsRequest& request, core::TimePoint now) {
  if (request.platform().empty()) return absl::InvalidArgumentError("platform: required");
  if (request.actor_ref().empty()) return absl::InvalidArgumentError("actor_ref: required");
  if (absl::Status st = CheckLength(request.actor_ref(), core::kMaxIdLength, "actor_ref");
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckEnumValue<v1::ExportFormat>(request.format(), "format"); !st.ok()) {
    return st;
  }
  if (request.format() == v1::EXPORT_FORMAT_UNSPECIFIED) {
    return absl::InvalidArgumentError("format: must be CSV, X12_837P or FHIR_R4");
  }
  auto range = Range(request.date_min(), request.date_max());
  if (!range.ok()) return range.status();
  auto items = Collect(request.platform(), "", range->first, range->second, "");
  if (!items.ok()) return items.status();

  ExportPlan plan;
  std::vector<core::exports::Claim> claims;
  for (const Item& item : *items) {
    absl::StatusOr<core::ReviewState> state = StateOf(item.history, item.etag);
    if (!state.ok()) return state.status();
    if (!core::IsExportable(*state, request.include_exported())) continue;
    const v1::ApprovedLines approved = ApprovedLinesOf(item.history);
    if (approved.lines_size() == 0) continue;
    core::exports::Claim claim;
    claim.suggestion_id = item.key.suggestion_id;
    claim.review_id = std::to_string(LastDecisionId(item.history));
    claim.platform = item.key.platform;
    claim.patient_ref = item.key.patient_ref;
    claim.provider_ref = item.key.provider_ref;
    claim.payer_id = item.key.payer_id;
    claim.date_of_service = item.suggestion.date_of_service;
    for (const v1::ApprovedLine& l : approved.lines()) {
      claim.lines.push_back({l.code(),
                             {l.modifiers().begin(), l.modifiers().end()},
                             l.units(),
                             l.minutes(),
                             l.place_of_service()});
    }
    // A claim that cannot be written is left out with its reason; the rest
    // of the file still goes.
    if (absl::Status st = core::exports::CheckExportableClaim(claim, billing_); !st.ok()) {
      v1::SkippedClaim* skipped = &plan.skipped.emplace_back();
      skipped->set_name("suggestions/" + item.key.suggestion_id);
      skipped->set_reason(std::string(st.message()));
      continue;
    }
    plan.line_count += static_cast<int>(claim.lines.size());
    claims.push_back(std::move(claim));
    store::AuditRecord record;
    record.recorded_at = now;
    record.actor = request.actor_ref();
    record.platform = item.key.platform;
    record.suggestion_id = item.key.suggestion_id;
    record.patient_ref = item.key.patient_ref;
    record.date_of_service = item.key.date_of_service;
    record.fingerprint = item.etag;
    record.before = Deterministic(approved);
    record.after = record.before;
    plan.records.push_back(std::move(record));
  }
  if (claims.empty()) {
    // Nothing to export: no file (an 837P needs a claim) and no batch.
    return plan;
  }
  const std::int64_t now_ms = now.time_since_epoch().count();
  plan.batch.batch_id =
      "b" + core::Fnv1a64Hex(request.platform() + '\x1f' + std::to_string(now_ms) + '\x1f' +
                             request.date_min() + request.date_max() + '\x1f' +
                             std::to_string(request.format()));
  plan.batch.created_at = now;
  plan.batch.actor = request.actor_ref();
  plan.batch.platform = request.platform();
  plan.batch.format = v1::ExportFormat_Name(request.format());
  plan.batch.range_start = request.date_min();
  plan.batch.range_end = request.date_max();
  plan.batch.claim_count = static_cast<int>(claims.size());
  plan.batch.line_count = plan.line_count;
  switch (request.format()) {
    case v1::EXPORT_FORMAT_CSV:
      plan.data = core::exports::WriteCsv(claims);
      break;
    case v1::EXPORT_FORMAT_X12_837P: {
      core::exports::X12Envelope envelope;
      // A control number from the clock: increasing, and within ISA13's 9 digits.
      envelope.interchange_control_number = (now_ms / 1000) % 999999999 + 1;
      envelope.group_control_number = static_cast<int>(envelope.interchange_control_number);
      envelope.created_at = now;
      plan.data = core::exports::WriteX12_837P(claims, billing_, envelope);
      break;
    }
    default:
      plan.data = core::exports::WriteFhirBundle(claims, billing_, now);
      break;
  }
  return plan;
}

absl::StatusOr<std::string> ReviewDesk::CommitExport(const ExportPlan& plan) {
  if (plan.records.empty()) return std::string();  // nothing exported: no batch
  store::ExportBatch batch = plan.batch;
  for (int attempt = 2;; ++attempt) {
    auto written = store_.RecordExport(batch, plan.records);
    if (written.ok()) return batch.batch_id;
    if (written.status().code() != absl::StatusCode::kAlreadyExists || attempt > 100) {
      return written.status();
    }
    batch.batch_id = plan.batch.batch_id + "-" + std::to_string(attempt);
  }
}

}  // namespace unitclock::service

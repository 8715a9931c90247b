#include "plugin/service/review_desk.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "core/event_validation.h"
#include "core/export/billing_config.h"
#include "core/export/csv.h"
#include "core/export/fhir_claim.h"
#include "core/export/x12_837p.h"
#include "core/fingerprint.h"
#include "plugin/metrics/server_metrics.h"
#include "plugin/service/coding_context.h"
#include "plugin/service/monitoring_loader.h"
#include "plugin/service/proto_convert.h"
#include "plugin/service/session_loader.h"
#include "plugin/store/record_codec.h"

namespace unitclock::service {
namespace {

constexpr int kMaxRangeDays = 31;

// INVALID_ARGUMENT unless [first, last] is a range of at most 31 days.
absl::Status CheckRange(core::Day first, core::Day last) {
  if (last < first) return absl::InvalidArgumentError("date_max: before date_min");
  if (last - first > std::chrono::days(kMaxRangeDays)) {
    return absl::InvalidArgumentError("date_max: at most 31 days after date_min");
  }
  return absl::OkStatus();
}

// INVALID_ARGUMENT naming `field` unless `value` is a reference a person or
// a version is recorded by: not empty, and at most core::kMaxIdLength bytes.
absl::Status CheckReference(const std::string& value, const std::string& field) {
  if (value.empty()) return absl::InvalidArgumentError(field + ": required");
  if (value.size() > core::kMaxIdLength) {
    return absl::InvalidArgumentError(field + ": at most " + std::to_string(core::kMaxIdLength) +
                                      " characters");
  }
  return absl::OkStatus();
}

// The record_id of the last record of `history` (oldest first); 0 if none.
std::int64_t LastRecordId(const std::vector<core::ReviewRecord>& history) {
  return history.empty() ? 0 : history.back().record_id;
}

// The format as metrics label it.
const char* FormatLabel(core::exports::Format format) {
  switch (format) {
    case core::exports::Format::kCsv:
      return "csv";
    case core::exports::Format::kX12_837P:
      return "x12_837p";
    case core::exports::Format::kFhirR4:
      return "fhir_r4";
  }
  return "other";
}

}  // namespace

ReviewDesk::ReviewDesk(store::EventLog& events, store::ReviewLedger& ledger,
                       const core::PolicySet& policies, const core::exports::BillingConfig& billing,
                       metrics::ServerMetrics* metrics)
    : events_(events),
      ledger_(ledger),
      policies_(policies),
      billing_(billing),
      charges_context_(ChargesContext(billing)),
      metrics_(metrics) {}

void ReviewDesk::Describe(core::Suggestion suggestion, Item& item) {
  core::ReviewedSuggestion& v = item.view;
  v.suggestion_id = core::SuggestionId(core::KeyOf(suggestion));
  v.etag = SuggestionEtag(suggestion);
  v.state = core::CurrentReviewState(item.history, v.etag);
  v.approved_lines = core::CurrentApprovedLines(item.history);
  v.suggestion = std::move(suggestion);
}

absl::StatusOr<std::vector<ReviewDesk::Item>> ReviewDesk::Collect(const Scope& scope) {
  // Every session of the patients concerned: a patient-day is coded whole,
  // and only then kept for a therapist who has a session in it.
  std::vector<core::SessionForCoding> sessions;
  if (scope.visits) {
    auto loaded = LoadSessionsAround(events_, {scope.platform, scope.patient_ref, ""}, scope.first,
                                     scope.last, policies_.timeline);
    if (!loaded.ok()) return loaded.status();
    sessions = *std::move(loaded);
  }
  std::map<std::string, std::string> provider_of;  // session or episode id -> provider ref
  for (const core::SessionForCoding& s : sessions) {
    provider_of[s.session_id] = s.facts.provider_ref;
  }
  std::vector<core::Suggestion> suggestions = core::SuggestCodes(
      sessions, policies_, charges_context_, core::DateRange{scope.first, scope.last});
  // And every monitoring episode of the patients concerned: a month is
  // coded over all the patient's episodes.
  std::vector<PatientMonitoring> monitoring;
  if (scope.monitoring) {
    auto loaded = LoadMonitoring(events_, scope.platform, scope.patient_ref, scope.first,
                                 scope.last, policies_.timeline);
    if (!loaded.ok()) return loaded.status();
    monitoring = *std::move(loaded);
  }
  for (const PatientMonitoring& patient : monitoring) {
    for (const core::MonitoringEpisode& e : patient.episodes) {
      if (e.started) provider_of[e.episode_id] = e.started->provider_ref;
    }
  }
  for (core::Suggestion& s : SuggestMonitoringInRange(
           monitoring, scope.first, scope.last, policies_, scope.now, scope.include_provisional)) {
    suggestions.push_back(std::move(s));
  }
  // List's order: date, patient, payer, discipline, then what it covers.
  std::stable_sort(
      suggestions.begin(), suggestions.end(),
      [](const core::Suggestion& a, const core::Suggestion& b) {
        const core::SuggestionKey ka = core::KeyOf(a);
        const core::SuggestionKey kb = core::KeyOf(b);
        return std::tie(ka.date_of_service, ka.patient_ref, ka.payer_id, ka.discipline, ka.period) <
               std::tie(kb.date_of_service, kb.patient_ref, kb.payer_id, kb.discipline, kb.period);
      });
  std::vector<Item> items;
  for (core::Suggestion& s : suggestions) {
    if (!scope.provider_ref.empty() &&
        std::none_of(s.session_ids.begin(), s.session_ids.end(), [&](const std::string& id) {
          return provider_of[id] == scope.provider_ref;
        })) {
      continue;
    }
    Item item;
    item.view.platform = scope.platform;
    item.view.provider_ref = s.session_ids.empty() ? "" : provider_of[s.session_ids.front()];
    auto history = ledger_.ListAudit(scope.platform, core::SuggestionId(core::KeyOf(s)));
    if (!history.ok()) return history.status();
    item.history = *std::move(history);
    Describe(std::move(s), item);
    items.push_back(std::move(item));
  }
  return items;
}

absl::StatusOr<ReviewDesk::Item> ReviewDesk::Find(const std::string& platform,
                                                  const core::SuggestionKey& key,
                                                  core::TimePoint now) {
  auto items = Collect({.platform = platform,
                        .patient_ref = key.patient_ref,
                        .provider_ref = "",
                        .first = key.date_of_service,
                        .last = key.date_of_service,
                        .now = now,
                        .include_provisional = true,
                        // A key names a visit day or a monitoring period:
                        // only that kind is coded.
                        .visits = key.period == core::MonitoringPeriodKind::kNone,
                        .monitoring = key.period != core::MonitoringPeriodKind::kNone});
  if (!items.ok()) return items.status();
  for (Item& item : *items) {
    if (core::KeyOf(item.view.suggestion) == key) return std::move(item);
  }
  // No suggestion now. If it was reviewed, late events took every billable
  // minute of the patient-day away: what is left to review is an empty
  // suggestion. Otherwise there is nothing of that name.
  Item item;
  item.view.platform = platform;
  auto history = ledger_.ListAudit(platform, core::SuggestionId(key));
  if (!history.ok()) return history.status();
  if (history->empty()) {
    return absl::NotFoundError("name: no suggestion of that name on this platform");
  }
  item.history = *std::move(history);
  core::Suggestion empty;
  empty.patient_ref = key.patient_ref;
  empty.date_of_service = key.date_of_service;
  empty.payer_id = key.payer_id;
  empty.discipline = key.discipline;
  if (key.period != core::MonitoringPeriodKind::kNone) {
    empty.monitoring = core::MonitoringPeriod{};
    empty.monitoring->kind = key.period;
    empty.monitoring->first = key.date_of_service;
    empty.monitoring->last = key.date_of_service;
  }
  Describe(std::move(empty), item);
  return item;
}

absl::StatusOr<std::vector<core::ReviewedSuggestion>> ReviewDesk::List(
    const std::string& platform, const std::string& provider_ref, core::Day first, core::Day last,
    core::TimePoint now, bool include_provisional) {
  if (absl::Status st = CheckRange(first, last); !st.ok()) return st;
  auto items = Collect({.platform = platform,
                        .patient_ref = "",
                        .provider_ref = provider_ref,
                        .first = first,
                        .last = last,
                        .now = now,
                        .include_provisional = include_provisional});
  if (!items.ok()) return items.status();
  std::vector<core::ReviewedSuggestion> out;
  out.reserve(items->size());
  for (Item& item : *items) out.push_back(std::move(item.view));
  return out;
}

absl::StatusOr<core::ReviewedSuggestion> ReviewDesk::Get(const std::string& platform,
                                                         const core::SuggestionKey& key,
                                                         core::TimePoint now) {
  absl::StatusOr<Item> item = Find(platform, key, now);
  if (!item.ok()) return item.status();
  return std::move(item->view);
}

absl::StatusOr<core::ReviewedSuggestion> ReviewDesk::Review(const core::ReviewCommand& command,
                                                            core::TimePoint now) {
  if (command.platform.empty()) return absl::InvalidArgumentError("platform: required");
  if (absl::Status st = CheckReference(command.reviewer_ref, "reviewer_ref"); !st.ok()) return st;
  if (absl::Status st = CheckReference(command.etag, "etag"); !st.ok()) return st;
  absl::StatusOr<Item> item = Find(command.platform, command.key, now);
  if (!item.ok()) return item.status();
  core::ReviewedSuggestion& current = item->view;
  if (command.etag != current.etag) {
    return absl::AbortedError(
        "etag: the suggestion changed since it was read (late events); read it again and "
        "review the new numbers");
  }
  absl::StatusOr<std::vector<core::ApprovedLine>> after =
      core::DecideReview(current.state, current.suggestion, command.request, policies_.catalogue);
  if (!after.ok()) return after.status();

  core::ReviewRecord record;
  record.action = command.request.action;
  record.fingerprint = current.etag;
  record.recorded_at = now;
  record.actor = command.reviewer_ref;
  record.platform = command.platform;
  record.suggestion_id = current.suggestion_id;
  record.patient_ref = command.key.patient_ref;
  record.date_of_service = command.key.date_of_service;
  record.reason = command.request.reason;
  record.override_reason = command.request.override_reason;
  record.before = current.approved_lines;
  record.after = *std::move(after);
  absl::StatusOr<std::int64_t> id = ledger_.AppendDecision({record, LastRecordId(item->history)});
  if (!id.ok()) return id.status();
  if (metrics_ != nullptr) metrics_->CountReviewAction(core::ReviewActionName(record.action));
  record.record_id = *id;
  // The suggestion is the one just read: only its history moved on.
  item->history.push_back(std::move(record));
  Describe(std::move(current.suggestion), *item);
  return std::move(item->view);
}

absl::StatusOr<std::vector<core::ReviewRecord>> ReviewDesk::Audit(const std::string& platform,
                                                                  const std::string& patient_ref,
                                                                  core::Day day) {
  return ledger_.ListAuditForPatientDay(platform, patient_ref, day);
}

absl::StatusOr<ReviewDesk::ExportPlan> ReviewDesk::PrepareExport(
    const core::exports::ExportRequest& request, core::TimePoint now) {
  if (request.platform.empty()) return absl::InvalidArgumentError("platform: required");
  if (absl::Status st = CheckReference(request.actor_ref, "actor_ref"); !st.ok()) return st;
  if (absl::Status st = CheckRange(request.first, request.last); !st.ok()) return st;
  // Open monitoring periods too: approved ones are reported as skipped.
  auto items = Collect({.platform = request.platform,
                        .patient_ref = "",
                        .provider_ref = "",
                        .first = request.first,
                        .last = request.last,
                        .now = now,
                        .include_provisional = true});
  if (!items.ok()) return items.status();

  ExportPlan plan;
  std::vector<core::exports::Claim> claims;
  for (const Item& item : *items) {
    const core::ReviewedSuggestion& s = item.view;
    if (!core::IsExportable(s.state, request.include_exported)) continue;
    if (s.approved_lines.empty()) continue;
    if (s.suggestion.monitoring && s.suggestion.monitoring->provisional) {
      plan.skipped.push_back(
          {s.suggestion_id,
           "monitoring period " + core::FormatDay(s.suggestion.monitoring->first) + " to " +
               core::FormatDay(s.suggestion.monitoring->last) +
               " is still open: its lines bill once it closes and they are approved again"});
      continue;
    }
    core::exports::Claim claim;
    claim.suggestion_id = s.suggestion_id;
    claim.review_id = std::to_string(core::LastDecisionId(item.history));
    claim.platform = s.platform;
    claim.patient_ref = s.suggestion.patient_ref;
    claim.provider_ref = s.provider_ref;
    claim.payer_id = s.suggestion.payer_id;
    claim.date_of_service = s.suggestion.date_of_service;
    for (const core::ApprovedLine& l : s.approved_lines) {
      claim.lines.push_back({l.code, l.modifiers, l.units, l.minutes, l.place_of_service});
    }
    // A claim that cannot be written is left out with its reason; the rest
    // of the file still goes.
    if (absl::Status st = core::exports::CheckExportableClaim(claim, billing_); !st.ok()) {
      plan.skipped.push_back({s.suggestion_id, std::string(st.message())});
      continue;
    }
    plan.line_count += static_cast<int>(claim.lines.size());
    claims.push_back(std::move(claim));
    core::ReviewRecord record;
    record.action = core::ReviewAction::kExport;
    record.fingerprint = s.etag;
    record.recorded_at = now;
    record.actor = request.actor_ref;
    record.platform = s.platform;
    record.suggestion_id = s.suggestion_id;
    record.patient_ref = s.suggestion.patient_ref;
    record.date_of_service = s.suggestion.date_of_service;
    record.before = s.approved_lines;
    record.after = s.approved_lines;
    plan.records.push_back({std::move(record), LastRecordId(item.history)});
  }
  if (claims.empty()) {
    // Nothing to export: no file (an 837P needs a claim) and no batch.
    return plan;
  }
  const std::int64_t now_ms = now.time_since_epoch().count();
  plan.batch.batch_id =
      "b" + core::Fnv1a64Hex(request.platform + '\x1f' + std::to_string(now_ms) + '\x1f' +
                             core::FormatDay(request.first) + core::FormatDay(request.last) +
                             '\x1f' + store::ExportFormatName(request.format));
  plan.batch.created_at = now;
  plan.batch.actor = request.actor_ref;
  plan.batch.platform = request.platform;
  plan.batch.format = request.format;
  plan.batch.range_start = request.first;
  plan.batch.range_end = request.last;
  plan.batch.claim_count = static_cast<int>(claims.size());
  plan.batch.line_count = plan.line_count;
  switch (request.format) {
    case core::exports::Format::kCsv:
      plan.data = core::exports::WriteCsv(claims);
      break;
    case core::exports::Format::kX12_837P: {
      core::exports::X12Envelope envelope;
      // A control number from the clock: increasing, and within ISA13's 9 digits.
      envelope.interchange_control_number = (now_ms / 1000) % 999999999 + 1;
      envelope.group_control_number = static_cast<int>(envelope.interchange_control_number);
      envelope.created_at = now;
      plan.data = core::exports::WriteX12_837P(claims, billing_, envelope);
      break;
    }
    case core::exports::Format::kFhirR4:
      plan.data = core::exports::WriteFhirBundle(claims, billing_, now);
      break;
  }
  return plan;
}

absl::StatusOr<std::string> ReviewDesk::CommitExport(const ExportPlan& plan) {
  if (plan.records.empty()) return std::string();  // nothing exported: no batch
  store::ExportBatch batch = plan.batch;
  for (int attempt = 2;; ++attempt) {
    auto written = ledger_.RecordExport(batch, plan.records);
    if (written.ok()) {
      if (metrics_ != nullptr) metrics_->CountExport(FormatLabel(batch.format));
      return batch.batch_id;
    }
    if (written.status().code() != absl::StatusCode::kAlreadyExists || attempt > 100) {
      return written.status();
    }
    batch.batch_id = plan.batch.batch_id + "-" + std::to_string(attempt);
  }
}

}  // namespace unitclock::service

// Benchmarks of the pure core (issue 7): the timeline and the coding
// suggestion of one patient-day of 10, 1,000 and 100,000 events, and the
// three export formats writing 10,000 claim lines. The workloads are generated
// (workload.h, fixed seed) and checked once before anything is timed: a
// workload that is not what it claims fails the run (exit status 1), so that
// `core_bench --benchmark_min_time=0.01` is an honest smoke test.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/coding.h"
#include "core/date_of_service.h"
#include "core/event_validation.h"
#include "core/export/billing_config.h"
#include "core/export/csv.h"
#include "core/export/fhir_claim.h"
#include "core/export/x12_837p.h"
#include "core/policy.h"
#include "core/session_summary.h"
#include "core/timeline.h"
#include "nlohmann/json.hpp"
#include "plugin/common/policy_files.h"
#include "tests/bench/core/workload.h"

namespace unitclock::bench {
namespace {

constexpr std::uint32_t kSeed = 20261130;
constexpr std::int64_t kDayEvents[] = {10, 1000, 100000};
constexpr std::int64_t kExportLines = 10000;

// Everything the benchmarks read, made and checked once by Prepare().
struct Workloads {
  core::PolicySet policies;
  core::exports::BillingConfig billing;
  std::map<std::int64_t, PatientDay> days;  // by event count
  std::vector<core::exports::Claim> claims;
  core::exports::X12Envelope envelope;
  core::TimePoint created_at{};
};

Workloads& Loads() {
  static Workloads* const loads = new Workloads();
  return *loads;
}

// What CodingService::SuggestCodes does in the core for a patient_day request
// once the store has returned the day's sessions (plugin/service/
// session_loader.cc, LoadSession and ForCoding; coding_service.cc): per
// session SummarizeSession and BuildTimeline, then SuggestCodes over the
// started sessions, keeping the requested date of service. (ForCoding copies
// the timeline; that copy is the plugin's, so it is moved here.)
std::vector<core::Suggestion> SuggestForDay(const PatientDay& day,
                                            const core::PolicySet& policies) {
  std::vector<core::SessionForCoding> sessions;
  sessions.reserve(day.sessions.size());
  for (const GeneratedSession& s : day.sessions) {
    core::SessionSummary summary = core::SummarizeSession(s.session_id, s.events);
    core::Timeline timeline = core::BuildTimeline(s.events, policies.timeline);
    if (!summary.started) continue;  // ForCoding: FAILED_PRECONDITION, skipped
    sessions.push_back({summary.session_id, *summary.started, std::move(timeline)});
  }
  std::vector<core::Suggestion> out = core::SuggestCodes(sessions, policies, core::CodingContext{});
  std::erase_if(
      out, [&](const core::Suggestion& s) { return s.date_of_service != day.date_of_service; });
  return out;
}

std::size_t Count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// Checks that a generated patient-day is what it claims; "" if it is.
std::string CheckDay(std::int64_t n, const PatientDay& day, const core::PolicySet& policies,
                     std::ostream& info) {
  const std::string name = "patient-day of " + std::to_string(n) + " events: ";
  std::size_t events = 0;
  std::set<std::string> ids;
  core::Duration billable{0};
  for (const GeneratedSession& s : day.sessions) {
    events += s.events.size();
    const std::string where = name + "session " + s.session_id + ": ";
    if (s.events.empty()) return where + "no events";
    if (!std::holds_alternative<core::SessionStarted>(s.events.front().payload) ||
        !std::holds_alternative<core::SessionStopped>(s.events.back().payload)) {
      return where + "does not run from session_started to session_stopped";
    }
    for (std::size_t i = 0; i < s.events.size(); ++i) {
      const core::Event& e = s.events[i];
      if (absl::Status st = core::ValidateEvent(e); !st.ok()) {
        return where + "event " + e.event_id + " is invalid: " + std::string(st.message());
      }
      if (e.session_id != s.session_id) return where + "event " + e.event_id + " of another";
      if (!ids.insert(e.event_id).second) return where + "event id repeated: " + e.event_id;
      if (i > 0 && !(s.events[i - 1].occurred_at < e.occurred_at)) {
        return where + "events not in strictly increasing time order at " + e.event_id;
      }
    }
    const core::TimePoint first = s.events.front().occurred_at;
    const core::TimePoint last = s.events.back().occurred_at;
    if (last - first > core::kMaxSessionLength) return where + "longer than kMaxSessionLength";
    for (const core::TimePoint t : {first, last}) {
      const absl::StatusOr<core::Day> local = core::LocalDay(t, kClinicZone);
      if (!local.ok() || *local != day.date_of_service) {
        return where + "not on the date of service " + core::FormatDay(day.date_of_service);
      }
    }
    const core::Timeline timeline = core::BuildTimeline(s.events, policies.timeline);
    if (timeline.has_flag(core::TimelineFlagCode::kSessionTooLong)) return where + "too long";
    if (timeline.billable_total() + timeline.excluded_total() != timeline.session.length()) {
      return where + "timeline does not add up";
    }
    billable += timeline.billable_total();
  }
  if (events != static_cast<std::size_t>(n) || day.event_count != events) {
    return name + "has " + std::to_string(events) + " events";
  }
  if (billable <= core::Duration{0}) return name + "no billable time";
  const std::vector<core::Suggestion> suggestions = SuggestForDay(day, policies);
  if (suggestions.size() != 1) {
    return name + std::to_string(suggestions.size()) + " suggestions, expected 1";
  }
  const core::Suggestion& s = suggestions.front();
  if (s.lines.empty()) return name + "the suggestion has no lines";
  if (s.session_ids.size() != day.sessions.size()) {
    return name + "the suggestion covers " + std::to_string(s.session_ids.size()) + " of " +
           std::to_string(day.sessions.size()) + " sessions";
  }
  info << "core_bench: " << name << day.sessions.size() << " sessions, "
       << billable / std::chrono::minutes(1) << " billable min; suggestion "
       << core::FormatDay(s.date_of_service) << ":";
  for (const core::SuggestedLine& l : s.lines) {
    info << " " << l.code << "x" << l.units;
    for (const std::string& m : l.modifiers) info << (&m == &l.modifiers.front() ? " " : "-") << m;
  }
  info << "; " << s.warnings.size() << " warnings\n";
  return "";
}

// Checks the claims and what each format makes of them; "" if all is well.
std::string CheckExports(const Workloads& w, std::ostream& info) {
  std::size_t lines = 0;
  for (const core::exports::Claim& c : w.claims) lines += c.lines.size();
  if (lines != static_cast<std::size_t>(kExportLines)) {
    return "claims: " + std::to_string(lines) + " lines";
  }
  if (absl::Status st = core::exports::CheckExportable(w.claims, w.billing); !st.ok()) {
    return "claims: not exportable: " + std::string(st.message());
  }
  if (absl::Status st = core::exports::CheckEnvelope(w.envelope); !st.ok()) {
    return "x12 envelope: " + std::string(st.message());
  }
  const std::string csv = core::exports::WriteCsv(w.claims);
  if (Count(csv, "\r\n") != lines + 1) {
    return "csv: " + std::to_string(Count(csv, "\r\n")) + " records, expected a header and " +
           std::to_string(lines) + " rows";
  }
  const std::string x12 = core::exports::WriteX12_837P(w.claims, w.billing, w.envelope);
  if (Count(x12, "~SV1*") != lines || Count(x12, "~CLM*") != w.claims.size() ||
      x12.rfind("ISA*", 0) != 0 || Count(x12, "~IEA*") != 1) {
    return "x12: " + std::to_string(Count(x12, "~SV1*")) + " service lines in " +
           std::to_string(Count(x12, "~CLM*")) + " claims";
  }
  const std::string fhir = core::exports::WriteFhirBundle(w.claims, w.billing, w.created_at);
  const nlohmann::json bundle = nlohmann::json::parse(fhir, nullptr, /*allow_exceptions=*/false);
  std::size_t items = 0;
  if (bundle.is_object() && bundle.contains("entry") && bundle["entry"].is_array()) {
    for (const nlohmann::json& entry : bundle["entry"]) items += entry["resource"]["item"].size();
  }
  if (items != lines) return "fhir: " + std::to_string(items) + " claim items";
  info << "core_bench: exports of " << w.claims.size() << " claims, " << lines << " lines: csv "
       << csv.size() << " B, x12 " << x12.size() << " B, fhir " << fhir.size() << " B\n";
  return "";
}

// Loads the policies, generates the workloads and checks them; "" if ready.
std::string Prepare() {
  Workloads& w = Loads();
  absl::StatusOr<core::PolicySet> policies = common::LoadPolicyFolder(UNITCLOCK_POLICY_DIR);
  if (!policies.ok()) return std::string(policies.status().message());
  w.policies = *std::move(policies);
  absl::StatusOr<core::exports::BillingConfig> billing =
      common::LoadBillingConfig(UNITCLOCK_POLICY_DIR);
  if (!billing.ok()) return std::string(billing.status().message());
  w.billing = *std::move(billing);

  std::ostringstream info;
  for (const std::int64_t n : kDayEvents) {
    w.days[n] = MakePatientDay(static_cast<std::size_t>(n), kSeed);
    if (std::string error = CheckDay(n, w.days[n], w.policies, info); !error.empty()) {
      return error;
    }
  }
  w.claims = MakeClaims(static_cast<std::size_t>(kExportLines), kSeed);
  w.created_at = core::TimePoint(core::Day(std::chrono::year{2026} / 12 / 1)) +
                 std::chrono::hours(18) + std::chrono::minutes(5);
  w.envelope.interchange_control_number = 1796050800 % 999999999 + 1;
  w.envelope.group_control_number = 42;
  w.envelope.created_at = w.created_at;
  if (std::string error = CheckExports(w, info); !error.empty()) return error;
  std::cerr << info.str();
  return "";
}

const PatientDay& DayOf(const benchmark::State& state) { return Loads().days.at(state.range(0)); }

void BM_Timeline(benchmark::State& state) {
  const PatientDay& day = DayOf(state);
  const core::TimelinePolicy& policy = Loads().policies.timeline;
  for (auto _ : state) {
    for (const GeneratedSession& s : day.sessions) {
      core::Timeline timeline = core::BuildTimeline(s.events, policy);
      benchmark::DoNotOptimize(timeline);
    }
  }
  state.SetComplexityN(state.range(0));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Timeline)
    ->Arg(kDayEvents[0])
    ->Arg(kDayEvents[1])
    ->Arg(kDayEvents[2])
    ->Complexity()
    ->Unit(benchmark::kMicrosecond);

// The SuggestCodes RPC's core work for one patient-day (SuggestForDay).
void BM_Suggestion(benchmark::State& state) {
  const PatientDay& day = DayOf(state);
  const core::PolicySet& policies = Loads().policies;
  for (auto _ : state) {
    std::vector<core::Suggestion> suggestions = SuggestForDay(day, policies);
    benchmark::DoNotOptimize(suggestions);
  }
  state.SetComplexityN(state.range(0));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Suggestion)
    ->Arg(kDayEvents[0])
    ->Arg(kDayEvents[1])
    ->Arg(kDayEvents[2])
    ->Complexity()
    ->Unit(benchmark::kMicrosecond);

// One export format over the claims: items are claim lines, bytes the output.
template <typename Write>
void RunExport(benchmark::State& state, Write write) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = write(Loads());
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}

void BM_ExportCsv(benchmark::State& state) {
  RunExport(state, [](const Workloads& w) { return core::exports::WriteCsv(w.claims); });
}
BENCHMARK(BM_ExportCsv)->Arg(kExportLines)->Unit(benchmark::kMicrosecond);

void BM_ExportX12_837P(benchmark::State& state) {
  RunExport(state, [](const Workloads& w) {
    return core::exports::WriteX12_837P(w.claims, w.billing, w.envelope);
  });
}
BENCHMARK(BM_ExportX12_837P)->Arg(kExportLines)->Unit(benchmark::kMicrosecond);

void BM_ExportFhirClaim(benchmark::State& state) {
  RunExport(state, [](const Workloads& w) {
    return core::exports::WriteFhirBundle(w.claims, w.billing, w.created_at);
  });
}
BENCHMARK(BM_ExportFhirClaim)->Arg(kExportLines)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace unitclock::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (const std::string error = unitclock::bench::Prepare(); !error.empty()) {
    std::cerr << "core_bench: workload check failed: " << error << "\n";
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

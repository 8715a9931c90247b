// reviewer_cli: the review desk on the command line, for therapists and
// billing staff. It lists the suggestions waiting for review, shows one with
// the reasons behind every unit, approves, amends or rejects it, prints a
// patient-day's audit trail and exports the approved lines to a file, all
// over unitclockd's ReviewService.
//
//   UNITCLOCK_TOKEN=<token> reviewer_cli [--target HOST:PORT] [--ca-cert CA.pem]
//       [--platform PLATFORM] SUBCOMMAND ...
//
// The token (or --token-file) decides the platform and what may be done:
// role "reviewer" to review, "billing" to export. --platform is needed only
// with an admin token for every platform.
//
//   pending --from YYYY-MM-DD --to YYYY-MM-DD [--provider REF] [--all]
//       [--include-provisional]            (also spelled `list`)
//       One line per suggestion (pending or needing re-review; --all: every
//       state), e.g.
//         2026-11-27.pt.bWVk... 2026-11-27 pt-4f9c2a medicare pending 97110 x2 GP 95 POS 10
//       A remote monitoring suggestion (dated by its period's last day) ends
//       with its period in brackets:
//         2026-10-30.pt-rtmd.bWVk... 2026-10-30 pt-7f3a medicare pending 98977 x1 GP POS 11;
//           98975 x1 GP POS 11 [device period 2026-10-01..2026-10-30, 18 days]
//         2026-10-31.pt-rtm.bWVk... 2026-10-31 pt-7f3a medicare pending 98980 x1 GP POS 11
//           [2026-10 calendar month, 21 min, contact: visit visit-2026-10-14]
//       (one line each). --include-provisional also lists the months and
//       device periods that have not closed yet; they end ", provisional]".
//   show SUGGESTION_ID
//       State, etag, lines with the time (or, for a device line, the dates
//       of data) behind every unit, warnings, then the documentation summary
//       and both unit methods of a visit, or the period of a monitoring
//       suggestion (management time, contacts, dates of data), and the
//       approved lines.
//   approve SUGGESTION_ID --reviewer REF [--etag ETAG] [--override-reason TEXT]
//   amend SUGGESTION_ID --reviewer REF --reason TEXT [--etag ETAG]
//       --line "CODE UNITS MOD,MOD POS" [--line ...] [--override-reason TEXT]
//       e.g. --line "97110 1 GP,95 10"; "-" (or nothing) for no modifiers:
//       --line "97750 1 - 10" or --line "97750 1 10".
//   reject SUGGESTION_ID --reviewer REF --reason TEXT
//   audit --patient REF --date YYYY-MM-DD
//   export --from YYYY-MM-DD --to YYYY-MM-DD --format csv|x12|fhir --out FILE
//       --actor REF [--include-exported]
//       Streams the claims into FILE, then prints the batch id and counts.
//       With nothing to export, says so and writes no FILE (exit status 0).
//
// approve and amend take --etag (printed by `show`) so that the server
// refuses them if late events changed the numbers since; without it, and for
// reject, the current version is reviewed. Exit status: 0 on success; 2 on a bad command line or
// a failed call (the gRPC status message is printed on stderr).
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "examples/connect/connect.h"
#include "examples/scenario/period_text.h"
#include "unitclock/v1/review.grpc.pb.h"

namespace {

namespace v1 = unitclock::v1;
namespace examples = unitclock::examples;
using google::protobuf::util::TimeUtil;

constexpr int kFailed = 2;

// Options shared by every subcommand.
struct Globals {
  std::string platform;  // empty: the token's
  int timeout_s = 60;
};

class Desk {
 public:
  Desk(const Globals& g, examples::Connection connection)
      : globals_(g),
        connection_(std::move(connection)),
        stub_(v1::ReviewService::NewStub(connection_.channel)) {}

  v1::ReviewService::Stub& stub() { return *stub_; }
  const std::string& platform() const { return globals_.platform; }

  // A context with the call deadline.
  std::unique_ptr<grpc::ClientContext> Context() const {
    auto context = std::make_unique<grpc::ClientContext>();
    connection_.Authorize(*context);
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(globals_.timeout_s));
    return context;
  }

 private:
  Globals globals_;
  examples::Connection connection_;
  std::unique_ptr<v1::ReviewService::Stub> stub_;
};

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

int CallFailed(const std::string& what, const grpc::Status& status) {
  std::cerr << "reviewer_cli: " << what << " failed: " << CodeName(status.error_code()) << ": "
            << status.error_message() << "\n";
  return kFailed;
}

int UsageError(const std::string& message) {
  std::cerr << "reviewer_cli: " << message << "\n";
  return kFailed;
}

// "REVIEW_STATE_NEEDS_REREVIEW" -> "needs_rereview".
std::string ShortName(const std::string& enum_name, const std::string& prefix) {
  std::string s = enum_name.rfind(prefix, 0) == 0 ? enum_name.substr(prefix.size()) : enum_name;
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string StateName(v1::ReviewState state) {
  return ShortName(v1::ReviewState_Name(state), "REVIEW_STATE_");
}

std::string MethodName(v1::UnitMethod method) {
  return ShortName(v1::UnitMethod_Name(method), "UNIT_METHOD_");
}

std::string JoinAll(const google::protobuf::RepeatedPtrField<std::string>& parts,
                    const std::string& separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

// "97110 x2 GP 95 POS 10"; a line without a place of service (a monitoring
// line may have none) leaves "POS" out.
template <typename Line>
std::string Compact(const Line& line) {
  std::string out = line.code() + " x" + std::to_string(line.units());
  for (const std::string& m : line.modifiers()) out += " " + m;
  if (line.place_of_service().empty()) return out;
  return out + " POS " + line.place_of_service();
}

std::string Interval(const v1::TimeInterval& interval) {
  return TimeUtil::ToString(interval.start_time()) + "/" + TimeUtil::ToString(interval.end_time());
}

std::string Name(const std::string& suggestion_id) { return "suggestions/" + suggestion_id; }

// Reads one suggestion; prints the error and returns nullopt on failure.
std::optional<v1::ReviewedSuggestion> Fetch(Desk& desk, const std::string& id) {
  v1::GetSuggestionRequest request;
  request.set_name(Name(id));
  request.set_platform(desk.platform());
  v1::ReviewedSuggestion response;
  const grpc::Status status = desk.stub().GetSuggestion(desk.Context().get(), request, &response);
  if (!status.ok()) {
    CallFailed("GetSuggestion", status);
    return std::nullopt;
  }
  return response;
}

// --- pending --------------------------------------------------------------

struct PendingOptions {
  std::string from, to, provider;
  bool all = false;
  bool include_provisional = false;  // also months and device periods still open
};

int Pending(Desk& desk, const PendingOptions& o) {
  v1::ListSuggestionsRequest request;
  request.set_platform(desk.platform());
  request.set_provider_ref(o.provider);
  request.set_date_min(o.from);
  request.set_date_max(o.to);
  request.set_include_provisional(o.include_provisional);
  if (o.all) {
    for (int s = v1::ReviewState_MIN; s <= v1::ReviewState_MAX; ++s) {
      if (s != v1::REVIEW_STATE_UNSPECIFIED && v1::ReviewState_IsValid(s)) {
        request.add_states(static_cast<v1::ReviewState>(s));
      }
    }
  }
  v1::ListSuggestionsResponse response;
  const grpc::Status status = desk.stub().ListSuggestions(desk.Context().get(), request, &response);
  if (!status.ok()) return CallFailed("ListSuggestions", status);
  for (const v1::ReviewedSuggestion& r : response.suggestions()) {
    const v1::Suggestion& s = r.suggestion();
    std::cout << r.suggestion_id() << " " << s.date_of_service() << " " << s.patient_ref() << " "
              << s.payer_id() << " " << StateName(r.state());
    std::string lines;
    for (const v1::SuggestedLine& l : s.lines()) {
      if (!lines.empty()) lines += "; ";
      lines += Compact(l);
      if (l.blocking()) lines += " BLOCKED";
    }
    std::cout << " " << (lines.empty() ? "(no lines)" : lines);
    if (s.has_monitoring()) std::cout << " [" << examples::DescribeMonitoringPeriod(s) << "]";
    std::cout << "\n";
  }
  if (response.suggestions_size() == 0) {
    std::cout << "no suggestions" << (o.all ? "" : " waiting for review") << " from " << o.from
              << " to " << o.to << "\n";
  }
  return 0;
}

// --- show -----------------------------------------------------------------

void PrintMethods(const v1::Suggestion& s) {
  const v1::MethodResult& a = s.medicare_pooled();
  const v1::MethodResult& b = s.cpt_midpoint();
  std::map<std::string, std::pair<int, int>> codes;
  for (const auto& [code, units] : a.units_by_code()) codes[code].first = units;
  for (const auto& [code, units] : b.units_by_code()) codes[code].second = units;
  auto row = [](const std::string& label, const std::string& x, const std::string& y) {
    std::cout << "  " << std::left << std::setw(10) << label << std::setw(18) << x << y << "\n";
  };
  std::cout << "methods (used: " << MethodName(s.method_used()) << "):\n";
  row("", MethodName(a.method()), MethodName(b.method()));
  for (const auto& [code, units] : codes) {
    row(code, std::to_string(units.first), std::to_string(units.second));
  }
  row("total", std::to_string(a.total_units()), std::to_string(b.total_units()));
  const std::string tied_a = JoinAll(a.tied_codes(), ",");
  const std::string tied_b = JoinAll(b.tied_codes(), ",");
  if (!tied_a.empty() || !tied_b.empty()) {
    row("tied", tied_a.empty() ? "-" : tied_a, tied_b.empty() ? "-" : tied_b);
  }
}

// A visit's documentation summary and both unit methods.
void PrintVisitFacts(const v1::Suggestion& s) {
  const v1::Documentation& d = s.documentation();
  std::cout << "documentation:\n"
            << "  total timed minutes: " << d.total_timed_minutes() << "\n"
            << "  total treatment minutes: " << d.total_treatment_minutes() << "\n";
  const std::map<std::string, int> by_code(d.minutes_by_code().begin(), d.minutes_by_code().end());
  for (const auto& [code, minutes] : by_code) {
    std::cout << "  " << code << ": " << minutes << " min\n";
  }
  PrintMethods(s);
}

// A monitoring suggestion's period in full, where a visit has its
// documentation summary and unit methods.
void PrintPeriod(const v1::Suggestion& s) {
  const v1::MonitoringPeriod& p = s.monitoring();
  std::cout << "period: " << examples::DescribeMonitoringPeriod(s) << "\n"
            << "  kind: "
            << ShortName(v1::MonitoringPeriodKind_Name(p.kind()), "MONITORING_PERIOD_KIND_")
            << "  dates: " << p.first_date() << ".." << p.last_date()
            << (p.provisional() ? "  provisional: not closed yet, never exported as it is" : "")
            << "\n"
            << "  episodes: " << JoinAll(p.episode_ids(), ", ") << "\n";
  if (p.kind() == v1::MONITORING_PERIOD_KIND_DEVICE_PERIOD) {
    std::cout << "  days of data (" << p.device_data_dates_size()
              << "): " << JoinAll(p.device_data_dates(), " ") << "\n";
    return;
  }
  std::cout << "  management: " << p.management_minutes() << " min (" << p.management_seconds()
            << " s)";
  if (p.assistant_minutes() > 0) std::cout << ", " << p.assistant_minutes() << " by assistant";
  std::cout << "\n";
  for (const v1::ManagementTime& m : p.management()) {
    std::cout << "    " << Interval(m.interval()) << " " << m.clinician_ref() << " ("
              << ShortName(v1::ProviderRole_Name(m.clinician_role()), "PROVIDER_ROLE_") << ")"
              << (m.interactive() ? " call" : "") << " event " << m.event_id() << "\n";
  }
  std::cout << "  interactive contacts:" << (p.interactive_contacts_size() == 0 ? " (none)" : "")
            << "\n";
  for (const v1::InteractiveContact& c : p.interactive_contacts()) {
    std::cout << "    " << Interval(c.interval()) << " "
              << (c.session_id().empty() ? "call, event " + c.event_id()
                                         : "visit " + c.session_id())
              << ", " << ShortName(v1::Modality_Name(c.modality()), "MODALITY_") << "\n";
  }
}

void PrintSuggestion(const v1::ReviewedSuggestion& r) {
  const v1::Suggestion& s = r.suggestion();
  std::cout << "suggestion " << r.suggestion_id() << "\n"
            << "  state: " << StateName(r.state()) << "\n"
            << "  etag: " << r.etag() << "\n"
            << "  platform: " << r.platform() << "  provider: " << r.provider_ref() << "\n"
            << "  patient: " << s.patient_ref() << "  date of service: " << s.date_of_service()
            << "  payer: " << s.payer_id()
            << "  discipline: " << ShortName(v1::Discipline_Name(s.discipline()), "DISCIPLINE_")
            << "\n"
            << "  sessions: " << JoinAll(s.session_ids(), ", ") << "\n";
  // A monitoring line is counted from days or minutes, not by a unit method.
  std::cout << "lines" << (s.has_monitoring() ? "" : " (" + MethodName(s.method_used()) + ")")
            << ":\n";
  if (s.lines_size() == 0) std::cout << "  (none)\n";
  for (const v1::SuggestedLine& l : s.lines()) {
    std::cout << "  " << l.code() << " " << l.description() << ": " << l.units() << " unit"
              << (l.units() == 1 ? "" : "s") << ", modifiers "
              << (l.modifiers_size() == 0 ? "-" : JoinAll(l.modifiers(), " ")) << ", POS "
              << (l.place_of_service().empty() ? "-" : l.place_of_service()) << ", " << l.minutes()
              << " min";
    if (l.assistant_minutes() > 0) std::cout << " (" << l.assistant_minutes() << " by assistant)";
    if (l.blocking()) std::cout << "  BLOCKED until a therapist overrides";
    std::cout << "\n";
    if (l.warning_codes_size() > 0) {
      std::cout << "    warnings: " << JoinAll(l.warning_codes(), ", ") << "\n";
    }
    for (const v1::UnitProvenance& p : l.unit_provenance()) {
      std::cout << "    unit " << p.unit_number() << ":";
      for (const v1::TimeInterval& i : p.intervals()) std::cout << " " << Interval(i);
      for (const std::string& d : p.dates()) std::cout << " " << d;
      std::cout << "\n";
    }
  }
  std::cout << "warnings:\n";
  if (s.warnings_size() == 0) std::cout << "  (none)\n";
  for (const v1::CodingWarning& w : s.warnings()) {
    std::cout << "  " << ShortName(v1::Severity_Name(w.severity()), "SEVERITY_") << " " << w.code();
    if (!w.cpt_code().empty()) std::cout << " (" << w.cpt_code() << ")";
    std::cout << ": " << w.message() << "\n";
  }
  if (s.has_monitoring()) {
    PrintPeriod(s);
  } else {
    PrintVisitFacts(s);
  }
  std::cout << "approved lines:\n";
  if (r.approved_lines_size() == 0) std::cout << "  (none)\n";
  for (const v1::ApprovedLine& l : r.approved_lines()) {
    std::cout << "  " << Compact(l) << " (" << l.minutes() << " min)\n";
  }
}

int Show(Desk& desk, const std::string& id) {
  const std::optional<v1::ReviewedSuggestion> r = Fetch(desk, id);
  if (!r) return kFailed;
  PrintSuggestion(*r);
  return 0;
}

// --- approve, amend, reject -------------------------------------------------

struct ReviewOptions {
  std::string id, reviewer, reason, override_reason;
  std::string etag;  // the version reviewed, from `show`; empty: the current one
  std::vector<std::string> lines;
};

// Parses "CODE UNITS MOD,MOD POS" (modifiers "-" or left out for none).
std::optional<v1::ApprovedLine> ParseLine(const std::string& text, std::string& error) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() != 3 && words.size() != 4) {
    error = "--line \"" + text + "\": expected \"CODE UNITS MOD,MOD POS\"";
    return std::nullopt;
  }
  v1::ApprovedLine line;
  line.set_code(words[0]);
  const std::string& units = words[1];
  if (units.empty() || units.size() > 2 ||
      !std::all_of(units.begin(), units.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; })) {
    error = "--line \"" + text + "\": units \"" + units + "\" is not a number from 1 to 99";
    return std::nullopt;
  }
  line.set_units(std::stoi(units));
  if (words.size() == 4 && words[2] != "-") {
    std::istringstream mods(words[2]);
    for (std::string m; std::getline(mods, m, ',');) {
      if (m.empty()) {
        error = "--line \"" + text + "\": empty modifier in \"" + words[2] + "\"";
        return std::nullopt;
      }
      line.add_modifiers(m);
    }
  }
  line.set_place_of_service(words.back());
  return line;
}

int Review(Desk& desk, v1::ReviewAction action, const ReviewOptions& o) {
  std::vector<v1::ApprovedLine> amended;
  for (const std::string& text : o.lines) {
    std::string error;
    std::optional<v1::ApprovedLine> line = ParseLine(text, error);
    if (!line) return UsageError(error);
    amended.push_back(*line);
  }
  const std::optional<v1::ReviewedSuggestion> current = Fetch(desk, o.id);
  if (!current) return kFailed;

  v1::ReviewSuggestionRequest request;
  request.set_name(Name(o.id));
  request.set_platform(desk.platform());
  request.set_reviewer_ref(o.reviewer);
  request.set_action(action);
  // With --etag, the server refuses (ABORTED) if the numbers changed since
  // the reviewer looked at them with `show`.
  request.set_etag(o.etag.empty() ? current->etag() : o.etag);
  request.set_reason(o.reason);
  request.set_override_reason(o.override_reason);
  // The minutes of an amended line are the code's minutes on the day (a
  // monitoring suggestion has no documentation summary: its line's minutes).
  const auto& minutes = current->suggestion().documentation().minutes_by_code();
  for (v1::ApprovedLine& line : amended) {
    if (auto it = minutes.find(line.code()); it != minutes.end()) {
      line.set_minutes(it->second);
    } else {
      for (const v1::SuggestedLine& l : current->suggestion().lines()) {
        if (l.code() == line.code()) line.set_minutes(l.minutes());
      }
    }
    *request.add_amended_lines() = std::move(line);
  }
  v1::ReviewedSuggestion response;
  const grpc::Status status =
      desk.stub().ReviewSuggestion(desk.Context().get(), request, &response);
  if (!status.ok()) return CallFailed("ReviewSuggestion", status);
  std::cout << ShortName(v1::ReviewAction_Name(action), "REVIEW_ACTION_") << " "
            << response.suggestion_id() << ": now " << StateName(response.state()) << " (etag "
            << response.etag() << ")\n";
  for (const v1::ApprovedLine& l : response.approved_lines()) {
    std::cout << "  " << Compact(l) << " (" << l.minutes() << " min)\n";
  }
  return 0;
}

// --- audit ----------------------------------------------------------------

std::string Lines(const google::protobuf::RepeatedPtrField<v1::ApprovedLine>& lines) {
  if (lines.empty()) return "(none)";
  std::string out;
  for (const v1::ApprovedLine& l : lines) {
    if (!out.empty()) out += "; ";
    out += Compact(l);
  }
  return out;
}

int Audit(Desk& desk, const std::string& patient, const std::string& date) {
  v1::ListAuditRecordsRequest request;
  request.set_platform(desk.platform());
  request.set_patient_ref(patient);
  request.set_date_of_service(date);
  v1::ListAuditRecordsResponse response;
  const grpc::Status status =
      desk.stub().ListAuditRecords(desk.Context().get(), request, &response);
  if (!status.ok()) return CallFailed("ListAuditRecords", status);
  for (const v1::AuditRecord& r : response.records()) {
    std::cout << "#" << r.record_id() << " " << TimeUtil::ToString(r.time()) << " " << r.action()
              << " by " << r.actor() << " on " << r.suggestion_id() << " (etag " << r.etag() << ")";
    if (!r.batch_id().empty()) std::cout << " batch " << r.batch_id();
    std::cout << "\n";
    if (!r.reason().empty()) std::cout << "    reason: " << r.reason() << "\n";
    if (!r.override_reason().empty()) {
      std::cout << "    override reason: " << r.override_reason() << "\n";
    }
    std::cout << "    before: " << Lines(r.before()) << "\n"
              << "    after: " << Lines(r.after()) << "\n";
  }
  std::cout << response.records_size() << " audit record"
            << (response.records_size() == 1 ? "" : "s") << " for " << patient << " on " << date
            << "\n";
  return 0;
}

// --- export ---------------------------------------------------------------

struct ExportOptions {
  std::string from, to, format, out, actor;
  bool include_exported = false;
};

int Export(Desk& desk, const ExportOptions& o) {
  static const std::map<std::string, v1::ExportFormat> kFormats = {
      {"csv", v1::EXPORT_FORMAT_CSV},
      {"x12", v1::EXPORT_FORMAT_X12_837P},
      {"fhir", v1::EXPORT_FORMAT_FHIR_R4},
  };
  v1::ExportClaimsRequest request;
  request.set_platform(desk.platform());
  request.set_actor_ref(o.actor);
  request.set_date_min(o.from);
  request.set_date_max(o.to);
  request.set_format(kFormats.at(o.format));
  request.set_include_exported(o.include_exported);

  // Written next to FILE, renamed once the stream ended well: FILE never
  // holds a partial export.
  const std::string part = o.out + ".part";
  std::ofstream file(part, std::ios::binary | std::ios::trunc);
  if (!file) return UsageError("--out: cannot write \"" + part + "\"");
  auto context = desk.Context();
  auto reader = desk.stub().ExportClaims(context.get(), request);
  v1::ExportClaimsResponse chunk;
  v1::ExportClaimsResponse last;
  std::size_t bytes = 0;
  while (reader->Read(&chunk)) {
    file.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
    bytes += chunk.data().size();
    last = chunk;  // the last message carries the batch id and the counts
  }
  const grpc::Status status = reader->Finish();
  file.close();
  if (!status.ok()) {
    std::remove(part.c_str());
    return CallFailed("ExportClaims", status);
  }
  if (!file) {
    std::remove(part.c_str());
    return UsageError("--out: writing \"" + part + "\" failed");
  }
  // Claims the server could not write: named, with the reason, for the
  // biller to mend; they stay exportable.
  for (const v1::SkippedClaim& skipped : last.skipped_claims()) {
    std::cout << "left out " << skipped.name() << ": " << skipped.reason() << "\n";
  }
  if (last.batch_id().empty() && last.claim_count() == 0 && bytes == 0) {
    // Nothing to export: the server recorded no batch; no file is written.
    std::remove(part.c_str());
    std::cout << "nothing to export from " << o.from << " to " << o.to
              << " (no approved lines not yet exported); no batch recorded, " << o.out
              << " not written\n";
    return 0;
  }
  if (last.batch_id().empty()) {
    std::remove(part.c_str());
    return UsageError("ExportClaims ended without a batch id");
  }
  if (std::rename(part.c_str(), o.out.c_str()) != 0) {
    return UsageError("--out: cannot rename \"" + part + "\" to \"" + o.out + "\"");
  }
  std::cout << "batch " << last.batch_id() << ": " << last.claim_count() << " claim"
            << (last.claim_count() == 1 ? "" : "s") << ", " << last.line_count() << " line"
            << (last.line_count() == 1 ? "" : "s") << ", " << bytes << " bytes of " << o.format
            << " in " << o.out << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"reviewer_cli: review unitclock's suggested CPT lines and export claims"};
  Globals globals;
  examples::ConnectOptions connect;
  examples::AddConnectOptions(app, connect);
  app.add_option("--platform", globals.platform,
                 "The platform (tenant); only for an admin token of every platform");
  app.add_option("--timeout-s", globals.timeout_s, "Deadline of each call, in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.require_subcommand(1);
  // Global options may also follow the subcommand.
  app.fallthrough();
  const auto date = [](CLI::Option* option) {
    return option->required()->check(
        [](const std::string& v) -> std::string {
          const bool ok = v.size() == 10 && v[4] == '-' && v[7] == '-' &&
                          std::all_of(v.begin(), v.end(), [](unsigned char c) {
                            return std::isdigit(c) != 0 || c == '-';
                          });
          return ok ? "" : "must be a date YYYY-MM-DD";
        },
        "YYYY-MM-DD");
  };

  PendingOptions pending;
  CLI::App* pending_cmd = app.add_subcommand("pending", "List the suggestions waiting for review");
  pending_cmd->alias("list");
  date(pending_cmd->add_option("--from", pending.from, "First date of service"));
  date(pending_cmd->add_option("--to", pending.to, "Last date of service (at most 31 days on)"));
  pending_cmd->add_option("--provider", pending.provider, "Only this therapist's suggestions");
  pending_cmd->add_flag("--all", pending.all, "Every state, not only those waiting for review");
  pending_cmd->add_flag("--include-provisional", pending.include_provisional,
                        "Also remote monitoring months and device periods not closed yet");

  std::string show_id;
  CLI::App* show_cmd = app.add_subcommand("show", "Show one suggestion in full");
  show_cmd->add_option("SUGGESTION_ID", show_id, "The suggestion")->required();

  ReviewOptions approve;
  CLI::App* approve_cmd = app.add_subcommand("approve", "Approve a suggestion as suggested");
  approve_cmd->add_option("SUGGESTION_ID", approve.id, "The suggestion")->required();
  approve_cmd->add_option("--reviewer", approve.reviewer, "Your reference")->required();
  approve_cmd->add_option("--override-reason", approve.override_reason,
                          "Why a blocking warning is overridden");
  approve_cmd->add_option("--etag", approve.etag,
                          "The etag `show` printed: refuse if the numbers changed since");

  ReviewOptions amend;
  CLI::App* amend_cmd = app.add_subcommand("amend", "Approve a suggestion with changed lines");
  amend_cmd->add_option("SUGGESTION_ID", amend.id, "The suggestion")->required();
  amend_cmd->add_option("--reviewer", amend.reviewer, "Your reference")->required();
  amend_cmd->add_option("--reason", amend.reason, "Why the lines change")->required();
  amend_cmd
      ->add_option("--line", amend.lines,
                   "A line to bill: \"CODE UNITS MOD,MOD POS\", e.g. \"97110 1 GP,95 10\"")
      ->required();
  amend_cmd->add_option("--override-reason", amend.override_reason,
                        "Why a blocking warning is overridden");
  amend_cmd->add_option("--etag", amend.etag,
                        "The etag `show` printed: refuse if the numbers changed since");

  ReviewOptions reject;
  CLI::App* reject_cmd = app.add_subcommand("reject", "Reject a suggestion: it is not billed");
  reject_cmd->add_option("SUGGESTION_ID", reject.id, "The suggestion")->required();
  reject_cmd->add_option("--reviewer", reject.reviewer, "Your reference")->required();
  reject_cmd->add_option("--reason", reject.reason, "Why it is not billed")->required();

  std::string audit_patient, audit_date;
  CLI::App* audit_cmd = app.add_subcommand("audit", "Print a patient-day's audit trail");
  audit_cmd->add_option("--patient", audit_patient, "The patient's reference")->required();
  date(audit_cmd->add_option("--date", audit_date, "The date of service"));

  ExportOptions export_options;
  CLI::App* export_cmd = app.add_subcommand("export", "Export the approved lines to a file");
  date(export_cmd->add_option("--from", export_options.from, "First date of service"));
  date(export_cmd->add_option("--to", export_options.to, "Last date of service"));
  export_cmd->add_option("--format", export_options.format, "File format")
      ->required()
      ->check(CLI::IsMember({"csv", "x12", "fhir"}));
  export_cmd->add_option("--out", export_options.out, "The file to write")->required();
  export_cmd->add_option("--actor", export_options.actor, "Your reference")->required();
  export_cmd->add_flag("--include-exported", export_options.include_exported,
                       "Also lines exported before");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; every other command-line error exits 2, like a failed call.
    return app.exit(e) == 0 ? 0 : kFailed;
  }

  auto connection = examples::Connect(connect);
  if (!connection.ok()) return UsageError(std::string(connection.status().message()));
  Desk desk(globals, *std::move(connection));
  if (pending_cmd->parsed()) return Pending(desk, pending);
  if (show_cmd->parsed()) return Show(desk, show_id);
  if (approve_cmd->parsed()) return Review(desk, v1::REVIEW_ACTION_APPROVE, approve);
  if (amend_cmd->parsed()) return Review(desk, v1::REVIEW_ACTION_AMEND, amend);
  if (reject_cmd->parsed()) return Review(desk, v1::REVIEW_ACTION_REJECT, reject);
  if (audit_cmd->parsed()) return Audit(desk, audit_patient, audit_date);
  if (export_cmd->parsed()) return Export(desk, export_options);
  return UsageError("a subcommand is required");
}

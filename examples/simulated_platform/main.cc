// simulated_platform: plays the part of a telehealth or digital-rehab
// platform. It reads a scenario file and records its events through the
// platform client library (plugin/client/recorder.h: a local buffer,
// delivered in the background), printing every acknowledgement; or, with
// --mode stream or batch, sends them itself over PublishEvents or in one
// RecordEvents call. Then, for each visit session of the file (in order of
// first appearance), it reads the session back and prints it with its
// timeline totals, and asks for the session's suggested CPT lines, e.g.
//
//   97110 x2 GP 95, POS 10  (25 min)
//
// Last, if the file holds a remote monitoring episode (with its
// monitoring_episode_started), it asks SuggestMonitoringCodes for each of the
// patient's calendar months that the episode's events touch (in the clinic's
// zone) and prints each suggestion's period and lines, e.g.
//
//   monitoring suggestions for pt-7f3a, 2026-10:
//   device period 2026-10-01..2026-10-30, 18 days (medicare, physical_therapy):
//     98977 x1 GP, POS 11  (18 days)
//     98975 x1 GP, POS 11  (18 days)
//   2026-10 calendar month, 21 min, contact: visit visit-2026-10-14 (medicare, physical_therapy):
//     98980 x1 GP, POS 11  (21 min)
//
//   simulated_platform --target 127.0.0.1:50051
//       --scenario examples/scenarios/video_exercise_30min.json
//
// The events are sent at once, whatever their times: a scenario of a month
// takes as long to play as one of half an hour (there is no real-time mode).
// The scenario's event ids are kept, so running it again changes nothing:
// every event comes back OUTCOME_ALREADY_RECORDED.
//
// Exit status: 0 when every event was recorded (or already recorded) and
// each visit session and each monitoring month got a suggestion; 1 when an
// event was rejected (nothing is then read back) or a session or month got
// no suggestion; 2 when a call failed or delivery did not finish in time
// (the recorder's events then wait in its buffer for the next run).
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>

#include "examples/connect/connect.h"
#include "examples/scenario/period_text.h"
#include "examples/scenario/scenario.h"
#include "plugin/client/recorder.h"
#include "unitclock/v1/coding.grpc.pb.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace {

using unitclock::v1::EventAcknowledgement;

// One line per acknowledgement: "ack <id> <OUTCOME>[ code=<n> <message>]".
void Report(const std::string& event_id, EventAcknowledgement::Outcome outcome, int error_code,
            const std::string& error_message, bool& any_rejected) {
  std::cout << "ack " << event_id << " " << EventAcknowledgement::Outcome_Name(outcome);
  if (outcome == EventAcknowledgement::OUTCOME_REJECTED) {
    any_rejected = true;
    std::cout << " code=" << error_code << " " << error_message;
  }
  std::cout << "\n";
}

void Report(const EventAcknowledgement& ack, bool& any_rejected) {
  Report(ack.event_id(), ack.outcome(), ack.error_code(), ack.error_message(), any_rejected);
}

int CallFailed(const std::string& what, const grpc::Status& status) {
  std::cerr << what << " failed: " << status.error_code() << " " << status.error_message() << "\n";
  return 2;
}

// Records the scenario through the client library and waits until the
// server acknowledged every event, for at most `timeout`. Returns 0, or 2 on
// failure (the events stay buffered).
int RecordWithLibrary(const unitclock::examples::Connection& connection,
                      const unitclock::examples::Scenario& scenario, const std::string& buffer,
                      std::chrono::seconds timeout, bool& any_rejected) {
  namespace client = unitclock::client;
  const std::filesystem::path folder = std::filesystem::path(buffer).parent_path();
  std::error_code ec;
  if (!folder.empty()) std::filesystem::create_directories(folder, ec);
  std::mutex mu;  // the acknowledgements arrive on the library's thread
  client::RecorderOptions options;
  options.target = connection.target;
  options.credentials = connection.credentials;
  options.token = connection.token;
  options.buffer_path = buffer;
  options.on_acknowledged = [&](const client::Acknowledgement& a) {
    std::lock_guard lock(mu);
    Report(a.event_id, a.outcome, a.error_code, a.error_message, any_rejected);
  };
  absl::StatusOr<std::unique_ptr<client::Recorder>> recorder = client::Recorder::Open(options);
  if (!recorder.ok()) {
    std::cerr << "--buffer " << buffer << ": " << recorder.status().message() << "\n";
    return 2;
  }
  for (const unitclock::v1::Event& event : scenario.events) {
    absl::StatusOr<std::string> id = (*recorder)->Record(event);
    if (!id.ok()) {
      std::lock_guard lock(mu);
      std::cout << "not recorded " << event.event_id() << ": " << id.status() << "\n";
      any_rejected = true;
    }
  }
  // Wait for delivery; stop early on an error that retrying cannot mend.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!(*recorder)->Flush(std::chrono::milliseconds(200))) {
    const client::DeliveryStatus status = (*recorder)->Status();
    const bool hopeless = status.last_error_code == grpc::StatusCode::UNAUTHENTICATED ||
                          status.last_error_code == grpc::StatusCode::PERMISSION_DENIED;
    if (hopeless || std::chrono::steady_clock::now() > deadline) {
      std::cerr << "delivery failed: "
                << (status.last_error.empty() ? "timed out" : status.last_error) << "; "
                << status.buffered << " events stay in " << buffer << " for the next run\n";
      return 2;
    }
  }
  return 0;
}

// "DISCIPLINE_PHYSICAL_THERAPY" -> "physical_therapy".
std::string DisciplineWord(unitclock::v1::Discipline d) {
  std::string s = unitclock::v1::Discipline_Name(d);
  if (s.rfind("DISCIPLINE_", 0) == 0) s = s.substr(11);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A visit's line: "  97110 x2 GP 95, POS 10  (25 min)". A monitoring line
// says its days of data or its minutes: "  98977 x1 GP, POS 11  (18 days)",
// with its place of service only if it has one.
void PrintLine(const unitclock::v1::SuggestedLine& line, bool monitoring) {
  std::cout << "  " << line.code() << " x" << line.units();
  for (const std::string& m : line.modifiers()) std::cout << " " << m;
  if (!monitoring || !line.place_of_service().empty()) {
    std::cout << ", POS " << line.place_of_service();
  }
  std::string basis = std::to_string(line.minutes()) + " min";
  if (monitoring) {
    basis = unitclock::examples::LineBasis(line);  // "(18 days)", or empty
    if (!basis.empty()) basis = basis.substr(1, basis.size() - 2);
  }
  if (line.blocking()) {
    basis += std::string(basis.empty() ? "" : ", ") + "BLOCKED until a therapist overrides";
  }
  if (!basis.empty()) std::cout << "  (" << basis << ")";
  std::cout << "\n";
}

void PrintWarnings(const unitclock::v1::Suggestion& s) {
  for (const auto& w : s.warnings()) {
    std::cout << "  warning " << w.code() << " (" << unitclock::v1::Severity_Name(w.severity())
              << "): " << w.message() << "\n";
  }
}

// Reads a visit session back and prints it with its timeline's totals, then
// its suggested lines. Returns 0, 1 when no suggestion came back, 2 when a
// call failed.
int ReadBackVisit(const unitclock::examples::Connection& connection,
                  const std::string& session_id) {
  auto channel = connection.channel;
  auto stub = unitclock::v1::SessionService::NewStub(channel);
  grpc::ClientContext context;
  connection.Authorize(context);
  unitclock::v1::GetSessionRequest get;
  get.set_name("sessions/" + session_id);
  get.set_view(unitclock::v1::SESSION_VIEW_BASIC);
  unitclock::v1::Session session;
  const grpc::Status status = stub->GetSession(&context, get, &session);
  if (!status.ok()) return CallFailed("GetSession", status);
  // The timeline is printed as totals, not interval by interval.
  const unitclock::v1::Timeline t = session.timeline();
  session.clear_timeline();
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(session, &json, options);
  std::cout << json;
  std::cout << "timeline: " << t.billable_minutes() << " billable minutes of "
            << t.session_seconds() / 60 << "; excluded:";
  for (const auto& e : t.excluded_by_reason()) {
    std::cout << " " << unitclock::v1::ExclusionReason_Name(e.reason()) << "=" << e.seconds()
              << "s";
  }
  std::cout << "\n";

  auto coding = unitclock::v1::CodingService::NewStub(channel);
  grpc::ClientContext suggest_context;
  connection.Authorize(suggest_context);
  unitclock::v1::SuggestCodesRequest suggest;
  suggest.set_session("sessions/" + session_id);
  unitclock::v1::SuggestCodesResponse suggestions;
  const grpc::Status suggest_status = coding->SuggestCodes(&suggest_context, suggest, &suggestions);
  if (!suggest_status.ok()) return CallFailed("SuggestCodes", suggest_status);
  for (const auto& s : suggestions.suggestions()) {
    std::cout << "suggestion for " << s.date_of_service() << " (" << s.payer_id() << ", "
              << unitclock::v1::UnitMethod_Name(s.method_used()) << "):\n";
    for (const auto& line : s.lines()) PrintLine(line, /*monitoring=*/false);
    PrintWarnings(s);
  }
  if (suggestions.suggestions().empty()) {
    std::cerr << "no suggestion for sessions/" << session_id << "\n";
    return 1;
  }
  return 0;
}

// Asks SuggestMonitoringCodes for each month of the scenario's monitoring
// episodes and prints the suggestions. Returns 0, 1 when a month got no
// suggestion, 2 when a call failed.
int SuggestMonitoring(const unitclock::examples::Connection& connection,
                      const std::vector<unitclock::examples::ScenarioMonth>& months) {
  auto coding = unitclock::v1::CodingService::NewStub(connection.channel);
  int rc = 0;
  for (const unitclock::examples::ScenarioMonth& m : months) {
    grpc::ClientContext context;
    connection.Authorize(context);
    unitclock::v1::SuggestMonitoringCodesRequest request;
    request.mutable_patient_month()->set_platform(m.platform);
    request.mutable_patient_month()->set_patient_ref(m.patient_ref);
    request.mutable_patient_month()->set_month(m.month);
    unitclock::v1::SuggestMonitoringCodesResponse response;
    const grpc::Status status = coding->SuggestMonitoringCodes(&context, request, &response);
    if (!status.ok()) return CallFailed("SuggestMonitoringCodes", status);
    std::cout << "monitoring suggestions for " << m.patient_ref << ", " << m.month << ":\n";
    for (const auto& s : response.suggestions()) {
      std::cout << unitclock::examples::DescribeMonitoringPeriod(s) << " (" << s.payer_id() << ", "
                << DisciplineWord(s.discipline()) << "):\n";
      for (const auto& line : s.lines()) PrintLine(line, /*monitoring=*/true);
      if (s.lines().empty()) std::cout << "  (no line)\n";
      PrintWarnings(s);
    }
    if (response.suggestions().empty()) {
      std::cerr << "no monitoring suggestion for " << m.patient_ref << " in " << m.month << "\n";
      rc = 1;
    }
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"simulated_platform: stream a scenario file to unitclockd"};
  unitclock::examples::ConnectOptions connect;
  std::string scenario_path;
  std::string mode = "recorder";
  std::string buffer = "var/simulated_platform.buffer";
  int timeout_s = 30;
  unitclock::examples::AddConnectOptions(app, connect);
  app.add_option("--scenario", scenario_path, "Scenario JSON file")->required();
  app.add_option("--mode", mode,
                 "recorder (the client library, plugin/client), stream (PublishEvents by hand) "
                 "or batch (one RecordEvents call)")
      ->check(CLI::IsMember({"recorder", "stream", "batch"}))
      ->capture_default_str();
  app.add_option("--buffer", buffer, "recorder: the client library's buffer file")
      ->capture_default_str();
  app.add_option("--timeout-s", timeout_s, "recorder: how long to wait for delivery")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto scenario = unitclock::examples::LoadScenario(scenario_path);
  if (!scenario.ok()) {
    std::cerr << scenario_path << ": " << scenario.status().message() << "\n";
    return 2;
  }
  auto connection = unitclock::examples::Connect(connect);
  if (!connection.ok()) {
    std::cerr << connection.status().message() << "\n";
    return 2;
  }
  auto channel = connection->channel;
  auto stub = unitclock::v1::SessionService::NewStub(channel);
  bool any_rejected = false;

  if (mode == "recorder") {
    const int rc = RecordWithLibrary(*connection, *scenario, buffer,
                                     std::chrono::seconds(timeout_s), any_rejected);
    if (rc != 0) return rc;
  } else if (mode == "stream") {
    grpc::ClientContext context;
    connection->Authorize(context);
    auto stream = stub->PublishEvents(&context);
    unitclock::v1::PublishEventsResponse response;
    for (const auto& event : scenario->events) {
      unitclock::v1::PublishEventsRequest request;
      *request.mutable_event() = event;
      // One event in flight at a time keeps the output in scenario order.
      if (!stream->Write(request) || !stream->Read(&response)) break;
      Report(response.acknowledgement(), any_rejected);
    }
    stream->WritesDone();
    const grpc::Status status = stream->Finish();
    if (!status.ok()) return CallFailed("PublishEvents", status);
  } else {
    grpc::ClientContext context;
    connection->Authorize(context);
    unitclock::v1::RecordEventsRequest request;
    for (const auto& event : scenario->events) *request.add_events() = event;
    unitclock::v1::RecordEventsResponse response;
    const grpc::Status status = stub->RecordEvents(&context, request, &response);
    if (!status.ok()) return CallFailed("RecordEvents", status);
    for (const auto& ack : response.acknowledgements()) Report(ack, any_rejected);
  }

  if (any_rejected) {
    std::cerr << "an event was rejected: fix it and record it again with a new id\n";
    return 1;
  }

  if (scenario->session_ids.empty()) {
    std::cerr << scenario_path << ": no events\n";
    return 1;
  }
  // Visit sessions first, in the file's order, then the monitoring months.
  int rc = 0;
  for (const std::string& id : scenario->session_ids) {
    if (unitclock::examples::IsMonitoringEpisode(*scenario, id)) continue;
    const int visit_rc = ReadBackVisit(*connection, id);
    if (visit_rc == 2) return visit_rc;
    rc = std::max(rc, visit_rc);
  }
  const auto months = unitclock::examples::MonitoringMonths(*scenario);
  if (!months.ok()) {
    std::cerr << scenario_path << ": " << months.status().message() << "\n";
    return 2;
  }
  for (const std::string& id : scenario->session_ids) {
    const bool started = std::any_of(
        scenario->events.begin(), scenario->events.end(), [&](const unitclock::v1::Event& e) {
          return e.session_id() == id && e.has_monitoring_episode_started();
        });
    if (unitclock::examples::IsMonitoringEpisode(*scenario, id) && !started) {
      std::cout << "episode " << id
                << ": no monitoring_episode_started in the file, so its patient and months are "
                   "unknown here; not coded\n";
    }
  }
  const int monitoring_rc = SuggestMonitoring(*connection, *months);
  if (monitoring_rc == 2) return monitoring_rc;
  return std::max(rc, monitoring_rc);
}

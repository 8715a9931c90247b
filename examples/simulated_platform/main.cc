// simulated_platform: plays the part of a telehealth platform. It reads a
// scenario file and records its events through the platform client library
// (plugin/client/recorder.h: a local buffer, delivered in the background),
// printing every acknowledgement; or, with --mode stream or batch, sends
// them itself over PublishEvents or in one RecordEvents call. Then it reads
// the session back and prints it with its timeline totals, and last asks
// for the suggested CPT lines and prints them, e.g.
//
//   97110 x2 GP 95, POS 10  (25 min)
//
//   simulated_platform --target 127.0.0.1:50051
//       --scenario examples/scenarios/video_exercise_30min.json
//
// The scenario's event ids are kept, so running it again changes nothing:
// every event comes back OUTCOME_ALREADY_RECORDED.
//
// Exit status: 0 when every event was recorded (or already recorded) and a
// suggestion came back, 1 when an event was rejected (the session is then not
// read back) or no suggestion came back, 2 when a call
// failed or delivery did not finish in time (the recorder's events then wait
// in its buffer for the next run).
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>

#include "examples/connect/connect.h"
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

  grpc::ClientContext context;
  connection->Authorize(context);
  unitclock::v1::GetSessionRequest get;
  get.set_name("sessions/" + scenario->session_id);
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
  connection->Authorize(suggest_context);
  unitclock::v1::SuggestCodesRequest suggest;
  suggest.set_session("sessions/" + scenario->session_id);
  unitclock::v1::SuggestCodesResponse suggestions;
  const grpc::Status suggest_status = coding->SuggestCodes(&suggest_context, suggest, &suggestions);
  if (!suggest_status.ok()) return CallFailed("SuggestCodes", suggest_status);
  for (const auto& s : suggestions.suggestions()) {
    std::cout << "suggestion for " << s.date_of_service() << " (" << s.payer_id() << ", "
              << unitclock::v1::UnitMethod_Name(s.method_used()) << "):\n";
    for (const auto& line : s.lines()) {
      std::cout << "  " << line.code() << " x" << line.units();
      for (const std::string& m : line.modifiers()) std::cout << " " << m;
      std::cout << ", POS " << line.place_of_service() << "  (" << line.minutes() << " min"
                << (line.blocking() ? ", BLOCKED until a therapist overrides" : "") << ")\n";
    }
    for (const auto& w : s.warnings()) {
      std::cout << "  warning " << w.code() << " (" << unitclock::v1::Severity_Name(w.severity())
                << "): " << w.message() << "\n";
    }
  }
  if (suggestions.suggestions().empty()) {
    std::cerr << "no suggestion for sessions/" << scenario->session_id << "\n";
    return 1;
  }
  return 0;
}

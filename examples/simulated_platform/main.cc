// simulated_platform: plays the part of a telehealth platform. It reads a
// scenario file, streams its events to unitclockd over PublishEvents (or
// sends them in one RecordEvents batch), prints every acknowledgement, then
// reads the session back and prints it with its timeline totals, and last
// asks for the suggested CPT lines and prints them, e.g.
//
//   97110 x2 GP 95, POS 10  (25 min)
//
//   simulated_platform --target 127.0.0.1:50051
//       --scenario examples/scenarios/video_exercise_30min.json
//
// Exit status: 0 when every event was recorded (or already recorded), 1 when
// an event was rejected, 2 when a call failed.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "examples/connect/connect.h"
#include "examples/scenario/scenario.h"
#include "unitclock/v1/coding.grpc.pb.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace {

using unitclock::v1::EventAcknowledgement;

void Report(const EventAcknowledgement& ack, bool& any_rejected) {
  std::cout << "ack " << ack.event_id() << " " << EventAcknowledgement::Outcome_Name(ack.outcome());
  if (ack.outcome() == EventAcknowledgement::OUTCOME_REJECTED) {
    any_rejected = true;
    std::cout << " code=" << ack.error_code() << " " << ack.error_message();
  }
  std::cout << "\n";
}

int CallFailed(const std::string& what, const grpc::Status& status) {
  std::cerr << what << " failed: " << status.error_code() << " " << status.error_message() << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"simulated_platform: stream a scenario file to unitclockd"};
  unitclock::examples::ConnectOptions connect;
  std::string scenario_path;
  std::string mode = "stream";
  unitclock::examples::AddConnectOptions(app, connect);
  app.add_option("--scenario", scenario_path, "Scenario JSON file")->required();
  app.add_option("--mode", mode, "stream (PublishEvents) or batch (RecordEvents)")
      ->check(CLI::IsMember({"stream", "batch"}))
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

  if (mode == "stream") {
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
  return any_rejected ? 1 : 0;
}

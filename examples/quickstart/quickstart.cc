// examples/quickstart/quickstart.cc: docs/client-library.md's C++ snippet, run by ctest CppExample.
// Build it against the installed library (examples/quickstart/CMakeLists.txt:
// find_package(unitclock), link unitclock::client); run with UNITCLOCK_TOKEN set.
// Exits 1 if an event is rejected or no line is suggested, 2 if a call fails.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "unitclock/client/recorder.h"
#include "unitclock/v1/caller.grpc.pb.h"
#include "unitclock/v1/coding.grpc.pb.h"
namespace v1 = unitclock::v1;
using namespace std::chrono_literals;

int main() {
  const char* token = std::getenv("UNITCLOCK_TOKEN");  // a token with role "platform"
  if (token == nullptr) return 2;
  unitclock::client::RecorderOptions options;
  options.target =
      std::getenv("UNITCLOCK_TARGET") ? std::getenv("UNITCLOCK_TARGET") : "127.0.0.1:50051";
  options.token = token;
  options.buffer_path = "unitclock-buffer.db";  // what is not yet delivered survives a crash
  // TLS in production: options.credentials = grpc::SslCredentials({.pem_root_certs = <your CA>});
  std::atomic<int> rejected = 0;
  options.on_acknowledged = [&](const unitclock::client::Acknowledgement& a) {  // library's thread
    if (a.rejected()) ++rejected;
    std::cout << a.event_id << " " << v1::EventAcknowledgement::Outcome_Name(a.outcome) << " "
              << a.error_message << "\n";
  };
  auto opened = unitclock::client::Recorder::Open(options);
  if (!opened.ok()) return std::cerr << opened.status() << "\n", 2;
  unitclock::client::Recorder& recorder = **opened;

  // The token decides the platform: ask it rather than hard-code it.
  auto channel = grpc::CreateChannel(options.target, grpc::InsecureChannelCredentials());
  grpc::ClientContext caller_context;
  caller_context.AddMetadata("authorization", std::string("Bearer ") + token);
  v1::Caller me;
  grpc::Status got = v1::CallerService::NewStub(channel)->GetCaller(&caller_context, {}, &me);
  if (!got.ok()) return std::cerr << "GetCaller: " << got.error_message() << "\n", 2;
  v1::SessionStarted started;
  started.set_platform(me.platform());
  started.set_patient_ref("pt-3c77d1");  // an opaque reference, never a name
  started.set_provider_ref("prov-17b3");
  started.set_provider_role(v1::PROVIDER_ROLE_PT);
  started.set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
  started.set_payer_id("medicare");
  started.set_clinic_time_zone("America/Chicago");
  started.set_patient_location(v1::PATIENT_LOCATION_HOME);
  started.set_planned_modality(v1::MODALITY_AUDIO_VIDEO);
  const std::string s = "acme-visit-8814";                     // your visit's id
  const std::chrono::system_clock::time_point t{1795791600s};  // 2026-11-27T15:00:00Z
  // Each call returns the new event's id at once (or INVALID_ARGUMENT, or
  // RESOURCE_EXHAUSTED when the buffer is full); delivery runs in the background.
  for (const absl::StatusOr<std::string>& id :
       {recorder.SessionStarted(s, t, started),
        recorder.ParticipantJoined(s, t + 1min, v1::PARTICIPANT_PROVIDER),
        recorder.ParticipantJoined(s, t + 1min, v1::PARTICIPANT_PATIENT),
        recorder.MediaChanged(s, t + 1min, v1::MODALITY_AUDIO_VIDEO),
        recorder.ActivityStarted(s, t + 2min, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE,
                                 v1::PARTICIPANT_PROVIDER),
        recorder.ActivityEnded(s, t + 27min, "ex-1"),
        recorder.Stopped(s, t + 30min, v1::STOP_REASON_ENDED)}) {
    if (!id.ok()) return std::cerr << id.status() << "\n", 2;
  }
  if (!recorder.Flush(30s)) return std::cerr << recorder.Status().last_error << "\n", 2;
  if (rejected > 0) return std::cerr << rejected << " event(s) rejected: fix, record again\n", 1;

  auto coding = v1::CodingService::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization", std::string("Bearer ") + token);
  v1::SuggestCodesRequest request;
  request.set_session("sessions/" + s);
  v1::SuggestCodesResponse response;
  if (!coding->SuggestCodes(&context, request, &response).ok()) return 2;
  int lines = 0;
  for (const v1::Suggestion& suggestion : response.suggestions()) {
    for (const v1::SuggestedLine& l : suggestion.lines()) {
      std::cout << l.code() << " x" << l.units();
      for (const std::string& m : l.modifiers()) std::cout << " " << m;
      std::cout << " POS " << l.place_of_service() << "\n";
      ++lines;
    }
  }
  if (lines == 0) return std::cerr << "no suggested line\n", 1;
}

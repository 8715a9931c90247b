// echo_server: the transport's limit for the ingest benchmark. Serves
// unitclock.v1.SessionService/PublishEvents with unitclockd's own stream
// reactor, and RecordEvents with its own decoding of the request, the same
// gRPC library and the same messages, but acknowledges every event as
// recorded at once, storing nothing and checking nothing.
//
//   echo_server --listen 127.0.0.1:0 --port-file F   (SIGINT/SIGTERM stops it)
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <fstream>
#include <iostream>

#include "plugin/service/event_decode.h"
#include "plugin/service/publish_stream.h"
#include "plugin/service/rpc_status.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::bench {
namespace {

class EchoSink final : public service::EventSink {
 public:
  void Submit(const v1::Event& event, AckDone done) override {
    v1::EventAcknowledgement ack;
    ack.set_event_id(event.event_id());
    ack.set_outcome(v1::EventAcknowledgement::OUTCOME_RECORDED);
    std::move(done)(std::move(ack));
  }
};

class EchoService final
    : public v1::SessionService::WithRawCallbackMethod_PublishEvents<
          v1::SessionService::WithRawCallbackMethod_RecordEvents<v1::SessionService::Service>> {
 public:
  grpc::ServerUnaryReactor* RecordEvents(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request_bytes,
                                         grpc::ByteBuffer* response_bytes) override {
    absl::StatusOr<v1::RecordEventsRequest> request =
        service::DecodeRecordEventsRequest(*request_bytes);
    if (!request.ok()) return service::FinishUnary(context, request.status());
    v1::RecordEventsResponse response;
    for (const v1::Event& event : request->events()) {
      v1::EventAcknowledgement* ack = response.add_acknowledgements();
      ack->set_event_id(event.event_id());
      ack->set_outcome(v1::EventAcknowledgement::OUTCOME_RECORDED);
    }
    *response_bytes = service::EncodeMessage(response);
    return service::FinishUnary(context, absl::OkStatus());
  }

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* PublishEvents(
      grpc::CallbackServerContext* /*context*/) override {
    return new service::PublishStream(service::StreamSlot(), std::make_unique<EchoSink>(),
                                      draining_, service::kPublishWindow);
  }

 private:
  std::atomic<bool> draining_{false};
};

}  // namespace
}  // namespace unitclock::bench

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  CLI::App app{"unitclock ingest benchmark: echo service"};
  app.add_option("--listen", listen, "Address to serve on (port 0 picks a free port)");
  app.add_option("--port-file", port_file, "Write the bound port to this file once serving");
  CLI11_PARSE(app, argc, argv);

  // Blocked before gRPC starts its threads, so that sigwait below gets them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  unitclock::bench::EchoService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "echo_server: cannot listen on " << listen << "\n";
    return 1;
  }
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << port << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::cerr << "echo_server: serving on port " << port << "\n";
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server->Shutdown(std::chrono::system_clock::now());
  return 0;
}

#include "tests/bench/ingest/echo_service.h"

#include <memory>
#include <utility>

#include "plugin/service/event_decode.h"
#include "plugin/service/publish_stream.h"
#include "plugin/service/rpc_status.h"

namespace unitclock::bench {
namespace {

class EchoSink final : public service::EventSink {
 public:
  void Submit(service::ReceivedEvent received, AckDone done) override {
    v1::EventAcknowledgement ack;
    ack.set_event_id(received.event.event_id());
    ack.set_outcome(v1::EventAcknowledgement::OUTCOME_RECORDED);
    std::move(done)(std::move(ack));
  }
};

}  // namespace

grpc::ServerUnaryReactor* EchoService::RecordEvents(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request_bytes,
                                                    grpc::ByteBuffer* response_bytes) {
  absl::StatusOr<std::vector<service::ReceivedEvent>> events =
      service::DecodeRecordEventsRequest(*request_bytes);
  if (!events.ok()) return service::FinishUnary(context, events.status());
  v1::RecordEventsResponse response;
  for (const service::ReceivedEvent& received : *events) {
    v1::EventAcknowledgement* ack = response.add_acknowledgements();
    ack->set_event_id(received.event.event_id());
    ack->set_outcome(v1::EventAcknowledgement::OUTCOME_RECORDED);
  }
  *response_bytes = service::EncodeMessage(response);
  return service::FinishUnary(context, absl::OkStatus());
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* EchoService::PublishEvents(
    grpc::CallbackServerContext* /*context*/) {
  return new service::PublishStream(service::StreamSlot(), std::make_unique<EchoSink>(), draining_,
                                    service::kPublishWindow);
}

}  // namespace unitclock::bench

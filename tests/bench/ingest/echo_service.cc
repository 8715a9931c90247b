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
  void Submit(const v1::Event& event, AckDone done) override {
    v1::EventAcknowledgement ack;
    ack.set_event_id(event.event_id());
    ack.set_outcome(v1::EventAcknowledgement::OUTCOME_RECORDED);
    std::move(done)(std::move(ack));
  }
};

}  // namespace

grpc::ServerUnaryReactor* EchoService::RecordEvents(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request_bytes,
                                                    grpc::ByteBuffer* response_bytes) {
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

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* EchoService::PublishEvents(
    grpc::CallbackServerContext* /*context*/) {
  return new service::PublishStream(service::StreamSlot(), std::make_unique<EchoSink>(),
                                    draining_, service::kPublishWindow);
}

}  // namespace unitclock::bench

#pragma once

// The echo service of the ingest benchmark: the transport's limit. Serves
// unitclock.v1.SessionService/PublishEvents with unitclockd's own stream
// reactor, and RecordEvents with its own decoding of the request, the same
// gRPC library and the same messages, but acknowledges every event as
// recorded at once, storing nothing and checking nothing. echo_server serves
// it on a port; ingest_load --null-sink serves it in its own process.
#include <atomic>

#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::bench {

class EchoService final
    : public v1::SessionService::WithRawCallbackMethod_PublishEvents<
          v1::SessionService::WithRawCallbackMethod_RecordEvents<v1::SessionService::Service>> {
 public:
  grpc::ServerUnaryReactor* RecordEvents(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request_bytes,
                                         grpc::ByteBuffer* response_bytes) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* PublishEvents(
      grpc::CallbackServerContext* context) override;

 private:
  std::atomic<bool> draining_{false};
};

}  // namespace unitclock::bench

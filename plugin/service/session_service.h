#pragma once

#include <atomic>

#include "plugin/common/clock.h"
#include "plugin/service/access.h"
#include "plugin/service/event_recorder.h"
#include "plugin/service/service_options.h"
#include "plugin/store/event_log.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::service {

// The gRPC handlers of unitclock.v1.SessionService. Each handler converts,
// calls the recorder or the store, and converts back; no rule lives here.
//
// PublishEvents and RecordEvents are raw methods: gRPC hands them the bytes
// of each message (grpc::ByteBuffer) and unitclock parses them itself
// (event_decode.h), because gRPC, failing to parse a message, would end the
// stream with OK and no word (losing the events after it) or answer
// UNIMPLEMENTED with no message. An undecodable PublishEvents message is
// acknowledged REJECTED (INVALID_ARGUMENT) and the stream goes on; an
// undecodable RecordEvents body is INVALID_ARGUMENT naming the field.
//
// Thread-safe: gRPC calls the handlers from its own threads.
class SessionServiceImpl final : public v1::SessionService::WithRawCallbackMethod_PublishEvents<
                                     v1::SessionService::WithRawCallbackMethod_RecordEvents<
                                         v1::SessionService::WithCallbackMethod_GetSession<
                                             v1::SessionService::WithCallbackMethod_ListSessions<
                                                 v1::SessionService::Service>>>> {
 public:
  // `store`, `clock` and `gate` must outlive the service; `options` is
  // copied.
  SessionServiceImpl(store::EventLog& store, const common::Clock& clock,
                     const ServiceOptions& options, Gate& gate)
      : store_(store),
        options_(options),
        gate_(gate),
        recorder_(store, clock, options.future_tolerance, options.metrics) {}

  // After this, open PublishEvents streams end (with OK) after acknowledging
  // the events they have read, instead of reading more.
  void StartDraining() { draining_.store(true); }

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* PublishEvents(
      grpc::CallbackServerContext* context) override;
  // `request` holds a RecordEventsRequest, `response` gets a
  // RecordEventsResponse.
  grpc::ServerUnaryReactor* RecordEvents(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  // GetSession, whatever the transport (the HTTP face answers through it too).
  absl::Status Get(Authorization authorization, const v1::GetSessionRequest& request,
                   v1::Session& response);

  grpc::ServerUnaryReactor* GetSession(grpc::CallbackServerContext* context,
                                       const v1::GetSessionRequest* request,
                                       v1::Session* response) override;
  grpc::ServerUnaryReactor* ListSessions(grpc::CallbackServerContext* context,
                                         const v1::ListSessionsRequest* request,
                                         v1::ListSessionsResponse* response) override;

 private:
  // The caller of a publishing call: role platform, bound to one platform.
  absl::StatusOr<auth::Caller> Publisher(const grpc::CallbackServerContext& context,
                                         std::string_view call) const;

  store::EventLog& store_;
  ServiceOptions options_;
  Gate& gate_;
  EventRecorder recorder_;
  std::atomic<bool> draining_{false};
};

}  // namespace unitclock::service

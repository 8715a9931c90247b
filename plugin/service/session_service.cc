#include "plugin/service/session_service.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/session_summary.h"
#include "core/timeline.h"
#include "plugin/service/event_decode.h"
#include "plugin/service/proto_convert.h"
#include "plugin/service/publish_stream.h"
#include "plugin/service/rpc_status.h"
#include "plugin/service/session_loader.h"

namespace unitclock::service {
namespace {

constexpr int kMaxBatchEvents = 1000;
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

using auth::Role;

// Loads one session and writes it, with its timeline, into `out`. NOT_FOUND
// if it has no event or the caller may not see it.
absl::Status ReadSession(const auth::Caller& caller, store::EventLog& store,
                         const std::string& session_id, const core::TimelinePolicy& policy,
                         v1::SessionView view, v1::Session& out) {
  absl::StatusOr<LoadedSession> session = LoadSessionFor(caller, store, session_id, policy);
  if (!session.ok()) return session.status();
  SummaryToProto(session->summary, out);
  TimelineToProto(session->timeline, *out.mutable_timeline());
  if (view == v1::SESSION_VIEW_FULL) {
    for (const core::Event& e : session->events) *out.add_events() = EventToProto(e);
  }
  return absl::OkStatus();
}

// Records the events of one PublishEvents stream as its caller's platform.
class RecorderSink final : public EventSink {
 public:
  RecorderSink(EventRecorder& recorder, std::string platform)
      : recorder_(recorder), platform_(std::move(platform)) {}

  void Submit(ReceivedEvent event, AckDone done) override {
    recorder_.RecordAsync({&event, 1}, platform_,
                          [done = std::move(done)](
                              absl::StatusOr<std::vector<v1::EventAcknowledgement>> acks) mutable {
                            if (!acks.ok()) {
                              std::move(done)(acks.status());
                            } else {
                              std::move(done)(std::move(acks->front()));
                            }
                          });
  }

 private:
  EventRecorder& recorder_;
  const std::string platform_;
};

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SessionServiceImpl::PublishEvents(
    grpc::CallbackServerContext* context) {
  absl::StatusOr<auth::Caller> caller = Publisher(*context, "PublishEvents");
  absl::StatusOr<StreamSlot> slot = caller.ok() ? gate_.OpenStream(*caller) : caller.status();
  std::unique_ptr<EventSink> sink;
  if (slot.ok()) sink = std::make_unique<RecorderSink>(recorder_, caller->platform);
  return new PublishStream(std::move(slot), std::move(sink), draining_, kPublishWindow);
}

absl::StatusOr<auth::Caller> SessionServiceImpl::Publisher(
    const grpc::CallbackServerContext& context, std::string_view call) const {
  absl::StatusOr<auth::Caller> caller = gate_.Admit(context, {Role::kPlatform}, call);
  if (caller.ok() && caller->platform == auth::kAnyPlatform) {
    return absl::PermissionDeniedError(std::string(call) +
                                       ": events must come with a token of one platform");
  }
  return caller;
}

grpc::ServerUnaryReactor* SessionServiceImpl::RecordEvents(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request_bytes,
                                                           grpc::ByteBuffer* response_bytes) {
  absl::StatusOr<auth::Caller> caller = Publisher(*context, "RecordEvents");
  if (!caller.ok()) return FinishUnary(context, caller.status());
  absl::StatusOr<std::vector<ReceivedEvent>> events = DecodeRecordEventsRequest(*request_bytes);
  if (!events.ok()) return FinishUnary(context, events.status());
  if (events->empty() || std::ssize(*events) > kMaxBatchEvents) {
    return FinishUnary(context, absl::InvalidArgumentError("events: must hold 1 to 1000 events"));
  }
  // Answered from the store's writer thread once the group commit that takes
  // the batch is durable: the call holds no server thread while it waits, so
  // that concurrent calls share commits, as the events of streams do.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  recorder_.RecordAsync(
      *events, caller->platform,
      [reactor, response_bytes](absl::StatusOr<std::vector<v1::EventAcknowledgement>> acks) {
        if (!acks.ok()) {
          reactor->Finish(ToGrpcStatus(acks.status()));
          return;
        }
        v1::RecordEventsResponse response;
        for (v1::EventAcknowledgement& ack : *acks) {
          *response.add_acknowledgements() = std::move(ack);
        }
        *response_bytes = EncodeMessage(response);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

absl::Status SessionServiceImpl::Get(Authorization authorization,
                                     const v1::GetSessionRequest& request, v1::Session& response) {
  auto caller = gate_.Admit(authorization, {Role::kPlatform, Role::kReviewer}, "GetSession");
  if (!caller.ok()) return caller.status();
  absl::StatusOr<std::string> id = SessionIdFromName(request.name(), "name");
  if (!id.ok()) return id.status();
  absl::StatusOr<v1::SessionView> view = ViewFromRequest(request.view(), v1::SESSION_VIEW_FULL);
  if (!view.ok()) return view.status();
  return ReadSession(*caller, store_, *id, options_.policies.timeline, *view, response);
}

grpc::ServerUnaryReactor* SessionServiceImpl::GetSession(grpc::CallbackServerContext* context,
                                                         const v1::GetSessionRequest* request,
                                                         v1::Session* response) {
  return FinishUnary(context, Get(AuthorizationOf(*context), *request, *response));
}

grpc::ServerUnaryReactor* SessionServiceImpl::ListSessions(grpc::CallbackServerContext* context,
                                                           const v1::ListSessionsRequest* request,
                                                           v1::ListSessionsResponse* response) {
  auto caller = gate_.Admit(*context, {Role::kPlatform, Role::kReviewer}, "ListSessions");
  if (!caller.ok()) return FinishUnary(context, caller.status());
  auto platform = auth::ActingPlatform(*caller, request->platform(), "platform");
  if (!platform.ok()) return FinishUnary(context, platform.status());
  absl::StatusOr<v1::SessionView> view = ViewFromRequest(request->view(), v1::SESSION_VIEW_BASIC);
  if (!view.ok()) return FinishUnary(context, view.status());
  if (request->page_size() < 0) {
    return FinishUnary(context, absl::InvalidArgumentError("page_size: must not be negative"));
  }
  store::SessionQuery query;
  query.platform = *platform;
  query.patient_ref = request->patient_ref();
  // Monitoring episodes have calls of their own (WatchMonitoring,
  // SuggestMonitoringCodes); a visit's summary and timeline mean nothing for
  // them.
  query.kind = store::SessionKind::kVisit;
  query.page_size =
      request->page_size() == 0 ? kDefaultPageSize : std::min(request->page_size(), kMaxPageSize);
  query.page_token = request->page_token();
  if (request->has_start_time_min()) {
    auto t = TimeFromProto(request->start_time_min(), "start_time_min");
    if (!t.ok()) return FinishUnary(context, t.status());
    query.start_time_min = *t;
  }
  if (request->has_start_time_max()) {
    auto t = TimeFromProto(request->start_time_max(), "start_time_max");
    if (!t.ok()) return FinishUnary(context, t.status());
    query.start_time_max = *t;
  }
  absl::StatusOr<store::SessionPage> page = store_.ListSessions(query);
  if (!page.ok()) return FinishUnary(context, page.status());
  for (const std::string& id : page->session_ids) {
    absl::Status st = ReadSession(*caller, store_, id, options_.policies.timeline, *view,
                                  *response->add_sessions());
    if (!st.ok()) return FinishUnary(context, st);
  }
  response->set_next_page_token(page->next_page_token);
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace unitclock::service

#include "plugin/service/coding_service.h"

#include <grpcpp/alarm.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/coding.h"
#include "core/date_of_service.h"
#include "plugin/metrics/server_metrics.h"
#include "plugin/service/coding_context.h"
#include "plugin/service/proto_convert.h"
#include "plugin/service/rpc_status.h"
#include "plugin/service/session_loader.h"

namespace unitclock::service {

using auth::Role;

grpc::ServerUnaryReactor* CodingServiceImpl::SuggestCodes(grpc::CallbackServerContext* context,
                                                          const v1::SuggestCodesRequest* request,
                                                          v1::SuggestCodesResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  auto caller = gate_.Admit(*context, {Role::kPlatform, Role::kReviewer}, "SuggestCodes");
  if (!caller.ok()) return FinishUnary(context, caller.status());
  absl::StatusOr<core::CodingContext> coding_context =
      CodingContextFromRequest(*request, charges_context_);
  if (!coding_context.ok()) return FinishUnary(context, coding_context.status());
  std::vector<core::SessionForCoding> sessions;
  std::optional<core::Day> only_day;
  if (request->has_patient_day()) {
    const v1::PatientDay& pd = request->patient_day();
    if (pd.patient_ref().empty()) {
      return FinishUnary(context, absl::InvalidArgumentError("patient_day.patient_ref: required"));
    }
    only_day = core::ParseDay(pd.date_of_service());
    if (!only_day) {
      return FinishUnary(
          context,
          absl::InvalidArgumentError("patient_day.date_of_service: must be a date \"YYYY-MM-DD\""));
    }
    auto platform = auth::ActingPlatform(*caller, pd.platform(), "patient_day.platform");
    if (!platform.ok()) return FinishUnary(context, platform.status());
    auto found = LoadSessionsAround(store_, {*platform, pd.patient_ref(), ""}, *only_day, *only_day,
                                    options_.policies.timeline);
    if (!found.ok()) return FinishUnary(context, found.status());
    sessions = *std::move(found);
  } else if (request->has_session()) {
    absl::StatusOr<std::string> id = SessionIdFromName(request->session(), "session");
    if (!id.ok()) return FinishUnary(context, id.status());
    absl::StatusOr<LoadedSession> session =
        LoadSessionFor(*caller, store_, *id, options_.policies.timeline);
    if (!session.ok()) return FinishUnary(context, session.status());
    absl::StatusOr<core::SessionForCoding> coding = ForCoding(*session);
    if (!coding.ok()) return FinishUnary(context, coding.status());
    sessions.push_back(*std::move(coding));
  } else {
    return FinishUnary(
        context, absl::InvalidArgumentError("scope: one of patient_day or session is required"));
  }
  std::optional<core::DateRange> dates;
  if (only_day) dates = core::DateRange{*only_day, *only_day};
  for (const core::Suggestion& s :
       core::SuggestCodes(sessions, options_.policies, *coding_context, dates)) {
    SuggestionToProto(s, *response->add_suggestions());
  }
  if (options_.metrics != nullptr) {
    options_.metrics->ObserveSuggestion(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return FinishUnary(context, absl::OkStatus());
}

// One WatchSession stream: on a timer, recomputes the session's running
// totals as of now and writes them when they changed; ends when the session
// has stopped. Holds transport state only; the totals come from the core.
class CodingServiceImpl::WatchReactor final : public grpc::ServerWriteReactor<v1::SessionProgress> {
 public:
  // Starts watching, or finishes at once if the watch was refused.
  WatchReactor(CodingServiceImpl& service, absl::StatusOr<Watch> watch) : service_(service) {
    if (!watch.ok()) {
      End(ToGrpcStatus(watch.status()));
      return;
    }
    watch_ = *std::move(watch);
    Tick();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "progress could not be sent"));
      return;
    }
    if (stopped_) {
      End(grpc::Status::OK);
      return;
    }
    ScheduleTick();
  }

  void OnCancel() override {
    cancelled_.store(true);
    absl::MutexLock lock(&alarm_mu_);
    alarm_.Cancel();
  }

  void OnDone() override { delete this; }

 private:
  // Finishes the call with `status`. The stream stops counting against its
  // platform first, before the client can see it end, so that the client may
  // open the next one at once (as PublishStream::End does); OnDone's release
  // of the slot is then a no-op.
  void End(const grpc::Status& status) {
    watch_.slot = StreamSlot();
    Finish(status);
  }

  // Computes the totals now; writes them if they changed, else waits again.
  void Tick() {
    absl::StatusOr<v1::SessionProgress> next = service_.Progress(watch_, stopped_);
    if (!next.ok()) {
      End(ToGrpcStatus(next.status()));
      return;
    }
    if (sent_any_ && next->SerializeAsString() == progress_.SerializeAsString() && !stopped_) {
      ScheduleTick();
      return;
    }
    progress_ = *std::move(next);
    sent_any_ = true;
    StartWrite(&progress_);
  }

  void ScheduleTick() {
    absl::MutexLock lock(&alarm_mu_);
    alarm_.Set(std::chrono::system_clock::now() + service_.watch_interval(), [this](bool ok) {
      // Not ok: cancelled, because the client went away or the server
      // stops; a cancellation may also land between ticks.
      if (!ok || cancelled_.load()) {
        End(grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled"));
        return;
      }
      Tick();
    });
  }

  CodingServiceImpl& service_;
  // One reaction at a time touches it (a write or the alarm is outstanding,
  // never both; OnCancel leaves it alone): no lock.
  Watch watch_;
  std::atomic<bool> cancelled_{false};
  absl::Mutex alarm_mu_;  // Set and Cancel come from different threads
  grpc::Alarm alarm_ ABSL_GUARDED_BY(alarm_mu_);
  v1::SessionProgress progress_;
  bool sent_any_ = false;
  bool stopped_ = false;
};

absl::StatusOr<CodingServiceImpl::Watch> CodingServiceImpl::StartWatch(
    Authorization authorization, const v1::WatchSessionRequest& request) {
  absl::StatusOr<auth::Caller> caller =
      gate_.Admit(authorization, {Role::kPlatform, Role::kReviewer}, "WatchSession");
  if (!caller.ok()) return caller.status();
  absl::StatusOr<std::string> session_id = SessionIdFromName(request.name(), "name");
  if (!session_id.ok()) return session_id.status();
  absl::StatusOr<StreamSlot> slot = gate_.OpenStream(*caller);
  if (!slot.ok()) return slot.status();
  return Watch{*std::move(caller), *std::move(session_id), *std::move(slot)};
}

absl::StatusOr<v1::SessionProgress> CodingServiceImpl::Progress(const Watch& watch,
                                                                bool& stopped) const {
  absl::StatusOr<LoadedSession> session = LoadSessionFor(watch.caller, store_, watch.session_id,
                                                         options_.policies.timeline, clock_.Now());
  if (!session.ok()) return session.status();
  absl::StatusOr<core::SessionForCoding> coding = ForCoding(*session);
  if (!coding.ok()) return coding.status();
  stopped = session->summary.stopped();
  v1::SessionProgress progress;
  ProgressToProto(core::ComputeLiveProgress(*coding, options_.policies), stopped, progress);
  return progress;
}

grpc::ServerWriteReactor<v1::SessionProgress>* CodingServiceImpl::WatchSession(
    grpc::CallbackServerContext* context, const v1::WatchSessionRequest* request) {
  return new WatchReactor(*this, StartWatch(AuthorizationOf(*context), *request));
}

}  // namespace unitclock::service

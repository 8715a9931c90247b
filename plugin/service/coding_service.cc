#include "plugin/service/coding_service.h"

#include <grpcpp/alarm.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/coding.h"
#include "core/date_of_service.h"
#include "core/monitoring.h"
#include "plugin/metrics/server_metrics.h"
#include "plugin/service/coding_context.h"
#include "plugin/service/monitoring_loader.h"
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

// One WatchSession or WatchMonitoring stream: on a timer, recomputes the
// session's running totals (or the episode's month) as of now with
// `progress`, and writes them when they changed; ends when the session has
// stopped (or the episode ended). Holds transport state only; the totals come
// from the core.
template <typename Message>
class CodingServiceImpl::WatchReactor final : public grpc::ServerWriteReactor<Message> {
 public:
  using ProgressFn = absl::StatusOr<Message> (CodingServiceImpl::*)(const Watch&, bool&) const;

  // Starts watching, or finishes at once if the watch was refused.
  WatchReactor(CodingServiceImpl& service, absl::StatusOr<Watch> watch, ProgressFn progress)
      : service_(service), progress_fn_(progress) {
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
    this->Finish(status);
  }

  // Computes the totals now; writes them if they changed, else waits again.
  void Tick() {
    absl::StatusOr<Message> next = (service_.*progress_fn_)(watch_, stopped_);
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
    this->StartWrite(&progress_);
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
  const ProgressFn progress_fn_;
  // One reaction at a time touches it (a write or the alarm is outstanding,
  // never both; OnCancel leaves it alone): no lock.
  Watch watch_;
  std::atomic<bool> cancelled_{false};
  absl::Mutex alarm_mu_;  // Set and Cancel come from different threads
  grpc::Alarm alarm_ ABSL_GUARDED_BY(alarm_mu_);
  Message progress_;
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
  return new WatchReactor<v1::SessionProgress>(
      *this, StartWatch(AuthorizationOf(*context), *request), &CodingServiceImpl::Progress);
}

grpc::ServerUnaryReactor* CodingServiceImpl::SuggestMonitoringCodes(
    grpc::CallbackServerContext* context, const v1::SuggestMonitoringCodesRequest* request,
    v1::SuggestMonitoringCodesResponse* response) {
  return FinishUnary(context, SuggestMonitoring(AuthorizationOf(*context), *request, *response));
}

absl::Status CodingServiceImpl::SuggestMonitoring(
    Authorization authorization, const v1::SuggestMonitoringCodesRequest& request,
    v1::SuggestMonitoringCodesResponse& response) const {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<auth::Caller> caller =
      gate_.Admit(authorization, {Role::kPlatform, Role::kReviewer}, "SuggestMonitoringCodes");
  if (!caller.ok()) return caller.status();
  if (!request.has_patient_month()) {
    return absl::InvalidArgumentError("patient_month: required");
  }
  const v1::PatientMonth& pm = request.patient_month();
  if (pm.patient_ref().empty()) {
    return absl::InvalidArgumentError("patient_month.patient_ref: required");
  }
  const std::optional<std::chrono::year_month> month = core::ParseMonth(pm.month());
  if (!month) {
    return absl::InvalidArgumentError("patient_month.month: must be a month \"YYYY-MM\"");
  }
  auto platform = auth::ActingPlatform(*caller, pm.platform(), "patient_month.platform");
  if (!platform.ok()) return platform.status();
  auto patients = LoadMonitoring(store_, *platform, pm.patient_ref(), core::Day(*month / 1),
                                 core::Day(*month / std::chrono::last), options_.policies.timeline);
  if (!patients.ok()) return patients.status();
  const core::TimePoint now = clock_.Now();
  for (const PatientMonitoring& patient : *patients) {
    for (const core::Suggestion& s : core::SuggestMonitoringCodes(patient.episodes, patient.visits,
                                                                  *month, options_.policies, now)) {
      SuggestionToProto(s, *response.add_suggestions());
    }
  }
  if (options_.metrics != nullptr) {
    options_.metrics->ObserveSuggestion(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return absl::OkStatus();
}

absl::StatusOr<CodingServiceImpl::Watch> CodingServiceImpl::StartMonitoringWatch(
    Authorization authorization, const v1::WatchMonitoringRequest& request) {
  absl::StatusOr<auth::Caller> caller =
      gate_.Admit(authorization, {Role::kPlatform, Role::kReviewer}, "WatchMonitoring");
  if (!caller.ok()) return caller.status();
  absl::StatusOr<std::string> episode_id = IdFromName(request.name(), "episodes", "name");
  if (!episode_id.ok()) return episode_id.status();
  absl::StatusOr<StreamSlot> slot = gate_.OpenStream(*caller);
  if (!slot.ok()) return slot.status();
  return Watch{*std::move(caller), *std::move(episode_id), *std::move(slot)};
}

absl::StatusOr<v1::MonitoringProgress> CodingServiceImpl::MonitoringProgressOf(const Watch& watch,
                                                                               bool& ended) const {
  const std::string& id = watch.session_id;
  // Another platform's episode is NOT_FOUND like a missing one.
  absl::StatusOr<std::optional<std::string>> owner = store_.SessionOwner(id);
  if (!owner.ok()) return owner.status();
  if (!owner->has_value() || !auth::MaySee(watch.caller, **owner)) {
    return absl::NotFoundError("name: no monitoring episode \"" + id + "\"");
  }
  absl::StatusOr<core::MonitoringEpisode> episode = LoadEpisode(store_, id, "name");
  if (!episode.ok()) return episode.status();
  if (!episode->started) {
    return absl::FailedPreconditionError(
        "name: no monitoring_episode_started event has arrived for this episode, so its "
        "patient, payer and time zone are unknown");
  }
  // The month and period of now, or of the episode's end if it ended.
  const core::TimePoint now = clock_.Now();
  const core::TimePoint anchor = episode->end_time ? std::min(now, *episode->end_time) : now;
  const core::Day day = std::chrono::floor<std::chrono::days>(anchor);
  auto patients =
      LoadMonitoring(store_, **owner, episode->started->patient_ref, day - std::chrono::days(1),
                     day + std::chrono::days(1), options_.policies.timeline);
  if (!patients.ok()) return patients.status();
  for (const PatientMonitoring& patient : *patients) {
    std::optional<core::MonitoringProgress> progress = core::ComputeMonitoringProgress(
        id, patient.episodes, patient.visits, options_.policies, now);
    if (!progress) continue;
    ended = progress->ended;
    return MonitoringProgressToProto(*progress);
  }
  return absl::FailedPreconditionError("name: the monitoring episode has no month to show");
}

grpc::ServerWriteReactor<v1::MonitoringProgress>* CodingServiceImpl::WatchMonitoring(
    grpc::CallbackServerContext* context, const v1::WatchMonitoringRequest* request) {
  return new WatchReactor<v1::MonitoringProgress>(
      *this, StartMonitoringWatch(AuthorizationOf(*context), *request),
      &CodingServiceImpl::MonitoringProgressOf);
}

}  // namespace unitclock::service

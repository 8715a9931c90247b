// End-to-end tests of remote therapeutic monitoring: a platform records a
// month of a digital-rehab program over gRPC (a real server on loopback, a
// real SQLite file or PostgreSQL database), reads the month's lines with
// SuggestMonitoringCodes, watches it with WatchMonitoring, and a therapist
// reviews and exports the lines.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/day.h"
#include "plugin/service/server.h"
#include "plugin/service/service_options.h"
#include "plugin/store/backend/open_store.h"
#include "tests/testing/auth.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/service_options.h"
#include "tests/testing/test_database.h"
#include "tests/testing/tls.h"
#include "unitclock/v1/coding.grpc.pb.h"
#include "unitclock/v1/review.grpc.pb.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPatient[] = "pt-7f3a";
constexpr char kEpisode[] = "rtm-ep-1";
constexpr char kVisit[] = "visit-2026-10-14";

// Seconds since the epoch of a UTC time in October 2026 (America/Chicago is
// UTC-5 all month).
std::int64_t October(int day, int hour, int minute = 0) {
  const core::Day d = core::Day(std::chrono::year(2026) / std::chrono::October / day);
  return std::chrono::duration_cast<std::chrono::seconds>(d.time_since_epoch()).count() +
         hour * 3600 + minute * 60;
}

core::TimePoint TimeOf(std::int64_t seconds) {
  return core::TimePoint(std::chrono::seconds(seconds));
}

v1::Event Envelope(const std::string& id, const std::string& session, std::int64_t seconds) {
  v1::Event e;
  e.set_event_id(id);
  e.set_session_id(session);
  e.mutable_occurred_at()->set_seconds(seconds);
  return e;
}

v1::Event EpisodeStarted(
    const std::string& id, const std::string& episode, std::int64_t at,
    const std::string& platform = "demo-rehab",
    v1::MonitoringProgram program = v1::MONITORING_PROGRAM_REMOTE_THERAPEUTIC) {
  v1::Event e = Envelope(id, episode, at);
  v1::MonitoringEpisodeStarted* s = e.mutable_monitoring_episode_started();
  s->set_platform(platform);
  s->set_patient_ref(kPatient);
  s->set_provider_ref("prov-19");
  s->set_provider_role(v1::PROVIDER_ROLE_PT);
  s->set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
  s->set_payer_id("medicare");
  s->set_clinic_time_zone("America/Chicago");
  s->set_device_kind(v1::DEVICE_KIND_MUSCULOSKELETAL);
  s->set_program(program);
  return e;
}

v1::Event DeviceData(const std::string& id, std::int64_t at) {
  v1::Event e = Envelope(id, kEpisode, at);
  e.mutable_device_data_received()->set_data_kind("exercise_session");
  return e;
}

v1::Event Management(const std::string& id, std::int64_t at, int minutes) {
  v1::Event e = Envelope(id, kEpisode, at);
  v1::TreatmentManagementRecorded* m = e.mutable_treatment_management_recorded();
  m->set_clinician_ref("prov-19");
  m->set_clinician_role(v1::PROVIDER_ROLE_PT);
  m->set_duration_seconds(minutes * 60);
  m->set_activity("data_review");
  return e;
}

// A live video visit on October 14, 10:00-10:30 local, with 16 minutes of
// therapeutic exercise: coded as a visit, and the month's interactive
// communication.
std::vector<v1::Event> Visit() {
  const std::int64_t t0 = October(14, 15);
  std::vector<v1::Event> events;
  v1::Event started = Envelope("v-1", kVisit, t0);
  v1::SessionStarted* s = started.mutable_session_started();
  s->set_platform("demo-rehab");
  s->set_patient_ref(kPatient);
  s->set_provider_ref("prov-19");
  s->set_provider_role(v1::PROVIDER_ROLE_PT);
  s->set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
  s->set_payer_id("medicare");
  s->set_clinic_time_zone("America/Chicago");
  s->set_patient_location(v1::PATIENT_LOCATION_HOME);
  s->set_planned_modality(v1::MODALITY_AUDIO_VIDEO);
  events.push_back(started);
  for (auto [id, who] :
       {std::pair{"v-2", v1::PARTICIPANT_PROVIDER}, std::pair{"v-3", v1::PARTICIPANT_PATIENT}}) {
    v1::Event joined = Envelope(id, kVisit, t0 + 30);
    joined.mutable_participant_joined()->set_participant(who);
    events.push_back(joined);
  }
  v1::Event media = Envelope("v-4", kVisit, t0 + 40);
  media.mutable_media_changed()->set_modality(v1::MODALITY_AUDIO_VIDEO);
  events.push_back(media);
  v1::Event activity = Envelope("v-5", kVisit, t0 + 60);
  activity.mutable_activity_started()->set_activity_id("ex-1");
  activity.mutable_activity_started()->set_kind(v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
  activity.mutable_activity_started()->set_performed_by(v1::PARTICIPANT_PROVIDER);
  events.push_back(activity);
  v1::Event ended = Envelope("v-6", kVisit, t0 + 60 + 16 * 60);
  ended.mutable_activity_ended()->set_activity_id("ex-1");
  events.push_back(ended);
  v1::Event stopped = Envelope("v-7", kVisit, t0 + 30 * 60);
  stopped.mutable_session_stopped()->set_reason(v1::STOP_REASON_ENDED);
  events.push_back(stopped);
  return events;
}

// October of an MSK program: the episode from October 1, data on 18 local
// dates (some twice; one late in the evening, which is the next day in UTC),
// 12 and 9 minutes of management, and the visit.
std::vector<v1::Event> Month() {
  std::vector<v1::Event> events = {EpisodeStarted("e-start", kEpisode, October(1, 14))};
  for (int day = 1; day <= 17; ++day) {
    events.push_back(DeviceData("d-" + std::to_string(day), October(day, 15)));
  }
  events.push_back(DeviceData("d-3b", October(3, 22)));  // a second transmission on the 3rd
  // 21:30 local on October 20: 02:30 UTC on the 21st.
  events.push_back(DeviceData("d-20-evening", October(21, 2, 30)));
  events.push_back(Management("m-1", October(5, 15), 12));
  events.push_back(Management("m-2", October(20, 16), 9));
  for (v1::Event& e : Visit()) events.push_back(std::move(e));
  return events;
}

class MonitoringE2eTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    auto db = testing::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto store = store::OpenStore(db_->spec(), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    service::ServiceOptions options = testing::TestServiceOptions();
    options.watch_interval = std::chrono::milliseconds(20);
    clock_.Set(TimeOf(October(1, 0)) + std::chrono::days(67));  // 2026-12-07: October closed
    auto server = service::Server::Start("127.0.0.1:0", store_, clock_, options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                       testing::TestChannelCredentials());
    sessions_ = v1::SessionService::NewStub(channel);
    coding_ = v1::CodingService::NewStub(channel);
    review_ = v1::ReviewService::NewStub(channel);
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::seconds(1));
  }

  std::vector<v1::EventAcknowledgement> Record(const std::vector<v1::Event>& events,
                                               const std::string& token = "demo-all") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token);
    v1::RecordEventsRequest req;
    for (const v1::Event& e : events) *req.add_events() = e;
    v1::RecordEventsResponse resp;
    const grpc::Status st = sessions_->RecordEvents(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.acknowledgements().begin(), resp.acknowledgements().end()};
  }

  void RecordAll(const std::vector<v1::Event>& events) {
    for (const v1::EventAcknowledgement& ack : Record(events)) {
      EXPECT_EQ(ack.outcome(), v1::EventAcknowledgement::OUTCOME_RECORDED)
          << ack.event_id() << ": " << ack.error_message();
    }
  }

  grpc::Status Suggest(const std::string& month, v1::SuggestMonitoringCodesResponse& out,
                       const std::string& token = "demo-all") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token);
    v1::SuggestMonitoringCodesRequest req;
    req.mutable_patient_month()->set_patient_ref(kPatient);
    req.mutable_patient_month()->set_month(month);
    return coding_->SuggestMonitoringCodes(&ctx, req, &out);
  }

  // The suggestion of `kind` in `response`; fails the test if there is none.
  static v1::Suggestion Of(const v1::SuggestMonitoringCodesResponse& response,
                           v1::MonitoringPeriodKind kind) {
    for (const v1::Suggestion& s : response.suggestions()) {
      if (s.monitoring().kind() == kind) return s;
    }
    ADD_FAILURE() << "no suggestion of kind " << v1::MonitoringPeriodKind_Name(kind);
    return {};
  }

  static std::vector<std::string> Codes(const v1::Suggestion& s) {
    std::vector<std::string> codes;
    for (const v1::SuggestedLine& l : s.lines()) {
      codes.push_back(l.code() + "x" + std::to_string(l.units()));
    }
    return codes;
  }

  std::vector<v1::ReviewedSuggestion> List(const std::string& first, const std::string& last,
                                           bool include_provisional) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ListSuggestionsRequest req;
    req.set_date_min(first);
    req.set_date_max(last);
    req.set_include_provisional(include_provisional);
    v1::ListSuggestionsResponse resp;
    const grpc::Status st = review_->ListSuggestions(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.suggestions().begin(), resp.suggestions().end()};
  }

  grpc::Status Approve(const v1::ReviewedSuggestion& s, v1::ReviewedSuggestion& out) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ReviewSuggestionRequest req;
    req.set_name(s.name());
    req.set_reviewer_ref("therapist-7");
    req.set_action(v1::REVIEW_ACTION_APPROVE);
    req.set_etag(s.etag());
    return review_->ReviewSuggestion(&ctx, req, &out);
  }

  std::string Export(const std::string& first, const std::string& last,
                     v1::ExportClaimsResponse& summary) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ExportClaimsRequest req;
    req.set_actor_ref("biller-3");
    req.set_date_min(first);
    req.set_date_max(last);
    req.set_format(v1::EXPORT_FORMAT_CSV);
    auto stream = review_->ExportClaims(&ctx, req);
    std::string data;
    v1::ExportClaimsResponse chunk;
    while (stream->Read(&chunk)) {
      data += chunk.data();
      summary = chunk;
    }
    const grpc::Status st = stream->Finish();
    EXPECT_TRUE(st.ok()) << st.error_message();
    return data;
  }

  std::unique_ptr<testing::TestDatabase> db_;
  store::Store store_;
  testing::FakeClock clock_;
  std::unique_ptr<service::Server> server_;
  std::unique_ptr<v1::SessionService::Stub> sessions_;
  std::unique_ptr<v1::CodingService::Stub> coding_;
  std::unique_ptr<v1::ReviewService::Stub> review_;
};

TEST_P(MonitoringE2eTest, AMonthOfAProgramGivesItsManagementAndDeviceLines) {
  RecordAll(Month());
  v1::SuggestMonitoringCodesResponse month;
  ASSERT_TRUE(Suggest("2026-10", month).ok());

  const v1::Suggestion management = Of(month, v1::MONITORING_PERIOD_KIND_CALENDAR_MONTH);
  EXPECT_THAT(Codes(management), ElementsAre("98980x1"));
  EXPECT_EQ(management.date_of_service(), "2026-10-31");
  EXPECT_EQ(management.monitoring().management_minutes(), 21);
  EXPECT_FALSE(management.monitoring().provisional());
  ASSERT_EQ(management.monitoring().interactive_contacts_size(), 1);
  EXPECT_EQ(management.monitoring().interactive_contacts(0).session_id(), kVisit);
  ASSERT_EQ(management.lines_size(), 1);
  EXPECT_THAT(management.lines(0).modifiers(), ElementsAre("GP"));
  ASSERT_EQ(management.lines(0).unit_provenance_size(), 1);
  EXPECT_EQ(management.lines(0).unit_provenance(0).intervals_size(), 2);

  const v1::Suggestion device = Of(month, v1::MONITORING_PERIOD_KIND_DEVICE_PERIOD);
  EXPECT_EQ(device.monitoring().first_date(), "2026-10-01");
  EXPECT_EQ(device.monitoring().last_date(), "2026-10-30");
  EXPECT_EQ(device.date_of_service(), "2026-10-30");
  // 17 days in the afternoon, plus October 20 from its evening transmission.
  EXPECT_EQ(device.monitoring().device_data_dates_size(), 18);
  EXPECT_THAT(device.monitoring().device_data_dates(), ::testing::Contains("2026-10-20"));
  EXPECT_THAT(device.monitoring().device_data_dates(),
              ::testing::Not(::testing::Contains("2026-10-21")));
  std::vector<std::string> codes = Codes(device);
  std::sort(codes.begin(), codes.end());
  EXPECT_THAT(codes, ElementsAre("98975x1", "98977x1"));

  // The visit is coded as a visit, apart.
  grpc::ClientContext ctx;
  testing::Authorize(ctx);
  v1::SuggestCodesRequest visit_req;
  visit_req.set_session(std::string("sessions/") + kVisit);
  v1::SuggestCodesResponse visit;
  ASSERT_TRUE(coding_->SuggestCodes(&ctx, visit_req, &visit).ok());
  ASSERT_EQ(visit.suggestions_size(), 1);
  ASSERT_GE(visit.suggestions(0).lines_size(), 1);
  EXPECT_EQ(visit.suggestions(0).lines(0).code(), "97110");
}

TEST_P(MonitoringE2eTest, ALateEventRecomputesTheMonthAndARepeatChangesNothing) {
  std::vector<v1::Event> events = Month();
  RecordAll(events);
  v1::SuggestMonitoringCodesResponse before;
  ASSERT_TRUE(Suggest("2026-10", before).ok());
  // The same month again: every event acknowledged as already recorded.
  for (const v1::EventAcknowledgement& ack : Record(events)) {
    EXPECT_EQ(ack.outcome(), v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
  }
  v1::SuggestMonitoringCodesResponse again;
  ASSERT_TRUE(Suggest("2026-10", again).ok());
  EXPECT_EQ(again.SerializeAsString(), before.SerializeAsString());

  // A late 20 minutes of management earlier in the month: 41 minutes.
  RecordAll({Management("m-late", October(8, 15), 20)});
  v1::SuggestMonitoringCodesResponse after;
  ASSERT_TRUE(Suggest("2026-10", after).ok());
  const v1::Suggestion management = Of(after, v1::MONITORING_PERIOD_KIND_CALENDAR_MONTH);
  EXPECT_EQ(management.monitoring().management_minutes(), 41);
  EXPECT_THAT(Codes(management), ElementsAre("98980x1", "98981x1"));
}

TEST_P(MonitoringE2eTest, ManagementDuringTheVisitCountsForTheVisitOnly) {
  RecordAll(Month());
  // 20 minutes of "management" from 10:10 local on the visit day: the 20
  // minutes up to the visit's end at 10:30 are the visit's.
  RecordAll({Management("m-in-visit", October(14, 15, 10), 30)});
  v1::SuggestMonitoringCodesResponse month;
  ASSERT_TRUE(Suggest("2026-10", month).ok());
  const v1::Suggestion management = Of(month, v1::MONITORING_PERIOD_KIND_CALENDAR_MONTH);
  EXPECT_EQ(management.monitoring().management_minutes(), 21 + 10);
  for (const v1::ManagementTime& t : management.monitoring().management()) {
    EXPECT_TRUE(t.interval().end_time().seconds() <= October(14, 15) ||
                t.interval().start_time().seconds() >= October(14, 15, 30))
        << t.DebugString();
  }
}

TEST_P(MonitoringE2eTest, WithoutAnInteractiveCommunicationThereIsNoManagementCode) {
  std::vector<v1::Event> events = Month();
  std::erase_if(events, [](const v1::Event& e) { return e.session_id() == kVisit; });
  RecordAll(events);
  v1::SuggestMonitoringCodesResponse month;
  ASSERT_TRUE(Suggest("2026-10", month).ok());
  bool warned = false;
  for (const v1::Suggestion& s : month.suggestions()) {
    for (const v1::SuggestedLine& l : s.lines()) {
      EXPECT_NE(l.code(), "98980");
      EXPECT_NE(l.code(), "98979");
    }
    for (const v1::CodingWarning& w : s.warnings()) {
      warned = warned || w.code() == "management_without_interactive_communication";
    }
  }
  EXPECT_TRUE(warned);
}

TEST_P(MonitoringE2eTest, TheMonthIsReviewedOnceClosedAndExported) {
  RecordAll(Month());
  std::vector<v1::ReviewedSuggestion> listed = List("2026-10-01", "2026-10-31", false);
  std::vector<v1::ReviewedSuggestion> monitoring;
  for (const v1::ReviewedSuggestion& s : listed) {
    if (s.suggestion().has_monitoring()) monitoring.push_back(s);
  }
  ASSERT_EQ(monitoring.size(), 2u);
  for (const v1::ReviewedSuggestion& s : monitoring) {
    EXPECT_EQ(s.state(), v1::REVIEW_STATE_PENDING);
    EXPECT_EQ(s.provider_ref(), "prov-19");
    EXPECT_THAT(s.suggestion_id(), HasSubstr(".pt-rtm"));
    v1::ReviewedSuggestion approved;
    ASSERT_TRUE(Approve(s, approved).ok());
    EXPECT_EQ(approved.state(), v1::REVIEW_STATE_APPROVED);
  }
  v1::ExportClaimsResponse summary;
  const std::string csv = Export("2026-10-01", "2026-10-31", summary);
  EXPECT_EQ(summary.skipped_claims_size(), 0) << summary.DebugString();
  EXPECT_EQ(summary.claim_count(), 2);
  EXPECT_EQ(summary.line_count(), 3);
  for (const char* code : {"98980", "98977", "98975"}) EXPECT_THAT(csv, HasSubstr(code));
  EXPECT_THAT(csv, ::testing::Not(HasSubstr("97110")));  // the visit was not approved
}

TEST_P(MonitoringE2eTest, AnOpenMonthIsProvisionalAndNotExported) {
  RecordAll(Month());
  clock_.Set(TimeOf(October(25, 17)));  // October 25: the month and the period are open
  const std::vector<v1::ReviewedSuggestion> closed_only = List("2026-10-01", "2026-10-31", false);
  EXPECT_TRUE(std::none_of(closed_only.begin(), closed_only.end(),
                           [](const auto& s) { return s.suggestion().has_monitoring(); }));
  std::vector<v1::ReviewedSuggestion> open;
  for (const v1::ReviewedSuggestion& s : List("2026-10-01", "2026-10-31", true)) {
    if (s.suggestion().has_monitoring()) open.push_back(s);
  }
  ASSERT_EQ(open.size(), 2u);
  for (const v1::ReviewedSuggestion& s : open) {
    EXPECT_TRUE(s.suggestion().monitoring().provisional());
    v1::ReviewedSuggestion approved;
    ASSERT_TRUE(Approve(s, approved).ok());
  }
  v1::ExportClaimsResponse summary;
  const std::string data = Export("2026-10-01", "2026-10-31", summary);
  EXPECT_EQ(summary.claim_count(), 0);
  EXPECT_TRUE(data.empty());
  ASSERT_EQ(summary.skipped_claims_size(), 2);
  EXPECT_THAT(summary.skipped_claims(0).reason(), HasSubstr("still open"));

  // Closed, the approval was of a provisional month: review again.
  clock_.Set(TimeOf(October(1, 0)) + std::chrono::days(67));
  for (const v1::ReviewedSuggestion& s : List("2026-10-01", "2026-10-31", false)) {
    if (s.suggestion().has_monitoring()) {
      EXPECT_EQ(s.state(), v1::REVIEW_STATE_NEEDS_REREVIEW) << s.suggestion_id();
    }
  }
}

TEST_P(MonitoringE2eTest, WatchMonitoringShowsTheMonthSoFarUntilTheEpisodeEnds) {
  clock_.Set(TimeOf(October(15, 17)));
  std::vector<v1::Event> first_days = {EpisodeStarted("e-start", kEpisode, October(1, 14))};
  for (int day = 1; day <= 5; ++day) {
    first_days.push_back(DeviceData("d-" + std::to_string(day), October(day, 15)));
  }
  first_days.push_back(Management("m-1", October(5, 15), 12));
  RecordAll(first_days);

  grpc::ClientContext ctx;
  testing::Authorize(ctx);
  v1::WatchMonitoringRequest req;
  req.set_name(std::string("episodes/") + kEpisode);
  auto stream = coding_->WatchMonitoring(&ctx, req);
  v1::MonitoringProgress progress;
  ASSERT_TRUE(stream->Read(&progress));
  EXPECT_EQ(progress.month(), "2026-10");
  EXPECT_EQ(progress.device_days(), 5);
  EXPECT_EQ(progress.management_minutes(), 12);
  EXPECT_FALSE(progress.interactive_communication());
  EXPECT_EQ(progress.device_code(), "98985");
  bool needs_call = false;
  bool needs_days = false;
  for (const v1::MonitoringGap& gap : progress.missing()) {
    needs_call = needs_call || gap.interactive_communication_needed();
    if (gap.code() == "98977") {
      EXPECT_EQ(gap.device_days_needed(), 11);
      needs_days = true;
    }
  }
  EXPECT_TRUE(needs_call);
  EXPECT_TRUE(needs_days);

  // The visit arrives: the month has its call.
  RecordAll(Visit());
  do {
    ASSERT_TRUE(stream->Read(&progress));
  } while (!progress.interactive_communication());
  // The episode ends: the last message, then OK.
  RecordAll({[] {
    v1::Event e = Envelope("e-end", kEpisode, October(15, 16));
    e.mutable_monitoring_episode_ended();
    return e;
  }()});
  while (!progress.ended()) ASSERT_TRUE(stream->Read(&progress));
  EXPECT_FALSE(stream->Read(&progress));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_P(MonitoringE2eTest, AnotherPlatformSeesNothingAndBadRequestsNameTheField) {
  RecordAll(Month());
  v1::SuggestMonitoringCodesResponse other;
  ASSERT_TRUE(Suggest("2026-10", other, "other-all").ok());
  EXPECT_EQ(other.suggestions_size(), 0);

  grpc::ClientContext ctx;
  testing::Authorize(ctx, "other-all");
  v1::WatchMonitoringRequest req;
  req.set_name(std::string("episodes/") + kEpisode);
  auto stream = coding_->WatchMonitoring(&ctx, req);
  v1::MonitoringProgress progress;
  EXPECT_FALSE(stream->Read(&progress));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::NOT_FOUND);

  for (const char* bad : {"", "2026-13", "2026-1", "October", "2026-10-01"}) {
    v1::SuggestMonitoringCodesResponse out;
    const grpc::Status st = Suggest(bad, out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_THAT(st.error_message(), HasSubstr("patient_month.month")) << bad;
  }
}

TEST_P(MonitoringE2eTest, RpmInTheSameMonthBlocksTheLines) {
  RecordAll(Month());
  RecordAll({EpisodeStarted("rpm-start", "rpm-ep-1", October(2, 14), "demo-rehab",
                            v1::MONITORING_PROGRAM_REMOTE_PHYSIOLOGIC)});
  v1::SuggestMonitoringCodesResponse month;
  ASSERT_TRUE(Suggest("2026-10", month).ok());
  ASSERT_GE(month.suggestions_size(), 2);
  for (const v1::Suggestion& s : month.suggestions()) {
    for (const v1::SuggestedLine& l : s.lines()) EXPECT_TRUE(l.blocking()) << l.code();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, MonitoringE2eTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const ::testing::TestParamInfo<testing::Backend>& info) {
                           return testing::BackendName(info.param);
                         });

}  // namespace
}  // namespace unitclock

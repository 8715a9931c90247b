// End-to-end tests of the SessionService: a real gRPC server on an ephemeral
// loopback port with a real SQLite file, and a real gRPC client.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "examples/scenario/scenario.h"
#include "plugin/service/server.h"
#include "plugin/service/service_options.h"
#include "plugin/store/sqlite_event_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using v1::EventAcknowledgement;

class SessionServiceE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  void StartServer() {
    auto store = store::SqliteEventStore::Open(dir_.File("unitclock.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto server = service::Server::Start("127.0.0.1:0", *store_, clock_, Options());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::SessionService::NewStub(channel_);
  }

  void StopServer() {
    server_->Shutdown(std::chrono::seconds(1));
    server_.reset();
    store_.reset();
  }

  static service::ServiceOptions Options() { return service::ServiceOptions(); }

  examples::Scenario Scenario() {
    auto s =
        examples::LoadScenario(std::string(UNITCLOCK_SCENARIO_DIR) + "/video_exercise_30min.json");
    EXPECT_TRUE(s.ok()) << s.status();
    return *s;
  }

  // Streams `events` over PublishEvents, one in flight at a time.
  std::vector<EventAcknowledgement> Publish(const std::vector<v1::Event>& events) {
    grpc::ClientContext ctx;
    auto stream = stub_->PublishEvents(&ctx);
    std::vector<EventAcknowledgement> acks;
    for (const v1::Event& e : events) {
      v1::PublishEventsRequest req;
      *req.mutable_event() = e;
      v1::PublishEventsResponse resp;
      if (!stream->Write(req) || !stream->Read(&resp)) break;
      acks.push_back(resp.acknowledgement());
    }
    stream->WritesDone();
    const grpc::Status st = stream->Finish();
    EXPECT_TRUE(st.ok()) << st.error_message();
    return acks;
  }

  std::vector<EventAcknowledgement> Record(const std::vector<v1::Event>& events,
                                           grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    v1::RecordEventsRequest req;
    for (const v1::Event& e : events) *req.add_events() = e;
    v1::RecordEventsResponse resp;
    const grpc::Status st = stub_->RecordEvents(&ctx, req, &resp);
    if (status != nullptr)
      *status = st;
    else
      EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.acknowledgements().begin(), resp.acknowledgements().end()};
  }

  grpc::Status Get(const std::string& name, v1::Session& out,
                   v1::SessionView view = v1::SESSION_VIEW_FULL) {
    grpc::ClientContext ctx;
    v1::GetSessionRequest req;
    req.set_name(name);
    req.set_view(view);
    return stub_->GetSession(&ctx, req, &out);
  }

  testing::TempDir dir_;
  // The server's clock stands at 2026-12-02T00:00:00Z, after every event the
  // tests send (the example scenario is dated 2026-11-27T15:00Z), whatever
  // the real date.
  testing::FakeClock clock_{core::TimePoint(std::chrono::seconds(1796169600))};
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<service::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SessionService::Stub> stub_;
};

TEST_F(SessionServiceE2eTest, StreamsTheExampleScenarioAndReadsTheSessionBack) {
  const examples::Scenario scenario = Scenario();
  const std::vector<EventAcknowledgement> acks = Publish(scenario.events);
  ASSERT_THAT(acks, SizeIs(scenario.events.size()));
  for (std::size_t i = 0; i < acks.size(); ++i) {
    EXPECT_EQ(acks[i].event_id(), scenario.events[i].event_id());
    EXPECT_EQ(acks[i].outcome(), EventAcknowledgement::OUTCOME_RECORDED) << acks[i].error_message();
  }

  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session).ok());
  EXPECT_EQ(session.name(), "sessions/demo-20261127-0001");
  EXPECT_EQ(session.state(), v1::Session::STATE_STOPPED);
  EXPECT_EQ(session.started().patient_ref(), "pt-4f9c2a");
  EXPECT_EQ(session.started().clinic_time_zone(), "America/Chicago");
  EXPECT_EQ(session.start_time().seconds(), 1795791600);
  EXPECT_EQ(session.stop_time().seconds(), 1795791600 + 30 * 60);
  EXPECT_EQ(session.stop_reason(), v1::STOP_REASON_ENDED);
  EXPECT_EQ(session.event_count(), static_cast<int64_t>(scenario.events.size()));
  ASSERT_THAT(session.events(), SizeIs(scenario.events.size()));
  // Read back exactly as sent (the scenario is in time order already).
  for (int i = 0; i < session.events_size(); ++i) {
    EXPECT_EQ(session.events(i).SerializeAsString(), scenario.events[i].SerializeAsString()) << i;
  }

  v1::Session basic;
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, basic, v1::SESSION_VIEW_BASIC).ok());
  EXPECT_EQ(basic.events_size(), 0);
  EXPECT_EQ(basic.event_count(), session.event_count());
}

TEST_F(SessionServiceE2eTest, GetSessionReturnsTheTimelineAndALateEventRecomputesIt) {
  const examples::Scenario scenario = Scenario();
  Publish(scenario.events);
  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session, v1::SESSION_VIEW_BASIC).ok());
  // Exercise from 02:00 to 27:00 with both connected on video; signals every
  // two minutes leave no idle gap. The rest is outside any activity.
  const v1::Timeline& t = session.timeline();
  EXPECT_EQ(t.session_seconds(), 1800);
  EXPECT_EQ(t.billable_seconds(), 1500);
  EXPECT_EQ(t.billable_minutes(), 25);
  EXPECT_EQ(t.excluded_seconds(), 300);
  EXPECT_EQ(t.billable_by_role().therapist_seconds(), 1500);
  ASSERT_EQ(t.excluded_by_reason_size(), 1);
  EXPECT_EQ(t.excluded_by_reason(0).reason(), v1::EXCLUSION_REASON_OUTSIDE_ACTIVITY);
  ASSERT_EQ(t.billable_intervals_size(), 1);
  EXPECT_EQ(t.billable_intervals(0).activity_id(), "ex-1");
  EXPECT_EQ(t.billable_intervals(0).delivered_by(), v1::DELIVERED_BY_THERAPIST);
  EXPECT_EQ(t.billable_intervals(0).media(), v1::MODALITY_AUDIO_VIDEO);
  EXPECT_EQ(t.billable_intervals(0).interval().start_time().seconds(), 1795791600 + 120);
  ASSERT_EQ(t.activities_size(), 1);
  EXPECT_EQ(t.activities(0).kind(), v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
  EXPECT_TRUE(t.activities(0).ended());
  EXPECT_EQ(t.flags_size(), 0);

  // The platform reports, late, that the patient dropped from 10:00 to 12:00.
  std::vector<v1::Event> late(2, scenario.events[2]);
  late[0].set_event_id("late-drop");
  late[0].clear_participant_joined();
  late[0].mutable_participant_left()->set_participant(v1::PARTICIPANT_PATIENT);
  late[0].mutable_occurred_at()->set_seconds(1795791600 + 600);
  late[1].set_event_id("late-rejoin");
  late[1].mutable_occurred_at()->set_seconds(1795791600 + 720);
  Record(late);
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session, v1::SESSION_VIEW_BASIC).ok());
  EXPECT_EQ(session.timeline().billable_seconds(), 1500 - 120);
  EXPECT_EQ(session.timeline().billable_intervals_size(), 2);
  ASSERT_EQ(session.timeline().excluded_by_reason_size(), 2);
  EXPECT_EQ(session.timeline().excluded_by_reason(1).reason(), v1::EXCLUSION_REASON_DISCONNECTED);
  EXPECT_EQ(session.timeline().excluded_by_reason(1).seconds(), 120);
}

TEST_F(SessionServiceE2eTest, ResentEventsAreAcknowledgedAgainAndStoredOnce) {
  const examples::Scenario scenario = Scenario();
  Publish(scenario.events);
  for (const EventAcknowledgement& ack : Record(scenario.events)) {
    EXPECT_EQ(ack.outcome(), EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
  }
  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session).ok());
  EXPECT_EQ(session.event_count(), static_cast<int64_t>(scenario.events.size()));
}

TEST_F(SessionServiceE2eTest, ConflictingAndInvalidEventsAreRejectedAndTheStreamGoesOn) {
  std::vector<v1::Event> events = Scenario().events;
  v1::Event conflicting = events[1];
  conflicting.mutable_participant_joined()->set_participant(v1::PARTICIPANT_PATIENT);
  v1::Event invalid = events[2];
  invalid.set_event_id("bad-tz");
  invalid.clear_participant_joined();
  *invalid.mutable_session_started() = events[0].session_started();
  invalid.mutable_session_started()->set_clinic_time_zone("Nowhere/Atlantis");
  v1::Event empty;  // no id, no time, no payload

  const std::vector<v1::Event> sent = {events[0], events[1], conflicting,
                                       invalid,   empty,     events[2]};
  const auto acks = Publish(sent);
  ASSERT_THAT(acks, SizeIs(sent.size()));
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(acks[1].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(acks[2].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[2].error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(acks[2].error_message(), HasSubstr("event.event_id: "));
  EXPECT_EQ(acks[3].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[3].error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(acks[3].error_message(),
              HasSubstr("event.session_started.clinic_time_zone: not an IANA time zone"));
  EXPECT_EQ(acks[4].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[4].error_message(), "event.event_id: required");
  EXPECT_EQ(acks[5].outcome(), EventAcknowledgement::OUTCOME_RECORDED);

  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + Scenario().session_id, session).ok());
  ASSERT_EQ(session.event_count(), 3);
  EXPECT_EQ(session.events(1).participant_joined().participant(), v1::PARTICIPANT_PROVIDER);
}

TEST_F(SessionServiceE2eTest, BatchRecordsValidEventsBesideInvalidOnes) {
  std::vector<v1::Event> events = Scenario().events;
  v1::Event bad = events[3];
  bad.mutable_occurred_at()->set_nanos(-5);
  grpc::Status st;
  const auto acks = Record({events[0], bad, events[4]}, &st);
  ASSERT_TRUE(st.ok());
  ASSERT_THAT(acks, SizeIs(3));
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(acks[1].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[1].error_message(), "event.occurred_at: not a valid timestamp");
  EXPECT_EQ(acks[2].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
}

TEST_F(SessionServiceE2eTest, EventsFarAheadOfTheServerClockAreRejected) {
  std::vector<v1::Event> events = Scenario().events;
  v1::Event future = events[1];
  future.set_event_id("from-the-future");
  future.mutable_occurred_at()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(
          (clock_.Now() + Options().future_tolerance + std::chrono::hours(1)).time_since_epoch())
          .count());
  grpc::Status st;
  const auto acks = Record({events[0], future, events[1]}, &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_THAT(acks, SizeIs(3));
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(acks[1].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[1].error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(acks[1].error_message(),
            "event.occurred_at: more than 300 seconds ahead of the server clock");
  EXPECT_EQ(acks[2].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
}

TEST_F(SessionServiceE2eTest, BatchSizeIsBounded) {
  grpc::Status st;
  Record({}, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("events: must hold 1 to 1000 events"));
  Record(std::vector<v1::Event>(1001, Scenario().events[0]), &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SessionServiceE2eTest, EventsSurviveARestartOfTheServer) {
  const examples::Scenario scenario = Scenario();
  Publish(scenario.events);
  StopServer();
  StartServer();
  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session).ok());
  EXPECT_EQ(session.event_count(), static_cast<int64_t>(scenario.events.size()));
  EXPECT_EQ(session.state(), v1::Session::STATE_STOPPED);
}

TEST_F(SessionServiceE2eTest, GetSessionNamesBadAndUnknownSessions) {
  v1::Session session;
  grpc::Status st = Get("sessions/never-seen", session);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("name: no session"));
  st = Get("demo-20261127-0001", session);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("name: must be \"sessions/{session_id}\""));
}

TEST_F(SessionServiceE2eTest, ListsSessionsByPatientAndDateRange) {
  const examples::Scenario scenario = Scenario();
  // A second session of another patient the next day.
  std::vector<v1::Event> other = {scenario.events[0]};
  other[0].set_event_id("other-1");
  other[0].set_session_id("other-session");
  other[0].mutable_occurred_at()->set_seconds(1795791600 + 86400);
  other[0].mutable_session_started()->set_patient_ref("pt-other");
  Publish(scenario.events);
  Publish(other);

  auto list = [&](const std::string& patient, int64_t min_s, int64_t max_s) {
    grpc::ClientContext ctx;
    v1::ListSessionsRequest req;
    req.set_patient_ref(patient);
    if (min_s != 0) req.mutable_start_time_min()->set_seconds(min_s);
    if (max_s != 0) req.mutable_start_time_max()->set_seconds(max_s);
    v1::ListSessionsResponse resp;
    const grpc::Status st = stub_->ListSessions(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::string> ids;
    for (const v1::Session& s : resp.sessions()) {
      EXPECT_EQ(s.events_size(), 0);  // BASIC by default
      ids.push_back(s.session_id());
    }
    return ids;
  };
  EXPECT_THAT(list("pt-4f9c2a", 0, 0), ::testing::ElementsAre(scenario.session_id));
  EXPECT_THAT(list("", 0, 0), ::testing::ElementsAre(scenario.session_id, "other-session"));
  EXPECT_THAT(list("", 1795791600 + 3600, 0), ::testing::ElementsAre("other-session"));
  EXPECT_THAT(list("", 1795791600, 1795791600 + 3600), ::testing::ElementsAre(scenario.session_id));
  EXPECT_THAT(list("pt-nobody", 0, 0), ::testing::IsEmpty());
}

TEST_F(SessionServiceE2eTest, HealthCheckReportsServing) {
  grpc::ClientContext ctx;
  // grpc.health.v1.HealthCheckRequest{service: ""} serialises to nothing.
  grpc::Slice empty;
  grpc::ByteBuffer request_bytes(&empty, 1);
  grpc::ByteBuffer response_bytes;
  grpc::GenericStub generic(channel_);
  grpc::Status status;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request_bytes,
                    &response_bytes, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_one();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response_bytes.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // HealthCheckResponse{status: SERVING(1)}: field 1, varint 1.
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

}  // namespace
}  // namespace unitclock

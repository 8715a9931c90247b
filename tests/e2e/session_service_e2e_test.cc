// End-to-end tests of the SessionService: a real gRPC server on an ephemeral
// loopback port with a real SQLite file, and a real gRPC client.
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <latch>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "examples/scenario/scenario.h"
#include "plugin/common/policy_files.h"
#include "plugin/service/proto_convert.h"
#include "plugin/service/server.h"
#include "plugin/service/service_options.h"
#include "plugin/store/backend/open_store.h"
#include "tests/testing/auth.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/service_options.h"
#include "tests/testing/test_database.h"
#include "tests/testing/tls.h"
#include "tests/testing/wire.h"
#include "unitclock/v1/caller.grpc.pb.h"
#include "unitclock/v1/coding.grpc.pb.h"
#include "unitclock/v1/review.grpc.pb.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock {
namespace {

// The store backends the end-to-end suites run on.
#define UNITCLOCK_E2E_BACKENDS \
  ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres)

std::string BackendName(const ::testing::TestParamInfo<testing::Backend>& info) {
  return testing::BackendName(info.param);
}

using ::testing::HasSubstr;
using testing::LengthDelimited;
using ::testing::Not;
using ::testing::SizeIs;
using v1::EventAcknowledgement;

// Every test runs once per store backend (SQLite, PostgreSQL), on a fresh
// database of its own.
class SessionServiceE2eTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override { StartServer(); }

  void StartServer(const service::ServiceOptions& options = Options(),
                   store::StoreOptions store_options = {}) {
    if (db_ == nullptr) {
      auto db = testing::TestDatabase::Create(GetParam());
      ASSERT_TRUE(db.ok()) << db.status();
      db_ = *std::move(db);
    }
    auto store = store::OpenStore(db_->spec(), store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto server = service::Server::Start("127.0.0.1:0", store_, clock_, options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   testing::TestChannelCredentials());
    stub_ = v1::SessionService::NewStub(channel_);
  }

  void StopServer() {
    server_->Shutdown(std::chrono::seconds(1));
    server_.reset();
    store_ = {};
  }

  // The shipped policy folder, and a fast WatchSession tick.
  static service::ServiceOptions Options() {
    service::ServiceOptions options = testing::TestServiceOptions();
    options.watch_interval = std::chrono::milliseconds(20);
    return options;
  }

  examples::Scenario Scenario() {
    auto s =
        examples::LoadScenario(std::string(UNITCLOCK_SCENARIO_DIR) + "/video_exercise_30min.json");
    EXPECT_TRUE(s.ok()) << s.status();
    return *s;
  }

  // What the platform reports late about the example scenario: the patient
  // dropped from 10:00 to 12:00, mid-exercise.
  std::vector<v1::Event> LatePatientDrop() {
    std::vector<v1::Event> late(2, Scenario().events[2]);  // patient joined
    late[0].set_event_id("late-drop");
    late[0].clear_participant_joined();
    late[0].mutable_participant_left()->set_participant(v1::PARTICIPANT_PATIENT);
    late[0].mutable_occurred_at()->set_seconds(1795791600 + 600);
    late[1].set_event_id("late-rejoin");
    late[1].mutable_occurred_at()->set_seconds(1795791600 + 720);
    return late;
  }

  // Streams `events` over PublishEvents, one in flight at a time, with the
  // token `token_id`.
  std::vector<EventAcknowledgement> Publish(const std::vector<v1::Event>& events,
                                            const std::string& token_id = "demo-all") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token_id);
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
                                           grpc::Status* status = nullptr,
                                           const std::string& token_id = "demo-all") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token_id);
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
                   v1::SessionView view = v1::SESSION_VIEW_FULL,
                   const std::string& token_id = "demo-all") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token_id);
    v1::GetSessionRequest req;
    req.set_name(name);
    req.set_view(view);
    return stub_->GetSession(&ctx, req, &out);
  }

  // The server's clock stands at 2026-12-02T00:00:00Z, after every event the
  // tests send (the example scenario is dated 2026-11-27T15:00Z), whatever
  // the real date.
  testing::FakeClock clock_{core::TimePoint(std::chrono::seconds(1796169600))};
  std::unique_ptr<testing::TestDatabase> db_;
  store::Store store_;
  std::unique_ptr<service::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SessionService::Stub> stub_;
};

TEST_P(SessionServiceE2eTest, StreamsTheExampleScenarioAndReadsTheSessionBack) {
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

TEST_P(SessionServiceE2eTest, YearToDateAmountsOnSessionStartedRoundTrip) {
  std::vector<v1::Event> events = Scenario().events;
  v1::SessionStarted* started = events[0].mutable_session_started();
  started->set_year_to_date_pt_slp_cents(241000);
  started->set_year_to_date_ot_cents(0);  // zero is a known amount, not an absent one
  for (const EventAcknowledgement& ack : Publish(events)) {
    EXPECT_EQ(ack.outcome(), EventAcknowledgement::OUTCOME_RECORDED) << ack.error_message();
  }
  v1::Session session;
  ASSERT_TRUE(Get("sessions/demo-20261127-0001", session).ok());
  ASSERT_TRUE(session.started().has_year_to_date_pt_slp_cents());
  EXPECT_EQ(session.started().year_to_date_pt_slp_cents(), 241000);
  ASSERT_TRUE(session.started().has_year_to_date_ot_cents());
  EXPECT_EQ(session.started().year_to_date_ot_cents(), 0);
  EXPECT_EQ(session.events(0).SerializeAsString(), events[0].SerializeAsString());

  // Another amount under the same event id is another event.
  v1::Event changed = events[0];
  changed.mutable_session_started()->set_year_to_date_pt_slp_cents(241001);
  const std::vector<EventAcknowledgement> acks = Record({changed});
  ASSERT_THAT(acks, SizeIs(1));
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[0].error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_P(SessionServiceE2eTest, AbsentYearToDateAmountsStayAbsentAndNegativeOnesAreRejected) {
  std::vector<v1::Event> events = Scenario().events;
  v1::Event negative = events[0];
  negative.mutable_session_started()->set_year_to_date_pt_slp_cents(-1);
  std::vector<EventAcknowledgement> acks = Record({negative});
  ASSERT_THAT(acks, SizeIs(1));
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[0].error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(acks[0].error_message(),
            "event.session_started.year_to_date_pt_slp_cents: must not be negative");
  negative.mutable_session_started()->clear_year_to_date_pt_slp_cents();
  negative.mutable_session_started()->set_year_to_date_ot_cents(-250);
  acks = Record({negative});
  ASSERT_THAT(acks, SizeIs(1));
  EXPECT_EQ(acks[0].error_message(),
            "event.session_started.year_to_date_ot_cents: must not be negative");

  Publish(events);
  v1::Session session;
  ASSERT_TRUE(Get("sessions/demo-20261127-0001", session).ok());
  EXPECT_FALSE(session.started().has_year_to_date_pt_slp_cents());
  EXPECT_FALSE(session.started().has_year_to_date_ot_cents());
}

TEST_P(SessionServiceE2eTest, GetSessionReturnsTheTimelineAndALateEventRecomputesIt) {
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

  Record(LatePatientDrop());
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session, v1::SESSION_VIEW_BASIC).ok());
  EXPECT_EQ(session.timeline().billable_seconds(), 1500 - 120);
  EXPECT_EQ(session.timeline().billable_intervals_size(), 2);
  ASSERT_EQ(session.timeline().excluded_by_reason_size(), 2);
  EXPECT_EQ(session.timeline().excluded_by_reason(1).reason(), v1::EXCLUSION_REASON_DISCONNECTED);
  EXPECT_EQ(session.timeline().excluded_by_reason(1).seconds(), 120);
}

TEST_P(SessionServiceE2eTest, ResentEventsAreAcknowledgedAgainAndStoredOnce) {
  const examples::Scenario scenario = Scenario();
  Publish(scenario.events);
  for (const EventAcknowledgement& ack : Record(scenario.events)) {
    EXPECT_EQ(ack.outcome(), EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
  }
  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session).ok());
  EXPECT_EQ(session.event_count(), static_cast<int64_t>(scenario.events.size()));
}

TEST_P(SessionServiceE2eTest, ConflictingAndInvalidEventsAreRejectedAndTheStreamGoesOn) {
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

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

// A PublishEvents stream that writes whatever bytes it is given, as no
// well-behaved client library would. One operation at a time.
class RawPublishStream {
 public:
  RawPublishStream(const std::shared_ptr<grpc::Channel>& channel, const std::string& token_id)
      : stub_(channel) {
    testing::Authorize(ctx_, token_id);
    call_ = stub_.PrepareCall(&ctx_, "/unitclock.v1.SessionService/PublishEvents", &cq_);
    call_->StartCall(this);
    EXPECT_TRUE(Wait());
  }
  ~RawPublishStream() {
    if (!finished_) ctx_.TryCancel();
    call_.reset();
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  bool Write(const std::string& bytes) {
    grpc::Slice slice(bytes);
    out_ = grpc::ByteBuffer(&slice, 1);
    call_->Write(out_, this);
    return Wait();
  }
  bool Read(v1::PublishEventsResponse& response) {
    grpc::ByteBuffer in;
    call_->Read(&in, this);
    return Wait() && response.ParseFromString(Flatten(in));
  }
  grpc::Status Finish() {
    call_->WritesDone(this);
    Wait();
    grpc::Status status;
    call_->Finish(&status, this);
    Wait();
    finished_ = true;
    return status;
  }

 private:
  // Waits for the operation in progress; false if it failed or timed out.
  bool Wait() {
    void* tag = nullptr;
    bool ok = false;
    const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(20);
    return cq_.AsyncNext(&tag, &ok, deadline) == grpc::CompletionQueue::GOT_EVENT && ok;
  }

  grpc::GenericStub stub_;
  grpc::ClientContext ctx_;
  grpc::CompletionQueue cq_;
  grpc::ByteBuffer out_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  bool finished_ = false;
};

// Messages protobuf cannot decode (a string field holding invalid UTF-8,
// bytes that are no Event) are acknowledged REJECTED in their turn, and the
// stream goes on: the events after them are not lost.
TEST_P(SessionServiceE2eTest, UndecodableMessagesAreRejectedAndTheStreamGoesOn) {
  const std::vector<v1::Event> events = Scenario().events;
  auto request = [](const v1::Event& e) { return LengthDelimited(1, e.SerializeAsString()); };
  v1::Event bad = events[1];
  bad.set_event_id("bad-utf8");
  // session_id (field 2) again, as invalid UTF-8: the last occurrence wins.
  const std::string bad_utf8 = LengthDelimited(
      1, bad.SerializeAsString() + LengthDelimited(2, std::string("\xff\xfe", 2) + "session"));
  const std::string garbage = "not an event at all";

  RawPublishStream stream(channel_, "demo-all");
  std::vector<EventAcknowledgement> acks;
  for (const std::string& bytes : {request(events[0]), bad_utf8, garbage, request(events[1])}) {
    v1::PublishEventsResponse response;
    ASSERT_TRUE(stream.Write(bytes));
    ASSERT_TRUE(stream.Read(response)) << "no acknowledgement for message " << acks.size();
    acks.push_back(response.acknowledgement());
  }
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(acks[1].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[1].error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(acks[1].event_id(), "bad-utf8");
  EXPECT_THAT(acks[1].error_message(),
              HasSubstr("event: not a valid unitclock.v1.Event (bytes could not be parsed; a "
                        "string field may hold invalid UTF-8)"));
  EXPECT_EQ(acks[2].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[2].error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(acks[2].event_id(), "");
  EXPECT_THAT(acks[2].error_message(), HasSubstr("event: not a valid unitclock.v1.Event"));
  EXPECT_EQ(acks[3].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(acks[3].event_id(), events[1].event_id());

  // Still open: one more event goes through, then the stream ends OK.
  v1::PublishEventsResponse response;
  ASSERT_TRUE(stream.Write(request(events[2])));
  ASSERT_TRUE(stream.Read(response));
  EXPECT_EQ(response.acknowledgement().outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  const grpc::Status status = stream.Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();

  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + Scenario().session_id, session).ok());
  EXPECT_EQ(session.event_count(), 3);
}

// Acknowledgements ready at once (undecodable messages need no commit) all
// reach a client that writes a window of messages and only then reads: none
// waits in a buffer for a later write that never comes. Each stream has a
// connection of its own, so that no other stream's traffic flushes it.
TEST_P(SessionServiceE2eTest, AWindowOfImmediateAcknowledgementsIsAllSent) {
  const std::vector<v1::Event> events = Scenario().events;
  for (int round = 0; round < 20; ++round) {
    auto channel = grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(server_->port()), testing::TestChannelCredentials(), [round] {
          grpc::ChannelArguments args;
          args.SetInt("unitclock.test.round", round);  // a connection of its own
          return args;
        }());
    RawPublishStream stream(channel, "demo-all");
    constexpr std::size_t kWindow = 32;
    constexpr std::size_t kMessages = 400;
    std::size_t sent = 0;
    std::size_t acked = 0;
    while (acked < kMessages) {
      for (; sent < kMessages && sent - acked < kWindow; ++sent) {
        v1::Event e = events[1];
        e.set_event_id("r" + std::to_string(round) + "-" + std::to_string(sent));
        e.set_session_id("window-" + std::to_string(round));
        // Mostly events to commit, with an undecodable message now and then.
        const std::string bytes = sent % 9 == 4 ? "not an event " + std::to_string(sent)
                                                : LengthDelimited(1, e.SerializeAsString());
        ASSERT_TRUE(stream.Write(bytes)) << "round " << round << " message " << sent;
      }
      v1::PublishEventsResponse response;
      ASSERT_TRUE(stream.Read(response)) << "round " << round << ": no acknowledgement " << acked;
      ++acked;
    }
    EXPECT_TRUE(stream.Finish().ok());
  }
}

// An undecodable RecordEvents body is INVALID_ARGUMENT naming the field, and
// records nothing.
TEST_P(SessionServiceE2eTest, UndecodableBatchesAreInvalidArgumentNamingTheField) {
  const std::vector<v1::Event> events = Scenario().events;
  auto call = [&](const std::string& body) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, "demo-all");
    grpc::Slice slice(body);
    grpc::ByteBuffer request_bytes(&slice, 1);
    grpc::ByteBuffer response_bytes;
    grpc::GenericStub generic(channel_);
    grpc::Status status;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    generic.UnaryCall(&ctx, "/unitclock.v1.SessionService/RecordEvents", grpc::StubOptions(),
                      &request_bytes, &response_bytes, [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = std::move(s);
                        done = true;
                        cv.notify_one();
                      });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    return status;
  };

  grpc::Status status = call("not an event at all");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("events: not a valid"));

  v1::Event bad = events[1];
  bad.set_session_id(std::string("\xff\xfe", 2));  // serialised as is, parsed never
  status = call(LengthDelimited(1, events[0].SerializeAsString()) +
                LengthDelimited(1, bad.SerializeAsString()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("events[1]: not a valid unitclock.v1.Event (bytes could not be parsed"));

  v1::Session session;
  EXPECT_EQ(Get("sessions/" + Scenario().session_id, session).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A good body still works.
  status = call(LengthDelimited(1, events[0].SerializeAsString()));
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// ---- Remote monitoring events on the wire.

// `value` as varint field `number` of a message (wire type 0), as a
// hand-written client would send it: any int64, any enum number.
std::string VarintField(int number, std::int64_t value) {
  std::string out;
  const auto varint = [&out](std::uint64_t v) {
    for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    out.push_back(static_cast<char>(v));
  };
  varint(static_cast<std::uint64_t>(number) << 3);
  varint(static_cast<std::uint64_t>(value));
  return out;
}

// An event of the monitoring episode `episode`, `seconds` after the example
// scenario's start (2026-11-27T15:00Z).
v1::Event EpisodeEvent(const std::string& id, const std::string& episode, int seconds) {
  v1::Event e;
  e.set_event_id(id);
  e.set_session_id(episode);
  e.mutable_occurred_at()->set_seconds(1795791600 + seconds);
  return e;
}

v1::Event EpisodeStart(const std::string& id, const std::string& episode, int seconds) {
  v1::Event e = EpisodeEvent(id, episode, seconds);
  v1::MonitoringEpisodeStarted& s = *e.mutable_monitoring_episode_started();
  s.set_platform("demo-rehab");
  s.set_patient_ref("pt-4f9c2a");
  s.set_provider_ref("prov-77");
  s.set_provider_role(v1::PROVIDER_ROLE_PT);
  s.set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
  s.set_payer_id("medicare");
  s.set_clinic_time_zone("America/Chicago");
  s.set_device_kind(v1::DEVICE_KIND_MUSCULOSKELETAL);
  s.set_program(v1::MONITORING_PROGRAM_REMOTE_THERAPEUTIC);
  return e;
}

v1::Event DeviceData(const std::string& id, const std::string& episode, int seconds) {
  v1::Event e = EpisodeEvent(id, episode, seconds);
  e.mutable_device_data_received()->set_data_kind("exercise_session");
  return e;
}

v1::Event Management(const std::string& id, const std::string& episode, int seconds) {
  v1::Event e = EpisodeEvent(id, episode, seconds);
  v1::TreatmentManagementRecorded& m = *e.mutable_treatment_management_recorded();
  m.set_clinician_ref("pta-2");
  m.set_clinician_role(v1::PROVIDER_ROLE_PTA);
  m.set_duration_seconds(754);
  m.set_activity("data_review");
  return e;
}

v1::Event Call(const std::string& id, const std::string& episode, int seconds) {
  v1::Event e = EpisodeEvent(id, episode, seconds);
  v1::InteractiveCommunicationHeld& c = *e.mutable_interactive_communication_held();
  c.set_clinician_ref("prov-77");
  c.set_clinician_role(v1::PROVIDER_ROLE_PT);
  c.set_modality(v1::MODALITY_AUDIO_VIDEO);
  c.set_duration_seconds(600);
  return e;
}

// Every kind of monitoring event is recorded, comes back exactly in
// GetSession's FULL view, and makes its session an episode, which
// ListSessions (visits only) leaves out.
TEST_P(SessionServiceE2eTest, MonitoringEventsAreRecordedAndReadBackWhole) {
  v1::Event ended = EpisodeEvent("m5", "episode-1", 86400 * 4);
  ended.mutable_monitoring_episode_ended();
  const std::vector<v1::Event> sent = {
      EpisodeStart("m1", "episode-1", 0), DeviceData("m2", "episode-1", 3600),
      Management("m3", "episode-1", 7200), Call("m4", "episode-1", 86400), ended};
  const auto acks = Record(sent);
  ASSERT_THAT(acks, SizeIs(sent.size()));
  for (const EventAcknowledgement& ack : acks) {
    EXPECT_EQ(ack.outcome(), EventAcknowledgement::OUTCOME_RECORDED) << ack.error_message();
  }
  // Sent again: a retry.
  for (const EventAcknowledgement& ack : Record(sent)) {
    EXPECT_EQ(ack.outcome(), EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
  }

  v1::Session episode;
  ASSERT_TRUE(Get("sessions/episode-1", episode).ok());
  ASSERT_EQ(episode.events_size(), static_cast<int>(sent.size()));
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(episode.events(i), sent[i]))
        << "sent:\n"
        << sent[i].DebugString() << "read back:\n"
        << episode.events(i).DebugString();
  }

  Publish(Scenario().events);
  grpc::ClientContext ctx;
  testing::Authorize(ctx);
  v1::ListSessionsRequest req;
  req.set_patient_ref("pt-4f9c2a");
  v1::ListSessionsResponse resp;
  ASSERT_TRUE(stub_->ListSessions(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.sessions_size(), 1);
  EXPECT_EQ(resp.sessions(0).session_id(), Scenario().session_id);
}

// Monitoring events with a bad field, written as raw bytes on a
// PublishEvents stream: each is REJECTED, INVALID_ARGUMENT naming the field
// (PERMISSION_DENIED for another platform's episode), the stream goes on,
// and neither another session nor the events acknowledged before change.
TEST_P(SessionServiceE2eTest, BadMonitoringEventsAreRejectedNamingTheField) {
  Publish(Scenario().events);
  ASSERT_THAT(Record({EpisodeStart("m1", "episode-1", 0), DeviceData("m2", "episode-1", 60)}),
              ::testing::Each(::testing::Property(&EventAcknowledgement::outcome,
                                                  EventAcknowledgement::OUTCOME_RECORDED)));
  v1::Session visit_before, episode_before;
  ASSERT_TRUE(Get("sessions/" + Scenario().session_id, visit_before).ok());
  ASSERT_TRUE(Get("sessions/episode-1", episode_before).ok());

  struct Bad {
    std::string bytes;  // the Event's
    grpc::StatusCode code;
    std::string message;
  };
  std::vector<Bad> bad;
  {
    v1::Event e = EpisodeStart("b1", "episode-1", 120);
    e.mutable_monitoring_episode_started()->set_provider_role(v1::PROVIDER_ROLE_PTA);
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::INVALID_ARGUMENT,
                   "event.monitoring_episode_started.provider_role: must be PT, OT or SLP: an "
                   "assistant cannot bill a monitoring episode"});
  }
  {
    // device_kind (field 8 of field 18) again, as a number DeviceKind lacks:
    // the submessage occurrences merge, the last value wins.
    const v1::Event e = EpisodeStart("b2", "episode-2", 120);
    bad.push_back({e.SerializeAsString() + LengthDelimited(18, VarintField(8, 9)),
                   grpc::StatusCode::INVALID_ARGUMENT,
                   "event.monitoring_episode_started.device_kind: unknown value 9"});
  }
  {
    v1::Event e = EpisodeStart("b3", "episode-3", 120);
    e.mutable_monitoring_episode_started()->set_clinic_time_zone("Mars/Olympus_Mons");
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::INVALID_ARGUMENT,
                   "event.monitoring_episode_started.clinic_time_zone: not an IANA time zone "
                   "such as \"America/Chicago\""});
  }
  {
    v1::Event e = EpisodeStart("b4", "episode-4", 120);
    e.mutable_monitoring_episode_started()->set_platform("other-platform");
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::PERMISSION_DENIED,
                   "event.monitoring_episode_started.platform: not the platform of the "
                   "caller's token"});
  }
  for (const std::int64_t seconds :
       {std::int64_t{0}, std::int64_t{-5}, std::int64_t{14401},
        std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
    v1::Event e = Management("b5-" + std::to_string(bad.size()), "episode-1", 180);
    e.mutable_treatment_management_recorded()->clear_duration_seconds();
    // duration_seconds is field 3 of field 21.
    bad.push_back({e.SerializeAsString() + LengthDelimited(21, VarintField(3, seconds)),
                   grpc::StatusCode::INVALID_ARGUMENT,
                   "event.treatment_management_recorded.duration_seconds: must be 1 to 14400"});
  }
  {
    v1::Event e = Management("b6", "episode-1", 180);
    e.mutable_treatment_management_recorded()->set_clinician_role(v1::PROVIDER_ROLE_UNSPECIFIED);
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::INVALID_ARGUMENT,
                   "event.treatment_management_recorded.clinician_role: required"});
  }
  {
    v1::Event e = Call("b7", "episode-1", 240);
    e.mutable_interactive_communication_held()->set_modality(v1::MODALITY_NONE);
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::INVALID_ARGUMENT,
                   "event.interactive_communication_held.modality: must be a real-time two-way "
                   "medium (AUDIO_VIDEO or AUDIO_ONLY)"});
  }
  {
    v1::Event e = Call("b8", "episode-1", 240);
    e.mutable_interactive_communication_held()->set_clinician_ref("prov~77");
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::INVALID_ARGUMENT,
                   "event.interactive_communication_held.clinician_ref: must not contain ~ * : "
                   "^ (X12 delimiters)"});
  }
  {
    v1::Event e = Call("b9", "episode-1", 240);
    e.mutable_interactive_communication_held()->set_duration_seconds(14401);
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::INVALID_ARGUMENT,
                   "event.interactive_communication_held.duration_seconds: must be 1 to 14400"});
  }
  {
    v1::Event e = DeviceData("b10", "episode-1", 300);
    e.mutable_device_data_received()->set_data_kind(std::string(65, 'k'));
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::INVALID_ARGUMENT,
                   "event.device_data_received.data_kind: longer than 64 characters"});
  }
  {
    // The acknowledged m2 again with other content.
    v1::Event e = DeviceData("m2", "episode-1", 60);
    e.mutable_device_data_received()->set_data_kind("heart_rate");
    bad.push_back({e.SerializeAsString(), grpc::StatusCode::ALREADY_EXISTS, "event.event_id: "});
  }

  RawPublishStream stream(channel_, "demo-all");
  for (const Bad& b : bad) {
    v1::PublishEventsResponse response;
    ASSERT_TRUE(stream.Write(LengthDelimited(1, b.bytes)));
    ASSERT_TRUE(stream.Read(response)) << b.message;
    const EventAcknowledgement& ack = response.acknowledgement();
    EXPECT_EQ(ack.outcome(), EventAcknowledgement::OUTCOME_REJECTED) << b.message;
    EXPECT_EQ(ack.error_code(), b.code) << b.message;
    EXPECT_THAT(ack.error_message(), ::testing::StartsWith(b.message));
  }
  // The stream goes on: a good event after them is recorded.
  v1::PublishEventsResponse response;
  ASSERT_TRUE(
      stream.Write(LengthDelimited(1, DeviceData("m3", "episode-1", 400).SerializeAsString())));
  ASSERT_TRUE(stream.Read(response));
  EXPECT_EQ(response.acknowledgement().outcome(), EventAcknowledgement::OUTCOME_RECORDED)
      << response.acknowledgement().error_message();
  EXPECT_TRUE(stream.Finish().ok());

  v1::Session visit_after, episode_after;
  ASSERT_TRUE(Get("sessions/" + Scenario().session_id, visit_after).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(visit_before, visit_after));
  ASSERT_TRUE(Get("sessions/episode-1", episode_after).ok());
  ASSERT_EQ(episode_after.events_size(), 3);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(episode_before.events(i),
                                                                   episode_after.events(i)));
  }
  EXPECT_EQ(episode_after.events(2).event_id(), "m3");
  for (const char* never : {"sessions/episode-2", "sessions/episode-3", "sessions/episode-4"}) {
    v1::Session none;
    EXPECT_EQ(Get(never, none).error_code(), grpc::StatusCode::NOT_FOUND) << never;
  }
}

// A platform may write many events before reading their acknowledgements:
// the server reads ahead (and its group commits take several events of the
// stream at once) but still answers every event, in the order sent, with the
// outcome it would have had alone: invalid events and repeats among them.
TEST_P(SessionServiceE2eTest, EventsWrittenAheadAreAcknowledgedInOrder) {
  const examples::Scenario scenario = Scenario();
  std::vector<v1::Event> sent(scenario.events.begin(), scenario.events.begin() + 5);
  std::vector<EventAcknowledgement::Outcome> expected(sent.size(),
                                                      EventAcknowledgement::OUTCOME_RECORDED);
  int distinct = static_cast<int>(sent.size());
  for (int i = 0; i < 300; ++i) {
    v1::Event e = scenario.events[5];  // a liveness signal of activity ex-1
    e.set_event_id("ahead-" + std::to_string(i));
    e.mutable_occurred_at()->set_seconds(scenario.events[4].occurred_at().seconds() + i);
    if (i % 10 == 9) {
      e.mutable_occurred_at()->set_seconds(0);  // the epoch: invalid
      expected.push_back(EventAcknowledgement::OUTCOME_REJECTED);
    } else if (i % 7 == 6) {
      e = sent.back();  // the previous event again
      expected.push_back(expected.back() == EventAcknowledgement::OUTCOME_REJECTED
                             ? EventAcknowledgement::OUTCOME_REJECTED
                             : EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
    } else {
      expected.push_back(EventAcknowledgement::OUTCOME_RECORDED);
      ++distinct;
    }
    sent.push_back(e);
  }

  grpc::ClientContext ctx;
  testing::Authorize(ctx, "demo-all");
  auto stream = stub_->PublishEvents(&ctx);
  for (const v1::Event& e : sent) {
    v1::PublishEventsRequest req;
    *req.mutable_event() = e;
    ASSERT_TRUE(stream->Write(req));
  }
  stream->WritesDone();
  std::vector<EventAcknowledgement> acks;
  v1::PublishEventsResponse resp;
  while (stream->Read(&resp)) acks.push_back(resp.acknowledgement());
  const grpc::Status st = stream->Finish();
  ASSERT_TRUE(st.ok()) << st.error_message();

  ASSERT_EQ(acks.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(acks[i].event_id(), sent[i].event_id()) << i;
    EXPECT_EQ(acks[i].outcome(), expected[i]) << i << ": " << acks[i].error_message();
  }
  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session, v1::SESSION_VIEW_BASIC).ok());
  EXPECT_EQ(session.event_count(), distinct);
}

TEST_P(SessionServiceE2eTest, BatchRecordsValidEventsBesideInvalidOnes) {
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

// Concurrent RecordEvents calls share group commits: a call waits for its
// commit without holding a server thread, so that all 64 calls below are
// queued while the store's writer is busy, and then go in one commit.
TEST_P(SessionServiceE2eTest, ConcurrentBatchesShareGroupCommits) {
  // The writer thread is held in the callback of an append of its own.
  std::latch writer_busy(1);
  std::latch release(1);
  store::StoredEvent blocker;
  blocker.event_id = "blocker";
  blocker.session_id = "blocker-session";
  blocker.occurred_at = clock_.Now();
  blocker.payload = "blocker";
  store_.events->AppendAsync({blocker}, [&](absl::StatusOr<store::AppendResults> r) {
    EXPECT_TRUE(r.ok()) << r.status();
    writer_busy.count_down();
    release.wait();
  });
  writer_busy.wait();

  constexpr int kCalls = 64;
  const std::vector<v1::Event> scenario = Scenario().events;
  const auto per_call = static_cast<std::int64_t>(scenario.size());
  std::vector<grpc::ClientContext> contexts(kCalls);
  std::vector<v1::RecordEventsRequest> requests(kCalls);
  std::vector<v1::RecordEventsResponse> responses(kCalls);
  std::vector<grpc::Status> statuses(kCalls);
  std::latch answered(kCalls);
  for (int c = 0; c < kCalls; ++c) {
    for (v1::Event e : scenario) {
      e.set_event_id("c" + std::to_string(c) + "-" + e.event_id());
      e.set_session_id("concurrent-" + std::to_string(c));
      *requests[c].add_events() = std::move(e);
    }
    testing::Authorize(contexts[c], "demo-all");
    stub_->async()->RecordEvents(&contexts[c], &requests[c], &responses[c],
                                 [&, c](grpc::Status st) {
                                   statuses[c] = std::move(st);
                                   answered.count_down();
                                 });
  }
  // Every call's events reach the store's queue while the writer is held.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::int64_t queued = 0;
  while ((queued = store_.events->Stats().queued_events) < kCalls * per_call &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  release.count_down();
  EXPECT_EQ(queued, kCalls * per_call) << "calls were not all waiting for one commit";
  answered.wait();

  for (int c = 0; c < kCalls; ++c) {
    ASSERT_TRUE(statuses[c].ok()) << c << ": " << statuses[c].error_message();
    ASSERT_THAT(responses[c].acknowledgements(), SizeIs(scenario.size()));
    for (const EventAcknowledgement& ack : responses[c].acknowledgements()) {
      EXPECT_EQ(ack.outcome(), EventAcknowledgement::OUTCOME_RECORDED) << ack.error_message();
    }
  }
  // The blocker's commit, then one for all 64 calls.
  const store::EventLog::WriteStats stats = store_.events->Stats();
  EXPECT_EQ(stats.commits, 2);
  EXPECT_EQ(stats.events, 1 + kCalls * per_call);
}

TEST_P(SessionServiceE2eTest, EventsFarAheadOfTheServerClockAreRejected) {
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

TEST_P(SessionServiceE2eTest, BatchSizeIsBounded) {
  grpc::Status st;
  Record({}, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("events: must hold 1 to 1000 events"));
  Record(std::vector<v1::Event>(1001, Scenario().events[0]), &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(SessionServiceE2eTest, EventsSurviveARestartOfTheServer) {
  const examples::Scenario scenario = Scenario();
  Publish(scenario.events);
  StopServer();
  StartServer();
  v1::Session session;
  ASSERT_TRUE(Get("sessions/" + scenario.session_id, session).ok());
  EXPECT_EQ(session.event_count(), static_cast<int64_t>(scenario.events.size()));
  EXPECT_EQ(session.state(), v1::Session::STATE_STOPPED);
}

TEST_P(SessionServiceE2eTest, GetSessionNamesBadAndUnknownSessions) {
  v1::Session session;
  grpc::Status st = Get("sessions/never-seen", session);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("name: no session"));
  st = Get("demo-20261127-0001", session);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("name: must be sessions/{id}"));
}

// What a malformed resource name is answered with, in field `field`.
std::string NameError(const std::string& field, const std::string& collection) {
  return field + ": must be " + collection +
         "/{id}, where id is 1 to 128 characters of letters, digits and - _ . : (not . or ..)";
}

// Names no event could have created: a path climbing up, nothing, a control
// character, an id longer than events allow.
std::vector<std::string> MalformedNames(const std::string& collection) {
  return {collection + "/../etc",
          "",
          collection + "/bad\x01id",
          collection + "/\x1b[2Jbad",
          collection + "/" + std::string(129, 'x'),
          collection + "/..",
          collection + "/demo-20261127-0001/../etc"};
}

TEST_P(SessionServiceE2eTest, MalformedSessionNamesAreInvalidArgumentAndNeverRepeated) {
  Publish(Scenario().events);
  v1::Session session;
  for (const std::string& name : MalformedNames("sessions")) {
    const grpc::Status st = Get(name, session);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_EQ(st.error_message(), NameError("name", "sessions")) << name;
  }
  // Well-formed names of no session, even the longest, stay NOT_FOUND.
  grpc::Status st = Get("sessions/" + std::string(128, 'x'), session);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  st = Get("sessions/demo-20261127-0001", session, v1::SESSION_VIEW_FULL, "other-all");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get("sessions/demo-20261127-0001", session).ok());
}

TEST_P(SessionServiceE2eTest, AnUnknownViewIsInvalidArgument) {
  Publish(Scenario().events);
  v1::Session session;
  grpc::Status st = Get("sessions/demo-20261127-0001", session, static_cast<v1::SessionView>(42));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "view: 42 is not a SessionView");
  grpc::ClientContext ctx;
  testing::Authorize(ctx);
  v1::ListSessionsRequest req;
  req.set_view(static_cast<v1::SessionView>(42));
  v1::ListSessionsResponse resp;
  st = stub_->ListSessions(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "view: 42 is not a SessionView");
}

TEST_P(SessionServiceE2eTest, ListsSessionsByPatientAndDateRange) {
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
    testing::Authorize(ctx);
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

TEST_P(SessionServiceE2eTest, HealthCheckNeedsNoTokenAndReportsServing) {
  grpc::ClientContext ctx;  // no token: load balancers probe without one
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

// GetCaller: any role learns what its token stands for, never the token.
TEST_P(SessionServiceE2eTest, GetCallerReturnsTheTokensIdPlatformAndRoles) {
  auto callers = v1::CallerService::NewStub(channel_);
  auto get = [&](std::string_view token_id, const std::string& name, v1::Caller* caller) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token_id);
    v1::GetCallerRequest req;
    req.set_name(name);
    return callers->GetCaller(&ctx, req, caller);
  };
  v1::Caller demo;
  grpc::Status s = get("demo-platform", "", &demo);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(demo.name(), "callers/me");
  EXPECT_EQ(demo.token_id(), "demo-platform");
  EXPECT_EQ(demo.platform(), "demo-rehab");
  EXPECT_THAT(demo.roles(), ::testing::ElementsAre("platform"));

  v1::Caller other;
  s = get("other-all", "callers/me", &other);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(other.token_id(), "other-all");
  EXPECT_EQ(other.platform(), "other-platform");
  EXPECT_THAT(other.roles(), ::testing::ElementsAre("platform", "reviewer", "billing"));
  EXPECT_THAT(other.DebugString(), Not(HasSubstr(testing::TestToken("other-all"))));

  // Any role may ask: a reviewer, a billing clerk, an all-platform admin.
  v1::Caller reviewer;
  ASSERT_TRUE(get("demo-reviewer", "", &reviewer).ok());
  EXPECT_THAT(reviewer.roles(), ::testing::ElementsAre("reviewer"));
  v1::Caller billing;
  ASSERT_TRUE(get("demo-billing", "", &billing).ok());
  EXPECT_THAT(billing.roles(), ::testing::ElementsAre("billing"));
  v1::Caller admin;
  ASSERT_TRUE(get("admin", "", &admin).ok());
  EXPECT_EQ(admin.platform(), "*");
  EXPECT_THAT(admin.roles(), ::testing::ElementsAre("admin"));

  v1::Caller ignored;
  EXPECT_EQ(get("demo-all", "callers/someone-else", &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext no_token;
  EXPECT_EQ(callers->GetCaller(&no_token, v1::GetCallerRequest(), &ignored).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext unknown;
  unknown.AddMetadata("authorization", "Bearer not-a-token");
  EXPECT_EQ(callers->GetCaller(&unknown, v1::GetCallerRequest(), &ignored).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// The CodingService on the same real server.
class CodingServiceE2eTest : public SessionServiceE2eTest {
 protected:
  void SetUp() override {
    SessionServiceE2eTest::SetUp();
    coding_ = v1::CodingService::NewStub(channel_);
  }

  grpc::Status Suggest(const v1::SuggestCodesRequest& request, v1::SuggestCodesResponse& out,
                       const std::string& token_id = "demo-all") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token_id);
    return coding_->SuggestCodes(&ctx, request, &out);
  }

  v1::SuggestCodesRequest ForSession(const std::string& session_id) {
    v1::SuggestCodesRequest r;
    r.set_session("sessions/" + session_id);
    return r;
  }

  // A copy of the example scenario as another session of the same patient,
  // `minutes` of exercise from 16:00Z on the same day.
  std::vector<v1::Event> SecondSession(int minutes) {
    const examples::Scenario scenario = Scenario();
    std::vector<v1::Event> events;
    const int64_t start = 1795791600 + 3600;
    auto add = [&](const v1::Event& model, int64_t at) {
      v1::Event e = model;
      e.set_session_id("second-session");
      e.set_event_id("second-" + std::to_string(events.size()));
      e.mutable_occurred_at()->set_seconds(at);
      events.push_back(e);
    };
    add(scenario.events[0], start);                        // started
    add(scenario.events[1], start);                        // provider joined
    add(scenario.events[2], start);                        // patient joined
    add(scenario.events[4], start + 60);                   // exercise started
    add(scenario.events[17], start + 60 + minutes * 60);   // exercise ended
    add(scenario.events[20], start + 120 + minutes * 60);  // stopped
    return events;
  }

  std::unique_ptr<v1::CodingService::Stub> coding_;
};

TEST_P(CodingServiceE2eTest, TheExampleScenarioSuggests97110TwiceWithGpAnd95AtHome) {
  const examples::Scenario scenario = Scenario();
  Publish(scenario.events);
  v1::SuggestCodesResponse response;
  ASSERT_TRUE(Suggest(ForSession(scenario.session_id), response).ok());
  ASSERT_EQ(response.suggestions_size(), 1);
  const v1::Suggestion& s = response.suggestions(0);
  EXPECT_EQ(s.date_of_service(), "2026-11-27");
  EXPECT_EQ(s.payer_id(), "medicare");
  EXPECT_EQ(s.method_used(), v1::UNIT_METHOD_MEDICARE_POOLED);
  ASSERT_EQ(s.lines_size(), 1);
  const v1::SuggestedLine& line = s.lines(0);
  EXPECT_EQ(line.code(), "97110");
  EXPECT_EQ(line.units(), 2);
  EXPECT_THAT(line.modifiers(), ::testing::ElementsAre("GP", "95"));
  EXPECT_EQ(line.place_of_service(), "10");
  EXPECT_EQ(line.minutes(), 25);
  EXPECT_FALSE(line.blocking());
  ASSERT_EQ(line.unit_provenance_size(), 2);
  // Unit 1 is the exercise's first 15 minutes (02:00 to 17:00), unit 2 the rest.
  EXPECT_EQ(line.unit_provenance(0).intervals(0).start_time().seconds(), 1795791600 + 120);
  EXPECT_EQ(line.unit_provenance(0).intervals(0).end_time().seconds(), 1795791600 + 1020);
  EXPECT_EQ(line.unit_provenance(1).intervals(0).end_time().seconds(), 1795791600 + 1620);
  EXPECT_EQ(s.medicare_pooled().units_by_code().at("97110"), 2);
  EXPECT_EQ(s.cpt_midpoint().units_by_code().at("97110"), 2);
  EXPECT_EQ(s.documentation().total_timed_minutes(), 25);
  EXPECT_EQ(s.documentation().total_treatment_minutes(), 25);
  // The scenario gives no year-to-date amount: KX is not considered, and says so.
  ASSERT_EQ(s.warnings_size(), 1);
  EXPECT_EQ(s.warnings(0).code(), "threshold_amount_unknown");
  EXPECT_EQ(s.warnings(0).severity(), v1::SEVERITY_INFO);

  // The same through the patient-day scope; another day has nothing.
  v1::SuggestCodesRequest day;
  day.mutable_patient_day()->set_platform("demo-rehab");
  day.mutable_patient_day()->set_patient_ref("pt-4f9c2a");
  day.mutable_patient_day()->set_date_of_service("2026-11-27");
  v1::SuggestCodesResponse by_day;
  ASSERT_TRUE(Suggest(day, by_day).ok());
  ASSERT_EQ(by_day.suggestions_size(), 1);
  EXPECT_EQ(by_day.suggestions(0).SerializeAsString(), s.SerializeAsString());
  day.mutable_patient_day()->set_date_of_service("2026-11-28");
  by_day.Clear();
  ASSERT_TRUE(Suggest(day, by_day).ok());
  EXPECT_EQ(by_day.suggestions_size(), 0);
}

TEST_P(CodingServiceE2eTest, SameDaySessionsAreSummedBeforeTheEightMinuteRule) {
  Publish(Scenario().events);  // 25 minutes of 97110
  Publish(SecondSession(8));   // 8 more minutes the same day
  v1::SuggestCodesResponse second;
  ASSERT_TRUE(Suggest(ForSession("second-session"), second).ok());
  ASSERT_EQ(second.suggestions(0).lines_size(), 1);
  EXPECT_EQ(second.suggestions(0).lines(0).units(), 1);  // 8 minutes alone: 1 unit

  v1::SuggestCodesRequest day;
  day.mutable_patient_day()->set_patient_ref("pt-4f9c2a");
  day.mutable_patient_day()->set_date_of_service("2026-11-27");
  v1::SuggestCodesResponse response;
  ASSERT_TRUE(Suggest(day, response).ok());
  ASSERT_EQ(response.suggestions_size(), 1);
  const v1::Suggestion& s = response.suggestions(0);
  EXPECT_THAT(s.session_ids(), ::testing::ElementsAre("demo-20261127-0001", "second-session"));
  ASSERT_EQ(s.lines_size(), 1);  // one line per code per day
  EXPECT_EQ(s.lines(0).minutes(), 33);
  EXPECT_EQ(s.lines(0).units(), 2);  // 33 minutes: 2 units, not 2 + 1
}

TEST_P(CodingServiceE2eTest, MassageOverVideoIsSuggestedOnlyAsABlockedLine) {
  std::vector<v1::Event> events = SecondSession(20);
  events[3].mutable_activity_started()->set_kind(v1::ACTIVITY_KIND_MASSAGE);
  Publish(events);
  v1::SuggestCodesResponse response;
  ASSERT_TRUE(Suggest(ForSession("second-session"), response).ok());
  ASSERT_EQ(response.suggestions(0).lines_size(), 1);
  const v1::SuggestedLine& line = response.suggestions(0).lines(0);
  EXPECT_EQ(line.code(), "97124");
  EXPECT_TRUE(line.blocking());
  EXPECT_THAT(line.warning_codes(), ::testing::Contains("code_not_on_telehealth_list"));
  bool blocking_warning = false;
  for (const v1::CodingWarning& w : response.suggestions(0).warnings()) {
    blocking_warning = blocking_warning || (w.code() == "code_not_on_telehealth_list" &&
                                            w.severity() == v1::SEVERITY_BLOCKING);
  }
  EXPECT_TRUE(blocking_warning);
}

TEST_P(CodingServiceE2eTest, BadRequestsNameTheField) {
  v1::SuggestCodesResponse response;
  grpc::Status st = Suggest(v1::SuggestCodesRequest(), response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("scope: one of patient_day or session is required"));
  v1::SuggestCodesRequest day;
  day.mutable_patient_day()->set_patient_ref("pt-1");
  day.mutable_patient_day()->set_date_of_service("2026-02-30");
  st = Suggest(day, response);
  EXPECT_THAT(st.error_message(), HasSubstr("patient_day.date_of_service: must be a date"));
  st = Suggest(ForSession("never-seen"), response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  v1::SuggestCodesRequest bad_name;
  bad_name.set_session("never-seen");
  EXPECT_THAT(Suggest(bad_name, response).error_message(), HasSubstr("session: must be"));
  // A session whose SessionStarted has not arrived cannot be coded yet.
  std::vector<v1::Event> events = SecondSession(10);
  events.erase(events.begin());
  Publish(events);
  st = Suggest(ForSession("second-session"), response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  Publish(Scenario().events);
  v1::SuggestCodesRequest negative = ForSession("demo-20261127-0001");
  negative.set_year_to_date_pt_slp_cents(-1);
  st = Suggest(negative, response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "year_to_date_pt_slp_cents: must not be negative");
  negative.set_year_to_date_pt_slp_cents(0);
  negative.set_year_to_date_ot_cents(-1);
  st = Suggest(negative, response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "year_to_date_ot_cents: must not be negative");
  negative.set_year_to_date_ot_cents(0);
  EXPECT_TRUE(Suggest(negative, response).ok());
}

TEST_P(CodingServiceE2eTest, TheDeprecatedSingleYearToDateAmountIsRejected) {
  Publish(Scenario().events);
  v1::SuggestCodesRequest request = ForSession("demo-20261127-0001");
  request.set_year_to_date_pt_slp_cents(120000);
  request.set_year_to_date_ot_cents(0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  request.set_year_to_date_cents(120000);
#pragma GCC diagnostic pop
  v1::SuggestCodesResponse response;
  const grpc::Status st = Suggest(request, response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(),
            "year_to_date_cents: no longer accepted; the therapy threshold is per group: set "
            "year_to_date_pt_slp_cents and year_to_date_ot_cents");
  EXPECT_EQ(response.suggestions_size(), 0);
}

TEST_P(CodingServiceE2eTest, WatchSessionPushesRunningMinutesUntilTheSessionStops) {
  // A live session: started 20 minutes before the server's clock, exercise
  // from minute 1, no stop yet.
  std::vector<v1::Event> events = SecondSession(0);
  const int64_t now = 1796169600;
  for (v1::Event& e : events) e.mutable_occurred_at()->set_seconds(now - 1200);
  events[3].mutable_occurred_at()->set_seconds(now - 1140);
  const v1::Event stop = events[5];
  events.resize(4);  // no end, no stop
  Publish(events);

  grpc::ClientContext ctx;

  testing::Authorize(ctx);
  v1::WatchSessionRequest request;
  request.set_name("sessions/second-session");
  auto stream = coding_->WatchSession(&ctx, request);
  v1::SessionProgress progress;
  ASSERT_TRUE(stream->Read(&progress));
  EXPECT_EQ(progress.state(), v1::Session::STATE_ACTIVE);
  EXPECT_EQ(progress.billable_minutes(), 19);
  EXPECT_EQ(progress.units(), 1);
  EXPECT_EQ(progress.minutes_to_next_unit(), 4);  // 23 minutes make the second unit
  EXPECT_EQ(progress.current_code(), "97110");
  EXPECT_EQ(progress.method(), v1::UNIT_METHOD_MEDICARE_POOLED);

  // Four minutes later the second unit is earned; then the platform stops.
  clock_.Advance(std::chrono::minutes(4));
  ASSERT_TRUE(stream->Read(&progress));
  EXPECT_EQ(progress.billable_minutes(), 23);
  EXPECT_EQ(progress.units(), 2);
  EXPECT_EQ(progress.minutes_to_next_unit(), 15);
  v1::Event stopped = stop;
  stopped.mutable_occurred_at()->set_seconds(now + 240);
  Record({stopped});
  while (progress.state() != v1::Session::STATE_STOPPED && stream->Read(&progress)) {
  }
  EXPECT_EQ(progress.state(), v1::Session::STATE_STOPPED);
  EXPECT_EQ(progress.current_code(), "");
  EXPECT_FALSE(stream->Read(&progress));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_P(CodingServiceE2eTest, WatchSessionOfAnUnknownSessionEndsWithNotFound) {
  grpc::ClientContext ctx;
  testing::Authorize(ctx);
  v1::WatchSessionRequest request;
  request.set_name("sessions/nobody");
  auto stream = coding_->WatchSession(&ctx, request);
  v1::SessionProgress progress;
  EXPECT_FALSE(stream->Read(&progress));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext bad_ctx;
  testing::Authorize(bad_ctx);
  request.set_name("nobody");
  auto bad = coding_->WatchSession(&bad_ctx, request);
  EXPECT_FALSE(bad->Read(&progress));
  EXPECT_EQ(bad->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(CodingServiceE2eTest, MalformedSessionNamesAreInvalidArgumentInEveryCall) {
  Publish(Scenario().events);
  for (const std::string& name : MalformedNames("sessions")) {
    v1::SuggestCodesRequest request;
    request.set_session(name);
    v1::SuggestCodesResponse response;
    grpc::Status st = Suggest(request, response);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_EQ(st.error_message(), NameError("session", "sessions")) << name;
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::WatchSessionRequest watch;
    watch.set_name(name);
    auto stream = coding_->WatchSession(&ctx, watch);
    v1::SessionProgress progress;
    EXPECT_FALSE(stream->Read(&progress));
    st = stream->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_EQ(st.error_message(), NameError("name", "sessions")) << name;
  }
}

// The ReviewService on the same real server.
class ReviewServiceE2eTest : public CodingServiceE2eTest {
 protected:
  void SetUp() override {
    CodingServiceE2eTest::SetUp();
    review_ = v1::ReviewService::NewStub(channel_);
  }

  // The test token of a platform's reviewer.
  static std::string TokenOf(const std::string& platform) {
    return platform == "demo-rehab" ? "demo-all" : "other-all";
  }

  std::vector<v1::ReviewedSuggestion> Pending(const std::string& platform = "demo-rehab",
                                              const std::string& provider_ref = "") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, TokenOf(platform));
    v1::ListSuggestionsRequest req;
    req.set_platform(platform);
    req.set_provider_ref(provider_ref);
    req.set_date_min("2026-11-27");
    req.set_date_max("2026-11-27");
    v1::ListSuggestionsResponse resp;
    const grpc::Status st = review_->ListSuggestions(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.suggestions().begin(), resp.suggestions().end()};
  }

  // ListSuggestions of the example's day, keeping `states` (numbers, so
  // that tests can send values the API does not define).
  grpc::Status ListInStates(std::initializer_list<int> states) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ListSuggestionsRequest req;
    req.set_date_min("2026-11-27");
    req.set_date_max("2026-11-27");
    for (int state : states) req.add_states(static_cast<v1::ReviewState>(state));
    v1::ListSuggestionsResponse resp;
    return review_->ListSuggestions(&ctx, req, &resp);
  }

  grpc::Status GetSuggestion(const std::string& name, v1::ReviewedSuggestion& out,
                             const std::string& platform = "demo-rehab") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, TokenOf(platform));
    v1::GetSuggestionRequest req;
    req.set_name(name);
    req.set_platform(platform);
    return review_->GetSuggestion(&ctx, req, &out);
  }

  grpc::Status Act(const v1::ReviewedSuggestion& s, v1::ReviewAction action,
                   v1::ReviewedSuggestion& out, const std::string& reason = "",
                   const std::string& override_reason = "",
                   std::vector<v1::ApprovedLine> lines = {}) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ReviewSuggestionRequest req;
    req.set_name(s.name());
    req.set_platform("demo-rehab");
    req.set_reviewer_ref("therapist-7");
    req.set_action(action);
    req.set_etag(s.etag());
    req.set_reason(reason);
    req.set_override_reason(override_reason);
    for (const v1::ApprovedLine& l : lines) *req.add_amended_lines() = l;
    return review_->ReviewSuggestion(&ctx, req, &out);
  }

  std::vector<v1::AuditRecord> Audit() {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ListAuditRecordsRequest req;
    req.set_platform("demo-rehab");
    req.set_patient_ref("pt-4f9c2a");
    req.set_date_of_service("2026-11-27");
    v1::ListAuditRecordsResponse resp;
    EXPECT_TRUE(review_->ListAuditRecords(&ctx, req, &resp).ok());
    return {resp.records().begin(), resp.records().end()};
  }

  // Streams an export; returns the file, and the last message (batch id and counts).
  std::string Export(v1::ExportFormat format, bool include_exported,
                     v1::ExportClaimsResponse& summary) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ExportClaimsRequest req;
    req.set_platform("demo-rehab");
    req.set_actor_ref("biller-3");
    req.set_date_min("2026-11-27");
    req.set_date_max("2026-11-27");
    req.set_format(format);
    req.set_include_exported(include_exported);
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

  // Export batches in the store, counted through a connection of its own.
  int BatchCount() {
    absl::StatusOr<std::int64_t> count = db_->CountRows("export_batches");
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? static_cast<int>(*count) : -1;
  }

  // The rows of every table of the store: a write adds at least one (the
  // log and the ledger only append).
  std::int64_t RowCount() {
    std::int64_t rows = 0;
    for (const char* table : {"events", "sessions", "audit_records", "export_batches"}) {
      absl::StatusOr<std::int64_t> count = db_->CountRows(table);
      EXPECT_TRUE(count.ok()) << count.status();
      rows += count.value_or(-1000000);
    }
    return rows;
  }

  // SQLite's data_version, read through one connection of the test's own:
  // it changes whenever another connection (the server's) commits a write.
  class CommitWatch {
   public:
    explicit CommitWatch(const std::string& path) {
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    }
    ~CommitWatch() { sqlite3_close(db_); }
    CommitWatch(const CommitWatch&) = delete;
    CommitWatch& operator=(const CommitWatch&) = delete;
    std::int64_t Version() {
      sqlite3_stmt* stmt = nullptr;
      std::int64_t v = -1;
      if (sqlite3_prepare_v2(db_, "PRAGMA data_version", -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        v = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
      return v;
    }

   private:
    sqlite3* db_ = nullptr;
  };

  std::unique_ptr<v1::ReviewService::Stub> review_;
};

// Two instances on one database, and billers exporting through both at
// once: the approved line is in exactly one file. An export that prepared
// its file on a history another export changed before it committed ends
// ABORTED (its file is to be discarded); the others find nothing to export.
TEST_P(ReviewServiceE2eTest, TwoInstancesExportingAtOnceNeverExportALineTwice) {
  Publish(Scenario().events);
  const std::vector<v1::ReviewedSuggestion> pending = Pending();
  ASSERT_THAT(pending, SizeIs(1));
  v1::ReviewedSuggestion approved;
  ASSERT_TRUE(Act(pending[0], v1::REVIEW_ACTION_APPROVE, approved).ok());

  auto other_store = store::OpenStore(db_->spec());
  ASSERT_TRUE(other_store.ok()) << other_store.status();
  auto other = service::Server::Start("127.0.0.1:0", *other_store, clock_, Options());
  ASSERT_TRUE(other.ok()) << other.status();
  auto other_review = v1::ReviewService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*other)->port()), testing::TestChannelCredentials()));

  struct Result {
    grpc::Status status;
    int claims = 0;
    std::string data;
  };
  constexpr int kBillers = 8;
  std::vector<Result> results(kBillers);
  std::vector<std::thread> billers;
  for (int b = 0; b < kBillers; ++b) {
    billers.emplace_back([&, b] {
      v1::ReviewService::Stub& stub = b % 2 == 0 ? *review_ : *other_review;
      grpc::ClientContext ctx;
      testing::Authorize(ctx);
      v1::ExportClaimsRequest req;
      req.set_platform("demo-rehab");
      req.set_actor_ref("biller-" + std::to_string(b));
      req.set_date_min("2026-11-27");
      req.set_date_max("2026-11-27");
      req.set_format(v1::EXPORT_FORMAT_CSV);
      auto stream = stub.ExportClaims(&ctx, req);
      v1::ExportClaimsResponse chunk;
      while (stream->Read(&chunk)) {
        results[b].data += chunk.data();
        results[b].claims = chunk.claim_count();
      }
      results[b].status = stream->Finish();
    });
  }
  for (std::thread& t : billers) t.join();
  int files_with_the_line = 0;
  for (const Result& r : results) {
    if (!r.status.ok()) {
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::ABORTED) << r.status.error_message();
      continue;
    }
    if (r.claims > 0) {
      ++files_with_the_line;
      EXPECT_THAT(r.data, HasSubstr("97110"));
    } else {
      EXPECT_EQ(r.data, "");
    }
  }
  EXPECT_EQ(files_with_the_line, 1);
  int export_records = 0;
  for (const v1::AuditRecord& r : Audit()) export_records += r.action() == "export";
  EXPECT_EQ(export_records, 1);
  EXPECT_EQ(BatchCount(), 1);
  (*other)->Shutdown(std::chrono::seconds(1));
}

// Listing, reading, the audit trail and an export with nothing to export
// commit nothing to the database; a review does.
TEST_P(ReviewServiceE2eTest, ReadCallsDoNotWrite) {
  Publish(Scenario().events);
  const std::int64_t rows_before = RowCount();
  // On SQLite, also no commit at all, whatever it changed.
  std::optional<CommitWatch> watch;
  if (GetParam() == testing::Backend::kSqlite) watch.emplace(db_->spec());
  const std::int64_t before = watch ? watch->Version() : 0;
  ASSERT_GE(before, 0);
  const std::vector<v1::ReviewedSuggestion> pending = Pending();
  ASSERT_THAT(pending, SizeIs(1));
  v1::ReviewedSuggestion got;
  ASSERT_TRUE(GetSuggestion(pending[0].name(), got).ok());
  EXPECT_EQ(got.etag(), pending[0].etag());
  EXPECT_TRUE(Audit().empty());
  v1::ExportClaimsResponse summary;
  EXPECT_EQ(Export(v1::EXPORT_FORMAT_CSV, false, summary), "");
  EXPECT_EQ(RowCount(), rows_before) << "a read call wrote to the database";
  if (watch) {
    EXPECT_EQ(watch->Version(), before) << "a read call wrote to the database";
  }
  v1::ReviewedSuggestion out;
  ASSERT_TRUE(Act(got, v1::REVIEW_ACTION_APPROVE, out).ok());
  EXPECT_EQ(RowCount(), rows_before + 1);
  if (watch) {
    EXPECT_NE(watch->Version(), before);
  }
}

TEST_P(ReviewServiceE2eTest, WhatWasApprovedIsExactlyWhatIsExportedOnce) {
  Publish(Scenario().events);
  std::vector<v1::ReviewedSuggestion> pending = Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].state(), v1::REVIEW_STATE_PENDING);
  EXPECT_EQ(pending[0].suggestion().lines(0).code(), "97110");

  v1::ReviewedSuggestion approved;
  ASSERT_TRUE(Act(pending[0], v1::REVIEW_ACTION_APPROVE, approved).ok());
  EXPECT_EQ(approved.state(), v1::REVIEW_STATE_APPROVED);
  ASSERT_EQ(approved.approved_lines_size(), 1);
  EXPECT_EQ(approved.approved_lines(0).units(), 2);
  EXPECT_TRUE(Pending().empty());

  v1::ExportClaimsResponse summary;
  const std::string csv = Export(v1::EXPORT_FORMAT_CSV, false, summary);
  EXPECT_EQ(summary.claim_count(), 1);
  EXPECT_EQ(summary.line_count(), 1);
  EXPECT_FALSE(summary.batch_id().empty());
  EXPECT_EQ(csv,
            "date_of_service,platform,patient_ref,provider_ref,payer_id,code,modifiers,units,"
            "minutes,place_of_service,suggestion_id,review_id\r\n"
            "2026-11-27,demo-rehab,pt-4f9c2a,prov-17b3,medicare,97110,GP 95,2,25,10," +
                approved.suggestion_id() + "," + std::to_string(Audit()[0].record_id()) + "\r\n");

  // Exported once: not again unless asked explicitly.
  v1::ExportClaimsResponse again;
  Export(v1::EXPORT_FORMAT_CSV, false, again);
  EXPECT_EQ(again.line_count(), 0);
  const std::string x12 = Export(v1::EXPORT_FORMAT_X12_837P, true, again);
  EXPECT_EQ(again.line_count(), 1);
  EXPECT_THAT(x12, HasSubstr("SV1*HC:97110:GP:95*"));
  EXPECT_THAT(x12, HasSubstr("*UN*2*"));

  v1::ReviewedSuggestion after;
  ASSERT_TRUE(GetSuggestion(approved.name(), after).ok());
  EXPECT_EQ(after.state(), v1::REVIEW_STATE_EXPORTED);
  // One record per action: approve, then the two exports that had lines.
  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].action(), "approve");
  EXPECT_EQ(audit[0].actor(), "therapist-7");
  EXPECT_EQ(audit[0].before_size(), 0);
  EXPECT_EQ(audit[0].after_size(), 1);
  EXPECT_EQ(audit[1].action(), "export");
  EXPECT_EQ(audit[1].actor(), "biller-3");
  EXPECT_EQ(audit[1].batch_id(), summary.batch_id());
  EXPECT_EQ(audit[2].action(), "export");
}

// Nothing approved, or everything exported before: the stream ends OK with
// counts of 0, no data and no batch id (no 837P without a claim), and no
// batch is recorded.
TEST_P(ReviewServiceE2eTest, AnExportWithNothingToExportWritesNothingAndRecordsNoBatch) {
  Publish(Scenario().events);
  ASSERT_EQ(Pending().size(), 1u);  // pending, not approved: nothing to export
  for (v1::ExportFormat format :
       {v1::EXPORT_FORMAT_CSV, v1::EXPORT_FORMAT_X12_837P, v1::EXPORT_FORMAT_FHIR_R4}) {
    SCOPED_TRACE(v1::ExportFormat_Name(format));
    v1::ExportClaimsResponse summary;
    summary.set_batch_id("unset");
    const std::string data = Export(format, true, summary);
    EXPECT_EQ(data, "");
    EXPECT_EQ(summary.batch_id(), "");
    EXPECT_EQ(summary.claim_count(), 0);
    EXPECT_EQ(summary.line_count(), 0);
  }
  EXPECT_EQ(BatchCount(), 0);
  EXPECT_TRUE(Audit().empty());

  v1::ReviewedSuggestion approved;
  ASSERT_TRUE(Act(Pending()[0], v1::REVIEW_ACTION_APPROVE, approved).ok());
  v1::ExportClaimsResponse first;
  EXPECT_THAT(Export(v1::EXPORT_FORMAT_X12_837P, false, first), HasSubstr("CLM*"));
  EXPECT_EQ(first.claim_count(), 1);
  EXPECT_EQ(BatchCount(), 1);

  // Everything exported before: again nothing, and no second batch.
  v1::ExportClaimsResponse again;
  EXPECT_EQ(Export(v1::EXPORT_FORMAT_X12_837P, false, again), "");
  EXPECT_EQ(again.batch_id(), "");
  EXPECT_EQ(again.claim_count(), 0);
  EXPECT_EQ(BatchCount(), 1);
  ASSERT_EQ(Audit().size(), 2u);  // the approval and the one export
}

TEST_P(ReviewServiceE2eTest, ALateEventAfterApprovalNeedsReReviewAndIsNotExported) {
  Publish(Scenario().events);
  v1::ReviewedSuggestion approved;
  ASSERT_TRUE(Act(Pending()[0], v1::REVIEW_ACTION_APPROVE, approved).ok());
  Record(LatePatientDrop());  // 25 -> 23 minutes

  std::vector<v1::ReviewedSuggestion> pending = Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].state(), v1::REVIEW_STATE_NEEDS_REREVIEW);
  EXPECT_NE(pending[0].etag(), approved.etag());
  EXPECT_EQ(pending[0].suggestion().lines(0).minutes(), 23);
  v1::ExportClaimsResponse summary;
  Export(v1::EXPORT_FORMAT_CSV, false, summary);
  EXPECT_EQ(summary.line_count(), 0);  // old numbers are never exported silently

  // Acting on the old version is refused; on the new one it works.
  v1::ReviewedSuggestion out;
  grpc::Status st = Act(approved, v1::REVIEW_ACTION_APPROVE, out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(st.error_message(), HasSubstr("etag:"));
  ASSERT_TRUE(Act(pending[0], v1::REVIEW_ACTION_APPROVE, out).ok());
  EXPECT_EQ(out.state(), v1::REVIEW_STATE_APPROVED);
  EXPECT_EQ(Audit().size(), 2u);
}

TEST_P(ReviewServiceE2eTest, EachActionLeavesExactlyOneRecordAndRefusedOnesLeaveNone) {
  Publish(Scenario().events);
  v1::ReviewedSuggestion s = Pending()[0];
  v1::ReviewedSuggestion out;
  // Refused: reject without a reason, amend without lines, an unknown code.
  EXPECT_THAT(Act(s, v1::REVIEW_ACTION_REJECT, out).error_message(),
              HasSubstr("reason: required to reject"));
  EXPECT_THAT(Act(s, v1::REVIEW_ACTION_AMEND, out, "fewer units").error_message(),
              HasSubstr("amended_lines: at least one line"));
  v1::ApprovedLine bad;
  bad.set_code("99999");
  bad.set_units(1);
  bad.set_place_of_service("10");
  EXPECT_THAT(Act(s, v1::REVIEW_ACTION_AMEND, out, "x", "", {bad}).error_message(),
              HasSubstr("amended_lines[0].code: not in the code catalogue"));
  EXPECT_TRUE(Audit().empty());

  ASSERT_TRUE(Act(s, v1::REVIEW_ACTION_APPROVE, out).ok());
  EXPECT_EQ(Act(out, v1::REVIEW_ACTION_APPROVE, out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::ApprovedLine one;
  one.set_code("97110");
  one.set_units(1);
  one.add_modifiers("GP");
  one.add_modifiers("95");
  one.set_place_of_service("10");
  ASSERT_TRUE(Act(out, v1::REVIEW_ACTION_AMEND, out, "second unit not documented", "", {one}).ok());
  EXPECT_EQ(out.state(), v1::REVIEW_STATE_AMENDED);
  ASSERT_TRUE(Act(out, v1::REVIEW_ACTION_REJECT, out, "duplicate visit").ok());
  EXPECT_EQ(out.state(), v1::REVIEW_STATE_REJECTED);
  EXPECT_EQ(out.approved_lines_size(), 0);

  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].action(), "approve");
  EXPECT_EQ(audit[1].action(), "amend");
  EXPECT_EQ(audit[1].reason(), "second unit not documented");
  EXPECT_EQ(audit[1].before(0).units(), 2);  // what before
  EXPECT_EQ(audit[1].after(0).units(), 1);   // what after
  EXPECT_EQ(audit[2].action(), "reject");
  EXPECT_EQ(audit[2].before(0).units(), 1);
  EXPECT_EQ(audit[2].after_size(), 0);
  for (const v1::AuditRecord& r : audit) EXPECT_EQ(r.actor(), "therapist-7");
}

TEST_P(ReviewServiceE2eTest, ABlockingLineIsApprovedOnlyWithAnOverrideReason) {
  std::vector<v1::Event> events = SecondSession(20);
  events[3].mutable_activity_started()->set_kind(v1::ACTIVITY_KIND_MASSAGE);
  Publish(events);
  v1::ReviewedSuggestion s = Pending()[0];
  ASSERT_TRUE(s.suggestion().lines(0).blocking());
  v1::ReviewedSuggestion out;
  EXPECT_THAT(Act(s, v1::REVIEW_ACTION_APPROVE, out).error_message(),
              HasSubstr("override_reason: required"));
  ASSERT_TRUE(
      Act(s, v1::REVIEW_ACTION_APPROVE, out, "", "in-person visit billed in error as remote").ok());
  EXPECT_EQ(Audit()[0].override_reason(), "in-person visit billed in error as remote");
}

TEST_P(ReviewServiceE2eTest, ABlockedLineWithoutAUnitNeedsNoOverrideAndIsNeverExported) {
  // 25 minutes of exercise and, in a second session, 5 of massage: 97124 is
  // not payable over video, keeps its own line of 0 units, and bills nothing.
  Publish(Scenario().events);
  std::vector<v1::Event> massage = SecondSession(5);
  massage[3].mutable_activity_started()->set_kind(v1::ACTIVITY_KIND_MASSAGE);
  Publish(massage);
  v1::ReviewedSuggestion s = Pending()[0];
  ASSERT_EQ(s.suggestion().lines_size(), 2);
  const v1::SuggestedLine& blocked = s.suggestion().lines(1);
  EXPECT_EQ(blocked.code(), "97124");
  EXPECT_EQ(blocked.units(), 0);
  EXPECT_TRUE(blocked.blocking());
  EXPECT_EQ(s.suggestion().documentation().pooled_timed_minutes(), 25);
  v1::ReviewedSuggestion out;
  const grpc::Status st = Act(s, v1::REVIEW_ACTION_APPROVE, out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  v1::ExportClaimsResponse summary;
  const std::string csv = Export(v1::EXPORT_FORMAT_CSV, false, summary);
  EXPECT_THAT(csv, HasSubstr("97110"));
  EXPECT_THAT(csv, Not(HasSubstr("97124")));
}

TEST_P(ReviewServiceE2eTest, AClaimWithAnX12DelimiterStoredEarlierIsLeftOutAndTheRestGoes) {
  // The example visit, and the same visit of a patient whose reference holds
  // "~", stored as an earlier version would have (intake refuses it now).
  Publish(Scenario().events);
  std::vector<store::StoredEvent> stored;
  for (v1::Event e : Scenario().events) {
    e.set_session_id("old-session");
    e.set_event_id("old-" + e.event_id());
    if (e.has_session_started()) e.mutable_session_started()->set_patient_ref("pt~old");
    absl::StatusOr<core::Event> event = service::EventFromProto(e);
    ASSERT_TRUE(event.ok()) << event.status();
    store::StoredEvent s;
    s.event_id = event->event_id;
    s.session_id = event->session_id;
    s.occurred_at = event->occurred_at;
    s.payload = service::EncodeEvent(*event);
    s.platform = "demo-rehab";
    if (const auto* started = std::get_if<core::SessionStarted>(&event->payload)) {
      s.started = store::SessionIndexFacts{started->platform, started->patient_ref};
    }
    s.stops_session = std::holds_alternative<core::SessionStopped>(event->payload);
    stored.push_back(std::move(s));
  }
  ASSERT_TRUE(store_.events->Append(stored).ok());
  std::vector<v1::ReviewedSuggestion> pending = Pending();
  ASSERT_EQ(pending.size(), 2u);
  std::string bad_name;
  for (const v1::ReviewedSuggestion& s : pending) {
    v1::ReviewedSuggestion out;
    ASSERT_TRUE(Act(s, v1::REVIEW_ACTION_APPROVE, out).ok());
    if (s.suggestion().patient_ref() == "pt~old") bad_name = s.name();
  }
  ASSERT_FALSE(bad_name.empty());
  v1::ExportClaimsResponse summary;
  const std::string x12 = Export(v1::EXPORT_FORMAT_X12_837P, false, summary);
  EXPECT_EQ(summary.claim_count(), 1);
  EXPECT_FALSE(summary.batch_id().empty());
  EXPECT_THAT(x12, HasSubstr("pt-4f9c2a"));
  EXPECT_THAT(x12, Not(HasSubstr("pt~old")));
  ASSERT_EQ(summary.skipped_claims_size(), 1);
  EXPECT_EQ(summary.skipped_claims(0).name(), bad_name);
  EXPECT_EQ(summary.skipped_claims(0).reason(), "patient_ref: contains an X12 delimiter (~ * : ^)");
  // The claim left out was not exported: the next export tries it again
  // (and leaves it out again), while the one exported is not repeated.
  v1::ExportClaimsResponse again;
  Export(v1::EXPORT_FORMAT_CSV, false, again);
  EXPECT_EQ(again.claim_count(), 0);
  EXPECT_TRUE(again.batch_id().empty());
  ASSERT_EQ(again.skipped_claims_size(), 1);
  EXPECT_EQ(again.skipped_claims(0).name(), bad_name);
}

TEST_P(ReviewServiceE2eTest, ATherapistsViewCodesTheWholePatientDay) {
  Publish(Scenario().events);  // prov-17b3, 25 minutes
  std::vector<v1::Event> second = SecondSession(8);
  second[0].mutable_session_started()->set_provider_ref("prov-other");
  Publish(second);  // another therapist, 8 minutes, same patient-day
  const std::vector<v1::ReviewedSuggestion> all = Pending();
  const std::vector<v1::ReviewedSuggestion> mine = Pending("demo-rehab", "prov-17b3");
  const std::vector<v1::ReviewedSuggestion> theirs = Pending("demo-rehab", "prov-other");
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(mine.size(), 1u);
  ASSERT_EQ(theirs.size(), 1u);
  // The same suggestion, with the same numbers, in every view: 33 minutes.
  EXPECT_EQ(mine[0].etag(), all[0].etag());
  EXPECT_EQ(theirs[0].etag(), all[0].etag());
  EXPECT_EQ(mine[0].suggestion().lines(0).minutes(), 33);
  EXPECT_TRUE(Pending("demo-rehab", "prov-nobody").empty());
}

TEST_P(ReviewServiceE2eTest, AReviewerSeesAndActsOnlyWithinTheirPlatform) {
  Publish(Scenario().events);
  const v1::ReviewedSuggestion s = Pending()[0];
  EXPECT_TRUE(Pending("other-platform").empty());
  v1::ReviewedSuggestion out;
  EXPECT_EQ(GetSuggestion(s.name(), out, "other-platform").error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext ctx;
  testing::Authorize(ctx, "other-all");
  v1::ReviewSuggestionRequest req;
  req.set_name(s.name());
  req.set_platform("other-platform");
  req.set_reviewer_ref("intruder");
  req.set_action(v1::REVIEW_ACTION_APPROVE);
  req.set_etag(s.etag());
  EXPECT_EQ(review_->ReviewSuggestion(&ctx, req, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Audit().empty());
  // Reviewed on its own platform, it stays unknown to the other.
  ASSERT_TRUE(Act(s, v1::REVIEW_ACTION_APPROVE, out).ok());
  EXPECT_EQ(GetSuggestion(s.name(), out, "other-platform").error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// Authentication, roles and tenant isolation on the same real server.
class SecurityE2eTest : public ReviewServiceE2eTest {
 protected:
  grpc::Status GetWith(grpc::ClientContext& ctx, const std::string& session_id) {
    v1::GetSessionRequest req;
    req.set_name("sessions/" + session_id);
    v1::Session out;
    return stub_->GetSession(&ctx, req, &out);
  }

  grpc::Status ListSuggestionsAs(const std::string& token_id, const std::string& platform = "") {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token_id);
    v1::ListSuggestionsRequest req;
    req.set_platform(platform);
    req.set_date_min("2026-11-27");
    req.set_date_max("2026-11-27");
    v1::ListSuggestionsResponse resp;
    return review_->ListSuggestions(&ctx, req, &resp);
  }

  grpc::Status ExportAs(const std::string& token_id) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token_id);
    v1::ExportClaimsRequest req;
    req.set_actor_ref("biller-3");
    req.set_date_min("2026-11-27");
    req.set_date_max("2026-11-27");
    req.set_format(v1::EXPORT_FORMAT_CSV);
    auto stream = review_->ExportClaims(&ctx, req);
    v1::ExportClaimsResponse chunk;
    while (stream->Read(&chunk)) {
    }
    return stream->Finish();
  }

  grpc::Status ReviewAs(const std::string& token_id, const v1::ReviewedSuggestion& s) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, token_id);
    v1::ReviewSuggestionRequest req;
    req.set_name(s.name());
    req.set_reviewer_ref("therapist-7");
    req.set_action(v1::REVIEW_ACTION_APPROVE);
    req.set_etag(s.etag());
    v1::ReviewedSuggestion out;
    return review_->ReviewSuggestion(&ctx, req, &out);
  }
};

TEST_P(SecurityE2eTest, EveryCallNeedsAKnownBearerToken) {
  Publish(Scenario().events);
  const std::string secret = "not-a-token-of-ours";
  struct Case {
    std::string header;  // empty: none sent
    std::string message;
  };
  for (const Case& c : {Case{"", "authorization: missing"},
                        Case{"Bearer " + secret, "authorization: unknown token"},
                        Case{"Basic " + secret, "authorization: must be \"Bearer <token>\""},
                        Case{"Bearer ", "authorization: must be \"Bearer <token>\""}}) {
    grpc::ClientContext ctx;
    if (!c.header.empty()) ctx.AddMetadata("authorization", c.header);
    const grpc::Status st = GetWith(ctx, "demo-20261127-0001");
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << c.header;
    EXPECT_THAT(st.error_message(), HasSubstr(c.message));
    EXPECT_THAT(st.error_message(), ::testing::Not(HasSubstr(secret)));
  }
  // Streams too: nothing is read from an unauthenticated publisher.
  grpc::ClientContext ctx;
  auto stream = stub_->PublishEvents(&ctx);
  v1::PublishEventsRequest req;
  *req.mutable_event() = SecondSession(3)[0];
  stream->Write(req);
  v1::PublishEventsResponse resp;
  EXPECT_FALSE(stream->Read(&resp));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::Session session;
  EXPECT_EQ(Get("sessions/second-session", session).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext watch_ctx;
  v1::WatchSessionRequest watch;
  watch.set_name("sessions/demo-20261127-0001");
  auto progress = coding_->WatchSession(&watch_ctx, watch);
  v1::SessionProgress p;
  EXPECT_FALSE(progress->Read(&p));
  EXPECT_EQ(progress->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(SecurityE2eTest, EachRoleMayDoItsOwnCallsOnly) {
  Publish(Scenario().events, "demo-platform");
  const v1::ReviewedSuggestion s = Pending()[0];
  // platform: publishes and reads sessions, but neither reviews nor exports.
  v1::Session session;
  EXPECT_TRUE(
      Get("sessions/demo-20261127-0001", session, v1::SESSION_VIEW_BASIC, "demo-platform").ok());
  EXPECT_EQ(ListSuggestionsAs("demo-platform").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReviewAs("demo-platform", s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ExportAs("demo-platform").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // reviewer: reads and reviews, but neither publishes nor exports.
  grpc::Status st;
  Record(SecondSession(3), &st, "demo-reviewer");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("RecordEvents: needs a token with role platform"));
  EXPECT_EQ(ExportAs("demo-reviewer").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(ListSuggestionsAs("demo-reviewer").ok());
  // billing: lists and exports, but neither reviews nor reads sessions.
  EXPECT_EQ(ReviewAs("demo-billing", s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get("sessions/demo-20261127-0001", session, v1::SESSION_VIEW_BASIC, "demo-billing")
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(ListSuggestionsAs("demo-billing").ok());
  EXPECT_TRUE(ReviewAs("demo-reviewer", s).ok());
  EXPECT_TRUE(ExportAs("demo-billing").ok());
  // admin of every platform: names the platform, and never publishes.
  EXPECT_EQ(ListSuggestionsAs("admin").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(ListSuggestionsAs("admin", "demo-rehab").ok());
  EXPECT_TRUE(Get("sessions/demo-20261127-0001", session, v1::SESSION_VIEW_BASIC, "admin").ok());
  Record(SecondSession(3), &st, "admin");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Naming another platform than the token's is refused.
  EXPECT_EQ(ListSuggestionsAs("demo-reviewer", "other-platform").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_P(SecurityE2eTest, AnotherPlatformsSessionsAreNotFoundAndCannotBeWritten) {
  Publish(Scenario().events);
  v1::Session session;
  const grpc::Status theirs =
      Get("sessions/demo-20261127-0001", session, v1::SESSION_VIEW_FULL, "other-all");
  const grpc::Status missing =
      Get("sessions/demo-20261127-0002", session, v1::SESSION_VIEW_FULL, "other-all");
  EXPECT_EQ(theirs.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(theirs.error_message(), "name: no session \"demo-20261127-0001\"");
  EXPECT_EQ(missing.error_message(), "name: no session \"demo-20261127-0002\"");
  v1::SuggestCodesResponse suggestions;
  EXPECT_EQ(Suggest(ForSession("demo-20261127-0001"), suggestions, "other-all").error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::SuggestCodesRequest day;
  day.mutable_patient_day()->set_patient_ref("pt-4f9c2a");
  day.mutable_patient_day()->set_date_of_service("2026-11-27");
  ASSERT_TRUE(Suggest(day, suggestions, "other-all").ok());
  EXPECT_EQ(suggestions.suggestions_size(), 0);
  ASSERT_TRUE(Suggest(day, suggestions, "demo-all").ok());
  EXPECT_EQ(suggestions.suggestions_size(), 1);
  grpc::ClientContext list_ctx;
  testing::Authorize(list_ctx, "other-all");
  v1::ListSessionsRequest list;
  v1::ListSessionsResponse listed;
  ASSERT_TRUE(stub_->ListSessions(&list_ctx, list, &listed).ok());
  EXPECT_EQ(listed.sessions_size(), 0);

  // Writing into it: the session id is taken, the session is unchanged.
  std::vector<v1::Event> intrusion = LatePatientDrop();
  std::vector<EventAcknowledgement> acks = Publish(intrusion, "other-all");
  ASSERT_THAT(acks, SizeIs(2));
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[0].error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(acks[0].error_message(), HasSubstr("event.session_id: already in use"));
  // A new session claiming to be the other platform's is refused too.
  std::vector<v1::Event> forged = SecondSession(3);
  forged[0].mutable_session_started()->set_platform("demo-rehab");
  acks = Publish({forged[0]}, "other-all");
  EXPECT_EQ(acks[0].error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(acks[0].error_message(), HasSubstr("event.session_started.platform"));
  ASSERT_TRUE(Get("sessions/demo-20261127-0001", session).ok());
  EXPECT_EQ(session.event_count(), static_cast<int>(Scenario().events.size()));
  EXPECT_TRUE(Pending("other-platform").empty());
}

TEST_P(SecurityE2eTest, LimitsRefuseWithClearErrorsAndLoseNothing) {
  StopServer();
  service::ServiceOptions options = Options();
  options.max_streams_per_platform = 2;
  options.max_message_bytes = 64 * 1024;
  StartServer(options, store::StoreOptions{.max_events_per_session = 25});

  // Streams per platform: a third open stream of demo-rehab is refused, not
  // another platform's, and a closed one frees its place.
  auto open_stream = [&](grpc::ClientContext& ctx, const std::string& token_id,
                         const v1::Event& event, grpc::Status* refused) {
    testing::Authorize(ctx, token_id);
    auto stream = stub_->PublishEvents(&ctx);
    v1::PublishEventsRequest req;
    *req.mutable_event() = event;
    v1::PublishEventsResponse resp;
    if (stream->Write(req) && stream->Read(&resp)) return stream;
    *refused = stream->Finish();
    return decltype(stream)();
  };
  const std::vector<v1::Event> events = Scenario().events;
  grpc::Status refused;
  grpc::ClientContext c1, c2, c3, c4, c5;
  auto s1 = open_stream(c1, "demo-all", events[0], &refused);
  auto s2 = open_stream(c2, "demo-all", events[1], &refused);
  ASSERT_TRUE(s1 && s2);
  EXPECT_FALSE(open_stream(c3, "demo-all", events[2], &refused));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("already has 2 open streams"));
  auto s4 = open_stream(c4, "other-all", SecondSession(3)[0], &refused);
  EXPECT_TRUE(s4);
  s1->WritesDone();
  EXPECT_TRUE(s1->Finish().ok());
  auto s5 = open_stream(c5, "demo-all", events[2], &refused);
  EXPECT_TRUE(s5);
  for (auto* s : {&s2, &s4, &s5}) {
    if (!*s) continue;
    (*s)->WritesDone();
    EXPECT_TRUE((*s)->Finish().ok());
  }

  // Message size: refused before any handler, and the next call works.
  v1::Event big = events[3];
  big.set_event_id(std::string(100 * 1024, 'x'));
  grpc::Status st;
  Record({big}, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Events per session: the 26th is refused; the others, and other
  // sessions, are untouched.
  std::vector<v1::Event> many;
  for (int i = 0; i < 30; ++i) {
    v1::Event e = events[3];
    e.set_event_id("many-" + std::to_string(i));
    e.mutable_occurred_at()->set_seconds(events[3].occurred_at().seconds() + i);
    many.push_back(e);
  }
  const std::vector<EventAcknowledgement> acks = Record(many);
  ASSERT_THAT(acks, SizeIs(30));
  int recorded = 0;
  for (const EventAcknowledgement& a : acks) {
    if (a.outcome() == EventAcknowledgement::OUTCOME_RECORDED) {
      ++recorded;
    } else {
      EXPECT_EQ(a.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
      EXPECT_THAT(a.error_message(), HasSubstr("event.session_id: the session already holds 25"));
    }
  }
  v1::Session session;
  ASSERT_TRUE(Get("sessions/demo-20261127-0001", session).ok());
  EXPECT_EQ(session.event_count(), 25);
  EXPECT_EQ(recorded, 25 - 3);  // three came over the streams above
  EXPECT_EQ(Record({many[0]})[0].outcome(), EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
}

// A stream stops counting against its platform before its client sees it
// end: with one stream allowed, a client may open the next one at once,
// whatever the call and however the stream ended.
TEST_P(SecurityE2eTest, AnEndedStreamFreesItsPlaceBeforeItsClientSeesTheEnd) {
  StopServer();
  service::ServiceOptions options = Options();
  options.max_streams_per_platform = 1;
  StartServer(options);
  coding_ = v1::CodingService::NewStub(channel_);
  review_ = v1::ReviewService::NewStub(channel_);
  Publish(Scenario().events);
  auto watch = [&](const std::string& name) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::WatchSessionRequest request;
    request.set_name(name);
    auto stream = coding_->WatchSession(&ctx, request);
    v1::SessionProgress progress;
    while (stream->Read(&progress)) {
    }
    return stream->Finish();
  };
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(watch("sessions/demo-20261127-0001").ok());  // stopped: one write, then OK
    EXPECT_EQ(watch("sessions/nobody").error_code(), grpc::StatusCode::NOT_FOUND);
    const grpc::Status exported = ExportAs("demo-all");
    EXPECT_TRUE(exported.ok()) << exported.error_code() << " " << exported.error_message();
    Publish({});
  }
}

TEST_P(SecurityE2eTest, OverlongReviewTextIsRefusedNamingTheFieldAndChangesNothing) {
  Publish(Scenario().events);
  const v1::ReviewedSuggestion s = Pending()[0];
  v1::ReviewedSuggestion out;
  grpc::Status st = Act(s, v1::REVIEW_ACTION_REJECT, out, std::string(2001, 'r'));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "reason: at most 2000 characters");
  st = Act(s, v1::REVIEW_ACTION_APPROVE, out, "", std::string(5000, 'o'));
  EXPECT_EQ(st.error_message(), "override_reason: at most 2000 characters");
  // The references an audit record keeps: required, and bounded.
  struct Reference {
    std::string reviewer_ref, etag, message;
  };
  for (const Reference& r : std::vector<Reference>{
           {"", s.etag(), "reviewer_ref: required"},
           {std::string(129, 'r'), s.etag(), "reviewer_ref: at most 128 characters"},
           {"therapist-7", "", "etag: required"},
           {"therapist-7", std::string(129, 'e'), "etag: at most 128 characters"}}) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ReviewSuggestionRequest req;
    req.set_name(s.name());
    req.set_reviewer_ref(r.reviewer_ref);
    req.set_etag(r.etag);
    req.set_action(v1::REVIEW_ACTION_APPROVE);
    st = review_->ReviewSuggestion(&ctx, req, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << r.message;
    EXPECT_EQ(st.error_message(), r.message);
  }
  EXPECT_THAT(Pending(), SizeIs(1));
  EXPECT_TRUE(Audit().empty());
  EXPECT_TRUE(Act(s, v1::REVIEW_ACTION_REJECT, out, std::string(2000, 'r')).ok());
}

TEST_P(ReviewServiceE2eTest, MalformedSuggestionNamesAreInvalidArgumentAndChangeNothing) {
  Publish(Scenario().events);
  const v1::ReviewedSuggestion s = Pending()[0];
  const std::string kSuggestionNameError =
      "name: must be suggestions/{id}, where id is a suggestion id as ListSuggestions returns it";
  std::vector<std::string> names = MalformedNames("suggestions");
  // Not how suggestion ids are written: an id of schema 2, a padded one.
  names.push_back("suggestions/s0123456789abcdef");
  names.push_back("suggestions/" + s.suggestion_id() + "=");
  for (const std::string& name : names) {
    v1::ReviewedSuggestion out;
    grpc::Status st = GetSuggestion(name, out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_EQ(st.error_message(), kSuggestionNameError) << name;
    v1::ReviewedSuggestion renamed = s;
    renamed.set_name(name);
    st = Act(renamed, v1::REVIEW_ACTION_APPROVE, out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_EQ(st.error_message(), kSuggestionNameError) << name;
  }
  // Well formed, but no session of the patient on that day.
  v1::ReviewedSuggestion out;
  std::string other = s.suggestion_id();
  other.replace(0, 10, "2026-11-26");
  EXPECT_EQ(GetSuggestion("suggestions/" + other, out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Audit().empty());
}

TEST_P(ReviewServiceE2eTest, UnknownEnumValuesInRequestsAreInvalidArgumentNamingTheField) {
  Publish(Scenario().events);
  const v1::ReviewedSuggestion s = Pending()[0];
  grpc::Status st = ListInStates({42});
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "states[0]: 42 is not a ReviewState");
  st = ListInStates({v1::REVIEW_STATE_PENDING, v1::REVIEW_STATE_UNSPECIFIED});
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "states[1]: REVIEW_STATE_UNSPECIFIED is no state to filter by");
  v1::ReviewedSuggestion out;
  st = Act(s, static_cast<v1::ReviewAction>(42), out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "action: 42 is not a ReviewAction");
  st = Act(s, v1::REVIEW_ACTION_UNSPECIFIED, out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "action: must be approve, amend or reject");
  {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ExportClaimsRequest req;
    req.set_platform("demo-rehab");
    req.set_actor_ref("biller-3");
    req.set_date_min("2026-11-27");
    req.set_date_max("2026-11-27");
    req.set_format(static_cast<v1::ExportFormat>(42));
    auto stream = review_->ExportClaims(&ctx, req);
    v1::ExportClaimsResponse chunk;
    EXPECT_FALSE(stream->Read(&chunk));
    st = stream->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "format: 42 is not an ExportFormat");
  }
  EXPECT_TRUE(Audit().empty());
}

TEST_P(ReviewServiceE2eTest, AnAmendedModifierIsNotRepeatedInTheError) {
  Publish(Scenario().events);
  const v1::ReviewedSuggestion s = Pending()[0];
  v1::ApprovedLine line;
  line.set_code("97110");
  line.set_units(2);
  line.set_place_of_service("10");
  line.add_modifiers("GP");
  line.add_modifiers("\x1b[31m" + std::string(500, 'M'));
  v1::ReviewedSuggestion out;
  const grpc::Status st = Act(s, v1::REVIEW_ACTION_AMEND, out, "fix", "", {line});
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(),
            "amended_lines[0].modifiers[1]: must be two upper-case letters or digits");
  EXPECT_TRUE(Audit().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionServiceE2eTest, UNITCLOCK_E2E_BACKENDS, BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, CodingServiceE2eTest, UNITCLOCK_E2E_BACKENDS, BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, ReviewServiceE2eTest, UNITCLOCK_E2E_BACKENDS, BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, SecurityE2eTest, UNITCLOCK_E2E_BACKENDS, BackendName);

}  // namespace
}  // namespace unitclock

// A stress test of the SessionService: many concurrent PublishEvents streams
// against a real gRPC server on loopback with a real SQLite file, on the same
// session and on sessions of their own, with repeated event ids, conflicting
// reuses of ids and streams cancelled mid-way, while other clients read.
// Every send must be acknowledged correctly, every distinct event stored
// once, and each session's timeline must equal the core's replay of its
// events. Runs in the normal and the AddressSanitizer builds (gRPC in the
// process rules out ThreadSanitizer: see tests/CMakeLists.txt).
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/event.h"
#include "core/timeline.h"
#include "plugin/common/policy_files.h"
#include "plugin/service/proto_convert.h"
#include "plugin/service/server.h"
#include "plugin/service/service_options.h"
#include "plugin/store/sqlite/sqlite_store.h"
#include "tests/testing/auth.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/service_options.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tls.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock {
namespace {

using v1::EventAcknowledgement;

constexpr int kClients = 32;         // client threads, one PublishEvents stream each at a time
constexpr int kOwnSignals = 20;      // liveness signals in each client's own session
constexpr int kSharedSignals = 192;  // liveness signals in the session every client writes
constexpr int kReaders = 2;          // clients reading sessions meanwhile
const char kShared[] = "stress-shared";
// The platform of the token every call carries (tests/testing/auth.h).
const char kPlatform[] = "demo-rehab";

// Clients whose first stream is cancelled mid-way; they resend what was not
// acknowledged on a second stream, as the API asks.
bool Cancels(int client) { return client % 4 == 3; }

std::string OwnSession(int client) { return "stress-own-" + std::to_string(client); }

// A whole therapy session as a platform would report it, starting at
// At(start_s): start, both join, video, one exercise with a liveness signal
// per minute (every fifth gap four minutes long: idle), the patient dropping
// for two minutes, the end of the exercise, the stop.
std::vector<core::Event> SessionEvents(const std::string& session, int start_s, int signals) {
  std::vector<core::Event> events;
  int n = 0;
  auto add = [&](int at_s, core::EventPayload payload) {
    events.push_back(testing::MakeEvent(session + "-" + std::to_string(n++), session,
                                        start_s + at_s, std::move(payload)));
  };
  core::Event started =
      testing::StartedEvent(session + "-" + std::to_string(n++), session, start_s, "pt-" + session);
  std::get<core::SessionStarted>(started.payload).platform = kPlatform;
  events.push_back(started);
  add(10, core::ParticipantJoined{core::Participant::kPatient, ""});
  add(20, core::ParticipantJoined{core::Participant::kProvider, ""});
  add(30, core::MediaChanged{core::Modality::kAudioVideo});
  add(60, core::ActivityStarted{"ex-1", core::ActivityKind::kTherapeuticExercise, "",
                                core::Participant::kProvider});
  int t = 60;
  for (int i = 0; i < signals; ++i) {
    t += i % 5 == 4 ? 240 : 60;
    add(t, core::LivenessSignal{"ex-1", "rep"});
    if (i == signals / 2) {
      add(t + 10, core::ParticipantLeft{core::Participant::kPatient, ""});
      add(t + 130, core::ParticipantJoined{core::Participant::kPatient, ""});
    }
  }
  add(t + 60, core::ActivityEnded{"ex-1"});
  add(t + 120, core::SessionStopped{core::StopReason::kEnded});
  return events;
}

// What became of one event sent on a stream.
struct Sent {
  std::string event_id;
  bool conflicting = false;  // a different event under an id already acknowledged
  bool acknowledged = false;
  EventAcknowledgement ack;
};

// Every send of one client, in order.
struct ClientLog {
  std::vector<Sent> sent;
  std::vector<grpc::Status> stream_statuses;
};

class StressE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore(dir_.File("unitclock.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    options_ = Options();
    auto server = service::Server::Start("127.0.0.1:0", store_, clock_, options_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   testing::TestChannelCredentials());
    stub_ = v1::SessionService::NewStub(channel_);
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::seconds(1));
  }

  static service::ServiceOptions Options() { return testing::TestServiceOptions(); }

  // The context of every call this test makes: the one place for what each
  // call carries (its token) and a deadline, so that a hang fails the test.
  static std::unique_ptr<grpc::ClientContext> NewContext() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    testing::Authorize(*ctx);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    return ctx;
  }

  // Sends `events` on one PublishEvents stream, one in flight at a time,
  // logging each send and its acknowledgement. With `cancel_after` set, it
  // instead writes the events from that index on without waiting (up to
  // three), cancels the call, and logs whatever acknowledgements still came.
  // Returns the index of the first event not sent.
  std::size_t Stream(const std::vector<v1::Event>& events, const std::vector<bool>& conflicting,
                     ClientLog& log, std::optional<std::size_t> cancel_after = {}) {
    auto ctx = NewContext();
    auto stream = stub_->PublishEvents(ctx.get());
    const std::size_t first = log.sent.size();
    std::size_t i = 0;
    for (; i < events.size(); ++i) {
      if (cancel_after && i == *cancel_after) break;
      v1::PublishEventsRequest req;
      *req.mutable_event() = events[i];
      log.sent.push_back({events[i].event_id(), conflicting[i], false, {}});
      v1::PublishEventsResponse resp;
      if (!stream->Write(req) || !stream->Read(&resp)) break;
      log.sent.back().acknowledged = true;
      log.sent.back().ack = resp.acknowledgement();
    }
    if (cancel_after) {
      const std::size_t pipelined = std::min(events.size(), i + 3);
      for (; i < pipelined; ++i) {
        v1::PublishEventsRequest req;
        *req.mutable_event() = events[i];
        log.sent.push_back({events[i].event_id(), conflicting[i], false, {}});
        if (!stream->Write(req)) break;
      }
      ctx->TryCancel();
      // Acknowledgements that arrived before the cancellation, in order.
      v1::PublishEventsResponse resp;
      for (std::size_t k = first + *cancel_after; k < log.sent.size() && stream->Read(&resp); ++k) {
        log.sent[k].acknowledged = true;
        log.sent[k].ack = resp.acknowledgement();
      }
    } else {
      stream->WritesDone();
    }
    log.stream_statuses.push_back(stream->Finish());
    return i;
  }

  // The session as the server returns it (view FULL), or an error status.
  grpc::Status Get(const std::string& session_id, v1::Session& out,
                   v1::SessionView view = v1::SESSION_VIEW_FULL) {
    auto ctx = NewContext();
    v1::GetSessionRequest req;
    req.set_name("sessions/" + session_id);
    req.set_view(view);
    return stub_->GetSession(ctx.get(), req, &out);
  }

  // Reads the shared session and lists sessions until `done`: each read
  // succeeds (or finds nothing yet) and the shared session only grows.
  void RunReader(const std::atomic<bool>& done) {
    std::int64_t seen = 0;
    do {
      v1::Session session;
      const grpc::Status st = Get(kShared, session, v1::SESSION_VIEW_BASIC);
      if (st.error_code() != grpc::StatusCode::NOT_FOUND) {
        ASSERT_TRUE(st.ok()) << st.error_message();
        EXPECT_GE(session.event_count(), seen) << "the shared session lost events";
        seen = session.event_count();
      }
      auto ctx = NewContext();
      v1::ListSessionsRequest req;
      req.set_page_size(10);
      v1::ListSessionsResponse resp;
      const grpc::Status listed = stub_->ListSessions(ctx.get(), req, &resp);
      ASSERT_TRUE(listed.ok()) << listed.error_message();
    } while (!done.load());
  }

  testing::TempDir dir_;
  // After every event of the test, whatever the real date (as in the e2e suite).
  testing::FakeClock clock_{core::TimePoint(std::chrono::seconds(1796169600))};
  service::ServiceOptions options_;
  store::Store store_;
  std::unique_ptr<service::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SessionService::Stub> stub_;
};

// A client's sends, alternating between its own session and the shared one:
// its own events, every fourth sent twice in a row; its share of the shared
// session's events (event j goes to clients j and j+1 mod kClients, so that
// two streams race to record each); last, a changed copy of one of its own
// events, acknowledged by then: a conflicting reuse of the id.
struct ClientPlan {
  std::vector<v1::Event> events;
  std::vector<bool> conflicting;
};

ClientPlan PlanFor(int client, const std::vector<core::Event>& own,
                   const std::vector<core::Event>& shared) {
  std::vector<const core::Event*> own_sends, shared_sends;
  for (std::size_t i = 0; i < own.size(); ++i) {
    own_sends.push_back(&own[i]);
    if (i % 4 == 0) own_sends.push_back(&own[i]);
  }
  for (std::size_t j = 0; j < shared.size(); ++j) {
    if (static_cast<int>(j % kClients) == client ||
        static_cast<int>((j + 1) % kClients) == client) {
      shared_sends.push_back(&shared[j]);
    }
  }
  ClientPlan plan;
  for (std::size_t k = 0; k < std::max(own_sends.size(), shared_sends.size()); ++k) {
    for (const auto* sends : {&own_sends, &shared_sends}) {
      if (k < sends->size()) {
        plan.events.push_back(service::EventToProto(*(*sends)[k]));
        plan.conflicting.push_back(false);
      }
    }
  }
  core::Event changed = own[1];  // the patient joins ten seconds later
  changed.occurred_at += std::chrono::seconds(10);
  plan.events.push_back(service::EventToProto(changed));
  plan.conflicting.push_back(true);
  return plan;
}

TEST_F(StressE2eTest, ConcurrentStreamsRecordEveryEventOnceAndTimelinesMatchTheCore) {
  std::map<std::string, std::vector<core::Event>> sessions;  // by session id
  sessions[kShared] = SessionEvents(kShared, 0, kSharedSignals);
  std::vector<ClientPlan> plans;
  for (int c = 0; c < kClients; ++c) {
    sessions[OwnSession(c)] = SessionEvents(OwnSession(c), 60 * c, kOwnSignals);
    plans.push_back(PlanFor(c, sessions[OwnSession(c)], sessions[kShared]));
  }
  std::map<std::string, const core::Event*> by_id;
  for (const auto& [id, events] : sessions) {
    for (const core::Event& e : events) by_id[e.event_id] = &e;
  }
  // Every shared event is in two clients' plans.
  std::map<std::string, int> planned;
  for (const ClientPlan& plan : plans) {
    for (std::size_t i = 0; i < plan.events.size(); ++i) {
      if (!plan.conflicting[i]) ++planned[plan.events[i].event_id()];
    }
  }
  for (const core::Event& e : sessions[kShared]) ASSERT_GE(planned[e.event_id], 2) << e.event_id;
  ASSERT_EQ(planned.size(), by_id.size());

  std::vector<ClientLog> logs(kClients);
  std::atomic<bool> done{false};
  std::latch start(kClients + kReaders);
  const auto started_at = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> readers;
    {
      std::vector<std::jthread> clients;
      for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
          start.arrive_and_wait();
          const ClientPlan& plan = plans[c];
          if (!Cancels(c)) {
            Stream(plan.events, plan.conflicting, logs[c]);
            return;
          }
          // Cancel the first stream half-way, then send again every event
          // not acknowledged, in a new stream, with the same ids.
          const std::size_t half = plan.events.size() / 2;
          Stream(plan.events, plan.conflicting, logs[c], half);
          ClientPlan rest;
          std::set<std::string> acked;
          for (const Sent& s : logs[c].sent) {
            if (s.acknowledged) acked.insert(s.event_id);
          }
          for (std::size_t i = 0; i < plan.events.size(); ++i) {
            if (i < half && acked.contains(plan.events[i].event_id())) continue;
            rest.events.push_back(plan.events[i]);
            rest.conflicting.push_back(plan.conflicting[i]);
          }
          Stream(rest.events, rest.conflicting, logs[c]);
        });
      }
      for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&] {
          start.arrive_and_wait();
          RunReader(done);
        });
      }
    }  // joins the clients
    done.store(true);
  }  // joins the readers
  const auto elapsed = std::chrono::steady_clock::now() - started_at;

  // Each stream ended as it should: cancelled or OK.
  int sends = 0;
  for (int c = 0; c < kClients; ++c) {
    const ClientLog& log = logs[c];
    ASSERT_EQ(log.stream_statuses.size(), Cancels(c) ? 2u : 1u) << c;
    if (Cancels(c)) {
      EXPECT_EQ(log.stream_statuses[0].error_code(), grpc::StatusCode::CANCELLED)
          << c << ": " << log.stream_statuses[0].error_message();
    }
    EXPECT_TRUE(log.stream_statuses.back().ok())
        << c << ": " << log.stream_statuses.back().error_message();
    sends += static_cast<int>(log.sent.size());
  }

  // Acknowledgements: one per send, for that send's event; every send of
  // an event whose earlier send was never acknowledged (cancelled in flight)
  // may find it recorded already, so such an event has at most one
  // RECORDED, and every other exactly one; conflicting copies are refused.
  std::map<std::string, int> recorded, acknowledged;
  std::set<std::string> unacknowledged_sends;
  for (int c = 0; c < kClients; ++c) {
    const ClientLog& log = logs[c];
    for (const Sent& s : log.sent) {
      if (!s.acknowledged) {
        EXPECT_TRUE(Cancels(c)) << "no acknowledgement for " << s.event_id;
        unacknowledged_sends.insert(s.event_id);
        continue;
      }
      EXPECT_EQ(s.ack.event_id(), s.event_id);
      if (s.conflicting) {
        EXPECT_EQ(s.ack.outcome(), EventAcknowledgement::OUTCOME_REJECTED) << s.event_id;
        EXPECT_EQ(s.ack.error_code(), static_cast<int>(grpc::StatusCode::ALREADY_EXISTS));
        continue;
      }
      ++acknowledged[s.event_id];
      if (s.ack.outcome() == EventAcknowledgement::OUTCOME_RECORDED) {
        ++recorded[s.event_id];
      } else {
        EXPECT_EQ(s.ack.outcome(), EventAcknowledgement::OUTCOME_ALREADY_RECORDED)
            << s.event_id << ": " << s.ack.error_message();
      }
    }
  }
  for (const auto& [id, event] : by_id) {
    EXPECT_GE(acknowledged[id], 1) << id << " was never acknowledged";
    if (unacknowledged_sends.contains(id)) {
      EXPECT_LE(recorded[id], 1) << id;
    } else {
      EXPECT_EQ(recorded[id], 1) << id;
    }
  }

  // Stored: each distinct event exactly once, as sent, in time order; and the
  // timeline the server derives is the core's replay of the session.
  EXPECT_EQ(*store_.events->CountEvents(), static_cast<std::int64_t>(by_id.size()));
  for (const auto& [session_id, events] : sessions) {
    SCOPED_TRACE(session_id);
    v1::Session session;
    const grpc::Status st = Get(session_id, session);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(session.event_count(), static_cast<std::int64_t>(events.size()));
    ASSERT_EQ(session.events_size(), static_cast<int>(events.size()));
    std::set<std::string> ids;
    for (int i = 0; i < session.events_size(); ++i) {
      const v1::Event& got = session.events(i);
      ASSERT_TRUE(ids.insert(got.event_id()).second) << "stored twice: " << got.event_id();
      ASSERT_TRUE(by_id.contains(got.event_id())) << got.event_id();
      std::string diff;
      google::protobuf::util::MessageDifferencer differ;
      differ.ReportDifferencesToString(&diff);
      EXPECT_TRUE(differ.Compare(service::EventToProto(*by_id[got.event_id()]), got)) << diff;
      if (i > 0) {
        const core::Event& prev = *by_id[session.events(i - 1).event_id()];
        const core::Event& cur = *by_id[got.event_id()];
        EXPECT_TRUE(core::EventOrder(prev, cur)) << prev.event_id << " before " << cur.event_id;
      }
    }
    v1::Timeline replay;
    service::TimelineToProto(core::BuildTimeline(events, options_.policies.timeline), replay);
    std::string diff;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(replay, session.timeline())) << diff;
    EXPECT_GT(session.timeline().billable_seconds(), 0);
  }

  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  RecordProperty("sends", sends);
  RecordProperty("distinct_events", static_cast<int>(by_id.size()));
  RecordProperty("unacknowledged_sends", static_cast<int>(unacknowledged_sends.size()));
  RecordProperty("elapsed_ms", static_cast<int>(ms));
  std::printf(
      "stress: %d clients, %d sends (%zu left unacknowledged by a cancel), %zu distinct "
      "events, %lld ms\n",
      kClients, sends, unacknowledged_sends.size(), by_id.size(), static_cast<long long>(ms));
}

}  // namespace
}  // namespace unitclock

// The client library against a real unitclockd on loopback: whatever happens
// to the server, the network or the platform's process, the server ends with
// each recorded event exactly once.
#include "plugin/client/recorder.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugin/client/recorder_test_support.h"
#include "tests/plugin/client/tcp_proxy.h"
#include "tests/plugin/client/test_session.h"
#include "tests/testing/auth.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::client {
namespace {

using ::testing::HasSubstr;
using testing::Process;
using testing::ReadFile;
using ::testing::UnorderedElementsAreArray;
using testing::WaitForFileLine;
using namespace std::chrono_literals;
using recorder_tests::At;
using recorder_tests::Collector;
using recorder_tests::Describe;
using recorder_tests::PollUntil;

v1::SessionStarted Started(const std::string& time_zone = "America/Chicago") {
  return testing::ClientTestSessionStarted("pt-client", time_zone);
}

class RecorderTest : public ::testing::Test {
 protected:
  // The port is chosen in advance so that a client can be pointed at the
  // server before it starts, and the server restarted on the same port.
  RecorderTest() : port_(testing::FreeFixedPort()) {
    std::ofstream(dir_.File("tokens.json")) << testing::TestTokenFileJson();
    std::ofstream(dir_.File("token")) << testing::TestToken("demo-platform") << "\n";
  }

  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

  // Starts (or restarts) the daemon on the test's port and database.
  void StartDaemon() {
    std::filesystem::remove(dir_.File("port"));
    daemon_ = std::make_unique<Process>(
        std::vector<std::string>{
            UNITCLOCKD_PATH, "--listen=" + target(), "--db=" + dir_.File("var/unitclock.db"),
            "--policy-dir=" + std::string(UNITCLOCK_POLICY_DIR),
            "--auth-file=" + dir_.File("tokens.json"), "--port-file=" + dir_.File("port"),
            "--session-timeout-s=86400", "--log-level=warn"},
        dir_.File("daemon.log"));
    ASSERT_FALSE(WaitForFileLine(dir_.File("port"), 20s).empty())
        << ReadFile(dir_.File("daemon.log"));
  }

  void KillDaemon() {
    daemon_->Signal(SIGKILL);
    EXPECT_EQ(daemon_->Wait(20s), 128 + SIGKILL);
    daemon_.reset();
  }

  RecorderOptions Options() {
    RecorderOptions o;
    o.target = target();
    o.token = testing::TestToken("demo-platform");
    o.buffer_path = dir_.File("buffer.db");
    o.initial_backoff = 20ms;
    o.max_backoff = 300ms;
    return o;
  }

  std::unique_ptr<Recorder> Open(RecorderOptions options) {
    auto recorder = Recorder::Open(std::move(options));
    EXPECT_TRUE(recorder.ok()) << recorder.status();
    return recorder.ok() ? std::move(*recorder) : nullptr;
  }

  // Records a session of `n` events (a start, then liveness signals); returns
  // their ids.
  std::vector<std::string> RecordSession(Recorder& recorder, const std::string& session, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      auto id = i == 0 ? recorder.SessionStarted(session, At(0), Started())
                       : recorder.Liveness(session, At(i), "ex-1", "repetition");
      EXPECT_TRUE(id.ok()) << id.status();
      if (id.ok()) ids.push_back(*id);
    }
    return ids;
  }

  // The event ids the server holds for `session` (every distinct event), and
  // its event count, which must agree.
  std::vector<std::string> ServerEventIds(const std::string& session) {
    auto stub = v1::SessionService::NewStub(
        grpc::CreateChannel(target(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    testing::Authorize(ctx, "demo-platform");
    v1::GetSessionRequest request;
    request.set_name("sessions/" + session);
    request.set_view(v1::SESSION_VIEW_FULL);
    v1::Session response;
    const grpc::Status status = stub->GetSession(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << session << ": " << status.error_message();
    std::vector<std::string> ids;
    for (const v1::Event& e : response.events()) ids.push_back(e.event_id());
    EXPECT_EQ(response.event_count(), static_cast<std::int64_t>(ids.size()));
    return ids;
  }

  // Every session's recorded ids are on the server, each once, and nothing else.
  void ExpectExactlyOnce(const std::map<std::string, std::vector<std::string>>& sessions) {
    for (const auto& [session, ids] : sessions) {
      EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << session;
      EXPECT_THAT(ServerEventIds(session), UnorderedElementsAreArray(ids)) << session;
    }
  }

  testing::TempDir dir_;
  const std::uint16_t port_;
  std::unique_ptr<Process> daemon_;
};

TEST_F(RecorderTest, EventIdsAreTimeOrderedVersion7Uuids) {
  auto recorder = Open(Options());
  ASSERT_NE(recorder, nullptr);
  std::vector<std::string> ids = RecordSession(*recorder, "ids", 2000);
  ASSERT_EQ(ids.size(), 2000u);
  for (const std::string& id : ids) {
    ASSERT_EQ(id.size(), 36u) << id;
    EXPECT_EQ(id[14], '7') << id;                                          // version
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // variant
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST_F(RecorderTest, InvalidArgumentsNameTheFieldAndBufferNothing) {
  auto recorder = Open(Options());
  ASSERT_NE(recorder, nullptr);
  auto empty = recorder->MediaChanged("", At(0), v1::MODALITY_AUDIO_VIDEO);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("session_id"));
  auto bad = recorder->MediaChanged("a b", At(0), v1::MODALITY_AUDIO_VIDEO);
  EXPECT_THAT(bad.status().message(), HasSubstr("session_id"));
  auto activity = recorder->ActivityEnded("s", At(0), "");
  EXPECT_THAT(activity.status().message(), HasSubstr("activity_id"));
  auto old = recorder->Stopped("s", Recorder::Time(-1s), v1::STOP_REASON_ENDED);
  EXPECT_THAT(old.status().message(), HasSubstr("time"));
  EXPECT_EQ(recorder->Status().buffered, 0);
}

TEST_F(RecorderTest, ASecondRecorderOnTheSameBufferIsRefused) {
  auto first = Open(Options());
  ASSERT_NE(first, nullptr);
  auto second = Recorder::Open(Options());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
}

// 1. The server is down when the platform starts recording.
TEST_F(RecorderTest, ServerDownAtStartThenUpGetsEveryEventOnce) {
  Collector<DeliveryStatus> statuses;
  RecorderOptions options = Options();
  options.on_status = statuses.Callback();
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  std::map<std::string, std::vector<std::string>> sessions;
  for (const char* s : {"down-a", "down-b", "down-c", "down-d"}) {
    sessions[s] = RecordSession(*recorder, s, 50);
  }
  EXPECT_FALSE(recorder->Flush(300ms));  // nowhere to go
  DeliveryStatus before = recorder->Status();
  EXPECT_EQ(before.buffered, 200);
  EXPECT_FALSE(before.connected);
  EXPECT_GE(before.lag, 300ms);
  EXPECT_THAT(before.last_error, HasSubstr("UNAVAILABLE"));
  EXPECT_EQ(before.last_error_code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_GT(before.last_error_at, std::chrono::system_clock::now() - 1min);
  EXPECT_LE(before.last_error_at, std::chrono::system_clock::now());

  StartDaemon();
  ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  const DeliveryStatus after = recorder->Status();
  EXPECT_EQ(after.buffered, 0);
  EXPECT_EQ(after.lag, 0ms);
  EXPECT_EQ(after.acknowledged_total, 200);
  EXPECT_TRUE(after.connected);
  // Delivered again: the refused connection is history, not a current error.
  EXPECT_EQ(after.last_error, "") << Describe(after);
  EXPECT_EQ(after.last_error_code, grpc::StatusCode::OK);
  EXPECT_EQ(after.last_error_at, std::chrono::system_clock::time_point{});
  ExpectExactlyOnce(sessions);
  const std::vector<DeliveryStatus> reported = statuses.Items();
  EXPECT_TRUE(std::any_of(reported.begin(), reported.end(),
                          [](const DeliveryStatus& s) { return s.connected; }));
}

// 2. The server dies (SIGKILL) while thousands of events flow, twice.
TEST_F(RecorderTest, ServerKilledMidStreamAndRestartedGetsEveryEventOnce) {
  StartDaemon();
  auto recorder = Open(Options());
  ASSERT_NE(recorder, nullptr);
  std::map<std::string, std::vector<std::string>> sessions;
  for (int round = 0; round < 2; ++round) {
    for (int s = 0; s < 3; ++s) {
      const std::string session = "kill-" + std::to_string(round) + "-" + std::to_string(s);
      sessions[session] = RecordSession(*recorder, session, 1000);
    }
    const std::int64_t acked = recorder->Status().acknowledged_total;
    ASSERT_TRUE(
        PollUntil([&] { return recorder->Status().acknowledged_total > acked + 300; }, 30s));
    KillDaemon();
    // Killed mid-stream: part of this round's events still wait.
    EXPECT_GT(recorder->Status().buffered, 0);
    StartDaemon();
  }
  ASSERT_TRUE(recorder->Flush(60s)) << Describe(recorder->Status());
  ExpectExactlyOnce(sessions);
}

// 3. The platform's process dies with events in its buffer; the next run
// sends them.
TEST_F(RecorderTest, ClientKilledWithABufferSendsItOnTheNextStart) {
  const std::vector<std::string> tool = {CLIENT_TOOL_PATH,   "--buffer",  dir_.File("buffer.db"),
                                         "--target",         target(),    "--token-file",
                                         dir_.File("token"), "--session", "crashed"};
  std::vector<std::string> first = tool;
  first.insert(first.end(), {"--events", "300", "--hold"});
  std::vector<std::string> ids;
  {
    Process platform(first, dir_.File("tool-1.out"));
    ASSERT_TRUE(PollUntil(
        [&] { return ReadFile(dir_.File("tool-1.out")).find("recorded\n") != std::string::npos; },
        30s));
    platform.Signal(SIGKILL);
    EXPECT_EQ(platform.Wait(10s), 128 + SIGKILL);
    std::istringstream out(ReadFile(dir_.File("tool-1.out")));
    for (std::string line; std::getline(out, line) && line != "recorded";) ids.push_back(line);
  }
  ASSERT_EQ(ids.size(), 300u);

  StartDaemon();
  std::vector<std::string> second = tool;
  second.insert(second.end(), {"--events", "0", "--flush-timeout-ms", "30000"});
  Process platform(second, dir_.File("tool-2.out"));
  EXPECT_EQ(platform.Wait(60s), 0) << ReadFile(dir_.File("tool-2.out"));
  ExpectExactlyOnce({{"crashed", ids}});
}

// 4. The network path drops every connection, and refuses connections for a
// while, several times while events flow.
TEST_F(RecorderTest, NetworkBlipsMidStreamLoseAndDuplicateNothing) {
  StartDaemon();
  testing::TcpProxy proxy(port_);
  RecorderOptions options = Options();
  options.target = "127.0.0.1:" + std::to_string(proxy.port());
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  std::map<std::string, std::vector<std::string>> sessions;
  for (int blip = 0; blip < 4; ++blip) {
    const std::string session = "blip-" + std::to_string(blip);
    sessions[session] = RecordSession(*recorder, session, 1000);
    const std::int64_t acked = recorder->Status().acknowledged_total;
    ASSERT_TRUE(
        PollUntil([&] { return recorder->Status().acknowledged_total > acked + 200; }, 30s));
    if (blip % 2 == 0) {
      proxy.CutAll();
    } else {
      proxy.StopListening();
      ASSERT_TRUE(PollUntil([&] { return !recorder->Status().connected; }, 10s))
          << Describe(recorder->Status());
      proxy.StartListening();
    }
  }
  ASSERT_TRUE(recorder->Flush(60s)) << Describe(recorder->Status());
  EXPECT_GE(proxy.accepted(), 5);  // it reconnected after each blip
  ExpectExactlyOnce(sessions);
}

// 5. A full buffer refuses new events, keeps the old ones, and accepts again
// once it drains.
TEST_F(RecorderTest, AFullBufferRefusesNewEventsAndLosesNone) {
  RecorderOptions options = Options();
  options.max_buffered_events = 10;
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  std::vector<std::string> ids = RecordSession(*recorder, "full", 10);
  ASSERT_EQ(ids.size(), 10u);
  auto refused = recorder->Liveness("full", At(10), "ex-1", "repetition");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("10 events waiting, the most allowed"));
  EXPECT_THAT(refused.status().message(), HasSubstr("delivery lag"));
  EXPECT_EQ(recorder->Status().buffered, 10);

  StartDaemon();
  ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  auto accepted = recorder->Liveness("full", At(10), "ex-1", "repetition");
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  ids.push_back(*accepted);
  ASSERT_TRUE(recorder->Flush(30s));
  ExpectExactlyOnce({{"full", ids}});
}

// 6. An event the server rejects is reported once, leaves the buffer, and
// does not hold up the events after it; every acknowledgement is reported,
// in the order recorded.
TEST_F(RecorderTest, ARejectedEventIsReportedOnceAndTheRestDelivered) {
  StartDaemon();
  Collector<Acknowledgement> acknowledgements;
  RecorderOptions options = Options();
  options.on_acknowledged = acknowledgements.Callback();
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  auto bad = recorder->SessionStarted("rejected", At(0), Started("Mars/Olympus_Mons"));
  ASSERT_TRUE(bad.ok()) << bad.status();  // the server's to judge
  std::vector<std::string> ids;
  for (int i = 1; i <= 20; ++i) {
    auto id = recorder->Liveness("rejected", At(i), "ex-1", "repetition");
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  EXPECT_EQ(recorder->Status().acknowledged_total, 21);
  // Flush returned after the reports, not merely after the removal.
  ASSERT_EQ(acknowledgements.Items().size(), 21u);
  ExpectExactlyOnce({{"rejected", ids}});
  // Reopening the buffer resends nothing, so nothing is reported twice.
  recorder.reset();
  recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  EXPECT_EQ(recorder->Status().buffered, 0);
  const std::vector<Acknowledgement> acks = acknowledgements.Items();
  ASSERT_EQ(acks.size(), 21u);
  EXPECT_EQ(acks[0].event_id, *bad);
  EXPECT_EQ(acks[0].session_id, "rejected");
  EXPECT_TRUE(acks[0].rejected());
  EXPECT_EQ(acks[0].error_code, 3);
  EXPECT_THAT(acks[0].error_message, HasSubstr("clinic_time_zone"));
  for (int i = 1; i <= 20; ++i) {
    EXPECT_EQ(acks[i].event_id, ids[i - 1]);
    EXPECT_EQ(acks[i].outcome, v1::EventAcknowledgement::OUTCOME_RECORDED) << i;
    EXPECT_EQ(acks[i].error_code, 0);
  }
}

// A buffer row that cannot be decoded (a damaged file) is reported once as
// rejected with DATA_LOSS, counted, removed, and does not hold up the rest.
TEST_F(RecorderTest, ADamagedBufferRowIsReportedAndTheRestDelivered) {
  std::vector<std::string> ids;
  {
    auto recorder = Open(Options());  // no server: everything stays buffered
    ASSERT_NE(recorder, nullptr);
    ids = RecordSession(*recorder, "damaged", 5);
  }
  ASSERT_EQ(ids.size(), 5u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("buffer.db").c_str(), &db), SQLITE_OK);
  const std::string corrupt =
      "UPDATE pending SET payload = x'ffffffff' WHERE event_id = '" + ids[2] + "'";
  ASSERT_EQ(sqlite3_exec(db, corrupt.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);

  StartDaemon();
  Collector<Acknowledgement> acknowledgements;
  RecorderOptions options = Options();
  options.on_acknowledged = acknowledgements.Callback();
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  EXPECT_EQ(recorder->Status().acknowledged_total, 5);
  const std::vector<Acknowledgement> acks = acknowledgements.Items();
  ASSERT_EQ(acks.size(), 5u);
  int damaged = 0;
  for (const Acknowledgement& a : acks) {
    if (a.event_id != ids[2]) {
      EXPECT_EQ(a.outcome, v1::EventAcknowledgement::OUTCOME_RECORDED) << a.event_id;
      continue;
    }
    ++damaged;
    EXPECT_TRUE(a.rejected());
    EXPECT_EQ(a.error_code, static_cast<int>(grpc::StatusCode::DATA_LOSS));
    EXPECT_THAT(a.error_message, HasSubstr("cannot be decoded"));
  }
  EXPECT_EQ(damaged, 1);
  ExpectExactlyOnce({{"damaged", {ids[0], ids[1], ids[3], ids[4]}}});
}

// 7. Events built by the platform keep the platform's ids, so recording one
// again (after a crash of the platform's own, say) takes effect once.
TEST_F(RecorderTest, RecordKeepsThePlatformsIdsAndARepeatTakesEffectOnce) {
  StartDaemon();
  Collector<Acknowledgement> acknowledgements;
  RecorderOptions options = Options();
  options.on_acknowledged = acknowledgements.Callback();
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  v1::Event event;
  event.set_event_id("visit-77-start");
  event.set_session_id("own-ids");
  event.mutable_occurred_at()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(At(0).time_since_epoch()).count());
  *event.mutable_session_started() = Started();
  for (int repeat = 0; repeat < 2; ++repeat) {
    auto id = recorder->Record(event);
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(*id, "visit-77-start");
    ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  }
  v1::Event no_id = event;
  no_id.clear_event_id();
  no_id.set_session_id("own-ids-2");
  auto assigned = recorder->Record(no_id);
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(assigned->size(), 36u);  // a UUID
  ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  ExpectExactlyOnce({{"own-ids", {"visit-77-start"}}, {"own-ids-2", {*assigned}}});
  const std::vector<Acknowledgement> acks = acknowledgements.Items();
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(acks[0].outcome, v1::EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(acks[1].outcome, v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
  EXPECT_EQ(acks[2].outcome, v1::EventAcknowledgement::OUTCOME_RECORDED);

  // A malformed envelope is refused at the call, naming the field.
  const std::vector<std::pair<std::function<void(v1::Event&)>, std::string>> broken = {
      {[](v1::Event& e) { e.set_event_id("has space"); }, "event_id"},
      {[](v1::Event& e) { e.clear_session_id(); }, "session_id"},
      {[](v1::Event& e) { e.clear_occurred_at(); }, "occurred_at"},
      {[](v1::Event& e) { e.mutable_occurred_at()->set_seconds(-5); }, "occurred_at"},
      {[](v1::Event& e) { e.clear_session_started(); }, "payload"}};
  for (const auto& [breaks, field] : broken) {
    v1::Event e = event;
    breaks(e);
    auto refused = recorder->Record(e);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(refused.status().message(), HasSubstr(field));
  }
  EXPECT_EQ(recorder->Status().buffered, 0);
}

// 8. A connection that goes silent (packets dropped, nothing closed: a NAT
// that forgot it) is noticed by keepalive within seconds, not TCP's minutes.
TEST_F(RecorderTest, KeepaliveNoticesASilentConnectionAndDeliversOverANewOne) {
  StartDaemon();
  testing::TcpProxy proxy(port_);
  RecorderOptions options = Options();
  options.target = "127.0.0.1:" + std::to_string(proxy.port());
  options.keepalive_interval = 10s;
  options.keepalive_timeout = 1s;
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  std::vector<std::string> ids = RecordSession(*recorder, "silent", 20);
  ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  EXPECT_EQ(proxy.accepted(), 1);
  proxy.Freeze();  // open connections stay open, and carry nothing
  for (const std::string& id : RecordSession(*recorder, "silent-2", 20)) ids.push_back(id);
  EXPECT_FALSE(recorder->Flush(2s));
  ASSERT_TRUE(recorder->Flush(40s)) << Describe(recorder->Status());
  EXPECT_EQ(proxy.accepted(), 2);  // a new connection, through the thawed listener
  ExpectExactlyOnce({{"silent", std::vector<std::string>(ids.begin(), ids.begin() + 20)},
                     {"silent-2", std::vector<std::string>(ids.begin() + 20, ids.end())}});
}

// 9. A token without the platform role: the events wait in the buffer, and
// the status names the error and its code for the platform to alert on.
TEST_F(RecorderTest, AWrongTokenKeepsTheEventsAndReportsPermissionDenied) {
  StartDaemon();
  RecorderOptions options = Options();
  options.token = testing::TestToken("demo-reviewer");
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  RecordSession(*recorder, "wrong-token", 5);
  ASSERT_TRUE(PollUntil(
      [&] { return recorder->Status().last_error_code == grpc::StatusCode::PERMISSION_DENIED; },
      30s))
      << Describe(recorder->Status());
  EXPECT_THAT(recorder->Status().last_error, HasSubstr("needs a token with role platform"));
  EXPECT_EQ(recorder->Status().buffered, 5);
  // The next run, with the right token, delivers them.
  recorder.reset();
  recorder = Open(Options());
  ASSERT_NE(recorder, nullptr);
  ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
}

// 10. on_status reports each change of connection, and otherwise at most
// about once a second, however many events flow.
TEST_F(RecorderTest, OnStatusIsRateLimited) {
  StartDaemon();
  Collector<DeliveryStatus> collected;
  RecorderOptions options = Options();
  options.on_status = collected.Callback();
  const auto start = std::chrono::steady_clock::now();
  auto recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  std::map<std::string, std::vector<std::string>> sessions;
  for (int s = 0; s < 5; ++s) {
    const std::string session = "status-" + std::to_string(s);
    sessions[session] = RecordSession(*recorder, session, 400);
    ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  }
  std::this_thread::sleep_for(1500ms);  // a last tick reports the drained buffer
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
          .count();
  recorder.reset();
  ExpectExactlyOnce(sessions);
  const std::vector<DeliveryStatus> statuses = collected.Items();
  int connection_changes = 0;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    connection_changes +=
        (i == 0 ? statuses[i].connected : statuses[i].connected != statuses[i - 1].connected);
  }
  EXPECT_GE(connection_changes, 1);
  // 2,000 acknowledgements, but no more reports than connection changes
  // plus one a second (and one for the rounding).
  EXPECT_LE(static_cast<std::int64_t>(statuses.size()), connection_changes + seconds + 1)
      << statuses.size() << " reports in " << seconds << " s";
  ASSERT_FALSE(statuses.empty());
  EXPECT_EQ(statuses.back().buffered, 0);
  EXPECT_EQ(statuses.back().acknowledged_total, 2000);
}

}  // namespace
}  // namespace unitclock::client

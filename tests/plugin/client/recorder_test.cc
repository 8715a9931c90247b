// The client library against a real unitclockd on loopback: whatever happens
// to the server, the network or the platform's process, the server ends with
// each recorded event exactly once.
#include "plugin/client/recorder.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

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

#include "tests/plugin/client/tcp_proxy.h"
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

// Polls `done` until it holds or `timeout` passes.
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

v1::SessionStarted Started(const std::string& time_zone = "America/Chicago") {
  v1::SessionStarted s;
  s.set_platform("demo-rehab");
  s.set_patient_ref("pt-client");
  s.set_provider_ref("prov-client");
  s.set_provider_role(v1::PROVIDER_ROLE_PT);
  s.set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
  s.set_payer_id("medicare");
  s.set_clinic_time_zone(time_zone);
  s.set_patient_location(v1::PATIENT_LOCATION_HOME);
  s.set_planned_modality(v1::MODALITY_AUDIO_VIDEO);
  return s;
}

// Ten minutes ago, plus `ms`: within the server's future tolerance, and too
// recent for its watchdog.
Recorder::Time At(int ms) {
  static const auto start = std::chrono::system_clock::now() - 10min;
  return std::chrono::time_point_cast<std::chrono::milliseconds>(start) +
         std::chrono::milliseconds(ms);
}

// For failure messages.
std::string Describe(const DeliveryStatus& s) {
  return "buffered=" + std::to_string(s.buffered) + " lag=" + std::to_string(s.lag.count()) +
         "ms connected=" + std::to_string(s.connected) +
         " acknowledged=" + std::to_string(s.acknowledged_total) + " last_error=" + s.last_error;
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
  std::vector<DeliveryStatus> statuses;
  std::mutex mu;
  RecorderOptions options = Options();
  options.on_status = [&](const DeliveryStatus& s) {
    std::lock_guard lock(mu);
    statuses.push_back(s);
  };
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

  StartDaemon();
  ASSERT_TRUE(recorder->Flush(30s)) << Describe(recorder->Status());
  const DeliveryStatus after = recorder->Status();
  EXPECT_EQ(after.buffered, 0);
  EXPECT_EQ(after.lag, 0ms);
  EXPECT_EQ(after.acknowledged_total, 200);
  EXPECT_TRUE(after.connected);
  ExpectExactlyOnce(sessions);
  std::lock_guard lock(mu);
  EXPECT_TRUE(std::any_of(statuses.begin(), statuses.end(),
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
// does not hold up the events after it.
TEST_F(RecorderTest, ARejectedEventIsReportedOnceAndTheRestDelivered) {
  StartDaemon();
  std::vector<Rejection> rejections;
  std::mutex mu;
  RecorderOptions options = Options();
  options.on_rejected = [&](const Rejection& r) {
    std::lock_guard lock(mu);
    rejections.push_back(r);
  };
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
  ExpectExactlyOnce({{"rejected", ids}});
  // Reopening the buffer resends nothing, so nothing is reported twice.
  recorder.reset();
  recorder = Open(options);
  ASSERT_NE(recorder, nullptr);
  EXPECT_EQ(recorder->Status().buffered, 0);
  std::lock_guard lock(mu);
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0].event_id, *bad);
  EXPECT_EQ(rejections[0].session_id, "rejected");
  EXPECT_EQ(rejections[0].error_code, 3);
  EXPECT_THAT(rejections[0].error_message, HasSubstr("clinic_time_zone"));
}

}  // namespace
}  // namespace unitclock::client

// End-to-end tests of the unitclockd binary: the real daemon on an ephemeral
// loopback port, driven by the real example program and a gRPC client.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "tests/testing/auth.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tls.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Process;
using testing::ReadFile;
using testing::WaitForFileLine;
using namespace std::chrono_literals;

const std::string kScenario = std::string(UNITCLOCK_SCENARIO_DIR) + "/video_exercise_30min.json";

// Seconds since the epoch on the real clock, which the daemon reads too.
std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

class UnitclockdTest : public ::testing::Test {
 protected:
  // Starts the daemon on a fresh port with the test's database, on the real
  // clock (the example scenario is dated 2026-11-27T15:00Z, in the past).
  // `test_transport`: plaintext, or mutual TLS in the "tls." run (see
  // tests/testing/tls.h); false: only what `extra` says.
  void StartDaemon(std::vector<std::string> extra = {}, bool test_transport = true) {
    std::filesystem::remove(dir_.File("port"));
    std::ofstream(dir_.File("tokens.json")) << testing::TestTokenFileJson();
    std::ofstream(dir_.File("token")) << testing::TestToken("demo-all") << "\n";
    std::vector<std::string> argv = {UNITCLOCKD_PATH,
                                     "--listen=127.0.0.1:0",
                                     "--db=" + dir_.File("var/unitclock.db"),
                                     "--policy-dir=" + std::string(UNITCLOCK_POLICY_DIR),
                                     "--auth-file=" + dir_.File("tokens.json"),
                                     "--port-file=" + dir_.File("port"),
                                     "--log-level=trace"};
    if (test_transport) {
      for (const std::string& flag : testing::TestDaemonTlsFlags()) argv.push_back(flag);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    daemon_ = std::make_unique<Process>(argv, dir_.File("daemon.log"));
    const std::string port = WaitForFileLine(dir_.File("port"), 20s);
    ASSERT_FALSE(port.empty()) << ReadFile(dir_.File("daemon.log"));
    target_ = "127.0.0.1:" + port;
  }

  // SIGTERM, then expects a clean exit.
  void StopDaemon() {
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->Wait(20s), 0) << ReadFile(dir_.File("daemon.log"));
    daemon_.reset();
  }

  // Runs the simulated platform on the example scenario (by default through
  // the client library, with its buffer in the test's folder); returns its
  // output.
  std::string RunExample(std::vector<std::string> extra = {}) {
    const std::string out = dir_.File("example.out");
    std::filesystem::remove(out);
    std::vector<std::string> argv = {SIMULATED_PLATFORM_PATH,
                                     "--target",
                                     target_,
                                     "--scenario",
                                     kScenario,
                                     "--token-file",
                                     dir_.File("token"),
                                     "--buffer",
                                     dir_.File("platform.buffer")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (const std::string& flag : testing::TestExampleTlsFlags()) argv.push_back(flag);
    Process example(argv, out);
    EXPECT_EQ(example.Wait(60s), 0) << ReadFile(out);
    return ReadFile(out);
  }

  std::unique_ptr<v1::SessionService::Stub> Stub() {
    return v1::SessionService::NewStub(
        grpc::CreateChannel(target_, testing::TestChannelCredentials()));
  }

  testing::TempDir dir_;
  std::unique_ptr<Process> daemon_;
  std::string target_;
};

TEST_F(UnitclockdTest, TheExampleStreamsItsScenarioAndReadsItBackAcrossRestarts) {
  StartDaemon();
  std::string out = RunExample();
  EXPECT_EQ(CountOf(out, "OUTCOME_RECORDED"), 21) << out;
  EXPECT_THAT(out, HasSubstr("\"state\": \"STATE_STOPPED\""));
  EXPECT_THAT(out, HasSubstr("\"eventCount\": \"21\""));
  EXPECT_THAT(out, HasSubstr("timeline: 25 billable minutes of 30"));
  EXPECT_THAT(out, HasSubstr("97110 x2 GP 95, POS 10  (25 min)"));

  out = RunExample();
  EXPECT_EQ(CountOf(out, "OUTCOME_ALREADY_RECORDED"), 21) << out;
  // The same by hand, over PublishEvents and in one RecordEvents batch.
  for (const char* mode : {"stream", "batch"}) {
    out = RunExample({"--mode", mode});
    EXPECT_EQ(CountOf(out, "OUTCOME_ALREADY_RECORDED"), 21) << mode << "\n" << out;
    EXPECT_THAT(out, HasSubstr("97110 x2 GP 95, POS 10  (25 min)")) << mode;
  }

  StopDaemon();
  StartDaemon();
  out = RunExample();
  EXPECT_EQ(CountOf(out, "OUTCOME_ALREADY_RECORDED"), 21) << out;
  EXPECT_THAT(out, HasSubstr("\"eventCount\": \"21\""));
  StopDaemon();

  // Structured logs, and no patient or provider reference in them.
  const std::string log = ReadFile(dir_.File("daemon.log"));
  EXPECT_THAT(log, HasSubstr("level=info msg=\"unitclockd serving\""));
  EXPECT_THAT(log, HasSubstr("msg=\"stopped\""));
  EXPECT_THAT(log, HasSubstr("stored_events=21"));
  EXPECT_THAT(log, Not(HasSubstr("pt-4f9c2a")));
  EXPECT_THAT(log, Not(HasSubstr("prov-17b3")));
}

// `n` liveness signals of one open session, one a second from ten minutes
// ago: recent enough that the daemon's watchdog leaves the session open.
std::vector<v1::Event> ManyEvents(int n) {
  const std::int64_t start = NowSeconds() - 600;
  std::vector<v1::Event> events;
  for (int i = 0; i < n; ++i) {
    v1::Event e;
    e.set_event_id("evt-" + std::to_string(i));
    e.set_session_id("drain-session");
    e.mutable_occurred_at()->set_seconds(start + i);
    e.mutable_liveness_signal()->set_activity_id("ex-1");
    events.push_back(e);
  }
  return events;
}

TEST_F(UnitclockdTest, SigtermFinishesInFlightAcknowledgementsAndLosesNone) {
  // A grace as long as the wait below: on a loaded machine (the whole suite
  // on two cores) the drain of the default 5 s once ran out, and gRPC then
  // cancelled acknowledgements of events it had stored.
  StartDaemon({"--shutdown-grace-ms=20000"});
  const std::vector<v1::Event> events = ManyEvents(300);
  std::set<std::string> acked;
  {
    auto stub = Stub();
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    auto stream = stub->PublishEvents(&ctx);
    for (const v1::Event& e : events) {  // pipelined: all sent before any ack is read
      v1::PublishEventsRequest req;
      *req.mutable_event() = e;
      ASSERT_TRUE(stream->Write(req));
    }
    v1::PublishEventsResponse resp;
    ASSERT_TRUE(stream->Read(&resp));
    acked.insert(resp.acknowledgement().event_id());
    daemon_->Signal(SIGTERM);
    while (stream->Read(&resp)) {
      EXPECT_EQ(resp.acknowledgement().outcome(), v1::EventAcknowledgement::OUTCOME_RECORDED);
      acked.insert(resp.acknowledgement().event_id());
    }
    stream->Finish();
  }
  EXPECT_EQ(daemon_->Wait(20s), 0);
  daemon_.reset();

  // Every acknowledged event is there after a restart; sending everything
  // again stores the rest exactly once.
  StartDaemon();
  auto stub = Stub();
  grpc::ClientContext ctx;
  testing::Authorize(ctx);
  v1::RecordEventsRequest req;
  for (const v1::Event& e : events) *req.add_events() = e;
  v1::RecordEventsResponse resp;
  ASSERT_TRUE(stub->RecordEvents(&ctx, req, &resp).ok());
  int already = 0;
  for (const auto& ack : resp.acknowledgements()) {
    const bool was_acked = acked.count(ack.event_id()) > 0;
    EXPECT_EQ(ack.outcome(), was_acked ? v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED
                                       : v1::EventAcknowledgement::OUTCOME_RECORDED)
        << ack.event_id();
    already += ack.outcome() == v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED;
  }
  EXPECT_GE(already, static_cast<int>(acked.size()));
  grpc::ClientContext get_ctx;
  testing::Authorize(get_ctx);
  v1::GetSessionRequest get;
  get.set_name("sessions/drain-session");
  get.set_view(v1::SESSION_VIEW_BASIC);
  v1::Session session;
  ASSERT_TRUE(stub->GetSession(&get_ctx, get, &session).ok());
  EXPECT_EQ(session.event_count(), 300);
  StopDaemon();
}

TEST_F(UnitclockdTest, TheWatchdogClosesASessionWhoseEventsStopped) {
  StartDaemon({"--session-timeout-s=60", "--watchdog-interval-s=1"});
  v1::RecordEventsRequest req;
  v1::Event* e = req.add_events();
  e->set_event_id("quiet-1");
  e->set_session_id("quiet-session");
  e->mutable_occurred_at()->set_seconds(NowSeconds() - 120);
  e->mutable_participant_joined()->set_participant(v1::PARTICIPANT_PATIENT);
  auto stub = Stub();
  {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::RecordEventsResponse resp;
    ASSERT_TRUE(stub->RecordEvents(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.acknowledgements(0).outcome(), v1::EventAcknowledgement::OUTCOME_RECORDED);
  }
  // Polled, not slept: the watchdog scans every second.
  v1::Session session;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::GetSessionRequest get;
    get.set_name("sessions/quiet-session");
    get.set_view(v1::SESSION_VIEW_BASIC);
    ASSERT_TRUE(stub->GetSession(&ctx, get, &session).ok());
    if (session.event_count() == 2) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(session.event_count(), 2);
  EXPECT_EQ(session.state(), v1::Session::STATE_STOPPED);
  EXPECT_EQ(session.stop_reason(), v1::STOP_REASON_TIMED_OUT);
  EXPECT_EQ(session.stop_time().seconds(), e->occurred_at().seconds());
  std::vector<std::string> flags;
  for (const v1::TimelineFlag& f : session.timeline().flags()) flags.push_back(f.code());
  EXPECT_THAT(flags, ::testing::UnorderedElementsAre("missing_session_started", "closed_by_timeout",
                                                     "media_never_reported"));
  StopDaemon();
  EXPECT_THAT(ReadFile(dir_.File("daemon.log")),
              HasSubstr("msg=\"session closed by watchdog\" session_id=\"quiet-session\""));
}

TEST_F(UnitclockdTest, ReadsItsOptionsFromAConfigFile) {
  // Flags given on the command line win over the file, so the file sets one
  // that StartDaemon does not pass.
  std::ofstream(dir_.File("unitclockd.ini")) << "shutdown-grace-ms = 1234\n";
  StartDaemon({"--config=" + dir_.File("unitclockd.ini")});
  EXPECT_THAT(RunExample(), HasSubstr("STATE_STOPPED"));
  StopDaemon();
  EXPECT_THAT(ReadFile(dir_.File("daemon.log")), HasSubstr("grace_ms=1234"));
}

TEST_F(UnitclockdTest, RefusesBadOptionsWithAClearMessage) {
  std::ofstream(dir_.File("tokens.json")) << testing::TestTokenFileJson();
  std::ofstream(dir_.File("bad-tokens.json")) << R"({"version": 1, "tokens": [{"id": "x"}]})";
  std::ofstream(dir_.File("not.pem")) << "hello";
  const std::string auth = "--auth-file=" + dir_.File("tokens.json");
  const std::string policies = "--policy-dir=" + std::string(UNITCLOCK_POLICY_DIR);
  const std::string db = "--db=" + dir_.File("a.db");
  struct Case {
    std::vector<std::string> argv;
    std::string message;
  };
  const Case cases[] = {
      {{UNITCLOCKD_PATH, "--listen=0.0.0.0:0", policies, db, auth},
       "--listen: plaintext gRPC is allowed on loopback addresses only"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", "--policy-dir=/no/such/folder", db, auth},
       "--policy-dir: \\\"/no/such/folder\\\" is not a folder"},
      {{UNITCLOCKD_PATH, "--log-level=loud", auth}, "--log-level"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", "--policy-dir=" + dir_.path().string(), db, auth},
       "--policy-dir: cannot read"},
      {{UNITCLOCKD_PATH, "--future-tolerance-s=-1", auth}, "--future-tolerance-s"},
      {{UNITCLOCKD_PATH, "--session-timeout-s=0", auth}, "--session-timeout-s"},
      {{UNITCLOCKD_PATH, "--watchdog-interval-s=0", auth}, "--watchdog-interval-s"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", policies, db}, "--auth-file is required"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", policies, db, "--auth-file=/no/such/file"},
       "--auth-file: cannot read token file"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", policies, db,
        "--auth-file=" + dir_.File("bad-tokens.json")},
       "tokens[0].platform: required"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", policies, db, auth,
        "--tls-cert=" + dir_.File("not.pem")},
       "--tls-key: required with --tls-cert"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", policies, db, auth,
        "--tls-cert=" + dir_.File("not.pem"), "--tls-key=" + dir_.File("not.pem")},
       "--tls-cert: \\\"" + dir_.File("not.pem") + "\\\" is not a PEM file"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", policies, db, auth,
        "--tls-client-ca=" + dir_.File("not.pem")},
       "--tls-client-ca: needs --tls-cert and --tls-key"},
      {{UNITCLOCKD_PATH, "--max-events-per-session=1", auth}, "--max-events-per-session"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", policies, db, auth, "--http-listen=0.0.0.0:0"},
       "--http-listen: HTTP is plaintext and allowed on loopback addresses only"},
      {{UNITCLOCKD_PATH, "--listen=127.0.0.1:0", policies, db, auth, "--http-listen=127.0.0.1:0",
        "--web-dir=/no/such/folder"},
       "--http-listen: web_dir:"},
  };
  for (const Case& c : cases) {
    const std::string out = dir_.File("bad.out");
    std::filesystem::remove(out);
    Process p(c.argv, out);
    const auto code = p.Wait(20s);
    ASSERT_TRUE(code.has_value());
    EXPECT_NE(*code, 0);
    EXPECT_THAT(ReadFile(out), HasSubstr(c.message));
  }
}

// Lists sessions over a channel with `credentials`; the status says whether
// the transport let the call through.
grpc::Status ListOver(const std::string& target,
                      std::shared_ptr<grpc::ChannelCredentials> credentials) {
  auto stub = v1::SessionService::NewStub(grpc::CreateChannel(target, credentials));
  grpc::ClientContext ctx;
  testing::Authorize(ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  v1::ListSessionsRequest req;
  v1::ListSessionsResponse resp;
  return stub->ListSessions(&ctx, req, &resp);
}

std::shared_ptr<grpc::ChannelCredentials> TlsAs(const std::string& ca_dir,
                                                const std::string& client) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(ca_dir + "/ca.pem");
  if (!client.empty()) {
    ssl.pem_cert_chain = ReadFile(ca_dir + "/" + client + ".pem");
    ssl.pem_private_key = ReadFile(ca_dir + "/" + client + ".key");
  }
  return grpc::SslCredentials(ssl);
}

TEST_F(UnitclockdTest, TlsAndMutualTlsLetOnlyTrustedClientsIn) {
  const std::string ca = dir_.File("ca");
  Process make_ca({"/bin/bash", MAKE_TEST_CA_PATH, ca}, dir_.File("ca.out"));
  ASSERT_EQ(make_ca.Wait(60s), 0) << ReadFile(dir_.File("ca.out"));
  const std::vector<std::string> server = {"--tls-cert=" + ca + "/server.pem",
                                           "--tls-key=" + ca + "/server.key"};

  // TLS: any client that trusts the server's authority; never plaintext.
  StartDaemon(server, /*test_transport=*/false);
  EXPECT_TRUE(ListOver(target_, TlsAs(ca, "")).ok());
  EXPECT_FALSE(ListOver(target_, grpc::InsecureChannelCredentials()).ok());
  StopDaemon();
  EXPECT_THAT(ReadFile(dir_.File("daemon.log")), HasSubstr("tls=on"));

  // Mutual TLS: only clients with a certificate of the configured authority.
  std::vector<std::string> mutual = server;
  mutual.push_back("--tls-client-ca=" + ca + "/ca.pem");
  StartDaemon(mutual, /*test_transport=*/false);
  EXPECT_TRUE(ListOver(target_, TlsAs(ca, "client")).ok());
  EXPECT_EQ(ListOver(target_, TlsAs(ca, "")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListOver(target_, TlsAs(ca, "stranger")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListOver(target_, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  StopDaemon();
  EXPECT_THAT(ReadFile(dir_.File("daemon.log")), HasSubstr("tls=mutual"));
}

TEST_F(UnitclockdTest, PlaintextOnLoopbackIsAllowedWithAWarning) {
  StartDaemon({}, /*test_transport=*/false);
  EXPECT_TRUE(ListOver(target_, grpc::InsecureChannelCredentials()).ok());
  StopDaemon();
  const std::string log = ReadFile(dir_.File("daemon.log"));
  EXPECT_THAT(log, HasSubstr("level=warning msg=\"plaintext gRPC on loopback"));
  EXPECT_THAT(log, HasSubstr("tls=off"));
}

}  // namespace
}  // namespace unitclock

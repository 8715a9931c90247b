// The health reporter: what it sets and logs, against a fake health service;
// then a real gRPC server on loopback, and the unitclock Server, asked by a
// real grpc.health.v1 client (Check and Watch) while the probe flips.
#include "plugin/service/health_reporter.h"

#include <gmock/gmock.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "plugin/service/server.h"
#include "plugin/store/postgres/postgres_store.h"
#include "plugin/store/sqlite/sqlite_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/scratch_pg_cluster.h"
#include "tests/testing/service_options.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tls.h"

namespace unitclock::service {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using namespace std::chrono_literals;

constexpr auto kServing = HealthCheckResponse::SERVING;
constexpr auto kNotServing = HealthCheckResponse::NOT_SERVING;

// Polls `done` until it holds or `timeout` passes.
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A probe whose answer the test decides, counting its calls.
class ControlledProbe {
 public:
  void SetHealthy(bool healthy) { healthy_ = healthy; }
  int calls() const { return calls_; }
  // Waits until the probe has run `n` more times than now: whatever it
  // answered then has been reported.
  bool AwaitMoreCalls(int n) {
    const int target = calls_ + n + 1;  // the one running now may predate the change
    return PollUntil([&] { return calls_ >= target; });
  }
  HealthReporter::Probe Probe() {
    return [this] {
      ++calls_;
      return healthy_ ? absl::OkStatus() : absl::UnavailableError("database: connection refused");
    };
  }

 private:
  std::atomic<bool> healthy_{true};
  std::atomic<int> calls_{0};
};

// Records what the reporter sets.
class FakeHealthService final : public grpc::HealthCheckServiceInterface {
 public:
  void SetServingStatus(const std::string& service, bool serving) override {
    std::lock_guard lock(mu_);
    sets_.emplace_back(service, serving);
  }
  void SetServingStatus(bool serving) override { SetServingStatus("(every service)", serving); }
  std::vector<std::pair<std::string, bool>> Sets() {
    std::lock_guard lock(mu_);
    return sets_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::string, bool>> sets_;
};

// The process's log while it lives (read it once nothing logs any more).
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string Text() const { return out_.str(); }
  int Count(const std::string& needle) const {
    const std::string text = Text();
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

HealthCheckResponse::ServingStatus Check(Health::Stub& stub) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  HealthCheckRequest request;  // service "": the whole server
  HealthCheckResponse response;
  const grpc::Status status = stub.Check(&ctx, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.status();
}

// A Watch call on the whole server, for at most 30 s.
struct Watch {
  explicit Watch(Health::Stub& stub) {
    ctx.set_deadline(std::chrono::system_clock::now() + 30s);
    reader = stub.Watch(&ctx, HealthCheckRequest());
  }
  // The next status sent; UNKNOWN if the call ended.
  HealthCheckResponse::ServingStatus Next() {
    HealthCheckResponse response;
    return reader->Read(&response) ? response.status() : HealthCheckResponse::UNKNOWN;
  }
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> reader;
};

TEST(HealthReporter, SetsTheStatusOnEachChangeOnlyAndLogsEachChangeOnce) {
  LogCapture log;
  FakeHealthService health;
  ControlledProbe probe;
  HealthReporter reporter(health, probe.Probe(), 2ms);
  ASSERT_TRUE(probe.AwaitMoreCalls(5));
  // The first probe sets the status, later equal ones do not.
  EXPECT_THAT(health.Sets(), ElementsAre(Pair("", true)));

  probe.SetHealthy(false);
  ASSERT_TRUE(probe.AwaitMoreCalls(5));
  EXPECT_THAT(health.Sets(), ElementsAre(Pair("", true), Pair("", false)));
  probe.SetHealthy(true);
  ASSERT_TRUE(probe.AwaitMoreCalls(5));
  EXPECT_THAT(health.Sets(), ElementsAre(Pair("", true), Pair("", false), Pair("", true)));
  reporter.Stop();

  // Healthy at start is no news; each change is one line.
  EXPECT_EQ(log.Count("health NOT_SERVING"), 1) << log.Text();
  EXPECT_EQ(log.Count("health SERVING"), 1) << log.Text();
  EXPECT_THAT(log.Text(), HasSubstr("error=\"UNAVAILABLE: database: connection refused\""));
  EXPECT_THAT(log.Text(), HasSubstr("down_ms="));
}

TEST(HealthReporter, AProbeFailingFromTheStartSetsNotServingAtOnce) {
  FakeHealthService health;
  ControlledProbe probe;
  probe.SetHealthy(false);
  // An interval far longer than the test: the first probe runs at start.
  HealthReporter reporter(health, probe.Probe(), 1h);
  ASSERT_TRUE(PollUntil([&] { return !health.Sets().empty(); }));
  EXPECT_THAT(health.Sets(), ElementsAre(Pair("", false)));
}

TEST(HealthReporter, StopEndsTheWaitAtOnceAndNothingIsProbedOrSetAfterIt) {
  FakeHealthService health;
  ControlledProbe probe;
  HealthReporter reporter(health, probe.Probe(), 1h);
  ASSERT_TRUE(PollUntil([&] { return health.Sets().size() == 1; }));
  const auto start = std::chrono::steady_clock::now();
  reporter.Stop();
  // Woken, not left to sleep out its hour.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  reporter.Stop();  // idempotent
  probe.SetHealthy(false);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(probe.calls(), 1);
  EXPECT_THAT(health.Sets(), ElementsAre(Pair("", true)));
}

TEST(HealthReporter, ConcurrentStopsEachReturnOnceTheThreadEnded) {
  FakeHealthService health;
  ControlledProbe probe;
  HealthReporter reporter(health, probe.Probe(), 1ms);
  ASSERT_TRUE(probe.AwaitMoreCalls(3));
  std::vector<std::thread> stoppers;
  for (int i = 0; i < 4; ++i) stoppers.emplace_back([&] { reporter.Stop(); });
  for (std::thread& t : stoppers) t.join();
  const int calls = probe.calls();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(probe.calls(), calls);
}

// gRPC's default health service, served by a real server on loopback.
TEST(HealthReporter, AHealthClientSeesServingThenNotServingThenServing) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  // A server with no service of its own does not start: this one answers
  // UNIMPLEMENTED to everything but the health service.
  grpc::CallbackGenericService nothing;
  builder.RegisterCallbackGenericService(&nothing);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  ASSERT_NE(port, 0);
  auto stub = Health::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));

  ControlledProbe probe;
  HealthReporter reporter(*server->GetHealthCheckService(), probe.Probe(), 5ms);
  ASSERT_TRUE(probe.AwaitMoreCalls(1));  // the first status is set
  Watch watch(*stub);
  EXPECT_EQ(watch.Next(), kServing);
  EXPECT_EQ(Check(*stub), kServing);

  probe.SetHealthy(false);
  EXPECT_EQ(watch.Next(), kNotServing);
  EXPECT_EQ(Check(*stub), kNotServing);

  probe.SetHealthy(true);
  EXPECT_EQ(watch.Next(), kServing);
  EXPECT_EQ(Check(*stub), kServing);

  watch.ctx.TryCancel();
  (void)watch.reader->Finish();
  reporter.Stop();
  server->Shutdown(std::chrono::system_clock::now());
}

// The unitclock Server: WatchHealth, and Shutdown stopping the probe.
class ServerHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore(dir_.File("unitclock.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto server = Server::Start("127.0.0.1:0", store_, clock_, testing::TestServiceOptions());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = Health::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                                testing::TestChannelCredentials()));
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  ControlledProbe probe_;  // outlives the server, which calls it
  store::Store store_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Health::Stub> stub_;
};

TEST_F(ServerHealthTest, WatchHealthFollowsTheProbeUntilShutdown) {
  EXPECT_EQ(Check(*stub_), kServing);  // before any probe: serving
  EXPECT_EQ(server_->WatchHealth(probe_.Probe(), 0ms).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(server_->WatchHealth(probe_.Probe(), 5ms).ok());
  EXPECT_EQ(server_->WatchHealth(probe_.Probe()).code(), absl::StatusCode::kFailedPrecondition);

  probe_.SetHealthy(false);
  ASSERT_TRUE(PollUntil([&] { return Check(*stub_) == kNotServing; }));
  probe_.SetHealthy(true);
  ASSERT_TRUE(PollUntil([&] { return Check(*stub_) == kServing; }));

  // Shut down while the probe keeps succeeding: a watcher hears SERVING,
  // then at most NOT_SERVING before its call ends, never SERVING again.
  Watch watch(*stub_);
  ASSERT_EQ(watch.Next(), kServing);
  server_->Shutdown(500ms);
  const int calls = probe_.calls();
  std::vector<HealthCheckResponse::ServingStatus> after;
  for (auto s = watch.Next(); s != HealthCheckResponse::UNKNOWN; s = watch.Next()) {
    after.push_back(s);
  }
  EXPECT_THAT(after, ::testing::Each(kNotServing));
  (void)watch.reader->Finish();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(probe_.calls(), calls);  // stopped with the server
  EXPECT_EQ(server_->WatchHealth(probe_.Probe()).code(), absl::StatusCode::kFailedPrecondition);
}

// The real probe on PostgreSQL: the event log's Health(), as unitclockd
// watches it, while the database server is killed and started again.
TEST(ServerHealthOnPostgresTest, HealthFollowsTheDatabaseGoingAndComingBack) {
  testing::ScratchPgCluster cluster;
  ASSERT_TRUE(cluster.started());
  auto store = store::OpenPostgresStore(cluster.uri(), {});
  ASSERT_TRUE(store.ok()) << store.status();
  testing::FakeClock clock;
  auto server = Server::Start("127.0.0.1:0", *store, clock, testing::TestServiceOptions());
  ASSERT_TRUE(server.ok()) << server.status();
  store::EventLog& log = *store->events;
  ASSERT_TRUE((*server)->WatchHealth([&log] { return log.Health(); }, 50ms).ok());
  auto stub = Health::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                                  testing::TestChannelCredentials()));
  EXPECT_EQ(Check(*stub), kServing);

  ASSERT_TRUE(cluster.Kill());
  // The log probes at most about once a second: NOT_SERVING within a few.
  EXPECT_TRUE(PollUntil([&] { return Check(*stub) == kNotServing; }, 5s));
  EXPECT_EQ(log.Health().code(), absl::StatusCode::kUnavailable);

  ASSERT_TRUE(cluster.Resume());
  EXPECT_TRUE(PollUntil([&] { return Check(*stub) == kServing; }, 10s));
  EXPECT_TRUE(log.Health().ok()) << log.Health();
  (*server)->Shutdown(500ms);
}

}  // namespace
}  // namespace unitclock::service

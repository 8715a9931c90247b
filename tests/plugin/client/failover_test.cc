// The client library against two unitclock servers sharing one store, as
// instances behind a load balancer share one database: the server holding
// the recorder's stream shuts down while events keep coming, and the other
// takes over. Every event ends in the store exactly once, and the recorder
// reports each exactly once, none rejected, none left behind.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "plugin/client/recorder.h"
#include "plugin/common/clock.h"
#include "plugin/service/server.h"
#include "plugin/store/sqlite/sqlite_store.h"
#include "tests/plugin/client/recorder_test_support.h"
#include "tests/plugin/client/test_session.h"
#include "tests/testing/auth.h"
#include "tests/testing/service_options.h"
#include "tests/testing/temp_dir.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::client {
namespace {

using ::testing::UnorderedElementsAreArray;
using namespace std::chrono_literals;
using recorder_tests::At;
using recorder_tests::Collector;
using recorder_tests::Describe;
using recorder_tests::PollUntil;

// Records sessions on its own thread, at a steady pace, until stopped: the
// platform keeps publishing whatever happens to the servers.
class Publisher {
 public:
  explicit Publisher(Recorder& recorder) : recorder_(recorder), thread_([this] { Run(); }) {}
  ~Publisher() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Session id -> its event ids, in the order recorded. After Stop.
  const std::map<std::string, std::vector<std::string>>& sessions() const { return sessions_; }
  std::int64_t recorded() const { return recorded_; }

 private:
  static constexpr int kEventsPerSession = 400;
  void Run() {
    for (int s = 0; !stop_; ++s) {
      const std::string session = "failover-" + std::to_string(s);
      std::vector<std::string>& ids = sessions_[session];
      for (int i = 0; i < kEventsPerSession && !stop_; ++i) {
        auto id = i == 0 ? recorder_.SessionStarted(
                               session, At(0), testing::ClientTestSessionStarted("pt-failover"))
                         : recorder_.Liveness(session, At(i), "ex-1", "repetition");
        ASSERT_TRUE(id.ok()) << id.status();
        ids.push_back(*id);
        ++recorded_;
        // About 2,000 events a second: enough to keep a window in flight,
        // far from filling the buffer.
        if (i % 20 == 19) std::this_thread::sleep_for(10ms);
      }
    }
  }
  Recorder& recorder_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> recorded_{0};
  std::map<std::string, std::vector<std::string>> sessions_;
  std::thread thread_;  // last
};

// The parameter: the grace period of the server that goes away. Zero
// cancels its stream at once, events in the middle of being stored
// included (a crash, as far as the client can tell); two seconds lets it
// acknowledge what it read and end the stream (a rolling restart).
class FailoverTest : public ::testing::TestWithParam<std::chrono::milliseconds> {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore(dir_.File("unitclock.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    service::ServiceOptions options = testing::TestServiceOptions();
    options.tls = {};  // the recorder below speaks plaintext
    // One stream per platform: an instance holding the recorder's stream
    // refuses a second, which tells which one holds it (HoldsTheStream).
    options.max_streams_per_platform = 1;
    for (auto& server : servers_) {
      auto started = service::Server::Start("127.0.0.1:0", store_, clock_, options);
      ASSERT_TRUE(started.ok()) << started.status();
      server = *std::move(started);
    }
  }

  std::string Target() const {
    return "127.0.0.1:" + std::to_string(servers_[0]->port()) +
           ",127.0.0.1:" + std::to_string(servers_[1]->port());
  }

  // Whether the platform's one stream slot on server `i` is taken.
  bool HoldsTheStream(int i) {
    auto stub = v1::SessionService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(servers_[i]->port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    testing::Authorize(ctx, "demo-platform");
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    auto stream = stub->PublishEvents(&ctx);
    stream->WritesDone();
    const grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok() || status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_message();
    return status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
  }

  // The event ids the store holds for `session`.
  std::vector<std::string> StoredIds(const std::string& session) {
    auto events = store_.events->LoadSession(session);
    EXPECT_TRUE(events.ok()) << events.status();
    std::vector<std::string> ids;
    if (events.ok()) {
      for (const store::StoredEvent& e : *events) ids.push_back(e.event_id);
    }
    return ids;
  }

  testing::TempDir dir_;
  const common::SystemClock clock_;
  store::Store store_;  // outlives both servers
  std::unique_ptr<service::Server> servers_[2];
};

TEST_P(FailoverTest, TheOtherInstanceTakesOverAndEveryEventIsStoredOnce) {
  Collector<Acknowledgement> acknowledgements;
  Collector<DeliveryStatus> statuses;
  RecorderOptions options;
  options.target = Target();
  options.token = testing::TestToken("demo-platform");
  options.buffer_path = dir_.File("buffer.db");
  options.initial_backoff = 20ms;
  options.max_backoff = 300ms;
  options.on_acknowledged = acknowledgements.Callback();
  options.on_status = statuses.Callback();
  auto opened = Recorder::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<Recorder> recorder = *std::move(opened);
  Publisher publisher(*recorder);

  ASSERT_TRUE(PollUntil([&] { return recorder->Status().acknowledged_total > 500; }, 30s))
      << Describe(recorder->Status());
  // Exactly one instance holds the stream; it goes away mid-stream.
  const bool first_holds = HoldsTheStream(0);
  ASSERT_NE(first_holds, HoldsTheStream(1)) << "the stream is on neither, or on both";
  const int dying = first_holds ? 0 : 1;
  const int survivor = 1 - dying;
  const std::size_t statuses_before = statuses.Items().size();
  servers_[dying]->Shutdown(GetParam());
  servers_[dying].reset();

  // Delivery goes on, through the other instance alone.
  const std::int64_t acked = recorder->Status().acknowledged_total;
  ASSERT_TRUE(PollUntil([&] { return recorder->Status().acknowledged_total > acked + 1000; }, 30s))
      << Describe(recorder->Status());
  publisher.Stop();
  ASSERT_TRUE(recorder->Flush(60s)) << Describe(recorder->Status());
  EXPECT_TRUE(HoldsTheStream(survivor));

  // The recorder: each event acknowledged once, none rejected, none left.
  const DeliveryStatus status = recorder->Status();
  EXPECT_EQ(status.buffered, 0);
  EXPECT_EQ(status.acknowledged_total, publisher.recorded());
  EXPECT_TRUE(status.connected);
  EXPECT_EQ(status.last_error, "") << Describe(status);
  std::map<std::string, int> times_acknowledged;
  int already_recorded = 0;
  for (const Acknowledgement& a : acknowledgements.Items()) {
    ++times_acknowledged[a.event_id];
    EXPECT_FALSE(a.rejected()) << a.event_id << ": " << a.error_message;
    already_recorded += a.outcome == v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED;
  }
  EXPECT_EQ(static_cast<std::int64_t>(times_acknowledged.size()), publisher.recorded());
  for (const auto& [id, n] : times_acknowledged) EXPECT_EQ(n, 1) << id;
  // The stream broke with its instance, and a new one came up.
  const std::vector<DeliveryStatus> reported = statuses.Items();
  bool broke = false, reconnected = false;
  for (std::size_t i = statuses_before; i < reported.size(); ++i) {
    broke = broke || !reported[i].connected;
    reconnected = reconnected || (broke && reported[i].connected);
  }
  EXPECT_TRUE(broke && reconnected);

  // The store: every event recorded, each once, nothing else.
  std::int64_t total = 0;
  for (const auto& [session, ids] : publisher.sessions()) {
    EXPECT_THAT(StoredIds(session), UnorderedElementsAreArray(ids)) << session;
    total += static_cast<std::int64_t>(ids.size());
  }
  EXPECT_EQ(total, publisher.recorded());
  absl::StatusOr<std::int64_t> stored = store_.events->CountEvents();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, publisher.recorded());
  std::cout << "failover: " << publisher.recorded() << " events, " << already_recorded
            << " resent and already recorded\n";
}

INSTANTIATE_TEST_SUITE_P(Grace, FailoverTest, ::testing::Values(0ms, 2000ms), [](const auto& info) {
  return info.param.count() == 0 ? std::string("Abrupt") : std::string("Graceful");
});

}  // namespace
}  // namespace unitclock::client

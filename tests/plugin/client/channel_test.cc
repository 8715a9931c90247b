// RecorderOptions::target: what each form becomes for gRPC, what is refused
// (INVALID_ARGUMENT naming options.target, before the buffer is touched),
// and that the channel reaches servers by each form and spreads calls over
// them (round_robin).
#include "plugin/client/internal/channel.h"

#include <gmock/gmock.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "plugin/client/recorder.h"
#include "tests/testing/temp_dir.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::client::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

TEST(ChannelTarget, OneInstanceIsKeptAsGiven) {
  for (const std::string target :
       {"127.0.0.1:50051", "unitclock.internal:50051", "[::1]:50051", "localhost:50051"}) {
    absl::StatusOr<std::string> t = ChannelTarget(target);
    ASSERT_TRUE(t.ok()) << target << ": " << t.status();
    EXPECT_EQ(*t, target);
  }
  EXPECT_EQ(*ChannelTarget("  127.0.0.1:50051\n"), "127.0.0.1:50051");
}

TEST(ChannelTarget, GrpcsOwnSyntaxIsKeptAsGiven) {
  for (const std::string target :
       {"dns:///unitclock.internal:50051", "dns://10.0.0.53/unitclock.internal:50051",
        "ipv4:10.0.0.1:50051,10.0.0.2:50051", "ipv6:[fd00::1]:50051", "unix:/run/unitclock.sock"}) {
    absl::StatusOr<std::string> t = ChannelTarget(target);
    ASSERT_TRUE(t.ok()) << target << ": " << t.status();
    EXPECT_EQ(*t, target);
  }
}

TEST(ChannelTarget, AListOfAddressesBecomesGrpcsMultiAddressTarget) {
  EXPECT_EQ(*ChannelTarget("10.0.0.1:50051,10.0.0.2:50051"), "ipv4:10.0.0.1:50051,10.0.0.2:50051");
  EXPECT_EQ(*ChannelTarget(" 10.0.0.1:1 , 10.0.0.2:2 ,10.0.0.3:3"),
            "ipv4:10.0.0.1:1,10.0.0.2:2,10.0.0.3:3");
  EXPECT_EQ(*ChannelTarget("[::1]:50051, [fd00::2]:50052"), "ipv6:[::1]:50051,[fd00::2]:50052");
}

TEST(ChannelTarget, AMalformedTargetIsInvalidArgumentNamingTheOption) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"  ", "empty"},
      {"10.0.0.1:1,,10.0.0.2:2", "an empty entry"},
      {"10.0.0.1:1,", "an empty entry"},
      {"10.0.0.1:1,db2.internal:2", "\"db2.internal:2\" is not an IP address with a port"},
      {"localhost:1,localhost:2", "dns:///"},  // says what to do instead
      {"10.0.0.1,10.0.0.2:2", "\"10.0.0.1\" is not an IP address"},
      {"10.0.0.1:0,10.0.0.2:2", "\"10.0.0.1:0\" has no port from 1 to 65535"},
      {"10.0.0.1:70000,10.0.0.2:2", "has no port"},
      {"10.0.0.1:http,10.0.0.2:2", "has no port"},
      {"300.0.0.1:1,10.0.0.2:2", "\"300.0.0.1:1\" is not an IP address"},
      {"::1:1,::1:2", "is not an IP address"},  // IPv6 needs its brackets
      {"10.0.0.1:1,[::1]:2", "mixes IPv4 and IPv6"},
  };
  for (const auto& [target, why] : cases) {
    absl::StatusOr<std::string> t = ChannelTarget(target);
    ASSERT_FALSE(t.ok()) << target << " gave " << *t;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << target;
    EXPECT_THAT(std::string(t.status().message()), StartsWith("options.target: ")) << target;
    EXPECT_THAT(t.status().message(), HasSubstr(why)) << target;
  }
}

TEST(MakeChannel, ATargetGrpcRefusesIsInvalidArgument) {
  RecorderOptions options;
  options.target = "ipv4:10.0.0.300:50051";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(options);
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(channel.status().message(),
              HasSubstr("options.target: gRPC does not accept \"ipv4:10.0.0.300:50051\""));
}

TEST(MakeChannel, RecorderOpenRefusesABadTargetBeforeTouchingTheBuffer) {
  testing::TempDir dir;
  for (const std::string target : {"10.0.0.1:1,db2:2", "ipv4:10.0.0.300:50051"}) {
    RecorderOptions options;
    options.target = target;
    options.buffer_path = dir.File("buffer.db");
    auto recorder = Recorder::Open(options);
    EXPECT_EQ(recorder.status().code(), absl::StatusCode::kInvalidArgument) << target;
    EXPECT_THAT(std::string(recorder.status().message()), StartsWith("options.target: ")) << target;
    EXPECT_FALSE(std::filesystem::exists(dir.File("buffer.db"))) << target;
  }
}

// A gRPC server on loopback that answers UNIMPLEMENTED to every call and
// counts them.
class CountingServer {
 public:
  explicit CountingServer(const std::string& address) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~CountingServer() {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
  }
  bool started() const { return server_ != nullptr && port_ != 0; }
  int port() const { return port_; }
  int calls() const { return service_.calls; }

 private:
  struct Service : grpc::CallbackGenericService {
    grpc::ServerGenericBidiReactor* CreateReactor(
        grpc::GenericCallbackServerContext* ctx) override {
      ++calls;
      return grpc::CallbackGenericService::CreateReactor(ctx);  // UNIMPLEMENTED
    }
    std::atomic<int> calls{0};
  };
  Service service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

std::shared_ptr<grpc::Channel> Connect(const std::string& target) {
  RecorderOptions options;
  options.target = target;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(options);
  EXPECT_TRUE(channel.ok()) << target << ": " << channel.status();
  if (!channel.ok()) return nullptr;
  EXPECT_TRUE((*channel)->WaitForConnected(std::chrono::system_clock::now() + 10s)) << target;
  return *channel;
}

// Calls until each of `servers` has had one, at most `limit` calls.
bool CallUntilEachIsReached(std::shared_ptr<grpc::Channel> channel,
                            const std::vector<const CountingServer*>& servers, int limit) {
  auto stub = v1::SessionService::NewStub(std::move(channel));
  const auto reached = [&] {
    for (const CountingServer* s : servers) {
      if (s->calls() == 0) return false;
    }
    return true;
  };
  for (int i = 0; i < limit && !reached(); ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    v1::Session session;
    const grpc::Status status = stub->GetSession(&ctx, v1::GetSessionRequest(), &session);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
    std::this_thread::sleep_for(5ms);  // the second connection may still be on its way
  }
  return reached();
}

TEST(MakeChannel, EachFormReachesItsServersAndAListSpreadsCallsOverThem) {
  CountingServer a("127.0.0.1:0");
  CountingServer b("127.0.0.1:0");
  ASSERT_TRUE(a.started() && b.started());
  const std::string pa = std::to_string(a.port());
  const std::string pb = std::to_string(b.port());

  for (const std::string& target :
       {"127.0.0.1:" + pa, "localhost:" + pa, "dns:///localhost:" + pa}) {
    std::shared_ptr<grpc::Channel> channel = Connect(target);
    ASSERT_NE(channel, nullptr);
    EXPECT_EQ(channel->GetLoadBalancingPolicyName(), "round_robin") << target;
  }
  std::shared_ptr<grpc::Channel> both = Connect("127.0.0.1:" + pa + ", 127.0.0.1:" + pb);
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->GetLoadBalancingPolicyName(), "round_robin");
  EXPECT_TRUE(CallUntilEachIsReached(both, {&a, &b}, 200))
      << "calls: " << a.calls() << " and " << b.calls();

  CountingServer v6("[::1]:0");
  if (!v6.started()) GTEST_SKIP() << "no IPv6 loopback here";
  std::shared_ptr<grpc::Channel> six =
      Connect("[::1]:" + std::to_string(v6.port()) + ",[::1]:" + std::to_string(v6.port()));
  ASSERT_NE(six, nullptr);
  EXPECT_TRUE(CallUntilEachIsReached(six, {&v6}, 10));
}

}  // namespace
}  // namespace unitclock::client::internal

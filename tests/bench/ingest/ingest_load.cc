// ingest_load: the load generator of the ingest benchmark. Opens many
// PublishEvents streams and replays realistic sessions on them as fast as the
// server acknowledges, with up to --window events in flight per stream, then
// prints one line of figures:
//
//   RESULT label=unitclockd events=200000 seconds=4.1 events_per_s=48780
//     ack_p50_us=1234 ack_p99_us=5678 server_cpu_s_per_M=9.8 client_cpu_s_per_M=7.6
//
// Acknowledgement latency runs from the write of an event to the arrival of
// its acknowledgement. CPU comes from /proc/<--server-pid>/stat and from this
// process's own usage. Exits non-zero if any event is not acknowledged as
// recorded, so that a smoke run fails on a broken server.
//
// With --batch N the callers use RecordEvents instead: each of --streams
// callers sends N events per call and waits for its answer before the next
// (latency then runs from the call to its answer, for each event of it).
//
// With --null-sink it sends to the echo service (echo_service.h) in its own
// process, over gRPC's in-process transport: what the generator itself can
// send, the limit that the machine puts on the benchmark's figures (its CPU
// figure is then the whole process's, sink included).
//
// With --ids random, session and event ids are random (version 4) UUIDs
// instead of time-ordered ones.
//
// With --live-sessions N it instead opens N sessions and leaves them in
// progress (the opening events only), for the memory benchmark.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "examples/connect/connect.h"
#include "tests/bench/ingest/echo_service.h"
#include "tests/bench/ingest/workload.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct LoadOptions {
  std::string label = "server";
  std::string platform = "bench";
  int streams = 64;
  int channels = 4;
  int window = 32;
  int batch = 0;  // events per RecordEvents call; 0: PublishEvents streams
  std::int64_t events = 200000;
  std::int64_t live_sessions = 0;
  int server_pid = 0;
  IdKind ids = IdKind::kTimeOrdered;
  bool null_sink = false;
};

// What every stream counts; merged at the end.
struct Tally {
  std::int64_t recorded = 0;
  std::int64_t other = 0;  // already recorded, rejected, or out of order
  std::vector<std::uint32_t> latencies_us;
  std::string first_problem;
};

// Where the sessions of all streams come from: each stream takes the next
// session when it has sent the last one, until the event budget is spent.
class SessionSource {
 public:
  explicit SessionSource(const LoadOptions& options)
      : options_(options), start_(Clock::now() - std::chrono::minutes(55)) {}

  // The next session's events, or empty when the budget is spent.
  std::vector<v1::Event> Next(std::mt19937_64& rng) {
    const std::int64_t n = next_session_.fetch_add(1);
    const bool live = options_.live_sessions > 0;
    if (live && n >= options_.live_sessions) return {};
    const std::string id = NewId(options_.ids);
    // Sessions start within a minute of each other, 55 minutes ago (live
    // ones 5 minutes ago), so that no event is ahead of the server's clock.
    const Clock::time_point start = (live ? Clock::now() - std::chrono::minutes(5) : start_) +
                                    std::chrono::milliseconds(n % 60000);
    std::vector<v1::Event> events =
        SessionEvents(options_.platform, id, start, live, rng, options_.ids);
    if (!live) {
      const std::int64_t taken = budget_.fetch_sub(static_cast<std::int64_t>(events.size()));
      if (taken <= 0) return {};
      if (taken < static_cast<std::int64_t>(events.size())) events.resize(taken);
    }
    return events;
  }

 private:
  const LoadOptions& options_;
  const Clock::time_point start_;
  std::atomic<std::int64_t> next_session_{0};
  std::atomic<std::int64_t> budget_{options_.events};
};

// One client of the load: a stream or a caller of RecordEvents.
class Client {
 public:
  virtual ~Client() = default;
  // Waits for the client to finish; returns what it counted.
  virtual Tally Wait() = 0;
};

// One PublishEvents stream with a window of events in flight.
class Stream final
    : public Client,
      public grpc::ClientBidiReactor<v1::PublishEventsRequest, v1::PublishEventsResponse> {
 public:
  Stream(v1::SessionService::Stub& stub, const examples::Connection& connection,
         SessionSource& source, int window, std::uint64_t seed)
      : source_(source), window_(window), rng_(seed) {
    connection.Authorize(context_);
    stub.async()->PublishEvents(&context_, this);
    std::lock_guard lock(mu_);
    StartRead(&response_);
    MaybeWrite();
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      Problem("write failed");
      return;
    }
    MaybeWrite();
  }

  void OnReadDone(bool ok) override {
    std::lock_guard lock(mu_);
    if (!ok) return;  // the server finished the stream; OnDone follows
    const auto now = SteadyClock::now();
    if (in_flight_.empty()) {
      Problem("acknowledgement of no event");
      return;
    }
    const auto& [event_id, sent] = in_flight_.front();
    const v1::EventAcknowledgement& ack = response_.acknowledgement();
    if (ack.event_id() != event_id) {
      Problem("acknowledgement out of order: " + ack.event_id());
    } else if (ack.outcome() != v1::EventAcknowledgement::OUTCOME_RECORDED) {
      Problem("event " + event_id + " not recorded: " + ack.error_message());
    } else {
      ++tally_.recorded;
    }
    tally_.latencies_us.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now - sent).count()));
    in_flight_.erase(in_flight_.begin());
    MaybeWrite();
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    std::lock_guard lock(mu_);
    if (!status.ok()) Problem("stream ended: " + status.error_message());
    if (!in_flight_.empty()) Problem(std::to_string(in_flight_.size()) + " events unacknowledged");
    done_ = true;
    done_cv_.notify_all();
  }

  Tally Wait() override {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
    return std::move(tally_);
  }

 private:
  // Writes the next event if the window allows; closes the stream when every
  // event is sent and acknowledged.
  void MaybeWrite() {
    if (writing_ || closing_) return;
    if (static_cast<int>(in_flight_.size()) >= window_) return;
    if (next_ == session_.size()) {
      session_ = source_.Next(rng_);
      next_ = 0;
    }
    if (session_.empty()) {
      if (in_flight_.empty()) {
        closing_ = true;
        StartWritesDone();
      }
      return;
    }
    *request_.mutable_event() = std::move(session_[next_++]);
    in_flight_.emplace_back(request_.event().event_id(), SteadyClock::now());
    writing_ = true;
    StartWrite(&request_);
  }

  void Problem(const std::string& what) {
    ++tally_.other;
    if (tally_.first_problem.empty()) tally_.first_problem = what;
  }

  SessionSource& source_;
  const int window_;
  std::mt19937_64 rng_;
  grpc::ClientContext context_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  v1::PublishEventsRequest request_;
  v1::PublishEventsResponse response_;
  std::vector<v1::Event> session_;
  std::size_t next_ = 0;
  std::vector<std::pair<std::string, SteadyClock::time_point>> in_flight_;
  bool writing_ = false;
  bool closing_ = false;
  bool done_ = false;
  Tally tally_;
};

// One caller of RecordEvents: sends the next --batch events of its sessions,
// waits for the answer, and so on until the event budget is spent.
class Batcher final : public Client {
 public:
  Batcher(v1::SessionService::Stub& stub, const examples::Connection& connection,
          SessionSource& source, int batch, std::uint64_t seed)
      : stub_(stub), connection_(connection), source_(source), batch_(batch), rng_(seed) {
    bool more = false;
    {
      std::lock_guard lock(mu_);
      more = Prepare();
    }
    if (more) Start();
  }

  Tally Wait() override {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
    return std::move(tally_);
  }

 private:
  // Fills the next call's request; false (and finished) when the budget is
  // spent. Holds mu_.
  bool Prepare() {
    request_.clear_events();
    while (request_.events_size() < batch_) {
      if (next_ == session_.size()) {
        session_ = source_.Next(rng_);
        next_ = 0;
        if (session_.empty()) break;
      }
      *request_.add_events() = std::move(session_[next_++]);
    }
    if (request_.events_size() == 0) {
      done_ = true;
      done_cv_.notify_all();
      return false;
    }
    return true;
  }

  // Sends the call Prepare filled; outside mu_, in case gRPC answers at once.
  void Start() {
    context_ = std::make_unique<grpc::ClientContext>();
    connection_.Authorize(*context_);
    response_.Clear();
    sent_ = SteadyClock::now();
    stub_.async()->RecordEvents(context_.get(), &request_, &response_,
                                [this](grpc::Status status) { OnDone(status); });
  }

  void OnDone(const grpc::Status& status) {
    bool more = false;
    {
      std::lock_guard lock(mu_);
      more = Answered(status);
    }
    if (more) Start();
  }

  // Counts the answer; false (and finished) if the caller stops. Holds mu_.
  bool Answered(const grpc::Status& status) {
    const auto latency_us = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - sent_).count());
    if (!status.ok()) {
      Problem("RecordEvents failed: " + status.error_message());
    } else if (response_.acknowledgements_size() != request_.events_size()) {
      Problem("RecordEvents answered " + std::to_string(response_.acknowledgements_size()) +
              " acknowledgements for " + std::to_string(request_.events_size()) + " events");
    } else {
      for (int i = 0; i < request_.events_size(); ++i) {
        const v1::EventAcknowledgement& ack = response_.acknowledgements(i);
        if (ack.event_id() != request_.events(i).event_id()) {
          Problem("acknowledgement out of order: " + ack.event_id());
        } else if (ack.outcome() != v1::EventAcknowledgement::OUTCOME_RECORDED) {
          Problem("event " + ack.event_id() + " not recorded: " + ack.error_message());
        } else {
          ++tally_.recorded;
        }
        tally_.latencies_us.push_back(latency_us);
      }
    }
    if (!status.ok()) {
      done_ = true;  // stops this caller: a failing server fails the run
      done_cv_.notify_all();
      return false;
    }
    return Prepare();
  }

  void Problem(const std::string& what) {
    ++tally_.other;
    if (tally_.first_problem.empty()) tally_.first_problem = what;
  }

  v1::SessionService::Stub& stub_;
  const examples::Connection& connection_;
  SessionSource& source_;
  const int batch_;
  std::mt19937_64 rng_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  std::unique_ptr<grpc::ClientContext> context_;
  v1::RecordEventsRequest request_;
  v1::RecordEventsResponse response_;
  SteadyClock::time_point sent_;
  std::vector<v1::Event> session_;
  std::size_t next_ = 0;
  bool done_ = false;
  Tally tally_;
};

// CPU seconds (user + system) of a process, from /proc/<pid>/stat.
double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  // Fields after the command name: state is field 3; utime and stime are 14, 15.
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::uint32_t Percentile(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

int Run(const LoadOptions& options, const examples::Connection& connection) {
  // With --null-sink, the echo service in this process, reached through
  // gRPC's in-process transport: no socket, no second process.
  std::unique_ptr<grpc::Server> null_sink;
  EchoService echo;
  if (options.null_sink) {
    grpc::ServerBuilder builder;
    builder.RegisterService(&echo);
    null_sink = builder.BuildAndStart();
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::SessionService::Stub>> stubs;
  for (int c = 0; c < options.channels; ++c) {
    std::shared_ptr<grpc::Channel> channel =
        null_sink ? null_sink->InProcessChannel(grpc::ChannelArguments())
                  : connection.NewChannel(c);
    // (An in-process channel has no connection to wait for.)
    if (!null_sink && !channel->WaitForConnected(Clock::now() + std::chrono::seconds(10))) {
      std::cerr << "ingest_load: cannot connect to the server\n";
      return 1;
    }
    channels.push_back(channel);
    stubs.push_back(v1::SessionService::NewStub(channel));
  }

  SessionSource source(options);
  const double server_cpu0 = options.server_pid > 0 ? ProcessCpuSeconds(options.server_pid) : 0;
  const double client_cpu0 = SelfCpuSeconds();
  const auto t0 = SteadyClock::now();
  std::vector<std::unique_ptr<Client>> clients;
  for (int s = 0; s < options.streams; ++s) {
    v1::SessionService::Stub& stub = *stubs[s % stubs.size()];
    const std::uint64_t seed = 1000003ULL * (s + 1);
    if (options.batch > 0) {
      clients.push_back(std::make_unique<Batcher>(stub, connection, source, options.batch, seed));
    } else {
      clients.push_back(std::make_unique<Stream>(stub, connection, source, options.window, seed));
    }
  }
  Tally all;
  for (auto& client : clients) {
    Tally t = client->Wait();
    all.recorded += t.recorded;
    all.other += t.other;
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
    if (all.first_problem.empty()) all.first_problem = t.first_problem;
  }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  const double server_cpu =
      options.server_pid > 0 ? ProcessCpuSeconds(options.server_pid) - server_cpu0 : 0;
  const double client_cpu = SelfCpuSeconds() - client_cpu0;
  const double events = static_cast<double>(all.latencies_us.size());
  const double per_million = events > 0 ? 1e6 / events : 0;

  std::printf(
      "RESULT label=%s events=%.0f seconds=%.3f events_per_s=%.0f ack_p50_us=%u ack_p99_us=%u "
      "server_cpu_s_per_M=%.2f client_cpu_s_per_M=%.2f\n",
      options.label.c_str(), events, seconds, events / seconds, Percentile(all.latencies_us, 0.50),
      Percentile(all.latencies_us, 0.99), server_cpu * per_million, client_cpu * per_million);
  if (all.other > 0 || all.recorded == 0) {
    std::fprintf(stderr, "ingest_load: %lld events not recorded as expected; first: %s\n",
                 static_cast<long long>(all.other), all.first_problem.c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace unitclock::bench

int main(int argc, char** argv) {
  using unitclock::bench::IdKind;
  using unitclock::bench::LoadOptions;
  LoadOptions options;
  unitclock::examples::ConnectOptions connect;
  CLI::App app{"unitclock ingest benchmark: load generator"};
  unitclock::examples::AddConnectOptions(app, connect);
  app.add_option("--label", options.label, "Name of the server in the RESULT line");
  app.add_option("--platform", options.platform, "The platform of the token")
      ->capture_default_str();
  app.add_option("--streams", options.streams,
                 "Concurrent PublishEvents streams (with --batch: RecordEvents callers)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--channels", options.channels, "Connections the streams are spread over")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--window", options.window, "Events in flight per stream")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--batch", options.batch,
                 "Use RecordEvents with this many events per call instead of streams")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--events", options.events, "Events to send in all")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--live-sessions", options.live_sessions,
                 "Instead: open this many sessions and leave them in progress")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{10000000}));
  app.add_option("--server-pid", options.server_pid, "Read the server's CPU time from /proc");
  app.add_flag("--null-sink", options.null_sink,
               "Send to the echo service in this process (gRPC's in-process transport) "
               "instead of --target: the load generator's own limit");
  app.add_option("--ids", options.ids,
                 "Session and event ids: time (time-ordered UUIDs, as unitclock's client "
                 "library makes) or random (version 4 UUIDs)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, IdKind>{
          {"time", IdKind::kTimeOrdered}, {"random", IdKind::kRandom}}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  absl::StatusOr<unitclock::examples::Connection> connection =
      unitclock::examples::Connect(connect);
  if (!connection.ok()) {
    std::cerr << "ingest_load: " << connection.status().message() << "\n";
    return 2;
  }
  return unitclock::bench::Run(options, *connection);
}

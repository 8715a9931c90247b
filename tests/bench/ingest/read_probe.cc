// read_probe: GetSession latency, for the store benchmark (tests/bench/store.sh).
// Records one realistic session, then reads it back with GetSession (the
// full view: events, summary and timeline) as fast as it is answered, one
// call at a time, for --seconds, and prints one line of figures:
//
//   RESULT label=sqlite-get-under-ingest reads=5123 reads_per_s=1707 get_p50_us=480
//     get_p99_us=2100
//
// Run it alone for the idle latency, and beside ingest_load for the latency
// of a read while commits go on (what the store's read-only connections are
// for). Exits non-zero if the session cannot be recorded or a read fails.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "examples/connect/connect.h"
#include "tests/bench/ingest/workload.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::uint32_t Percentile(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

int Run(const examples::Connection& connection, const std::string& label,
        const std::string& platform, double seconds) {
  auto stub = v1::SessionService::NewStub(connection.channel);
  std::mt19937_64 rng(42);
  const std::string session_id = TimeOrderedId();
  v1::RecordEventsRequest record;
  for (const v1::Event& e :
       SessionEvents(platform, session_id, Clock::now() - std::chrono::minutes(55), false, rng)) {
    *record.add_events() = e;
  }
  {
    grpc::ClientContext ctx;
    connection.Authorize(ctx);
    v1::RecordEventsResponse response;
    const grpc::Status st = stub->RecordEvents(&ctx, record, &response);
    if (!st.ok()) {
      std::cerr << "read_probe: RecordEvents: " << st.error_message() << "\n";
      return 1;
    }
  }
  v1::GetSessionRequest get;
  get.set_name("sessions/" + session_id);
  get.set_view(v1::SESSION_VIEW_FULL);
  std::vector<std::uint32_t> latencies_us;
  const auto t0 = SteadyClock::now();
  const auto end = t0 + std::chrono::duration<double>(seconds);
  while (SteadyClock::now() < end) {
    grpc::ClientContext ctx;
    connection.Authorize(ctx);
    v1::Session session;
    const auto start = SteadyClock::now();
    const grpc::Status st = stub->GetSession(&ctx, get, &session);
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count();
    if (!st.ok() || session.event_count() != record.events_size()) {
      std::cerr << "read_probe: GetSession: "
                << (st.ok() ? "wrong event count" : st.error_message()) << "\n";
      return 1;
    }
    latencies_us.push_back(static_cast<std::uint32_t>(us));
  }
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  const std::size_t reads = latencies_us.size();
  std::printf("RESULT label=%s reads=%zu reads_per_s=%.0f get_p50_us=%u get_p99_us=%u\n",
              label.c_str(), reads, static_cast<double>(reads) / elapsed,
              Percentile(latencies_us, 0.50), Percentile(latencies_us, 0.99));
  return reads > 0 ? 0 : 1;
}

}  // namespace
}  // namespace unitclock::bench

int main(int argc, char** argv) {
  unitclock::examples::ConnectOptions connect;
  std::string label = "server";
  std::string platform = "bench";
  double seconds = 5;
  CLI::App app{"unitclock store benchmark: GetSession latency"};
  unitclock::examples::AddConnectOptions(app, connect);
  app.add_option("--label", label, "Name of the run in the RESULT line");
  app.add_option("--platform", platform, "The platform of the token")->capture_default_str();
  app.add_option("--seconds", seconds, "How long to read")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  absl::StatusOr<unitclock::examples::Connection> connection =
      unitclock::examples::Connect(connect);
  if (!connection.ok()) {
    std::cerr << "read_probe: " << connection.status().message() << "\n";
    return 2;
  }
  return unitclock::bench::Run(*connection, label, platform, seconds);
}

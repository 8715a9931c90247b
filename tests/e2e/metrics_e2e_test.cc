// unitclockd's Prometheus endpoint end to end: the real daemon with
// --metrics-listen on a free port, driven over gRPC and HTTP, scraped over
// real HTTP. What each step changes, that no label carries a patient or
// provider reference or an id, that the series stay bounded however many
// patients, and that every metric deploy/ names is exposed.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "examples/scenario/scenario.h"
#include "tests/plugin/http/http_test_client.h"
#include "tests/testing/auth.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"
#include "unitclock/v1/coding.grpc.pb.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock {
namespace {

using ::testing::HasSubstr;
using testing::Process;
using testing::ReadFile;
using testing::WaitForFileLine;
using namespace std::chrono_literals;

// Every reference and id the test sends carries this mark; no label may.
constexpr char kMark[] = "zq7";

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// A scrape: every sample, and the families its # TYPE lines declare.
struct Scrape {
  std::vector<Sample> samples;
  std::set<std::string> families;
  std::string text;

  // The value of the series `name` with exactly `labels`; 0 if absent.
  double Value(const std::string& name,
               const std::map<std::string, std::string>& labels = {}) const {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return 0;
  }
  // The sum of the series `name` whose labels include `labels`.
  double Sum(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    double sum = 0;
    for (const Sample& s : samples) {
      if (s.name != name) continue;
      bool match = true;
      for (const auto& [k, v] : labels) {
        const auto it = s.labels.find(k);
        match = match && it != s.labels.end() && it->second == v;
      }
      if (match) sum += s.value;
    }
    return sum;
  }
};

Scrape Parse(const std::string& text) {
  Scrape scrape;
  scrape.text = text;
  static const std::regex kSample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$)");
  static const std::regex kLabel(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      scrape.families.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    std::smatch m;
    if (line.empty() || line[0] == '#' || !std::regex_match(line, m, kSample)) continue;
    Sample s;
    s.name = m[1];
    const std::string labels = m[3];
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), kLabel);
         it != std::sregex_iterator(); ++it) {
      s.labels[(*it)[1]] = (*it)[2];
    }
    s.value = std::stod(m[4]);
    scrape.samples.push_back(std::move(s));
  }
  return scrape;
}

class MetricsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.File("tokens.json")) << testing::TestTokenFileJson();
    // The watchdog closes a session 60 s after its last event, looking every
    // second; the scenario's events are days old.
    daemon_ = std::make_unique<Process>(
        std::vector<std::string>{
            UNITCLOCKD_PATH, "--listen=127.0.0.1:0", "--db=" + dir_.File("var/unitclock.db"),
            "--policy-dir=" + std::string(UNITCLOCK_POLICY_DIR),
            "--auth-file=" + dir_.File("tokens.json"), "--port-file=" + dir_.File("port"),
            "--http-listen=127.0.0.1:0", "--http-port-file=" + dir_.File("http-port"),
            "--metrics-listen=127.0.0.1:0", "--metrics-port-file=" + dir_.File("metrics-port"),
            "--session-timeout-s=60", "--watchdog-interval-s=1"},
        dir_.File("daemon.log"));
    for (auto [file, port] : {std::pair{"port", &grpc_port_}, std::pair{"http-port", &http_port_},
                              std::pair{"metrics-port", &metrics_port_}}) {
      const std::string line = WaitForFileLine(dir_.File(file), 20s);
      ASSERT_FALSE(line.empty()) << file << "\n" << ReadFile(dir_.File("daemon.log"));
      *port = static_cast<std::uint16_t>(std::stoi(line));
    }
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port_),
                                   grpc::InsecureChannelCredentials());
    auto scenario =
        examples::LoadScenario(std::string(UNITCLOCK_SCENARIO_DIR) + "/video_exercise_30min.json");
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    scenario_ = *std::move(scenario);
  }

  void TearDown() override {
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->Wait(20s), 0) << ReadFile(dir_.File("daemon.log"));
  }

  Scrape ScrapeNow() {
    const auto response = http::testclient::Exchange(
        metrics_port_, http::testclient::RequestBytes("GET", "/metrics", "", ""));
    EXPECT_TRUE(response.has_value());
    if (!response) return {};
    EXPECT_EQ(response->status, 200u);
    return Parse(response->body);
  }

  // The example scenario as patient `k`'s session: every reference and id
  // made distinct and marked. Without its SessionStopped if `!stopped`.
  std::vector<v1::Event> Copy(int k, bool stopped = true) const {
    const std::string tag = std::string(kMark) + "-" + std::to_string(k);
    std::vector<v1::Event> events;
    for (v1::Event e : scenario_.events) {
      if (!stopped && e.has_session_stopped()) continue;
      e.set_event_id(e.event_id() + "-" + tag);
      e.set_session_id("sess-" + tag);
      if (e.has_session_started()) {
        e.mutable_session_started()->set_patient_ref("pt-" + tag);
        e.mutable_session_started()->set_provider_ref("prov-" + tag);
      }
      events.push_back(std::move(e));
    }
    return events;
  }

  v1::RecordEventsResponse Record(const std::vector<v1::Event>& events) {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::RecordEventsRequest request;
    for (const v1::Event& e : events) *request.add_events() = e;
    v1::RecordEventsResponse response;
    const grpc::Status st =
        v1::SessionService::NewStub(channel_)->RecordEvents(&ctx, request, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return response;
  }

  http::testclient::ClientResponse Http(const std::string& method, const std::string& target,
                                        const std::string& body = "") {
    const auto response = http::testclient::Exchange(
        http_port_, http::testclient::RequestBytes(
                        method, target,
                        "Authorization: Bearer " + testing::TestToken("demo-all") + "\r\n", body));
    EXPECT_TRUE(response.has_value()) << method << " " << target;
    return response.value_or(http::testclient::ClientResponse());
  }

  // Scrapes until `done` holds of a scrape, for up to `timeout`.
  template <typename Pred>
  Scrape ScrapeUntil(Pred done, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Scrape scrape = ScrapeNow();
    while (!done(scrape) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
      scrape = ScrapeNow();
    }
    return scrape;
  }

  testing::TempDir dir_;
  std::unique_ptr<Process> daemon_;
  std::uint16_t grpc_port_ = 0;
  std::uint16_t http_port_ = 0;
  std::uint16_t metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  examples::Scenario scenario_;
};

const char kEvents[] = "unitclock_events_received_total";
const char kAck[] = "unitclock_event_ack_latency_seconds_count";

TEST_F(MetricsE2eTest, AScenarioMovesEachSeriesByWhatHappened) {
  const Scrape before = ScrapeNow();
  const std::size_t n = scenario_.events.size();
  ASSERT_EQ(n, 21u);

  // RecordEvents: the scenario, the same again, and one invalid event.
  Record(Copy(0));
  Record(Copy(0));
  v1::Event invalid = Copy(0)[1];
  invalid.set_event_id(std::string("bad-") + kMark);
  invalid.clear_session_id();
  const auto rejected = Record({invalid});
  ASSERT_EQ(rejected.acknowledgements(0).outcome(), v1::EventAcknowledgement::OUTCOME_REJECTED);

  // A PublishEvents stream, open while scraped, then closed.
  {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    auto stream = v1::SessionService::NewStub(channel_)->PublishEvents(&ctx);
    v1::PublishEventsRequest request;
    *request.mutable_event() = Copy(1)[0];
    ASSERT_TRUE(stream->Write(request));
    v1::PublishEventsResponse ack;
    ASSERT_TRUE(stream->Read(&ack));
    const Scrape open = ScrapeNow();
    EXPECT_EQ(open.Value("unitclock_open_streams", {{"platform", "demo-rehab"}}), 1) << open.text;
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
  const Scrape closed = ScrapeUntil([](const Scrape& s) {
    return s.Value("unitclock_open_streams", {{"platform", "demo-rehab"}}) == 0;
  });
  EXPECT_EQ(closed.Value("unitclock_open_streams", {{"platform", "demo-rehab"}}), 0);

  // SuggestCodes on the recorded session.
  {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::SuggestCodesRequest request;
    request.set_session("sessions/sess-" + std::string(kMark) + "-0");
    v1::SuggestCodesResponse response;
    ASSERT_TRUE(v1::CodingService::NewStub(channel_)->SuggestCodes(&ctx, request, &response).ok());
    ASSERT_EQ(response.suggestions_size(), 1);
  }

  // Over HTTP: list, approve, export as CSV; and a path with an id that
  // matches no suggestion.
  const std::string day = "date_min=2026-11-27&date_max=2026-11-27";
  const auto listed = Http("GET", "/v1/suggestions?" + day);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  const nlohmann::json list = nlohmann::json::parse(listed.body);
  ASSERT_GE(list["suggestions"].size(), 1u) << listed.body;
  const nlohmann::json& first = list["suggestions"][0];
  const auto approved = Http("POST", "/v1/" + first["name"].get<std::string>() + ":review",
                             R"({"reviewerRef": "rev-)" + std::string(kMark) +
                                 R"(", "action": "REVIEW_ACTION_APPROVE", "etag": ")" +
                                 first["etag"].get<std::string>() + "\"}");
  ASSERT_EQ(approved.status, 200u) << approved.body;
  const auto csv =
      Http("GET", "/v1/exports?format=csv&actor_ref=biller-" + std::string(kMark) + "&" + day);
  ASSERT_EQ(csv.status, 200u) << csv.body;
  const auto missing = Http(
      "GET", "/v1/suggestions/demo-rehab~pt-" + std::string(kMark) + "~2026-11-27~medicare~pt");
  EXPECT_GE(missing.status, 400u);

  // A session left open: the watchdog closes it, and the streamed one
  // (its first event only).
  Record(Copy(2, /*stopped=*/false));
  const Scrape after = ScrapeUntil(
      [](const Scrape& s) { return s.Value("unitclock_watchdog_sessions_closed_total") >= 2; });

  // Events: 21 + 1 (streamed) + 20 recorded, 21 already recorded, 1
  // rejected; the watchdog's two stops are not a platform's: not counted.
  auto delta = [&](const std::string& name, const std::map<std::string, std::string>& labels = {}) {
    return after.Value(name, labels) - before.Value(name, labels);
  };
  EXPECT_EQ(delta(kEvents, {{"outcome", "recorded"}, {"code", "OK"}}), 21 + 1 + 20);
  EXPECT_EQ(delta(kEvents, {{"outcome", "already_recorded"}, {"code", "OK"}}), 21);
  EXPECT_EQ(delta(kEvents, {{"outcome", "rejected"}, {"code", "INVALID_ARGUMENT"}}), 1);
  EXPECT_EQ(delta(kAck), 21 + 21 + 1 + 1 + 20);
  // Commits: one per batch, the streamed event and the watchdog's stops;
  // every stored or retried event went through one.
  EXPECT_GE(delta("unitclock_store_commit_group_events_count"), 5);
  EXPECT_EQ(delta("unitclock_store_commit_group_events_sum"), 21 + 21 + 1 + 20 + 2);
  EXPECT_EQ(delta("unitclock_store_commit_group_events_count"),
            delta("unitclock_store_commit_duration_seconds_count"));
  EXPECT_EQ(after.Sum("unitclock_store_errors_total"), 0);
  EXPECT_EQ(after.Value("unitclock_store_healthy"), 1);
  EXPECT_EQ(delta("unitclock_watchdog_sessions_closed_total"), 2);
  EXPECT_EQ(delta("unitclock_suggestion_duration_seconds_count"), 1);
  EXPECT_EQ(delta("unitclock_review_actions_total", {{"action", "approve"}}), 1);
  EXPECT_EQ(delta("unitclock_review_actions_total", {{"action", "reject"}}), 0);
  EXPECT_EQ(delta("unitclock_exports_total", {{"format", "csv"}}), 1);
  EXPECT_EQ(after.Sum("unitclock_http_requests_total", {{"status", "200"}}), 3);
  EXPECT_EQ(after.Sum("unitclock_http_requests_total", {{"route", "/v1/suggestions"}}), 1);
  EXPECT_EQ(after.Sum("unitclock_http_requests_total", {{"method", "POST"}}), 1);
  EXPECT_EQ(after.Sum("unitclock_http_requests_total"), 4);

  // Label privacy: no label value holds a reference or an id the test sent
  // (each holds kMark), nor the scenario's own references.
  for (const Sample& s : after.samples) {
    for (const auto& [key, value] : s.labels) {
      EXPECT_THAT(value, ::testing::Not(HasSubstr(kMark))) << s.name << " " << key;
      EXPECT_THAT(value, ::testing::Not(HasSubstr("pt-4f9c2a"))) << s.name << " " << key;
      EXPECT_THAT(value, ::testing::Not(HasSubstr("prov-17b3"))) << s.name << " " << key;
    }
  }
  EXPECT_THAT(after.text, ::testing::Not(HasSubstr(kMark)));

  // Bounded: many more sessions of many more patients, and retries of
  // them, add no series.
  const std::size_t series = after.samples.size();
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<v1::Event> events;
    for (int k = 10 + batch * 40; k < 10 + (batch + 1) * 40; ++k) {
      for (v1::Event& e : Copy(k)) events.push_back(std::move(e));
    }
    Record(events);
    Record(events);
  }
  const Scrape many = ScrapeNow();
  EXPECT_EQ(many.samples.size(), series) << many.text;
  EXPECT_EQ(many.Value(kEvents, {{"outcome", "recorded"}, {"code", "OK"}}) -
                after.Value(kEvents, {{"outcome", "recorded"}, {"code", "OK"}}),
            160 * 21);
  EXPECT_THAT(many.text, ::testing::Not(HasSubstr(kMark)));
}

// The metric names of a dashboard or rule file: every unitclock_ word, a
// histogram's _bucket, _sum and _count taken back to its family.
std::set<std::string> NamesIn(const std::string& path) {
  const std::string text = ReadFile(path);
  EXPECT_FALSE(text.empty()) << path;
  std::set<std::string> names;
  static const std::regex kName(R"(unitclock_[a-z0-9_]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kName);
       it != std::sregex_iterator(); ++it) {
    names.insert(it->str());
  }
  return names;
}

TEST_F(MetricsE2eTest, EveryMetricTheDeployFilesNameIsExposed) {
  // A stream and an HTTP request, so that the families with series only
  // once used have some.
  {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    auto stream = v1::SessionService::NewStub(channel_)->PublishEvents(&ctx);
    v1::PublishEventsRequest request;
    *request.mutable_event() = Copy(0)[0];
    ASSERT_TRUE(stream->Write(request));
    v1::PublishEventsResponse ack;
    ASSERT_TRUE(stream->Read(&ack));
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
  EXPECT_EQ(Http("GET", "/v1/suggestions?date_min=2026-11-27&date_max=2026-11-27").status, 200u);
  // The server counts an HTTP request once its response is written, which
  // the client may read first (it did once, under the sanitizers on a busy
  // machine): scrape until the count is there.
  const Scrape scrape =
      ScrapeUntil([](const Scrape& s) { return s.Sum("unitclock_http_requests_total") >= 1; });
  std::set<std::string> exposed = scrape.families;
  for (const Sample& s : scrape.samples) exposed.insert(s.name);

  for (const char* file : {"/deploy/grafana/unitclock.json", "/deploy/prometheus/alerts.yml"}) {
    const std::set<std::string> names = NamesIn(std::string(UNITCLOCK_SOURCE_DIR) + file);
    EXPECT_GE(names.size(), 5u) << file;
    for (const std::string& name : names) {
      // Histogram samples are exposed as <family>_bucket/_sum/_count and
      // their family as <family>: either form must be there.
      EXPECT_TRUE(exposed.count(name) == 1)
          << file << " names " << name << ", which unitclockd does not expose";
    }
  }
}

}  // namespace
}  // namespace unitclock

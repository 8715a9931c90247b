// ServerMetrics and MetricsEndpoint: what each recording call changes in the
// exposition, the bounds the labels keep, and the endpoint over real HTTP.
#include "plugin/metrics/server_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "plugin/metrics/metrics_endpoint.h"
#include "tests/plugin/http/http_test_client.h"

namespace unitclock::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The samples of an exposition: "name{labels}" -> value.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> samples;
  static const std::regex kLine(R"(^([a-z_:][a-z0-9_:]*(\{.*\})?) (\S+)$)");
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    std::smatch m;
    if (!line.empty() && line[0] != '#' && std::regex_match(line, m, kLine)) {
      samples[m[1]] = std::stod(m[3]);
    }
    start = end + 1;
  }
  return samples;
}

double Value(const ServerMetrics& metrics, const std::string& series) {
  const auto samples = Samples(metrics.Render());
  const auto it = samples.find(series);
  return it == samples.end() ? -1 : it->second;
}

TEST(ServerMetricsTest, CountsEventsByOutcomeAndCode) {
  ServerMetrics m;
  EXPECT_EQ(Value(m, R"(unitclock_events_received_total{code="OK",outcome="recorded"})"), 0);
  m.CountEvents(EventOutcome::kRecorded, 5);
  m.CountEvents(EventOutcome::kRecorded, 2);
  m.CountEvents(EventOutcome::kAlreadyRecorded, 3);
  m.CountEvents(EventOutcome::kRejected, 2, absl::StatusCode::kInvalidArgument);
  m.CountEvents(EventOutcome::kRejected, 1, absl::StatusCode::kPermissionDenied);
  m.CountEvents(EventOutcome::kFailed, 4, absl::StatusCode::kUnavailable);
  m.CountEvents(EventOutcome::kRecorded, 0);
  EXPECT_EQ(Value(m, R"(unitclock_events_received_total{code="OK",outcome="recorded"})"), 7);
  EXPECT_EQ(Value(m, R"(unitclock_events_received_total{code="OK",outcome="already_recorded"})"),
            3);
  EXPECT_EQ(
      Value(m, R"(unitclock_events_received_total{code="INVALID_ARGUMENT",outcome="rejected"})"),
      2);
  EXPECT_EQ(
      Value(m, R"(unitclock_events_received_total{code="PERMISSION_DENIED",outcome="rejected"})"),
      1);
  EXPECT_EQ(Value(m, R"(unitclock_events_received_total{code="UNAVAILABLE",outcome="failed"})"), 4);
}

TEST(ServerMetricsTest, AStatusCodeOutsideTheSeventeenIsUnknown) {
  ServerMetrics m;
  m.CountEvents(EventOutcome::kRejected, 1, static_cast<absl::StatusCode>(99));
  m.CountStoreError(StoreOperation::kAppend, static_cast<absl::StatusCode>(-3));
  EXPECT_EQ(Value(m, R"(unitclock_events_received_total{code="UNKNOWN",outcome="rejected"})"), 1);
  EXPECT_EQ(Value(m, R"(unitclock_store_errors_total{code="UNKNOWN",operation="append"})"), 1);
  EXPECT_EQ(StatusCodeLabel(absl::StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
}

TEST(ServerMetricsTest, AckLatencyOfABatchCountsEveryEventInOneBucket) {
  ServerMetrics m;
  m.ObserveAckLatency(0.003, 10);  // one batch of ten, 3 ms
  m.ObserveAckLatency(0.0002, 1);
  EXPECT_EQ(Value(m, "unitclock_event_ack_latency_seconds_count"), 11);
  EXPECT_NEAR(Value(m, "unitclock_event_ack_latency_seconds_sum"), 0.0302, 1e-9);
  EXPECT_EQ(Value(m, R"(unitclock_event_ack_latency_seconds_bucket{le="0.0005"})"), 1);
  EXPECT_EQ(Value(m, R"(unitclock_event_ack_latency_seconds_bucket{le="0.0025"})"), 1);
  EXPECT_EQ(Value(m, R"(unitclock_event_ack_latency_seconds_bucket{le="0.005"})"), 11);
  EXPECT_EQ(Value(m, R"(unitclock_event_ack_latency_seconds_bucket{le="+Inf"})"), 11);
  m.ObserveAckLatency(60, 2);  // beyond the last bound: +Inf only
  EXPECT_EQ(Value(m, R"(unitclock_event_ack_latency_seconds_bucket{le="10"})"), 11);
  EXPECT_EQ(Value(m, R"(unitclock_event_ack_latency_seconds_bucket{le="+Inf"})"), 13);
}

TEST(ServerMetricsTest, CommitsErrorsHealthWatchdogAndSuggestions) {
  ServerMetrics m;
  m.ObserveCommit(3, 0.002);
  m.ObserveCommit(100, 0.004);
  EXPECT_EQ(Value(m, "unitclock_store_commit_group_events_count"), 2);
  EXPECT_EQ(Value(m, "unitclock_store_commit_group_events_sum"), 103);
  EXPECT_EQ(Value(m, R"(unitclock_store_commit_group_events_bucket{le="4"})"), 1);
  EXPECT_EQ(Value(m, "unitclock_store_commit_duration_seconds_count"), 2);
  m.CountStoreError(StoreOperation::kAppend, absl::StatusCode::kUnavailable);
  m.CountStoreError(StoreOperation::kHealth, absl::StatusCode::kUnavailable);
  m.CountStoreError(StoreOperation::kHealth, absl::StatusCode::kUnavailable);
  EXPECT_EQ(Value(m, R"(unitclock_store_errors_total{code="UNAVAILABLE",operation="append"})"), 1);
  EXPECT_EQ(Value(m, R"(unitclock_store_errors_total{code="UNAVAILABLE",operation="health"})"), 2);
  EXPECT_EQ(Value(m, "unitclock_store_healthy"), 1);
  m.SetStoreHealthy(false);
  EXPECT_EQ(Value(m, "unitclock_store_healthy"), 0);
  m.CountWatchdogCloses(2);
  m.CountWatchdogCloses(0);
  EXPECT_EQ(Value(m, "unitclock_watchdog_sessions_closed_total"), 2);
  m.ObserveSuggestion(0.01);
  EXPECT_EQ(Value(m, "unitclock_suggestion_duration_seconds_count"), 1);
}

TEST(ServerMetricsTest, OpenStreamsFollowThePlatform) {
  ServerMetrics m;
  m.SetOpenStreams("demo-rehab", 2);
  m.SetOpenStreams("other-platform", 1);
  m.SetOpenStreams("demo-rehab", 0);
  EXPECT_EQ(Value(m, R"(unitclock_open_streams{platform="demo-rehab"})"), 0);
  EXPECT_EQ(Value(m, R"(unitclock_open_streams{platform="other-platform"})"), 1);
}

TEST(ServerMetricsTest, ReviewExportAndHttpLabelsStayInTheirSets) {
  ServerMetrics m;
  EXPECT_EQ(Value(m, R"(unitclock_review_actions_total{action="amend"})"), 0);
  EXPECT_EQ(Value(m, R"(unitclock_exports_total{format="fhir_r4"})"), 0);
  m.CountReviewAction("approve");
  m.CountReviewAction("pt-secret-name");  // never a label value
  m.CountExport("x12_837p");
  m.CountExport("../../etc");
  m.CountHttpRequest("GET", "/v1/suggestions/{id}", 200);
  m.CountHttpRequest("GET", "/v1/suggestions/{id}", 200);
  m.CountHttpRequest("BREW", "-", 404);
  m.CountHttpRequest("POST", "-", 42);
  EXPECT_EQ(Value(m, R"(unitclock_review_actions_total{action="approve"})"), 1);
  EXPECT_EQ(Value(m, R"(unitclock_review_actions_total{action="other"})"), 1);
  EXPECT_EQ(Value(m, R"(unitclock_exports_total{format="x12_837p"})"), 1);
  EXPECT_EQ(Value(m, R"(unitclock_exports_total{format="other"})"), 1);
  EXPECT_EQ(
      Value(
          m,
          R"(unitclock_http_requests_total{method="GET",route="/v1/suggestions/{id}",status="200"})"),
      2);
  EXPECT_EQ(Value(m, R"(unitclock_http_requests_total{method="other",route="-",status="404"})"), 1);
  EXPECT_EQ(Value(m, R"(unitclock_http_requests_total{method="POST",route="-",status="other"})"),
            1);
  const std::string text = m.Render();
  EXPECT_THAT(text, Not(HasSubstr("pt-secret-name")));
  EXPECT_THAT(text, Not(HasSubstr("etc")));
  EXPECT_THAT(text, Not(HasSubstr("BREW")));
}

// The families of fixed label sets are exposed from the start, at zero,
// so that rate() and increase() see their first change; prometheus-cpp
// exposes a family only once it has a series.
TEST(ServerMetricsTest, TheFixedSeriesStartAtZero) {
  ServerMetrics m;
  const std::string text = m.Render();
  for (const char* family :
       {"unitclock_events_received_total counter", "unitclock_event_ack_latency_seconds histogram",
        "unitclock_store_commit_group_events histogram",
        "unitclock_store_commit_duration_seconds histogram", "unitclock_store_errors_total counter",
        "unitclock_store_healthy gauge", "unitclock_watchdog_sessions_closed_total counter",
        "unitclock_suggestion_duration_seconds histogram", "unitclock_review_actions_total counter",
        "unitclock_exports_total counter"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + family)) << text;
  }
  EXPECT_EQ(Value(m, R"(unitclock_store_errors_total{code="UNAVAILABLE",operation="append"})"), 0);
  EXPECT_EQ(Value(m, R"(unitclock_store_errors_total{code="UNAVAILABLE",operation="health"})"), 0);
  // Streams and HTTP requests have series once there is a platform or a request.
  EXPECT_THAT(text, Not(HasSubstr("unitclock_open_streams")));
  EXPECT_THAT(text, Not(HasSubstr("unitclock_http_requests_total")));
}

TEST(ServerMetricsTest, ConcurrentRecordingLosesNothing) {
  ServerMetrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) {
        m.CountEvents(EventOutcome::kRecorded, 1);
        m.CountEvents(EventOutcome::kRejected, 1, absl::StatusCode::kAlreadyExists);
        m.ObserveAckLatency(0.001, 2);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Value(m, R"(unitclock_events_received_total{code="OK",outcome="recorded"})"), 4000);
  EXPECT_EQ(
      Value(m, R"(unitclock_events_received_total{code="ALREADY_EXISTS",outcome="rejected"})"),
      4000);
  EXPECT_EQ(Value(m, "unitclock_event_ack_latency_seconds_count"), 8000);
}

TEST(MetricsEndpointTest, ServesTheRegistryOnAFreePort) {
  ServerMetrics m;
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", m);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_GT((*endpoint)->port(), 0);
  m.CountWatchdogCloses(3);
  const auto response =
      http::testclient::Exchange(static_cast<std::uint16_t>((*endpoint)->port()),
                                 http::testclient::RequestBytes("GET", "/metrics", "", ""));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200u);
  EXPECT_THAT(response->body, HasSubstr("unitclock_watchdog_sessions_closed_total 3"));
}

TEST(MetricsEndpointTest, RefusesABadAddressAndAPortInUse) {
  ServerMetrics m;
  EXPECT_EQ(MetricsEndpoint::Start("127.0.0.1", m).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto first = MetricsEndpoint::Start("127.0.0.1:0", m);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = MetricsEndpoint::Start("127.0.0.1:" + std::to_string((*first)->port()), m);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

}  // namespace
}  // namespace unitclock::metrics

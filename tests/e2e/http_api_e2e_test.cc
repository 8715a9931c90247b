// End-to-end tests of the JSON face (plugin/service/http_api.h): a real
// unitclock server with a real SQLite file, its HTTP listener on loopback,
// a raw HTTP client, and the gRPC client to compare with.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "examples/scenario/scenario.h"
#include "plugin/service/server.h"
#include "plugin/store/sqlite/sqlite_store.h"
#include "tests/plugin/http/http_test_client.h"
#include "tests/testing/auth.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/service_options.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tls.h"
#include "unitclock/v1/review.grpc.pb.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock {
namespace {

using http::testclient::ClientResponse;
using http::testclient::Exchange;
using http::testclient::RequestBytes;
using ::testing::HasSubstr;

class HttpApiE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.File("index.html")) << "<!doctype html><title>review</title>\n";
    auto store = store::OpenSqliteStore(dir_.File("unitclock.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    service::ServiceOptions options = testing::TestServiceOptions();
    options.watch_interval = std::chrono::milliseconds(20);
    auto server = service::Server::Start("127.0.0.1:0", store_, clock_, options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto port = server_->StartHttp("127.0.0.1:0", dir_.path().string());
    ASSERT_TRUE(port.ok()) << port.status();
    http_port_ = static_cast<std::uint16_t>(*port);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   testing::TestChannelCredentials());
    scenario_ =
        *examples::LoadScenario(std::string(UNITCLOCK_SCENARIO_DIR) + "/video_exercise_30min.json");
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::milliseconds(500));
  }

  // Records the example scenario over gRPC.
  void RecordScenario() {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::RecordEventsRequest request;
    for (const v1::Event& e : scenario_.events) *request.add_events() = e;
    v1::RecordEventsResponse response;
    ASSERT_TRUE(v1::SessionService::NewStub(channel_)->RecordEvents(&ctx, request, &response).ok());
    for (const v1::EventAcknowledgement& ack : response.acknowledgements()) {
      ASSERT_EQ(ack.outcome(), v1::EventAcknowledgement::OUTCOME_RECORDED) << ack.error_message();
    }
  }

  ClientResponse Call(const std::string& method, const std::string& target,
                      const std::string& token_id = "demo-all", const std::string& body = "") {
    const std::string headers =
        token_id.empty() ? "" : "Authorization: Bearer " + testing::TestToken(token_id) + "\r\n";
    std::optional<ClientResponse> response =
        Exchange(http_port_, RequestBytes(method, target, headers, body));
    EXPECT_TRUE(response.has_value()) << method << " " << target << ": no response";
    return response.value_or(ClientResponse());
  }

  template <typename Message>
  Message Parse(const ClientResponse& response) {
    Message message;
    const auto status = google::protobuf::util::JsonStringToMessage(response.body, &message);
    EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << response.body;
    return message;
  }

  v1::ListSuggestionsResponse ListOverGrpc() {
    grpc::ClientContext ctx;
    testing::Authorize(ctx);
    v1::ListSuggestionsRequest request;
    request.set_date_min("2026-11-27");
    request.set_date_max("2026-11-27");
    v1::ListSuggestionsResponse response;
    EXPECT_TRUE(
        v1::ReviewService::NewStub(channel_)->ListSuggestions(&ctx, request, &response).ok());
    return response;
  }

  testing::TempDir dir_;
  // A week after the example scenario, so that its events are in the past.
  testing::FakeClock clock_{core::TimePoint(std::chrono::seconds(1796169600))};
  store::Store store_;
  std::unique_ptr<service::Server> server_;
  std::uint16_t http_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  examples::Scenario scenario_;
};

const char kDay[] = "date_min=2026-11-27&date_max=2026-11-27";

// The JSON face answers what the gRPC calls answer, through the same desk:
// list, read, approve, audit, export once.
TEST_F(HttpApiE2eTest, ReviewsAndExportsLikeTheGrpcCalls) {
  RecordScenario();
  const ClientResponse listed = Call("GET", std::string("/v1/suggestions?") + kDay);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(listed.Header("content-type"), "application/json");
  EXPECT_EQ(listed.Header("cache-control"), "no-store");
  const auto list = Parse<v1::ListSuggestionsResponse>(listed);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(list, ListOverGrpc()));
  ASSERT_EQ(list.suggestions_size(), 1);
  const v1::ReviewedSuggestion& s = list.suggestions(0);
  EXPECT_EQ(s.suggestion().lines(0).code(), "97110");
  EXPECT_EQ(s.suggestion().lines(0).units(), 2);
  // Fields at their default value are printed too.
  EXPECT_THAT(listed.body, HasSubstr("\"approvedLines\":[]"));

  const ClientResponse got = Call("GET", "/v1/" + s.name());
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(Parse<v1::ReviewedSuggestion>(got), s));

  const ClientResponse approved =
      Call("POST", "/v1/" + s.name() + ":review", "demo-all",
           R"({"reviewerRef": "prov-17b3", "action": "REVIEW_ACTION_APPROVE", "etag": ")" +
               s.etag() + "\"}");
  ASSERT_EQ(approved.status, 200u) << approved.body;
  EXPECT_EQ(Parse<v1::ReviewedSuggestion>(approved).state(), v1::REVIEW_STATE_APPROVED);
  const auto pending = Parse<v1::ListSuggestionsResponse>(
      Call("GET", std::string("/v1/suggestions?") + kDay + "&state=REVIEW_STATE_APPROVED"));
  ASSERT_EQ(pending.suggestions_size(), 1);

  const auto audit = Parse<v1::ListAuditRecordsResponse>(
      Call("GET", "/v1/audit?patient_ref=pt-4f9c2a&date=2026-11-27"));
  ASSERT_EQ(audit.records_size(), 1);
  EXPECT_EQ(audit.records(0).action(), "approve");
  EXPECT_EQ(audit.records(0).actor(), "prov-17b3");

  const ClientResponse csv =
      Call("GET", std::string("/v1/exports?format=csv&actor_ref=biller-3&") + kDay);
  ASSERT_EQ(csv.status, 200u) << csv.body;
  EXPECT_EQ(csv.Header("content-disposition"),
            "attachment; filename=\"unitclock-2026-11-27_2026-11-27.csv\"");
  EXPECT_EQ(csv.Header("x-unitclock-claim-count"), "1");
  EXPECT_THAT(csv.body,
              HasSubstr("2026-11-27,demo-rehab,pt-4f9c2a,prov-17b3,medicare,97110,GP 95,2"));
  // Exported once: nothing is left, and no second batch is recorded.
  const ClientResponse again =
      Call("GET", std::string("/v1/exports?format=x12&actor_ref=biller-3&") + kDay);
  EXPECT_EQ(again.status, 204u) << again.body;
  const ClientResponse reexport =
      Call("GET",
           std::string("/v1/exports?format=fhir&include_exported=true&actor_ref=biller-3&") + kDay);
  ASSERT_EQ(reexport.status, 200u);
  EXPECT_THAT(reexport.body, HasSubstr("\"resourceType\""));
}

// Errors carry the HTTP status of their gRPC code and a JSON body naming the
// field; another platform's suggestion is not revealed.
TEST_F(HttpApiE2eTest, ErrorsAreJsonWithTheStatusOfTheirCode) {
  RecordScenario();
  const auto s =
      Parse<v1::ListSuggestionsResponse>(Call("GET", std::string("/v1/suggestions?") + kDay))
          .suggestions(0);
  struct Case {
    std::string method, target, token, body;
    unsigned status;
    std::string code, message;
  };
  const std::vector<Case> cases = {
      {"GET", std::string("/v1/suggestions?") + kDay, "", "", 401, "UNAUTHENTICATED",
       "authorization"},
      {"GET", std::string("/v1/suggestions?") + kDay, "demo-platform", "", 403, "PERMISSION_DENIED",
       "ListSuggestions"},
      {"GET", "/v1/suggestions?date_min=27.11.2026&date_max=2026-11-27", "demo-all", "", 400,
       "INVALID_ARGUMENT", "date_min: must be a date"},
      {"GET", std::string("/v1/suggestions?datemin=x&") + kDay, "demo-all", "", 400,
       "INVALID_ARGUMENT", "datemin: not a parameter of this call"},
      {"GET", std::string("/v1/suggestions?state=DONE&") + kDay, "demo-all", "", 400,
       "INVALID_ARGUMENT", "state:"},
      {"GET", "/v1/" + s.name(), "other-all", "", 404, "NOT_FOUND", "name:"},
      {"GET", "/v1/suggestions/s0123", "demo-all", "", 400, "INVALID_ARGUMENT",
       "name: must be suggestions/{id}"},
      {"POST", "/v1/" + s.name() + ":review", "demo-all",
       R"({"reviewerRef": "r", "action": "REVIEW_ACTION_APPROVE", "etag": "stale"})", 409,
       "ABORTED", "etag: the suggestion changed"},
      {"POST", "/v1/" + s.name() + ":review", "demo-all", R"({"reviewer": "r"})", 400,
       "INVALID_ARGUMENT", "body: not a ReviewSuggestionRequest in JSON"},
      {"POST", "/v1/" + s.name() + ":review", "demo-all",
       "{\"" + std::string(100000, 'x') + "\": 1}", 400, "INVALID_ARGUMENT",
       "body: not a ReviewSuggestionRequest in JSON"},
      {"POST", "/v1/" + s.name() + ":review", "demo-all",
       R"({"reviewerRef": "r", "action": "REVIEW_ACTION_REJECT", "etag": ")" + s.etag() + "\"}",
       400, "INVALID_ARGUMENT", "reason: required to reject"},
      {"GET", std::string("/v1/exports?format=pdf&actor_ref=b&") + kDay, "demo-all", "", 400,
       "INVALID_ARGUMENT", "format: must be csv, x12 or fhir"},
      {"GET", std::string("/v1/exports?format=csv&actor_ref=b&") + kDay, "demo-reviewer", "", 403,
       "PERMISSION_DENIED", "ExportClaims"},
      {"GET", "/v1/sessions/nope", "demo-all", "", 404, "NOT_FOUND", "name:"},
      {"GET", "/v1/sessions/" + scenario_.session_id, "other-all", "", 404, "NOT_FOUND", "name:"},
  };
  for (const Case& c : cases) {
    const ClientResponse r = Call(c.method, c.target, c.token, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << "\n" << r.body;
    EXPECT_THAT(r.body, HasSubstr("\"status\":\"" + c.code + "\"")) << c.target;
    EXPECT_THAT(r.body, HasSubstr(c.message)) << c.target;
    EXPECT_EQ(r.Header("content-type"), "application/json") << c.target;
    EXPECT_LT(r.body.size(), 1000u) << "the error repeats the request: " << c.target;
  }
  // None of it changed anything.
  const auto audit = Parse<v1::ListAuditRecordsResponse>(
      Call("GET", "/v1/audit?patient_ref=pt-4f9c2a&date=2026-11-27"));
  EXPECT_EQ(audit.records_size(), 0);
}

// A session reads back with its timeline; watching it sends its progress as
// Server-Sent Events and ends once the session has stopped.
TEST_F(HttpApiE2eTest, SessionsReadAndWatch) {
  RecordScenario();
  const ClientResponse read = Call("GET", "/v1/sessions/" + scenario_.session_id + "?view=basic");
  ASSERT_EQ(read.status, 200u) << read.body;
  const auto session = Parse<v1::Session>(read);
  EXPECT_EQ(session.state(), v1::Session::STATE_STOPPED);
  EXPECT_EQ(session.timeline().billable_seconds(), 25 * 60);
  EXPECT_EQ(session.events_size(), 0);  // the basic view

  http::testclient::TestClient client(http_port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(
      RequestBytes("GET", "/v1/sessions/" + scenario_.session_id + ":watch",
                   "Authorization: Bearer " + testing::TestToken("demo-all") + "\r\n")));
  ASSERT_TRUE(client.WaitClosed(std::chrono::seconds(5))) << "the stream did not end";
  const std::string& stream = client.received();
  EXPECT_THAT(stream, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(stream, HasSubstr("text/event-stream"));
  EXPECT_THAT(stream, HasSubstr("data: {\"state\":\"STATE_STOPPED\""));
  EXPECT_THAT(stream, HasSubstr("\"units\":2"));
}

// examples/scenarios/rtm_month.json over gRPC, then its month over HTTP:
// the suggestions, the episode's watch, and the errors naming the field.
TEST_F(HttpApiE2eTest, MonitoringMonthAndEpisodeWatch) {
  auto month = examples::LoadScenario(std::string(UNITCLOCK_SCENARIO_DIR) + "/rtm_month.json");
  ASSERT_TRUE(month.ok()) << month.status();
  scenario_ = *std::move(month);
  RecordScenario();

  const ClientResponse suggested = Call("GET", "/v1/monitoring?patient_ref=pt-7f3a&month=2026-10");
  ASSERT_EQ(suggested.status, 200u) << suggested.body;
  const auto response = Parse<v1::SuggestMonitoringCodesResponse>(suggested);
  std::vector<std::string> codes;
  for (const v1::Suggestion& s : response.suggestions()) {
    EXPECT_TRUE(s.has_monitoring());
    for (const v1::SuggestedLine& l : s.lines()) codes.push_back(l.code());
  }
  EXPECT_THAT(codes, ::testing::UnorderedElementsAre("98977", "98975", "98980"));

  const ClientResponse bad = Call("GET", "/v1/monitoring?patient_ref=pt-7f3a&month=2026-13");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_THAT(bad.body, HasSubstr("patient_month.month"));
  const ClientResponse bad_flag = Call(
      "GET", "/v1/suggestions?date_min=2026-10-01&date_max=2026-10-31&include_provisional=maybe");
  EXPECT_EQ(bad_flag.status, 400u);
  EXPECT_THAT(bad_flag.body, HasSubstr("include_provisional"));

  // The episode ended on October 31: one progress, then the stream ends.
  http::testclient::TestClient client(http_port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(
      RequestBytes("GET", "/v1/episodes/rtm-episode-0001:watch",
                   "Authorization: Bearer " + testing::TestToken("demo-all") + "\r\n")));
  ASSERT_TRUE(client.WaitClosed(std::chrono::seconds(5))) << "the stream did not end";
  const std::string& stream = client.received();
  EXPECT_THAT(stream, HasSubstr("text/event-stream"));
  EXPECT_THAT(stream, HasSubstr("data: {\"month\":\"2026-10\""));
  EXPECT_THAT(stream, HasSubstr("\"managementMinutes\":21"));
  EXPECT_THAT(stream, HasSubstr("\"ended\":true"));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Without a web folder, the page built into the binary is served: the
// files of web/ as they were at build time.
TEST_F(HttpApiE2eTest, ServesThePageBuiltIntoTheBinary) {
  auto server =
      service::Server::Start("127.0.0.1:0", store_, clock_, testing::TestServiceOptions());
  ASSERT_TRUE(server.ok()) << server.status();
  auto port = (*server)->StartHttp("127.0.0.1:0", "");
  ASSERT_TRUE(port.ok()) << port.status();
  for (const char* file : {"index.html", "app.js", "app.css"}) {
    auto response =
        Exchange(static_cast<std::uint16_t>(*port), RequestBytes("GET", std::string("/") + file));
    ASSERT_TRUE(response.has_value()) << file;
    EXPECT_EQ(response->status, 200u) << file;
    EXPECT_EQ(response->body, ReadFile(std::string(UNITCLOCK_WEB_DIR) + "/" + file)) << file;
  }
  auto index = Exchange(static_cast<std::uint16_t>(*port), RequestBytes("GET", "/"));
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->body, ReadFile(std::string(UNITCLOCK_WEB_DIR) + "/index.html"));
  EXPECT_THAT(index->Header("content-type"), HasSubstr("text/html"));
  EXPECT_THAT(index->Header("content-security-policy"), HasSubstr("script-src 'self'"));
  auto missing = Exchange(static_cast<std::uint16_t>(*port), RequestBytes("GET", "/app.ts"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404u);
  (*server)->Shutdown(std::chrono::milliseconds(100));
}

// With a web folder, its files are served, under the same security headers.
TEST_F(HttpApiE2eTest, ServesThePageFromAFolder) {
  const ClientResponse page = Call("GET", "/", "");
  ASSERT_EQ(page.status, 200u);
  EXPECT_THAT(page.body, HasSubstr("<title>review</title>"));
  EXPECT_THAT(page.Header("content-security-policy"), HasSubstr("script-src 'self'"));
  EXPECT_EQ(Call("GET", "/../unitclock.db", "").status, 400u);
}

}  // namespace
}  // namespace unitclock

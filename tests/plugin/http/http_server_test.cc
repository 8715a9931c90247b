// The listener over real loopback sockets: routing end to end, error
// bodies, security headers, limits (header, body, connections, slow
// clients), malformed requests, static files and traversal, event streams
// and their disconnects, and shutdown. Runs no gRPC: part of the tests run
// under ThreadSanitizer too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "plugin/http/server.h"
#include "plugin/http/static_files.h"
#include "plugin/http/status.h"
#include "tests/plugin/http/http_test_client.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::http {
namespace {

namespace fs = std::filesystem;
using testclient::ClientResponse;
using testclient::Exchange;
using testclient::RequestBytes;
using testclient::TestClient;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using namespace std::string_literals;

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// A one-shot signal between threads (absl::Notification is invisible to the
// ThreadSanitizer build, tests/testing/tsan_absl_mutex.cc).
class Flag {
 public:
  void Set() {
    std::lock_guard lock(mu_);
    set_ = true;
    changed_.notify_all();
  }
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return set_; });
  }
  void Wait() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool set_ = false;
};

// The event streams the watch handler was given, and how many ended.
class StreamHub {
 public:
  void Add(std::shared_ptr<EventStream> stream) {
    stream->OnClosed([this] {
      std::lock_guard lock(mu_);
      ++closed_;
      changed_.notify_all();
    });
    std::lock_guard lock(mu_);
    streams_.push_back(std::move(stream));
    changed_.notify_all();
  }
  // The n-th stream (from 0), once a handler started it; null after 5 s.
  std::shared_ptr<EventStream> Wait(std::size_t n) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, 5s, [&] { return streams_.size() > n; });
    return streams_.size() > n ? streams_[n] : nullptr;
  }
  // True once `n` streams have ended (their OnClosed ran), within 5 s.
  bool WaitClosed(int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, 5s, [&] { return closed_ >= n; });
  }
  int closed() {
    std::lock_guard lock(mu_);
    return closed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<EventStream>> streams_;
  int closed_ = 0;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_ = tmp_.path() / "web";
    fs::create_directories(web_ / "js");
    std::ofstream(web_ / "index.html") << "<!doctype html><title>review</title>";
    std::ofstream(web_ / "js" / "app.js") << "export const x = 1;";
    std::ofstream(web_ / "style.css") << "body{}";
    std::ofstream(web_ / "logo.svg") << "<svg/>";
    std::ofstream(web_ / "logo.png") << "PNG";
    std::ofstream(tmp_.path() / "secret.txt") << "TOP SECRET";
    fs::create_symlink(tmp_.path() / "secret.txt", web_ / "escape.txt");
    fs::create_directory_symlink(tmp_.path(), web_ / "outside");
  }

  void TearDown() override {
    release_.Set();  // a blocked handler must return for Shutdown
    if (server_) server_->Shutdown();
  }

  Router MakeRouter() {
    Router router;
    const auto add = [&](const char* method, const char* path, Handler handler) {
      const absl::Status st = router.Add(method, path, std::move(handler));
      EXPECT_TRUE(st.ok()) << st;
    };
    add("GET", "/v1/suggestions", [](const Request& r) {
      nlohmann::json query = nlohmann::json::array();
      for (const auto& [k, v] : r.query) query.push_back({k, v});
      return Response::Json(nlohmann::json{{"route", r.route}, {"query", query}}.dump());
    });
    add("GET", "/v1/suggestions/{id}", [](const Request& r) {
      return Response::Json(nlohmann::json{{"id", r.Param("id")}}.dump());
    });
    add("POST", "/v1/suggestions/{id}:review", [](const Request& r) {
      return Response::Json(nlohmann::json{
          {"id", r.Param("id")},
          {"body", r.body},
          {"bearer", std::string(r.BearerToken().value_or("-"))},
          {"route", r.route}}.dump());
    });
    add("GET", "/v1/status/{code}", [](const Request& r) {
      const int code = std::stoi(std::string(r.Param("code")));
      return Response::Error(absl::Status(static_cast<absl::StatusCode>(code), "date_min: bad"));
    });
    add("GET", "/v1/exports", [](const Request&) {
      return Response::Download("claims.csv", "text/csv; charset=utf-8", "a,b\n1,2\n");
    });
    add("GET", "/v1/throw",
        [](const Request&) -> Response { throw std::runtime_error("patient Jane Doe"); });
    add("GET", "/v1/block", [this](const Request&) {
      entered_.Set();
      release_.Wait();
      return Response::Json(R"({"blocked":true})");
    });
    add("POST", "/v1/echo", [](const Request& r) { return Response::Json(r.body); });
    add("GET", "/v1/sessions/{id}:watch", [this](const Request&) {
      return Response::Stream(
          [this](std::shared_ptr<EventStream> stream) { hub_.Add(std::move(stream)); });
    });
    absl::StatusOr<StaticFiles> files = StaticFiles::Open(web_);
    EXPECT_TRUE(files.ok()) << files.status();
    add("GET", "/{path=**}", files->AsHandler("path"));
    return router;
  }

  static ServerOptions TestOptions() {
    ServerOptions options;
    options.request_timeout = 3s;
    options.write_timeout = 3s;
    options.max_header_bytes = 8 * 1024;
    options.max_body_bytes = 4 * 1024;
    options.worker_threads = 2;
    options.io_threads = 2;
    return options;
  }

  // Starts the server with `options`; sets port_.
  void Start(ServerOptions options = TestOptions()) {
    server_ = std::make_unique<HttpServer>(options, MakeRouter());
    absl::StatusOr<std::uint16_t> port = server_->Start("127.0.0.1:0");
    ASSERT_TRUE(port.ok()) << port.status();
    ASSERT_NE(*port, 0);
    port_ = *port;
  }

  ClientResponse Get(std::string_view target, std::string_view headers = {}) {
    std::optional<ClientResponse> r = Exchange(port_, RequestBytes("GET", target, headers));
    EXPECT_TRUE(r.has_value()) << "no response to GET " << target;
    return r.value_or(ClientResponse{});
  }

  // The server still answers a plain request.
  void ExpectServing() {
    const ClientResponse r = Get("/v1/suggestions/still-here");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"({"id":"still-here"})");
  }

  static void ExpectSecurityHeaders(const ClientResponse& r) {
    EXPECT_EQ(r.Header("content-security-policy"), kCsp);
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  }

  static nlohmann::json ErrorOf(const ClientResponse& r) {
    EXPECT_EQ(r.Header("content-type"), "application/json");
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    EXPECT_FALSE(body.is_discarded()) << r.body;
    EXPECT_TRUE(body.contains("error")) << r.body;
    return body.is_discarded() ? nlohmann::json() : body["error"];
  }

  unitclock::testing::TempDir tmp_;
  fs::path web_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  StreamHub hub_;
  Flag entered_;
  Flag release_;
};

TEST_F(HttpServerTest, RoutesTemplatesVerbsAndDecodedQuery) {
  Start();
  ClientResponse r = Get("/v1/suggestions/sug%201");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"id":"sug 1"})");
  EXPECT_EQ(r.Header("content-type"), "application/json");

  r = Get("/v1/suggestions?date_min=2024-05-01&provider_ref=dr%2Fa+b&state=PENDING&state=APPROVED");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"route":"/v1/suggestions","query":[
              ["date_min","2024-05-01"],["provider_ref","dr/a b"],
              ["state","PENDING"],["state","APPROVED"]]})"));

  std::optional<ClientResponse> review =
      Exchange(port_, RequestBytes("POST", "/v1/suggestions/s-9:review",
                                   "Authorization: Bearer tok-123\r\n"
                                   "Content-Type: application/json\r\n",
                                   R"({"decision":"APPROVE"})"));
  ASSERT_TRUE(review.has_value());
  EXPECT_EQ(review->status, 200u);
  EXPECT_EQ(nlohmann::json::parse(review->body),
            nlohmann::json::parse(R"({"id":"s-9","body":"{\"decision\":\"APPROVE\"}",
              "bearer":"tok-123","route":"/v1/suggestions/{id}:review"})"));
}

TEST_F(HttpServerTest, NoRouteIs404AndWrongMethodIs405WithAllow) {
  Start();
  ClientResponse r = Get("/v1/suggestions/x:unknownverb");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(ErrorOf(r)["status"], "NOT_FOUND");
  EXPECT_EQ(ErrorOf(r)["code"], 404);
  ExpectSecurityHeaders(r);

  std::optional<ClientResponse> wrong =
      Exchange(port_, RequestBytes("DELETE", "/v1/suggestions/x"));
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 405u);
  EXPECT_EQ(wrong->Header("allow"), "GET, HEAD");
  EXPECT_EQ(ErrorOf(*wrong)["code"], 405);
  ExpectSecurityHeaders(*wrong);

  wrong = Exchange(port_, RequestBytes("GET", "/v1/suggestions/x:review"));
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 405u);
  EXPECT_EQ(wrong->Header("allow"), "POST");
}

TEST_F(HttpServerTest, EveryStatusMapsToItsHttpStatusWithErrorBody) {
  Start();
  const std::pair<absl::StatusCode, unsigned> kTable[] = {
      {absl::StatusCode::kInvalidArgument, 400},   {absl::StatusCode::kFailedPrecondition, 400},
      {absl::StatusCode::kOutOfRange, 400},        {absl::StatusCode::kUnauthenticated, 401},
      {absl::StatusCode::kPermissionDenied, 403},  {absl::StatusCode::kNotFound, 404},
      {absl::StatusCode::kAlreadyExists, 409},     {absl::StatusCode::kAborted, 409},
      {absl::StatusCode::kResourceExhausted, 429}, {absl::StatusCode::kCancelled, 499},
      {absl::StatusCode::kUnknown, 500},           {absl::StatusCode::kInternal, 500},
      {absl::StatusCode::kDataLoss, 500},          {absl::StatusCode::kUnimplemented, 501},
      {absl::StatusCode::kUnavailable, 503},       {absl::StatusCode::kDeadlineExceeded, 504},
  };
  // One keep-alive connection for all of them: errors do not close it.
  TestClient client(port_);
  ASSERT_TRUE(client.connected());
  for (const auto& [code, http_status] : kTable) {
    SCOPED_TRACE(std::string(StatusName(code)));
    ASSERT_TRUE(
        client.Send(RequestBytes("GET", "/v1/status/" + std::to_string(static_cast<int>(code)))));
    std::optional<ClientResponse> r = client.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, http_status);
    const nlohmann::json error = ErrorOf(*r);
    EXPECT_EQ(error["code"], http_status);
    EXPECT_EQ(error["status"], std::string(StatusName(code)));
    EXPECT_EQ(error["message"], "date_min: bad");
    EXPECT_EQ(r->Header("cache-control"), "no-store");
    ExpectSecurityHeaders(*r);
  }
}

TEST_F(HttpServerTest, SecurityHeadersOnEveryKindOfResponse) {
  Start();
  for (const char* target : {"/v1/suggestions/a", "/nothing-here.html", "/v1/suggestions/%2e%2e",
                             "/v1/exports", "/index.html"}) {
    SCOPED_TRACE(target);
    ExpectSecurityHeaders(Get(target));
  }
  ClientResponse api = Get("/v1/suggestions/a");
  EXPECT_EQ(api.Header("cache-control"), "no-store");
  // The page may be cached, if revalidated; the API never.
  ClientResponse page = Get("/");
  EXPECT_EQ(page.Header("cache-control"), "no-cache");
}

TEST_F(HttpServerTest, DownloadIsAnAttachment) {
  Start();
  const ClientResponse r = Get("/v1/exports?format=csv");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"claims.csv\"");
  EXPECT_EQ(r.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.body, "a,b\n1,2\n");
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndTheServerGoesOn) {
  Start();
  const ClientResponse r = Get("/v1/throw");
  EXPECT_EQ(r.status, 500u);
  EXPECT_EQ(ErrorOf(r)["status"], "INTERNAL");
  EXPECT_THAT(r.body, Not(HasSubstr("Jane")));
  ExpectServing();
}

TEST_F(HttpServerTest, KeepAliveServesRequestsInTurnAndHeadHasNoBody) {
  Start();
  TestClient client(port_);
  ASSERT_TRUE(client.connected());
  // Two requests sent at once (pipelined) are answered in order.
  ASSERT_TRUE(client.Send(RequestBytes("GET", "/v1/suggestions/one") +
                          RequestBytes("GET", "/v1/suggestions/two")));
  std::optional<ClientResponse> r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, R"({"id":"one"})");
  r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, R"({"id":"two"})");

  ASSERT_TRUE(client.Send(RequestBytes("HEAD", "/v1/suggestions/three")));
  r = client.ReadResponse(5s, /*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->Header("content-length"), "14");  // {"id":"three"}
  // No body bytes came: the next response follows straight on.
  ASSERT_TRUE(client.Send(RequestBytes("GET", "/v1/suggestions/four")));
  r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, R"({"id":"four"})");

  // Connection: close is honoured.
  ASSERT_TRUE(client.Send(RequestBytes("GET", "/v1/suggestions/five", "Connection: close\r\n")));
  r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, MalformedRequestsAre400AndTheServerKeepsServing) {
  Start();
  const std::string kMalformed[] = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET /v1/suggestions/a HTTP/1.1 extra\r\nHost: x\r\n\r\n",
      "GET /v1/suggestions/a FTP/1.1\r\nHost: x\r\n\r\n",
      "GET /v1/suggestions/a HTTP/1.1\r\nHost x\r\n\r\n",
      "GET /v1/suggestions/a HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "GET /v1/suggestions/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /v1/sugg\0estions HTTP/1.1\r\nHost: x\r\n\r\n"s,
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  // a TLS hello
      "GET http://evil.example/v1/suggestions/a HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /v1/suggestions/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /v1/suggestions/..%2f..%2fetc HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /v1/suggestions?a=%G0 HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  for (const std::string& bytes : kMalformed) {
    SCOPED_TRACE(::testing::PrintToString(bytes));
    std::optional<ClientResponse> r = Exchange(port_, bytes);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 400u);
    EXPECT_EQ(ErrorOf(*r)["status"], "INVALID_ARGUMENT");
    ExpectSecurityHeaders(*r);
  }
  ExpectServing();
}

TEST_F(HttpServerTest, HugeHeaderIs431) {
  Start();
  std::optional<ClientResponse> r = Exchange(
      port_,
      RequestBytes("GET", "/v1/suggestions/a", "X-Big: " + std::string(64 * 1024, 'h') + "\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431u);
  EXPECT_EQ(ErrorOf(*r)["status"], "RESOURCE_EXHAUSTED");
  EXPECT_THAT(ErrorOf(*r)["message"].get<std::string>(), HasSubstr("8192 bytes"));
  EXPECT_EQ(r->Header("connection"), "close");
  // Many headers, each small, count together.
  std::string many;
  for (int i = 0; i < 400; ++i) many += "X-H" + std::to_string(i) + ": 0123456789abcdef\r\n";
  r = Exchange(port_, RequestBytes("GET", "/v1/suggestions/a", many));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431u);
  // A long request line too.
  r = Exchange(port_, RequestBytes("GET", "/v1/suggestions/" + std::string(16 * 1024, 'a')));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431u);
  ExpectServing();
}

TEST_F(HttpServerTest, HugeBodyIs413) {
  Start();
  // Announced too large: refused before the body is read.
  TestClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" +
                          std::string(1000, 'b')));
  std::optional<ClientResponse> r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413u);
  EXPECT_EQ(ErrorOf(*r)["status"], "RESOURCE_EXHAUSTED");
  EXPECT_TRUE(client.WaitClosed());

  // Chunked, growing past the limit (4 KiB) as it arrives.
  std::string chunked = "POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; ++i) chunked += "400\r\n" + std::string(1024, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  r = Exchange(port_, chunked);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413u);

  // At the limit: served.
  r = Exchange(port_, RequestBytes("POST", "/v1/echo", {}, std::string(4096, 'x')));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body.size(), 4096u);
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitAre503AndClosed) {
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  Start(options);
  // Two connections, each seen through by a request, hold the two places.
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<TestClient>(port_));
    ASSERT_TRUE(held.back()->Send(RequestBytes("GET", "/v1/suggestions/held")));
    std::optional<ClientResponse> r = held.back()->ReadResponse();
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 200u);
  }
  for (int i = 0; i < 3; ++i) {
    TestClient extra(port_);
    ASSERT_TRUE(extra.connected());
    extra.Send(RequestBytes("GET", "/v1/suggestions/extra"));
    std::optional<ClientResponse> r = extra.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 503u);
    EXPECT_EQ(ErrorOf(*r)["status"], "UNAVAILABLE");
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(extra.WaitClosed());
  }
  // The held ones are still served.
  ASSERT_TRUE(held[0]->Send(RequestBytes("GET", "/v1/suggestions/again")));
  std::optional<ClientResponse> again = held[0]->ReadResponse();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200u);

  // A place freed is taken again (the server learns of the close
  // asynchronously: retry until it has, within a deadline).
  held[1]->Close();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  unsigned status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<ClientResponse> r = Exchange(port_, RequestBytes("GET", "/v1/suggestions/freed"));
    status = r ? r->status : 0;
    if (status == 200) break;
  }
  EXPECT_EQ(status, 200u);
}

TEST_F(HttpServerTest, SlowClientIsCutOffWhileOthersAreServed) {
  ServerOptions options = TestOptions();
  options.request_timeout = 500ms;
  Start(options);
  TestClient slow(port_);
  ASSERT_TRUE(slow.connected());
  const auto start = std::chrono::steady_clock::now();
  // Half a request, and then nothing.
  ASSERT_TRUE(slow.Send("GET /v1/suggestions/a HTTP/1.1\r\nHost: x\r\nX-Slow: 1"));
  // Meanwhile another client is served at once.
  ExpectServing();
  std::optional<ClientResponse> r = slow.ReadResponse(5s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408u);
  EXPECT_EQ(ErrorOf(*r)["status"], "DEADLINE_EXCEEDED");
  EXPECT_TRUE(slow.WaitClosed());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 500ms);

  // A client trickling bytes does not reset the clock: the timeout covers
  // the whole request.
  TestClient trickle(port_);
  ASSERT_TRUE(trickle.Send("GET /v1/suggestions/a HTTP/1.1\r\n"));
  bool cut_off = false;
  for (int i = 0; i < 40 && !cut_off; ++i) {
    if (!trickle.Send("X-T: 1\r\n")) cut_off = true;
    // Reading is the wait between bytes: it ends as soon as the server answers.
    if (trickle.ReadUntil("408", 100ms)) cut_off = true;
  }
  EXPECT_TRUE(cut_off);
  ExpectServing();
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedWithoutAnswer) {
  ServerOptions options = TestOptions();
  options.request_timeout = 300ms;
  Start(options);
  TestClient client(port_);
  ASSERT_TRUE(client.Send(RequestBytes("GET", "/v1/suggestions/a")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  EXPECT_TRUE(client.WaitClosed(5s));
  EXPECT_EQ(client.received(), "");  // no 408 for a client that asked nothing
}

TEST_F(HttpServerTest, BlockingHandlerDoesNotStallOtherRequests) {
  Start();
  std::optional<ClientResponse> blocked;
  std::thread waiter([&] { blocked = Exchange(port_, RequestBytes("GET", "/v1/block")); });
  ASSERT_TRUE(entered_.WaitFor(5s));
  // The handler holds a worker; the io thread and the other worker serve on.
  ExpectServing();
  release_.Set();
  waiter.join();
  ASSERT_TRUE(blocked.has_value());
  EXPECT_EQ(blocked->body, R"({"blocked":true})");
}

TEST_F(HttpServerTest, StaticFilesWithTheirTypes) {
  Start();
  struct Case {
    const char* target;
    const char* type;
    const char* body;
  };
  for (const Case& c :
       {Case{"/", "text/html; charset=utf-8", "<!doctype html><title>review</title>"},
        Case{"/index.html", "text/html; charset=utf-8", nullptr},
        Case{"/js/app.js", "text/javascript; charset=utf-8", "export const x = 1;"},
        Case{"/style.css", "text/css; charset=utf-8", "body{}"},
        Case{"/logo.svg", "image/svg+xml", "<svg/>"}, Case{"/logo.png", "image/png", "PNG"}}) {
    SCOPED_TRACE(c.target);
    const ClientResponse r = Get(c.target);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.Header("content-type"), c.type);
    if (c.body != nullptr) {
      EXPECT_EQ(r.body, c.body);
    }
    ExpectSecurityHeaders(r);
  }
  EXPECT_EQ(Get("/missing.js").status, 404u);
}

TEST_F(HttpServerTest, PathTraversalIsRefused) {
  Start();
  for (const char* target :
       {"/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
        "/js/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/..\\secret.txt",
        "/js\\..\\..\\secret.txt", "//secret.txt", "/./index.html", "/escape.txt",
        "/outside/secret.txt", "/outside", "/%00secret.txt", "/%2fetc%2fpasswd",
        "/.%2e/.%2e/secret.txt", "/js/%2e/app.js"}) {
    SCOPED_TRACE(target);
    const ClientResponse r = Get(target);
    EXPECT_TRUE(r.status == 400u || r.status == 404u) << r.status;
    EXPECT_THAT(r.body, Not(HasSubstr("SECRET")));
    ExpectSecurityHeaders(r);
  }
  ExpectServing();
}

TEST_F(HttpServerTest, EventsArriveAndTheHandlerLearnsOfTheDisconnect) {
  Start();
  TestClient client(port_);
  ASSERT_TRUE(client.Send(RequestBytes("GET", "/v1/sessions/s1:watch")));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  EXPECT_THAT(client.received(), HasSubstr("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(client.received(), HasSubstr("Content-Type: text/event-stream\r\n"));
  EXPECT_THAT(client.received(), HasSubstr("Content-Security-Policy: " + std::string(kCsp)));
  EXPECT_THAT(client.received(), Not(HasSubstr("Content-Length")));

  std::shared_ptr<EventStream> stream = hub_.Wait(0);
  ASSERT_NE(stream, nullptr);
  EXPECT_TRUE(stream->IsOpen());
  // From another thread than the handler's.
  std::thread sender([&] {
    EXPECT_TRUE(stream->Send(R"({"minutes":12})", "progress"));
    EXPECT_TRUE(stream->Send("line one\nline two"));
  });
  sender.join();
  ASSERT_TRUE(client.ReadUntil("data: line two\n\n"));
  EXPECT_THAT(client.received(),
              HasSubstr("event: progress\ndata: {\"minutes\":12}\n\ndata: line one\ndata: line "
                        "two\n\n"));
  EXPECT_EQ(hub_.closed(), 0);

  client.Close();
  ASSERT_TRUE(hub_.WaitClosed(1));
  EXPECT_FALSE(stream->IsOpen());
  EXPECT_FALSE(stream->Send("nobody listens"));
  ExpectServing();
}

TEST_F(HttpServerTest, HandlerClosingTheStreamEndsTheResponse) {
  Start();
  TestClient client(port_);
  ASSERT_TRUE(client.Send(RequestBytes("GET", "/v1/sessions/s1:watch")));
  std::shared_ptr<EventStream> stream = hub_.Wait(0);
  ASSERT_NE(stream, nullptr);
  EXPECT_TRUE(stream->Send("last"));
  stream->Close();
  EXPECT_FALSE(stream->Send("after close"));
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_THAT(client.received(), HasSubstr("data: last\n\n"));
  EXPECT_THAT(client.received(), Not(HasSubstr("after close")));
  EXPECT_TRUE(hub_.WaitClosed(1));
}

TEST_F(HttpServerTest, SlowStreamReaderIsClosedWhenItsQueueOverflows) {
  ServerOptions options = TestOptions();
  options.max_stream_queue_bytes = 64 * 1024;
  Start(options);
  TestClient client(port_);  // reads nothing from here on
  ASSERT_TRUE(client.Send(RequestBytes("GET", "/v1/sessions/s1:watch")));
  std::shared_ptr<EventStream> stream = hub_.Wait(0);
  ASSERT_NE(stream, nullptr);
  const std::string event(16 * 1024, 'e');
  bool refused = false;
  // The socket buffers take some megabytes first; the queue then fills.
  for (int i = 0; i < 20000 && !refused; ++i) refused = !stream->Send(event);
  EXPECT_TRUE(refused);
  EXPECT_TRUE(hub_.WaitClosed(1));
}

TEST_F(HttpServerTest, ShutdownEndsStreamsAndIdleConnections) {
  Start();
  TestClient idle(port_);
  ASSERT_TRUE(idle.Send(RequestBytes("GET", "/v1/suggestions/a")));
  ASSERT_TRUE(idle.ReadResponse().has_value());
  TestClient watcher(port_);
  ASSERT_TRUE(watcher.Send(RequestBytes("GET", "/v1/sessions/s1:watch")));
  std::shared_ptr<EventStream> stream = hub_.Wait(0);
  ASSERT_NE(stream, nullptr);

  server_->Shutdown();
  // OnClosed has run by the time Shutdown returns.
  EXPECT_EQ(hub_.closed(), 1);
  EXPECT_TRUE(idle.WaitClosed());
  EXPECT_TRUE(watcher.WaitClosed());
  // The stream outlives the server harmlessly.
  EXPECT_FALSE(stream->Send("late"));
  stream->Close();
  bool ran = false;
  stream->OnClosed([&] { ran = true; });  // the connection is gone: runs here
  EXPECT_TRUE(ran);
  EXPECT_FALSE(TestClient(port_).connected());
  server_->Shutdown();  // idempotent
}

TEST(HttpServerStart, RefusesBadAddressesAndASecondStart) {
  for (const char* address :
       {"nonsense", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:x", "example.com:80", ":80"}) {
    SCOPED_TRACE(address);
    HttpServer server(ServerOptions{}, Router{});
    EXPECT_EQ(server.Start(address).status().code(), absl::StatusCode::kInvalidArgument);
  }
  ServerOptions bad;
  bad.max_connections = 0;
  EXPECT_EQ(HttpServer(bad, Router{}).Start("127.0.0.1:0").status().code(),
            absl::StatusCode::kInvalidArgument);

  HttpServer first(ServerOptions{}, Router{});
  absl::StatusOr<std::uint16_t> port = first.Start("localhost:0");
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ(first.Start("127.0.0.1:0").status().code(), absl::StatusCode::kFailedPrecondition);
  HttpServer second(ServerOptions{}, Router{});
  EXPECT_EQ(second.Start("127.0.0.1:" + std::to_string(*port)).status().code(),
            absl::StatusCode::kUnavailable);
  // IPv6 loopback where the machine has it.
  HttpServer v6(ServerOptions{}, Router{});
  absl::StatusOr<std::uint16_t> v6_port = v6.Start("[::1]:0");
  if (v6_port.ok()) {
    EXPECT_NE(*v6_port, 0);
  }
}

}  // namespace
}  // namespace unitclock::http

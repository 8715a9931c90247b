// Status mapping, the JSON error body, the response helpers, bearer token
// parsing and the wire rendering of responses (security headers, malformed
// handler output).
#include "plugin/http/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin/http/status.h"
#include "plugin/http/wire.h"

namespace unitclock::http {
namespace {

using ::testing::HasSubstr;

struct Mapping {
  absl::StatusCode code;
  unsigned http;
  const char* name;
};

// google.rpc.Code -> HTTP, as Google's HTTP APIs map them.
constexpr Mapping kMappings[] = {
    {absl::StatusCode::kOk, 200, "OK"},
    {absl::StatusCode::kCancelled, 499, "CANCELLED"},
    {absl::StatusCode::kUnknown, 500, "UNKNOWN"},
    {absl::StatusCode::kInvalidArgument, 400, "INVALID_ARGUMENT"},
    {absl::StatusCode::kDeadlineExceeded, 504, "DEADLINE_EXCEEDED"},
    {absl::StatusCode::kNotFound, 404, "NOT_FOUND"},
    {absl::StatusCode::kAlreadyExists, 409, "ALREADY_EXISTS"},
    {absl::StatusCode::kPermissionDenied, 403, "PERMISSION_DENIED"},
    {absl::StatusCode::kResourceExhausted, 429, "RESOURCE_EXHAUSTED"},
    {absl::StatusCode::kFailedPrecondition, 400, "FAILED_PRECONDITION"},
    {absl::StatusCode::kAborted, 409, "ABORTED"},
    {absl::StatusCode::kOutOfRange, 400, "OUT_OF_RANGE"},
    {absl::StatusCode::kUnimplemented, 501, "UNIMPLEMENTED"},
    {absl::StatusCode::kInternal, 500, "INTERNAL"},
    {absl::StatusCode::kUnavailable, 503, "UNAVAILABLE"},
    {absl::StatusCode::kDataLoss, 500, "DATA_LOSS"},
    {absl::StatusCode::kUnauthenticated, 401, "UNAUTHENTICATED"},
};

TEST(StatusMapping, EveryCodeHasItsHttpStatusAndName) {
  for (const Mapping& m : kMappings) {
    SCOPED_TRACE(m.name);
    EXPECT_EQ(HttpStatusFor(m.code), m.http);
    EXPECT_EQ(StatusName(m.code), m.name);
  }
  EXPECT_EQ(HttpStatusFor(static_cast<absl::StatusCode>(99)), 500u);
  EXPECT_EQ(StatusName(static_cast<absl::StatusCode>(99)), "UNKNOWN");
}

TEST(StatusMapping, ErrorResponseCarriesGoogleErrorShape) {
  for (const Mapping& m : kMappings) {
    if (m.code == absl::StatusCode::kOk) continue;
    SCOPED_TRACE(m.name);
    const Response r = Response::Error(absl::Status(m.code, "date_min: must be a date"));
    EXPECT_EQ(r.status, m.http);
    EXPECT_EQ(r.content_type, "application/json");
    const nlohmann::json body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body, nlohmann::json::parse(R"({"error":{"code":)" + std::to_string(m.http) +
                                          R"(,"status":")" + m.name +
                                          R"(","message":"date_min: must be a date"}})"));
  }
  // Keys in the documented order, compact.
  EXPECT_EQ(ErrorJson(400, absl::StatusCode::kInvalidArgument, "x: bad"),
            R"({"error":{"code":400,"status":"INVALID_ARGUMENT","message":"x: bad"}})");
}

TEST(StatusMapping, OkIsNoError) {
  const Response r = Response::Error(absl::OkStatus());
  EXPECT_EQ(r.status, 500u);
  EXPECT_THAT(r.body, HasSubstr("INTERNAL"));
}

TEST(StatusMapping, MessageIsEscapedAndNonUtf8Replaced) {
  const std::string json =
      ErrorJson(400, absl::StatusCode::kInvalidArgument, "q: \"x\"\n<script>\xff\xfe");
  const nlohmann::json body = nlohmann::json::parse(json);  // valid JSON, valid UTF-8
  EXPECT_EQ(body["error"]["message"], "q: \"x\"\n<script>\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ResponseHelpers, DownloadIsAnAttachmentWithASafeName) {
  Response r = Response::Download("claims-2024-05-01.x12", "application/edi-x12", "ISA*...");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/edi-x12");
  EXPECT_EQ(r.body, "ISA*...");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Content-Disposition");
  EXPECT_EQ(r.headers[0].second, "attachment; filename=\"claims-2024-05-01.x12\"");

  r = Response::Download("../../etc/pass\"wd\r\nX: y", "text/csv", "");
  EXPECT_EQ(r.headers[0].second, "attachment; filename=\".._.._etc_pass_wd__X__y\"");
  r = Response::Download("..", "text/csv", "");
  EXPECT_EQ(r.headers[0].second, "attachment; filename=\"download\"");
}

TEST(ResponseHelpers, StreamIsAnEventStream) {
  const Response r = Response::Stream([](std::shared_ptr<EventStream>) {});
  EXPECT_TRUE(static_cast<bool>(r.start_stream));
  EXPECT_EQ(r.content_type, "text/event-stream");
}

TEST(RequestHelpers, BearerToken) {
  const auto token = [](std::string value) {
    Request r;
    r.headers.emplace("authorization", value);
    std::optional<std::string_view> t = r.BearerToken();
    return t ? std::string(*t) : std::string("<none>");
  };
  EXPECT_EQ(token("Bearer abc.def"), "abc.def");
  EXPECT_EQ(token("bearer   abc  "), "abc");
  EXPECT_EQ(token("BEARER abc"), "abc");
  EXPECT_EQ(token("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), "<none>");
  EXPECT_EQ(token("Bearer"), "<none>");
  EXPECT_EQ(token("Bearer "), "<none>");
  EXPECT_EQ(token("Bearerabc"), "<none>");
  Request none;
  EXPECT_EQ(none.BearerToken(), std::nullopt);
  EXPECT_EQ(none.Authorization(), std::nullopt);
}

TEST(RequestHelpers, HeaderQueryAndParam) {
  Request r;
  r.headers.emplace("x-thing", "1");
  r.query.emplace("state", "A");
  r.query.emplace("state", "B");
  r.path_params["id"] = "s1";
  EXPECT_EQ(r.Header("X-Thing"), "1");
  EXPECT_EQ(r.Header("missing"), std::nullopt);
  EXPECT_EQ(r.Query("state"), "A");
  EXPECT_EQ(r.Query("nope"), std::nullopt);
  EXPECT_EQ(r.Param("id"), "s1");
  EXPECT_EQ(r.Param("nope"), "");
}

std::string HeaderOf(const wire::WireResponse& w, const char* name) {
  const auto it = w.find(name);
  return it == w.end() ? std::string("<absent>") : std::string(it->value());
}

TEST(WireRender, SecurityHeadersAndNoStoreOnEveryResponse) {
  for (const Response& r :
       {Response::Json("{}"), Response::Error(absl::NotFoundError("x")),
        wire::TransportError(431, "too big"), Response::Download("a.csv", "text/csv", "a,b")}) {
    const wire::WireResponse w = wire::Render(r, 11, true, false);
    EXPECT_EQ(HeaderOf(w, "Content-Security-Policy"),
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    EXPECT_EQ(HeaderOf(w, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(HeaderOf(w, "Referrer-Policy"), "no-referrer");
    EXPECT_EQ(HeaderOf(w, "Cache-Control"), "no-store");
    EXPECT_EQ(HeaderOf(w, "Content-Length"), std::to_string(r.body.size()));
  }
  const auto header = wire::StreamHeader(11);
  EXPECT_EQ(std::string(header["Content-Type"]), "text/event-stream");
  EXPECT_EQ(std::string(header["X-Content-Type-Options"]), "nosniff");
  EXPECT_EQ(std::string(header["Cache-Control"]), "no-store");
  EXPECT_FALSE(header.keep_alive());
}

TEST(WireRender, HandlerCacheControlIsKept) {
  Response r = Response::Json("{}");
  r.headers.emplace_back("Cache-Control", "no-cache");
  const wire::WireResponse w = wire::Render(r, 11, true, false);
  EXPECT_EQ(HeaderOf(w, "Cache-Control"), "no-cache");
}

TEST(WireRender, MalformedHandlerResponsesBecome500) {
  std::vector<Response> bad;
  bad.push_back(Response::Json("{}", 99));
  bad.push_back(Response::Json("{}", 600));
  Response injected = Response::Json("{}");
  injected.headers.emplace_back("X-A", "b\r\nSet-Cookie: evil=1");
  bad.push_back(injected);
  Response bad_name = Response::Json("{}");
  bad_name.headers.emplace_back("X A", "b");
  bad.push_back(bad_name);
  Response owned = Response::Json("{}");
  owned.headers.emplace_back("content-length", "5");
  bad.push_back(owned);
  Response bad_type = Response::Json("{}");
  bad_type.content_type = "text/html\r\nX: y";
  bad.push_back(bad_type);
  for (const Response& r : bad) {
    const wire::WireResponse w = wire::Render(r, 11, true, false);
    EXPECT_EQ(w.result_int(), 500u);
    EXPECT_THAT(w.body(), HasSubstr("INTERNAL"));
    EXPECT_EQ(HeaderOf(w, "Set-Cookie"), "<absent>");
    EXPECT_EQ(HeaderOf(w, "X-Content-Type-Options"), "nosniff");
  }
}

TEST(WireRender, HeadKeepsLengthDropsBody) {
  const wire::WireResponse w = wire::Render(Response::Json("{\"a\":1}"), 11, true, true);
  EXPECT_EQ(HeaderOf(w, "Content-Length"), "7");
  EXPECT_EQ(w.body(), "");
}

}  // namespace
}  // namespace unitclock::http

// The router alone: templates, custom verbs, percent-decoding, query
// parameters, 404 and 405, and the path checks that keep a path parameter
// one plain segment.
#include "plugin/http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace unitclock::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// A handler that answers its route's template, to tell routes apart.
Handler Named(std::string name) {
  return [name](const Request&) { return Response::Json(name); };
}

std::string Winner(const RouteResult& r) {
  return r.handler == nullptr ? "none" : (*r.handler)(Request{}).body;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add("GET", "/v1/suggestions", Named("list")).ok());
    ASSERT_TRUE(router_.Add("GET", "/v1/suggestions/{id}", Named("get")).ok());
    ASSERT_TRUE(router_.Add("POST", "/v1/suggestions/{id}:review", Named("review")).ok());
    ASSERT_TRUE(router_.Add("GET", "/v1/suggestions/pending", Named("pending")).ok());
    ASSERT_TRUE(router_.Add("GET", "/v1/sessions/{id}:watch", Named("watch")).ok());
    ASSERT_TRUE(router_.Add("GET", "/v1/{collection}/{id}/raw", Named("raw")).ok());
    ASSERT_TRUE(router_.Add("GET", "/{path=**}", Named("static")).ok());
  }
  Router router_;
};

TEST_F(RouterTest, LiteralsVariablesAndVerbs) {
  RouteResult r = router_.Route("GET", "/v1/suggestions/abc-1");
  EXPECT_EQ(Winner(r), "get");
  EXPECT_EQ(r.route, "/v1/suggestions/{id}");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("id", "abc-1")));

  r = router_.Route("POST", "/v1/suggestions/abc-1:review");
  EXPECT_EQ(Winner(r), "review");
  EXPECT_EQ(r.route, "/v1/suggestions/{id}:review");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("id", "abc-1")));

  EXPECT_EQ(Winner(router_.Route("GET", "/v1/sessions/s1:watch")), "watch");
  EXPECT_EQ(Winner(router_.Route("GET", "/v1/suggestions")), "list");
}

TEST_F(RouterTest, VerbMustMatchExactly) {
  // An unknown verb, or a verb on a route without one, matches nothing.
  EXPECT_EQ(router_.Route("POST", "/v1/suggestions/a:approve").status, 404u);
  EXPECT_EQ(router_.Route("GET", "/v1/sessions/s1:review").status, 404u);
  // A colon inside an id is sent encoded: then it is no verb.
  RouteResult r = router_.Route("GET", "/v1/suggestions/a%3Ab");
  EXPECT_EQ(Winner(r), "get");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("id", "a:b")));
  // The verb is after the last colon.
  r = router_.Route("POST", "/v1/suggestions/a:b:review");
  EXPECT_EQ(Winner(r), "review");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("id", "a:b")));
}

TEST_F(RouterTest, LiteralBeatsVariableBeatsWildcard) {
  EXPECT_EQ(Winner(router_.Route("GET", "/v1/suggestions/pending")), "pending");
  EXPECT_EQ(Winner(router_.Route("GET", "/v1/suggestions/other")), "get");
  EXPECT_EQ(Winner(router_.Route("GET", "/v1/x/y/raw")), "raw");
  RouteResult r = router_.Route("GET", "/app/js/main.js");
  EXPECT_EQ(Winner(r), "static");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("path", "app/js/main.js")));
  r = router_.Route("GET", "/");
  EXPECT_EQ(Winner(r), "static");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("path", "")));
}

TEST_F(RouterTest, PathSegmentsArePercentDecoded) {
  RouteResult r = router_.Route("GET", "/v1/suggestions/caf%C3%A9%20au+lait");
  EXPECT_EQ(Winner(r), "get");
  // '+' is a plus in a path; only queries take it for a space.
  EXPECT_THAT(r.path_params, ElementsAre(Pair("id", "caf\xC3\xA9 au+lait")));
  // Literals compare with the decoded segment.
  EXPECT_EQ(Winner(router_.Route("GET", "/v1/%73uggestions/x")), "get");
}

TEST_F(RouterTest, QueryIsAMultimapDecoded) {
  RouteResult r = router_.Route(
      "GET",
      "/v1/suggestions?date_min=2024-01-01&date_max=&provider_ref=dr%20a%2Bb&state=PENDING&"
      "state=APPROVED&&flag&name+with+space=a+b");
  ASSERT_EQ(Winner(r), "list");
  EXPECT_THAT(r.query, UnorderedElementsAre(Pair("date_min", "2024-01-01"), Pair("date_max", ""),
                                            Pair("provider_ref", "dr a+b"),
                                            Pair("state", "PENDING"), Pair("state", "APPROVED"),
                                            Pair("flag", ""), Pair("name with space", "a b")));
  // Repeated parameters keep their order.
  const auto [first, last] = r.query.equal_range("state");
  ASSERT_NE(first, last);
  EXPECT_EQ(first->second, "PENDING");
}

TEST_F(RouterTest, MalformedQueryIs400) {
  for (const char* target : {"/v1/suggestions?a=%zz", "/v1/suggestions?a=%4", "/v1/suggestions?=x",
                             "/v1/suggestions?a=%00"}) {
    SCOPED_TRACE(target);
    RouteResult r = router_.Route("GET", target);
    EXPECT_EQ(r.handler, nullptr);
    EXPECT_EQ(r.status, 400u);
    EXPECT_THAT(r.error, HasSubstr("query"));
  }
}

TEST_F(RouterTest, UnknownPathIs404) {
  Router api;
  ASSERT_TRUE(api.Add("GET", "/v1/suggestions/{id}", Named("get")).ok());
  for (const char* target : {"/v1/suggestions", "/v1/suggestions/a/b", "/v2/suggestions/a", "/"}) {
    SCOPED_TRACE(target);
    RouteResult r = api.Route("GET", target);
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.handler, nullptr);
    EXPECT_EQ(r.route, "");
  }
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  RouteResult r = router_.Route("DELETE", "/v1/suggestions/a");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.handler, nullptr);
  // Every route whose path matched: {id} and the static wildcard, both GET.
  EXPECT_EQ(r.allow, "GET, HEAD");
  EXPECT_EQ(r.route, "/v1/suggestions/{id}");

  r = router_.Route("GET", "/v1/suggestions/a:review");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.allow, "POST");
}

TEST_F(RouterTest, HeadTakesGetRoutes) {
  RouteResult r = router_.Route("HEAD", "/v1/suggestions/a");
  EXPECT_EQ(Winner(r), "get");
  EXPECT_EQ(router_.Route("HEAD", "/v1/suggestions/a:review").status, 405u);
}

TEST_F(RouterTest, DotSegmentsEmptySegmentsAndEncodedSlashesAre400) {
  for (const char* target : {"/v1/suggestions/..",
                             "/v1/suggestions/.",
                             "/v1/suggestions/%2e%2e",
                             "/v1/suggestions/%2E",
                             "/v1/suggestions/.%2e",
                             "/v1/suggestions/a%2Fb",
                             "/v1/suggestions/a%2f..%2fb",
                             "/v1/suggestions/a%5Cb",
                             "/v1/suggestions/a\\b",
                             "/v1//suggestions",
                             "/v1/suggestions/",
                             "//etc/passwd",
                             "/../etc/passwd",
                             "/a/../../etc/passwd",
                             "/v1/suggestions/a%00",
                             "/v1/suggestions/a%0Ab",
                             "/v1/suggestions/a%7F",
                             "/v1/suggestions/a:",
                             "/v1/suggestions/:review",
                             "/v1/suggestions/%zz",
                             "/v1/suggestions/a%2",
                             "/v1/sessions/a:..",
                             "/v1/sessions/a:%2e"}) {
    SCOPED_TRACE(target);
    RouteResult r = router_.Route("GET", target);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.handler, nullptr);
    EXPECT_THAT(r.error, HasSubstr("path"));
  }
}

TEST_F(RouterTest, NonOriginFormTargetsAre400) {
  for (const char* target :
       {"http://example.com/v1/suggestions", "*", "", "v1/suggestions", "/v1/suggestions#frag"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(router_.Route("GET", target).status, 400u);
  }
}

TEST(RouterAdd, RefusesMalformedTemplates) {
  Router router;
  for (const char* path_template : {"", "v1/x", "/v1//x", "/v1/x/", "/v1/{id", "/v1/{}", "/v1/{1d}",
                                    "/v1/{id=a}", "/v1/{path=**}/x", "/v1/{a}/{a}", "/v1/x:",
                                    "/v1/x:a/b", "/:verb", "/v1/a b", "/v1/..", "/v1/x:{id}"}) {
    SCOPED_TRACE(path_template);
    const absl::Status st = router.Add("GET", path_template, Named("x"));
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  }
  EXPECT_EQ(router.Add("get", "/v1/x", Named("x")).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/v1/x", Handler()).code(), absl::StatusCode::kInvalidArgument);
  // Nothing was added.
  EXPECT_EQ(router.Route("GET", "/v1/x").status, 404u);
}

TEST(RouterAdd, RefusesRoutesMatchingTheSamePaths) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/v1/s/{id}", Named("a")).ok());
  EXPECT_EQ(router.Add("GET", "/v1/s/{other}", Named("b")).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(router.Add("GET", "/v1/s/{id=*}", Named("b")).code(), absl::StatusCode::kAlreadyExists);
  // Another method, verb or literal is another route.
  EXPECT_TRUE(router.Add("POST", "/v1/s/{id}", Named("c")).ok());
  EXPECT_TRUE(router.Add("GET", "/v1/s/{id}:watch", Named("d")).ok());
  EXPECT_TRUE(router.Add("GET", "/v1/s/x", Named("e")).ok());
  EXPECT_TRUE(router.Add("GET", "/", Named("root")).ok());
  EXPECT_EQ(Winner(router.Route("GET", "/")), "root");
}

TEST(PercentDecode, DecodesAndRefusesMalformedEscapes) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(PercentDecode("", false), "");
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%a", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0", false), std::nullopt);
  EXPECT_EQ(PercentDecode("a%00", false), std::nullopt);
}

}  // namespace
}  // namespace unitclock::http

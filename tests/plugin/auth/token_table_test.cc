#include "plugin/auth/token_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace unitclock::auth {
namespace {

using ::testing::HasSubstr;

const std::string kHashOfSecret = Sha256Hex("s3cret");

std::string File(const std::string& entries) {
  return R"({"version": 1, "tokens": [)" + entries + "]}";
}

std::string Entry(const std::string& id, const std::string& platform, const std::string& roles,
                  const std::string& hash = kHashOfSecret) {
  return R"({"id": ")" + id + R"(", "platform": ")" + platform + R"(", "roles": [)" + roles +
         R"(], "sha256": ")" + hash + R"("})";
}

TEST(Sha256Hex, MatchesAKnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenTable, AuthenticatesAKnownBearerTokenAndNothingElse) {
  auto table = TokenTable::Parse(File(Entry("web", "acme", R"("platform", "reviewer")")), "t.json");
  ASSERT_TRUE(table.ok()) << table.status();
  auto caller = table->Authenticate("Bearer s3cret");
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->token_id, "web");
  EXPECT_EQ(caller->platform, "acme");
  EXPECT_TRUE(caller->Has(Role::kPlatform));
  EXPECT_TRUE(caller->Has(Role::kReviewer));
  EXPECT_FALSE(caller->Has(Role::kBilling));
  for (const char* bad : {"Bearer s3cre", "Bearer s3cret ", "bearer s3cret", "s3cret", "Bearer "}) {
    auto refused = table->Authenticate(std::string_view(bad));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated) << bad;
    EXPECT_THAT(refused.status().message(), ::testing::Not(HasSubstr("s3cre"))) << bad;
  }
  EXPECT_EQ(table->Authenticate(std::nullopt).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(table->Authenticate("Bearer " + std::string(600, 'x')).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(TokenTable, AdminMayDoEverythingAndAnAllPlatformAdminMustNameOne) {
  auto table = TokenTable::Parse(File(Entry("ops", "*", R"("admin")")), "t.json");
  ASSERT_TRUE(table.ok()) << table.status();
  auto admin = *table->Authenticate("Bearer s3cret");
  EXPECT_TRUE(admin.Has(Role::kBilling));
  EXPECT_TRUE(RequireRole(admin, {Role::kReviewer}, "ReviewSuggestion").ok());
  EXPECT_EQ(ActingPlatform(admin, "", "platform").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*ActingPlatform(admin, "acme", "platform"), "acme");
  EXPECT_TRUE(MaySee(admin, "anyone"));
}

TEST(TokenTable, APlatformTokenActsOnItsOwnPlatformOnly) {
  Caller caller{"web", "acme", {Role::kPlatform}};
  EXPECT_EQ(*ActingPlatform(caller, "", "platform"), "acme");
  EXPECT_EQ(*ActingPlatform(caller, "acme", "platform"), "acme");
  auto other = ActingPlatform(caller, "globex", "patient_day.platform");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(other.status().message(), HasSubstr("patient_day.platform:"));
  EXPECT_FALSE(MaySee(caller, "globex"));
  auto denied = RequireRole(caller, {Role::kReviewer, Role::kBilling}, "ListSuggestions");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(),
            "ListSuggestions: needs a token with role reviewer or billing (token \"web\" has none "
            "of them)");
}

TEST(TokenTable, RejectsMalformedFilesNamingTheEntryAndTheProblem) {
  struct Case {
    std::string json;
    std::string message;
  };
  const Case cases[] = {
      {"not json", "t.json: not valid JSON"},
      {R"({"version": 2, "tokens": []})", "t.json: version: required, must be 1"},
      {R"({"version": 1})", "t.json: tokens: required, an array"},
      {R"({"version": 1, "tokens": [], "extra": 1})", "t.json: extra: unknown key"},
      {File(Entry("a", "acme", R"("platform")", "s3cret")), "t.json: tokens[0].sha256: must be 64"},
      {File(Entry("a", "acme", R"("root")")), "t.json: tokens[0].roles: each must be one of"},
      {File(Entry("a", "acme", "")), "t.json: tokens[0].roles: required, a non-empty array"},
      {File(Entry("a", "", R"("platform")")), "t.json: tokens[0].platform: required"},
      {File(Entry("a", "*", R"("admin", "platform")")),
       "t.json: tokens[0].platform: \"*\" (every platform) is for tokens whose only role is"},
      {File(Entry("a", "acme", R"("platform")") + "," +
            Entry("a", "acme", R"("platform")", Sha256Hex("other"))),
       "t.json: tokens[1].id: \"a\" is used by an earlier token"},
      {File(Entry("a", "acme", R"("platform")") + "," + Entry("b", "acme", R"("platform")")),
       "t.json: tokens[1].sha256: the same hash as an earlier token"},
      {File(R"({"id": "a", "platform": "acme", "roles": ["platform"], "sha256": ")" +
            kHashOfSecret + R"(", "token": "s3cret"})"),
       "t.json: tokens[0].token: unknown key"},
  };
  for (const Case& c : cases) {
    auto table = TokenTable::Parse(c.json, "t.json");
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(table.status().message(), HasSubstr(c.message)) << c.json;
  }
  EXPECT_EQ(TokenTable::Load("/no/such/tokens.json").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace unitclock::auth

#include "plugin/auth/token_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "plugin/auth/token_table.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TokenEntry Entry(const std::string& id, const std::string& platform, std::set<Role> roles,
                 const std::string& token) {
  return TokenEntry{id, platform, std::move(roles), Sha256Hex(token)};
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(NewToken, Is64HexDigitsAndNewEachTime) {
  auto a = NewToken();
  auto b = NewToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_THAT(*a, MatchesRegex("[0-9a-f]{64}"));
  EXPECT_NE(*a, *b);
}

TEST(ParseRoleList, TakesKnownRolesOnly) {
  auto roles = ParseRoleList("reviewer,billing");
  ASSERT_TRUE(roles.ok()) << roles.status();
  EXPECT_EQ(*roles, (std::set<Role>{Role::kReviewer, Role::kBilling}));
  for (const char* bad : {"", "platform,", "owner", "platform,,billing", "Platform"}) {
    EXPECT_EQ(ParseRoleList(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(AddTokenEntry, WritesAFileTheTokenTableReadsOneTokenPerLine) {
  auto first = AddTokenEntry("", "t.json", Entry("web", "acme", {Role::kPlatform}, "one"));
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = AddTokenEntry(*first, "t.json",
                              Entry("desk", "acme", {Role::kBilling, Role::kReviewer}, "two"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second,
            "{\"version\": 1, \"tokens\": [\n"
            "  {\"id\": \"web\", \"platform\": \"acme\", \"roles\": [\"platform\"], "
            "\"sha256\": \"" +
                Sha256Hex("one") +
                "\"},\n"
                "  {\"id\": \"desk\", \"platform\": \"acme\", \"roles\": [\"reviewer\", "
                "\"billing\"], \"sha256\": \"" +
                Sha256Hex("two") +
                "\"}\n"
                "]}\n");
  auto table = TokenTable::Parse(*second, "t.json");
  ASSERT_TRUE(table.ok()) << table.status();
  auto caller = table->Authenticate("Bearer two");
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->token_id, "desk");
  EXPECT_TRUE(caller->Has(Role::kBilling));
  EXPECT_FALSE(caller->Has(Role::kPlatform));
}

TEST(AddTokenEntry, KeepsAHandWrittenFilesTokens) {
  const std::string by_hand = R"({"tokens": [{"sha256": ")" + Sha256Hex("old") +
                              R"(", "roles": ["admin"], "platform": "*", "id": "ops"}],
                                  "version": 1})";
  auto text = AddTokenEntry(by_hand, "t.json", Entry("web", "acme", {Role::kPlatform}, "new"));
  ASSERT_TRUE(text.ok()) << text.status();
  auto table = TokenTable::Parse(*text, "t.json");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 2u);
  EXPECT_TRUE(table->Authenticate("Bearer old").ok());
  EXPECT_TRUE(table->Authenticate("Bearer new").ok());
}

TEST(AddTokenEntry, RefusesWhatUnitclockdWouldRefuse) {
  auto file = AddTokenEntry("", "t.json", Entry("web", "acme", {Role::kPlatform}, "one"));
  ASSERT_TRUE(file.ok());
  struct Case {
    std::string current;
    TokenEntry entry;
    std::string message;
  };
  const Case cases[] = {
      {*file, Entry("web", "acme", {Role::kReviewer}, "two"), "already has a token \"web\""},
      {"", Entry("we b", "acme", {Role::kPlatform}, "x"), "id: \"we b\": letters, digits"},
      {"", Entry("", "acme", {Role::kPlatform}, "x"), "id: \"\""},
      {"", Entry("web", "ac\"me", {Role::kPlatform}, "x"), "platform: \"ac\"me\""},
      {"", Entry("ops", "*", {Role::kAdmin, Role::kBilling}, "x"), "\"*\" (every platform)"},
      {"", Entry("web", "acme", {}, "x"), "roles: required"},
      {"[1]", Entry("web", "acme", {Role::kPlatform}, "x"), "t.json: must be a JSON object"},
      {"{\"version\": 1, \"tokens\": [\n", Entry("web", "acme", {Role::kPlatform}, "x"),
       "t.json: not valid JSON"},
  };
  for (const Case& c : cases) {
    auto text = AddTokenEntry(c.current, "t.json", c.entry);
    EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(text.status().message(), HasSubstr(c.message));
  }
}

TEST(AddTokenToFile, CreatesThenExtendsTheFileKeepingItsMode) {
  testing::TempDir dir;
  const std::string path = dir.File("etc/tokens.json");
  ASSERT_TRUE(AddTokenToFile(path, Entry("web", "acme", {Role::kPlatform}, "one")).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // As the package makes it: readable by unitclockd's group.
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  ASSERT_TRUE(AddTokenToFile(path, Entry("desk", "acme", {Role::kReviewer}, "two")).ok());
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  auto table = TokenTable::Load(path);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  const std::string before = Read(path);
  const absl::Status taken = AddTokenToFile(path, Entry("web", "acme", {Role::kPlatform}, "x"));
  EXPECT_EQ(taken.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Read(path), before);
}

}  // namespace
}  // namespace unitclock::auth

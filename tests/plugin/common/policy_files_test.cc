#include "plugin/common/policy_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/testing/temp_dir.h"

namespace unitclock::common {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Key;

// A copy of the shipped folder in a temporary one, to break a file at will.
class PolicyFolderTest : public ::testing::Test {
 protected:
  PolicyFolderTest() { fs::copy(UNITCLOCK_POLICY_DIR, folder(), fs::copy_options::recursive); }

  std::string folder() const { return dir_.File("policies"); }
  std::string PayerFile(const std::string& name) const {
    return (fs::path(folder()) / "payers" / name).string();
  }

  testing::TempDir dir_;
};

TEST(LoadPolicyFolder, LoadsTheShippedFolder) {
  const auto set = LoadPolicyFolder(UNITCLOCK_POLICY_DIR);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->timeline.idle_threshold, std::chrono::minutes(3));
  EXPECT_EQ(set->catalogue.entries().size(), 29u);
  ASSERT_NE(set->catalogue.Find("97130"), nullptr);
  EXPECT_EQ(set->catalogue.Find("97130")->initial_code, "97129");
  EXPECT_THAT(set->payers, ElementsAre(Key("acme-health"), Key("commercial-cpt"), Key("medicare")));
  ASSERT_NE(set->FindPayer("acme-health"), nullptr);
  EXPECT_EQ(set->FindPayer("acme-health")->telehealth_audio_video_modifier, "GT");
}

TEST(LoadPolicyFolder, AMissingFolderIsNotFound) {
  const auto set = LoadPolicyFolder("/no/such/folder");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(set.status().message()), "\"/no/such/folder\" is not a folder");
}

TEST_F(PolicyFolderTest, AddingAPayerIsAddingAFile) {
  fs::copy_file(PayerFile("acme-health.json"), PayerFile("zenith.json"));
  std::string text;
  {
    std::ifstream in(PayerFile("zenith.json"));
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("\"acme-health\""), 13, "\"zenith\"");
  std::ofstream(PayerFile("zenith.json")) << text;
  const auto set = LoadPolicyFolder(folder());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_NE(set->FindPayer("zenith"), nullptr);
  EXPECT_EQ(set->payers.size(), 4u);
}

TEST_F(PolicyFolderTest, ABrokenPayerFileIsNamedByItsPath) {
  std::ofstream(PayerFile("broken.json")) << "{\"format_version\": 1,";
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(set.status().message()), PayerFile("broken.json") + ": not valid JSON");
}

TEST_F(PolicyFolderTest, APayerIdOtherThanTheFileNameIsAnError) {
  fs::rename(PayerFile("acme-health.json"), PayerFile("acme.json"));
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(
      std::string(set.status().message()),
      PayerFile("acme.json") + ": payer_id: \"acme-health\" must equal the file name \"acme\"");
}

TEST_F(PolicyFolderTest, AnEmptyPayersFolderIsAnError) {
  for (const char* name : {"acme-health.json", "commercial-cpt.json", "medicare.json"}) {
    fs::remove(PayerFile(name));
  }
  std::ofstream(PayerFile("README.txt")) << "not a policy";
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(set.status().message()), HasSubstr("no payer policies"));
  EXPECT_THAT(std::string(set.status().message()),
              HasSubstr((fs::path(folder()) / "payers").string()));
}

TEST_F(PolicyFolderTest, AMissingPayersFolderIsAnError) {
  fs::remove_all(fs::path(folder()) / "payers");
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(std::string(set.status().message()), HasSubstr("no payer policies"));
}

TEST_F(PolicyFolderTest, AMissingFileIsNamedByItsPath) {
  const std::string codes = (fs::path(folder()) / "codes.json").string();
  fs::remove(codes);
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(set.status().message()), "cannot read \"" + codes + "\"");
}

TEST_F(PolicyFolderTest, ABadCatalogueIsNamedByItsPath) {
  const std::string codes = (fs::path(folder()) / "codes.json").string();
  std::ofstream(codes) << R"({"format_version": 2, "codes": []})";
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(std::string(set.status().message()), codes + ": format_version: must be 1");
}

}  // namespace
}  // namespace unitclock::common

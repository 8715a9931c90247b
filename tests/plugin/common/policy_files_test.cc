#include "plugin/common/policy_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
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
  std::string QuarterFile(const std::string& quarter, const std::string& name) const {
    return (fs::path(folder()) / "ncci" / quarter / name).string();
  }
  std::string QuarterFolder(const std::string& quarter) const {
    return (fs::path(folder()) / "ncci" / quarter).string();
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Lines in `path` (the number of the next line appended).
  static int LineCount(const std::string& path) {
    const std::string text = Read(path);
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

  testing::TempDir dir_;
};

TEST(LoadPolicyFolder, LoadsTheShippedFolder) {
  const auto set = LoadPolicyFolder(UNITCLOCK_POLICY_DIR);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->timeline.idle_threshold, std::chrono::minutes(3));
  EXPECT_EQ(set->catalogue.entries().size(), 39u);  // 29 visit codes, 10 RTM codes
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

TEST(LoadPolicyFolder, LoadsTheRemoteMonitoringRules) {
  const auto set = LoadPolicyFolder(UNITCLOCK_POLICY_DIR);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->monitoring.period_days, 30);
  ASSERT_NE(set->monitoring.Find("98980"), nullptr);
  EXPECT_EQ(set->monitoring.Find("98980")->minutes, 20);
  ASSERT_TRUE(set->FindPayer("medicare")->remote_monitoring.has_value());
  EXPECT_FALSE(set->FindPayer("acme-health")->remote_monitoring.has_value());
}

TEST_F(PolicyFolderTest, TheMonitoringRulesAreRequired) {
  const std::string monitoring = (fs::path(folder()) / "monitoring.json").string();
  fs::remove(monitoring);
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(set.status().message()), "cannot read \"" + monitoring + "\"");
}

TEST_F(PolicyFolderTest, AMonitoringCodeMissingFromTheCatalogueIsAnError) {
  const std::string monitoring = (fs::path(folder()) / "monitoring.json").string();
  std::string text = Read(monitoring);
  const std::string from = "\"code\": \"98975\"";
  text.replace(text.find(from), from.size(), "\"code\": \"98974\"");
  std::ofstream(monitoring) << text;
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(std::string(set.status().message()),
            monitoring + ": codes[0] (98974): not in the code catalogue (codes.json)");
}

core::Day D(int y, unsigned m, unsigned d) {
  return core::Day(std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m),
                                               std::chrono::day(d)});
}

constexpr const char* kQ4Ptp = "ccipra-v324r0-f1.txt";
constexpr const char* kQ4Mue = "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv";

TEST(LoadPolicyFolder, LoadsTheShippedNcciQuarters) {
  const auto set = LoadPolicyFolder(UNITCLOCK_POLICY_DIR);
  ASSERT_TRUE(set.ok()) << set.status();
  const core::EditTables& edits = set->edits;
  ASSERT_EQ(edits.quarters().size(), 2u);
  EXPECT_EQ(edits.quarters()[0].name, "2026q3");
  EXPECT_EQ(edits.quarters()[0].window.from, D(2026, 7, 1));
  EXPECT_EQ(edits.quarters()[0].window.to, D(2026, 9, 30));
  EXPECT_EQ(edits.quarters()[1].name, "2026q4");
  EXPECT_EQ(edits.quarters()[1].window.from, D(2026, 10, 1));
  EXPECT_EQ(edits.quarters()[1].window.to, D(2026, 12, 31));
  ASSERT_NE(edits.QuarterFor(D(2026, 11, 27)), nullptr);
  EXPECT_EQ(edits.QuarterFor(D(2026, 11, 27))->name, "2026q4");
  EXPECT_EQ(edits.QuarterFor(D(2027, 1, 1)), nullptr);

  for (const core::Day day : {D(2026, 8, 14), D(2026, 11, 27)}) {
    // 97140 is column 1 of its pair with 97530, asked in either order.
    const core::PtpEdit* manual = edits.FindPtp("97530", "97140", day);
    ASSERT_NE(manual, nullptr);
    EXPECT_EQ(manual->column1, "97140");
    EXPECT_EQ(manual->column2, "97530");
    EXPECT_EQ(manual->indicator, core::PtpModifierIndicator::kAllowed);
    const core::PtpEdit* gait = edits.FindPtp("97116", "97530", day);
    ASSERT_NE(gait, nullptr);
    EXPECT_EQ(gait->column1, "97530");
    for (const char* code : {"97110", "97112", "97116", "97530"}) {
      const core::PtpEdit* group = edits.FindPtp(code, "97150", day);
      ASSERT_NE(group, nullptr) << code;
      EXPECT_EQ(group->column1, "97150");
      EXPECT_EQ(group->indicator, core::PtpModifierIndicator::kAllowed);
    }
    const core::PtpEdit* evaluations = edits.FindPtp("97161", "97163", day);
    ASSERT_NE(evaluations, nullptr);
    EXPECT_EQ(evaluations->indicator, core::PtpModifierIndicator::kNotAllowed);
    EXPECT_EQ(edits.FindPtp("97110", "97112", day), nullptr);
    for (const char* code : {"97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168",
                             "92521", "92522", "92523", "92524"}) {
      ASSERT_NE(edits.FindMue(code, day), nullptr) << code;
      EXPECT_EQ(edits.FindMue(code, day)->units, 1) << code;
    }
  }
}

TEST_F(PolicyFolderTest, NoNcciFolderMeansNoEdits) {
  fs::remove_all(fs::path(folder()) / "ncci");
  const auto set = LoadPolicyFolder(folder());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->edits.empty());
  // A payer asks for CMS's edits all the same: the coding engine warns per day.
  ASSERT_NE(set->FindPayer("medicare"), nullptr);
  EXPECT_TRUE(set->FindPayer("medicare")->ncci_edits);
}

TEST_F(PolicyFolderTest, ABrokenQuarterFileIsNamedByItsPath) {
  const std::string path = QuarterFile("2026q4", "quarter.json");
  std::ofstream(path) << R"({"format_version": 1, "from": "2026-10-01", "to": "2026-12-31",
    "source": "CMS", "typo": 1})";
  auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(set.status().message()), path + ": typo: unknown key");

  std::ofstream(path) << R"({"format_version": 1, "from": "2026-10-01", "to": "2026-09-30",
    "source": "CMS"})";
  set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(std::string(set.status().message()),
            path + ": to: 2026-09-30 is before from 2026-10-01");

  std::ofstream(path) << R"({"format_version": 1, "from": "2026-10-01", "to": null,
    "source": "CMS"})";
  set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(std::string(set.status().message()), path + ": to: must be a string");

  fs::remove(path);
  set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(set.status().message()), "cannot read \"" + path + "\"");
}

TEST_F(PolicyFolderTest, OverlappingQuartersNameBothFolders) {
  std::ofstream(QuarterFile("2026q3", "quarter.json"))
      << R"({"format_version": 1, "from": "2026-07-01", "to": "2026-10-15", "source": "CMS"})";
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(set.status().message()),
            "NCCI quarters overlap: \"" + QuarterFolder("2026q3") +
                "\" (2026-07-01 to 2026-10-15) and \"" + QuarterFolder("2026q4") +
                "\" (2026-10-01 to 2026-12-31)");
}

TEST_F(PolicyFolderTest, ABadPtpRowIsNamedByFileAndLine) {
  const std::string path = QuarterFile("2026q4", kQ4Ptp);
  const int line = LineCount(path) + 1;
  std::ofstream(path, std::ios::app) << "97110\t97530\t\t2026131\t*\t1\tx\n";
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      std::string(set.status().message()),
      path + ": line " + std::to_string(line) + ": effective date: \"2026131\" is not YYYYMMDD");
}

TEST_F(PolicyFolderTest, ABadMueRowIsNamedByFileAndLine) {
  const std::string path = QuarterFile("2026q4", kQ4Mue);
  const int line = LineCount(path) + 1;
  std::ofstream(path, std::ios::app) << "97110,4,\"3 Date of Service Edit: Clinical\",x\n";
  const auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(std::string(set.status().message()),
              HasSubstr(path + ": line " + std::to_string(line) +
                        ": HCPCS/CPT code: \"97110\" appears twice"));
}

TEST_F(PolicyFolderTest, PtpPartsAreReadTogether) {
  // CMS splits the table into parts: each is read, a pair in two is an error.
  const std::string part2 = QuarterFile("2026q4", "ccipra-v324r0-f2.txt");
  std::ofstream(part2) << "Column 1\tColumn 2\n97760\t97763\t\t20180101\t*\t1\tx\n";
  auto set = LoadPolicyFolder(folder());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_NE(set->edits.FindPtp("97763", "97760", D(2026, 12, 1)), nullptr);
  EXPECT_EQ(set->edits.FindPtp("97763", "97760", D(2026, 9, 1)), nullptr);

  std::ofstream(part2, std::ios::app) << "97140\t97530\t\t20200101\t*\t1\tx\n";
  set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(std::string(set.status().message()),
            part2 + ": 97140/97530 effective 2020-01-01: the pair is in \"" +
                QuarterFile("2026q4", kQ4Ptp) + "\" too");
}

TEST_F(PolicyFolderTest, AQuarterNeedsItsPtpAndMueFiles) {
  fs::remove(QuarterFile("2026q4", kQ4Mue));
  auto set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(set.status().message()),
            "\"" + QuarterFolder("2026q4") +
                "\" must hold one practitioner MUE file (*practitioner*.csv), not 0");

  fs::remove(QuarterFile("2026q3", "ccipra-v323r0-f1.txt"));
  set = LoadPolicyFolder(folder());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(std::string(set.status().message()),
            "\"" + QuarterFolder("2026q3") + "\" holds no practitioner PTP file (ccipra*.txt)");
}

}  // namespace
}  // namespace unitclock::common

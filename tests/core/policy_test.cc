#include "core/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace unitclock::core {
namespace {

using namespace std::chrono_literals;
using std::chrono::April;
using std::chrono::December;
using std::chrono::February;
using std::chrono::January;
using std::chrono::November;

std::string ReadPolicyFile(const std::string& name) {
  std::ifstream in(std::string(UNITCLOCK_POLICY_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

CodeCatalogue ShippedCatalogue() {
  auto catalogue = ParseCodeCatalogue(ReadPolicyFile("codes.json"), "codes.json");
  EXPECT_TRUE(catalogue.ok()) << catalogue.status();
  return catalogue.ok() ? *catalogue : CodeCatalogue();
}

PayerPolicy ShippedPayer(const std::string& payer_id) {
  const std::string name = "payers/" + payer_id + ".json";
  auto payer = ParsePayerPolicy(ReadPolicyFile(name), name, ShippedCatalogue());
  EXPECT_TRUE(payer.ok()) << payer.status();
  return payer.ok() ? *payer : PayerPolicy();
}

constexpr Day DayOf(std::chrono::year_month_day date) { return Day(date); }

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// --- The shipped files -------------------------------------------------------

TEST(ShippedPolicies, TheCatalogueHoldsTheEightTherapyCodes) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  std::vector<std::string> codes;
  for (const CodeEntry& entry : catalogue.entries()) codes.push_back(entry.code);
  EXPECT_THAT(codes, ::testing::ElementsAre("97110", "97112", "97116", "97124", "97140", "97150",
                                            "97530", "97535"));
  ASSERT_NE(catalogue.Find("97150"), nullptr);
  EXPECT_FALSE(catalogue.Find("97150")->timed);
  EXPECT_TRUE(catalogue.Find("97110")->timed);
  EXPECT_EQ(catalogue.Find("97999"), nullptr);
}

TEST(ShippedPolicies, MassageIs97124AndExerciseIs97110) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  ASSERT_NE(catalogue.ForKind(ActivityKind::kMassage), nullptr);
  EXPECT_EQ(catalogue.ForKind(ActivityKind::kMassage)->code, "97124");
  EXPECT_THAT(catalogue.Find("97124")->description, ::testing::HasSubstr("Massage"));
  EXPECT_THAT(catalogue.Find("97110")->description, ::testing::HasSubstr("Therapeutic exercise"));
}

TEST(ShippedPolicies, EveryActivityKindMapsToItsCode) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  const std::pair<ActivityKind, const char*> expected[] = {
      {ActivityKind::kTherapeuticExercise, "97110"},
      {ActivityKind::kNeuromuscularReeducation, "97112"},
      {ActivityKind::kGaitTraining, "97116"},
      {ActivityKind::kMassage, "97124"},
      {ActivityKind::kManualTherapy, "97140"},
      {ActivityKind::kGroupTherapy, "97150"},
      {ActivityKind::kTherapeuticActivities, "97530"},
      {ActivityKind::kSelfCare, "97535"},
  };
  for (const auto& [kind, code] : expected) {
    const CodeEntry* entry = catalogue.ForKind(kind);
    ASSERT_NE(entry, nullptr) << ActivityKindName(kind);
    EXPECT_EQ(entry->code, code) << ActivityKindName(kind);
  }
  EXPECT_EQ(catalogue.ForKind(ActivityKind::kUnspecified), nullptr);
}

TEST(ShippedPolicies, HandsOnCodesAreNeverOnTheTelehealthList) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  for (const char* code : {"97124", "97140"}) {
    ASSERT_NE(catalogue.Find(code), nullptr);
    EXPECT_TRUE(catalogue.Find(code)->hands_on) << code;
    EXPECT_TRUE(catalogue.Find(code)->telehealth_list.empty()) << code;
    EXPECT_FALSE(
        AnyWindowContains(catalogue.Find(code)->telehealth_list, DayOf(2026y / November / 27)));
  }
}

TEST(ShippedPolicies, TheTelehealthListIsDatedFromThePublicHealthEmergency) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  const CodeEntry* exercise = catalogue.Find("97110");
  ASSERT_NE(exercise, nullptr);
  EXPECT_TRUE(AnyWindowContains(exercise->telehealth_list, DayOf(2026y / November / 27)));
  EXPECT_TRUE(AnyWindowContains(exercise->telehealth_list, DayOf(2020y / 3 / 1)));
  EXPECT_FALSE(AnyWindowContains(exercise->telehealth_list, DayOf(2020y / February / 29)));
}

TEST(ShippedPolicies, SelfCareAloneMakesSenseAudioOnly) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  for (const CodeEntry& entry : catalogue.entries()) {
    EXPECT_EQ(entry.needs_video, entry.code != "97535") << entry.code;
  }
}

TEST(ShippedPolicies, MedicarePoolsMinutesAndAddsTheMedicareModifiers) {
  const PayerPolicy medicare = ShippedPayer("medicare");
  EXPECT_EQ(medicare.payer_id, "medicare");
  EXPECT_FALSE(medicare.sample);
  EXPECT_EQ(medicare.unit_method, UnitMethod::kMedicarePooled);
  EXPECT_EQ(medicare.rounding, SecondsRounding::kFloor);
  EXPECT_EQ(medicare.discipline_modifier.at(Discipline::kPhysicalTherapy), "GP");
  EXPECT_EQ(medicare.discipline_modifier.at(Discipline::kOccupationalTherapy), "GO");
  EXPECT_EQ(medicare.discipline_modifier.at(Discipline::kSpeechLanguage), "GN");
  EXPECT_EQ(medicare.telehealth_audio_video_modifier, "95");
  EXPECT_EQ(medicare.telehealth_audio_only_modifier, "93");
  EXPECT_EQ(medicare.assistant_modifier.at(Discipline::kPhysicalTherapy), "CQ");
  EXPECT_EQ(medicare.assistant_modifier.at(Discipline::kOccupationalTherapy), "CO");
  EXPECT_EQ(medicare.assistant_modifier.count(Discipline::kSpeechLanguage), 0u);
  EXPECT_EQ(medicare.assistant_de_minimis_percent, 10);
  EXPECT_EQ(medicare.threshold_modifier, "KX");
  EXPECT_EQ(medicare.pos_home, "10");
  EXPECT_EQ(medicare.pos_other, "02");
  EXPECT_EQ(medicare.ncci_pairs.size(), 5u);
  EXPECT_EQ(medicare.ncci_pairs[0], (NcciPair{"97530", "97140", "XU"}));
  EXPECT_EQ(medicare.mue_caps.at("97150"), 1);
}

TEST(ShippedPolicies, MedicareTherapistTelehealthFollowsTheDatedWindows) {
  const PayerPolicy medicare = ShippedPayer("medicare");
  const auto covered = [&medicare](Day day) {
    return AnyWindowContains(medicare.therapist_telehealth, day);
  };
  EXPECT_FALSE(covered(DayOf(2020y / February / 29)));
  EXPECT_TRUE(covered(DayOf(2020y / 3 / 1)));
  EXPECT_TRUE(covered(DayOf(2025y / 9 / 30)));
  EXPECT_TRUE(covered(DayOf(2025y / 10 / 1)));  // restored retroactively
  EXPECT_TRUE(covered(DayOf(2026y / January / 30)));
  EXPECT_TRUE(covered(DayOf(2026y / January / 31)));  // CAA 2026, retroactive
  EXPECT_TRUE(covered(DayOf(2027y / December / 31)));
  EXPECT_FALSE(covered(DayOf(2028y / January / 1)));
}

TEST(ShippedPolicies, MedicareThresholdsAreByYear) {
  const PayerPolicy medicare = ShippedPayer("medicare");
  ASSERT_NE(medicare.ThresholdFor(2026), nullptr);
  EXPECT_EQ(medicare.ThresholdFor(2026)->pt_slp_cents, 248000);
  EXPECT_EQ(medicare.ThresholdFor(2026)->ot_cents, 248000);
  EXPECT_EQ(medicare.ThresholdFor(2026)->medical_review_cents, 300000);
  ASSERT_NE(medicare.ThresholdFor(2025), nullptr);
  EXPECT_EQ(*medicare.ThresholdFor(2025), (ThresholdYear{2025, 241000, 241000, 300000}));
  EXPECT_EQ(medicare.ThresholdFor(2024), nullptr);
}

TEST(ShippedPolicies, CommercialCptUsesTheMidpointRuleWithoutMedicareModifiers) {
  const PayerPolicy payer = ShippedPayer("commercial-cpt");
  EXPECT_TRUE(payer.sample);
  EXPECT_EQ(payer.unit_method, UnitMethod::kCptMidpoint);
  EXPECT_EQ(payer.telehealth_audio_video_modifier, "95");
  EXPECT_TRUE(payer.assistant_modifier.empty());
  EXPECT_EQ(payer.threshold_modifier, "");
  EXPECT_TRUE(payer.thresholds.empty());
  EXPECT_EQ(payer.pos_home, "10");
  EXPECT_EQ(payer.pos_other, "02");
  EXPECT_TRUE(AnyWindowContains(payer.therapist_telehealth, DayOf(2030y / April / 1)));
  EXPECT_FALSE(AnyWindowContains(payer.therapist_telehealth, DayOf(2020y / February / 29)));
}

TEST(ShippedPolicies, AcmeHealthAsksForGtInsteadOf95) {
  const PayerPolicy payer = ShippedPayer("acme-health");
  EXPECT_TRUE(payer.sample);
  EXPECT_EQ(payer.telehealth_audio_video_modifier, "GT");
  EXPECT_EQ(payer.unit_method, UnitMethod::kCptMidpoint);
}

// --- Days and windows --------------------------------------------------------

TEST(Day, ParsesOnlyRealCalendarDates) {
  EXPECT_EQ(ParseDay("2026-02-03"), DayOf(2026y / February / 3));
  EXPECT_EQ(ParseDay("2024-02-29"), DayOf(2024y / February / 29));  // leap year
  EXPECT_EQ(ParseDay("2000-02-29"), DayOf(2000y / February / 29));  // leap century
  EXPECT_EQ(ParseDay("2026-02-29"), std::nullopt);
  EXPECT_EQ(ParseDay("2026-02-30"), std::nullopt);
  EXPECT_EQ(ParseDay("1900-02-29"), std::nullopt);
  EXPECT_EQ(ParseDay("2026-04-31"), std::nullopt);
  EXPECT_EQ(ParseDay("2026-13-01"), std::nullopt);
  EXPECT_EQ(ParseDay("2026-00-10"), std::nullopt);
  EXPECT_EQ(ParseDay("2026-01-00"), std::nullopt);
  EXPECT_EQ(ParseDay("2026-1-05"), std::nullopt);
  EXPECT_EQ(ParseDay("2026/01/05"), std::nullopt);
  EXPECT_EQ(ParseDay("20260105"), std::nullopt);
  EXPECT_EQ(ParseDay(" 2026-01-05"), std::nullopt);
  EXPECT_EQ(ParseDay("2026-01-05 "), std::nullopt);
  EXPECT_EQ(ParseDay("2026-01-05T00:00"), std::nullopt);
  EXPECT_EQ(ParseDay("+026-01-05"), std::nullopt);
  EXPECT_EQ(ParseDay(""), std::nullopt);
}

TEST(Day, FormatsAsIsoDateAndRoundTrips) {
  EXPECT_EQ(FormatDay(DayOf(2026y / January / 31)), "2026-01-31");
  EXPECT_EQ(FormatDay(DayOf(999y / December / 1)), "0999-12-01");
  for (const char* text : {"2020-03-01", "2024-02-29", "2027-12-31"}) {
    ASSERT_TRUE(ParseDay(text).has_value());
    EXPECT_EQ(FormatDay(*ParseDay(text)), text);
  }
}

TEST(DateWindow, IncludesBothEndsAndMayBeOpenEnded) {
  const DateWindow closed{DayOf(2025y / 10 / 1), DayOf(2026y / January / 30), "test"};
  EXPECT_TRUE(closed.Contains(DayOf(2025y / 10 / 1)));
  EXPECT_TRUE(closed.Contains(DayOf(2026y / January / 30)));
  EXPECT_FALSE(closed.Contains(DayOf(2025y / 9 / 30)));
  EXPECT_FALSE(closed.Contains(DayOf(2026y / January / 31)));
  const DateWindow open{DayOf(2020y / 3 / 1), std::nullopt, "test"};
  EXPECT_TRUE(open.Contains(DayOf(2099y / December / 31)));
  EXPECT_FALSE(AnyWindowContains({}, DayOf(2026y / January / 1)));
  EXPECT_TRUE(AnyWindowContains({closed, open}, DayOf(2026y / January / 1)));
}

TEST(PolicyNames, AreStableLowerSnake) {
  EXPECT_STREQ(ActivityKindName(ActivityKind::kTherapeuticExercise), "therapeutic_exercise");
  EXPECT_STREQ(ActivityKindName(ActivityKind::kNeuromuscularReeducation),
               "neuromuscular_reeducation");
  EXPECT_STREQ(ActivityKindName(ActivityKind::kGaitTraining), "gait_training");
  EXPECT_STREQ(ActivityKindName(ActivityKind::kMassage), "massage");
  EXPECT_STREQ(ActivityKindName(ActivityKind::kManualTherapy), "manual_therapy");
  EXPECT_STREQ(ActivityKindName(ActivityKind::kTherapeuticActivities), "therapeutic_activities");
  EXPECT_STREQ(ActivityKindName(ActivityKind::kSelfCare), "self_care");
  EXPECT_STREQ(ActivityKindName(ActivityKind::kGroupTherapy), "group_therapy");
  EXPECT_STREQ(DisciplineName(Discipline::kPhysicalTherapy), "physical_therapy");
  EXPECT_STREQ(DisciplineName(Discipline::kOccupationalTherapy), "occupational_therapy");
  EXPECT_STREQ(DisciplineName(Discipline::kSpeechLanguage), "speech_language_pathology");
  EXPECT_STREQ(UnitMethodName(UnitMethod::kMedicarePooled), "medicare_pooled");
  EXPECT_STREQ(UnitMethodName(UnitMethod::kCptMidpoint), "cpt_midpoint");
}

TEST(CodeCatalogue, ACopyFindsInItsOwnEntries) {
  const CodeCatalogue original = ShippedCatalogue();
  CodeCatalogue copy = original;
  ASSERT_NE(copy.Find("97116"), nullptr);
  EXPECT_EQ(copy.Find("97116"), &copy.entries()[2]);
  EXPECT_EQ(copy.ForKind(ActivityKind::kSelfCare), &copy.entries()[7]);
  copy = CodeCatalogue();
  EXPECT_EQ(copy.Find("97116"), nullptr);
  EXPECT_EQ(copy.ForKind(ActivityKind::kSelfCare), nullptr);
}

TEST(PolicySet, FindsAPayerById) {
  PolicySet set;
  set.payers["medicare"].payer_id = "medicare";
  ASSERT_NE(set.FindPayer("medicare"), nullptr);
  EXPECT_EQ(set.FindPayer("medicare")->payer_id, "medicare");
  EXPECT_EQ(set.FindPayer("acme-health"), nullptr);
}

// --- Catalogue errors --------------------------------------------------------

constexpr const char* kCodes = R"({
  "format_version": 1,
  "description": "test",
  "codes": [
    {"code": "97110", "description": "Therapeutic exercise", "timed": true,
     "activity_kinds": ["therapeutic_exercise"], "disciplines": ["physical_therapy"],
     "hands_on": false, "needs_video": true,
     "telehealth_list": [{"from": "2020-03-01", "to": null, "source": "CMS"}]},
    {"code": "97116", "description": "Gait training", "timed": true,
     "activity_kinds": ["gait_training"], "disciplines": ["physical_therapy"],
     "hands_on": false, "needs_video": true, "telehealth_list": []}
  ]
})";

void ExpectCodesError(const std::string& json, const std::string& message) {
  const auto catalogue = ParseCodeCatalogue(json, "codes.json");
  ASSERT_FALSE(catalogue.ok()) << message;
  EXPECT_EQ(catalogue.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(catalogue.status().message()), message);
}

TEST(CodeCatalogueFile, TheTestCatalogueIsValid) {
  const auto catalogue = ParseCodeCatalogue(kCodes, "codes.json");
  ASSERT_TRUE(catalogue.ok()) << catalogue.status();
  EXPECT_EQ(catalogue->entries().size(), 2u);
  EXPECT_EQ(catalogue->ForKind(ActivityKind::kGaitTraining)->code, "97116");
}

TEST(CodeCatalogueFile, RejectsWhatIsNotAJsonObject) {
  ExpectCodesError("{", "codes.json: not valid JSON");
  ExpectCodesError("[]", "codes.json: must be a JSON object");
}

TEST(CodeCatalogueFile, RejectsAKeyTwiceInOneObject) {
  ExpectCodesError(Replace(kCodes, "\"timed\": true,", "\"timed\": true, \"timed\": false,"),
                   "codes.json: timed: appears twice in one object");
}

TEST(CodeCatalogueFile, RejectsUnknownKeys) {
  ExpectCodesError(Replace(kCodes, "\"codes\":", "\"code_list\":"),
                   "codes.json: code_list: unknown key");
  ExpectCodesError(Replace(kCodes, "\"hands_on\"", "\"handson\""),
                   "codes.json: codes[0] (97110): handson: unknown key");
}

TEST(CodeCatalogueFile, RejectsMissingRequiredKeys) {
  ExpectCodesError(Replace(kCodes, "\"format_version\": 1,", ""),
                   "codes.json: format_version: required");
  ExpectCodesError(Replace(kCodes, "\"timed\": true,", ""),
                   "codes.json: codes[0] (97110): timed: required");
}

TEST(CodeCatalogueFile, RejectsWrongTypes) {
  ExpectCodesError(Replace(kCodes, "\"timed\": true", "\"timed\": \"yes\""),
                   "codes.json: codes[0] (97110): timed: must be true or false");
  ExpectCodesError(Replace(kCodes, "[\"therapeutic_exercise\"]", "\"therapeutic_exercise\""),
                   "codes.json: codes[0] (97110): activity_kinds: must be an array");
  ExpectCodesError(Replace(kCodes, "\"Therapeutic exercise\"", "7"),
                   "codes.json: codes[0] (97110): description: must be a string");
  ExpectCodesError(Replace(kCodes, "\"source\": \"CMS\"", "\"source\": 1"),
                   "codes.json: codes[0] (97110): telehealth_list[0]: source: must be a string");
}

TEST(CodeCatalogueFile, RejectsAnotherFormatVersion) {
  ExpectCodesError(Replace(kCodes, "\"format_version\": 1", "\"format_version\": 2"),
                   "codes.json: format_version: must be 1");
}

TEST(CodeCatalogueFile, RejectsCodesThatAreNotFiveDigits) {
  ExpectCodesError(Replace(kCodes, "\"97110\"", "\"9711\""),
                   "codes.json: codes[0]: code: \"9711\" must be five digits");
  ExpectCodesError(Replace(kCodes, "\"97110\"", "\"9711A\""),
                   "codes.json: codes[0]: code: \"9711A\" must be five digits");
}

TEST(CodeCatalogueFile, RejectsADuplicateCode) {
  ExpectCodesError(Replace(kCodes, "\"97116\"", "\"97110\""),
                   "codes.json: codes[1] (97110): code: appears twice (codes[0] too)");
}

TEST(CodeCatalogueFile, RejectsAKindMappedByTwoCodes) {
  ExpectCodesError(Replace(kCodes, "\"gait_training\"", "\"therapeutic_exercise\""),
                   "codes.json: codes[1] (97116): activity_kinds: \"therapeutic_exercise\" is "
                   "already mapped to 97110");
}

TEST(CodeCatalogueFile, RejectsUnknownKindAndDisciplineNames) {
  ExpectCodesError(Replace(kCodes, "\"therapeutic_exercise\"", "\"exercise\""),
                   "codes.json: codes[0] (97110): activity_kinds: \"exercise\" is not an activity "
                   "kind");
  ExpectCodesError(Replace(kCodes, "\"physical_therapy\"", "\"pt\""),
                   "codes.json: codes[0] (97110): disciplines: \"pt\" is not a discipline");
  ExpectCodesError(Replace(kCodes, "[\"physical_therapy\"]", "[]"),
                   "codes.json: codes[0] (97110): disciplines: must name at least one discipline");
}

TEST(CodeCatalogueFile, RejectsBadDates) {
  ExpectCodesError(Replace(kCodes, "\"2020-03-01\"", "\"2026-02-30\""),
                   "codes.json: codes[0] (97110): telehealth_list[0]: from: \"2026-02-30\" is not "
                   "a valid date (YYYY-MM-DD)");
}

TEST(CodeCatalogueFile, RejectsAWindowThatEndsBeforeItStarts) {
  ExpectCodesError(Replace(kCodes, "\"to\": null", "\"to\": \"2020-02-01\""),
                   "codes.json: codes[0] (97110): telehealth_list[0]: to: 2020-02-01 is before "
                   "from 2020-03-01");
}

TEST(CodeCatalogueFile, RejectsOverlappingWindows) {
  ExpectCodesError(Replace(kCodes, "\"source\": \"CMS\"}",
                           "\"source\": \"CMS\"}, {\"from\": \"2019-01-01\", \"to\": "
                           "\"2020-03-01\", \"source\": \"x\"}"),
                   "codes.json: codes[0] (97110): telehealth_list[1]: overlaps telehealth_list[0]");
}

// --- Payer errors ------------------------------------------------------------

constexpr const char* kPayer = R"({
  "format_version": 1,
  "payer_id": "test-payer",
  "name": "Test payer",
  "description": "test",
  "sample": true,
  "unit_method": "medicare_pooled",
  "seconds_rounding": "floor",
  "modifiers": {
    "discipline": {"physical_therapy": "GP", "occupational_therapy": "GO",
                   "speech_language_pathology": "GN"},
    "telehealth_audio_video": "95",
    "telehealth_audio_only": "93",
    "assistant": {"physical_therapy": "CQ"},
    "assistant_de_minimis_percent": 10,
    "threshold": "KX"
  },
  "place_of_service": {"home": "10", "other": "02"},
  "therapist_telehealth": [
    {"from": "2020-03-01", "to": "2025-09-30", "source": "waiver"},
    {"from": "2025-10-01", "to": null, "source": "statute"}
  ],
  "therapy_thresholds": [
    {"year": 2026, "pt_slp_cents": 248000, "ot_cents": 248000, "medical_review_cents": 300000}
  ],
  "ncci_pairs": [{"column1": "97110", "column2": "97116", "modifier": "XU"}],
  "mue_caps": {"97110": 8},
  "telehealth_list": "cms"
})";

const CodeCatalogue& TestCatalogue() {
  static const CodeCatalogue* catalogue = new CodeCatalogue(*ParseCodeCatalogue(kCodes, "c"));
  return *catalogue;
}

void ExpectPayerError(const std::string& json, const std::string& message,
                      const std::string& source = "payers/test-payer.json") {
  const auto payer = ParsePayerPolicy(json, source, TestCatalogue());
  ASSERT_FALSE(payer.ok()) << message;
  EXPECT_EQ(payer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(payer.status().message()), message);
}

TEST(PayerPolicyFile, TheTestPayerIsValid) {
  const auto payer = ParsePayerPolicy(kPayer, "payers/test-payer.json", TestCatalogue());
  ASSERT_TRUE(payer.ok()) << payer.status();
  EXPECT_EQ(payer->payer_id, "test-payer");
  EXPECT_EQ(payer->assistant_modifier.size(), 1u);
  EXPECT_EQ(payer->therapist_telehealth.size(), 2u);
  EXPECT_EQ(payer->therapist_telehealth[1].to, std::nullopt);
  EXPECT_EQ(payer->therapist_telehealth[1].source, "statute");
  // Whatever folder the file is read from, only its name counts.
  EXPECT_TRUE(
      ParsePayerPolicy(kPayer, "/etc/unitclock/payers/test-payer.json", TestCatalogue()).ok());
}

TEST(PayerPolicyFile, RejectsAPayerIdOtherThanTheFileName) {
  ExpectPayerError(kPayer,
                   "payers/other.json: payer_id: \"test-payer\" must equal the file name "
                   "\"other\"",
                   "payers/other.json");
}

TEST(PayerPolicyFile, RejectsUnknownKeys) {
  ExpectPayerError(Replace(kPayer, "\"sample\"", "\"samples\""),
                   "payers/test-payer.json: samples: unknown key");
  ExpectPayerError(Replace(kPayer, "\"speech_language_pathology\"", "\"speech\""),
                   "payers/test-payer.json: modifiers.discipline.speech: unknown key");
  ExpectPayerError(
      Replace(kPayer, "{\"physical_therapy\": \"CQ\"}", "{\"speech_language_pathology\": \"CQ\"}"),
      "payers/test-payer.json: modifiers.assistant.speech_language_pathology: "
      "unknown key");
  ExpectPayerError(
      Replace(kPayer, "\"source\": \"waiver\"", "\"source\": \"waiver\", \"until\": 1"),
      "payers/test-payer.json: therapist_telehealth[0]: until: unknown key");
}

TEST(PayerPolicyFile, RejectsMissingRequiredKeys) {
  ExpectPayerError(Replace(kPayer, "\"sample\": true,", ""),
                   "payers/test-payer.json: sample: required");
  ExpectPayerError(Replace(kPayer, ", \"modifier\": \"XU\"", ""),
                   "payers/test-payer.json: ncci_pairs[0]: modifier: required");
  ExpectPayerError(Replace(kPayer, "\"assistant_de_minimis_percent\": 10,", ""),
                   "payers/test-payer.json: modifiers.assistant_de_minimis_percent: required "
                   "with assistant");
  ExpectPayerError(Replace(kPayer, "\"assistant\": {\"physical_therapy\": \"CQ\"},", ""),
                   "payers/test-payer.json: modifiers.assistant_de_minimis_percent: only with "
                   "assistant");
}

TEST(PayerPolicyFile, RejectsWrongTypes) {
  ExpectPayerError(Replace(kPayer, "\"sample\": true", "\"sample\": 1"),
                   "payers/test-payer.json: sample: must be true or false");
  ExpectPayerError(Replace(kPayer, "\"mue_caps\": {\"97110\": 8}", "\"mue_caps\": []"),
                   "payers/test-payer.json: mue_caps: must be an object");
  ExpectPayerError(Replace(kPayer, "\"97110\": 8", "\"97110\": \"8\""),
                   "payers/test-payer.json: mue_caps: 97110: must be an integer");
  ExpectPayerError(Replace(kPayer, "\"year\": 2026", "\"year\": 2026.5"),
                   "payers/test-payer.json: therapy_thresholds[0]: year: must be an integer");
}

TEST(PayerPolicyFile, RejectsAnotherFormatVersion) {
  ExpectPayerError(Replace(kPayer, "\"format_version\": 1", "\"format_version\": \"1\""),
                   "payers/test-payer.json: format_version: must be 1");
}

TEST(PayerPolicyFile, RejectsBadDates) {
  ExpectPayerError(Replace(kPayer, "\"2025-10-01\"", "\"2025-13-01\""),
                   "payers/test-payer.json: therapist_telehealth[1]: from: \"2025-13-01\" is not "
                   "a valid date (YYYY-MM-DD)");
  ExpectPayerError(Replace(kPayer, "\"2025-09-30\"", "\"2025-09-31\""),
                   "payers/test-payer.json: therapist_telehealth[0]: to: \"2025-09-31\" is not a "
                   "valid date (YYYY-MM-DD)");
}

TEST(PayerPolicyFile, RejectsAWindowThatEndsBeforeItStarts) {
  ExpectPayerError(Replace(kPayer, "\"2025-09-30\"", "\"2019-12-31\""),
                   "payers/test-payer.json: therapist_telehealth[0]: to: 2019-12-31 is before "
                   "from 2020-03-01");
}

TEST(PayerPolicyFile, RejectsOverlappingWindows) {
  ExpectPayerError(Replace(kPayer, "\"2025-10-01\"", "\"2025-09-30\""),
                   "payers/test-payer.json: therapist_telehealth[1]: overlaps "
                   "therapist_telehealth[0]");
}

TEST(PayerPolicyFile, RejectsMalformedModifiers) {
  ExpectPayerError(Replace(kPayer, "\"GP\"", "\"gp\""),
                   "payers/test-payer.json: modifiers.discipline.physical_therapy: \"gp\" must be "
                   "2 upper-case letters or digits");
  ExpectPayerError(Replace(kPayer, "\"95\"", "\"095\""),
                   "payers/test-payer.json: modifiers.telehealth_audio_video: \"095\" must be 2 "
                   "upper-case letters or digits (or empty for none)");
  ExpectPayerError(Replace(kPayer, "\"XU\"", "\"X\""),
                   "payers/test-payer.json: ncci_pairs[0]: modifier: \"X\" must be 2 upper-case "
                   "letters or digits");
  ExpectPayerError(Replace(kPayer, "\"GO\"", "\"\""),
                   "payers/test-payer.json: modifiers.discipline.occupational_therapy: \"\" must "
                   "be 2 upper-case letters or digits");
}

TEST(PayerPolicyFile, AnEmptyTelehealthOrThresholdModifierMeansNone) {
  std::string json = Replace(kPayer, "\"95\"", "\"\"");
  json = Replace(json, "\"KX\"", "\"\"");
  const auto payer = ParsePayerPolicy(json, "payers/test-payer.json", TestCatalogue());
  ASSERT_TRUE(payer.ok()) << payer.status();
  EXPECT_EQ(payer->telehealth_audio_video_modifier, "");
  EXPECT_EQ(payer->threshold_modifier, "");
}

TEST(PayerPolicyFile, RejectsAPlaceOfServiceThatIsNotTwoDigits) {
  ExpectPayerError(Replace(kPayer, "\"10\"", "\"1\""),
                   "payers/test-payer.json: place_of_service.home: \"1\" must be 2 digits");
  ExpectPayerError(Replace(kPayer, "\"02\"", "\"O2\""),
                   "payers/test-payer.json: place_of_service.other: \"O2\" must be 2 digits");
}

TEST(PayerPolicyFile, RejectsUnknownUnitMethodsAndRoundings) {
  ExpectPayerError(Replace(kPayer, "\"medicare_pooled\"", "\"medicare\""),
                   "payers/test-payer.json: unit_method: \"medicare\" must be medicare_pooled or "
                   "cpt_midpoint");
  ExpectPayerError(Replace(kPayer, "\"floor\"", "\"up\""),
                   "payers/test-payer.json: seconds_rounding: \"up\" must be floor or nearest");
}

TEST(PayerPolicyFile, RejectsAPercentOutsideZeroToHundred) {
  ExpectPayerError(Replace(kPayer, "\"assistant_de_minimis_percent\": 10",
                           "\"assistant_de_minimis_percent\": 101"),
                   "payers/test-payer.json: modifiers.assistant_de_minimis_percent: must be "
                   "between 0 and 100");
  ExpectPayerError(Replace(kPayer, "\"assistant_de_minimis_percent\": 10",
                           "\"assistant_de_minimis_percent\": -1"),
                   "payers/test-payer.json: modifiers.assistant_de_minimis_percent: must be "
                   "between 0 and 100");
}

TEST(PayerPolicyFile, RejectsAnMueCapBelowOne) {
  ExpectPayerError(Replace(kPayer, "\"97110\": 8", "\"97110\": 0"),
                   "payers/test-payer.json: mue_caps: 97110: must be at least 1");
}

TEST(PayerPolicyFile, RejectsAThresholdYearTwice) {
  ExpectPayerError(Replace(kPayer, "\"medical_review_cents\": 300000}",
                           "\"medical_review_cents\": 300000}, {\"year\": 2026, "
                           "\"pt_slp_cents\": 1, \"ot_cents\": 1, \"medical_review_cents\": 1}"),
                   "payers/test-payer.json: therapy_thresholds[1]: year: 2026 appears twice");
}

TEST(PayerPolicyFile, RejectsCodesAbsentFromTheCatalogue) {
  ExpectPayerError(Replace(kPayer, "\"column2\": \"97116\"", "\"column2\": \"97999\""),
                   "payers/test-payer.json: ncci_pairs[0]: column2: 97999: not in the code "
                   "catalogue");
  ExpectPayerError(Replace(kPayer, "\"97110\": 8", "\"97999\": 8"),
                   "payers/test-payer.json: mue_caps: 97999: not in the code catalogue");
}

TEST(PayerPolicyFile, RejectsAnNcciPairOfACodeWithItself) {
  ExpectPayerError(Replace(kPayer, "\"column2\": \"97116\"", "\"column2\": \"97110\""),
                   "payers/test-payer.json: ncci_pairs[0]: column2: 97110: same code as column1");
}

TEST(PayerPolicyFile, AcceptsOnlyTheCmsTelehealthList) {
  ExpectPayerError(Replace(kPayer, "\"telehealth_list\": \"cms\"", "\"telehealth_list\": \"own\""),
                   "payers/test-payer.json: telehealth_list: \"own\" must be \"cms\"");
}

}  // namespace
}  // namespace unitclock::core

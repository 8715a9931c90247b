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
  auto payer = ParsePayerPolicy(ReadPolicyFile(name), name);
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

TEST(ShippedPolicies, TheCatalogueHoldsTheEightActivityCodes) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  std::vector<std::string> codes;
  for (const CodeEntry& entry : catalogue.entries()) {
    if (!entry.activity_kinds.empty()) codes.push_back(entry.code);
  }
  EXPECT_THAT(codes, ::testing::ElementsAre("97110", "97112", "97116", "97124", "97140", "97150",
                                            "97530", "97535"));
  ASSERT_NE(catalogue.Find("97150"), nullptr);
  EXPECT_FALSE(catalogue.Find("97150")->timed);
  EXPECT_TRUE(catalogue.Find("97110")->timed);
  EXPECT_EQ(catalogue.Find("97999"), nullptr);
}

TEST(ShippedPolicies, TheCatalogueHoldsTheTelehealthTherapyCodesWithTheirTimedFlag) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  // 8 reached by activity kinds, 21 by cpt_code, 10 remote monitoring codes (monitoring.json)
  EXPECT_EQ(catalogue.entries().size(), 39u);
  const std::pair<const char*, bool> expected[] = {
      // Evaluations and re-evaluations, 92507: untimed.
      {"97161", false},
      {"97162", false},
      {"97163", false},
      {"97164", false},
      {"97165", false},
      {"97166", false},
      {"97167", false},
      {"97168", false},
      {"92521", false},
      {"92522", false},
      {"92523", false},
      {"92524", false},
      {"92507", false},
      // Timed, 15-minute units.
      {"97129", true},
      {"97130", true},
      {"97542", true},
      {"97750", true},
      {"97755", true},
      {"97760", true},
      {"97761", true},
      {"97763", true},
  };
  for (const auto& [code, timed] : expected) {
    const CodeEntry* entry = catalogue.Find(code);
    ASSERT_NE(entry, nullptr) << code;
    EXPECT_EQ(entry->timed, timed) << code;
    // Reached through an activity's cpt_code, never through a kind.
    EXPECT_TRUE(entry->activity_kinds.empty()) << code;
    EXPECT_FALSE(entry->telehealth_list.empty()) << code;
    for (const DateWindow& window : entry->telehealth_list) {
      EXPECT_THAT(window.source, ::testing::HasSubstr("CMS")) << code;
    }
  }
}

TEST(ShippedPolicies, AnEvaluationIsUntimedAndBilledByItsDiscipline) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  const CodeEntry* pt = catalogue.Find("97163");
  ASSERT_NE(pt, nullptr);
  EXPECT_FALSE(pt->timed);
  EXPECT_THAT(pt->disciplines, ::testing::ElementsAre(Discipline::kPhysicalTherapy));
  EXPECT_TRUE(pt->initial_code.empty());
  const CodeEntry* ot = catalogue.Find("97168");
  ASSERT_NE(ot, nullptr);
  EXPECT_FALSE(ot->timed);
  EXPECT_THAT(ot->disciplines, ::testing::ElementsAre(Discipline::kOccupationalTherapy));
  EXPECT_TRUE(AnyWindowContains(ot->telehealth_list, DayOf(2026y / November / 27)));
  const CodeEntry* slp = catalogue.Find("92522");
  ASSERT_NE(slp, nullptr);
  EXPECT_FALSE(slp->timed);
  EXPECT_THAT(slp->disciplines, ::testing::ElementsAre(Discipline::kSpeechLanguage));
}

TEST(ShippedPolicies, CognitiveInterventionsAddOnNamesItsInitialCode) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  const CodeEntry* add_on = catalogue.Find("97130");
  ASSERT_NE(add_on, nullptr);
  EXPECT_EQ(add_on->initial_code, "97129");
  EXPECT_TRUE(add_on->timed);
  const CodeEntry* initial = catalogue.Find(add_on->initial_code);
  ASSERT_NE(initial, nullptr);
  EXPECT_TRUE(initial->timed);
  EXPECT_TRUE(initial->initial_code.empty());
  EXPECT_EQ(add_on->disciplines, initial->disciplines);
  // Only 97130 is an "each additional" code.
  for (const CodeEntry& entry : catalogue.entries()) {
    EXPECT_EQ(entry.initial_code.empty(), entry.code != "97130") << entry.code;
  }
}

TEST(ShippedPolicies, UnverifiedTelehealthDatesAskForReview) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  // 97129's first listing date is not verified; from 2023 it is (CY2023 PFS).
  const CodeEntry* cognitive = catalogue.Find("97129");
  ASSERT_NE(cognitive, nullptr);
  const DateWindow* early = FindWindow(cognitive->telehealth_list, DayOf(2021y / 6 / 1));
  ASSERT_NE(early, nullptr);
  EXPECT_TRUE(early->uncertain);
  EXPECT_THAT(early->source, ::testing::HasSubstr("Uncertain"));
  const DateWindow* settled = FindWindow(cognitive->telehealth_list, DayOf(2026y / November / 27));
  ASSERT_NE(settled, nullptr);
  EXPECT_FALSE(settled->uncertain);
  // Every uncertain window says why.
  for (const CodeEntry& entry : catalogue.entries()) {
    for (const DateWindow& window : entry.telehealth_list) {
      if (window.uncertain) {
        EXPECT_THAT(window.source, ::testing::HasSubstr("Uncertain")) << entry.code;
      }
    }
  }
  // The existing codes' windows are settled.
  EXPECT_FALSE(catalogue.Find("97110")->telehealth_list[0].uncertain);
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

TEST(ShippedPolicies, SelfCareAndCognitiveInterventionsAloneMakeSenseAudioOnly) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  for (const CodeEntry& entry : catalogue.entries()) {
    const bool by_voice = entry.code == "97535" || entry.code == "97129" || entry.code == "97130";
    EXPECT_EQ(entry.needs_video, !by_voice) << entry.code;
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
  EXPECT_TRUE(medicare.ncci_edits);
  EXPECT_EQ(medicare.distinct_service_modifier, "XU");
  EXPECT_THAT(medicare.assistants_not_recognized,
              ::testing::ElementsAre(Discipline::kSpeechLanguage));
  EXPECT_TRUE(medicare.audio_only_requires_home);
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
  EXPECT_TRUE(payer.ncci_edits);
  EXPECT_EQ(payer.distinct_service_modifier, "59");
  EXPECT_TRUE(payer.assistants_not_recognized.empty());
  EXPECT_FALSE(payer.audio_only_requires_home);
}

TEST(ShippedPolicies, AcmeHealthAsksForGtInsteadOf95) {
  const PayerPolicy payer = ShippedPayer("acme-health");
  EXPECT_TRUE(payer.sample);
  EXPECT_EQ(payer.telehealth_audio_video_modifier, "GT");
  EXPECT_EQ(payer.unit_method, UnitMethod::kCptMidpoint);
}

MonitoringRules ShippedMonitoring() {
  auto rules = ParseMonitoringRules(ReadPolicyFile("monitoring.json"), "monitoring.json");
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : MonitoringRules();
}

TEST(ShippedPolicies, MonitoringRulesHoldTheRtmCodesWithTheirPrimarySources) {
  const MonitoringRules rules = ShippedMonitoring();
  EXPECT_EQ(rules.period_days, 30);
  std::vector<std::string> codes;
  for (const MonitoringCode& c : rules.codes) codes.push_back(c.code);
  EXPECT_THAT(codes, ::testing::UnorderedElementsAre("98975", "98976", "98977", "98978", "98979",
                                                     "98980", "98981", "98984", "98985", "98986"));
  struct Device {
    const char* code;
    DeviceKind kind;
    int min_days;
    int max_days;
  };
  for (const Device& d : {Device{"98976", DeviceKind::kRespiratory, 16, 30},
                          Device{"98977", DeviceKind::kMusculoskeletal, 16, 30},
                          Device{"98978", DeviceKind::kCognitiveBehavioral, 16, 30},
                          Device{"98984", DeviceKind::kRespiratory, 2, 15},
                          Device{"98985", DeviceKind::kMusculoskeletal, 2, 15},
                          Device{"98986", DeviceKind::kCognitiveBehavioral, 2, 15}}) {
    const MonitoringCode* c = rules.Find(d.code);
    ASSERT_NE(c, nullptr) << d.code;
    EXPECT_EQ(c->kind, MonitoringCodeKind::kDeviceSupply) << d.code;
    EXPECT_EQ(c->device_kind, d.kind) << d.code;
    EXPECT_EQ(c->min_days, d.min_days) << d.code;
    EXPECT_EQ(c->max_days, d.max_days) << d.code;
  }
  EXPECT_EQ(rules.Find("98975")->kind, MonitoringCodeKind::kSetup);
  EXPECT_EQ(rules.Find("98979")->kind, MonitoringCodeKind::kManagementFirst);
  EXPECT_EQ(rules.Find("98979")->minutes, 10);
  EXPECT_EQ(rules.Find("98980")->kind, MonitoringCodeKind::kManagementFirst);
  EXPECT_EQ(rules.Find("98980")->minutes, 20);
  EXPECT_EQ(rules.Find("98981")->kind, MonitoringCodeKind::kManagementAdditional);
  EXPECT_EQ(rules.Find("98981")->minutes, 20);
  EXPECT_EQ(rules.Find("98981")->adds_to, "98980");
  // Dated: the CY 2022 rule's codes from 2022, the CY 2026 rule's from 2026.
  for (const char* code : {"98975", "98976", "98977", "98980", "98981"}) {
    const MonitoringCode* c = rules.Find(code);
    EXPECT_EQ(c->valid.front().from, DayOf(2022y / January / 1)) << code;
    EXPECT_THAT(c->valid.front().source, ::testing::HasSubstr("CMS-1751-F")) << code;
    EXPECT_FALSE(c->valid.front().uncertain) << code;
  }
  for (const char* code : {"98979", "98984", "98985", "98986"}) {
    const MonitoringCode* c = rules.Find(code);
    EXPECT_FALSE(AnyWindowContains(c->valid, DayOf(2025y / December / 31))) << code;
    EXPECT_TRUE(AnyWindowContains(c->valid, DayOf(2026y / January / 1))) << code;
    EXPECT_THAT(c->valid.front().source, ::testing::HasSubstr("CMS-1832-F")) << code;
  }
  // 98978's first date could not be verified: uncertain, and says why.
  EXPECT_TRUE(rules.Find("98978")->valid.front().uncertain);
  EXPECT_THAT(rules.Find("98978")->valid.front().source, ::testing::HasSubstr("Uncertain"));
}

TEST(ShippedPolicies, TheRtmCodesAreInTheCatalogueAsUntimedCodesNoActivityReaches) {
  const CodeCatalogue catalogue = ShippedCatalogue();
  const MonitoringRules rules = ShippedMonitoring();
  EXPECT_TRUE(CheckMonitoringCatalogue(rules, catalogue, "monitoring.json").ok());
  for (const MonitoringCode& c : rules.codes) {
    const CodeEntry* entry = catalogue.Find(c.code);
    ASSERT_NE(entry, nullptr) << c.code;
    EXPECT_FALSE(entry->timed) << c.code;
    EXPECT_TRUE(entry->activity_kinds.empty()) << c.code;
    EXPECT_TRUE(entry->telehealth_list.empty()) << c.code;  // not a telehealth service
  }
}

TEST(ShippedPolicies, MedicareAndTheCommercialSampleCoverRtmAndAcmeDoesNot) {
  const PayerPolicy medicare = ShippedPayer("medicare");
  ASSERT_TRUE(medicare.remote_monitoring.has_value());
  EXPECT_EQ(medicare.remote_monitoring->place_of_service, "11");
  EXPECT_FALSE(
      AnyWindowContains(medicare.remote_monitoring->covered, DayOf(2021y / December / 31)));
  EXPECT_TRUE(AnyWindowContains(medicare.remote_monitoring->covered, DayOf(2022y / January / 1)));
  EXPECT_THAT(medicare.remote_monitoring->covered.front().source,
              ::testing::HasSubstr("CMS-1751-F"));
  const PayerPolicy commercial = ShippedPayer("commercial-cpt");
  ASSERT_TRUE(commercial.remote_monitoring.has_value());
  EXPECT_TRUE(
      AnyWindowContains(commercial.remote_monitoring->covered, DayOf(2026y / November / 30)));
  EXPECT_FALSE(ShippedPayer("acme-health").remote_monitoring.has_value());
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

// kCodes with a third entry, 97130, whose initial code is 97129 (last: it
// comes after the entry that names it).
std::string WithAddOn(const std::string& initial_code = "97129",
                      const std::string& initial_timed = "true") {
  return Replace(kCodes, "\"telehealth_list\": []}\n  ]",
                 "\"telehealth_list\": []},\n"
                 "    {\"code\": \"97130\", \"description\": \"Cognitive, each additional 15\","
                 " \"timed\": true, \"activity_kinds\": [], \"disciplines\": "
                 "[\"occupational_therapy\"], \"hands_on\": false, \"needs_video\": false, "
                 "\"initial_code\": \"" +
                     initial_code +
                     "\", \"telehealth_list\": []},\n"
                     "    {\"code\": \"97129\", \"description\": \"Cognitive, first 15\", "
                     "\"timed\": " +
                     initial_timed +
                     ", \"activity_kinds\": [], \"disciplines\": "
                     "[\"occupational_therapy\"], \"hands_on\": false, \"needs_video\": false, "
                     "\"telehealth_list\": []}\n  ]");
}

TEST(CodeCatalogueFile, AnInitialCodeMayNameALaterEntry) {
  const auto catalogue = ParseCodeCatalogue(WithAddOn(), "codes.json");
  ASSERT_TRUE(catalogue.ok()) << catalogue.status();
  ASSERT_NE(catalogue->Find("97130"), nullptr);
  EXPECT_EQ(catalogue->Find("97130")->initial_code, "97129");
  EXPECT_EQ(catalogue->Find("97129")->initial_code, "");
  EXPECT_EQ(catalogue->Find("97110")->initial_code, "");
}

TEST(CodeCatalogueFile, RejectsAnInitialCodeAbsentFromTheCatalogue) {
  ExpectCodesError(WithAddOn("97999"),
                   "codes.json: codes[2] (97130): initial_code: 97999: not in the catalogue");
}

TEST(CodeCatalogueFile, RejectsAnInitialCodeThatIsNotFiveDigits) {
  ExpectCodesError(WithAddOn("9712"),
                   "codes.json: codes[2] (97130): initial_code: \"9712\" must be five digits");
  ExpectCodesError(Replace(WithAddOn(), "\"initial_code\": \"97129\"", "\"initial_code\": 97129"),
                   "codes.json: codes[2] (97130): initial_code: must be a string");
}

TEST(CodeCatalogueFile, RejectsAnInitialCodeThatNamesTheEntryItself) {
  ExpectCodesError(WithAddOn("97130"),
                   "codes.json: codes[2] (97130): initial_code: 97130: names the entry itself");
}

TEST(CodeCatalogueFile, RejectsAnUntimedInitialCode) {
  ExpectCodesError(WithAddOn("97129", "false"),
                   "codes.json: codes[2] (97130): initial_code: 97129: is untimed; an initial code "
                   "must be timed");
}

TEST(CodeCatalogueFile, RejectsAnInitialCodeOnAnUntimedEntry) {
  ExpectCodesError(Replace(WithAddOn(),
                           "\"timed\": true, \"activity_kinds\": [], \"disciplines\": "
                           "[\"occupational_therapy\"], \"hands_on\": false, "
                           "\"needs_video\": false, \"initial_code\"",
                           "\"timed\": false, \"activity_kinds\": [], \"disciplines\": "
                           "[\"occupational_therapy\"], \"hands_on\": false, "
                           "\"needs_video\": false, \"initial_code\""),
                   "codes.json: codes[2] (97130): initial_code: only for a timed code (an \"each "
                   "additional 15 minutes\" code); timed is false");
}

TEST(CodeCatalogueFile, RejectsAChainOfInitialCodes) {
  // 97110 names 97130, which names 97129: an initial code must not have one.
  ExpectCodesError(Replace(WithAddOn(), "\"needs_video\": true,\n     \"telehealth_list\": [{",
                           "\"needs_video\": true, \"initial_code\": \"97130\",\n     "
                           "\"telehealth_list\": [{"),
                   "codes.json: codes[0] (97110): initial_code: 97130: has an initial_code itself "
                   "(97129); an initial code must not");
}

TEST(CodeCatalogueFile, AnUncertainWindowParses) {
  const auto catalogue =
      ParseCodeCatalogue(Replace(kCodes, "\"source\": \"CMS\"}",
                                 "\"source\": \"CMS, date not verified\", \"uncertain\": true}"),
                         "codes.json");
  ASSERT_TRUE(catalogue.ok()) << catalogue.status();
  const CodeEntry* entry = catalogue->Find("97110");
  ASSERT_NE(entry, nullptr);
  ASSERT_EQ(entry->telehealth_list.size(), 1u);
  EXPECT_TRUE(entry->telehealth_list[0].uncertain);
  EXPECT_EQ(entry->telehealth_list[0].source, "CMS, date not verified");
  // Absent means settled.
  const auto plain = ParseCodeCatalogue(kCodes, "codes.json");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->Find("97110")->telehealth_list[0].uncertain);
  const auto settled = ParseCodeCatalogue(
      Replace(kCodes, "\"source\": \"CMS\"}", "\"source\": \"CMS\", \"uncertain\": false}"),
      "codes.json");
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_FALSE(settled->Find("97110")->telehealth_list[0].uncertain);
}

TEST(CodeCatalogueFile, RejectsAnUncertainThatIsNotABoolean) {
  ExpectCodesError(
      Replace(kCodes, "\"source\": \"CMS\"}", "\"source\": \"CMS\", \"uncertain\": \"yes\"}"),
      "codes.json: codes[0] (97110): telehealth_list[0]: uncertain: must be true or "
      "false");
  ExpectCodesError(
      Replace(kCodes, "\"source\": \"CMS\"}", "\"source\": \"CMS\", \"uncertian\": true}"),
      "codes.json: codes[0] (97110): telehealth_list[0]: uncertian: unknown key");
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
    "threshold": "KX",
    "distinct_service": "XU"
  },
  "place_of_service": {"home": "10", "other": "02"},
  "therapist_telehealth": [
    {"from": "2020-03-01", "to": "2025-09-30", "source": "waiver"},
    {"from": "2025-10-01", "to": null, "source": "statute"}
  ],
  "therapy_thresholds": [
    {"year": 2026, "pt_slp_cents": 248000, "ot_cents": 248000, "medical_review_cents": 300000}
  ],
  "ncci_edits": "cms",
  "assistants_not_recognized": ["speech_language_pathology"],
  "audio_only_requires_home": true,
  "telehealth_list": "cms"
})";

void ExpectPayerError(const std::string& json, const std::string& message,
                      const std::string& source = "payers/test-payer.json") {
  const auto payer = ParsePayerPolicy(json, source);
  ASSERT_FALSE(payer.ok()) << message;
  EXPECT_EQ(payer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(payer.status().message()), message);
}

TEST(PayerPolicyFile, TheTestPayerIsValid) {
  const auto payer = ParsePayerPolicy(kPayer, "payers/test-payer.json");
  ASSERT_TRUE(payer.ok()) << payer.status();
  EXPECT_EQ(payer->payer_id, "test-payer");
  EXPECT_TRUE(payer->ncci_edits);
  EXPECT_EQ(payer->distinct_service_modifier, "XU");
  EXPECT_THAT(payer->assistants_not_recognized,
              ::testing::ElementsAre(Discipline::kSpeechLanguage));
  EXPECT_TRUE(payer->audio_only_requires_home);
  EXPECT_EQ(payer->assistant_modifier.size(), 1u);
  EXPECT_EQ(payer->therapist_telehealth.size(), 2u);
  EXPECT_EQ(payer->therapist_telehealth[1].to, std::nullopt);
  EXPECT_EQ(payer->therapist_telehealth[1].source, "statute");
  // Whatever folder the file is read from, only its name counts.
  EXPECT_TRUE(ParsePayerPolicy(kPayer, "/etc/unitclock/payers/test-payer.json").ok());
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
  ExpectPayerError(Replace(kPayer, "\"ncci_edits\": \"cms\",", ""),
                   "payers/test-payer.json: ncci_edits: required");
  ExpectPayerError(
      Replace(kPayer, "\"assistants_not_recognized\": [\"speech_language_pathology\"],", ""),
      "payers/test-payer.json: assistants_not_recognized: required");
  ExpectPayerError(Replace(kPayer, "\"audio_only_requires_home\": true,", ""),
                   "payers/test-payer.json: audio_only_requires_home: required");
  ExpectPayerError(Replace(kPayer, "\"threshold\": \"KX\",\n    \"distinct_service\": \"XU\"",
                           "\"threshold\": \"KX\""),
                   "payers/test-payer.json: modifiers.distinct_service: required");
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
  ExpectPayerError(Replace(kPayer, "\"ncci_edits\": \"cms\"", "\"ncci_edits\": true"),
                   "payers/test-payer.json: ncci_edits: must be a string");
  ExpectPayerError(
      Replace(kPayer, "[\"speech_language_pathology\"]", "\"speech_language_pathology\""),
      "payers/test-payer.json: assistants_not_recognized: must be an array");
  ExpectPayerError(Replace(kPayer, "[\"speech_language_pathology\"]", "[3]"),
                   "payers/test-payer.json: assistants_not_recognized[0]: must be a string");
  ExpectPayerError(Replace(kPayer, "\"audio_only_requires_home\": true",
                           "\"audio_only_requires_home\": \"yes\""),
                   "payers/test-payer.json: audio_only_requires_home: must be true or false");
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
                   "payers/test-payer.json: modifiers.distinct_service: \"X\" must be 2 upper-case "
                   "letters or digits");
  ExpectPayerError(Replace(kPayer, "\"XU\"", "\"\""),
                   "payers/test-payer.json: modifiers.distinct_service: \"\" must be 2 upper-case "
                   "letters or digits");
  ExpectPayerError(Replace(kPayer, "\"GO\"", "\"\""),
                   "payers/test-payer.json: modifiers.discipline.occupational_therapy: \"\" must "
                   "be 2 upper-case letters or digits");
}

TEST(PayerPolicyFile, AnEmptyTelehealthOrThresholdModifierMeansNone) {
  std::string json = Replace(kPayer, "\"95\"", "\"\"");
  json = Replace(json, "\"KX\"", "\"\"");
  const auto payer = ParsePayerPolicy(json, "payers/test-payer.json");
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

TEST(PayerPolicyFile, RejectsAThresholdYearTwice) {
  ExpectPayerError(Replace(kPayer, "\"medical_review_cents\": 300000}",
                           "\"medical_review_cents\": 300000}, {\"year\": 2026, "
                           "\"pt_slp_cents\": 1, \"ot_cents\": 1, \"medical_review_cents\": 1}"),
                   "payers/test-payer.json: therapy_thresholds[1]: year: 2026 appears twice");
}

TEST(PayerPolicyFile, NcciEditsAreCmsOrNone) {
  const auto none =
      ParsePayerPolicy(Replace(kPayer, "\"ncci_edits\": \"cms\"", "\"ncci_edits\": \"none\""),
                       "payers/test-payer.json");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->ncci_edits);
  ExpectPayerError(Replace(kPayer, "\"ncci_edits\": \"cms\"", "\"ncci_edits\": \"CMS\""),
                   "payers/test-payer.json: ncci_edits: \"CMS\" must be \"cms\" or \"none\"");
}

TEST(PayerPolicyFile, AssistantsNotRecognizedNamesDisciplines) {
  ExpectPayerError(Replace(kPayer, "[\"speech_language_pathology\"]", "[\"dance\"]"),
                   "payers/test-payer.json: assistants_not_recognized[0]: \"dance\" must be "
                   "physical_therapy, occupational_therapy or speech_language_pathology");
  ExpectPayerError(
      Replace(kPayer, "[\"speech_language_pathology\"]",
              "[\"speech_language_pathology\", \"slp\"]"),
      "payers/test-payer.json: assistants_not_recognized[1]: \"slp\" must be physical_therapy, "
      "occupational_therapy or speech_language_pathology");
  const auto empty = ParsePayerPolicy(Replace(kPayer, "[\"speech_language_pathology\"]", "[]"),
                                      "payers/test-payer.json");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->assistants_not_recognized.empty());
}

TEST(PayerPolicyFile, RejectsAnUnrecognizedAssistantThatHasAModifier) {
  // The test payer has CQ for physical therapy assistants.
  ExpectPayerError(Replace(kPayer, "[\"speech_language_pathology\"]", "[\"physical_therapy\"]"),
                   "payers/test-payer.json: assistants_not_recognized[0]: \"physical_therapy\" has "
                   "an assistant modifier in modifiers.assistant");
}

TEST(PayerPolicyFile, AudioOnlyMayBePayableAnywhere) {
  const auto payer = ParsePayerPolicy(
      Replace(kPayer, "\"audio_only_requires_home\": true", "\"audio_only_requires_home\": false"),
      "payers/test-payer.json");
  ASSERT_TRUE(payer.ok()) << payer.status();
  EXPECT_FALSE(payer->audio_only_requires_home);
}

TEST(PayerPolicyFile, AcceptsOnlyTheCmsTelehealthList) {
  ExpectPayerError(Replace(kPayer, "\"telehealth_list\": \"cms\"", "\"telehealth_list\": \"own\""),
                   "payers/test-payer.json: telehealth_list: \"own\" must be \"cms\"");
}

TEST(PayerPolicyFile, ARemoteMonitoringBlockIsOptionalAndChecked) {
  EXPECT_FALSE(ParsePayerPolicy(kPayer, "payers/test-payer.json")->remote_monitoring.has_value());
  const std::string block = R"("telehealth_list": "cms",
  "remote_monitoring": {"covered": [{"from": "2022-01-01", "to": null, "source": "contract"}],
                        "place_of_service": "11"})";
  const std::string with = Replace(kPayer, "\"telehealth_list\": \"cms\"", block);
  const auto payer = ParsePayerPolicy(with, "payers/test-payer.json");
  ASSERT_TRUE(payer.ok()) << payer.status();
  ASSERT_TRUE(payer->remote_monitoring.has_value());
  EXPECT_EQ(payer->remote_monitoring->place_of_service, "11");
  ASSERT_EQ(payer->remote_monitoring->covered.size(), 1u);
  EXPECT_EQ(payer->remote_monitoring->covered[0].source, "contract");
  ExpectPayerError(Replace(with, "\"11\"", "\"1\""),
                   "payers/test-payer.json: remote_monitoring.place_of_service: \"1\" must be 2 "
                   "digits");
  ExpectPayerError(Replace(with, "\"place_of_service\": \"11\"", "\"pos\": \"11\""),
                   "payers/test-payer.json: remote_monitoring.pos: unknown key");
  ExpectPayerError(Replace(with, "\"covered\"", "\"description\": \"x\", \"coverage\""),
                   "payers/test-payer.json: remote_monitoring.coverage: unknown key");
  ExpectPayerError(Replace(with, "\"from\": \"2022-01-01\"", "\"from\": \"2022-13-01\""),
                   "payers/test-payer.json: remote_monitoring: covered[0]: from: \"2022-13-01\" "
                   "is not a valid date (YYYY-MM-DD)");
}

// --- The monitoring rules file -----------------------------------------------

constexpr const char* kMonitoring = R"({
  "format_version": 1,
  "description": "test",
  "period_days": 30,
  "codes": [
    {"code": "98975", "description": "Set-up", "kind": "setup",
     "valid": [{"from": "2022-01-01", "to": null, "source": "rule"}]},
    {"code": "98977", "description": "MSK 16-30", "kind": "device_supply",
     "device_kind": "musculoskeletal", "days": {"min": 16, "max": 30},
     "valid": [{"from": "2022-01-01", "to": null, "source": "rule"}]},
    {"code": "98985", "description": "MSK 2-15", "kind": "device_supply",
     "device_kind": "musculoskeletal", "days": {"min": 2, "max": 15},
     "valid": [{"from": "2026-01-01", "to": null, "source": "rule"}]},
    {"code": "98980", "description": "First 20", "kind": "management_first", "minutes": 20,
     "valid": [{"from": "2022-01-01", "to": null, "source": "rule"}]},
    {"code": "98981", "description": "Each further 20", "kind": "management_additional",
     "minutes": 20, "adds_to": "98980",
     "valid": [{"from": "2022-01-01", "to": null, "source": "rule"}]}
  ]
})";

void ExpectMonitoringError(const std::string& json, const std::string& message) {
  const auto rules = ParseMonitoringRules(json, "monitoring.json");
  ASSERT_FALSE(rules.ok()) << message;
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(rules.status().message()), message);
}

TEST(MonitoringRulesFile, TheTestRulesAreValid) {
  const auto rules = ParseMonitoringRules(kMonitoring, "monitoring.json");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->period_days, 30);
  ASSERT_EQ(rules->codes.size(), 5u);
  EXPECT_EQ(rules->codes[2].code, "98985");
  EXPECT_EQ(rules->codes[2].min_days, 2);
  EXPECT_EQ(rules->codes[2].valid.front().from, DayOf(2026y / January / 1));
  EXPECT_EQ(rules->Find("98981")->adds_to, "98980");
  EXPECT_EQ(rules->Find("99999"), nullptr);
}

TEST(MonitoringRulesFile, RejectsUnknownAndMissingKeys) {
  ExpectMonitoringError(Replace(kMonitoring, "\"period_days\": 30,", ""),
                        "monitoring.json: period_days: required");
  ExpectMonitoringError(
      Replace(kMonitoring, "\"kind\": \"setup\",", "\"kind\": \"setup\", \"minutes\": 3,"),
      "monitoring.json: codes[0] (98975): minutes: unknown key");
  ExpectMonitoringError(
      Replace(kMonitoring, "\"minutes\": 20, \"adds_to\": \"98980\",", "\"minutes\": 20,"),
      "monitoring.json: codes[4] (98981): adds_to: required");
  ExpectMonitoringError(Replace(kMonitoring, "\"kind\": \"setup\",", ""),
                        "monitoring.json: codes[0] (98975): kind: required");
  ExpectMonitoringError(Replace(kMonitoring, "\"days\": {\"min\": 16, \"max\": 30}",
                                "\"days\": {\"min\": 16, \"top\": 30}"),
                        "monitoring.json: codes[1] (98977): days.top: unknown key");
}

TEST(MonitoringRulesFile, RejectsBadValues) {
  ExpectMonitoringError(Replace(kMonitoring, "\"kind\": \"setup\"", "\"kind\": \"set_up\""),
                        "monitoring.json: codes[0] (98975): kind: \"set_up\" must be setup, "
                        "device_supply, management_first or management_additional");
  ExpectMonitoringError(Replace(kMonitoring, "\"musculoskeletal\", \"days\": {\"min\": 16",
                                "\"msk\", \"days\": {\"min\": 16"),
                        "monitoring.json: codes[1] (98977): device_kind: \"msk\" must be "
                        "musculoskeletal, respiratory or cognitive_behavioral");
  ExpectMonitoringError(
      Replace(kMonitoring, "{\"min\": 16, \"max\": 30}", "{\"min\": 16, \"max\": 31}"),
      "monitoring.json: codes[1] (98977): days.max: must be between 1 and 30");
  ExpectMonitoringError(
      Replace(kMonitoring, "{\"min\": 16, \"max\": 30}", "{\"min\": 16, \"max\": 15}"),
      "monitoring.json: codes[1] (98977): days.max: 15 is below min 16");
  ExpectMonitoringError(
      Replace(kMonitoring, "\"minutes\": 20, \"adds_to\"", "\"minutes\": 0, \"adds_to\""),
      "monitoring.json: codes[4] (98981): minutes: must be between 1 and 1440");
  ExpectMonitoringError(Replace(kMonitoring, "\"code\": \"98975\"", "\"code\": \"9897\""),
                        "monitoring.json: codes[0]: code: \"9897\" must be five digits");
  ExpectMonitoringError(
      Replace(kMonitoring, "\"description\": \"Set-up\"", "\"description\": \"\""),
      "monitoring.json: codes[0] (98975): description: must not be empty");
  ExpectMonitoringError(Replace(kMonitoring, "\"period_days\": 30", "\"period_days\": 0"),
                        "monitoring.json: period_days: must be between 1 and 366");
  ExpectMonitoringError(Replace(kMonitoring, "\"format_version\": 1", "\"format_version\": 2"),
                        "monitoring.json: format_version: must be 1");
}

TEST(MonitoringRulesFile, RejectsCodesThatContradictEachOther) {
  ExpectMonitoringError(Replace(kMonitoring, "\"code\": \"98985\"", "\"code\": \"98977\""),
                        "monitoring.json: codes[2] (98977): code: appears twice (codes[1] too)");
  ExpectMonitoringError(Replace(kMonitoring, "\"adds_to\": \"98980\"", "\"adds_to\": \"98979\""),
                        "monitoring.json: codes[4] (98981): adds_to: 98979: not in the file");
  ExpectMonitoringError(Replace(kMonitoring, "\"adds_to\": \"98980\"", "\"adds_to\": \"98975\""),
                        "monitoring.json: codes[4] (98981): adds_to: 98975: must be a "
                        "management_first code");
  // Two bands of one device kind that share days on common dates.
  ExpectMonitoringError(
      Replace(kMonitoring, "{\"min\": 2, \"max\": 15}", "{\"min\": 2, \"max\": 16}"),
      "monitoring.json: codes[2] (98985): days: overlaps the days of 98977 "
      "(codes[1]) for musculoskeletal on common dates");
  ExpectMonitoringError(
      Replace(kMonitoring,
              "\"kind\": \"setup\",\n     \"valid\": [{\"from\": \"2022-01-01\", \"to\": null, "
              "\"source\": \"rule\"}]",
              "\"kind\": \"setup\",\n     \"valid\": []"),
      "monitoring.json: codes[0] (98975): valid: must not be empty");
}

TEST(MonitoringRulesFile, EveryCodeMustBeAnUntimedCatalogueCodeWithTheSameDescription) {
  const auto rules = ParseMonitoringRules(kMonitoring, "monitoring.json");
  ASSERT_TRUE(rules.ok()) << rules.status();
  const auto entry = [](const std::string& code, const std::string& description) {
    CodeEntry e;
    e.code = code;
    e.description = description;
    e.timed = false;
    e.disciplines = {Discipline::kPhysicalTherapy};
    return e;
  };
  std::vector<CodeEntry> entries = {entry("98975", "Set-up"), entry("98977", "MSK 16-30"),
                                    entry("98985", "MSK 2-15"), entry("98980", "First 20"),
                                    entry("98981", "Each further 20")};
  EXPECT_TRUE(CheckMonitoringCatalogue(*rules, CodeCatalogue(entries), "monitoring.json").ok());
  const auto error_with = [&](std::vector<CodeEntry> changed) {
    return std::string(
        CheckMonitoringCatalogue(*rules, CodeCatalogue(std::move(changed)), "monitoring.json")
            .message());
  };
  std::vector<CodeEntry> missing(entries.begin() + 1, entries.end());
  EXPECT_EQ(error_with(missing),
            "monitoring.json: codes[0] (98975): not in the code catalogue (codes.json)");
  std::vector<CodeEntry> timed = entries;
  timed[3].timed = true;
  EXPECT_EQ(error_with(timed),
            "monitoring.json: codes[3] (98980): must be untimed and without activity kinds in "
            "the code catalogue (codes.json), so that no visit activity is coded as it");
  std::vector<CodeEntry> renamed = entries;
  renamed[1].description = "Device";
  EXPECT_EQ(error_with(renamed),
            "monitoring.json: codes[1] (98977): description: differs from the code catalogue's "
            "(codes.json): \"Device\"");
}

TEST(MonitoringRulesFile, KindsHaveStableNames) {
  EXPECT_STREQ(MonitoringCodeKindName(MonitoringCodeKind::kSetup), "setup");
  EXPECT_STREQ(MonitoringCodeKindName(MonitoringCodeKind::kDeviceSupply), "device_supply");
  EXPECT_STREQ(MonitoringCodeKindName(MonitoringCodeKind::kManagementFirst), "management_first");
  EXPECT_STREQ(MonitoringCodeKindName(MonitoringCodeKind::kManagementAdditional),
               "management_additional");
}

}  // namespace
}  // namespace unitclock::core

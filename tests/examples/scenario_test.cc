#include "examples/scenario/scenario.h"

#include <date/tz.h>
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace unitclock::examples {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string File(const std::string& events) {
  return R"({"session_id": "ep-1", "start_time": "2026-10-01T14:00:00Z", "events": [)" + events +
         "]}";
}

// The one event of a file, or a failure.
v1::Event Only(const std::string& event) {
  absl::StatusOr<Scenario> s = ParseScenario(File(event));
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok() || s->events.size() != 1) return v1::Event();
  return s->events[0];
}

std::string Error(const std::string& events) {
  absl::StatusOr<Scenario> s = ParseScenario(File(events));
  EXPECT_FALSE(s.ok());
  return s.ok() ? "" : std::string(s.status().message());
}

constexpr char kDevice[] = R"("device_data_received": {"data_kind": "exercise_session"})";

TEST(ScenarioFile, OffsetWithDaysAddsWholeDays) {
  const v1::Event e = Only(std::string(R"({"at": "12d 14:30:00", )") + kDevice + "}");
  EXPECT_EQ(TimeUtil::ToString(e.occurred_at()), "2026-10-14T04:30:00Z");
  EXPECT_TRUE(e.has_device_data_received());
  EXPECT_EQ(e.device_data_received().data_kind(), "exercise_session");
}

TEST(ScenarioFile, OldOffsetsKeepTheirMeaning) {
  EXPECT_EQ(
      TimeUtil::ToString(Only(std::string(R"({"at": "02:30", )") + kDevice + "}").occurred_at()),
      "2026-10-01T14:02:30Z");
  // Hours are not bounded in the form without days: 30 hours on.
  EXPECT_EQ(
      TimeUtil::ToString(Only(std::string(R"({"at": "30:00:00", )") + kDevice + "}").occurred_at()),
      "2026-10-02T20:00:00Z");
  EXPECT_EQ(TimeUtil::ToString(
                Only(std::string(R"({"at": "0d 00:00:00", )") + kDevice + "}").occurred_at()),
            "2026-10-01T14:00:00Z");
}

TEST(ScenarioFile, MalformedDayOffsetsNameTheEventAndKey) {
  for (const char* at :
       {"12d 24:00:00", "12d 14:30", "12d14:30:00", "12 d 14:30:00", "-1d 01:00:00", "d 01:00:00",
        "1d 01:60:00", "1d 01:00:00x", "1dd 01:00:00", "1d  01:00:00"}) {
    const std::string message = Error(std::string(R"({"at": "00:00", )") + kDevice +
                                      R"(}, {"at": ")" + at + R"(", )" + kDevice + "}");
    EXPECT_EQ(message, R"(events[1].at: not "MM:SS", "HH:MM:SS" or "<days>d HH:MM:SS")") << at;
  }
}

TEST(ScenarioFile, EventSessionIdOverridesTheFilesAndNamesItsEventIds) {
  absl::StatusOr<Scenario> s = ParseScenario(
      File(std::string(R"({"at": "00:00", )") + kDevice +
           R"(}, {"at": "13d 01:00:00", "session_id": "visit-1", )" +
           R"("session_stopped": {"reason": "STOP_REASON_ENDED"}}, {"at": "13d 02:00:00", )" +
           kDevice + "}"));
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->events.size(), 3u);
  EXPECT_EQ(s->session_id, "ep-1");
  EXPECT_THAT(s->session_ids, ElementsAre("ep-1", "visit-1"));
  EXPECT_EQ(s->events[0].session_id(), "ep-1");
  EXPECT_EQ(s->events[0].event_id(), "ep-1-001");
  EXPECT_EQ(s->events[1].session_id(), "visit-1");
  EXPECT_EQ(s->events[1].event_id(), "visit-1-002");
  EXPECT_EQ(s->events[2].event_id(), "ep-1-003");
  EXPECT_TRUE(IsMonitoringEpisode(*s, "ep-1"));
  EXPECT_FALSE(IsMonitoringEpisode(*s, "visit-1"));
}

TEST(ScenarioFile, SessionIdsAreThoseTheEventsCarry) {
  absl::StatusOr<Scenario> s = ParseScenario(File(
      R"({"at": "00:00", "session_id": "visit-2", "session_stopped": {}},
         {"at": "00:01", "session_id": "visit-1", "session_stopped": {}},
         {"at": "00:02", "session_id": "visit-2", "session_stopped": {}})"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->session_id, "ep-1");
  EXPECT_THAT(s->session_ids, ElementsAre("visit-2", "visit-1"));
  EXPECT_EQ(s->events[2].event_id(), "visit-2-003");
}

TEST(ScenarioFile, SessionIdMustBeANonEmptyString) {
  EXPECT_EQ(Error(std::string(R"({"at": "00:00", "session_id": 7, )") + kDevice + "}"),
            "events[0].session_id: must be a non-empty string");
  EXPECT_EQ(Error(std::string(R"({"at": "00:00", "session_id": "", )") + kDevice + "}"),
            "events[0].session_id: must be a non-empty string");
}

TEST(ScenarioFile, MonitoringPayloadsParseFromTheirJsonNames) {
  absl::StatusOr<Scenario> s = ParseScenario(File(R"(
    {"at": "0d 00:00:00", "monitoring_episode_started": {"platform": "demo-rehab",
      "patient_ref": "pt-1", "provider_ref": "prov-1", "provider_role": "PROVIDER_ROLE_PT",
      "discipline": "DISCIPLINE_PHYSICAL_THERAPY", "payer_id": "medicare",
      "clinic_time_zone": "America/Chicago", "device_kind": "DEVICE_KIND_MUSCULOSKELETAL",
      "program": "MONITORING_PROGRAM_REMOTE_THERAPEUTIC"}},
    {"at": "6d 01:00:00", "treatment_management_recorded": {"clinician_ref": "prov-1",
      "clinician_role": "PROVIDER_ROLE_PT", "duration_seconds": 720, "activity": "data_review"}},
    {"at": "7d 01:00:00", "interactive_communication_held": {"clinician_ref": "prov-1",
      "clinician_role": "PROVIDER_ROLE_PT", "modality": "MODALITY_AUDIO_ONLY", "duration_seconds": 300}},
    {"at": "30d 11:00:00", "monitoring_episode_ended": {}})"));
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->events.size(), 4u);
  const v1::MonitoringEpisodeStarted& started = s->events[0].monitoring_episode_started();
  EXPECT_EQ(started.device_kind(), v1::DEVICE_KIND_MUSCULOSKELETAL);
  EXPECT_EQ(started.program(), v1::MONITORING_PROGRAM_REMOTE_THERAPEUTIC);
  EXPECT_EQ(started.clinic_time_zone(), "America/Chicago");
  EXPECT_EQ(s->events[1].treatment_management_recorded().duration_seconds(), 720);
  EXPECT_EQ(s->events[2].interactive_communication_held().modality(), v1::MODALITY_AUDIO_ONLY);
  EXPECT_TRUE(s->events[3].has_monitoring_episode_ended());
}

TEST(ScenarioFile, AMisspelledPayloadKeyNamesTheEvent) {
  const std::string message = Error(R"({"at": "00:00", "device_data_recieved": {}})");
  EXPECT_THAT(message, HasSubstr("events[0].payload: "));
}

constexpr char kStart[] = R"(
    {"at": "0d 00:00:00", "monitoring_episode_started": {"platform": "demo-rehab",
      "patient_ref": "pt-1", "provider_ref": "prov-1", "provider_role": "PROVIDER_ROLE_PT",
      "discipline": "DISCIPLINE_PHYSICAL_THERAPY", "payer_id": "medicare",
      "clinic_time_zone": "America/Chicago", "device_kind": "DEVICE_KIND_MUSCULOSKELETAL",
      "program": "MONITORING_PROGRAM_REMOTE_THERAPEUTIC"}})";

TEST(ScenarioMonths, CountsInTheClinicsZoneNotInUtc) {
  // 2026-10-31 20:00 in Chicago is 2026-11-01 01:00 UTC: still October.
  absl::StatusOr<Scenario> s =
      ParseScenario(File(std::string(kStart) + R"(, {"at": "30d 11:00:00", )" + kDevice + "}"));
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::vector<ScenarioMonth>> months = MonitoringMonths(*s);
  ASSERT_TRUE(months.ok()) << months.status();
  EXPECT_THAT(*months, ElementsAre(ScenarioMonth{"demo-rehab", "pt-1", "2026-10"}));
}

TEST(ScenarioMonths, EveryMonthTouchedOnceAndVisitsLeftOut) {
  absl::StatusOr<Scenario> s = ParseScenario(
      File(std::string(kStart) + R"(, {"at": "31d 00:00:00", )" + kDevice +
           R"(}, {"at": "32d 00:00:00", )" + kDevice +
           R"(}, {"at": "70d 00:00:00", "session_id": "visit-1", "session_stopped": {}})"));
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::vector<ScenarioMonth>> months = MonitoringMonths(*s);
  ASSERT_TRUE(months.ok()) << months.status();
  EXPECT_THAT(*months, ElementsAre(ScenarioMonth{"demo-rehab", "pt-1", "2026-10"},
                                   ScenarioMonth{"demo-rehab", "pt-1", "2026-11"}));
}

TEST(ScenarioMonths, AnEpisodeWithoutItsStartIsLeftOut) {
  absl::StatusOr<Scenario> s =
      ParseScenario(File(std::string(R"({"at": "00:00", )") + kDevice + "}"));
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::vector<ScenarioMonth>> months = MonitoringMonths(*s);
  ASSERT_TRUE(months.ok()) << months.status();
  EXPECT_TRUE(months->empty());
}

TEST(ScenarioMonths, AnUnknownZoneIsNamed) {
  std::string start = kStart;
  start.replace(start.find("America/Chicago"), 15, "Mars/Olympus");
  absl::StatusOr<Scenario> s = ParseScenario(File(start));
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::vector<ScenarioMonth>> months = MonitoringMonths(*s);
  ASSERT_FALSE(months.ok());
  EXPECT_EQ(months.status().message(),
            "monitoring_episode_started.clinic_time_zone: \"Mars/Olympus\" is not in the time "
            "zone database");
}

// The shipped files, as the examples and the end-to-end tests play them.

TEST(ScenarioExamples, TheVideoSessionIsUnchanged) {
  absl::StatusOr<Scenario> s =
      LoadScenario(std::string(UNITCLOCK_SCENARIO_DIR) + "/video_exercise_30min.json");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->events.size(), 21u);
  EXPECT_THAT(s->session_ids, ElementsAre("demo-20261127-0001"));
  EXPECT_EQ(s->events[20].event_id(), "demo-20261127-0001-021");
  EXPECT_EQ(TimeUtil::ToString(s->events[20].occurred_at()), "2026-11-27T15:30:00Z");
  EXPECT_FALSE(IsMonitoringEpisode(*s, "demo-20261127-0001"));
}

// The local date of an event in Chicago, "YYYY-MM-DD".
std::string ChicagoDate(const v1::Event& e) {
  const auto utc = std::chrono::sys_seconds(std::chrono::seconds(e.occurred_at().seconds()));
  const auto local = date::make_zoned("America/Chicago", utc).get_local_time();
  return date::format("%F", date::floor<date::days>(local));
}

TEST(ScenarioExamples, TheRtmMonthHoldsWhatItsExpectationsSay) {
  absl::StatusOr<Scenario> s =
      LoadScenario(std::string(UNITCLOCK_SCENARIO_DIR) + "/rtm_month.json");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->session_ids.size(), 2u);
  const std::string episode = s->session_ids[0];
  EXPECT_TRUE(IsMonitoringEpisode(*s, episode));
  EXPECT_EQ(s->session_ids[1], "visit-2026-10-14");
  EXPECT_FALSE(IsMonitoringEpisode(*s, "visit-2026-10-14"));

  std::set<std::string> device_dates;
  std::map<std::string, int> per_date;
  std::set<std::string> utc_dates;
  long long management_seconds = 0;
  int starts = 0, ends = 0, calls = 0, visit_events = 0;
  for (const v1::Event& e : s->events) {
    if (e.session_id() == "visit-2026-10-14") {
      ++visit_events;
      continue;
    }
    if (e.has_device_data_received()) {
      device_dates.insert(ChicagoDate(e));
      ++per_date[ChicagoDate(e)];
      utc_dates.insert(TimeUtil::ToString(e.occurred_at()).substr(0, 10));
    }
    if (e.has_treatment_management_recorded()) {
      management_seconds += e.treatment_management_recorded().duration_seconds();
    }
    starts += e.has_monitoring_episode_started();
    ends += e.has_monitoring_episode_ended();
    calls += e.has_interactive_communication_held();
  }
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(ends, 1);
  EXPECT_EQ(calls, 0) << "the visit is the month's interactive communication";
  EXPECT_GT(visit_events, 5);
  EXPECT_EQ(management_seconds, 21 * 60);
  EXPECT_EQ(device_dates.size(), 18u);
  EXPECT_EQ(*device_dates.begin(), "2026-10-01");
  EXPECT_EQ(*device_dates.rbegin(), "2026-10-30") << "within the first 30-day period";
  EXPECT_GE(
      std::count_if(per_date.begin(), per_date.end(), [](const auto& p) { return p.second > 1; }),
      2);
  // The late transmission of 2026-10-30 (Chicago) is on 2026-10-31 in UTC,
  // the next device period's first day: counted in UTC it would move.
  std::vector<std::string> utc_only;
  std::set_difference(utc_dates.begin(), utc_dates.end(), device_dates.begin(), device_dates.end(),
                      std::back_inserter(utc_only));
  EXPECT_THAT(utc_only, ElementsAre("2026-10-31"));
  absl::StatusOr<std::vector<ScenarioMonth>> months = MonitoringMonths(*s);
  ASSERT_TRUE(months.ok()) << months.status();
  EXPECT_THAT(*months, ElementsAre(ScenarioMonth{"demo-rehab", "pt-7f3a", "2026-10"}));

  // The companion file the end-to-end test compares the server's answer to
  // says the same of the scenario.
  std::ifstream in(std::string(UNITCLOCK_SCENARIO_DIR) + "/rtm_month.expected.json");
  const nlohmann::json expected = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(expected.is_object());
  EXPECT_EQ(expected["episode_id"], episode);
  EXPECT_EQ(expected["visits"][0]["session_id"], "visit-2026-10-14");
  const nlohmann::json& suggestions = expected["monitoring"]["suggestions"];
  ASSERT_EQ(suggestions.size(), 2u);
  EXPECT_EQ(suggestions[0]["kind"], "MONITORING_PERIOD_KIND_DEVICE_PERIOD");
  EXPECT_EQ(suggestions[0]["device_data_dates"].get<std::set<std::string>>(), device_dates);
  EXPECT_EQ(suggestions[0]["device_data_dates"].size(), device_dates.size());
  EXPECT_EQ(suggestions[1]["kind"], "MONITORING_PERIOD_KIND_CALENDAR_MONTH");
  EXPECT_EQ(suggestions[1]["management_seconds"], management_seconds);
}

}  // namespace
}  // namespace unitclock::examples

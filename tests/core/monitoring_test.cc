#include "core/monitoring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/policy.h"
#include "core/review.h"

namespace unitclock::core {
namespace {

using std::chrono::year_month;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kZone[] = "America/Chicago";

Day D(int y, unsigned m, unsigned d) {
  return Day(std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                         std::chrono::day{d}});
}

// An instant in UTC. 18:00 UTC, the default, is noon (CST) or 13:00 (CDT) in
// Chicago: the same local date all year.
TimePoint Utc(int y, unsigned m, unsigned d, int h = 18, int min = 0) {
  return TimePoint(D(y, m, d)) + std::chrono::hours(h) + std::chrono::minutes(min);
}

year_month Month(int y, unsigned m) { return std::chrono::year{y} / std::chrono::month{m}; }

std::chrono::minutes Min(int n) { return std::chrono::minutes(n); }

// ---- The shipped rules: monitoring.json and the three payer files ----

std::string ReadPolicyFile(const std::string& name) {
  std::ifstream in(std::string(UNITCLOCK_POLICY_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

PolicySet Shipped() {
  PolicySet set;
  auto catalogue = ParseCodeCatalogue(ReadPolicyFile("codes.json"), "codes.json");
  EXPECT_TRUE(catalogue.ok()) << catalogue.status();
  if (catalogue.ok()) set.catalogue = *catalogue;
  auto rules = ParseMonitoringRules(ReadPolicyFile("monitoring.json"), "monitoring.json");
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (rules.ok()) set.monitoring = *rules;
  for (const char* payer : {"medicare", "commercial-cpt", "acme-health"}) {
    const std::string name = std::string("payers/") + payer + ".json";
    auto policy = ParsePayerPolicy(ReadPolicyFile(name), name);
    EXPECT_TRUE(policy.ok()) << policy.status();
    if (policy.ok()) set.payers.emplace(payer, *policy);
  }
  return set;
}

const PolicySet& Policies() {
  static const PolicySet* set = new PolicySet(Shipped());
  return *set;
}

// ---- Episodes as events ----

struct Facts {
  std::string payer = "medicare";
  Discipline discipline = Discipline::kPhysicalTherapy;
  DeviceKind device = DeviceKind::kMusculoskeletal;
  MonitoringProgram program = MonitoringProgram::kRemoteTherapeutic;
};

// The events of one episode, each with its own id.
class Episode {
 public:
  Episode(std::string id, TimePoint start, Facts facts = {}) : id_(std::move(id)) {
    MonitoringEpisodeStarted s;
    s.platform = "test-platform";
    s.patient_ref = "pt-0001";
    s.provider_ref = "prov-0001";
    s.provider_role = ProviderRole::kPt;
    s.discipline = facts.discipline;
    s.payer_id = facts.payer;
    s.clinic_time_zone = kZone;
    s.device_kind = facts.device;
    s.program = facts.program;
    Add(start, s);
  }

  Episode& Data(TimePoint t) {
    Add(t, DeviceDataReceived{"steps"});
    return *this;
  }
  // Data at 18:00 UTC on days first..last of a month.
  Episode& DataOnDays(int y, unsigned m, unsigned first, unsigned last) {
    for (unsigned d = first; d <= last; ++d) Data(Utc(y, m, d));
    return *this;
  }
  Episode& Manage(TimePoint t, Duration length, ProviderRole role = ProviderRole::kPt) {
    Add(t, TreatmentManagementRecorded{"clin-1", role, length, "data review"});
    return *this;
  }
  Episode& Call(TimePoint t, Duration length, ProviderRole role = ProviderRole::kPt,
                Modality modality = Modality::kAudioVideo) {
    Add(t, InteractiveCommunicationHeld{"clin-1", role, modality, length});
    return *this;
  }
  Episode& End(TimePoint t) {
    Add(t, MonitoringEpisodeEnded{});
    return *this;
  }

  const std::string& id() const { return id_; }
  std::vector<Event>& events() { return events_; }
  const std::vector<Event>& events() const { return events_; }
  MonitoringEpisode Summary() const { return SummarizeEpisode(id_, events_); }

 private:
  void Add(TimePoint t, EventPayload payload) {
    Event e;
    char id[32];
    std::snprintf(id, sizeof(id), "%03d", static_cast<int>(events_.size()));
    e.event_id = id_ + "-e" + id;
    e.session_id = id_;
    e.occurred_at = t;
    e.payload = std::move(payload);
    events_.push_back(std::move(e));
  }

  std::string id_;
  std::vector<Event> events_;
};

std::vector<Suggestion> Suggest(const std::vector<Episode>& episodes, year_month month,
                                TimePoint now, const std::vector<MonitoringVisit>& visits = {},
                                const PolicySet& policies = Policies()) {
  std::vector<MonitoringEpisode> summaries;
  for (const Episode& e : episodes) summaries.push_back(e.Summary());
  return SuggestMonitoringCodes(summaries, visits, month, policies, now);
}

// The first suggestion of `kind`; fails the test if there is none.
Suggestion Of(const std::vector<Suggestion>& suggestions, MonitoringPeriodKind kind) {
  for (const Suggestion& s : suggestions) {
    if (s.monitoring && s.monitoring->kind == kind) return s;
  }
  ADD_FAILURE() << "no suggestion of kind " << MonitoringPeriodKindName(kind);
  return Suggestion();
}
Suggestion MonthOf(const std::vector<Suggestion>& s) {
  return Of(s, MonitoringPeriodKind::kCalendarMonth);
}
Suggestion DeviceOf(const std::vector<Suggestion>& s) {
  return Of(s, MonitoringPeriodKind::kDevicePeriod);
}

// "98980 x1 GP CQ" per line.
std::vector<std::string> Lines(const Suggestion& s) {
  std::vector<std::string> out;
  for (const SuggestedLine& l : s.lines) {
    std::string text = l.code + " x" + std::to_string(l.units);
    for (const std::string& m : l.modifiers) text += " " + m;
    out.push_back(text);
  }
  return out;
}

const CodingWarning* FindWarning(const Suggestion& s, const std::string& code) {
  for (const CodingWarning& w : s.warnings) {
    if (w.code == code) return &w;
  }
  return nullptr;
}

std::vector<std::string> WarningCodes(const Suggestion& s) {
  std::vector<std::string> out;
  for (const CodingWarning& w : s.warnings) out.push_back(w.code);
  return out;
}

// After November 2026: every November period has closed.
const TimePoint kDecember = Utc(2026, 12, 15);

// ---- Episodes from events ----

TEST(SummarizeEpisode, ReadsEachPayloadAndCountsVisitEventsAsIgnored) {
  Episode e("ep-1", Utc(2026, 11, 2));
  e.Data(Utc(2026, 11, 4)).Data(Utc(2026, 11, 3));
  e.Manage(Utc(2026, 11, 5), Min(12), ProviderRole::kPta);
  e.Call(Utc(2026, 11, 4, 19), Min(3), ProviderRole::kPt, Modality::kAudioOnly);
  e.End(Utc(2026, 11, 20));
  Event visit_event = e.events().back();
  visit_event.event_id = "ep-1-visit";
  visit_event.payload = SessionStopped{StopReason::kEnded};
  e.events().push_back(visit_event);

  const MonitoringEpisode m = e.Summary();
  const std::vector<MonitoringEpisode> episodes = {m};
  for (const Suggestion& s :
       SuggestMonitoringCodes(episodes, {}, Month(2026, 11), Policies(), kDecember)) {
    const CodingWarning* w = FindWarning(s, "visit_events_in_episode");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->severity, Severity::kReview);
  }
  EXPECT_EQ(m.episode_id, "ep-1");
  ASSERT_TRUE(m.started.has_value());
  EXPECT_EQ(m.started->payer_id, "medicare");
  EXPECT_EQ(m.start_time, Utc(2026, 11, 2));
  EXPECT_EQ(m.end_time, Utc(2026, 11, 20));
  EXPECT_THAT(m.data_times, ElementsAre(Utc(2026, 11, 3), Utc(2026, 11, 4)));
  ASSERT_EQ(m.time_entries.size(), 2u);
  // By start: the call (Nov 4) before the management interval (Nov 5).
  EXPECT_TRUE(m.time_entries[0].interactive);
  EXPECT_EQ(m.time_entries[0].modality, Modality::kAudioOnly);
  EXPECT_EQ(m.time_entries[0].interval, (Interval{Utc(2026, 11, 4, 19), Utc(2026, 11, 4, 19, 3)}));
  EXPECT_FALSE(m.time_entries[1].interactive);
  EXPECT_EQ(m.time_entries[1].clinician_role, ProviderRole::kPta);
  EXPECT_EQ(m.time_entries[1].interval.length(), Min(12));
  EXPECT_EQ(m.ignored_events, 1);
}

TEST(SummarizeEpisode, TheEarliestStartWinsAndOnATieTheSmallerEventId) {
  const auto started_with_tie = [](const std::string& tie_id) {
    Episode e("ep-1", Utc(2026, 11, 2), Facts{.payer = "medicare"});  // event "ep-1-e000"
    const Episode other("ep-1", Utc(2026, 11, 2), Facts{.payer = "commercial-cpt"});
    Event tie = other.events().front();
    tie.event_id = tie_id;
    e.events().push_back(tie);
    // A smaller id, but later: never the start.
    Event later = other.events().front();
    later.event_id = "ep-1-0";
    later.occurred_at = Utc(2026, 11, 3);
    e.events().push_back(later);
    e.End(Utc(2026, 11, 25)).End(Utc(2026, 11, 21));
    return e.Summary();
  };
  const MonitoringEpisode larger_tie = started_with_tie("ep-1-z");
  ASSERT_TRUE(larger_tie.started.has_value());
  EXPECT_EQ(larger_tie.started->payer_id, "medicare");
  EXPECT_EQ(larger_tie.start_time, Utc(2026, 11, 2));
  EXPECT_EQ(larger_tie.end_time, Utc(2026, 11, 21));  // the earliest end
  const MonitoringEpisode smaller_tie = started_with_tie("ep-1-a");
  ASSERT_TRUE(smaller_tie.started.has_value());
  EXPECT_EQ(smaller_tie.started->payer_id, "commercial-cpt");
}

TEST(SummarizeEpisode, OrderAndRepeatsDoNotMatter) {
  Episode e("ep-1", Utc(2026, 11, 2));
  e.DataOnDays(2026, 11, 2, 9).Manage(Utc(2026, 11, 5), Min(7)).Call(Utc(2026, 11, 6), Min(4));
  const MonitoringEpisode expected = e.Summary();
  std::mt19937 random(7);
  for (int round = 0; round < 5; ++round) {
    std::vector<Event> events = e.events();
    events.insert(events.end(), e.events().begin(), e.events().begin() + round + 1);
    std::shuffle(events.begin(), events.end(), random);
    EXPECT_EQ(SummarizeEpisode("ep-1", events), expected);
  }
}

TEST(SummarizeEpisode, WithoutAStartTheEpisodeIsNotCoded) {
  Episode e("ep-1", Utc(2026, 11, 2));
  e.Manage(Utc(2026, 11, 5), Min(25)).Call(Utc(2026, 11, 6), Min(4));
  e.events().erase(e.events().begin());
  const MonitoringEpisode m = e.Summary();
  EXPECT_FALSE(m.started.has_value());
  EXPECT_FALSE(m.start_time.has_value());
  const std::vector<MonitoringEpisode> episodes = {m};
  EXPECT_THAT(SuggestMonitoringCodes(episodes, {}, Month(2026, 11), Policies(), kDecember),
              IsEmpty());
  EXPECT_EQ(ComputeMonitoringProgress("ep-1", episodes, {}, Policies(), kDecember), std::nullopt);
}

TEST(VisitForMonitoring, ALiveVideoIntervalMakesTheVisitAnInteractiveContact) {
  SessionForCoding session;
  session.session_id = "visit-1";
  session.timeline.session = {Utc(2026, 11, 10), Utc(2026, 11, 10, 19)};
  BillableInterval audio;
  audio.interval = {Utc(2026, 11, 10), Utc(2026, 11, 10, 18, 30)};
  audio.media = Modality::kAudioOnly;
  session.timeline.billable = {audio};
  MonitoringVisit visit = VisitForMonitoring(session);
  EXPECT_EQ(visit.session_id, "visit-1");
  EXPECT_EQ(visit.span, session.timeline.session);
  EXPECT_FALSE(visit.live_video_with_patient);

  BillableInterval video = audio;
  video.interval = {Utc(2026, 11, 10, 18, 30), Utc(2026, 11, 10, 18, 40)};
  video.media = Modality::kAudioVideo;
  session.timeline.billable.push_back(video);
  EXPECT_TRUE(VisitForMonitoring(session).live_video_with_patient);
}

// ---- Calendar month: treatment management ----

// An episode of November 2026 whose only time is one call of `minutes`.
std::vector<Suggestion> MonthWithACallOf(int minutes) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.Call(Utc(2026, 11, 10), Min(minutes));
  return Suggest({e}, Month(2026, 11), kDecember);
}

TEST(MonitoringManagement, MinutesChooseBetween98979And98980) {
  EXPECT_THAT(Lines(MonthOf(MonthWithACallOf(9))), IsEmpty());
  EXPECT_NE(FindWarning(MonthOf(MonthWithACallOf(9)), "management_under_minimum"), nullptr);
  EXPECT_THAT(Lines(MonthOf(MonthWithACallOf(10))), ElementsAre("98979 x1 GP"));
  EXPECT_THAT(Lines(MonthOf(MonthWithACallOf(19))), ElementsAre("98979 x1 GP"));
  EXPECT_THAT(Lines(MonthOf(MonthWithACallOf(20))), ElementsAre("98980 x1 GP"));
  EXPECT_THAT(Lines(MonthOf(MonthWithACallOf(39))), ElementsAre("98980 x1 GP"));
  EXPECT_THAT(Lines(MonthOf(MonthWithACallOf(40))), ElementsAre("98980 x1 GP", "98981 x1 GP"));
  EXPECT_THAT(Lines(MonthOf(MonthWithACallOf(79))), ElementsAre("98980 x1 GP", "98981 x2 GP"));
}

TEST(MonitoringManagement, TheWarningSaysWhyTheCodeWasChosen) {
  const Suggestion s = MonthOf(MonthWithACallOf(14));
  const CodingWarning* why = FindWarning(s, "management_code_by_minutes");
  ASSERT_NE(why, nullptr);
  EXPECT_EQ(why->severity, Severity::kInfo);
  EXPECT_EQ(why->message, "14 minutes: 98979; 98980 needs 20.");
  EXPECT_EQ(why->cpt_code, "98979");
  EXPECT_EQ(FindWarning(s, "management_under_minimum"), nullptr);
  const Suggestion nine = MonthOf(MonthWithACallOf(9));
  const CodingWarning* under = FindWarning(nine, "management_under_minimum");
  ASSERT_NE(under, nullptr);
  EXPECT_EQ(under->message,
            "9 minutes of management: under the 10 that 98979, the smallest management code on "
            "2026-11-30, needs.");
}

TEST(MonitoringManagement, Before2026TenToNineteenMinutesBillNothing) {
  Episode e("ep-1", Utc(2025, 11, 1));
  e.Call(Utc(2025, 11, 10), Min(15));
  const Suggestion s = MonthOf(Suggest({e}, Month(2025, 11), kDecember));
  EXPECT_THAT(Lines(s), IsEmpty());
  const CodingWarning* under = FindWarning(s, "management_under_minimum");
  ASSERT_NE(under, nullptr);
  EXPECT_THAT(under->message, HasSubstr("under the 20 that 98980"));
}

TEST(MonitoringManagement, EachUnitListsTheTimeBehindIt) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.Manage(Utc(2026, 11, 10), Min(30)).Call(Utc(2026, 11, 12), Min(15));
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember));
  ASSERT_THAT(Lines(s), ElementsAre("98980 x1 GP", "98981 x1 GP"));
  EXPECT_EQ(s.monitoring->management_minutes, 45);
  EXPECT_EQ(s.monitoring->management, Min(45));
  // 98980: the first 20 minutes; 98981: the next 20; the last 5 in none.
  ASSERT_EQ(s.lines[0].provenance.size(), 1u);
  EXPECT_THAT(s.lines[0].provenance[0].intervals,
              ElementsAre(Interval{Utc(2026, 11, 10), Utc(2026, 11, 10, 18, 20)}));
  ASSERT_EQ(s.lines[1].provenance.size(), 1u);
  EXPECT_THAT(s.lines[1].provenance[0].intervals,
              ElementsAre(Interval{Utc(2026, 11, 10, 18, 20), Utc(2026, 11, 10, 18, 30)},
                          Interval{Utc(2026, 11, 12), Utc(2026, 11, 12, 18, 10)}));
  EXPECT_EQ(s.lines[0].minutes, 20);
  EXPECT_EQ(s.lines[1].minutes, 20);
  // RTM is not a telehealth service: no 95, and the payer's own place of service.
  EXPECT_EQ(s.lines[0].place_of_service, "11");
  EXPECT_FALSE(s.lines[0].blocking);
  EXPECT_EQ(s.lines[0].description, Policies().monitoring.Find("98980")->description);
}

TEST(MonitoringManagement, WithoutAnInteractiveCommunicationNoManagementCode) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.Manage(Utc(2026, 11, 10), Min(34));
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember));
  EXPECT_THAT(Lines(s), IsEmpty());
  EXPECT_EQ(s.monitoring->management_minutes, 34);
  EXPECT_THAT(s.monitoring->contacts, IsEmpty());
  const CodingWarning* w = FindWarning(s, "management_without_interactive_communication");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
  EXPECT_THAT(w->message, HasSubstr("34 minutes of management wait for one"));
}

TEST(MonitoringManagement, ALateCallRecomputesTheMonth) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.Manage(Utc(2026, 11, 10), Min(25));
  EXPECT_THAT(Lines(MonthOf(Suggest({e}, Month(2026, 11), kDecember))), IsEmpty());
  e.Call(Utc(2026, 11, 28), Min(2));  // arrives after the month closed
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember));
  EXPECT_THAT(Lines(s), ElementsAre("98980 x1 GP"));
  EXPECT_EQ(s.monitoring->management_minutes, 27);
  ASSERT_EQ(s.monitoring->contacts.size(), 1u);
  EXPECT_EQ(s.monitoring->contacts[0].event_id, e.events().back().event_id);
}

TEST(MonitoringManagement, OverlappingTimeCountsOnceAndAsTheTherapists) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.Manage(Utc(2026, 11, 10), Min(20), ProviderRole::kPta);
  e.Manage(Utc(2026, 11, 10, 18, 5), Min(10), ProviderRole::kPt);  // inside the PTA's
  e.Call(Utc(2026, 11, 10, 18, 15), Min(10));                      // half inside
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember));
  // 18:00-18:25, each minute once.
  EXPECT_EQ(s.monitoring->management_minutes, 25);
  // 18:00-18:05 the PTA's alone; the rest a therapist's.
  EXPECT_EQ(s.monitoring->assistant_minutes, 5);
  ASSERT_EQ(s.monitoring->management_times.size(), 3u);
  EXPECT_EQ(s.monitoring->management_times[0].clinician_role, ProviderRole::kPta);
  EXPECT_EQ(s.monitoring->management_times[0].interval,
            (Interval{Utc(2026, 11, 10), Utc(2026, 11, 10, 18, 5)}));
  EXPECT_EQ(s.monitoring->management_times[1].clinician_role, ProviderRole::kPt);
  EXPECT_FALSE(s.monitoring->management_times[1].interactive);
  EXPECT_EQ(s.monitoring->management_times[2].interval,
            (Interval{Utc(2026, 11, 10, 18, 15), Utc(2026, 11, 10, 18, 25)}));
  EXPECT_TRUE(s.monitoring->management_times[2].interactive);
  // 5 of the first 20 minutes by the assistant: over 10%, CQ.
  EXPECT_THAT(Lines(s), ElementsAre("98980 x1 GP CQ"));
}

TEST(MonitoringManagement, AUnitCarriesCqWhenTheAssistantFurnishedOverTenPercentOfIt) {
  // 98980's 20 minutes: `assistant` by the PTA, the rest by the PT; a
  // 1-minute call later (98981 needs 20 more: not reached).
  const auto lines_with = [](int assistant) {
    Episode e("ep-1", Utc(2026, 11, 1));
    e.Manage(Utc(2026, 11, 10), Min(assistant), ProviderRole::kPta);
    e.Manage(Utc(2026, 11, 10, 18, assistant), Min(20 - assistant), ProviderRole::kPt);
    e.Call(Utc(2026, 11, 12), Min(1));
    return Lines(MonthOf(Suggest({e}, Month(2026, 11), kDecember)));
  };
  EXPECT_THAT(lines_with(2), ElementsAre("98980 x1 GP"));  // 10%: not over
  EXPECT_THAT(lines_with(3), ElementsAre("98980 x1 GP CQ"));
}

TEST(MonitoringManagement, EachFurtherUnitIsJudgedOnItsOwnMinutes) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.Manage(Utc(2026, 11, 10), Min(20), ProviderRole::kPt);
  e.Manage(Utc(2026, 11, 11), Min(20), ProviderRole::kPta);
  e.Manage(Utc(2026, 11, 12), Min(20), ProviderRole::kPt);
  e.Call(Utc(2026, 11, 13), Min(1));
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember));
  EXPECT_THAT(Lines(s), ElementsAre("98980 x1 GP", "98981 x1 GP", "98981 x1 GP CQ"));
  EXPECT_EQ(s.monitoring->assistant_minutes, 20);
  EXPECT_EQ(s.lines[2].assistant_minutes, 20);
  ASSERT_EQ(s.lines[2].provenance.size(), 1u);
  EXPECT_THAT(s.lines[2].provenance[0].intervals,
              ElementsAre(Interval{Utc(2026, 11, 11), Utc(2026, 11, 11, 18, 20)}));
  const CodingWarning* share = FindWarning(s, "assistant_share");
  ASSERT_NE(share, nullptr);
  EXPECT_EQ(share->cpt_code, "98981");
}

TEST(MonitoringManagement, APayerWithoutAssistantModifiersGetsAReviewInstead) {
  Episode e("ep-1", Utc(2026, 11, 1), Facts{.payer = "commercial-cpt"});
  e.Manage(Utc(2026, 11, 10), Min(20), ProviderRole::kPta).Call(Utc(2026, 11, 12), Min(1));
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember));
  EXPECT_THAT(Lines(s), ElementsAre("98980 x1 GP"));
  const CodingWarning* w = FindWarning(s, "assistant_without_modifier");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
}

TEST(MonitoringManagement, AssistantTimeThePayerDoesNotRecogniseIsNotCounted) {
  // Medicare recognises no assistants in speech-language pathology.
  Episode e("ep-1", Utc(2026, 11, 1), Facts{.discipline = Discipline::kSpeechLanguage});
  e.Manage(Utc(2026, 11, 10), Min(15), ProviderRole::kOta);
  e.Manage(Utc(2026, 11, 11), Min(12), ProviderRole::kSlp);
  e.Call(Utc(2026, 11, 12), Min(1), ProviderRole::kSlp);
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember));
  EXPECT_EQ(s.monitoring->management_minutes, 13);
  EXPECT_EQ(s.monitoring->assistant_minutes, 0);
  EXPECT_THAT(Lines(s), ElementsAre("98979 x1 GN"));
  const CodingWarning* w = FindWarning(s, "monitoring_assistant_not_recognized");
  ASSERT_NE(w, nullptr);
  EXPECT_NE(w->severity, Severity::kBlocking);
  EXPECT_THAT(w->message, HasSubstr("15 minutes"));
}

TEST(MonitoringManagement, TimeInsideAVisitCountsForTheVisitOnly) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.Manage(Utc(2026, 11, 10), Min(40)).Call(Utc(2026, 11, 12), Min(1));
  MonitoringVisit visit{"visit-1", {Utc(2026, 11, 10, 18, 10), Utc(2026, 11, 10, 18, 25)}, false};
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember, {visit}));
  EXPECT_EQ(s.monitoring->management_minutes, 26);
  ASSERT_EQ(s.monitoring->management_times.size(), 3u);
  EXPECT_EQ(s.monitoring->management_times[0].interval,
            (Interval{Utc(2026, 11, 10), Utc(2026, 11, 10, 18, 10)}));
  EXPECT_EQ(s.monitoring->management_times[1].interval,
            (Interval{Utc(2026, 11, 10, 18, 25), Utc(2026, 11, 10, 18, 40)}));
  EXPECT_THAT(Lines(s), ElementsAre("98980 x1 GP"));
  // Without the visit: 41 minutes, 98981 too.
  EXPECT_THAT(Lines(MonthOf(Suggest({e}, Month(2026, 11), kDecember))),
              ElementsAre("98980 x1 GP", "98981 x1 GP"));
}

TEST(MonitoringManagement, ALiveVideoVisitIsTheMonthsInteractiveCommunication) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.Manage(Utc(2026, 11, 10), Min(22));
  MonitoringVisit video{"visit-1", {Utc(2026, 11, 20), Utc(2026, 11, 20, 18, 45)}, true};
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember, {video}));
  EXPECT_THAT(Lines(s), ElementsAre("98980 x1 GP"));
  ASSERT_EQ(s.monitoring->contacts.size(), 1u);
  EXPECT_EQ(s.monitoring->contacts[0].session_id, "visit-1");
  EXPECT_TRUE(s.monitoring->contacts[0].event_id.empty());
  EXPECT_EQ(s.monitoring->contacts[0].modality, Modality::kAudioVideo);

  MonitoringVisit audio_only = video;
  audio_only.live_video_with_patient = false;
  EXPECT_THAT(Lines(MonthOf(Suggest({e}, Month(2026, 11), kDecember, {audio_only}))), IsEmpty());
  // A visit of another month is not this month's contact.
  MonitoringVisit december = video;
  december.span = {Utc(2026, 12, 2), Utc(2026, 12, 2, 18, 45)};
  EXPECT_THAT(Lines(MonthOf(Suggest({e}, Month(2026, 11), kDecember, {december}))), IsEmpty());
}

TEST(MonitoringManagement, OnlyTimeInsideTheEpisodeCounts) {
  Episode e("ep-1", Utc(2026, 11, 5));
  e.Manage(Utc(2026, 11, 3), Min(30));          // before the start
  e.Manage(Utc(2026, 11, 5, 17, 50), Min(15));  // 5 minutes of it after the start
  e.Call(Utc(2026, 11, 10), Min(5));
  e.End(Utc(2026, 11, 20));
  e.Manage(Utc(2026, 11, 22), Min(30));  // after the end
  e.Call(Utc(2026, 11, 23), Min(30));
  const Suggestion s = MonthOf(Suggest({e}, Month(2026, 11), kDecember));
  EXPECT_EQ(s.monitoring->management_minutes, 10);
  ASSERT_EQ(s.monitoring->contacts.size(), 1u);
  EXPECT_THAT(Lines(s), ElementsAre("98979 x1 GP"));
  // 30 + 10 + 30 + 30 minutes left out, and said so.
  const CodingWarning* w = FindWarning(s, "monitoring_time_outside_episode");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kInfo);
  EXPECT_THAT(w->message, HasSubstr("100 minutes of management"));
}

TEST(MonitoringManagement, TheMonthIsTheClinicsFromLocalMidnightAcrossDaylightSaving) {
  // 2026-03-01T05:30Z is Feb 28, 23:30 CST; 06:30Z is Mar 1, 00:30 CST.
  Episode e("ep-1", Utc(2026, 2, 1));
  e.Call(Utc(2026, 3, 1, 5, 30), Min(20));
  e.Call(Utc(2026, 3, 1, 6, 30), Min(12));
  // 2026-04-01T04:30Z is Mar 31, 23:30 CDT (summer time since Mar 8).
  e.Call(Utc(2026, 4, 1, 4, 30), Min(10));
  e.Call(Utc(2026, 4, 1, 5, 30), Min(25));
  const TimePoint later = Utc(2026, 6, 1);
  EXPECT_EQ(MonthOf(Suggest({e}, Month(2026, 2), later)).monitoring->management_minutes, 20);
  EXPECT_EQ(MonthOf(Suggest({e}, Month(2026, 3), later)).monitoring->management_minutes, 22);
  EXPECT_EQ(MonthOf(Suggest({e}, Month(2026, 4), later)).monitoring->management_minutes, 25);
  // A call across local midnight is split between the months.
  Episode across("ep-2", Utc(2026, 2, 1));
  across.Call(Utc(2026, 3, 1, 5, 50), Min(30));
  EXPECT_EQ(MonthOf(Suggest({across}, Month(2026, 2), later)).monitoring->management_minutes, 10);
  EXPECT_EQ(MonthOf(Suggest({across}, Month(2026, 3), later)).monitoring->management_minutes, 20);
  // The contact belongs to the month it starts in.
  EXPECT_EQ(MonthOf(Suggest({across}, Month(2026, 3), later)).monitoring->contacts.size(), 0u);
}

TEST(MonitoringManagement, EpisodesOfOnePayerAndDisciplineShareTheMonth) {
  Episode a("ep-a", Utc(2026, 11, 1));
  a.Manage(Utc(2026, 11, 10), Min(12));
  Episode b("ep-b", Utc(2026, 11, 3), Facts{.device = DeviceKind::kRespiratory});
  b.Manage(Utc(2026, 11, 10, 18, 6), Min(12)).Call(Utc(2026, 11, 15), Min(2));
  Episode other("ep-c", Utc(2026, 11, 3), Facts{.payer = "commercial-cpt"});
  other.Manage(Utc(2026, 11, 16), Min(30));
  const std::vector<Suggestion> all = Suggest({a, b, other}, Month(2026, 11), kDecember);
  std::vector<Suggestion> months;
  for (const Suggestion& s : all) {
    if (s.monitoring->kind == MonitoringPeriodKind::kCalendarMonth) months.push_back(s);
  }
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0].payer_id, "commercial-cpt");  // by payer
  EXPECT_EQ(months[1].payer_id, "medicare");
  EXPECT_EQ(months[1].monitoring->management_minutes, 20);  // 18:00-18:18, then the call
  EXPECT_THAT(months[1].session_ids, ElementsAre("ep-a", "ep-b"));
  EXPECT_THAT(months[1].monitoring->episode_ids, ElementsAre("ep-a", "ep-b"));
  EXPECT_THAT(Lines(months[1]), ElementsAre("98980 x1 GP"));
  EXPECT_EQ(months[1].date_of_service, D(2026, 11, 30));
  EXPECT_EQ(months[1].monitoring->first, D(2026, 11, 1));
  EXPECT_EQ(months[1].patient_ref, "pt-0001");
  EXPECT_EQ(months[1].discipline, Discipline::kPhysicalTherapy);
}

// ---- Device periods ----

// An MSK episode from Nov 1, 2026 with data on the first `days` days.
Suggestion NovemberDevicePeriodWith(unsigned days) {
  Episode e("ep-1", Utc(2026, 11, 1));
  if (days > 0) e.DataOnDays(2026, 11, 1, days);
  return DeviceOf(Suggest({e}, Month(2026, 11), kDecember));
}

TEST(MonitoringDevice, DaysOfDataChooseTheDeviceCode) {
  EXPECT_THAT(Lines(NovemberDevicePeriodWith(1)), IsEmpty());
  EXPECT_THAT(WarningCodes(NovemberDevicePeriodWith(1)), ElementsAre("device_period_under_2_days"));
  EXPECT_THAT(WarningCodes(NovemberDevicePeriodWith(16)), IsEmpty());
  EXPECT_THAT(Lines(NovemberDevicePeriodWith(2)), ElementsAre("98985 x1 GP", "98975 x1 GP"));
  EXPECT_THAT(Lines(NovemberDevicePeriodWith(15)), ElementsAre("98985 x1 GP", "98975 x1 GP"));
  EXPECT_THAT(Lines(NovemberDevicePeriodWith(16)), ElementsAre("98977 x1 GP", "98975 x1 GP"));
  EXPECT_THAT(Lines(NovemberDevicePeriodWith(30)), ElementsAre("98977 x1 GP", "98975 x1 GP"));
}

TEST(MonitoringDevice, TheLinesListTheDaysOfData) {
  const Suggestion s = NovemberDevicePeriodWith(3);
  EXPECT_EQ(s.date_of_service, D(2026, 11, 30));
  EXPECT_EQ(s.monitoring->first, D(2026, 11, 1));
  EXPECT_EQ(s.monitoring->last, D(2026, 11, 30));
  EXPECT_THAT(s.monitoring->device_data_dates,
              ElementsAre(D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3)));
  ASSERT_EQ(s.lines.size(), 2u);
  for (const SuggestedLine& line : s.lines) {
    ASSERT_EQ(line.provenance.size(), 1u);
    EXPECT_THAT(line.provenance[0].dates,
                ElementsAre(D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3)));
    EXPECT_THAT(line.provenance[0].intervals, IsEmpty());
    EXPECT_EQ(line.place_of_service, "11");
  }
}

TEST(MonitoringDevice, EachDeviceKindHasItsCodes) {
  const auto lines_for = [](DeviceKind kind, unsigned days) {
    Episode e("ep-1", Utc(2026, 11, 1), Facts{.device = kind});
    e.DataOnDays(2026, 11, 1, days);
    return Lines(DeviceOf(Suggest({e}, Month(2026, 11), kDecember)));
  };
  EXPECT_THAT(lines_for(DeviceKind::kRespiratory, 20), ElementsAre("98976 x1 GP", "98975 x1 GP"));
  EXPECT_THAT(lines_for(DeviceKind::kRespiratory, 5), ElementsAre("98984 x1 GP", "98975 x1 GP"));
  EXPECT_THAT(lines_for(DeviceKind::kCognitiveBehavioral, 5),
              ElementsAre("98986 x1 GP", "98975 x1 GP"));
  // 98978's first date is not verified: it asks for review.
  Episode cbt("ep-1", Utc(2026, 11, 1), Facts{.device = DeviceKind::kCognitiveBehavioral});
  cbt.DataOnDays(2026, 11, 1, 20);
  const Suggestion s = DeviceOf(Suggest({cbt}, Month(2026, 11), kDecember));
  EXPECT_THAT(Lines(s), ElementsAre("98978 x1 GP", "98975 x1 GP"));
  const CodingWarning* w = FindWarning(s, "monitoring_code_status_uncertain");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->cpt_code, "98978");
  EXPECT_THAT(s.lines[0].warning_codes, ElementsAre("monitoring_code_status_uncertain"));
}

TEST(MonitoringDevice, Before2026UnderSixteenDaysBillNothing) {
  Episode e("ep-1", Utc(2025, 11, 1));
  e.DataOnDays(2025, 11, 1, 10);
  const Suggestion s = DeviceOf(Suggest({e}, Month(2025, 11), kDecember));
  EXPECT_THAT(Lines(s), IsEmpty());
  const CodingWarning* w = FindWarning(s, "device_period_under_16_days");
  ASSERT_NE(w, nullptr);
  EXPECT_THAT(w->message, HasSubstr("10 days of data"));
}

TEST(MonitoringDevice, ManyTransmissionsOnOneDayAreOneDay) {
  Episode e("ep-1", Utc(2026, 11, 1));
  for (int i = 0; i < 50; ++i) e.Data(Utc(2026, 11, 3, 14, i));
  // 05:30Z on Nov 4 is still Nov 3 in Chicago.
  e.Data(Utc(2026, 11, 4, 5, 30));
  const Suggestion s = DeviceOf(Suggest({e}, Month(2026, 11), kDecember));
  EXPECT_THAT(s.monitoring->device_data_dates, ElementsAre(D(2026, 11, 3)));
  EXPECT_THAT(Lines(s), IsEmpty());
}

TEST(MonitoringDevice, PeriodsRunThirtyDaysFromTheStartAndTheLastIsCutAtTheEnd) {
  Episode e("ep-1", Utc(2026, 10, 20));
  e.DataOnDays(2026, 10, 20, 31).DataOnDays(2026, 11, 1, 30);
  e.End(Utc(2026, 12, 5));
  e.DataOnDays(2026, 12, 1, 10);  // the 6th to the 10th are after the end
  // Oct 20 - Nov 18 ends in November; Nov 19 - Dec 5 (cut) in December.
  const Suggestion november = DeviceOf(Suggest({e}, Month(2026, 11), Utc(2027, 1, 10)));
  EXPECT_EQ(november.monitoring->first, D(2026, 10, 20));
  EXPECT_EQ(november.date_of_service, D(2026, 11, 18));
  EXPECT_THAT(Lines(november), ElementsAre("98977 x1 GP", "98975 x1 GP"));
  const Suggestion december = DeviceOf(Suggest({e}, Month(2026, 12), Utc(2027, 1, 10)));
  EXPECT_EQ(december.monitoring->first, D(2026, 11, 19));
  EXPECT_EQ(december.date_of_service, D(2026, 12, 5));
  // Nov 19-30 and Dec 1-4: 16 days; Dec 5's data came at the end's instant,
  // outside [start, end).
  EXPECT_EQ(december.monitoring->device_data_dates.size(), 16u);
  // 98975 once per episode: in its first period only.
  EXPECT_THAT(Lines(december), ElementsAre("98977 x1 GP"));
}

TEST(MonitoringDevice, OverlappingPeriodsOfTwoEpisodesBlockTheLatersLines) {
  Episode a("ep-a", Utc(2026, 11, 1));
  a.DataOnDays(2026, 11, 1, 30);
  Episode b("ep-b", Utc(2026, 11, 10), Facts{.device = DeviceKind::kRespiratory});
  b.DataOnDays(2026, 11, 10, 30).DataOnDays(2026, 12, 1, 9);
  const TimePoint later = Utc(2027, 1, 10);
  const Suggestion first = DeviceOf(Suggest({a, b}, Month(2026, 11), later));
  EXPECT_THAT(first.session_ids, ElementsAre("ep-a"));
  EXPECT_FALSE(first.lines[0].blocking);
  const Suggestion second = DeviceOf(Suggest({a, b}, Month(2026, 12), later));
  EXPECT_THAT(second.session_ids, ElementsAre("ep-b"));
  EXPECT_THAT(Lines(second), ElementsAre("98976 x1 GP", "98975 x1 GP"));
  const CodingWarning* w = FindWarning(second, "device_periods_overlap");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kBlocking);
  for (const SuggestedLine& line : second.lines) {
    EXPECT_TRUE(line.blocking);
    EXPECT_THAT(line.warning_codes, ElementsAre("device_periods_overlap"));
  }
}

TEST(MonitoringDevice, PeriodsOfTwoEpisodesEndingOnOneDayShareASuggestion) {
  Episode a("ep-a", Utc(2026, 11, 1));
  a.DataOnDays(2026, 11, 1, 20);
  Episode b("ep-b", Utc(2026, 11, 1, 19));
  b.DataOnDays(2026, 11, 1, 5);
  std::vector<Suggestion> devices;
  for (const Suggestion& s : Suggest({a, b}, Month(2026, 11), kDecember)) {
    if (s.monitoring->kind == MonitoringPeriodKind::kDevicePeriod) devices.push_back(s);
  }
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_THAT(devices[0].session_ids, ElementsAre("ep-a", "ep-b"));
  EXPECT_THAT(Lines(devices[0]),
              ElementsAre("98977 x1 GP", "98975 x1 GP", "98985 x1 GP", "98975 x1 GP"));
  EXPECT_FALSE(devices[0].lines[0].blocking);
  EXPECT_TRUE(devices[0].lines[2].blocking);
  EXPECT_TRUE(devices[0].lines[3].blocking);
}

// ---- Across both kinds ----

TEST(Monitoring, SuggestionsComeByDateThenPayerThenKind) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.DataOnDays(2026, 11, 1, 20).Call(Utc(2026, 11, 5), Min(25));
  Episode late("ep-2", Utc(2026, 11, 10), Facts{.payer = "commercial-cpt"});
  late.DataOnDays(2026, 11, 10, 30).Call(Utc(2026, 11, 12), Min(12));
  const std::vector<Suggestion> all = Suggest({late, e}, Month(2026, 11), kDecember);
  std::vector<std::string> order;
  for (const Suggestion& s : all) {
    order.push_back(FormatDay(s.date_of_service) + " " + s.payer_id + " " +
                    MonitoringPeriodKindName(s.monitoring->kind));
  }
  // ep-2's first period ends on Dec 9: not in November.
  EXPECT_THAT(order, ElementsAre("2026-11-30 commercial-cpt calendar_month",
                                 "2026-11-30 medicare calendar_month",
                                 "2026-11-30 medicare device_period"));
}

TEST(Monitoring, AMonthOrPeriodWithNothingToBillGivesNoSuggestion) {
  // Data in November's first period, no management time at all; the episode
  // ends on December 1, cutting a second period of one day without data.
  Episode e("ep-1", Utc(2026, 11, 1));
  e.DataOnDays(2026, 11, 1, 20).End(Utc(2026, 12, 1, 18));
  const std::vector<Suggestion> november = Suggest({e}, Month(2026, 11), kDecember);
  ASSERT_EQ(november.size(), 1u);
  EXPECT_EQ(november[0].monitoring->kind, MonitoringPeriodKind::kDevicePeriod);
  EXPECT_TRUE(Suggest({e}, Month(2026, 12), Utc(2027, 1, 5)).empty());
}

TEST(Monitoring, ShuffledAndRepeatedEventsGiveTheSameSuggestions) {
  Episode a("ep-a", Utc(2026, 11, 1));
  a.DataOnDays(2026, 11, 1, 17).Manage(Utc(2026, 11, 3), Min(14), ProviderRole::kPta);
  a.Manage(Utc(2026, 11, 3, 18, 10), Min(30)).Call(Utc(2026, 11, 20), Min(6));
  Episode b("ep-b", Utc(2026, 11, 2), Facts{.program = MonitoringProgram::kRemotePhysiologic});
  b.DataOnDays(2026, 11, 2, 12);
  const std::vector<Episode> episodes = {a, b};
  const MonitoringVisit visit{"visit-1", {Utc(2026, 11, 3, 18, 20), Utc(2026, 11, 3, 19)}, true};
  const std::vector<Suggestion> expected = Suggest(episodes, Month(2026, 11), kDecember, {visit});
  ASSERT_EQ(expected.size(), 2u);
  std::mt19937 random(11);
  for (int round = 0; round < 10; ++round) {
    std::vector<Episode> shuffled = episodes;
    for (Episode& e : shuffled) {
      std::vector<Event> copy = e.events();
      e.events().insert(e.events().end(), copy.begin(), copy.begin() + round % copy.size() + 1);
      std::shuffle(e.events().begin(), e.events().end(), random);
    }
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    EXPECT_EQ(Suggest(shuffled, Month(2026, 11), kDecember, {visit}), expected) << round;
  }
}

TEST(Monitoring, RtmLinesOverlappingAnRpmEpisodeAreBlocked) {
  Episode rtm("ep-rtm", Utc(2026, 11, 1));
  rtm.DataOnDays(2026, 11, 1, 20).Call(Utc(2026, 11, 5), Min(25));
  Episode rpm(
      "ep-rpm", Utc(2026, 11, 15),
      Facts{.device = DeviceKind::kUnspecified, .program = MonitoringProgram::kRemotePhysiologic});
  rpm.DataOnDays(2026, 11, 15, 30).Manage(Utc(2026, 11, 16), Min(40));
  const std::vector<Suggestion> all = Suggest({rtm, rpm}, Month(2026, 11), kDecember);
  ASSERT_EQ(all.size(), 2u);  // RPM itself is never coded
  for (const Suggestion& s : all) {
    EXPECT_THAT(s.session_ids, ElementsAre("ep-rtm"));
    const CodingWarning* w = FindWarning(s, "rtm_and_rpm_same_period");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->severity, Severity::kBlocking);
    EXPECT_THAT(w->message, HasSubstr("ep-rpm"));
    ASSERT_FALSE(s.lines.empty());
    for (const SuggestedLine& line : s.lines) {
      EXPECT_TRUE(line.blocking);
      EXPECT_THAT(line.warning_codes, ::testing::Contains("rtm_and_rpm_same_period"));
    }
  }
  // An RPM episode starting after the month does not touch it.
  Episode december("ep-rpm", Utc(2026, 12, 2),
                   Facts{.program = MonitoringProgram::kRemotePhysiologic});
  for (const Suggestion& s : Suggest({rtm, december}, Month(2026, 11), kDecember)) {
    EXPECT_EQ(FindWarning(s, "rtm_and_rpm_same_period"), nullptr);
  }
}

TEST(Monitoring, APayerThatDoesNotCoverRtmGetsBlockedLines) {
  for (const char* payer : {"acme-health", "no-such-payer"}) {
    Episode e("ep-1", Utc(2026, 11, 1), Facts{.payer = payer});
    e.DataOnDays(2026, 11, 1, 20).Call(Utc(2026, 11, 5), Min(25));
    const std::vector<Suggestion> all = Suggest({e}, Month(2026, 11), kDecember);
    ASSERT_EQ(all.size(), 2u) << payer;
    EXPECT_THAT(Lines(all[0]), ElementsAre(::testing::StartsWith("98980 x1")));
    EXPECT_EQ(all[1].lines.size(), 2u);
    for (const Suggestion& s : all) {
      const CodingWarning* w = FindWarning(s, "payer_does_not_cover_monitoring");
      ASSERT_NE(w, nullptr) << payer;
      EXPECT_EQ(w->severity, Severity::kBlocking);
      for (const SuggestedLine& line : s.lines) {
        EXPECT_TRUE(line.blocking) << payer;
        EXPECT_THAT(line.warning_codes, ::testing::Contains("payer_does_not_cover_monitoring"));
      }
    }
  }
  // Medicare covers RTM from 2022 only.
  Episode early("ep-1", Utc(2021, 11, 1));
  early.Call(Utc(2021, 11, 5), Min(25));
  const Suggestion s = MonthOf(Suggest({early}, Month(2021, 11), kDecember));
  EXPECT_NE(FindWarning(s, "payer_does_not_cover_monitoring"), nullptr);
  // And 98980 is not valid then either.
  EXPECT_THAT(Lines(s), IsEmpty());
}

TEST(Monitoring, APeriodThatHasNotClosedIsProvisional) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.DataOnDays(2026, 11, 1, 20).Call(Utc(2026, 11, 5), Min(25));
  const auto provisional_at = [&](const Episode& episode, TimePoint now) {
    const std::vector<Suggestion> all = Suggest({episode}, Month(2026, 11), now);
    EXPECT_EQ(all.size(), 2u);
    for (const Suggestion& s : all) {
      EXPECT_EQ(s.monitoring->provisional, FindWarning(s, "monitoring_period_open") != nullptr);
    }
    return all.empty() ? false : all[0].monitoring->provisional;
  };
  EXPECT_TRUE(provisional_at(e, Utc(2026, 11, 20)));
  // Nov 30, 23:30 CST is still November in the clinic.
  EXPECT_TRUE(provisional_at(e, Utc(2026, 12, 1, 5, 30)));
  EXPECT_FALSE(provisional_at(e, Utc(2026, 12, 1, 6, 30)));
  // Ended before now: nothing more can come.
  Episode ended = e;
  ended.End(Utc(2026, 11, 25));
  EXPECT_FALSE(provisional_at(ended, Utc(2026, 11, 28)));
  EXPECT_TRUE(provisional_at(ended, Utc(2026, 11, 24)));
  const Suggestion open = MonthOf(Suggest({e}, Month(2026, 11), Utc(2026, 11, 20)));
  const CodingWarning* w = FindWarning(open, "monitoring_period_open");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
}

// ---- Progress ----

TEST(MonitoringProgress, ShowsTheMonthThePeriodAndWhatIsMissingNearestFirst) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.DataOnDays(2026, 11, 1, 4).Manage(Utc(2026, 11, 3), Min(14));
  const std::vector<MonitoringEpisode> episodes = {e.Summary()};
  const auto p = ComputeMonitoringProgress("ep-1", episodes, {}, Policies(), Utc(2026, 11, 10));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->month, Month(2026, 11));
  EXPECT_EQ(p->management_minutes, 14);
  EXPECT_FALSE(p->interactive_communication);
  EXPECT_THAT(p->management_codes, IsEmpty());
  EXPECT_EQ(p->period_first, D(2026, 11, 1));
  EXPECT_EQ(p->period_last, D(2026, 11, 30));
  EXPECT_EQ(p->device_days, 4);
  EXPECT_EQ(p->device_code, "98985");
  EXPECT_FALSE(p->ended);
  EXPECT_THAT(
      p->missing,
      ElementsAre(MonitoringGap{"98977", 12, 0, false, "12 more days of data for 98977"},
                  MonitoringGap{"98980", 0, 6, false, "6 more minutes of management for 98980"},
                  MonitoringGap{"98979", 0, 0, true,
                                "an interactive call with the patient is still needed this "
                                "month"}));
}

TEST(MonitoringProgress, AtTheStartEveryCodeIsAhead) {
  Episode e("ep-1", Utc(2026, 11, 1));
  const std::vector<MonitoringEpisode> episodes = {e.Summary()};
  const auto p = ComputeMonitoringProgress("ep-1", episodes, {}, Policies(), Utc(2026, 11, 1, 19));
  ASSERT_TRUE(p.has_value());
  std::vector<std::string> codes;
  for (const MonitoringGap& g : p->missing) codes.push_back(g.code);
  EXPECT_THAT(codes, ElementsAre("98985", "98977", "98979", "98980", "98979"));
  EXPECT_EQ(p->missing[0].message, "2 more days of data for 98985");
  EXPECT_EQ(p->missing[2].message, "10 more minutes of management for 98979");
  EXPECT_TRUE(p->missing[4].interactive_communication_needed);
}

TEST(MonitoringProgress, CodesReachedAndTheNextFurtherUnit) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.DataOnDays(2026, 11, 1, 16).Manage(Utc(2026, 11, 3), Min(40)).Call(Utc(2026, 11, 4), Min(5));
  const std::vector<MonitoringEpisode> episodes = {e.Summary()};
  const auto p = ComputeMonitoringProgress("ep-1", episodes, {}, Policies(), Utc(2026, 11, 17));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->management_minutes, 45);
  EXPECT_TRUE(p->interactive_communication);
  EXPECT_THAT(p->management_codes, ElementsAre("98980", "98981"));
  EXPECT_EQ(p->device_code, "98977");
  EXPECT_THAT(p->missing, ElementsAre(MonitoringGap{"98981", 0, 15, false,
                                                    "15 more minutes of management for 98981"}));
}

TEST(MonitoringProgress, ADeviceCodeOutOfReachIsNotListed) {
  Episode e("ep-1", Utc(2026, 11, 1));
  e.DataOnDays(2026, 11, 1, 4);
  const std::vector<MonitoringEpisode> episodes = {e.Summary()};
  // Nov 25: six days left, 12 needed for 98977.
  const auto p = ComputeMonitoringProgress("ep-1", episodes, {}, Policies(), Utc(2026, 11, 25));
  ASSERT_TRUE(p.has_value());
  for (const MonitoringGap& g : p->missing) EXPECT_NE(g.code, "98977");
}

TEST(MonitoringProgress, AfterTheEndItsLastMonthAndPeriod) {
  Episode e("ep-1", Utc(2026, 10, 20));
  e.DataOnDays(2026, 11, 1, 5).End(Utc(2026, 11, 21));
  const std::vector<MonitoringEpisode> episodes = {e.Summary()};
  const auto p = ComputeMonitoringProgress("ep-1", episodes, {}, Policies(), Utc(2027, 2, 1));
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->ended);
  EXPECT_EQ(p->month, Month(2026, 11));
  EXPECT_EQ(p->period_first, D(2026, 11, 19));
  EXPECT_EQ(p->period_last, D(2026, 11, 21));
  EXPECT_EQ(p->device_days, 0);  // the data of Nov 1-5 is in the first period
  EXPECT_THAT(p->missing, IsEmpty());
}

// ---- Review ----

TEST(MonitoringReview, AReviewerMayAmendAnRtmLine) {
  // The RTM codes are in the shipped catalogue (codes.json), which amended
  // lines are checked against.
  for (const MonitoringCode& code : Policies().monitoring.codes) {
    const std::vector<ApprovedLine> lines = {ApprovedLine{code.code, 1, {"GP"}, "11", 0}};
    EXPECT_TRUE(CheckAmendedLines(lines, Policies().catalogue).ok()) << code.code;
  }
}

// ---- Names ----

TEST(MonitoringNames, MonthsParseAndFormatAsYearDashMonth) {
  EXPECT_EQ(ParseMonth("2026-11"), Month(2026, 11));
  EXPECT_EQ(ParseMonth("1999-01"), Month(1999, 1));
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "",
                          "0000-01", "2026-1a", " 2026-11", "-026-11"}) {
    EXPECT_EQ(ParseMonth(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(FormatMonth(Month(2026, 3)), "2026-03");
  EXPECT_EQ(FormatMonth(std::chrono::year(987) / std::chrono::January), "0987-01");
  EXPECT_EQ(ParseMonth(FormatMonth(Month(2031, 12))), Month(2031, 12));
}

TEST(MonitoringNames, KindsHaveStableNames) {
  EXPECT_STREQ(DeviceKindName(DeviceKind::kMusculoskeletal), "musculoskeletal");
  EXPECT_STREQ(DeviceKindName(DeviceKind::kRespiratory), "respiratory");
  EXPECT_STREQ(DeviceKindName(DeviceKind::kCognitiveBehavioral), "cognitive_behavioral");
  EXPECT_STREQ(MonitoringPeriodKindName(MonitoringPeriodKind::kNone), "none");
  EXPECT_STREQ(MonitoringPeriodKindName(MonitoringPeriodKind::kCalendarMonth), "calendar_month");
  EXPECT_STREQ(MonitoringPeriodKindName(MonitoringPeriodKind::kDevicePeriod), "device_period");
}

}  // namespace
}  // namespace unitclock::core

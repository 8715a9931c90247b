// Properties of remote therapeutic monitoring over random months: every
// counted second is counted once and never inside a visit, device days are
// the local dates of the data, the codes never exceed their thresholds, and
// the result depends only on the set of distinct events.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/date_of_service.h"
#include "core/monitoring.h"
#include "core/policy.h"

namespace unitclock::core {
namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::year_month;

constexpr char kZone[] = "America/Chicago";

Day DayOf(year_month month) { return Day(month / std::chrono::day{1}); }

DateWindow From(int y, unsigned m, unsigned d) {
  return DateWindow{Day(std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}),
                    std::nullopt, "test", false};
}

MonitoringCode Code(const std::string& code, MonitoringCodeKind kind, DateWindow valid) {
  MonitoringCode c;
  c.code = code;
  c.description = code;
  c.kind = kind;
  c.valid = {valid};
  return c;
}

MonitoringCode Device(const std::string& code, DeviceKind kind, int min_days, int max_days,
                      DateWindow valid) {
  MonitoringCode c = Code(code, MonitoringCodeKind::kDeviceSupply, valid);
  c.device_kind = kind;
  c.min_days = min_days;
  c.max_days = max_days;
  return c;
}

MonitoringCode Management(const std::string& code, MonitoringCodeKind kind, int minutes,
                          DateWindow valid, std::string adds_to = "") {
  MonitoringCode c = Code(code, kind, valid);
  c.minutes = minutes;
  c.adds_to = std::move(adds_to);
  return c;
}

// The shipped rules' shape (core/policies/monitoring.json), with a payer
// that has CQ/CO and one that has none; both cover RTM.
PolicySet Policies() {
  const DateWindow y2022 = From(2022, 1, 1);
  const DateWindow y2026 = From(2026, 1, 1);
  PolicySet set;
  set.monitoring.period_days = 30;
  set.monitoring.codes = {
      Code("98975", MonitoringCodeKind::kSetup, y2022),
      Device("98976", DeviceKind::kRespiratory, 16, 30, y2022),
      Device("98977", DeviceKind::kMusculoskeletal, 16, 30, y2022),
      Device("98978", DeviceKind::kCognitiveBehavioral, 16, 30, y2022),
      Device("98984", DeviceKind::kRespiratory, 2, 15, y2026),
      Device("98985", DeviceKind::kMusculoskeletal, 2, 15, y2026),
      Device("98986", DeviceKind::kCognitiveBehavioral, 2, 15, y2026),
      Management("98979", MonitoringCodeKind::kManagementFirst, 10, y2026),
      Management("98980", MonitoringCodeKind::kManagementFirst, 20, y2022),
      Management("98981", MonitoringCodeKind::kManagementAdditional, 20, y2022, "98980"),
  };
  PayerPolicy medicare;
  medicare.payer_id = "medicare";
  medicare.name = "Medicare";
  medicare.discipline_modifier = {{Discipline::kPhysicalTherapy, "GP"},
                                  {Discipline::kOccupationalTherapy, "GO"}};
  medicare.assistant_modifier = {{Discipline::kPhysicalTherapy, "CQ"},
                                 {Discipline::kOccupationalTherapy, "CO"}};
  medicare.remote_monitoring = RemoteMonitoringCoverage{{y2022}, "11"};
  PayerPolicy commercial = medicare;
  commercial.payer_id = "commercial";
  commercial.name = "Commercial";
  commercial.assistant_modifier.clear();
  set.payers.emplace("medicare", medicare);
  set.payers.emplace("commercial", commercial);
  return set;
}

const PolicySet& Rules() {
  static const PolicySet* set = new PolicySet(Policies());
  return *set;
}

// ---- Random months ----

struct Scenario {
  year_month month{};
  std::vector<std::vector<Event>> episodes;  // each episode's events
  std::vector<MonitoringVisit> visits;
  TimePoint now{};
};

// Around 06:00 UTC on the month's first day: near the clinic's midnight.
TimePoint Base(year_month month) { return TimePoint(DayOf(month)) + std::chrono::hours(6); }

Event MakeEvent(const std::string& episode, int n, TimePoint at, EventPayload payload) {
  Event e;
  e.event_id = episode + "-" + std::to_string(n);
  e.session_id = episode;
  e.occurred_at = at;
  e.payload = std::move(payload);
  return e;
}

// A time on one of the days around the month, within its first three hours
// from about local midnight: entries and visits often overlap.
TimePoint GenNearTime(TimePoint base) {
  return base + days(*rc::gen::inRange(-2, 33)) + seconds(*rc::gen::inRange(0, 3 * 3600));
}

// DST months in Chicago (March, November), a plain one, and one before 2026.
Scenario GenScenario() {
  Scenario sc;
  sc.month = *rc::gen::elementOf(
      std::vector<year_month>{std::chrono::year{2026} / 3, std::chrono::year{2026} / 6,
                              std::chrono::year{2026} / 11, std::chrono::year{2025} / 11});
  const TimePoint base = Base(sc.month);
  const int count = *rc::gen::inRange(1, 4);
  for (int i = 0; i < count; ++i) {
    const std::string id = "ep" + std::to_string(i);
    std::vector<Event> events;
    const TimePoint start = base + std::chrono::minutes(*rc::gen::inRange(-45 * 1440, 25 * 1440));
    MonitoringEpisodeStarted s;
    s.platform = "p";
    s.patient_ref = "pt-1";
    s.provider_ref = "prov-1";
    s.provider_role = ProviderRole::kPt;
    s.discipline = *rc::gen::elementOf(
        std::vector<Discipline>{Discipline::kPhysicalTherapy, Discipline::kOccupationalTherapy});
    s.payer_id = *rc::gen::elementOf(std::vector<std::string>{"medicare", "commercial"});
    s.clinic_time_zone = kZone;
    s.device_kind = *rc::gen::elementOf(std::vector<DeviceKind>{
        DeviceKind::kMusculoskeletal, DeviceKind::kRespiratory, DeviceKind::kCognitiveBehavioral});
    s.program = i > 0 && *rc::gen::inRange(0, 5) == 0 ? MonitoringProgram::kRemotePhysiologic
                                                      : MonitoringProgram::kRemoteTherapeutic;
    int n = 0;
    events.push_back(MakeEvent(id, n++, start, s));
    if (*rc::gen::arbitrary<bool>()) {
      events.push_back(MakeEvent(id, n++,
                                 start + std::chrono::minutes(*rc::gen::inRange(0, 70 * 1440)),
                                 MonitoringEpisodeEnded{}));
    }
    const int data = *rc::gen::inRange(0, 45);
    for (int d = 0; d < data; ++d) {
      const TimePoint at = base + std::chrono::minutes(*rc::gen::inRange(-40 * 1440, 35 * 1440));
      events.push_back(MakeEvent(id, n++, at, DeviceDataReceived{"x"}));
    }
    const int entries = *rc::gen::inRange(0, 10);
    for (int k = 0; k < entries; ++k) {
      const TimePoint at = GenNearTime(base);
      const Duration length = seconds(*rc::gen::inRange(1, 50 * 60));
      const ProviderRole role = *rc::gen::elementOf(std::vector<ProviderRole>{
          ProviderRole::kPt, ProviderRole::kPta, ProviderRole::kOt, ProviderRole::kOta});
      if (*rc::gen::inRange(0, 3) == 0) {
        events.push_back(MakeEvent(
            id, n++, at, InteractiveCommunicationHeld{"c", role, Modality::kAudioVideo, length}));
      } else {
        events.push_back(
            MakeEvent(id, n++, at, TreatmentManagementRecorded{"c", role, length, ""}));
      }
    }
    sc.episodes.push_back(std::move(events));
  }
  const int visits = *rc::gen::inRange(0, 4);
  for (int v = 0; v < visits; ++v) {
    const TimePoint at = GenNearTime(base);
    sc.visits.push_back({"visit" + std::to_string(v),
                         {at, at + seconds(*rc::gen::inRange(60, 90 * 60))},
                         *rc::gen::arbitrary<bool>()});
  }
  sc.now = base + std::chrono::hours(*rc::gen::inRange(-10 * 24, 70 * 24));
  return sc;
}

std::vector<MonitoringEpisode> Summaries(const Scenario& sc) {
  std::vector<MonitoringEpisode> out;
  for (const std::vector<Event>& events : sc.episodes) {
    out.push_back(SummarizeEpisode(events.front().session_id, events));
  }
  return out;
}

std::vector<Suggestion> Suggest(const Scenario& sc) {
  return SuggestMonitoringCodes(Summaries(sc), sc.visits, sc.month, Rules(), sc.now);
}

// ---- Brute force ----

Day Local(TimePoint t) { return *LocalDay(t, kZone); }

// The first whole second whose local date is `day` or later, by bisection
// over LocalDay alone.
TimePoint LocalMidnight(Day day) {
  std::int64_t lo = (TimePoint(day) - std::chrono::hours(24)).time_since_epoch() / seconds(1);
  std::int64_t hi = (TimePoint(day) + std::chrono::hours(24)).time_since_epoch() / seconds(1);
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (Local(TimePoint(seconds(mid))) >= day) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return TimePoint(seconds(lo));
}

const MonitoringEpisode* ById(const std::vector<MonitoringEpisode>& all, const std::string& id) {
  for (const MonitoringEpisode& e : all) {
    if (e.episode_id == id) return &e;
  }
  return nullptr;
}

bool IsAssistant(ProviderRole role) {
  return role == ProviderRole::kPta || role == ProviderRole::kOta;
}

Interval SpanOf(const MonitoringEpisode& e) {
  return {*e.start_time, e.end_time ? *e.end_time : TimePoint::max()};
}

int UnitsOf(const Suggestion& s, const std::string& code) {
  int units = 0;
  for (const SuggestedLine& l : s.lines) {
    if (l.code == code) units += l.units;
  }
  return units;
}

RC_GTEST_PROP(MonitoringProperties, EachManagementSecondIsCountedOnceAndNeverInAVisit, ()) {
  const Scenario sc = GenScenario();
  const std::vector<MonitoringEpisode> episodes = Summaries(sc);
  const TimePoint month_start = LocalMidnight(DayOf(sc.month));
  const TimePoint month_end = LocalMidnight(DayOf(sc.month + std::chrono::months{1}));
  for (const Suggestion& s : Suggest(sc)) {
    if (s.monitoring->kind != MonitoringPeriodKind::kCalendarMonth) continue;
    // Every second an entry covers in the month and its episode: 1 for an
    // assistant's entry, 2 for a therapist's. A second counts once, as the
    // therapist's if any therapist's entry covers it, and never in a visit.
    std::vector<std::pair<std::int64_t, int>> covered;
    for (const std::string& id : s.session_ids) {
      const MonitoringEpisode* e = ById(episodes, id);
      RC_ASSERT(e != nullptr);
      const Interval span = SpanOf(*e);
      for (const MonitoringTimeEntry& entry : e->time_entries) {
        for (TimePoint t = entry.interval.start; t < entry.interval.end; t += seconds(1)) {
          if (t < month_start || t >= month_end || !span.contains(t)) continue;
          covered.push_back(
              {t.time_since_epoch() / seconds(1), IsAssistant(entry.clinician_role) ? 1 : 2});
        }
      }
    }
    std::sort(covered.begin(), covered.end());
    std::map<std::int64_t, int> mark;  // second -> the best mark covering it
    for (const auto& [second, m] : covered) mark[second] = std::max(mark[second], m);
    std::int64_t counted = 0;
    std::int64_t assistant = 0;
    for (const auto& [second, m] : mark) {
      const TimePoint t{seconds(second)};
      if (std::any_of(sc.visits.begin(), sc.visits.end(),
                      [t](const MonitoringVisit& v) { return v.span.contains(t); })) {
        continue;
      }
      ++counted;
      if (m == 1) ++assistant;
    }
    RC_ASSERT(s.monitoring->management == Duration(seconds(counted)));
    RC_ASSERT(s.monitoring->management_minutes == static_cast<int>(counted / 60));
    RC_ASSERT(s.monitoring->assistant_minutes == static_cast<int>(assistant / 60));

    // The pieces: in order, apart, in the month, never inside a visit.
    Duration total{0};
    for (std::size_t i = 0; i < s.monitoring->management_times.size(); ++i) {
      const Interval& piece = s.monitoring->management_times[i].interval;
      RC_ASSERT(!piece.empty());
      RC_ASSERT(piece.start >= month_start);
      RC_ASSERT(piece.end <= month_end);
      if (i > 0) RC_ASSERT(s.monitoring->management_times[i - 1].interval.end <= piece.start);
      for (const MonitoringVisit& v : sc.visits) {
        RC_ASSERT(!(piece.start < v.span.end && v.span.start < piece.end));
      }
      total += piece.length();
    }
    RC_ASSERT(total == s.monitoring->management);
  }
}

RC_GTEST_PROP(MonitoringProperties, DeviceDaysAreTheLocalDatesOfTheData, ()) {
  const Scenario sc = GenScenario();
  const std::vector<MonitoringEpisode> episodes = Summaries(sc);
  const Day month_first = DayOf(sc.month);
  const Day month_last = DayOf(sc.month + std::chrono::months{1}) - days(1);
  // Every RTM episode's periods ending in the month, brute force.
  std::set<std::pair<std::string, Day>> expected_periods;
  std::map<std::pair<std::string, Day>, Day> first_of;
  for (const MonitoringEpisode& e : episodes) {
    if (e.started->program != MonitoringProgram::kRemoteTherapeutic) continue;
    if (e.end_time && *e.end_time < *e.start_time) continue;
    const Day start = Local(*e.start_time);
    for (int k = 0;; ++k) {
      const Day first = start + days(30 * k);
      Day last = first + days(29);
      if (e.end_time) {
        if (first > Local(*e.end_time)) break;
        last = std::min(last, Local(*e.end_time));
      }
      if (first > month_last) break;
      if (last >= month_first && last <= month_last) {
        expected_periods.insert({e.episode_id, last});
        first_of[{e.episode_id, last}] = first;
      }
    }
  }
  // A period without a day of data gives no suggestion, unless it shares
  // one (same last day, payer and discipline) with a period that has data.
  std::map<std::tuple<Day, std::string, Discipline>, bool> group_has_data;
  for (const auto& [id, last] : expected_periods) {
    const MonitoringEpisode* e = ById(episodes, id);
    bool any = false;
    for (const TimePoint t : e->data_times) {
      const Day d = Local(t);
      any = any || (SpanOf(*e).contains(t) && d >= first_of[{id, last}] && d <= last);
    }
    bool& has = group_has_data[{last, e->started->payer_id, e->started->discipline}];
    has = has || any;
  }
  std::erase_if(expected_periods, [&](const std::pair<std::string, Day>& p) {
    const MonitoringEpisode* e = ById(episodes, p.first);
    return !group_has_data[{p.second, e->started->payer_id, e->started->discipline}];
  });
  std::set<std::pair<std::string, Day>> periods;
  for (const Suggestion& s : Suggest(sc)) {
    if (s.monitoring->kind != MonitoringPeriodKind::kDevicePeriod) continue;
    std::set<Day> dates;
    for (const std::string& id : s.session_ids) {
      periods.insert({id, s.date_of_service});
      const MonitoringEpisode* e = ById(episodes, id);
      RC_ASSERT(e != nullptr);
      const Day first = first_of[{id, s.date_of_service}];
      for (const TimePoint t : e->data_times) {
        const Day d = Local(t);
        if (SpanOf(*e).contains(t) && d >= first && d <= s.date_of_service) dates.insert(d);
      }
    }
    RC_ASSERT(s.monitoring->device_data_dates == std::vector<Day>(dates.begin(), dates.end()));
    // One device-supply code per episode's period, its band holding the days.
    int supply_lines = 0;
    for (const SuggestedLine& l : s.lines) {
      RC_ASSERT(l.units == 1);
      const MonitoringCode* code = Rules().monitoring.Find(l.code);
      RC_ASSERT(code != nullptr);
      if (code->kind != MonitoringCodeKind::kDeviceSupply) continue;
      ++supply_lines;
      RC_ASSERT(l.provenance.size() == 1u);
      const int days_of_line = static_cast<int>(l.provenance[0].dates.size());
      RC_ASSERT(days_of_line >= code->min_days);
      RC_ASSERT(days_of_line <= code->max_days);
    }
    RC_ASSERT(supply_lines <= static_cast<int>(s.session_ids.size()));
    RC_CLASSIFY(supply_lines > 0, "a device-supply line");
    RC_ASSERT(UnitsOf(s, "98975") <= supply_lines);
  }
  RC_ASSERT(periods == expected_periods);
}

RC_GTEST_PROP(MonitoringProperties, ManagementCodesNeverExceedTheirThresholds, ()) {
  const Scenario sc = GenScenario();
  for (const Suggestion& s : Suggest(sc)) {
    if (s.monitoring->kind != MonitoringPeriodKind::kCalendarMonth) continue;
    const int minutes = s.monitoring->management_minutes;
    const bool contact = !s.monitoring->contacts.empty();
    const int first = UnitsOf(s, "98980");
    const int further = UnitsOf(s, "98981");
    const int small = UnitsOf(s, "98979");
    RC_ASSERT(!(first > 0 && small > 0));
    RC_ASSERT(first <= 1);
    RC_ASSERT(small <= 1);
    if (first > 0) {
      RC_ASSERT(minutes >= 20);
      RC_ASSERT(contact);
    }
    if (small > 0) {
      RC_ASSERT(minutes >= 10);
      RC_ASSERT(minutes < 20);
      RC_ASSERT(contact);
      RC_ASSERT(s.date_of_service >= From(2026, 1, 1).from);
    }
    if (further > 0) RC_ASSERT(first == 1);
    RC_CLASSIFY(small > 0, "98979");
    RC_CLASSIFY(first > 0, "98980");
    RC_CLASSIFY(further > 0, "98981");
    RC_CLASSIFY(minutes >= 10 && !contact, "minutes without a contact");
    RC_ASSERT(further <= std::max(0, (minutes - 20) / 20));
    // Each unit's time is counted time: 20 minutes for 98980 and 98981.
    for (const SuggestedLine& l : s.lines) {
      for (const UnitProvenance& unit : l.provenance) {
        Duration length{0};
        for (const Interval& i : unit.intervals) {
          length += i.length();
          const bool inside =
              std::any_of(s.monitoring->management_times.begin(),
                          s.monitoring->management_times.end(), [&](const ManagementTime& m) {
                            return m.interval.start <= i.start && i.end <= m.interval.end;
                          });
          RC_ASSERT(inside);
        }
        if (l.code != "98979") RC_ASSERT(length == Duration(std::chrono::minutes(20)));
      }
    }
  }
}

RC_GTEST_PROP(MonitoringProperties, OrderAndRepeatsOfEventsDoNotMatter, ()) {
  const Scenario sc = GenScenario();
  const std::vector<Suggestion> expected = Suggest(sc);
  Scenario shuffled = sc;
  std::mt19937 random(*rc::gen::arbitrary<unsigned>());
  for (std::vector<Event>& events : shuffled.episodes) {
    const std::size_t repeats = *rc::gen::inRange<std::size_t>(0, events.size() + 1);
    for (std::size_t i = 0; i < repeats; ++i) events.push_back(events[i]);
    std::shuffle(events.begin(), events.end(), random);
  }
  std::shuffle(shuffled.episodes.begin(), shuffled.episodes.end(), random);
  std::shuffle(shuffled.visits.begin(), shuffled.visits.end(), random);
  RC_ASSERT(Suggest(shuffled) == expected);
}

}  // namespace
}  // namespace unitclock::core

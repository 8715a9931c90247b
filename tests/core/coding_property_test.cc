// Properties of SuggestCodes over random sessions: nothing is over-billed by
// blocked minutes, by a duplicated session, or beyond the pooled total.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "core/coding.h"
#include "core/policy.h"
#include "core/units.h"
#include "tests/testing/events.h"

namespace unitclock::core {
namespace {

Day MakeDay(int y, unsigned m, unsigned d) {
  return Day(std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                         std::chrono::day{d}});
}

CodeEntry Code(const std::string& code, bool timed, bool on_list) {
  CodeEntry e;
  e.code = code;
  e.description = code;
  e.timed = timed;
  e.disciplines = {Discipline::kPhysicalTherapy};
  if (on_list) e.telehealth_list = {DateWindow{MakeDay(2020, 3, 1), std::nullopt, "test"}};
  return e;
}

// Medicare-like rules with NCCI edits between the payable codes; 97140 is
// not on the telehealth list (blocked); 97150 is untimed.
PolicySet Policies() {
  PolicySet set;
  set.catalogue = CodeCatalogue({Code("97110", true, true), Code("97112", true, true),
                                 Code("97116", true, true), Code("97530", true, true),
                                 Code("97140", true, false), Code("97150", false, true)});
  PayerPolicy p;
  p.payer_id = "medicare";
  p.name = "Medicare";
  p.discipline_modifier = {{Discipline::kPhysicalTherapy, "GP"}};
  p.telehealth_audio_video_modifier = "95";
  p.assistant_modifier = {{Discipline::kPhysicalTherapy, "CQ"}};
  p.threshold_modifier = "KX";
  p.pos_home = "10";
  p.pos_other = "02";
  p.therapist_telehealth = {DateWindow{MakeDay(2020, 3, 1), std::nullopt, "test"}};
  p.distinct_service_modifier = "XU";
  set.payers.emplace("medicare", p);
  EditQuarter q;
  q.name = "test";
  q.window = DateWindow{MakeDay(2000, 1, 1), MakeDay(2099, 12, 31), "test"};
  for (const auto& [c1, c2] :
       {std::pair{"97140", "97530"}, std::pair{"97530", "97116"}, std::pair{"97150", "97110"}}) {
    q.ptp.push_back(
        PtpEdit{c1, c2, MakeDay(2000, 1, 1), std::nullopt, PtpModifierIndicator::kAllowed, "test"});
  }
  set.edits = EditTables({q});
  return set;
}

struct Segment {
  std::string code;
  int seconds = 0;
  bool assistant = false;
};

void showValue(const Segment& s, std::ostream& os) {
  os << s.code << " " << s.seconds << "s" << (s.assistant ? " assistant" : "");
}

rc::Gen<Segment> GenSegment(std::vector<std::string> codes);

// Up to 12 segments of up to 40 minutes: a session within one local day.
rc::Gen<std::vector<Segment>> GenSegments(std::vector<std::string> codes) {
  return rc::gen::mapcat(rc::gen::inRange(0, 13), [codes](int n) {
    return rc::gen::container<std::vector<Segment>>(static_cast<std::size_t>(n), GenSegment(codes));
  });
}

rc::Gen<Segment> GenSegment(std::vector<std::string> codes) {
  return rc::gen::build<Segment>(rc::gen::set(&Segment::code, rc::gen::elementOf(codes)),
                                 rc::gen::set(&Segment::seconds, rc::gen::inRange(1, 40 * 60)),
                                 rc::gen::set(&Segment::assistant, rc::gen::arbitrary<bool>()));
}

// A session of back-to-back segments from 15:00 UTC on 2026-11-30, or
// `day_offset` days later.
SessionForCoding Session(const std::string& id, const std::vector<Segment>& segments,
                         int day_offset = 0) {
  SessionForCoding s;
  s.session_id = id;
  s.facts.platform = "p";
  s.facts.patient_ref = "pt-1";
  s.facts.provider_ref = "prov-1";
  s.facts.provider_role = ProviderRole::kPt;
  s.facts.discipline = Discipline::kPhysicalTherapy;
  s.facts.payer_id = "medicare";
  s.facts.clinic_time_zone = "America/Chicago";
  s.facts.patient_location = PatientLocation::kHome;
  s.facts.planned_modality = Modality::kAudioVideo;
  TimePoint t = TimePoint(MakeDay(2026, 11, 30)) + std::chrono::hours(15 + 24 * day_offset);
  const TimePoint start = t;
  int n = 0;
  for (const Segment& seg : segments) {
    const Interval i{t, t + std::chrono::seconds(seg.seconds)};
    ActivityTimeline a;
    a.activity_id = id + "-a" + std::to_string(++n);
    a.cpt_code = seg.code;
    a.span = i;
    a.ended = true;
    s.timeline.activities.push_back(a);
    BillableInterval b;
    b.interval = i;
    b.activity_id = a.activity_id;
    b.delivered_by = seg.assistant ? DeliveredBy::kAssistant : DeliveredBy::kTherapist;
    s.timeline.billable.push_back(b);
    t = i.end;
  }
  s.timeline.session = Interval{start, t};
  return s;
}

CodingContext Context() {
  CodingContext c;
  c.year_to_date_pt_slp_cents = 0;
  c.year_to_date_ot_cents = 0;
  return c;
}

// Units per code over every line of every suggestion, except `skip`.
std::map<std::string, int> Units(const std::vector<Suggestion>& all, const std::string& skip = "") {
  std::map<std::string, int> units;
  for (const Suggestion& s : all) {
    for (const SuggestedLine& l : s.lines) {
      if (l.code != skip) units[l.code] += l.units;
    }
  }
  return units;
}

const std::vector<std::string> kPayable = {"97110", "97112", "97116", "97530", "97150"};

RC_GTEST_PROP(CodingProperties, BlockedMinutesNeverChangeAnotherCodesUnits, ()) {
  const PolicySet policies = Policies();
  const auto segments = *GenSegments(kPayable);
  const auto blocked = *GenSegments({"97140"});
  // The blocked code's segments go anywhere among the others.
  std::vector<Segment> mixed = segments;
  for (const Segment& b : blocked) {
    const auto at = *rc::gen::inRange<std::size_t>(0, mixed.size() + 1);
    mixed.insert(mixed.begin() + static_cast<std::ptrdiff_t>(at), b);
  }
  const std::vector<SessionForCoding> without = {Session("s1", segments)};
  const std::vector<SessionForCoding> with = {Session("s1", mixed)};
  RC_ASSERT(Units(SuggestCodes(without, policies, Context()), "97140") ==
            Units(SuggestCodes(with, policies, Context()), "97140"));
}

RC_GTEST_PROP(CodingProperties, ASessionAndItsDuplicateGiveTheUnitsOfTheSessionAlone, ()) {
  const PolicySet policies = Policies();
  const auto segments = *GenSegments({"97110", "97112", "97116", "97530", "97140", "97150"});
  const std::vector<SessionForCoding> alone = {Session("s1", segments)};
  const std::vector<SessionForCoding> twice = {Session("s1", segments),
                                               Session("s1-again", segments)};
  RC_ASSERT(Units(SuggestCodes(alone, policies, Context())) ==
            Units(SuggestCodes(twice, policies, Context())));
}

RC_GTEST_PROP(CodingProperties, UnitsNeverExceedWhatThePooledTotalAllows, ()) {
  const PolicySet policies = Policies();
  const auto sessions = *rc::gen::inRange(1, 4);
  std::vector<SessionForCoding> all;
  for (int i = 0; i < sessions; ++i) {
    all.push_back(Session("s" + std::to_string(i),
                          *GenSegments({"97110", "97112", "97116", "97530", "97140", "97150"})));
  }
  for (const Suggestion& s : SuggestCodes(all, policies, Context())) {
    int payable_timed = 0;
    for (const SuggestedLine& l : s.lines) {
      const CodeEntry* e = policies.catalogue.Find(l.code);
      RC_ASSERT(e != nullptr);
      if (e->timed && !l.blocking) payable_timed += l.units;
    }
    RC_ASSERT(payable_timed <= UnitsForMinutes(s.documentation.pooled_timed_minutes));
  }
}

// Coding only some dates of service gives exactly the suggestions of those
// dates that coding every date gives.
RC_GTEST_PROP(CodingProperties, CodingSomeDatesGivesTheSuggestionsOfThoseDates, ()) {
  const PolicySet policies = Policies();
  std::vector<SessionForCoding> all;
  const int sessions = *rc::gen::inRange(1, 6);
  for (int i = 0; i < sessions; ++i) {
    all.push_back(
        Session("s" + std::to_string(i), *GenSegments(kPayable), *rc::gen::inRange(0, 4)));
  }
  const int a = *rc::gen::inRange(-1, 5);
  const int b = *rc::gen::inRange(a, 5);
  const DateRange dates{MakeDay(2026, 11, 30) + std::chrono::days(a),
                        MakeDay(2026, 11, 30) + std::chrono::days(b)};
  std::vector<Suggestion> expected;
  for (Suggestion& s : SuggestCodes(all, policies, Context())) {
    if (s.date_of_service >= dates.first && s.date_of_service <= dates.last) {
      expected.push_back(std::move(s));
    }
  }
  RC_ASSERT(SuggestCodes(all, policies, Context(), dates) == expected);
}

}  // namespace
}  // namespace unitclock::core

#include "core/coding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "core/policy.h"
#include "core/timeline.h"
#include "tests/testing/events.h"

namespace unitclock::core {

// Readable failure messages (found by GoogleTest through ADL). Static: other
// test files of the target define their own.
static void PrintTo(const Interval& i, std::ostream* os) {
  *os << "[" << FormatRfc3339(i.start) << ", " << FormatRfc3339(i.end) << ")";
}
static void PrintTo(const UnitProvenance& p, std::ostream* os) {
  *os << "unit " << p.unit_number << ":";
  for (const Interval& i : p.intervals) {
    *os << " ";
    PrintTo(i, os);
  }
}
static void PrintTo(const CodingWarning& w, std::ostream* os) {
  *os << w.code << "(" << SeverityName(w.severity) << ", cpt=" << w.cpt_code << ")";
}
static void PrintTo(const SuggestedLine& l, std::ostream* os) {
  *os << l.code << " x" << l.units << " [";
  for (const std::string& m : l.modifiers) *os << " " << m;
  *os << " ] pos=" << l.place_of_service << " min=" << l.minutes << " asst=" << l.assistant_minutes
      << " blocking=" << l.blocking;
}
static void PrintTo(const Suggestion& s, std::ostream* os) {
  *os << s.patient_ref << " " << FormatDay(s.date_of_service) << " " << s.payer_id << ":";
  for (const SuggestedLine& l : s.lines) {
    *os << " {";
    PrintTo(l, os);
    *os << "}";
  }
  for (const CodingWarning& w : s.warnings) {
    *os << " ";
    PrintTo(w, os);
  }
}

namespace {

using std::chrono::minutes;
using testing::At;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::MakeEvent;
using testing::StartedEvent;

constexpr char kMedicare[] = "medicare";
constexpr char kCommercial[] = "commercial";
constexpr char kPatient[] = "pt-0001";

Day MakeDay(int y, unsigned m, unsigned d) {
  return Day(std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                         std::chrono::day{d}});
}

// 15:00 UTC on a day: 09:00 or 10:00 in America/Chicago, the same local day.
TimePoint MorningOf(Day day) { return TimePoint(day) + std::chrono::hours(15); }

Interval Between(int start_seconds, int end_seconds) {
  return Interval{At(start_seconds), At(end_seconds)};
}

// ---- The policy: a Medicare-like payer and a commercial one ----

DateWindow Window(Day from, std::optional<Day> to) {
  DateWindow w;
  w.from = from;
  w.to = to;
  w.source = "test";
  return w;
}

CodeEntry Code(const std::string& code, const std::string& description, ActivityKind kind,
               bool timed = true, bool hands_on = false, bool needs_video = true,
               bool on_telehealth_list = true) {
  CodeEntry e;
  e.code = code;
  e.description = description;
  e.timed = timed;
  e.activity_kinds = {kind};
  e.disciplines = {Discipline::kPhysicalTherapy, Discipline::kOccupationalTherapy};
  e.hands_on = hands_on;
  e.needs_video = needs_video;
  if (on_telehealth_list) e.telehealth_list = {Window(MakeDay(2020, 3, 1), std::nullopt)};
  return e;
}

std::vector<CodeEntry> CatalogueEntries() {
  return {
      Code("97110", "Therapeutic exercise", ActivityKind::kTherapeuticExercise),
      Code("97112", "Neuromuscular re-education", ActivityKind::kNeuromuscularReeducation),
      Code("97116", "Gait training", ActivityKind::kGaitTraining),
      Code("97124", "Massage", ActivityKind::kMassage, true, /*hands_on=*/true, true,
           /*on_telehealth_list=*/false),
      Code("97140", "Manual therapy", ActivityKind::kManualTherapy, true, /*hands_on=*/true, true,
           /*on_telehealth_list=*/false),
      Code("97150", "Group therapeutic procedure", ActivityKind::kGroupTherapy,
           /*timed=*/false),
      Code("97530", "Therapeutic activities", ActivityKind::kTherapeuticActivities),
      Code("97535", "Self-care/home management training", ActivityKind::kSelfCare, true, false,
           /*needs_video=*/false),
  };
}

PayerPolicy MedicarePayer() {
  PayerPolicy p;
  p.payer_id = kMedicare;
  p.name = "Medicare";
  p.unit_method = UnitMethod::kMedicarePooled;
  p.rounding = SecondsRounding::kFloor;
  p.discipline_modifier = {{Discipline::kPhysicalTherapy, "GP"},
                           {Discipline::kOccupationalTherapy, "GO"},
                           {Discipline::kSpeechLanguage, "GN"}};
  p.telehealth_audio_video_modifier = "95";
  p.telehealth_audio_only_modifier = "93";
  p.assistant_modifier = {{Discipline::kPhysicalTherapy, "CQ"},
                          {Discipline::kOccupationalTherapy, "CO"}};
  p.assistant_de_minimis_percent = 10;
  p.threshold_modifier = "KX";
  p.pos_home = "10";
  p.pos_other = "02";
  p.therapist_telehealth = {Window(MakeDay(2020, 3, 1), MakeDay(2025, 9, 30)),
                            Window(MakeDay(2025, 10, 1), MakeDay(2026, 1, 30)),
                            Window(MakeDay(2026, 1, 31), MakeDay(2027, 12, 31))};
  ThresholdYear y2026;
  y2026.year = 2026;
  y2026.pt_slp_cents = 248000;
  y2026.ot_cents = 248000;
  y2026.medical_review_cents = 300000;
  p.thresholds = {y2026};
  p.distinct_service_modifier = "XU";
  p.assistants_not_recognized = {Discipline::kSpeechLanguage};
  p.audio_only_requires_home = true;
  return p;
}

// A commercial payer on the CPT midpoint rule, without assistant or
// threshold modifiers.
PayerPolicy CommercialPayer() {
  PayerPolicy p = MedicarePayer();
  p.payer_id = kCommercial;
  p.name = "Commercial";
  p.unit_method = UnitMethod::kCptMidpoint;
  p.assistant_modifier.clear();
  p.threshold_modifier.clear();
  p.thresholds.clear();
  p.ncci_edits = false;
  p.assistants_not_recognized.clear();
  p.audio_only_requires_home = false;
  p.therapist_telehealth = {Window(MakeDay(2020, 3, 1), std::nullopt)};
  return p;
}

PtpEdit Ptp(const std::string& column1, const std::string& column2,
            PtpModifierIndicator indicator = PtpModifierIndicator::kAllowed) {
  PtpEdit e;
  e.column1 = column1;
  e.column2 = column2;
  e.effective = MakeDay(2000, 1, 1);
  e.indicator = indicator;
  return e;
}

// One quarter of NCCI tables covering every test date: the published
// direction of the therapy pairs, and a cap of 4 units of 97110.
EditTables Edits() {
  EditQuarter q;
  q.name = "test";
  q.window = Window(MakeDay(2000, 1, 1), MakeDay(2099, 12, 31));
  q.ptp = {Ptp("97140", "97530"), Ptp("97530", "97116"), Ptp("97150", "97110"),
           Ptp("97161", "97162", PtpModifierIndicator::kNotAllowed)};
  q.mue["97110"] = MueLimit{"97110", 4, "3 Date of Service Edit: Clinical", "test"};
  return EditTables({q});
}

PolicySet Policies(std::vector<CodeEntry> extra_codes = {}) {
  std::vector<CodeEntry> entries = CatalogueEntries();
  entries.insert(entries.end(), extra_codes.begin(), extra_codes.end());
  PolicySet set;
  set.catalogue = CodeCatalogue(std::move(entries));
  set.edits = Edits();
  set.payers.emplace(kMedicare, MedicarePayer());
  set.payers.emplace(kCommercial, CommercialPayer());
  return set;
}

// ---- Sessions built directly from billable minutes ----

// The facts StartedEvent carries: PT, Medicare, America/Chicago, home, audio+video.
SessionStarted Facts(const std::string& payer = kMedicare) {
  SessionStarted s;
  s.platform = "test-platform";
  s.patient_ref = kPatient;
  s.provider_ref = "prov-0001";
  s.provider_role = ProviderRole::kPt;
  s.discipline = Discipline::kPhysicalTherapy;
  s.payer_id = payer;
  s.clinic_time_zone = "America/Chicago";
  s.patient_location = PatientLocation::kHome;
  s.planned_modality = Modality::kAudioVideo;
  return s;
}

// `minutes` of `code` (an explicit CPT code; empty: no code and no kind).
struct Segment {
  std::string code;
  int minutes = 0;
  DeliveredBy by = DeliveredBy::kTherapist;
  Modality media = Modality::kAudioVideo;
};

Segment Seg(const std::string& code, int minutes_of, DeliveredBy by = DeliveredBy::kTherapist) {
  Segment s;
  s.code = code;
  s.minutes = minutes_of;
  s.by = by;
  return s;
}

// A session whose segments follow one another from `start`, each its own
// activity with an explicit CPT code.
SessionForCoding Direct(const std::string& session_id, TimePoint start,
                        const std::vector<Segment>& segments,
                        const SessionStarted& facts = Facts()) {
  SessionForCoding s;
  s.session_id = session_id;
  s.facts = facts;
  TimePoint t = start;
  int n = 0;
  for (const Segment& seg : segments) {
    const Interval i{t, t + minutes(seg.minutes)};
    ActivityTimeline a;
    a.activity_id = session_id + "-a" + std::to_string(++n);
    a.cpt_code = seg.code;
    a.performed_by =
        seg.by == DeliveredBy::kAssistant ? Participant::kAssistant : Participant::kProvider;
    a.span = i;
    a.ended = true;
    RoleSplit split;
    (seg.by == DeliveredBy::kTherapist
         ? split.therapist
         : (seg.by == DeliveredBy::kAssistant ? split.assistant : split.together)) = i.length();
    a.billable = split;
    s.timeline.activities.push_back(a);
    BillableInterval b;
    b.interval = i;
    b.activity_id = a.activity_id;
    b.delivered_by = seg.by;
    b.media = seg.media;
    s.timeline.billable.push_back(b);
    s.timeline.billable_by_role.therapist += split.therapist;
    s.timeline.billable_by_role.assistant += split.assistant;
    s.timeline.billable_by_role.together += split.together;
    t = i.end;
  }
  s.timeline.session = Interval{start, t};
  return s;
}

SessionForCoding Direct(const std::string& session_id, int start_seconds,
                        const std::vector<Segment>& segments,
                        const SessionStarted& facts = Facts()) {
  return Direct(session_id, At(start_seconds), segments, facts);
}

// ---- Sessions built from events through the timeline ----

constexpr char kSession[] = "s1";

Event Ev(const std::string& id, int at_seconds, EventPayload payload,
         const std::string& session = kSession) {
  return MakeEvent(id, session, at_seconds, std::move(payload));
}

Event Started(int at_seconds, const std::string& session = kSession) {
  return StartedEvent("start", session, at_seconds, kPatient);
}

ParticipantJoined Joined(Participant who, const std::string& ref = "") {
  ParticipantJoined j;
  j.participant = who;
  j.assistant_ref = ref;
  return j;
}

ActivityStarted Activity(const std::string& activity_id,
                         ActivityKind kind = ActivityKind::kTherapeuticExercise,
                         Participant by = Participant::kProvider) {
  ActivityStarted a;
  a.activity_id = activity_id;
  a.kind = kind;
  a.performed_by = by;
  return a;
}

ActivityEnded End(const std::string& activity_id) { return ActivityEnded{activity_id}; }

SessionStopped Stop(StopReason reason = StopReason::kEnded) { return SessionStopped{reason}; }

// SessionStarted at `at`, patient and therapist joined, media as planned.
std::vector<Event> Connected(int at, Modality planned = Modality::kAudioVideo,
                             const std::string& payer = kMedicare) {
  Event start = Started(at);
  SessionStarted& facts = std::get<SessionStarted>(start.payload);
  facts.planned_modality = planned;
  facts.payer_id = payer;
  return {start, Ev("pt-in", at, Joined(Participant::kPatient)),
          Ev("prov-in", at, Joined(Participant::kProvider)),
          Ev("media", at, MediaChanged{planned})};
}

std::vector<Event> With(std::vector<Event> events, const std::vector<Event>& more) {
  events.insert(events.end(), more.begin(), more.end());
  return events;
}

// The session of `events` (one session), its facts from its SessionStarted.
SessionForCoding FromEvents(const std::vector<Event>& events,
                            std::optional<TimePoint> live_until = std::nullopt) {
  SessionForCoding s;
  s.session_id = events.front().session_id;
  for (const Event& e : events) {
    if (const auto* started = std::get_if<SessionStarted>(&e.payload)) s.facts = *started;
  }
  s.timeline = BuildTimeline(events, TimelinePolicy{}, live_until);
  return s;
}

// ---- Running the engine ----

// A patient with no therapy billed yet this year (so no KX and no warning
// that the amounts are unknown), and the charges of one unit.
CodingContext NothingBilledYet() {
  CodingContext context;
  context.year_to_date_pt_slp_cents = 0;
  context.year_to_date_ot_cents = 0;
  context.charge_cents = {{"97110", 4500}, {"97112", 5000}, {"97116", 4200}, {"97124", 3800},
                          {"97140", 4300}, {"97150", 2500}, {"97530", 5200}, {"97535", 4600}};
  return context;
}

std::vector<Suggestion> Suggest(const std::vector<SessionForCoding>& sessions,
                                const PolicySet& policies = Policies(),
                                const CodingContext& context = NothingBilledYet()) {
  return SuggestCodes(sessions, policies, context);
}

// The one suggestion of `sessions`.
Suggestion SuggestOne(const std::vector<SessionForCoding>& sessions,
                      const PolicySet& policies = Policies(),
                      const CodingContext& context = NothingBilledYet()) {
  std::vector<Suggestion> all = Suggest(sessions, policies, context);
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? Suggestion{} : all.front();
}

// Units per code over all lines.
std::map<std::string, int> UnitsByCode(const Suggestion& s) {
  std::map<std::string, int> units;
  for (const SuggestedLine& l : s.lines) units[l.code] += l.units;
  return units;
}

std::vector<std::string> WarningCodes(const Suggestion& s) {
  std::vector<std::string> codes;
  for (const CodingWarning& w : s.warnings) codes.push_back(w.code);
  return codes;
}

const CodingWarning* FindWarning(const Suggestion& s, const std::string& code) {
  for (const CodingWarning& w : s.warnings) {
    if (w.code == code) return &w;
  }
  return nullptr;
}

const SuggestedLine* FindLine(const Suggestion& s, const std::string& code) {
  for (const SuggestedLine& l : s.lines) {
    if (l.code == code) return &l;
  }
  return nullptr;
}

using Modifiers = std::vector<std::string>;

// Provenance of units 1, 2, ... with the given intervals each.
std::vector<UnitProvenance> Provenance(const std::vector<std::vector<Interval>>& units) {
  std::vector<UnitProvenance> out;
  for (const std::vector<Interval>& intervals : units) {
    out.push_back(UnitProvenance{static_cast<int>(out.size()) + 1, intervals, {}});
  }
  return out;
}

// ---- The example of the README ----

TEST(Coding, TwentyFiveMinutesOfExerciseOverVideoAtHomeIsTwoUnitsOf97110GP95Pos10) {
  const SessionForCoding session =
      FromEvents(With(Connected(0), {Ev("a1-start", 0, Activity("a1")),
                                     Ev("a1-end", 1500, End("a1")), Ev("stop", 1500, Stop())}));
  const std::vector<Suggestion> out = Suggest({session});

  SuggestedLine line;
  line.code = "97110";
  line.description = "Therapeutic exercise";
  line.units = 2;
  line.modifiers = {"GP", "95"};
  line.place_of_service = "10";
  line.minutes = 25;
  line.assistant_minutes = 0;
  line.provenance = {UnitProvenance{1, {Between(0, 900)}, {}},
                     UnitProvenance{2, {Between(900, 1500)}, {}}};
  line.blocking = false;

  Suggestion expected;
  expected.patient_ref = kPatient;
  expected.date_of_service = MakeDay(2026, 11, 30);
  expected.payer_id = kMedicare;
  expected.discipline = Discipline::kPhysicalTherapy;
  expected.session_ids = {kSession};
  expected.method_used = UnitMethod::kMedicarePooled;
  expected.medicare_pooled = {UnitMethod::kMedicarePooled, {{"97110", 2}}, 2, {}};
  expected.cpt_midpoint = {UnitMethod::kCptMidpoint, {{"97110", 2}}, 2, {}};
  expected.lines = {line};
  expected.documentation.total_timed_minutes = 25;
  expected.documentation.total_treatment_minutes = 25;
  expected.documentation.pooled_timed_minutes = 25;
  expected.documentation.minutes_by_code = {{"97110", 25}};
  EXPECT_EQ(out, std::vector<Suggestion>{expected});
}

// ---- Medicare's worked examples (billing-rules §2) ----

TEST(Coding, MedicareGivesTheLastUnitToTheLargerLeftover) {
  // 97112 24 + 97110 23 = 47 -> 3 units; full units 1 + 1; leftovers 9 > 8.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97112", 24), Seg("97110", 23)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97112", 2}}));
  EXPECT_EQ(s.medicare_pooled.total_units, 3);
  EXPECT_EQ(s.cpt_midpoint.total_units, 4);
  EXPECT_THAT(s.warnings, IsEmpty());
  EXPECT_EQ(s.documentation.total_timed_minutes, 47);
}

TEST(Coding, MedicareTieForTheLastUnitGoesByCodeOrderAndIsFlaggedForReview) {
  // 97112 20 + 97110 20 = 40 -> 3 units; leftovers 5 and 5: the third unit
  // goes to the smaller code, 97110.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97112", 20), Seg("97110", 20)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 2}, {"97112", 1}}));
  EXPECT_EQ(s.medicare_pooled.tied_codes, (std::vector<std::string>{"97110", "97112"}));
  EXPECT_EQ(WarningCodes(s), (std::vector<std::string>{"unit_tie", "unit_tie"}));
  const CodingWarning* tie = FindWarning(s, "unit_tie");
  ASSERT_NE(tie, nullptr);
  EXPECT_EQ(tie->severity, Severity::kReview);
  EXPECT_EQ(tie->cpt_code, "97110");
  EXPECT_THAT(tie->message, ::testing::HasSubstr("97110, 97112"));
  // Both tied lines are marked.
  for (const SuggestedLine& l : s.lines)
    EXPECT_THAT(l.warning_codes, ::testing::Contains("unit_tie"));
  for (const SuggestedLine& l : s.lines) EXPECT_FALSE(l.blocking) << l.code;
}

TEST(Coding, HandsOnCodeOnATelehealthDayIsSuggestedButBlocked) {
  // The manual's example 97110 33 + 97140 7 = 40 gives 3 units in person.
  // Over telehealth 97140 is not payable: its 7 minutes stay out of the pool
  // (97110 33 alone -> 2 units), and its own line, as if it stood alone, has
  // 0 units and the blocking warning.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 33), Seg("97140", 7)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 2}, {"97140", 0}}));
  EXPECT_EQ(s.cpt_midpoint.units, (std::map<std::string, int>{{"97110", 2}}));
  EXPECT_EQ(s.documentation.total_timed_minutes, 40);
  EXPECT_EQ(s.documentation.pooled_timed_minutes, 33);
  const CodingWarning* w = FindWarning(s, "code_not_on_telehealth_list");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kBlocking);
  EXPECT_EQ(w->cpt_code, "97140");
  const SuggestedLine* manual = FindLine(s, "97140");
  ASSERT_NE(manual, nullptr);
  EXPECT_TRUE(manual->blocking);
  EXPECT_EQ(manual->warning_codes, std::vector<std::string>{"code_not_on_telehealth_list"});
  const SuggestedLine* exercise = FindLine(s, "97110");
  ASSERT_NE(exercise, nullptr);
  EXPECT_FALSE(exercise->blocking);
  EXPECT_THAT(exercise->warning_codes, IsEmpty());
}

TEST(Coding, MedicareFourCodeExampleLeavesTheSmallestLeftoverUnbilled) {
  // 97110 18, 97140 13, 97116 10, 97035 8 = 49 -> 3 units: 97110 1 full;
  // leftovers 13 (97140), 10 (97116), 8 (97035), 3 (97110): two more units.
  const PolicySet policies = Policies({Code("97035", "Ultrasound", ActivityKind::kUnspecified)});
  const Suggestion s = SuggestOne(
      {Direct("s1", 0, {Seg("97110", 18), Seg("97140", 13), Seg("97116", 10), Seg("97035", 8)})},
      policies);
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97116", 1}, {"97140", 1}}));
  EXPECT_EQ(s.medicare_pooled.units.at("97035"), 0);
  EXPECT_EQ(s.documentation.total_timed_minutes, 49);
  EXPECT_EQ(s.documentation.minutes_by_code.at("97035"), 8);
  const CodingWarning* w = FindWarning(s, "service_under_8_minutes");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->cpt_code, "97035");
  EXPECT_EQ(w->severity, Severity::kInfo);
}

TEST(Coding, ThreeSevenMinuteServicesPoolIntoOneUnitForOneOfThem) {
  // 7 + 7 + 7 = 21 -> 1 unit; equal leftovers: 97110 by code order, a tie.
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97112", 7), Seg("97110", 7), Seg("97116", 7)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}}));
  EXPECT_EQ(s.medicare_pooled.tied_codes, (std::vector<std::string>{"97110", "97112", "97116"}));
  EXPECT_NE(FindWarning(s, "unit_tie"), nullptr);
  EXPECT_EQ(s.cpt_midpoint.total_units, 0);
}

TEST(Coding, BlockedCodeEarningNoUnitStillHasItsLineAndBlockingWarning) {
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97112", 7), Seg("97110", 7), Seg("97140", 7)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97140", 0}}));
  const SuggestedLine* manual = FindLine(s, "97140");
  ASSERT_NE(manual, nullptr);
  EXPECT_TRUE(manual->blocking);
  EXPECT_EQ(manual->minutes, 7);
  EXPECT_EQ(FindWarning(s, "code_not_on_telehealth_list")->severity, Severity::kBlocking);
}

// ---- Which minutes may be pooled (docs/billing-rules.md) ----

TEST(PooledMinutes, BlockedMinutesDoNotRaiseAnotherCodesUnits) {
  // Pooled, 97110 20 + 97140 5 = 25 would give 97110 x2 (the leftovers tie at
  // 5 and 97110 comes first). 97140 is not payable over telehealth: 97110
  // stands on its own 20 minutes, 1 unit.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 20), Seg("97140", 5)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97140", 0}}));
  EXPECT_EQ(s.medicare_pooled.total_units, 1);
  EXPECT_EQ(s.documentation.pooled_timed_minutes, 20);
  EXPECT_EQ(s.documentation.total_timed_minutes, 25);
}

TEST(PooledMinutes, BlockedCodeIsCountedAsIfItStoodAlone) {
  // 97140 12 alone -> 1 unit (blocked); 97110 10 alone -> 1 unit.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 10), Seg("97140", 12)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97140", 1}}));
  EXPECT_TRUE(FindLine(s, "97140")->blocking);
  EXPECT_FALSE(FindLine(s, "97110")->blocking);
}

TEST(PooledMinutes, CodeOutsideItsTelehealthWindowStaysOutOfThePool) {
  // 97535 is on the list only from 2026-11-01 in this catalogue.
  std::vector<CodeEntry> entries = CatalogueEntries();
  for (CodeEntry& e : entries) {
    if (e.code == "97535") e.telehealth_list = {Window(MakeDay(2026, 11, 1), std::nullopt)};
  }
  PolicySet policies = Policies();
  policies.catalogue = CodeCatalogue(entries);
  const Suggestion s = SuggestOne(
      {Direct("s1", MorningOf(MakeDay(2026, 10, 15)), {Seg("97110", 20), Seg("97535", 5)})},
      policies);
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97535", 0}}));
  EXPECT_TRUE(FindLine(s, "97535")->blocking);
}

// ---- Commercial payers: the CPT midpoint rule (billing-rules §3) ----

TEST(Coding, CptMidpointPayerCountsEachCodeOnItsOwn) {
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 10), Seg("97116", 10)}, Facts(kCommercial))});
  EXPECT_EQ(s.method_used, UnitMethod::kCptMidpoint);
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].code, "97110");
  EXPECT_EQ(s.lines[0].units, 1);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  EXPECT_EQ(s.lines[1].code, "97116");
  EXPECT_EQ(s.lines[1].units, 1);
  // Side by side: Medicare would pool 20 minutes into 1 unit.
  EXPECT_EQ(s.cpt_midpoint.total_units, 2);
  EXPECT_EQ(s.medicare_pooled.total_units, 1);
  EXPECT_THAT(s.warnings, IsEmpty());  // no tie: the payer's method has none
}

TEST(Coding, MedicarePoolsTheSameMinutesIntoOneUnit) {
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 10), Seg("97116", 10)})});
  EXPECT_EQ(s.method_used, UnitMethod::kMedicarePooled);
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}}));
  EXPECT_EQ(s.medicare_pooled.total_units, 1);
  EXPECT_EQ(s.cpt_midpoint.total_units, 2);
  EXPECT_NE(FindWarning(s, "unit_tie"), nullptr);
}

TEST(Coding, CptMidpointLeavesACodeUnderEightMinutesUnbilledWithAWarning) {
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 10), Seg("97116", 7)}, Facts(kCommercial))});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}}));
  EXPECT_EQ(FindLine(s, "97116"), nullptr);
  const CodingWarning* w = FindWarning(s, "service_under_8_minutes");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->cpt_code, "97116");
  EXPECT_EQ(w->severity, Severity::kInfo);
  EXPECT_EQ(s.documentation.total_timed_minutes, 17);  // the note still states them
}

// ---- Dates of service (billing-rules §2, §8) ----

TEST(Coding, SameDaySessionsAreSummedBeforeTheUnitRule) {
  // 9 + 8 = 17 minutes -> 1 unit (alone they would be 1 + 1).
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 9)}), Direct("s2", 3600, {Seg("97110", 8)})});
  EXPECT_EQ(s.session_ids, (std::vector<std::string>{"s1", "s2"}));
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].code, "97110");
  EXPECT_EQ(s.lines[0].units, 1);
  EXPECT_EQ(s.lines[0].minutes, 17);
  EXPECT_EQ(s.lines[0].provenance, Provenance({{Between(0, 540), Between(3600, 3600 + 480)}}));
  EXPECT_EQ(s.documentation.total_timed_minutes, 17);
}

TEST(Coding, SessionsOnDifferentLocalDaysGiveSeparateSuggestions) {
  // s1 09:00 and s3 21:00 local on 2026-11-30 (s3 is 03:00Z on 2026-12-01),
  // s2 09:00 local on 2026-12-01.
  const std::vector<Suggestion> out =
      Suggest({Direct("s1", 0, {Seg("97110", 10)}), Direct("s2", 86400, {Seg("97110", 10)}),
               Direct("s3", 43200, {Seg("97110", 10)})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].date_of_service, MakeDay(2026, 11, 30));
  EXPECT_EQ(out[0].session_ids, (std::vector<std::string>{"s1", "s3"}));
  EXPECT_EQ(out[0].documentation.total_timed_minutes, 20);
  EXPECT_EQ(UnitsByCode(out[0]), (std::map<std::string, int>{{"97110", 1}}));
  EXPECT_EQ(out[1].date_of_service, MakeDay(2026, 12, 1));
  EXPECT_EQ(out[1].session_ids, std::vector<std::string>{"s2"});
  EXPECT_EQ(out[1].documentation.total_timed_minutes, 10);
  EXPECT_EQ(UnitsByCode(out[1]), (std::map<std::string, int>{{"97110", 1}}));
}

TEST(Coding, SessionOverLocalMidnightIsSplitThereAndBothDaysAreFlagged) {
  // 23:50-00:20 America/Chicago: 05:50Z-06:20Z on 2026-12-01; midnight 06:00Z.
  const int begin = 53400;
  const int midnight = 54000;
  const int end = 55200;
  const SessionForCoding session =
      FromEvents(With(Connected(begin), {Ev("a1-start", begin, Activity("a1")),
                                         Ev("a1-end", end, End("a1")), Ev("stop", end, Stop())}));
  const std::vector<Suggestion> out = Suggest({session});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].date_of_service, MakeDay(2026, 11, 30));
  EXPECT_EQ(out[1].date_of_service, MakeDay(2026, 12, 1));
  const int expected_minutes[] = {10, 20};
  const Interval expected_time[] = {Between(begin, midnight), Between(midnight, end)};
  for (int i = 0; i < 2; ++i) {
    const Suggestion& s = out[i];
    EXPECT_EQ(s.session_ids, std::vector<std::string>{kSession});
    ASSERT_EQ(s.lines.size(), 1u);
    EXPECT_EQ(s.lines[0].units, 1);
    EXPECT_EQ(s.lines[0].minutes, expected_minutes[i]);
    EXPECT_EQ(s.lines[0].provenance, Provenance({{expected_time[i]}}));
    const CodingWarning* w = FindWarning(s, "midnight_split");
    ASSERT_NE(w, nullptr) << i;
    EXPECT_EQ(w->severity, Severity::kReview);
    EXPECT_EQ(w->cpt_code, "");
  }
}

// ---- Assistants: CQ/CO (billing-rules §4) ----

TEST(Coding, AssistantFurnishingMoreThanTenPercentOfAUnitAddsCq) {
  // Assistant alone 10 then therapist 5: 15 minutes, 1 unit, assistant 2/3.
  const Suggestion s = SuggestOne({Direct(
      "s1", 0,
      {Seg("97110", 10, DeliveredBy::kAssistant), Seg("97110", 5, DeliveredBy::kTherapist)})});
  ASSERT_EQ(s.lines.size(), 1u);
  const SuggestedLine& l = s.lines[0];
  EXPECT_EQ(l.units, 1);
  EXPECT_EQ(l.modifiers, (Modifiers{"GP", "CQ", "95"}));
  EXPECT_EQ(l.minutes, 15);
  EXPECT_EQ(l.assistant_minutes, 10);
  // The unit's time, in time order.
  EXPECT_EQ(l.provenance, Provenance({{Between(0, 600), Between(600, 900)}}));
  const CodingWarning* w = FindWarning(s, "assistant_share");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kInfo);
  EXPECT_EQ(w->cpt_code, "97110");
}

TEST(Coding, AssistantShareOfTenPercentOrLessAddsNoCq) {
  // 1 of 15 minutes (6.7%) and 1 of 10 (exactly 10%, not more): no CQ.
  for (const int therapist : {14, 9}) {
    const Suggestion s = SuggestOne(
        {Direct("s1", 0, {Seg("97110", therapist), Seg("97110", 1, DeliveredBy::kAssistant)})});
    ASSERT_EQ(s.lines.size(), 1u) << therapist;
    EXPECT_EQ(s.lines[0].units, 1);
    EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"})) << therapist;
    EXPECT_EQ(s.lines[0].assistant_minutes, 1);
    EXPECT_EQ(FindWarning(s, "assistant_share"), nullptr);
  }
  // 1 of 9 (11%): CQ.
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 8), Seg("97110", 1, DeliveredBy::kAssistant)})});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "CQ", "95"}));
}

TEST(Coding, UnitsBeyondTheTherapistsFullUnitsCarryCqOnASeparateLine) {
  // Therapist 30 + assistant 9 = 39 -> 3 units: 2 the therapist's, the third
  // all assistant.
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 30), Seg("97110", 9, DeliveredBy::kAssistant)})});
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].units, 2);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  EXPECT_EQ(s.lines[0].provenance,
            (std::vector<UnitProvenance>{UnitProvenance{1, {Between(0, 900)}, {}},
                                         UnitProvenance{2, {Between(900, 1800)}, {}}}));
  EXPECT_EQ(s.lines[1].units, 1);
  EXPECT_EQ(s.lines[1].modifiers, (Modifiers{"GP", "CQ", "95"}));
  EXPECT_EQ(s.lines[1].provenance, Provenance({{Between(1800, 2340)}}));
  for (const SuggestedLine& l : s.lines) {
    EXPECT_EQ(l.minutes, 39);
    EXPECT_EQ(l.assistant_minutes, 9);
  }
}

TEST(Coding, LastTwoUnitsWithNineToFourteenMinutesFromEachGiveOneCqUnitAndOnePlain) {
  // Therapist 14 + assistant 12 = 26 -> 2 units, neither has a full unit.
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 14), Seg("97110", 12, DeliveredBy::kAssistant)})});
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].units, 1);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  EXPECT_EQ(s.lines[1].units, 1);
  EXPECT_EQ(s.lines[1].modifiers, (Modifiers{"GP", "CQ", "95"}));
}

TEST(Coding, FullUnitsGoToEachClinicianAndTheMixedRemainderFollowsTheDeMinimisRule) {
  // Therapist 24 + assistant 23 = 47 -> 3 units: one full unit each, then a
  // last unit of 9 therapist + 8 assistant minutes: 8/17 > 10%, so CQ.
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 24), Seg("97110", 23, DeliveredBy::kAssistant)})});
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].units, 1);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  EXPECT_EQ(s.lines[1].units, 2);
  EXPECT_EQ(s.lines[1].modifiers, (Modifiers{"GP", "CQ", "95"}));
  // Every billed second appears in exactly one unit.
  Duration covered{0};
  for (const SuggestedLine& l : s.lines) {
    for (const UnitProvenance& p : l.provenance) {
      for (const Interval& i : p.intervals) covered += i.length();
    }
  }
  EXPECT_EQ(covered, minutes(47));
}

TEST(Coding, TimeTogetherCountsAsTheTherapistsAndCarriesNoCq) {
  // Assistant and therapist both connected for 20 minutes; the therapist
  // performs the activity.
  const SessionForCoding session = FromEvents(With(
      Connected(0), {Ev("pta-in", 0, Joined(Participant::kAssistant, "pta-1")),
                     Ev("a1-start", 0,
                        Activity("a1", ActivityKind::kTherapeuticExercise, Participant::kProvider)),
                     Ev("a1-end", 1200, End("a1")), Ev("stop", 1200, Stop())}));
  ASSERT_EQ(session.timeline.billable_by_role.together, minutes(20));
  const Suggestion s = SuggestOne({session});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  EXPECT_EQ(s.lines[0].assistant_minutes, 0);
  // Together 14 + assistant alone 1: 1 of 15 minutes, no CQ either.
  const Suggestion mixed = SuggestOne({Direct(
      "s1", 0,
      {Seg("97110", 14, DeliveredBy::kTogether), Seg("97110", 1, DeliveredBy::kAssistant)})});
  ASSERT_EQ(mixed.lines.size(), 1u);
  EXPECT_EQ(mixed.lines[0].modifiers, (Modifiers{"GP", "95"}));
}

TEST(Coding, OccupationalTherapyGetsGoAndCo) {
  SessionStarted facts = Facts();
  facts.discipline = Discipline::kOccupationalTherapy;
  facts.provider_role = ProviderRole::kOt;
  const Suggestion s = SuggestOne(
      {Direct("s1", 0, {Seg("97110", 10, DeliveredBy::kAssistant), Seg("97110", 5)}, facts)});
  EXPECT_EQ(s.discipline, Discipline::kOccupationalTherapy);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GO", "CO", "95"}));
}

// ---- Media and place of service (billing-rules §4, §5) ----

std::vector<Event> AudioOnlySession(ActivityKind kind) {
  return With(Connected(0, Modality::kAudioOnly),
              {Ev("a1-start", 0, Activity("a1", kind)), Ev("a1-end", 1200, End("a1")),
               Ev("stop", 1200, Stop())});
}

TEST(Coding, PlannedAudioOnlySessionGets93AndAReviewWarningForACodeThatNeedsVideo) {
  const Suggestion s =
      SuggestOne({FromEvents(AudioOnlySession(ActivityKind::kTherapeuticExercise))});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].code, "97110");
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "93"}));
  EXPECT_EQ(s.lines[0].warning_codes, std::vector<std::string>{"audio_only"});
  EXPECT_FALSE(s.lines[0].blocking);
  const CodingWarning* w = FindWarning(s, "audio_only");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
  EXPECT_EQ(w->cpt_code, "97110");
}

TEST(Coding, AudioOnlyForACodeThatDoesNotNeedVideoIsOnlyInfo) {
  const Suggestion s = SuggestOne({FromEvents(AudioOnlySession(ActivityKind::kSelfCare))});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].code, "97535");
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "93"}));
  const CodingWarning* w = FindWarning(s, "audio_only");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kInfo);
}

TEST(Coding, PatientNotAtHomeGetsPlaceOfService02) {
  SessionStarted facts = Facts();
  facts.patient_location = PatientLocation::kOther;
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 25)}, facts)});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].place_of_service, "02");
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
}

// ---- The therapy threshold: KX (billing-rules §4) ----

Suggestion WithYearToDate(std::optional<std::int64_t> cents, TimePoint start = At(0)) {
  CodingContext context = NothingBilledYet();
  context.year_to_date_pt_slp_cents = cents;
  return SuggestOne({Direct("s1", start, {Seg("97110", 25)})}, Policies(), context);
}

TEST(Coding, OverTheYearsThresholdAddsKxAfter95) {
  const Suggestion s = WithYearToDate(250000);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95", "KX"}));
  EXPECT_EQ(WarningCodes(s), std::vector<std::string>{"therapy_threshold_exceeded"});
  // KX attests medical necessity: only the therapist can confirm it.
  EXPECT_EQ(s.warnings[0].severity, Severity::kReview);
  EXPECT_THAT(s.warnings[0].message, ::testing::HasSubstr("$2500.00"));
  EXPECT_THAT(s.warnings[0].message, ::testing::HasSubstr("$2480.00"));
}

TEST(Threshold, TheClaimWhoseOwnChargesCrossTheThresholdCarriesKx) {
  // $2,440 before + 2 x $45.00 = $2,530 > $2,480.
  const Suggestion s = WithYearToDate(244000);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95", "KX"}));
  EXPECT_THAT(s.warnings[0].message, ::testing::HasSubstr("$2530.00"));
  // $2,380 + $90 = $2,470: not yet.
  EXPECT_EQ(WithYearToDate(238000).lines[0].modifiers, (Modifiers{"GP", "95"}));
}

TEST(Threshold, OccupationalTherapyUsesItsOwnAmount) {
  SessionStarted ot = Facts();
  ot.discipline = Discipline::kOccupationalTherapy;
  ot.provider_role = ProviderRole::kOt;
  CodingContext context = NothingBilledYet();
  context.year_to_date_pt_slp_cents = 300000;  // PT+SLP over: not OT's business
  context.year_to_date_ot_cents = 1000;
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 25)}, ot)}, Policies(), context);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GO", "95"}));
  context.year_to_date_ot_cents = 250000;
  const Suggestion over =
      SuggestOne({Direct("s1", 0, {Seg("97110", 25)}, ot)}, Policies(), context);
  EXPECT_EQ(over.lines[0].modifiers, (Modifiers{"GO", "95", "KX"}));
}

TEST(Threshold, AmountsCarriedBySessionStartedAreUsedWhenTheRequestHasNone) {
  SessionStarted facts = Facts();
  facts.year_to_date_pt_slp_cents = 250000;
  CodingContext context = NothingBilledYet();
  context.year_to_date_pt_slp_cents.reset();
  context.year_to_date_ot_cents.reset();
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 25)}, facts)}, Policies(), context);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95", "KX"}));
}

TEST(Threshold, NoAmountAnywhereGivesNoKxAndSaysSo) {
  CodingContext context = NothingBilledYet();
  context.year_to_date_pt_slp_cents.reset();
  context.year_to_date_ot_cents.reset();
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 25)})}, Policies(), context);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  ASSERT_NE(FindWarning(s, "threshold_amount_unknown"), nullptr);
  EXPECT_EQ(FindWarning(s, "threshold_amount_unknown")->severity, Severity::kInfo);
}

TEST(Coding, OverTheMedicalReviewThresholdAlsoAsksForReview) {
  const Suggestion s = WithYearToDate(310000);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95", "KX"}));
  EXPECT_EQ(WarningCodes(s),
            (std::vector<std::string>{"therapy_threshold_exceeded", "medical_review_threshold"}));
  EXPECT_EQ(FindWarning(s, "medical_review_threshold")->severity, Severity::kReview);
}

TEST(Coding, UnderTheThresholdGivesNoKx) {
  const Suggestion s = WithYearToDate(100000);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  EXPECT_THAT(s.warnings, IsEmpty());
}

TEST(Coding, YearWithoutAThresholdIsFlaggedAndGetsNoKx) {
  const Suggestion s = WithYearToDate(250000, MorningOf(MakeDay(2027, 6, 1)));
  EXPECT_EQ(s.date_of_service, MakeDay(2027, 6, 1));
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  EXPECT_EQ(WarningCodes(s), std::vector<std::string>{"no_threshold_for_year"});
  EXPECT_EQ(s.warnings[0].severity, Severity::kReview);
  // 2028: also outside the therapists' telehealth windows.
  const Suggestion late = WithYearToDate(250000, MorningOf(MakeDay(2028, 3, 1)));
  EXPECT_NE(FindWarning(late, "no_threshold_for_year"), nullptr);
  ASSERT_EQ(late.lines.size(), 1u);
  EXPECT_EQ(late.lines[0].modifiers, (Modifiers{"GP", "95"}));
}

// ---- Edits and caps (billing-rules §6) ----

TEST(Coding, NcciPairBilledTogetherPutsXuOnTheColumnTwoCode) {
  // 97530 is column 1 of the 97530/97116 edit.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97530", 15), Seg("97116", 15)})});
  const SuggestedLine* gait = FindLine(s, "97116");
  const SuggestedLine* activities = FindLine(s, "97530");
  ASSERT_NE(gait, nullptr);
  ASSERT_NE(activities, nullptr);
  EXPECT_EQ(gait->modifiers, (Modifiers{"GP", "95", "XU"}));
  EXPECT_EQ(activities->modifiers, (Modifiers{"GP", "95"}));
  const CodingWarning* w = FindWarning(s, "ncci_pair");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
  EXPECT_EQ(w->cpt_code, "97116");
  EXPECT_THAT(gait->warning_codes, ElementsAre("ncci_pair"));
}

TEST(Ncci, TheModifierGoesOnTheColumnTwoCodeOfThePublishedTable) {
  // 97140/97530: 97530 is column 2 (a payer on whose days 97140 is payable).
  std::vector<CodeEntry> entries = CatalogueEntries();
  for (CodeEntry& e : entries) {
    if (e.code == "97140") e.telehealth_list = {Window(MakeDay(2020, 3, 1), std::nullopt)};
  }
  PolicySet policies = Policies();
  policies.catalogue = CodeCatalogue(entries);
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97140", 15), Seg("97530", 15)})}, policies);
  EXPECT_EQ(FindLine(s, "97530")->modifiers, (Modifiers{"GP", "95", "XU"}));
  EXPECT_EQ(FindLine(s, "97140")->modifiers, (Modifiers{"GP", "95"}));
  EXPECT_EQ(FindWarning(s, "ncci_pair")->cpt_code, "97530");
}

TEST(Ncci, InterleavedServicesGetNoModifierAndOnlyTheColumnOneCode) {
  // 97530 and 97116 alternate every 5 minutes: their units share 15-minute
  // blocks, so 59/X does not apply; only 97530 (column 1) is suggested.
  const Suggestion s = SuggestOne({Direct("s1", 0,
                                          {Seg("97530", 5), Seg("97116", 5), Seg("97530", 5),
                                           Seg("97116", 5), Seg("97530", 5), Seg("97116", 5)})});
  EXPECT_EQ(FindLine(s, "97116"), nullptr);
  ASSERT_NE(FindLine(s, "97530"), nullptr);
  EXPECT_EQ(FindLine(s, "97530")->modifiers, (Modifiers{"GP", "95"}));
  const CodingWarning* w = FindWarning(s, "ncci_not_distinct");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
  EXPECT_EQ(FindWarning(s, "ncci_pair"), nullptr);
}

TEST(Ncci, TheDistinctServiceModifierIsNeverAddedTwiceToALine) {
  // 97110 is column 2 of 97150/97110 and... only one pair here, but two lines
  // of 97110 (plain and CQ): each carries XU once.
  const Suggestion s = SuggestOne({Direct(
      "s1", 0, {Seg("97150", 20), Seg("97110", 15), Seg("97110", 15, DeliveredBy::kAssistant)})});
  for (const SuggestedLine& l : s.lines) {
    EXPECT_LE(std::count(l.modifiers.begin(), l.modifiers.end(), "XU"), 1) << l.code;
  }
  EXPECT_EQ(FindLine(s, "97110")->modifiers, (Modifiers{"GP", "95", "XU"}));
}

TEST(Ncci, PairThatNoModifierUnbundlesKeepsColumnOneOnly) {
  const PolicySet policies = Policies(
      {Code("97161", "PT evaluation, low", ActivityKind::kUnspecified, /*timed=*/false),
       Code("97162", "PT evaluation, moderate", ActivityKind::kUnspecified, /*timed=*/false)});
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97161", 20), Seg("97162", 20)})}, policies);
  EXPECT_NE(FindLine(s, "97161"), nullptr);
  EXPECT_EQ(FindLine(s, "97162"), nullptr);
  EXPECT_NE(FindWarning(s, "ncci_no_modifier_allowed"), nullptr);
}

TEST(Ncci, DayWithoutTablesIsFlaggedForReview) {
  PolicySet policies = Policies();
  policies.edits = EditTables();
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 25)})}, policies);
  ASSERT_NE(FindWarning(s, "ncci_tables_missing"), nullptr);
  EXPECT_EQ(FindWarning(s, "ncci_tables_missing")->severity, Severity::kReview);
}

TEST(Coding, NcciPairWithOnlyOneCodeBilledAddsNothing) {
  // 97530 22 + 97116 3 = 25 -> 2 units, both to 97530 (full 1, then leftover
  // 7 beats 3).
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97530", 22), Seg("97116", 3)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97530", 2}}));
  EXPECT_EQ(FindWarning(s, "ncci_pair"), nullptr);
}

TEST(Coding, UnitsOverTheMueCapAreCappedAndFlagged) {
  // 75 minutes -> 5 units, cap 4.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 75)})});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].units, 4);
  EXPECT_EQ(s.lines[0].minutes, 75);
  ASSERT_EQ(s.lines[0].provenance.size(), 4u);
  EXPECT_EQ(s.lines[0].provenance[3].intervals, std::vector<Interval>{Between(2700, 4500)});
  EXPECT_EQ(s.medicare_pooled.total_units, 5);  // the method's result, before the cap
  const CodingWarning* w = FindWarning(s, "units_over_mue_cap");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
  EXPECT_EQ(w->cpt_code, "97110");
}

// ---- Eligibility (billing-rules §5) ----

TEST(Coding, TherapistTelehealthOutsideItsWindowsBlocksEveryLine) {
  const Suggestion s = SuggestOne(
      {Direct("s1", MorningOf(MakeDay(2020, 2, 15)), {Seg("97110", 25), Seg("97535", 15)})});
  EXPECT_EQ(s.date_of_service, MakeDay(2020, 2, 15));
  const CodingWarning* w = FindWarning(s, "therapist_telehealth_not_covered");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kBlocking);
  EXPECT_EQ(w->cpt_code, "");
  ASSERT_EQ(s.lines.size(), 2u);
  for (const SuggestedLine& l : s.lines) EXPECT_TRUE(l.blocking) << l.code;
}

TEST(Coding, TherapistTelehealthLapseBlocksLinesWhoseCodesAreOnTheList) {
  // 2028-03-01: the codes are on the (open-ended) list; only the day is out.
  const Suggestion s =
      SuggestOne({Direct("s1", MorningOf(MakeDay(2028, 3, 1)), {Seg("97110", 25)})});
  EXPECT_EQ(FindWarning(s, "code_not_on_telehealth_list"), nullptr);
  EXPECT_NE(FindWarning(s, "therapist_telehealth_not_covered"), nullptr);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_TRUE(s.lines[0].blocking);
}

TEST(Coding, EveryTherapistTelehealthWindowIsCovered) {
  for (const Day day : {MakeDay(2020, 3, 1), MakeDay(2025, 9, 30), MakeDay(2025, 10, 1),
                        MakeDay(2026, 1, 30), MakeDay(2026, 1, 31), MakeDay(2027, 12, 31)}) {
    const Suggestion s = SuggestOne({Direct("s1", MorningOf(day), {Seg("97110", 25)})});
    EXPECT_EQ(FindWarning(s, "therapist_telehealth_not_covered"), nullptr) << FormatDay(day);
  }
}

// ---- What cannot be coded ----

TEST(Coding, UnknownPayerGivesASuggestionWithoutLinesAndABlockingWarning) {
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 25)}, Facts("acme-health"))});
  EXPECT_EQ(s.payer_id, "acme-health");
  EXPECT_EQ(s.session_ids, std::vector<std::string>{"s1"});
  EXPECT_THAT(s.lines, IsEmpty());
  ASSERT_EQ(WarningCodes(s), std::vector<std::string>{"unknown_payer"});
  EXPECT_EQ(s.warnings[0].severity, Severity::kBlocking);
}

TEST(Coding, CodeNotInTheCatalogueIsFlaggedAndNotBilled) {
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97999", 20), Seg("97110", 10)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}}));
  const CodingWarning* w = FindWarning(s, "code_not_in_catalogue");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
  EXPECT_EQ(w->cpt_code, "97999");
  EXPECT_EQ(s.documentation.total_timed_minutes, 10);
}

TEST(Coding, ActivityWithoutCodeOrKindIsFlaggedAndNotBilled) {
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("", 20)})});
  EXPECT_THAT(s.lines, IsEmpty());
  const CodingWarning* w = FindWarning(s, "activity_without_code");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
}

// ---- Timeline flags carried over ----

TEST(Coding, SessionClosedByTimeoutIsFlaggedForReview) {
  const SessionForCoding session =
      FromEvents(With(Connected(0), {Ev("a1-start", 0, Activity("a1")),
                                     Ev("timeout", 1200, Stop(StopReason::kTimedOut))}));
  const Suggestion s = SuggestOne({session});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}}));
  const CodingWarning* w = FindWarning(s, "session_closed_by_timeout");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
  EXPECT_NE(FindWarning(s, "activity_not_ended"), nullptr);
}

TEST(Coding, SessionSpanningYearsIsCodedForItsFirst24HoursOnly) {
  // Found by fuzzing: five events, the stop 10 years after the start, gave a
  // suggestion for every day in between (about 3,650 of them).
  const SessionForCoding session = FromEvents(With(
      Connected(0), {Ev("a1-start", 0, Activity("a1")), Ev("stop", 10 * 365 * 24 * 3600, Stop())}));
  const std::vector<Suggestion> all = Suggest({session});
  ASSERT_EQ(all.size(), 2u);  // 09:00 local to 09:00 the next day
  EXPECT_EQ(all[0].documentation.total_timed_minutes + all[1].documentation.total_timed_minutes,
            24 * 60);
  for (const Suggestion& s : all) {
    const CodingWarning* w = FindWarning(s, "session_too_long");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->severity, Severity::kReview);
  }
}

TEST(Coding, ReusedActivityIdBillsEachActivityUnderItsOwnCode) {
  // "a1" is exercise for 15 minutes, then, after it ended, gait training for
  // 15 more: 97110 x1 and 97116 x1, not 97110 x2.
  const SessionForCoding session = FromEvents(
      With(Connected(0), {Ev("a1-start", 0, Activity("a1")), Ev("a1-end", 900, End("a1")),
                          Ev("a1-start-2", 960, Activity("a1", ActivityKind::kGaitTraining)),
                          Ev("a1-end-2", 1860, End("a1")), Ev("stop", 1860, Stop())}));
  ASSERT_EQ(session.timeline.activities.size(), 2u);
  const Suggestion s = SuggestOne({session});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97116", 1}}));
  EXPECT_EQ(s.documentation.minutes_by_code,
            (std::map<std::string, int>{{"97110", 15}, {"97116", 15}}));
}

// ---- Untimed codes ----

TEST(Coding, UntimedGroupCodeIsOneUnitAndStaysOutOfTheTimedPool) {
  // 97150 30 (untimed) + 97110 10: T = 10 -> 1 unit; pooled with the group's
  // 30 minutes it would have been 3.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97150", 30), Seg("97110", 10)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97150", 1}}));
  EXPECT_EQ(s.documentation.total_timed_minutes, 10);
  EXPECT_EQ(s.documentation.total_treatment_minutes, 40);
  EXPECT_EQ(s.documentation.minutes_by_code,
            (std::map<std::string, int>{{"97110", 10}, {"97150", 30}}));
  EXPECT_EQ(s.medicare_pooled.units, (std::map<std::string, int>{{"97110", 1}}));
  EXPECT_EQ(s.medicare_pooled.total_units, 1);
  const SuggestedLine* group = FindLine(s, "97150");
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->minutes, 30);
  EXPECT_EQ(group->modifiers, (Modifiers{"GP", "95"}));
}

// ---- Determinism ----

TEST(Coding, SuggestionsDoNotDependOnTheOrderOfTheSessions) {
  const SessionForCoding timed_out =
      FromEvents(With(Connected(7200), {Ev("a1-start", 7200, Activity("a1")),
                                        Ev("timeout", 8100, Stop(StopReason::kTimedOut))}));
  std::vector<SessionForCoding> sessions = {
      Direct("s0", 0, {Seg("97110", 9), Seg("97112", 6, DeliveredBy::kAssistant)}),
      Direct("s2", 3600, {Seg("97140", 8), Seg("97530", 12), Seg("97999", 3)}),
      timed_out,
      Direct("s3", 53400, {Seg("97110", 30)}),  // over local midnight
      Direct("s4", 60000, {Seg("97116", 10)}, Facts(kCommercial)),
      Direct("s5", 0, {Seg("97110", 20)}, Facts("acme-health")),
  };
  SessionForCoding other_patient = Direct("s6", 0, {Seg("97110", 20)});
  other_patient.facts.patient_ref = "pt-0002";
  sessions.push_back(other_patient);
  SessionForCoding another_timeout = timed_out;
  another_timeout.session_id = "s7";
  sessions.push_back(another_timeout);

  const std::vector<Suggestion> reference = Suggest(sessions);
  ASSERT_GE(reference.size(), 5u);
  std::mt19937 rng(20261130);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(sessions.begin(), sessions.end(), rng);
    EXPECT_EQ(Suggest(sessions), reference) << "round " << round;
  }
}

// ---- Live progress ----

TEST(Coding, LiveProgressOnMedicareCountsPooledMinutesAndTheCodeAccruing) {
  const SessionForCoding session =
      FromEvents(With(Connected(0), {Ev("a1-start", 0, Activity("a1"))}), At(720));
  const LiveProgress p = ComputeLiveProgress(session, Policies());
  LiveProgress expected;
  expected.method = UnitMethod::kMedicarePooled;
  expected.billable = minutes(12);
  expected.billable_minutes = 12;
  expected.units = 1;
  expected.minutes_to_next_unit = 11;  // 23 - 12
  expected.current_code = "97110";
  EXPECT_EQ(p, expected);
}

TEST(Coding, LiveProgressHasNoCurrentCodeBetweenActivities) {
  const SessionForCoding session = FromEvents(
      With(Connected(0), {Ev("a1-start", 0, Activity("a1")), Ev("a1-end", 600, End("a1"))}),
      At(720));
  const LiveProgress p = ComputeLiveProgress(session, Policies());
  EXPECT_EQ(p.billable_minutes, 10);
  EXPECT_EQ(p.units, 1);
  EXPECT_EQ(p.minutes_to_next_unit, 13);
  EXPECT_EQ(p.current_code, "");
}

TEST(Coding, LiveProgressOnACptPayerCountsPerCodeAndTheNextUnitOfTheCurrentCode) {
  // 97110 10 minutes done, 97116 accruing for 5: units 1 + 0; 97116 needs 3
  // more minutes for its first unit.
  const SessionForCoding session =
      FromEvents(With(Connected(0, Modality::kAudioVideo, kCommercial),
                      {Ev("a1-start", 0, Activity("a1")), Ev("a1-end", 600, End("a1")),
                       Ev("a2-start", 600, Activity("a2", ActivityKind::kGaitTraining))}),
                 At(900));
  const LiveProgress p = ComputeLiveProgress(session, Policies());
  LiveProgress expected;
  expected.method = UnitMethod::kCptMidpoint;
  expected.billable = minutes(15);
  expected.billable_minutes = 15;
  expected.units = 1;
  expected.minutes_to_next_unit = 3;
  expected.current_code = "97116";
  EXPECT_EQ(p, expected);
  // The same minutes on Medicare: 15 pooled -> 1 unit, 8 to the next.
  SessionForCoding medicare = session;
  medicare.facts.payer_id = kMedicare;
  const LiveProgress m = ComputeLiveProgress(medicare, Policies());
  EXPECT_EQ(m.units, 1);
  EXPECT_EQ(m.minutes_to_next_unit, 8);
}

TEST(Coding, LiveProgressForAnUnknownPayerUsesMedicaresMethod) {
  SessionForCoding session = Direct("s1", 0, {Seg("97110", 12)}, Facts("acme-health"));
  session.timeline.flags.push_back(
      TimelineFlag{TimelineFlagCode::kSessionOpen, At(720), "", "The session has not stopped."});
  const LiveProgress p = ComputeLiveProgress(session, Policies());
  EXPECT_EQ(p.method, UnitMethod::kMedicarePooled);
  EXPECT_EQ(p.units, 1);
  EXPECT_EQ(p.current_code, "97110");
}

TEST(Coding, LiveProgressOfAStoppedSessionHasNoCurrentCode) {
  const SessionForCoding session =
      FromEvents(With(Connected(0), {Ev("a1-start", 0, Activity("a1")), Ev("stop", 720, Stop())}));
  const LiveProgress p = ComputeLiveProgress(session, Policies());
  EXPECT_EQ(p.billable_minutes, 12);
  EXPECT_EQ(p.units, 1);
  EXPECT_EQ(p.current_code, "");
}

TEST(Coding, LiveProgressLeavesBlockedMinutesOutOfThePool) {
  // 20 minutes of exercise, then 5 of massage (not payable over video): 1
  // unit, not the 2 that 25 pooled minutes would give.
  const SessionForCoding session = FromEvents(
      With(Connected(0), {Ev("a1-start", 0, Activity("a1")), Ev("a1-end", 1200, End("a1")),
                          Ev("a2-start", 1200, Activity("a2", ActivityKind::kMassage)),
                          Ev("a2-end", 1500, End("a2")), Ev("stop", 1500, Stop())}));
  const LiveProgress p = ComputeLiveProgress(session, Policies());
  EXPECT_EQ(p.billable_minutes, 25);
  EXPECT_EQ(p.units, 1);
}

TEST(Coding, SeverityNamesAreStable) {
  EXPECT_STREQ(SeverityName(Severity::kInfo), "info");
  EXPECT_STREQ(SeverityName(Severity::kReview), "review");
  EXPECT_STREQ(SeverityName(Severity::kBlocking), "blocking");
}

// ---- Who delivered the time (docs/billing-rules.md) ----

TEST(WhoDelivered, ProviderWithAnAssistantRoleDeliversAssistantMinutes) {
  Event start = Started(0);
  std::get<SessionStarted>(start.payload).provider_role = ProviderRole::kPta;
  std::vector<Event> events = Connected(0);
  events[0] = start;
  const SessionForCoding session =
      FromEvents(With(events, {Ev("a1-start", 0, Activity("a1")), Ev("a1-end", 1500, End("a1")),
                               Ev("stop", 1500, Stop())}));
  EXPECT_EQ(session.timeline.billable_by_role.assistant, minutes(25));
  const Suggestion s = SuggestOne({session});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].units, 2);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "CQ", "95"}));
}

TEST(WhoDelivered, ActivityPerformedByTheAssistantIsTheAssistantsEvenWithTheTherapistConnected) {
  const SessionForCoding session = FromEvents(
      With(Connected(0),
           {Ev("pta-in", 0, Joined(Participant::kAssistant, "pta-1")),
            Ev("a1-start", 0,
               Activity("a1", ActivityKind::kTherapeuticExercise, Participant::kAssistant)),
            Ev("a1-end", 1500, End("a1")), Ev("stop", 1500, Stop())}));
  EXPECT_EQ(session.timeline.billable_by_role.assistant, minutes(25));
  const Suggestion s = SuggestOne({session});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "CQ", "95"}));
  const CodingWarning* w = FindWarning(s, "assistant_performed_activity");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
}

TEST(WhoDelivered, MedicareDoesNotPaySpeechLanguageAssistants) {
  SessionStarted slp = Facts();
  slp.discipline = Discipline::kSpeechLanguage;
  slp.provider_role = ProviderRole::kSlp;
  const PolicySet policies = Policies({[] {
    CodeEntry e = Code("92507", "Speech treatment", ActivityKind::kUnspecified, /*timed=*/false);
    e.disciplines = {Discipline::kSpeechLanguage};
    return e;
  }()});
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("92507", 20, DeliveredBy::kAssistant)}, slp)}, policies);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_TRUE(s.lines[0].blocking);
  ASSERT_NE(FindWarning(s, "assistant_not_recognized"), nullptr);
  EXPECT_EQ(FindWarning(s, "assistant_not_recognized")->severity, Severity::kBlocking);
}

TEST(WhoDelivered, PayerWithoutAnAssistantModifierAsksForReview) {
  const Suggestion s = SuggestOne(
      {Direct("s1", 0, {Seg("97110", 25, DeliveredBy::kAssistant)}, Facts(kCommercial))});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  ASSERT_NE(FindWarning(s, "assistant_without_modifier"), nullptr);
  EXPECT_EQ(FindWarning(s, "assistant_without_modifier")->severity, Severity::kReview);
}

TEST(DeMinimis, UntimedCodeUsesTheWholeServiceTime) {
  // 97150: 55 minutes by the therapist, 5 by the assistant alone: 8% of the
  // service, under the 10% de minimis share: no CQ (per unit, the old split
  // gave CQ to anything with an assistant's "full unit").
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97150", 55), Seg("97150", 5, DeliveredBy::kAssistant)})});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  // 16 of 60 by the assistant: CQ.
  const Suggestion more =
      SuggestOne({Direct("s1", 0, {Seg("97150", 44), Seg("97150", 16, DeliveredBy::kAssistant)})});
  EXPECT_EQ(more.lines[0].modifiers, (Modifiers{"GP", "CQ", "95"}));
}

TEST(DeMinimis, LastTwoUnitsOutsideNineToFourteenEachBothCarryCq) {
  // 97110: therapist 8, assistant 14 (22 min) and 97112 7: T = 29 -> 2 units;
  // 97110 gets both. The two last units are not 9-14 minutes from each: both
  // CQ, the smaller claim, with a review warning.
  const Suggestion s = SuggestOne({Direct(
      "s1", 0, {Seg("97110", 8), Seg("97110", 14, DeliveredBy::kAssistant), Seg("97112", 7)})});
  EXPECT_EQ(UnitsByCode(s).at("97110"), 2);
  for (const SuggestedLine& l : s.lines) {
    if (l.code == "97110") {
      EXPECT_EQ(l.modifiers, (Modifiers{"GP", "CQ", "95"}));
    }
  }
  EXPECT_NE(FindWarning(s, "de_minimis_uncertain"), nullptr);
}

// ---- One patient, one clock ----

TEST(OneClock, ASessionSentTwiceCountsOnce) {
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 25)}), Direct("s1-copy", 0, {Seg("97110", 25)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 2}}));
  EXPECT_EQ(s.documentation.total_timed_minutes, 25);
  const CodingWarning* w = FindWarning(s, "session_overlap");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::kReview);
  EXPECT_THAT(w->message, ::testing::HasSubstr("\"s1\""));
  EXPECT_THAT(w->message, ::testing::HasSubstr("\"s1-copy\""));
}

TEST(OneClock, OverlappingReconnectCountsTheUnionOnce) {
  // s1 0-20 min, s2 10-30 min: the union is 30 minutes, 2 units.
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97110", 20)}), Direct("s2", 600, {Seg("97110", 20)})});
  EXPECT_EQ(s.documentation.total_timed_minutes, 30);
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 2}}));
  EXPECT_NE(FindWarning(s, "session_overlap"), nullptr);
}

TEST(OneClock, CoTreatmentByTwoDisciplinesIsCountedOnceForOne) {
  SessionStarted ot = Facts();
  ot.discipline = Discipline::kOccupationalTherapy;
  ot.provider_ref = "prov-ot";
  const std::vector<Suggestion> all =
      Suggest({Direct("pt", 0, {Seg("97110", 25)}), Direct("ot", 0, {Seg("97530", 25)}, ot)});
  int units = 0;
  int with_warning = 0;
  for (const Suggestion& s : all) {
    for (const auto& [code, n] : UnitsByCode(s)) units += n;
    if (FindWarning(s, "co_treatment") != nullptr) ++with_warning;
  }
  EXPECT_EQ(units, 2);
  EXPECT_GE(with_warning, 1);
}

// ---- Telehealth setting ----

TEST(TelehealthSetting, AudioOnlyToAPatientNotAtHomeIsBlocked) {
  SessionStarted away = Facts();
  away.patient_location = PatientLocation::kOther;
  Segment seg = Seg("97535", 20);
  seg.media = Modality::kAudioOnly;
  const Suggestion s = SuggestOne({Direct("s1", 0, {seg}, away)});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "93"}));
  EXPECT_EQ(s.lines[0].place_of_service, "02");
  EXPECT_TRUE(s.lines[0].blocking);
  EXPECT_EQ(FindWarning(s, "audio_only_not_at_home")->severity, Severity::kBlocking);
  // At home it is payable.
  const Suggestion home = SuggestOne({Direct("s1", 0, {seg})});
  EXPECT_FALSE(home.lines[0].blocking);
}

TEST(TelehealthSetting, MoreThanFourModifiersAreWarnedWhenTheLineIsBuilt) {
  // GP CQ 95 KX XU: 97110 column 2 of 97150/97110, assistant units, over
  // the threshold.
  CodingContext context = NothingBilledYet();
  context.year_to_date_pt_slp_cents = 300000;
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97150", 20), Seg("97110", 30, DeliveredBy::kAssistant)})},
                 Policies(), context);
  const SuggestedLine* line = FindLine(s, "97110");
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->modifiers, (Modifiers{"GP", "CQ", "95", "XU", "KX"}));
  ASSERT_NE(FindWarning(s, "too_many_modifiers"), nullptr);
  EXPECT_EQ(FindWarning(s, "too_many_modifiers")->cpt_code, "97110");
}

TEST(TelehealthSetting, UncertainTelehealthStatusAsksForReview) {
  std::vector<CodeEntry> entries = CatalogueEntries();
  for (CodeEntry& e : entries) {
    if (e.code == "97535") e.telehealth_list[0].uncertain = true;
  }
  PolicySet policies = Policies();
  policies.catalogue = CodeCatalogue(entries);
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97535", 20)})}, policies);
  ASSERT_NE(FindWarning(s, "telehealth_status_uncertain"), nullptr);
  EXPECT_FALSE(s.lines[0].blocking);
}

// ---- Rounding: the unit rule applies to the pooled total once ----

TEST(Rounding, SecondsRoundedPerCodeCannotLoseAUnit) {
  // 11:40 + 11:40 = 23:20 -> 23 minutes -> 2 units (per-code flooring gave 22).
  SessionForCoding s1 = Direct("s1", 0, {Seg("97110", 12), Seg("97112", 12)});
  s1.timeline.billable[0].interval.end -= std::chrono::seconds(20);
  s1.timeline.billable[1].interval.start -= std::chrono::seconds(20);
  s1.timeline.billable[1].interval.end -= std::chrono::seconds(40);
  const Suggestion s = SuggestOne({s1});
  EXPECT_EQ(s.medicare_pooled.total_units, 2);
  EXPECT_EQ(s.documentation.pooled_timed_minutes, 23);
}

TEST(Rounding, SecondsCannotCreateAUnit) {
  // 7 minutes 30 seconds is 7 minutes: no unit, even when the payer rounds
  // the minutes it shows to the nearest.
  PolicySet policies = Policies();
  policies.payers.at(kMedicare).rounding = SecondsRounding::kNearest;
  SessionForCoding one = Direct("s1", 0, {Seg("97110", 8)});
  one.timeline.billable[0].interval.end -= std::chrono::seconds(30);
  const Suggestion s = SuggestOne({one}, policies);
  EXPECT_EQ(s.medicare_pooled.total_units, 0);
  EXPECT_THAT(s.lines, IsEmpty());
}

// ---- Codes a practice bills ----

TEST(Catalogue, UntimedEvaluationIsOneUnitAndStaysOutOfThePool) {
  const PolicySet policies =
      Policies({Code("97161", "PT evaluation, low", ActivityKind::kUnspecified, /*timed=*/false)});
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97161", 30), Seg("97110", 20)})}, policies);
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97110", 1}, {"97161", 1}}));
  EXPECT_EQ(s.documentation.total_timed_minutes, 20);
  EXPECT_EQ(s.documentation.total_treatment_minutes, 50);
}

TEST(Catalogue, UntimedCodeInTwoSessionsOfADayIsOneUnitWithAReview) {
  const Suggestion s =
      SuggestOne({Direct("s1", 0, {Seg("97150", 30)}), Direct("s2", 7200, {Seg("97150", 30)})});
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97150", 1}}));
  EXPECT_NE(FindWarning(s, "untimed_code_in_several_sessions"), nullptr);
}

TEST(Catalogue, EachAdditionalCodeBillsTheUnitsAfterTheFirst) {
  CodeEntry initial = Code("97129", "Cognitive function, first 15 min", ActivityKind::kUnspecified);
  CodeEntry more =
      Code("97130", "Cognitive function, each additional 15 min", ActivityKind::kUnspecified);
  more.initial_code = "97129";
  const PolicySet policies = Policies({initial, more});
  // 35 minutes under 97129 -> 2 units: 97129 x1, 97130 x1.
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97129", 35)})}, policies);
  EXPECT_EQ(UnitsByCode(s), (std::map<std::string, int>{{"97129", 1}, {"97130", 1}}));
  // Minutes sent as 97130 belong to the same service.
  const Suggestion both =
      SuggestOne({Direct("s1", 0, {Seg("97129", 15), Seg("97130", 20)})}, policies);
  EXPECT_EQ(UnitsByCode(both), (std::map<std::string, int>{{"97129", 1}, {"97130", 1}}));
}

// ---- Warnings of the setting and the data ----

TEST(Warnings, CodeNotListedForTheDisciplineAsksForReview) {
  SessionStarted slp = Facts();
  slp.discipline = Discipline::kSpeechLanguage;
  slp.provider_role = ProviderRole::kSlp;
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97116", 20)}, slp)});
  ASSERT_NE(FindWarning(s, "code_not_for_discipline"), nullptr);
  EXPECT_EQ(FindWarning(s, "code_not_for_discipline")->cpt_code, "97116");
}

TEST(Warnings, MixedMediaAndMixedPlaceFollowTheLargerPart) {
  // 97110: 15 minutes with video at home, 10 audio-only away from home.
  SessionForCoding home = Direct("s1", 0, {Seg("97110", 15)});
  SessionStarted away_facts = Facts();
  away_facts.patient_location = PatientLocation::kOther;
  Segment audio = Seg("97110", 10);
  audio.media = Modality::kAudioOnly;
  SessionForCoding away = Direct("s2", 1800, {audio}, away_facts);
  const Suggestion s = SuggestOne({home, away});
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));
  EXPECT_EQ(s.lines[0].place_of_service, "10");
  EXPECT_NE(FindWarning(s, "mixed_media"), nullptr);
  EXPECT_NE(FindWarning(s, "mixed_place_of_service"), nullptr);
}

TEST(Threshold, ACodeWithoutAChargeCountsAsZeroAndAsksForReview) {
  CodingContext context = NothingBilledYet();
  context.year_to_date_pt_slp_cents = 247000;
  context.charge_cents.erase("97110");
  const Suggestion s = SuggestOne({Direct("s1", 0, {Seg("97110", 25)})}, Policies(), context);
  EXPECT_EQ(s.lines[0].modifiers, (Modifiers{"GP", "95"}));  // $2,470 + $0: under
  ASSERT_NE(FindWarning(s, "charge_unknown"), nullptr);
  EXPECT_EQ(FindWarning(s, "charge_unknown")->severity, Severity::kReview);
}

}  // namespace
}  // namespace unitclock::core

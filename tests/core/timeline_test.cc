#include "core/timeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/testing/events.h"

namespace unitclock::core {

// Readable failure messages (found by GoogleTest through ADL).
void PrintTo(const Interval& i, std::ostream* os) {
  *os << "[" << FormatRfc3339(i.start) << ", " << FormatRfc3339(i.end) << ")";
}
void PrintTo(const BillableInterval& b, std::ostream* os) {
  PrintTo(b.interval, os);
  *os << " " << b.activity_id << " by=" << static_cast<int>(b.delivered_by)
      << " media=" << static_cast<int>(b.media);
}
void PrintTo(const ExcludedInterval& e, std::ostream* os) {
  PrintTo(e.interval, os);
  *os << " " << ExclusionReasonName(e.reason) << " " << e.activity_id;
}

namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::At;
using testing::MakeEvent;
using testing::StartedEvent;

constexpr char kSession[] = "s1";
constexpr char kPta[] = "pta-1";

Event Ev(const std::string& id, int at_seconds, EventPayload payload) {
  return MakeEvent(id, kSession, at_seconds, std::move(payload));
}

// An event at At(at_seconds) plus `extra` milliseconds.
Event EvMs(const std::string& id, int at_seconds, int extra_ms, EventPayload payload) {
  Event e = Ev(id, at_seconds, std::move(payload));
  e.occurred_at += milliseconds(extra_ms);
  return e;
}

Event Started(const std::string& id, int at_seconds, Modality planned = Modality::kAudioVideo) {
  Event e = StartedEvent(id, kSession, at_seconds);
  std::get<SessionStarted>(e.payload).planned_modality = planned;
  return e;
}

ParticipantJoined Joined(Participant who, const std::string& ref = "") {
  ParticipantJoined j;
  j.participant = who;
  j.assistant_ref = ref;
  return j;
}

ParticipantLeft Left(Participant who, const std::string& ref = "") {
  ParticipantLeft l;
  l.participant = who;
  l.assistant_ref = ref;
  return l;
}

ActivityStarted Activity(const std::string& activity_id, Participant by = Participant::kProvider) {
  ActivityStarted a;
  a.activity_id = activity_id;
  a.kind = ActivityKind::kTherapeuticExercise;
  a.performed_by = by;
  return a;
}

ActivityEnded End(const std::string& activity_id) { return ActivityEnded{activity_id}; }

LivenessSignal Signal(const std::string& activity_id) {
  LivenessSignal l;
  l.activity_id = activity_id;
  l.signal = "rep";
  return l;
}

SessionStopped Stop(StopReason reason = StopReason::kEnded) { return SessionStopped{reason}; }

Interval Between(int start_seconds, int end_seconds) {
  return Interval{At(start_seconds), At(end_seconds)};
}

ExcludedInterval Excluded(Interval i, ExclusionReason reason, const std::string& activity = "") {
  ExcludedInterval e;
  e.interval = i;
  e.reason = reason;
  e.activity_id = activity;
  return e;
}

BillableInterval Billable(Interval i, const std::string& activity,
                          DeliveredBy by = DeliveredBy::kTherapist,
                          Modality media = Modality::kAudioVideo) {
  BillableInterval b;
  b.interval = i;
  b.activity_id = activity;
  b.delivered_by = by;
  b.media = media;
  return b;
}

// Session start at 0 with patient and therapist on audio+video from 0.
std::vector<Event> Connected(Modality planned = Modality::kAudioVideo) {
  return {Started("start", 0, planned), Ev("pt-in", 0, Joined(Participant::kPatient)),
          Ev("prov-in", 0, Joined(Participant::kProvider)), Ev("media", 0, MediaChanged{planned})};
}

std::vector<Event> With(std::vector<Event> events, const std::vector<Event>& more) {
  events.insert(events.end(), more.begin(), more.end());
  return events;
}

Duration Sum(const std::vector<ExcludedInterval>& excluded) {
  Duration total{0};
  for (const ExcludedInterval& e : excluded) total += e.interval.length();
  return total;
}

// The invariants every timeline keeps, checked after every build below.
void ExpectInvariants(const Timeline& t) {
  EXPECT_EQ(t.billable_total() + t.excluded_total(), t.session.length());
  Duration billable_sum{0};
  for (const BillableInterval& b : t.billable) billable_sum += b.interval.length();
  EXPECT_EQ(billable_sum, t.billable_total());
  for (const ActivityTimeline& a : t.activities) {
    EXPECT_EQ(a.billable.total() + Sum(a.excluded), a.span.length()) << a.activity_id;
  }
}

Timeline Build(const std::vector<Event>& events, const TimelinePolicy& policy = {}) {
  Timeline t = BuildTimeline(events, policy);
  ExpectInvariants(t);
  return t;
}

std::vector<TimelineFlagCode> FlagCodes(const Timeline& t) {
  std::vector<TimelineFlagCode> codes;
  for (const TimelineFlag& f : t.flags) codes.push_back(f.code);
  return codes;
}

const TimelineFlag* FindFlag(const Timeline& t, TimelineFlagCode code) {
  for (const TimelineFlag& f : t.flags) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

void ExpectSameTimeline(const Timeline& a, const Timeline& b) {
  EXPECT_EQ(a.session, b.session);
  EXPECT_EQ(a.billable, b.billable);
  EXPECT_EQ(a.excluded, b.excluded);
  EXPECT_EQ(a.activities, b.activities);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.billable_by_role, b.billable_by_role);
}

TEST(Timeline, PlainSessionBillsTheActivityAndExcludesTheRestAsOutsideActivity) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("a1-end", 1500, End("a1")),
                               Ev("stop", 1800, Stop())}));
  EXPECT_EQ(t.session, Between(0, 1800));
  EXPECT_EQ(t.billable_total(), minutes(20));
  EXPECT_EQ(t.billable, std::vector<BillableInterval>{Billable(Between(300, 1500), "a1")});
  EXPECT_EQ(t.excluded, (std::vector<ExcludedInterval>{
                            Excluded(Between(0, 300), ExclusionReason::kOutsideActivity),
                            Excluded(Between(1500, 1800), ExclusionReason::kOutsideActivity)}));
  EXPECT_EQ(t.billable_by_role.therapist, minutes(20));
  ASSERT_EQ(t.activities.size(), 1u);
  const ActivityTimeline& a = t.activities[0];
  EXPECT_EQ(a.activity_id, "a1");
  EXPECT_EQ(a.kind, ActivityKind::kTherapeuticExercise);
  EXPECT_EQ(a.performed_by, Participant::kProvider);
  EXPECT_EQ(a.span, Between(300, 1500));
  EXPECT_TRUE(a.ended);
  EXPECT_EQ(a.billable.therapist, minutes(20));
  EXPECT_TRUE(a.excluded.empty());
  EXPECT_TRUE(t.flags.empty());
}

TEST(Timeline, DropAndRejoinMidActivityExcludesTheGapAsDisconnected) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")),
                               Ev("pt-out", 600, Left(Participant::kPatient)),
                               Ev("pt-back", 720, Joined(Participant::kPatient)),
                               Ev("a1-end", 1500, End("a1")), Ev("stop", 1800, Stop())}));
  EXPECT_EQ(t.billable_total(), minutes(18));
  EXPECT_EQ(t.billable, (std::vector<BillableInterval>{Billable(Between(300, 600), "a1"),
                                                       Billable(Between(720, 1500), "a1")}));
  EXPECT_EQ(t.excluded, (std::vector<ExcludedInterval>{
                            Excluded(Between(0, 300), ExclusionReason::kOutsideActivity),
                            Excluded(Between(600, 720), ExclusionReason::kDisconnected),
                            Excluded(Between(1500, 1800), ExclusionReason::kOutsideActivity)}));
  ASSERT_EQ(t.activities.size(), 1u);
  EXPECT_EQ(t.activities[0].excluded,
            std::vector<ExcludedInterval>{
                Excluded(Between(600, 720), ExclusionReason::kDisconnected, "a1")});
}

TEST(Timeline, PatientJoiningLateIsWaitingForParticipant) {
  const Timeline t =
      Build({Started("start", 0), Ev("prov-in", 0, Joined(Participant::kProvider)),
             Ev("media", 0, MediaChanged{Modality::kAudioVideo}),
             Ev("a1-start", 60, Activity("a1")), Ev("pt-in", 240, Joined(Participant::kPatient)),
             Ev("a1-end", 1260, End("a1")), Ev("stop", 1800, Stop())});
  EXPECT_EQ(t.billable_total(), minutes(17));
  EXPECT_EQ(t.excluded, (std::vector<ExcludedInterval>{
                            Excluded(Between(0, 60), ExclusionReason::kOutsideActivity),
                            Excluded(Between(60, 240), ExclusionReason::kWaitingForParticipant),
                            Excluded(Between(1260, 1800), ExclusionReason::kOutsideActivity)}));
  EXPECT_EQ(t.activities[0].excluded,
            std::vector<ExcludedInterval>{
                Excluded(Between(60, 240), ExclusionReason::kWaitingForParticipant, "a1")});
}

TEST(Timeline, ClinicianNeverJoiningIsWaitingForParticipant) {
  const Timeline t = Build({Started("start", 0), Ev("pt-in", 0, Joined(Participant::kPatient)),
                            Ev("a1-start", 0, Activity("a1")), Ev("a1-end", 600, End("a1")),
                            Ev("stop", 600, Stop())});
  EXPECT_EQ(t.billable_total(), minutes(0));
  EXPECT_EQ(t.excluded_for(ExclusionReason::kWaitingForParticipant), minutes(10));
}

TEST(Timeline, SwitchToAudioOnlyAndBackExcludesTheAudioOnlyTime) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")),
                               Ev("audio", 600, MediaChanged{Modality::kAudioOnly}),
                               Ev("video", 900, MediaChanged{Modality::kAudioVideo}),
                               Ev("a1-end", 1500, End("a1")), Ev("stop", 1800, Stop())}));
  EXPECT_EQ(t.billable_total(), minutes(15));
  EXPECT_EQ(t.billable, (std::vector<BillableInterval>{Billable(Between(300, 600), "a1"),
                                                       Billable(Between(900, 1500), "a1")}));
  EXPECT_EQ(t.excluded_for(ExclusionReason::kAudioOnly), minutes(5));
  EXPECT_EQ(t.excluded[1], Excluded(Between(600, 900), ExclusionReason::kAudioOnly));
  EXPECT_EQ(t.activities[0].excluded, std::vector<ExcludedInterval>{Excluded(
                                          Between(600, 900), ExclusionReason::kAudioOnly, "a1")});
}

TEST(Timeline, SessionPlannedAudioOnlyBillsAudioTimeAsAudioOnly) {
  const Timeline t = Build(With(Connected(Modality::kAudioOnly),
                                {Ev("a1-start", 300, Activity("a1")), Ev("a1-end", 1500, End("a1")),
                                 Ev("stop", 1800, Stop())}));
  EXPECT_EQ(t.billable_total(), minutes(20));
  EXPECT_EQ(t.billable,
            std::vector<BillableInterval>{
                Billable(Between(300, 1500), "a1", DeliveredBy::kTherapist, Modality::kAudioOnly)});
  EXPECT_EQ(t.excluded_for(ExclusionReason::kAudioOnly), minutes(0));
}

TEST(Timeline, PlannedAudioOnlyWithoutMediaReportsBillsThePlannedModalityAndFlagsIt) {
  const Timeline t = Build(
      {Started("start", 0, Modality::kAudioOnly), Ev("pt-in", 0, Joined(Participant::kPatient)),
       Ev("prov-in", 0, Joined(Participant::kProvider)), Ev("a1-start", 0, Activity("a1")),
       Ev("a1-end", 600, End("a1")), Ev("stop", 600, Stop())});
  EXPECT_EQ(t.billable, std::vector<BillableInterval>{Billable(
                            Between(0, 600), "a1", DeliveredBy::kTherapist, Modality::kAudioOnly)});
  EXPECT_EQ(FlagCodes(t), std::vector<TimelineFlagCode>{TimelineFlagCode::kMediaNeverReported});
}

TEST(Timeline, PlannedAudioOnlyDoesNotBillWhenThePolicySaysAudioNeverCounts) {
  TimelinePolicy policy;
  policy.audio_only_counts_when_planned = false;
  const Timeline t = Build(With(Connected(Modality::kAudioOnly),
                                {Ev("a1-start", 300, Activity("a1")), Ev("a1-end", 1500, End("a1")),
                                 Ev("stop", 1800, Stop())}),
                           policy);
  EXPECT_EQ(t.billable_total(), minutes(0));
  EXPECT_TRUE(t.billable.empty());
  EXPECT_EQ(t.excluded_for(ExclusionReason::kAudioOnly), minutes(20));
}

TEST(Timeline, AudioOnlyInASessionPlannedWithVideoIsNotBilled) {
  const Timeline t =
      Build({Started("start", 0), Ev("pt-in", 0, Joined(Participant::kPatient)),
             Ev("prov-in", 0, Joined(Participant::kProvider)),
             Ev("media", 0, MediaChanged{Modality::kAudioOnly}), Ev("a1-start", 0, Activity("a1")),
             Ev("a1-end", 600, End("a1")), Ev("stop", 600, Stop())});
  EXPECT_EQ(t.billable_total(), minutes(0));
  EXPECT_EQ(t.excluded,
            std::vector<ExcludedInterval>{Excluded(Between(0, 600), ExclusionReason::kAudioOnly)});
}

TEST(Timeline, MediaNoneCountsAsDisconnected) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")),
                               Ev("none", 600, MediaChanged{Modality::kNone}),
                               Ev("video", 660, MediaChanged{Modality::kAudioVideo}),
                               Ev("a1-end", 1500, End("a1")), Ev("stop", 1800, Stop())}));
  EXPECT_EQ(t.billable_total(), minutes(19));
  EXPECT_EQ(t.excluded[1], Excluded(Between(600, 660), ExclusionReason::kDisconnected));
  EXPECT_EQ(t.excluded_for(ExclusionReason::kDisconnected), minutes(1));
}

TEST(Timeline, LivenessGapExactlyAtTheThresholdIsNotIdleButOneMillisecondMoreIs) {
  // Evidence at 300 (start), 480 (+180 s: not idle), 660.001 (+180.001 s:
  // idle), 840.001 (+180 s), 1020.001 (end, +180 s).
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("l1", 480, Signal("a1")),
                               EvMs("l2", 660, 1, Signal("a1")), EvMs("l3", 840, 1, Signal("a1")),
                               EvMs("a1-end", 1020, 1, End("a1")), Ev("stop", 1800, Stop())}));
  const Interval idle{At(480), At(660) + milliseconds(1)};
  EXPECT_EQ(t.billable, (std::vector<BillableInterval>{
                            Billable(Between(300, 480), "a1"),
                            Billable(Interval{idle.end, At(1020) + milliseconds(1)}, "a1")}));
  EXPECT_EQ(t.billable_total(), seconds(540));
  EXPECT_EQ(t.excluded_for(ExclusionReason::kIdle), milliseconds(180001));
  EXPECT_EQ(t.excluded[1], Excluded(idle, ExclusionReason::kIdle));
  EXPECT_EQ(t.activities[0].excluded,
            std::vector<ExcludedInterval>{Excluded(idle, ExclusionReason::kIdle, "a1")});
}

TEST(Timeline, GapFromTheLastSignalToTheEndIsIdleToo) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("l1", 360, Signal("a1")),
                               Ev("a1-end", 1500, End("a1")), Ev("stop", 1800, Stop())}));
  EXPECT_EQ(t.billable_total(), minutes(1));
  EXPECT_EQ(t.excluded_for(ExclusionReason::kIdle), minutes(19));
}

TEST(Timeline, ActivityWithoutLivenessSignalsIsNeverIdle) {
  TimelinePolicy policy;
  policy.idle_threshold = seconds(1);
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("a1-end", 1500, End("a1")),
                               Ev("stop", 1800, Stop())}),
            policy);
  EXPECT_EQ(t.billable_total(), minutes(20));
  EXPECT_EQ(t.excluded_for(ExclusionReason::kIdle), minutes(0));
}

TEST(Timeline, OverlappingActivitiesAccrueOnceForTheLatestStarted) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")),
                               Ev("a2-start", 600, Activity("a2")), Ev("a2-end", 900, End("a2")),
                               Ev("a1-end", 1200, End("a1")), Ev("stop", 1800, Stop())}));
  EXPECT_EQ(t.billable_total(), minutes(15));
  EXPECT_EQ(t.billable, (std::vector<BillableInterval>{Billable(Between(300, 600), "a1"),
                                                       Billable(Between(600, 900), "a2"),
                                                       Billable(Between(900, 1200), "a1")}));
  ASSERT_EQ(t.activities.size(), 2u);
  EXPECT_EQ(t.activities[0].activity_id, "a1");
  EXPECT_EQ(t.activities[0].span, Between(300, 1200));
  EXPECT_EQ(t.activities[0].billable.total(), minutes(10));
  EXPECT_EQ(t.activities[0].excluded, std::vector<ExcludedInterval>{Excluded(
                                          Between(600, 900), ExclusionReason::kOverlap, "a1")});
  EXPECT_EQ(t.activities[1].activity_id, "a2");
  EXPECT_EQ(t.activities[1].billable.total(), minutes(5));
  EXPECT_TRUE(t.activities[1].excluded.empty());
  // kOverlap is per activity only: the session has no overlap time.
  EXPECT_EQ(t.excluded_for(ExclusionReason::kOverlap), minutes(0));
  EXPECT_EQ(FlagCodes(t), std::vector<TimelineFlagCode>{TimelineFlagCode::kOverlapTrimmed});
  EXPECT_EQ(t.flags[0].at, At(600));
  EXPECT_EQ(t.flags[0].event_id, "a1-start");
}

TEST(Timeline, ActivitiesStartedTogetherAccrueForTheSmallerId) {
  const Timeline t =
      Build(With(Connected(), {Ev("b-start", 0, Activity("b")), Ev("a-start", 0, Activity("a")),
                               Ev("a-end", 600, End("a")), Ev("b-end", 600, End("b")),
                               Ev("stop", 600, Stop())}));
  EXPECT_EQ(t.billable, std::vector<BillableInterval>{Billable(Between(0, 600), "a")});
  EXPECT_EQ(t.activities[1].activity_id, "b");
  EXPECT_EQ(t.activities[1].excluded, std::vector<ExcludedInterval>{Excluded(
                                          Between(0, 600), ExclusionReason::kOverlap, "b")});
}

TEST(Timeline, IdleLatestActivityLetsTheEarlierOneAccrue) {
  // a2 is idle from 660 (its only signal) to 1200; a1 has no signals.
  const Timeline t = Build(
      With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("a2-start", 600, Activity("a2")),
                         Ev("l", 660, Signal("a2")), Ev("a2-end", 1200, End("a2")),
                         Ev("a1-end", 1200, End("a1")), Ev("stop", 1200, Stop())}));
  EXPECT_EQ(t.billable_total(), minutes(15));
  EXPECT_EQ(t.billable, (std::vector<BillableInterval>{Billable(Between(300, 600), "a1"),
                                                       Billable(Between(600, 660), "a2"),
                                                       Billable(Between(660, 1200), "a1")}));
  EXPECT_EQ(t.activities[1].excluded, std::vector<ExcludedInterval>{Excluded(
                                          Between(660, 1200), ExclusionReason::kIdle, "a2")});
}

TEST(Timeline, AssistantAloneThenTogetherThenTherapistSplitsByRole) {
  const Timeline t = Build({Started("start", 0), Ev("pt-in", 0, Joined(Participant::kPatient)),
                            Ev("pta-in", 0, Joined(Participant::kAssistant, kPta)),
                            Ev("media", 0, MediaChanged{Modality::kAudioVideo}),
                            Ev("a1-start", 0, Activity("a1", Participant::kUnspecified)),
                            Ev("prov-in", 600, Joined(Participant::kProvider)),
                            Ev("pta-out", 900, Left(Participant::kAssistant, kPta)),
                            Ev("a1-end", 1200, End("a1")), Ev("stop", 1200, Stop())});
  RoleSplit expected;
  expected.assistant = minutes(10);
  expected.together = minutes(5);
  expected.therapist = minutes(5);
  EXPECT_EQ(t.billable_by_role, expected);
  EXPECT_EQ(t.activities[0].billable, expected);
  EXPECT_EQ(t.billable_total(), minutes(20));
  EXPECT_EQ(t.billable, (std::vector<BillableInterval>{
                            Billable(Between(0, 600), "a1", DeliveredBy::kAssistant),
                            Billable(Between(600, 900), "a1", DeliveredBy::kTogether),
                            Billable(Between(900, 1200), "a1", DeliveredBy::kTherapist)}));
}

TEST(Timeline, ActivityPerformedByTheAssistantIsTheAssistantsWhileTheTherapistIsConnected) {
  const Timeline t =
      Build(With(Connected(), {Ev("pta-in", 0, Joined(Participant::kAssistant, kPta)),
                               Ev("a1-start", 0, Activity("a1", Participant::kAssistant)),
                               Ev("a1-end", 600, End("a1")), Ev("stop", 600, Stop())}));
  EXPECT_EQ(
      t.billable,
      (std::vector<BillableInterval>{Billable(Between(0, 600), "a1", DeliveredBy::kAssistant)}));
  EXPECT_TRUE(t.has_flag(TimelineFlagCode::kAssistantPerformed));
}

TEST(Timeline, ActivityPerformedByTheProviderIsTheAssistantsWhileOnlyTheAssistantIsThere) {
  const Timeline t =
      Build(With(Connected(), {Ev("pta-in", 0, Joined(Participant::kAssistant, kPta)),
                               Ev("a1-start", 0, Activity("a1", Participant::kProvider)),
                               Ev("prov-out", 300, Left(Participant::kProvider)),
                               Ev("a1-end", 600, End("a1")), Ev("stop", 600, Stop())}));
  EXPECT_EQ(t.billable, (std::vector<BillableInterval>{
                            Billable(Between(0, 300), "a1", DeliveredBy::kTogether),
                            Billable(Between(300, 600), "a1", DeliveredBy::kAssistant)}));
  EXPECT_FALSE(t.has_flag(TimelineFlagCode::kAssistantPerformed));
}

TEST(Timeline, ProviderWhoseRoleIsAnAssistantDeliversAssistantTime) {
  for (const ProviderRole role : {ProviderRole::kPta, ProviderRole::kOta}) {
    std::vector<Event> events = Connected();
    std::get<SessionStarted>(events[0].payload).provider_role = role;
    const Timeline t = Build(With(events, {Ev("a1-start", 0, Activity("a1")),
                                           Ev("a1-end", 600, End("a1")), Ev("stop", 600, Stop())}));
    EXPECT_EQ(t.billable_by_role.assistant, std::chrono::minutes(10));
    EXPECT_EQ(t.billable_by_role.therapist, Duration(0));
  }
}

TEST(Timeline, OutOfOrderAndRepeatedEventsGiveTheSameTimeline) {
  const std::vector<Event> events = {
      Started("start", 0),
      Ev("pt-in", 0, Joined(Participant::kPatient)),
      Ev("prov-in", 0, Joined(Participant::kProvider)),
      Ev("pta-in", 30, Joined(Participant::kAssistant, kPta)),
      Ev("a1-start", 60, Activity("a1")),
      Ev("l1", 120, Signal("a1")),
      Ev("a2-start", 120, Activity("a2")),
      Ev("audio", 300, MediaChanged{Modality::kAudioOnly}),
      Ev("video", 300, MediaChanged{Modality::kAudioVideo}),
      Ev("pt-out", 400, Left(Participant::kPatient)),
      Ev("pt-in-2", 400, Joined(Participant::kPatient)),
      Ev("a2-end", 700, End("a2")),
      Ev("ghost-out", 800, Left(Participant::kAssistant, "pta-9")),
      Ev("a3-end", 900, End("a3")),
      Ev("stop", 1500, Stop()),
      Ev("late", 1600, Joined(Participant::kPatient)),
  };
  const Timeline reference = Build(events);
  ASSERT_FALSE(reference.billable.empty());

  std::vector<Event> reversed(events.rbegin(), events.rend());
  ExpectSameTimeline(Build(reversed), reference);

  std::mt19937 rng(20261130);
  for (int round = 0; round < 20; ++round) {
    std::vector<Event> shuffled = events;
    for (int i = 0; i < 5; ++i) shuffled.push_back(events[rng() % events.size()]);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    ExpectSameTimeline(Build(shuffled), reference);
  }
}

TEST(Timeline, SessionOverLocalMidnightIsOneContinuousUtcTimeline) {
  // America/Chicago is UTC-6 on 2026-11-30: 23:50 local is 05:50Z on
  // 2026-12-01, At(53400); 00:20 local is 06:20Z, At(55200); local midnight is
  // 06:00Z, At(54000).
  const int begin = 53400;
  const int end = 55200;
  const Timeline t =
      Build({Started("start", begin), Ev("pt-in", begin, Joined(Participant::kPatient)),
             Ev("prov-in", begin, Joined(Participant::kProvider)),
             Ev("media", begin, MediaChanged{Modality::kAudioVideo}),
             Ev("a1-start", begin, Activity("a1")), Ev("a1-end", end, End("a1")),
             Ev("stop", end, Stop())});
  EXPECT_EQ(t.session, Between(begin, end));
  EXPECT_EQ(t.billable_total(), minutes(30));
  ASSERT_EQ(t.billable.size(), 1u);
  EXPECT_TRUE(t.billable[0].interval.contains(At(54000)));
  EXPECT_LT(t.billable[0].interval.start, At(54000));
  EXPECT_TRUE(t.excluded.empty());
}

TEST(Timeline, ActivityEndedWithoutStartIsFlaggedAndIgnored) {
  const Timeline t =
      Build(With(Connected(), {Ev("x-end", 300, End("x")), Ev("stop", 600, Stop())}));
  EXPECT_TRUE(t.activities.empty());
  EXPECT_EQ(t.excluded_for(ExclusionReason::kOutsideActivity), minutes(10));
  const TimelineFlag* f = FindFlag(t, TimelineFlagCode::kActivityEndedWithoutStart);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->event_id, "x-end");
  EXPECT_EQ(f->at, At(300));
}

TEST(Timeline, RepeatedStartOfAnOpenActivityIsIgnoredAndFlagged) {
  const Timeline t = Build(
      With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("a1-again", 600, Activity("a1")),
                         Ev("a1-end", 900, End("a1")), Ev("stop", 1200, Stop())}));
  ASSERT_EQ(t.activities.size(), 1u);
  EXPECT_EQ(t.activities[0].span, Between(300, 900));
  EXPECT_EQ(t.billable_total(), minutes(10));
  const TimelineFlag* f = FindFlag(t, TimelineFlagCode::kActivityRestarted);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->event_id, "a1-again");
}

TEST(Timeline, ActivityIdReusedAfterItsEndIsASecondActivity) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 0, Activity("a1")), Ev("a1-end", 300, End("a1")),
                               Ev("a1-start-2", 600, Activity("a1")),
                               Ev("a1-end-2", 900, End("a1")), Ev("stop", 900, Stop())}));
  ASSERT_EQ(t.activities.size(), 2u);
  EXPECT_EQ(t.activities[0].span, Between(0, 300));
  EXPECT_EQ(t.activities[1].span, Between(600, 900));
  EXPECT_EQ(t.billable_total(), minutes(10));
  EXPECT_TRUE(t.flags.empty());
}

TEST(Timeline, ProviderJoinedBeforeSessionStartIsConnectedAtStart) {
  const Timeline t =
      Build({Ev("prov-in", -5, Joined(Participant::kProvider)), Started("start", 0),
             Ev("pt-in", 0, Joined(Participant::kPatient)),
             Ev("media", 0, MediaChanged{Modality::kAudioVideo}), Ev("a1-start", 0, Activity("a1")),
             Ev("a1-end", 600, End("a1")), Ev("stop", 600, Stop())});
  EXPECT_EQ(t.session, Between(0, 600));
  EXPECT_EQ(t.billable_total(), minutes(10));
  EXPECT_EQ(FlagCodes(t), std::vector<TimelineFlagCode>{TimelineFlagCode::kEventBeforeStart});
  EXPECT_EQ(t.flags[0].event_id, "prov-in");
  EXPECT_EQ(t.flags[0].at, At(-5));
}

TEST(Timeline, ActivityStartedBeforeSessionStartIsClippedToTheSession) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", -60, Activity("a1")), Ev("a1-end", 600, End("a1")),
                               Ev("stop", 600, Stop())}));
  EXPECT_EQ(t.session, Between(0, 600));
  EXPECT_EQ(t.activities[0].span, Between(0, 600));
  EXPECT_EQ(t.billable_total(), minutes(10));
  EXPECT_TRUE(t.has_flag(TimelineFlagCode::kEventBeforeStart));
}

TEST(Timeline, OfActivitiesStartedBeforeTheSessionTheLatestRealStartAccrues) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", -60, Activity("a1")),
                               Ev("a2-start", -30, Activity("a2")), Ev("a1-end", 600, End("a1")),
                               Ev("a2-end", 600, End("a2")), Ev("stop", 600, Stop())}));
  EXPECT_EQ(t.billable, std::vector<BillableInterval>{Billable(Between(0, 600), "a2")});
  EXPECT_EQ(t.activities[0].activity_id, "a1");
  EXPECT_EQ(t.activities[0].excluded, std::vector<ExcludedInterval>{Excluded(
                                          Between(0, 600), ExclusionReason::kOverlap, "a1")});
}

TEST(Timeline, EventAfterStopIsIgnoredAndFlagged) {
  const Timeline t = Build(
      With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("stop", 900, Stop()),
                         Ev("pt-out", 1000, Left(Participant::kPatient)),
                         Ev("a2-start", 1000, Activity("a2")), Ev("a1-end", 1200, End("a1"))}));
  EXPECT_EQ(t.session, Between(0, 900));
  EXPECT_EQ(t.billable_total(), minutes(10));
  ASSERT_EQ(t.activities.size(), 1u);
  EXPECT_EQ(t.activities[0].span, Between(300, 900));
  EXPECT_FALSE(t.activities[0].ended);
  EXPECT_EQ(FlagCodes(t),
            (std::vector<TimelineFlagCode>{
                TimelineFlagCode::kActivityNotEnded, TimelineFlagCode::kEventAfterStop,
                TimelineFlagCode::kEventAfterStop, TimelineFlagCode::kEventAfterStop}));
}

TEST(Timeline, ParticipantLeavingWhoNeverJoinedIsFlaggedAndChangesNothing) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 0, Activity("a1")),
                               Ev("ghost-out", 100, Left(Participant::kAssistant, kPta)),
                               Ev("a1-end", 600, End("a1")), Ev("stop", 600, Stop())}));
  EXPECT_EQ(t.billable_total(), minutes(10));
  EXPECT_EQ(t.billable_by_role.therapist, minutes(10));
  EXPECT_EQ(FlagCodes(t),
            std::vector<TimelineFlagCode>{TimelineFlagCode::kParticipantLeftWithoutJoining});
  EXPECT_EQ(t.flags[0].event_id, "ghost-out");
}

TEST(Timeline, ParticipantLeavingWhoNeverJoinedAtTheLastInstantIsFlagged) {
  // An open session ends at its latest event; that event still counts.
  const Timeline t =
      Build(With(Connected(), {Ev("ghost-out", 600, Left(Participant::kAssistant, kPta))}));
  EXPECT_EQ(t.session, Between(0, 600));
  EXPECT_TRUE(t.has_flag(TimelineFlagCode::kParticipantLeftWithoutJoining));
}

TEST(Timeline, MediaReportedOnlyAtTheStopIsNotFlaggedAsNeverReported) {
  const Timeline t =
      Build({Started("start", 0), Ev("pt-in", 0, Joined(Participant::kPatient)),
             Ev("media", 600, MediaChanged{Modality::kAudioVideo}), Ev("stop", 600, Stop())});
  EXPECT_FALSE(t.has_flag(TimelineFlagCode::kMediaNeverReported));
}

TEST(Timeline, LivenessWithoutActivityIsFlaggedAndIgnored) {
  const Timeline t =
      Build(With(Connected(), {Ev("l", 300, Signal("a9")), Ev("stop", 600, Stop())}));
  EXPECT_TRUE(t.activities.empty());
  EXPECT_EQ(t.billable_total(), minutes(0));
  EXPECT_EQ(FlagCodes(t),
            std::vector<TimelineFlagCode>{TimelineFlagCode::kLivenessWithoutActivity});
}

TEST(Timeline, MissingSessionStartedStartsTheSessionAtTheFirstEvent) {
  const Timeline t =
      Build({Ev("pt-in", 10, Joined(Participant::kPatient)),
             Ev("prov-in", 10, Joined(Participant::kProvider)), Ev("a1-start", 60, Activity("a1")),
             Ev("a1-end", 660, End("a1")), Ev("stop", 900, Stop())});
  EXPECT_EQ(t.session, Between(10, 900));
  // Without a plan, audio+video is assumed.
  EXPECT_EQ(t.billable, std::vector<BillableInterval>{Billable(Between(60, 660), "a1")});
  EXPECT_EQ(FlagCodes(t), (std::vector<TimelineFlagCode>{TimelineFlagCode::kMissingSessionStarted,
                                                         TimelineFlagCode::kMediaNeverReported}));
}

TEST(Timeline, OpenSessionEndsAtItsLatestEvent) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("a1-end", 900, End("a1"))}));
  EXPECT_EQ(t.session, Between(0, 900));
  EXPECT_EQ(t.billable_total(), minutes(10));
  EXPECT_EQ(FlagCodes(t), std::vector<TimelineFlagCode>{TimelineFlagCode::kSessionOpen});
  EXPECT_EQ(t.flags[0].at, At(900));
}

TEST(Timeline, RepeatedSessionStartAndStopTheEarliestCounts) {
  const Timeline t =
      Build(With(Connected(), {Started("start-2", 120), Ev("a1-start", 0, Activity("a1")),
                               Ev("a1-end", 1500, End("a1")), Ev("stop", 1500, Stop()),
                               Ev("stop-2", 1800, Stop())}));
  EXPECT_EQ(t.session, Between(0, 1500));
  EXPECT_EQ(t.billable_total(), minutes(25));
  EXPECT_EQ(FlagCodes(t), (std::vector<TimelineFlagCode>{TimelineFlagCode::kRepeatedSessionStarted,
                                                         TimelineFlagCode::kRepeatedSessionStopped,
                                                         TimelineFlagCode::kEventAfterStop}));
  EXPECT_EQ(t.flags[0].event_id, "start-2");
  EXPECT_EQ(t.flags[1].event_id, "stop-2");
}

TEST(Timeline, ActivityNeverEndedClosesAtSessionEndAndIsFlagged) {
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("stop", 1800, Stop())}));
  ASSERT_EQ(t.activities.size(), 1u);
  EXPECT_EQ(t.activities[0].span, Between(300, 1800));
  EXPECT_FALSE(t.activities[0].ended);
  EXPECT_EQ(t.billable_total(), minutes(25));
  const TimelineFlag* f = FindFlag(t, TimelineFlagCode::kActivityNotEnded);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->at, At(1800));
  EXPECT_EQ(f->event_id, "a1-start");
}

TEST(Timeline, ActivityNeverEndedEndsWhenTheNextActivityStartsAndNeverResumes) {
  // a1 has no end; a2 runs 600..900. a1 is taken to end at 600 and does not
  // bill 900..1800 (the smaller claim: its end event was most likely lost).
  const Timeline t = Build(
      With(Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("a2-start", 600, Activity("a2")),
                         Ev("a2-end", 900, End("a2")), Ev("stop", 1800, Stop())}));
  ASSERT_EQ(t.activities.size(), 2u);
  EXPECT_EQ(t.activities[0].span, Between(300, 600));
  EXPECT_FALSE(t.activities[0].ended);
  EXPECT_EQ(t.billable_total(), minutes(10));
  EXPECT_EQ(t.excluded_for(ExclusionReason::kOutsideActivity), seconds(300 + 900));
  const TimelineFlag* f = FindFlag(t, TimelineFlagCode::kActivityNotEnded);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->at, At(600));
  EXPECT_THAT(f->message, ::testing::HasSubstr("the next activity started"));
}

TEST(Timeline, ClosedByTimeoutWithALateEventExcludesTheTailAsAfterAutoClose) {
  const Timeline t = Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")),
                                              Ev("timeout", 1200, Stop(StopReason::kTimedOut)),
                                              Ev("late", 1500, Signal("a1"))}));
  EXPECT_EQ(t.session, Between(0, 1500));
  EXPECT_EQ(t.billable, std::vector<BillableInterval>{Billable(Between(300, 1200), "a1")});
  EXPECT_EQ(t.billable_total(), minutes(15));
  EXPECT_EQ(t.excluded, (std::vector<ExcludedInterval>{
                            Excluded(Between(0, 300), ExclusionReason::kOutsideActivity),
                            Excluded(Between(1200, 1500), ExclusionReason::kAfterAutoClose)}));
  EXPECT_EQ(t.activities[0].span, Between(300, 1200));
  EXPECT_EQ(FlagCodes(t), (std::vector<TimelineFlagCode>{TimelineFlagCode::kClosedByTimeout,
                                                         TimelineFlagCode::kActivityNotEnded,
                                                         TimelineFlagCode::kEventAfterStop}));
}

TEST(Timeline, ClosedByTimeoutWithoutLateEventsEndsAtTheClose) {
  const Timeline t = Build(With(Connected(), {Ev("a1-start", 300, Activity("a1")),
                                              Ev("timeout", 1200, Stop(StopReason::kTimedOut))}));
  EXPECT_EQ(t.session, Between(0, 1200));
  EXPECT_EQ(t.excluded_for(ExclusionReason::kAfterAutoClose), minutes(0));
  EXPECT_TRUE(t.has_flag(TimelineFlagCode::kClosedByTimeout));
}

TEST(Timeline, SessionLongerThanADayIsCountedForItsFirst24HoursOnly) {
  // Found by fuzzing: a stop dated decades after the start made the coding
  // engine work through (and suggest lines for) every day in between.
  constexpr int kDay = 24 * 3600;
  const Timeline t = Build(With(
      Connected(), {Ev("a1-start", 300, Activity("a1")), Ev("late-signal", 2 * kDay, Signal("a1")),
                    Ev("stop", 10 * 365 * kDay, Stop())}));
  EXPECT_EQ(t.session, Between(0, kDay));
  EXPECT_EQ(t.billable, std::vector<BillableInterval>{Billable(Between(300, kDay), "a1")});
  ASSERT_EQ(t.activities.size(), 1u);
  EXPECT_EQ(t.activities[0].span, Between(300, kDay));
  EXPECT_FALSE(t.activities[0].ended);
  EXPECT_EQ(FlagCodes(t),
            (std::vector<TimelineFlagCode>{
                TimelineFlagCode::kSessionTooLong, TimelineFlagCode::kActivityNotEnded,
                TimelineFlagCode::kEventAfterStop, TimelineFlagCode::kEventAfterStop}));
  EXPECT_EQ(FindFlag(t, TimelineFlagCode::kSessionTooLong)->at, At(kDay));
}

TEST(Timeline, OpenSessionOrItsLiveViewIsCutAt24Hours) {
  constexpr int kDay = 24 * 3600;
  const std::vector<Event> events = With(Connected(), {Ev("a1-start", 300, Activity("a1"))});
  const Timeline live = BuildTimeline(events, TimelinePolicy{}, At(3 * kDay));
  ExpectInvariants(live);
  EXPECT_EQ(live.session, Between(0, kDay));
  EXPECT_EQ(live.billable_total(), seconds(kDay - 300));
  EXPECT_TRUE(live.has_flag(TimelineFlagCode::kSessionTooLong));
  EXPECT_TRUE(live.has_flag(TimelineFlagCode::kSessionOpen));
  // Exactly 24 hours is not too long.
  const Timeline day = Build(With(events, {Ev("stop", kDay, Stop())}));
  EXPECT_EQ(day.session, Between(0, kDay));
  EXPECT_FALSE(day.has_flag(TimelineFlagCode::kSessionTooLong));
}

TEST(Timeline, EmptyEventListGivesAnEmptyTimeline) {
  const Timeline t = Build({});
  EXPECT_TRUE(t.session.empty());
  EXPECT_TRUE(t.billable.empty());
  EXPECT_TRUE(t.excluded.empty());
  EXPECT_TRUE(t.activities.empty());
  EXPECT_TRUE(t.flags.empty());
  EXPECT_EQ(t.billable_total(), minutes(0));
  EXPECT_EQ(t.excluded_total(), minutes(0));
}

TEST(Timeline, EachActivitysBillableAndExcludedTimeAddUpToItsSpan) {
  // Overlap, idle, a drop and audio-only, all within two activities.
  const Timeline t =
      Build(With(Connected(), {Ev("a1-start", 60, Activity("a1")), Ev("l1", 90, Signal("a1")),
                               Ev("a2-start", 200, Activity("a2")),
                               Ev("pt-out", 300, Left(Participant::kPatient)),
                               Ev("pt-in-2", 360, Joined(Participant::kPatient)),
                               Ev("audio", 500, MediaChanged{Modality::kAudioOnly}),
                               Ev("video", 560, MediaChanged{Modality::kAudioVideo}),
                               Ev("a2-end", 800, End("a2")), Ev("stop", 1000, Stop())}));
  ASSERT_EQ(t.activities.size(), 2u);
  for (const ActivityTimeline& a : t.activities) {
    EXPECT_EQ(a.billable.total() + Sum(a.excluded), a.span.length()) << a.activity_id;
  }
  // a1 never ended, so it ends when a2 starts: [60,200), its signal at 90
  // leaves no gap over 180 s; a2 [200,800) loses 300..360 (drop) and
  // 500..560 (audio).
  EXPECT_EQ(t.activities[0].span, (Interval{At(60), At(200)}));
  EXPECT_EQ(t.activities[0].billable.total(), seconds(140));
  EXPECT_EQ(t.activities[1].billable.total(), seconds(600 - 60 - 60));
  EXPECT_EQ(t.billable_total(), seconds(140 + 480));
}

TEST(Timeline, EveryReasonAndFlagHasADistinctLowerSnakeName) {
  auto is_lower_snake = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  };
  std::set<std::string> reasons;
  for (int i = 0; i <= static_cast<int>(ExclusionReason::kAfterAutoClose); ++i) {
    const std::string name = ExclusionReasonName(static_cast<ExclusionReason>(i));
    EXPECT_TRUE(is_lower_snake(name)) << name;
    EXPECT_NE(name, "unknown");
    reasons.insert(name);
  }
  EXPECT_EQ(reasons.size(), static_cast<std::size_t>(ExclusionReason::kAfterAutoClose) + 1);
  std::set<std::string> flags;
  for (int i = 0; i <= static_cast<int>(TimelineFlagCode::kSessionTooLong); ++i) {
    const std::string name = TimelineFlagName(static_cast<TimelineFlagCode>(i));
    EXPECT_TRUE(is_lower_snake(name)) << name;
    EXPECT_NE(name, "unknown");
    flags.insert(name);
  }
  EXPECT_EQ(flags.size(), static_cast<std::size_t>(TimelineFlagCode::kSessionTooLong) + 1);
  EXPECT_STREQ(ExclusionReasonName(ExclusionReason::kWaitingForParticipant),
               "waiting_for_participant");
  EXPECT_STREQ(TimelineFlagName(TimelineFlagCode::kOverlapTrimmed), "overlap_trimmed");
}

}  // namespace
}  // namespace unitclock::core

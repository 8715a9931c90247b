// Properties of BuildTimeline over random but plausible sessions: time is
// accounted for exactly once, and the result depends only on the set of events.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/timeline.h"
#include "tests/testing/events.h"

namespace unitclock::core {
namespace {

using std::chrono::milliseconds;

// Events fall in a two-hour window from At(0).
constexpr std::int64_t kWindowMs = 2 * 60 * 60 * 1000;
constexpr char kSession[] = "s1";

struct Scenario {
  std::vector<Event> events;
  TimelinePolicy policy;
};

const char* PayloadName(const EventPayload& p) {
  static constexpr const char* kNames[] = {
      "none",           "session_started",  "participant_joined", "participant_left",
      "media_changed",  "activity_started", "activity_ended",     "liveness_signal",
      "session_stopped"};
  return kNames[p.index()];
}

std::string PayloadDetail(const EventPayload& p) {
  if (const auto* s = std::get_if<SessionStarted>(&p)) {
    return "planned=" + std::to_string(static_cast<int>(s->planned_modality));
  }
  if (const auto* j = std::get_if<ParticipantJoined>(&p)) {
    return std::to_string(static_cast<int>(j->participant)) + " " + j->assistant_ref;
  }
  if (const auto* l = std::get_if<ParticipantLeft>(&p)) {
    return std::to_string(static_cast<int>(l->participant)) + " " + l->assistant_ref;
  }
  if (const auto* m = std::get_if<MediaChanged>(&p)) {
    return std::to_string(static_cast<int>(m->modality));
  }
  if (const auto* a = std::get_if<ActivityStarted>(&p)) return a->activity_id;
  if (const auto* a = std::get_if<ActivityEnded>(&p)) return a->activity_id;
  if (const auto* l = std::get_if<LivenessSignal>(&p)) return l->activity_id;
  if (const auto* s = std::get_if<SessionStopped>(&p)) {
    return "reason=" + std::to_string(static_cast<int>(s->reason));
  }
  return "";
}

// How RapidCheck prints a counterexample (found through ADL).
void showValue(const Scenario& s, std::ostream& os) {
  os << "policy: idle_threshold=" << s.policy.idle_threshold.count()
     << "ms audio_only_counts_when_planned=" << s.policy.audio_only_counts_when_planned << "\n";
  for (const Event& e : s.events) {
    os << "  " << e.event_id << " +" << (e.occurred_at - testing::At(0)).count() << "ms "
       << PayloadName(e.payload) << " " << PayloadDetail(e.payload) << "\n";
  }
}

Event MakeAt(std::string id, std::int64_t offset_ms, EventPayload payload) {
  Event e = testing::MakeEvent(id, kSession, 0, std::move(payload));
  e.occurred_at += milliseconds(offset_ms);
  return e;
}

// A time in the window; half of them on whole minutes, so that events often
// share a millisecond.
rc::Gen<std::int64_t> GenOffsetMs() {
  return rc::gen::weightedOneOf<std::int64_t>(
      {{1, rc::gen::map(rc::gen::inRange<std::int64_t>(0, 121),
                        [](std::int64_t m) { return m * 60000; })},
       {1, rc::gen::inRange<std::int64_t>(0, kWindowMs + 1)}});
}

rc::Gen<Participant> GenParticipant() {
  return rc::gen::element(Participant::kPatient, Participant::kProvider, Participant::kAssistant);
}

rc::Gen<std::string> GenActivityId() {
  return rc::gen::element(std::string("a1"), std::string("a2"), std::string("a3"));
}

std::string RefOf(Participant p) { return p == Participant::kAssistant ? "pta-1" : ""; }

// The ordinary events of a session.
rc::Gen<EventPayload> GenPayload() {
  return rc::gen::weightedOneOf<EventPayload>({
      {5, rc::gen::map(GenParticipant(),
                       [](Participant p) {
                         return EventPayload(ParticipantJoined{p, RefOf(p)});
                       })},
      {3, rc::gen::map(GenParticipant(),
                       [](Participant p) {
                         return EventPayload(ParticipantLeft{p, RefOf(p)});
                       })},
      {3,
       rc::gen::map(rc::gen::element(Modality::kAudioVideo, Modality::kAudioOnly, Modality::kNone),
                    [](Modality m) { return EventPayload(MediaChanged{m}); })},
      {4, rc::gen::map(rc::gen::pair(GenActivityId(), rc::gen::element(Participant::kProvider,
                                                                       Participant::kAssistant)),
                       [](const std::pair<std::string, Participant>& a) {
                         ActivityStarted s;
                         s.activity_id = a.first;
                         s.kind = ActivityKind::kTherapeuticExercise;
                         s.performed_by = a.second;
                         return EventPayload(s);
                       })},
      {3, rc::gen::map(GenActivityId(),
                       [](const std::string& id) { return EventPayload(ActivityEnded{id}); })},
      {4, rc::gen::map(GenActivityId(),
                       [](const std::string& id) {
                         return EventPayload(LivenessSignal{id, "rep"});
                       })},
  });
}

rc::Gen<StopReason> GenStopReason() {
  return rc::gen::element(StopReason::kEnded, StopReason::kTimedOut, StopReason::kUnspecified);
}

// Events that do not fit: a second start or stop, ends and signals of
// activities never started, someone leaving who never came.
rc::Gen<EventPayload> GenOddPayload() {
  return rc::gen::oneOf(
      rc::gen::just(EventPayload(testing::StartedEvent("x", kSession).payload)),
      rc::gen::map(GenStopReason(), [](StopReason r) { return EventPayload(SessionStopped{r}); }),
      rc::gen::just(EventPayload(ActivityEnded{"zz"})),
      rc::gen::just(EventPayload(LivenessSignal{"zz", "rep"})),
      rc::gen::just(EventPayload(ParticipantLeft{Participant::kAssistant, "pta-2"})));
}

rc::Gen<Scenario> GenScenario() {
  return rc::gen::exec([] {
    Scenario s;
    s.policy.idle_threshold =
        *rc::gen::element(milliseconds(30000), milliseconds(180000), milliseconds(600000));
    s.policy.audio_only_counts_when_planned = *rc::gen::arbitrary<bool>();

    // Usually one SessionStarted in the first ten minutes.
    const std::int64_t start_ms = *rc::gen::inRange<std::int64_t>(0, 10 * 60000 + 1);
    if (*rc::gen::weightedElement<bool>({{9, true}, {1, false}})) {
      Event started = testing::StartedEvent("start", kSession);
      std::get<SessionStarted>(started.payload).planned_modality =
          *rc::gen::element(Modality::kAudioVideo, Modality::kAudioOnly);
      started.occurred_at += milliseconds(start_ms);
      s.events.push_back(std::move(started));
    }
    // Usually the patient and the therapist join and the media come up
    // within a minute of the start, as on a real platform.
    if (*rc::gen::weightedElement<bool>({{3, true}, {1, false}})) {
      auto near_start = [&] { return start_ms + *rc::gen::inRange<std::int64_t>(0, 60001); };
      s.events.push_back(
          MakeAt("open-pt", near_start(), ParticipantJoined{Participant::kPatient, ""}));
      s.events.push_back(
          MakeAt("open-prov", near_start(), ParticipantJoined{Participant::kProvider, ""}));
      s.events.push_back(MakeAt("open-media", near_start(), MediaChanged{Modality::kAudioVideo}));
    }
    const auto ordinary = *rc::gen::container<std::vector<std::pair<std::int64_t, EventPayload>>>(
        rc::gen::pair(GenOffsetMs(), GenPayload()));
    for (std::size_t i = 0; i < ordinary.size(); ++i) {
      std::string id = "e";  // not "e" + to_string(i): a GCC 12 -Wrestrict false positive
      id += std::to_string(i);
      s.events.push_back(MakeAt(id, ordinary[i].first, ordinary[i].second));
    }
    const auto odd_count = *rc::gen::inRange<std::size_t>(0, 4);
    const auto odd = *rc::gen::container<std::vector<std::pair<std::int64_t, EventPayload>>>(
        odd_count, rc::gen::pair(GenOffsetMs(), GenOddPayload()));
    for (std::size_t i = 0; i < odd.size(); ++i) {
      s.events.push_back(MakeAt("odd" + std::to_string(i), odd[i].first, odd[i].second));
    }
    // Usually a stop after the start; sometimes the session is still open.
    if (*rc::gen::weightedElement<bool>({{4, true}, {1, false}})) {
      const std::int64_t stop_ms = *rc::gen::inRange<std::int64_t>(start_ms, kWindowMs + 1);
      s.events.push_back(MakeAt("stop", stop_ms, SessionStopped{*GenStopReason()}));
    }
    return s;
  });
}

// --- Independent references ------------------------------------------------

// The distinct events by id (the generator never reuses an id for another event).
std::vector<Event> Distinct(const std::vector<Event>& events) {
  std::map<std::string, Event> by_id;
  for (const Event& e : events) by_id.emplace(e.event_id, e);
  std::vector<Event> out;
  for (auto& [id, e] : by_id) out.push_back(e);
  return out;
}

// The session's end for accounting: the earliest stop (not before the start),
// or the latest event of a session still open.
TimePoint ReferenceClose(const std::vector<Event>& events, TimePoint start) {
  std::optional<TimePoint> stop;
  TimePoint last = start;
  for (const Event& e : events) {
    last = std::max(last, e.occurred_at);
    if (std::holds_alternative<SessionStopped>(e.payload)) {
      stop = stop ? std::min(*stop, e.occurred_at) : e.occurred_at;
    }
  }
  return stop ? std::max(*stop, start) : last;
}

// Stretches of [start, close) where the patient and at least one clinician
// were connected, walking joins and leaves in time order (joins first within
// one millisecond). Media and activities are ignored: an upper bound.
std::vector<Interval> BothConnected(const std::vector<Event>& all) {
  const std::vector<Event> events = Distinct(all);
  if (events.empty()) return {};
  std::optional<TimePoint> started;
  TimePoint first = events.front().occurred_at;
  for (const Event& e : events) {
    first = std::min(first, e.occurred_at);
    if (std::holds_alternative<SessionStarted>(e.payload)) {
      started = started ? std::min(*started, e.occurred_at) : e.occurred_at;
    }
  }
  const TimePoint start = started.value_or(first);
  const TimePoint close = ReferenceClose(events, start);

  std::vector<std::pair<TimePoint, const Event*>> moves;
  for (const Event& e : events) {
    const bool move = std::holds_alternative<ParticipantJoined>(e.payload) ||
                      std::holds_alternative<ParticipantLeft>(e.payload);
    if (move && e.occurred_at <= close) moves.push_back({e.occurred_at, &e});
  }
  std::stable_sort(moves.begin(), moves.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return std::holds_alternative<ParticipantJoined>(a.second->payload) &&
           std::holds_alternative<ParticipantLeft>(b.second->payload);
  });

  bool patient = false;
  bool provider = false;
  std::set<std::string> assistants;
  auto connected = [&] { return patient && (provider || !assistants.empty()); };
  std::vector<Interval> out;
  auto add = [&](TimePoint from, TimePoint to) {
    if (to <= from) return;
    if (!out.empty() && out.back().end == from) {
      out.back().end = to;
    } else {
      out.push_back({from, to});
    }
  };
  TimePoint cursor = start;
  for (const auto& [t, e] : moves) {
    if (t > cursor) {
      if (connected()) add(cursor, t);
      cursor = t;
    }
    Participant who = Participant::kUnspecified;
    std::string ref;
    bool joined = false;
    if (const auto* j = std::get_if<ParticipantJoined>(&e->payload)) {
      who = j->participant;
      ref = j->assistant_ref;
      joined = true;
    } else {
      const auto& l = std::get<ParticipantLeft>(e->payload);
      who = l.participant;
      ref = l.assistant_ref;
    }
    if (who == Participant::kPatient) {
      patient = joined;
    } else if (who == Participant::kProvider) {
      provider = joined;
    } else if (joined) {
      assistants.insert(ref);
    } else {
      assistants.erase(ref);
    }
  }
  if (connected()) add(cursor, close);
  return out;
}

Duration Length(const std::vector<Interval>& intervals) {
  Duration total{0};
  for (const Interval& i : intervals) total += i.length();
  return total;
}

bool Covered(const Interval& i, const std::vector<Interval>& cover) {
  return std::any_of(cover.begin(), cover.end(),
                     [&](const Interval& c) { return c.start <= i.start && i.end <= c.end; });
}

// Non-empty, in time order, not overlapping.
template <typename T>
bool SortedDisjointNonEmpty(const std::vector<T>& items) {
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (items[k].interval.empty()) return false;
    if (k > 0 && items[k].interval.start < items[k - 1].interval.end) return false;
  }
  return true;
}

void AssertSameTimeline(const Timeline& a, const Timeline& b) {
  RC_ASSERT(a.session == b.session);
  RC_ASSERT(a.billable == b.billable);
  RC_ASSERT(a.excluded == b.excluded);
  RC_ASSERT(a.activities == b.activities);
  RC_ASSERT(a.flags == b.flags);
  RC_ASSERT(a.billable_by_role == b.billable_by_role);
}

// --- Properties -------------------------------------------------------------

RC_GTEST_PROP(TimelineProperty, BillableAndExcludedTimeAddUpToTheSession, ()) {
  const Scenario s = *GenScenario();
  const Timeline t = BuildTimeline(s.events, s.policy);
  RC_ASSERT(t.billable_total() + t.excluded_total() == t.session.length());
  Duration billable{0};
  RoleSplit by_role;
  for (const BillableInterval& b : t.billable) {
    billable += b.interval.length();
    switch (b.delivered_by) {
      case DeliveredBy::kTherapist:
        by_role.therapist += b.interval.length();
        break;
      case DeliveredBy::kAssistant:
        by_role.assistant += b.interval.length();
        break;
      case DeliveredBy::kTogether:
        by_role.together += b.interval.length();
        break;
    }
  }
  RC_ASSERT(billable == t.billable_total());
  RC_ASSERT(by_role == t.billable_by_role);
  // How much of the ground the generator covers, printed with the result.
  RC_CLASSIFY(t.billable_total() > Duration{0}, "some billable");
  RC_CLASSIFY(t.has_flag(TimelineFlagCode::kOverlapTrimmed), "overlap");
  RC_CLASSIFY(t.excluded_for(ExclusionReason::kIdle) > Duration{0}, "idle");
  RC_CLASSIFY(t.billable_by_role.together > Duration{0}, "together");
  RC_CLASSIFY(t.excluded_for(ExclusionReason::kAfterAutoClose) > Duration{0}, "after auto close");
}

RC_GTEST_PROP(TimelineProperty, BillableAndExcludedIntervalsTileTheSession, ()) {
  const Scenario s = *GenScenario();
  const Timeline t = BuildTimeline(s.events, s.policy);
  RC_ASSERT(SortedDisjointNonEmpty(t.billable));
  RC_ASSERT(SortedDisjointNonEmpty(t.excluded));
  std::vector<Interval> all;
  for (const BillableInterval& b : t.billable) all.push_back(b.interval);
  for (const ExcludedInterval& e : t.excluded) {
    RC_ASSERT(e.reason != ExclusionReason::kOverlap);
    RC_ASSERT(e.activity_id.empty());
    all.push_back(e.interval);
  }
  std::sort(all.begin(), all.end(),
            [](const Interval& a, const Interval& b) { return a.start < b.start; });
  if (t.session.empty()) {
    RC_ASSERT(all.empty());
    return;
  }
  RC_ASSERT(!all.empty());
  RC_ASSERT(all.front().start == t.session.start);
  for (std::size_t k = 1; k < all.size(); ++k) RC_ASSERT(all[k].start == all[k - 1].end);
  RC_ASSERT(all.back().end == t.session.end);
}

RC_GTEST_PROP(TimelineProperty, EachActivitysTimeAddsUpToItsSpan, ()) {
  const Scenario s = *GenScenario();
  const Timeline t = BuildTimeline(s.events, s.policy);
  for (const ActivityTimeline& a : t.activities) {
    RC_ASSERT(t.session.start <= a.span.start);
    RC_ASSERT(a.span.end <= t.session.end);
    RC_ASSERT(a.billable.total() <= a.span.length());
    RC_ASSERT(SortedDisjointNonEmpty(a.excluded));
    Duration excluded{0};
    for (const ExcludedInterval& e : a.excluded) {
      RC_ASSERT(e.activity_id == a.activity_id);
      RC_ASSERT(a.span.start <= e.interval.start && e.interval.end <= a.span.end);
      excluded += e.interval.length();
    }
    RC_ASSERT(a.billable.total() + excluded == a.span.length());
  }
}

RC_GTEST_PROP(TimelineProperty, BillsOnlyWhilePatientAndClinicianAreConnected, ()) {
  const Scenario s = *GenScenario();
  const Timeline t = BuildTimeline(s.events, s.policy);
  const std::vector<Interval> connected = BothConnected(s.events);
  RC_ASSERT(t.billable_total() <= Length(connected));
  Duration spans{0};
  for (const ActivityTimeline& a : t.activities) spans += a.span.length();
  RC_ASSERT(t.billable_total() <= spans);
  for (const BillableInterval& b : t.billable) {
    RC_ASSERT(Covered(b.interval, connected));
    RC_ASSERT(b.media != Modality::kNone);
    if (!s.policy.audio_only_counts_when_planned) RC_ASSERT(b.media == Modality::kAudioVideo);
    // Inside an activity of that id.
    RC_ASSERT(std::any_of(t.activities.begin(), t.activities.end(), [&](const auto& a) {
      return a.activity_id == b.activity_id && a.span.start <= b.interval.start &&
             b.interval.end <= a.span.end;
    }));
  }
}

RC_GTEST_PROP(TimelineProperty, OrderOfEventsDoesNotMatter, ()) {
  const Scenario s = *GenScenario();
  const Timeline reference = BuildTimeline(s.events, s.policy);
  std::vector<Event> shuffled = s.events;
  std::mt19937 rng(*rc::gen::arbitrary<std::uint32_t>());
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  AssertSameTimeline(BuildTimeline(shuffled, s.policy), reference);
}

RC_GTEST_PROP(TimelineProperty, RepeatedEventsDoNotMatter, ()) {
  const Scenario s = *GenScenario();
  RC_PRE(!s.events.empty());
  const Timeline reference = BuildTimeline(s.events, s.policy);
  std::vector<Event> repeated = s.events;
  const auto picks = *rc::gen::container<std::vector<std::size_t>>(
      rc::gen::inRange<std::size_t>(0, s.events.size()));
  for (std::size_t k : picks) repeated.push_back(s.events[k]);
  std::mt19937 rng(*rc::gen::arbitrary<std::uint32_t>());
  std::shuffle(repeated.begin(), repeated.end(), rng);
  AssertSameTimeline(BuildTimeline(repeated, s.policy), reference);
}

RC_GTEST_PROP(TimelineProperty, AtMostOneActivityAccruesAtAnyInstant, ()) {
  const Scenario s = *GenScenario();
  const Timeline t = BuildTimeline(s.events, s.policy);
  for (std::size_t i = 0; i < t.billable.size(); ++i) {
    for (std::size_t j = i + 1; j < t.billable.size(); ++j) {
      const Interval& a = t.billable[i].interval;
      const Interval& b = t.billable[j].interval;
      RC_ASSERT(a.end <= b.start || b.end <= a.start);
    }
  }
  // Per activity, billable time sums to the session's: nothing counted twice.
  Duration per_activity{0};
  for (const ActivityTimeline& a : t.activities) per_activity += a.billable.total();
  RC_ASSERT(per_activity == t.billable_total());
}

}  // namespace
}  // namespace unitclock::core

#include "core/timeline.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace unitclock::core {
namespace {

// Within one millisecond, events apply in this order, so that the state
// after an instant does not depend on the ids of simultaneous events.
int KindRank(const EventPayload& payload) {
  struct Rank {
    int operator()(const std::monostate&) const { return 8; }
    int operator()(const SessionStarted&) const { return 0; }
    int operator()(const ParticipantJoined&) const { return 1; }
    int operator()(const MediaChanged&) const { return 2; }
    int operator()(const ActivityStarted&) const { return 3; }
    int operator()(const LivenessSignal&) const { return 4; }
    int operator()(const ActivityEnded&) const { return 5; }
    int operator()(const ParticipantLeft&) const { return 6; }
    int operator()(const SessionStopped&) const { return 7; }
    // A monitoring episode's events: the visit timeline ignores them.
    int operator()(const MonitoringEpisodeStarted&) const { return 8; }
    int operator()(const MonitoringEpisodeEnded&) const { return 8; }
    int operator()(const DeviceDataReceived&) const { return 8; }
    int operator()(const TreatmentManagementRecorded&) const { return 8; }
    int operator()(const InteractiveCommunicationHeld&) const { return 8; }
  };
  return std::visit(Rank{}, payload);
}

bool ApplyOrder(const Event* a, const Event* b) {
  if (a->occurred_at != b->occurred_at) return a->occurred_at < b->occurred_at;
  const int ra = KindRank(a->payload);
  const int rb = KindRank(b->payload);
  if (ra != rb) return ra < rb;
  return a->event_id < b->event_id;
}

// The distinct events (by id) in apply order: of events sharing an id (the
// store keeps them identical), the first in apply order.
std::vector<const Event*> DistinctInApplyOrder(std::span<const Event> events) {
  std::vector<const Event*> sorted;
  sorted.reserve(events.size());
  for (const Event& e : events) sorted.push_back(&e);
  // A lambda, not the function pointer, so that the comparison is inlined.
  const auto apply_order = [](const Event* a, const Event* b) { return ApplyOrder(a, b); };
  // The store returns a session's events by time then id: most often in apply
  // order already.
  if (!std::is_sorted(sorted.begin(), sorted.end(), apply_order)) {
    std::sort(sorted.begin(), sorted.end(), apply_order);
  }
  // Of events sharing an id, the first in apply order stays. Positions are
  // sorted by the hash of their id, then the id, then the position, so that
  // comparing two ids is most often comparing two integers: sorting by the
  // ids themselves compared long ids sharing a prefix and was most of the
  // timeline's cost. (A hash table would be cheaper still, but ids are chosen
  // by clients: crafted collisions would make it quadratic, not this sort.)
  struct Keyed {
    std::size_t hash;
    std::size_t position;  // in `sorted`
  };
  const std::hash<std::string_view> hash;
  std::vector<Keyed> keyed(sorted.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) keyed[i] = {hash(sorted[i]->event_id), i};
  std::sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (const int c = sorted[a.position]->event_id.compare(sorted[b.position]->event_id); c != 0) {
      return c < 0;
    }
    return a.position < b.position;
  });
  std::vector<bool> repeated(sorted.size(), false);
  for (std::size_t k = 1; k < keyed.size(); ++k) {
    if (keyed[k].hash == keyed[k - 1].hash &&
        sorted[keyed[k].position]->event_id == sorted[keyed[k - 1].position]->event_id) {
      repeated[keyed[k].position] = true;
    }
  }
  std::vector<const Event*> out;
  out.reserve(sorted.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (!repeated[i]) out.push_back(sorted[i]);
  }
  return out;
}

std::string Quoted(const std::string& id) { return "\"" + id + "\""; }

// One start..end of an activity id, found in the first pass.
struct Instance {
  std::string activity_id;
  ActivityKind kind = ActivityKind::kUnspecified;
  std::string cpt_code;
  Participant performed_by = Participant::kUnspecified;
  std::string start_event_id;
  TimePoint start{};
  std::optional<TimePoint> end;
  bool ended = true;  // false when `end` was inferred, not sent
  std::vector<TimePoint> liveness;
  std::vector<Interval> idle;  // gaps over the threshold, in time order
  Interval span;               // clipped to the session
  std::size_t idle_cursor = 0;
  bool overlap_flagged = false;
  bool assistant_flagged = false;  // kAssistantPerformed raised
};

class Builder {
 public:
  Builder(std::span<const Event> events, const TimelinePolicy& policy,
          std::optional<TimePoint> live_until)
      : policy_(policy), live_until_(live_until), events_(DistinctInApplyOrder(events)) {}

  Timeline Build() {
    if (events_.empty()) return std::move(timeline_);
    FindSessionBounds();
    FindActivities();
    Sweep();
    Finish();
    return std::move(timeline_);
  }

 private:
  void Flag(TimelineFlagCode code, TimePoint at, std::string event_id, std::string message) {
    timeline_.flags.push_back({code, at, std::move(event_id), std::move(message)});
  }

  // Whether an event takes part in the session's state: not after the stop.
  bool Applies(const Event& e) const { return e.occurred_at <= close_; }

  void FindSessionBounds() {
    const Event* start = nullptr;
    const Event* stop = nullptr;
    for (const Event* e : events_) {
      if (const auto* s = std::get_if<SessionStarted>(&e->payload)) {
        if (start == nullptr) {
          start = e;
          planned_ = s->planned_modality;
          provider_is_assistant_ =
              s->provider_role == ProviderRole::kPta || s->provider_role == ProviderRole::kOta;
        } else {
          Flag(TimelineFlagCode::kRepeatedSessionStarted, e->occurred_at, e->event_id,
               "The session was started more than once; the earliest start counts.");
        }
      } else if (std::holds_alternative<SessionStopped>(e->payload)) {
        if (stop == nullptr) {
          stop = e;
        } else {
          Flag(TimelineFlagCode::kRepeatedSessionStopped, e->occurred_at, e->event_id,
               "The session was stopped more than once; the earliest stop counts.");
        }
      }
    }
    const TimePoint first = events_.front()->occurred_at;
    const TimePoint last = events_.back()->occurred_at;
    TimePoint begin = first;
    if (start != nullptr) {
      begin = start->occurred_at;
    } else {
      Flag(TimelineFlagCode::kMissingSessionStarted, first, events_.front()->event_id,
           "No session-started event arrived; the session is taken to start at its first event.");
    }
    if (stop != nullptr) {
      close_ = std::max(stop->occurred_at, begin);
      const bool timed_out =
          std::get<SessionStopped>(stop->payload).reason == StopReason::kTimedOut;
      if (timed_out) {
        Flag(TimelineFlagCode::kClosedByTimeout, stop->occurred_at, stop->event_id,
             "The session was closed automatically because its events stopped arriving.");
        auto_close_ = true;
      }
    } else {
      close_ = std::max(last, begin);
      if (live_until_ && *live_until_ > close_) close_ = *live_until_;
    }
    too_long_ = close_ - begin > kMaxSessionLength;
    if (too_long_) {
      close_ = begin + kMaxSessionLength;
      Flag(TimelineFlagCode::kSessionTooLong, close_, "",
           "The session's events span more than 24 hours; only its first 24 hours are counted and "
           "later events were ignored.");
    }
    if (stop == nullptr) {
      Flag(TimelineFlagCode::kSessionOpen, close_, "",
           live_until_ ? "The session has not stopped yet; time is counted up to now."
                       : "The session has not stopped yet; time is counted up to its latest "
                         "event.");
    }
    TimePoint end = close_;
    for (const Event* e : events_) {
      if (e->occurred_at < begin && e != start) {
        Flag(TimelineFlagCode::kEventBeforeStart, e->occurred_at, e->event_id,
             "An event came before the session started; it sets the state at the start but adds "
             "no time.");
      } else if (e->occurred_at > close_) {
        Flag(TimelineFlagCode::kEventAfterStop, e->occurred_at, e->event_id,
             too_long_     ? "An event came more than 24 hours after the session started; it was "
                             "ignored."
             : auto_close_ ? "An event came after the session was closed by timeout; its time is "
                             "not billed."
                           : "An event came after the session stopped; it was ignored.");
        if (auto_close_ && !too_long_) end = std::max(end, e->occurred_at);
      }
    }
    timeline_.session = Interval{begin, end};
  }

  void FindActivities() {
    std::map<std::string, std::size_t> open;  // activity id -> index in instances_
    auto last_signaled = open.end();          // the activity of the last liveness signal
    for (const Event* e : events_) {
      if (!Applies(*e)) continue;
      if (const auto* a = std::get_if<ActivityStarted>(&e->payload)) {
        if (open.count(a->activity_id) > 0) {
          Flag(TimelineFlagCode::kActivityRestarted, e->occurred_at, e->event_id,
               "Activity " + Quoted(a->activity_id) +
                   " was started again while already running; the second start was ignored.");
          continue;
        }
        Instance inst;
        inst.activity_id = a->activity_id;
        inst.kind = a->kind;
        inst.cpt_code = a->cpt_code;
        inst.performed_by = a->performed_by;
        inst.start_event_id = e->event_id;
        inst.start = e->occurred_at;
        open[a->activity_id] = instances_.size();
        instances_.push_back(std::move(inst));
      } else if (const auto* a = std::get_if<ActivityEnded>(&e->payload)) {
        auto it = open.find(a->activity_id);
        if (it == open.end()) {
          Flag(TimelineFlagCode::kActivityEndedWithoutStart, e->occurred_at, e->event_id,
               "Activity " + Quoted(a->activity_id) +
                   " ended without having started; the end was ignored.");
          continue;
        }
        instances_[it->second].end = e->occurred_at;
        if (it == last_signaled) last_signaled = open.end();
        open.erase(it);
      } else if (const auto* l = std::get_if<LivenessSignal>(&e->payload)) {
        // Signals mostly name the activity the previous one named.
        if (last_signaled == open.end() || last_signaled->first != l->activity_id) {
          last_signaled = open.find(l->activity_id);
        }
        const auto it = last_signaled;
        if (it == open.end()) {
          Flag(TimelineFlagCode::kLivenessWithoutActivity, e->occurred_at, e->event_id,
               "A liveness signal named activity " + Quoted(l->activity_id) +
                   ", which was not running; it was ignored.");
          continue;
        }
        instances_[it->second].liveness.push_back(e->occurred_at);
      }
    }
    // Instances are in order of their starts here.
    std::vector<TimePoint> starts;
    for (const Instance& inst : instances_) starts.push_back(inst.start);
    for (Instance& inst : instances_) {
      if (!inst.end) {
        // The smaller claim: an activity that never ended is taken to end
        // when the next activity starts (the clinician moved on), else when
        // the session ends; it never resumes after a later activity.
        const auto next = std::upper_bound(starts.begin(), starts.end(), inst.start);
        const bool superseded = next != starts.end() && *next < close_;
        inst.end = superseded ? *next : close_;
        inst.ended = false;
        Flag(TimelineFlagCode::kActivityNotEnded, *inst.end, inst.start_event_id,
             "Activity " + Quoted(inst.activity_id) + " never ended; it is taken to end when " +
                 (superseded ? "the next activity started." : "the session ended."));
      }
      const TimePoint end = *inst.end;
      inst.span = Interval{std::clamp(inst.start, timeline_.session.start, close_),
                           std::clamp(end, timeline_.session.start, close_)};
      if (inst.span.end < inst.span.start) inst.span.end = inst.span.start;
      if (!inst.liveness.empty()) {
        // Evidence: the start, every signal, the end. A gap over the
        // threshold between two pieces of evidence is idle.
        TimePoint previous = inst.start;
        auto check_gap = [&](TimePoint next) {
          if (next - previous > policy_.idle_threshold) inst.idle.push_back({previous, next});
          previous = next;
        };
        for (TimePoint t : inst.liveness) check_gap(t);
        check_gap(end);
      }
    }
    // In order of start, then activity id: the order the API lists them in,
    // most often already (sorting moves every instance, and costs).
    const auto by_start = [](const Instance& a, const Instance& b) {
      if (a.span.start != b.span.start) return a.span.start < b.span.start;
      return a.activity_id < b.activity_id;
    };
    if (!std::is_sorted(instances_.begin(), instances_.end(), by_start)) {
      std::stable_sort(instances_.begin(), instances_.end(), by_start);
    }
  }

  // The session-level state of participants and media.
  struct State {
    bool patient = false, patient_ever = false;
    bool provider = false, provider_ever = false;
    std::set<std::string> assistants;
    bool assistant_ever = false;
    Modality media = Modality::kUnspecified;
  };

  void Apply(const Event& e, State& s) {
    auto join = [&](Participant who, const std::string& ref, bool joined) {
      bool* connected = nullptr;
      bool* ever = nullptr;
      if (who == Participant::kPatient) {
        connected = &s.patient;
        ever = &s.patient_ever;
      } else if (who == Participant::kProvider) {
        connected = &s.provider;
        ever = &s.provider_ever;
      }
      if (joined) {
        if (connected != nullptr) {
          *connected = *ever = true;
        } else {
          s.assistants.insert(ref);
          s.assistant_ever = true;
        }
        return;
      }
      const bool was_connected = connected != nullptr ? *connected : s.assistants.count(ref) > 0;
      if (!was_connected) {
        Flag(TimelineFlagCode::kParticipantLeftWithoutJoining, e.occurred_at, e.event_id,
             "A participant left who was not connected; the event was ignored.");
      } else if (connected != nullptr) {
        *connected = false;
      } else {
        s.assistants.erase(ref);
      }
    };
    if (const auto* j = std::get_if<ParticipantJoined>(&e.payload)) {
      join(j->participant, j->assistant_ref, true);
    } else if (const auto* l = std::get_if<ParticipantLeft>(&e.payload)) {
      join(l->participant, l->assistant_ref, false);
    } else if (const auto* m = std::get_if<MediaChanged>(&e.payload)) {
      s.media = m->modality;
      media_reported_ = true;
    }
  }

  // Why the session cannot accrue time now, or nullopt if it can.
  std::optional<ExclusionReason> ConnectionReason(const State& s) const {
    const bool clinician = s.provider || !s.assistants.empty();
    if (!s.patient || !clinician) {
      const bool never_came =
          (!s.patient && !s.patient_ever) || (!clinician && !s.provider_ever && !s.assistant_ever);
      return never_came ? ExclusionReason::kWaitingForParticipant : ExclusionReason::kDisconnected;
    }
    const Modality media = media_reported_ ? s.media : planned_;
    if (media == Modality::kNone || media == Modality::kUnspecified) {
      return ExclusionReason::kDisconnected;
    }
    const bool audio_is_enough =
        planned_ == Modality::kAudioOnly && policy_.audio_only_counts_when_planned;
    if (media == Modality::kAudioOnly && !audio_is_enough) return ExclusionReason::kAudioOnly;
    return std::nullopt;
  }

  static bool IsIdle(Instance& inst, TimePoint t) {
    while (inst.idle_cursor < inst.idle.size() && inst.idle[inst.idle_cursor].end <= t) {
      ++inst.idle_cursor;
    }
    return inst.idle_cursor < inst.idle.size() && inst.idle[inst.idle_cursor].contains(t);
  }

  static void AddExcluded(std::vector<ExcludedInterval>& out, Interval i, ExclusionReason reason,
                          const std::string& activity_id) {
    if (!out.empty() && out.back().interval.end == i.start && out.back().reason == reason &&
        out.back().activity_id == activity_id) {
      out.back().interval.end = i.end;
      return;
    }
    out.push_back({i, reason, activity_id});
  }

  void AddBillable(Interval i, const std::string& activity_id, DeliveredBy by, Modality media) {
    auto& out = timeline_.billable;
    if (!out.empty() && out.back().interval.end == i.start &&
        out.back().activity_id == activity_id && out.back().delivered_by == by &&
        out.back().media == media) {
      out.back().interval.end = i.end;
      return;
    }
    out.push_back({i, activity_id, by, media});
  }

  static void AddToRole(RoleSplit& split, DeliveredBy by, Duration d) {
    switch (by) {
      case DeliveredBy::kTherapist:
        split.therapist += d;
        break;
      case DeliveredBy::kAssistant:
        split.assistant += d;
        break;
      case DeliveredBy::kTogether:
        split.together += d;
        break;
    }
  }

  // Walks the session through every instant where something changes and
  // gives each stretch between two such instants to exactly one place.
  void Sweep() {
    // The events' times are in order already: sort the others and merge.
    std::vector<TimePoint> others = {timeline_.session.start, timeline_.session.end, close_};
    for (const Instance& inst : instances_) {
      others.push_back(inst.span.start);
      others.push_back(inst.span.end);
      for (const Interval& idle : inst.idle) {
        others.push_back(idle.start);
        others.push_back(idle.end);
      }
    }
    std::sort(others.begin(), others.end());
    std::vector<TimePoint> cuts;
    cuts.reserve(events_.size() + others.size());
    std::size_t next_other = 0;
    for (const Event* e : events_) {
      while (next_other < others.size() && others[next_other] < e->occurred_at) {
        cuts.push_back(others[next_other++]);
      }
      cuts.push_back(e->occurred_at);
    }
    cuts.insert(cuts.end(), others.begin() + static_cast<std::ptrdiff_t>(next_other), others.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

    activity_excluded_.resize(instances_.size());
    activity_billable_.resize(instances_.size());
    State state;
    std::size_t next_event = 0;
    std::size_t next_instance = 0;
    std::vector<std::size_t> open;  // indices into instances_
    for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
      const Interval seg{cuts[c], cuts[c + 1]};
      if (seg.start < timeline_.session.start || seg.start >= timeline_.session.end) continue;
      while (next_event < events_.size() && events_[next_event]->occurred_at <= seg.start) {
        const Event& e = *events_[next_event++];
        if (Applies(e)) Apply(e, state);
      }
      if (seg.start >= close_) {  // only a session closed by timeout reaches past close_
        AddExcluded(timeline_.excluded, seg, ExclusionReason::kAfterAutoClose, "");
        continue;
      }
      while (next_instance < instances_.size() &&
             instances_[next_instance].span.start <= seg.start) {
        open.push_back(next_instance++);
      }
      std::erase_if(open, [&](std::size_t i) { return instances_[i].span.end <= seg.start; });
      ClassifySegment(seg, state, open);
    }
    // Events at the session's last instant add no time but still raise their
    // flags and count as media reports.
    for (; next_event < events_.size(); ++next_event) {
      if (Applies(*events_[next_event])) Apply(*events_[next_event], state);
    }
  }

  void ClassifySegment(Interval seg, const State& state, const std::vector<std::size_t>& open) {
    if (open.empty()) {
      AddExcluded(timeline_.excluded, seg, ExclusionReason::kOutsideActivity, "");
      return;
    }
    if (const std::optional<ExclusionReason> reason = ConnectionReason(state)) {
      AddExcluded(timeline_.excluded, seg, *reason, "");
      for (std::size_t i : open) {
        AddExcluded(activity_excluded_[i], seg, *reason, instances_[i].activity_id);
      }
      return;
    }
    // Of the activities not idle, the one started last accrues: a platform
    // starts an activity when the clinician turns to it, and an earlier one
    // still open has most often lost its end event.
    std::optional<std::size_t> winner;
    for (std::size_t i : open) {
      if (IsIdle(instances_[i], seg.start)) continue;
      // The real start, not the clipped one: of activities started before the
      // session, the later one is still the one the clinician turned to.
      if (!winner || instances_[i].start > instances_[*winner].start ||
          (instances_[i].start == instances_[*winner].start &&
           instances_[i].activity_id < instances_[*winner].activity_id)) {
        winner = i;
      }
    }
    if (!winner) {
      AddExcluded(timeline_.excluded, seg, ExclusionReason::kIdle, "");
      for (std::size_t i : open) {
        AddExcluded(activity_excluded_[i], seg, ExclusionReason::kIdle, instances_[i].activity_id);
      }
      return;
    }
    Instance& w = instances_[*winner];
    const DeliveredBy by = WhoDelivered(state, w, seg.start);
    const Modality media = media_reported_ ? state.media : planned_;
    AddBillable(seg, w.activity_id, by, media);
    AddToRole(activity_billable_[*winner], by, seg.length());
    AddToRole(timeline_.billable_by_role, by, seg.length());
    for (std::size_t i : open) {
      if (i == *winner) continue;
      Instance& loser = instances_[i];
      if (IsIdle(loser, seg.start)) {
        AddExcluded(activity_excluded_[i], seg, ExclusionReason::kIdle, loser.activity_id);
        continue;
      }
      AddExcluded(activity_excluded_[i], seg, ExclusionReason::kOverlap, loser.activity_id);
      if (!loser.overlap_flagged) {
        loser.overlap_flagged = true;
        Flag(TimelineFlagCode::kOverlapTrimmed, seg.start, loser.start_event_id,
             "Activities " + Quoted(loser.activity_id) + " and " + Quoted(w.activity_id) +
                 " overlapped; the overlapping time was counted once, for " +
                 Quoted(w.activity_id) + ".");
      }
    }
  }

  // Who delivered a stretch of `activity`: see DeliveredBy.
  DeliveredBy WhoDelivered(const State& state, Instance& activity, TimePoint at) {
    const bool therapist = state.provider && !provider_is_assistant_;
    const bool assistant = !state.assistants.empty() || (state.provider && provider_is_assistant_);
    if (activity.performed_by == Participant::kAssistant) {
      if (therapist && !activity.assistant_flagged) {
        activity.assistant_flagged = true;
        Flag(TimelineFlagCode::kAssistantPerformed, at, activity.start_event_id,
             "Activity " + Quoted(activity.activity_id) +
                 " was performed by the assistant while the therapist was connected; its time "
                 "counts as the assistant's. If they treated together, the therapist may amend.");
      }
      return DeliveredBy::kAssistant;
    }
    if (!therapist) return DeliveredBy::kAssistant;
    return assistant ? DeliveredBy::kTogether : DeliveredBy::kTherapist;
  }

  void Finish() {
    if (!media_reported_) {
      Flag(TimelineFlagCode::kMediaNeverReported, timeline_.session.start, "",
           "The platform never reported the media; the planned modality was assumed.");
    }
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      const Instance& inst = instances_[i];
      ActivityTimeline a;
      a.activity_id = inst.activity_id;
      a.kind = inst.kind;
      a.cpt_code = inst.cpt_code;
      a.performed_by = inst.performed_by;
      a.span = inst.span;
      a.ended = inst.ended;
      a.billable = activity_billable_[i];
      a.excluded = std::move(activity_excluded_[i]);
      timeline_.activities.push_back(std::move(a));
    }
    std::stable_sort(timeline_.flags.begin(), timeline_.flags.end(),
                     [](const TimelineFlag& a, const TimelineFlag& b) { return a.at < b.at; });
  }

  const TimelinePolicy& policy_;
  const std::optional<TimePoint> live_until_;
  const std::vector<const Event*> events_;
  Timeline timeline_;
  TimePoint close_{};        // the earliest stop, or the last event of an open session
  bool auto_close_ = false;  // stopped by the watchdog
  bool too_long_ = false;    // cut at kMaxSessionLength
  Modality planned_ = Modality::kAudioVideo;
  bool provider_is_assistant_ = false;  // SessionStarted.provider_role is a PTA or OTA
  bool media_reported_ = false;
  std::vector<Instance> instances_;
  std::vector<std::vector<ExcludedInterval>> activity_excluded_;
  std::vector<RoleSplit> activity_billable_;
};

}  // namespace

Duration Timeline::excluded_total() const {
  Duration total{0};
  for (const ExcludedInterval& e : excluded) total += e.interval.length();
  return total;
}

Duration Timeline::excluded_for(ExclusionReason reason) const {
  Duration total{0};
  for (const ExcludedInterval& e : excluded) {
    if (e.reason == reason) total += e.interval.length();
  }
  return total;
}

bool Timeline::has_flag(TimelineFlagCode code) const {
  return std::any_of(flags.begin(), flags.end(),
                     [code](const TimelineFlag& f) { return f.code == code; });
}

Timeline BuildTimeline(std::span<const Event> events, const TimelinePolicy& policy,
                       std::optional<TimePoint> live_until) {
  return Builder(events, policy, live_until).Build();
}

const char* ExclusionReasonName(ExclusionReason reason) {
  switch (reason) {
    case ExclusionReason::kOutsideActivity:
      return "outside_activity";
    case ExclusionReason::kWaitingForParticipant:
      return "waiting_for_participant";
    case ExclusionReason::kDisconnected:
      return "disconnected";
    case ExclusionReason::kAudioOnly:
      return "audio_only";
    case ExclusionReason::kIdle:
      return "idle";
    case ExclusionReason::kOverlap:
      return "overlap";
    case ExclusionReason::kAfterAutoClose:
      return "after_auto_close";
  }
  return "unknown";
}

const char* TimelineFlagName(TimelineFlagCode code) {
  switch (code) {
    case TimelineFlagCode::kMissingSessionStarted:
      return "missing_session_started";
    case TimelineFlagCode::kSessionOpen:
      return "session_open";
    case TimelineFlagCode::kClosedByTimeout:
      return "closed_by_timeout";
    case TimelineFlagCode::kEventBeforeStart:
      return "event_before_start";
    case TimelineFlagCode::kEventAfterStop:
      return "event_after_stop";
    case TimelineFlagCode::kRepeatedSessionStarted:
      return "repeated_session_started";
    case TimelineFlagCode::kRepeatedSessionStopped:
      return "repeated_session_stopped";
    case TimelineFlagCode::kActivityEndedWithoutStart:
      return "activity_ended_without_start";
    case TimelineFlagCode::kActivityRestarted:
      return "activity_restarted";
    case TimelineFlagCode::kActivityNotEnded:
      return "activity_not_ended";
    case TimelineFlagCode::kOverlapTrimmed:
      return "overlap_trimmed";
    case TimelineFlagCode::kParticipantLeftWithoutJoining:
      return "participant_left_without_joining";
    case TimelineFlagCode::kLivenessWithoutActivity:
      return "liveness_without_activity";
    case TimelineFlagCode::kMediaNeverReported:
      return "media_never_reported";
    case TimelineFlagCode::kSessionTooLong:
      return "session_too_long";
    case TimelineFlagCode::kAssistantPerformed:
      return "assistant_performed";
  }
  return "unknown";
}

}  // namespace unitclock::core

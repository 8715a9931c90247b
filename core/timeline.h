#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/interval.h"

// The session timeline: how much therapy a session actually delivered, per
// activity and per clinician role, and why every other second was left out.
// A pure function of the session's events: no clock, no I/O.
namespace unitclock::core {

// Settings of the timeline, read from policy data (core/policies/).
struct TimelinePolicy {
  // When the platform sends liveness signals for an activity, a gap between
  // two pieces of evidence (the start, each signal, the end) longer than this
  // is idle time and is not billed.
  Duration idle_threshold = std::chrono::minutes(3);
  // Whether a session planned as audio-only (the patient cannot or will not
  // use video) accrues time on audio alone. Otherwise activities need audio
  // and video.
  bool audio_only_counts_when_planned = true;
};

// Why a stretch of time is not billable.
enum class ExclusionReason {
  kOutsideActivity,        // no activity was open
  kWaitingForParticipant,  // the patient or every clinician had not joined yet
  kDisconnected,           // the patient or every clinician had dropped, or no media flowed
  kAudioOnly,              // audio without video where the activity needs video
  kIdle,                   // a gap in the activity's liveness signals over the threshold
  kOverlap,                // another activity accrued at that instant (per activity only)
  kAfterAutoClose,         // after the watchdog closed the session
};

// Who delivered a billable stretch. Time the therapist and an assistant
// spend together counts as the therapist's (CMS: CQ/CO de minimis rule).
// The session's provider is an assistant when SessionStarted.provider_role
// is a PTA or OTA. An activity whose performed_by names the assistant is the
// assistant's time even while the therapist is connected (flagged
// kAssistantPerformed); one that names the provider is the therapist's only
// while the provider is connected.
enum class DeliveredBy {
  kTherapist,  // the treating therapist without an assistant
  kAssistant,  // an assistant without the therapist
  kTogether,   // both connected
};

// A stretch of billable time of one activity.
struct BillableInterval {
  Interval interval;
  std::string activity_id;
  DeliveredBy delivered_by = DeliveredBy::kTherapist;
  Modality media = Modality::kAudioVideo;  // what flowed: audio+video or audio only
  friend bool operator==(const BillableInterval&, const BillableInterval&) = default;
};

// A stretch of time that is not billable, with the reason. `activity_id` is
// empty at session level.
struct ExcludedInterval {
  Interval interval;
  ExclusionReason reason = ExclusionReason::kOutsideActivity;
  std::string activity_id;
  friend bool operator==(const ExcludedInterval&, const ExcludedInterval&) = default;
};

// Billable time split by who delivered it.
struct RoleSplit {
  Duration therapist{0};  // therapist alone
  Duration assistant{0};  // assistant alone
  Duration together{0};   // both (counts as the therapist's)
  Duration total() const { return therapist + assistant + together; }
  friend bool operator==(const RoleSplit&, const RoleSplit&) = default;
};

// One activity (one start..end of an activity id) and what became of its time.
struct ActivityTimeline {
  std::string activity_id;
  ActivityKind kind = ActivityKind::kUnspecified;
  std::string cpt_code;  // as sent; empty if the platform gave a kind only
  Participant performed_by = Participant::kUnspecified;
  // The activity's open interval, clipped to the session. Always
  // billable.total() + sum(excluded) == span.length().
  Interval span;
  // False when no end event came: the activity is then taken to end when the
  // next activity started, or else when the session ended (flagged).
  bool ended = false;
  RoleSplit billable;
  std::vector<ExcludedInterval> excluded;  // reasons per activity, including kOverlap
  friend bool operator==(const ActivityTimeline&, const ActivityTimeline&) = default;
};

// Something in the events that does not fit, kept for the reviewer.
enum class TimelineFlagCode {
  kMissingSessionStarted,          // no SessionStarted: the first event starts the session
  kSessionOpen,                    // no SessionStopped yet: the last event ends the session
  kClosedByTimeout,                // the session was stopped for lack of events
  kEventBeforeStart,               // an event before SessionStarted (its state still applies)
  kEventAfterStop,                 // an event after SessionStopped (ignored)
  kRepeatedSessionStarted,         // more than one SessionStarted (the earliest counts)
  kRepeatedSessionStopped,         // more than one SessionStopped (the earliest counts)
  kActivityEndedWithoutStart,      // ActivityEnded for an activity that was not open
  kActivityRestarted,              // ActivityStarted for an activity already open (ignored)
  kActivityNotEnded,               // an activity never ended: closed at the next start or the end
  kOverlapTrimmed,                 // activities overlapped; one accrued, the others lost time
  kParticipantLeftWithoutJoining,  // ParticipantLeft for someone not connected
  kLivenessWithoutActivity,        // LivenessSignal for an activity that was not open
  kMediaNeverReported,             // no MediaChanged: the planned modality was assumed
  kSessionTooLong,                 // longer than kMaxSessionLength: the rest is not counted
  kAssistantPerformed,             // an activity performed by the assistant accrued while the
                                   // therapist was connected: counted as the assistant's
};

// The longest a session is counted. A therapy session lasts minutes, an hour
// or two: the time a session's events span beyond this after its start is
// left out of the session (flagged kSessionTooLong; later events are flagged
// kEventAfterStop and ignored), so that events dated years apart cannot make
// the coding engine work through every day between them.
inline constexpr Duration kMaxSessionLength = std::chrono::hours(24);

struct TimelineFlag {
  TimelineFlagCode code = TimelineFlagCode::kSessionOpen;
  TimePoint at{};        // when: the raising event's time, or the session's end
  std::string event_id;  // the event that raised it, if one did
  std::string message;   // a sentence a therapist understands; never a patient reference
  friend bool operator==(const TimelineFlag&, const TimelineFlag&) = default;
};

// The timeline of one session.
struct Timeline {
  // From the earliest SessionStarted (or first event) to the earliest
  // SessionStopped (or last event; for a session closed by timeout, the
  // latest event if a late one came after the close), at most
  // kMaxSessionLength.
  Interval session;
  // Billable time, in time order; at most one activity accrues at any instant.
  std::vector<BillableInterval> billable;
  // Every other second of `session`, in time order, each with one reason.
  // Always billable_total() + excluded_total() == session.length().
  std::vector<ExcludedInterval> excluded;
  std::vector<ActivityTimeline> activities;  // in order of start, then activity id
  std::vector<TimelineFlag> flags;           // in time order, then in order of detection
  RoleSplit billable_by_role;

  Duration billable_total() const { return billable_by_role.total(); }
  Duration excluded_total() const;
  // Excluded time for one reason, at session level.
  Duration excluded_for(ExclusionReason reason) const;
  bool has_flag(TimelineFlagCode code) const;
};

// Derives the timeline of one session from its events, given in any order
// and possibly repeated: the result depends only on the set of distinct
// events (by event_id; events sharing an id must be identical, as the store
// guarantees). Events of other sessions must not be passed.
// Inconsistent input is handled and flagged, never fatal. Pure; thread-safe.
// Runs in O(n log n) for n events.
//
// A session that has not stopped ends at its latest event; with `live_until`
// set (the caller's "now", for a live view), at that instant if later.
Timeline BuildTimeline(std::span<const Event> events, const TimelinePolicy& policy,
                       std::optional<TimePoint> live_until = std::nullopt);

// Stable lower_snake names, as the API and the logs spell them.
const char* ExclusionReasonName(ExclusionReason reason);
const char* TimelineFlagName(TimelineFlagCode code);

}  // namespace unitclock::core

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/time.h"

// Session events as the core sees them: plain values, independent of the wire
// format. plugin/service/proto_convert.h translates the public API to these.
namespace unitclock::core {

// The licensed role of a clinician.
enum class ProviderRole { kUnspecified, kPt, kPta, kOt, kOta, kSlp };

// The plan of care's discipline; selects GP, GO or GN.
enum class Discipline { kUnspecified, kPhysicalTherapy, kOccupationalTherapy, kSpeechLanguage };

// Where the patient is; selects place of service 10 (home) or 02 (other).
enum class PatientLocation { kUnspecified, kHome, kOther };

// Media between patient and clinician.
enum class Modality { kUnspecified, kAudioVideo, kAudioOnly, kNone };

// Who joins, leaves or performs an activity.
enum class Participant { kUnspecified, kPatient, kProvider, kAssistant };

// What kind of therapy an activity is.
enum class ActivityKind {
  kUnspecified,
  kTherapeuticExercise,
  kNeuromuscularReeducation,
  kGaitTraining,
  kMassage,
  kManualTherapy,
  kTherapeuticActivities,
  kSelfCare,
  kGroupTherapy,
};

// The device of a remote therapeutic monitoring episode.
enum class DeviceKind { kUnspecified, kMusculoskeletal, kRespiratory, kCognitiveBehavioral };

// The remote monitoring program of an episode: RTM is coded; RPM is only
// reported, so that a month with both is flagged.
enum class MonitoringProgram { kUnspecified, kRemoteTherapeutic, kRemotePhysiologic };

// Why a session stopped.
enum class StopReason { kUnspecified, kEnded, kTimedOut };

// The session begins. References are opaque ids, never names.
struct SessionStarted {
  std::string platform;
  std::string patient_ref;
  std::string provider_ref;
  ProviderRole provider_role = ProviderRole::kUnspecified;
  Discipline discipline = Discipline::kUnspecified;
  std::string payer_id;
  std::string clinic_time_zone;  // IANA name, e.g. "America/Chicago".
  PatientLocation patient_location = PatientLocation::kUnspecified;
  Modality planned_modality = Modality::kUnspecified;
  // The patient's allowed therapy amounts this calendar year before this
  // session's date of service, in cents, per threshold group, when the
  // platform knows them: they decide the KX modifier.
  std::optional<std::int64_t> year_to_date_pt_slp_cents;
  std::optional<std::int64_t> year_to_date_ot_cents;
  friend bool operator==(const SessionStarted&, const SessionStarted&) = default;
};

// A participant connects.
struct ParticipantJoined {
  Participant participant = Participant::kUnspecified;
  std::string assistant_ref;  // Only for Participant::kAssistant.
  friend bool operator==(const ParticipantJoined&, const ParticipantJoined&) = default;
};

// A participant disconnects.
struct ParticipantLeft {
  Participant participant = Participant::kUnspecified;
  std::string assistant_ref;  // Only for Participant::kAssistant.
  friend bool operator==(const ParticipantLeft&, const ParticipantLeft&) = default;
};

// The media change.
struct MediaChanged {
  Modality modality = Modality::kUnspecified;
  friend bool operator==(const MediaChanged&, const MediaChanged&) = default;
};

// A therapy activity begins. `cpt_code`, when set, wins over `kind`.
struct ActivityStarted {
  std::string activity_id;
  ActivityKind kind = ActivityKind::kUnspecified;
  std::string cpt_code;
  Participant performed_by = Participant::kUnspecified;
  friend bool operator==(const ActivityStarted&, const ActivityStarted&) = default;
};

// A therapy activity ends.
struct ActivityEnded {
  std::string activity_id;
  friend bool operator==(const ActivityEnded&, const ActivityEnded&) = default;
};

// Evidence that an activity goes on (e.g. a counted repetition).
struct LivenessSignal {
  std::string activity_id;
  std::string signal;
  friend bool operator==(const LivenessSignal&, const LivenessSignal&) = default;
};

// The session ends.
struct SessionStopped {
  StopReason reason = StopReason::kUnspecified;
  friend bool operator==(const SessionStopped&, const SessionStopped&) = default;
};

// A remote monitoring episode begins. Its events carry the episode's id as
// their session_id. References are opaque ids, never names.
struct MonitoringEpisodeStarted {
  std::string platform;
  std::string patient_ref;
  std::string provider_ref;  // the billing therapist
  ProviderRole provider_role = ProviderRole::kUnspecified;
  Discipline discipline = Discipline::kUnspecified;
  std::string payer_id;
  std::string clinic_time_zone;  // IANA name
  DeviceKind device_kind = DeviceKind::kUnspecified;
  MonitoringProgram program = MonitoringProgram::kUnspecified;
  friend bool operator==(const MonitoringEpisodeStarted&,
                         const MonitoringEpisodeStarted&) = default;
};

// A monitoring episode ends.
struct MonitoringEpisodeEnded {
  friend bool operator==(const MonitoringEpisodeEnded&, const MonitoringEpisodeEnded&) = default;
};

// The patient's device transmitted data at the event's time; its date in
// the clinic's zone is a day of data.
struct DeviceDataReceived {
  std::string data_kind;  // optional, informative
  friend bool operator==(const DeviceDataReceived&, const DeviceDataReceived&) = default;
};

// Treatment management time, from the event's time for `duration`.
struct TreatmentManagementRecorded {
  std::string clinician_ref;
  ProviderRole clinician_role = ProviderRole::kUnspecified;
  Duration duration{0};  // whole seconds, 1 s to kMaxMonitoringInterval
  std::string activity;  // optional, informative
  friend bool operator==(const TreatmentManagementRecorded&,
                         const TreatmentManagementRecorded&) = default;
};

// A live two-way call with the patient, from the event's time for
// `duration`; its time counts as management time.
struct InteractiveCommunicationHeld {
  std::string clinician_ref;
  ProviderRole clinician_role = ProviderRole::kUnspecified;
  Modality modality = Modality::kUnspecified;  // audio-video or audio-only
  Duration duration{0};                        // whole seconds, 1 s to kMaxMonitoringInterval
  friend bool operator==(const InteractiveCommunicationHeld&,
                         const InteractiveCommunicationHeld&) = default;
};

// The longest management interval or call one event may record.
inline constexpr Duration kMaxMonitoringInterval = std::chrono::hours(4);

// What happened. std::monostate means "no payload", which validation rejects.
using EventPayload =
    std::variant<std::monostate, SessionStarted, ParticipantJoined, ParticipantLeft, MediaChanged,
                 ActivityStarted, ActivityEnded, LivenessSignal, SessionStopped,
                 MonitoringEpisodeStarted, MonitoringEpisodeEnded, DeviceDataReceived,
                 TreatmentManagementRecorded, InteractiveCommunicationHeld>;

// True for the payloads of a monitoring episode (MonitoringEpisodeStarted
// and the four after it), false for a visit session's.
bool IsMonitoringPayload(const EventPayload& payload);

// One session event: an envelope and a payload. A plain value type.
struct Event {
  std::string event_id;    // Client-chosen, globally unique.
  std::string session_id;  // Platform-chosen.
  TimePoint occurred_at{};
  std::uint64_t sequence_number = 0;  // 0 = not set.
  EventPayload payload;
  friend bool operator==(const Event&, const Event&) = default;
};

// Orders events by occurred_at, then event_id: the one order in which the
// core reads a session, whatever order the events arrived in.
bool EventOrder(const Event& a, const Event& b);

}  // namespace unitclock::core

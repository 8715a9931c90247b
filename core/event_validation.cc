#include "core/event_validation.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

#include "core/date_of_service.h"

namespace unitclock::core {
namespace {

absl::Status Invalid(std::string_view field, std::string_view reason) {
  return absl::InvalidArgumentError(std::string(field) + ": " + std::string(reason));
}

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':';
}

// An identifier chosen by a client: event and session ids, activity ids.
absl::Status CheckId(std::string_view field, const std::string& value) {
  const std::string_view problem = IdProblem(value);
  if (!problem.empty()) return Invalid(field, problem);
  return absl::OkStatus();
}

// Free text of printable ASCII: opaque references, payer ids, signal names.
absl::Status CheckText(std::string_view field, const std::string& value, std::size_t max_length,
                       bool required) {
  if (value.empty()) return required ? Invalid(field, "required") : absl::OkStatus();
  if (value.size() > max_length) {
    return Invalid(field, "longer than " + std::to_string(max_length) + " characters");
  }
  if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
    return Invalid(field, "only printable ASCII characters are allowed");
  }
  return absl::OkStatus();
}

// A reference the 837P carries (platform, patient and provider references):
// text as above, without X12's delimiters, so that no claim it reaches is
// ever unwritable.
absl::Status CheckX12Reference(std::string_view field, const std::string& value) {
  if (absl::Status st = CheckText(field, value, kMaxIdLength, /*required=*/true); !st.ok()) {
    return st;
  }
  if (HasX12Delimiter(value)) {
    return Invalid(field, "must not contain ~ * : ^ (X12 delimiters)");
  }
  return absl::OkStatus();
}

absl::Status CheckParticipant(std::string_view prefix, Participant participant,
                              const std::string& assistant_ref) {
  const std::string p(prefix);
  if (participant == Participant::kUnspecified) return Invalid(p + ".participant", "required");
  if (participant == Participant::kAssistant) {
    return CheckText(p + ".assistant_ref", assistant_ref, kMaxIdLength, /*required=*/true);
  }
  if (!assistant_ref.empty()) {
    return Invalid(p + ".assistant_ref", "allowed only when participant is the assistant");
  }
  return absl::OkStatus();
}

absl::Status CheckTimeZone(const std::string& field, const std::string& zone) {
  if (zone.empty()) return Invalid(field, "required");
  if (!IsKnownTimeZone(zone)) {
    return Invalid(field, "not an IANA time zone such as \"America/Chicago\"");
  }
  return absl::OkStatus();
}

// The clinician of a monitoring interval or call (`prefix` ends with ".").
// The reference is held to a claim's rules: the monitoring engine may carry
// it onto a line, and a reference accepted once cannot be refused later.
absl::Status CheckClinician(const std::string& prefix, const std::string& clinician_ref,
                            ProviderRole role) {
  if (absl::Status st = CheckX12Reference(prefix + "clinician_ref", clinician_ref); !st.ok()) {
    return st;
  }
  if (role == ProviderRole::kUnspecified) return Invalid(prefix + "clinician_role", "required");
  return absl::OkStatus();
}

// A management interval or call: whole seconds, 1 s to
// kMaxMonitoringInterval, as the API's duration_seconds carries it.
absl::Status CheckMonitoringDuration(const std::string& field, Duration duration) {
  constexpr std::chrono::seconds kMax =
      std::chrono::duration_cast<std::chrono::seconds>(kMaxMonitoringInterval);
  if (duration < std::chrono::seconds(1) || duration > kMaxMonitoringInterval ||
      duration % std::chrono::seconds(1) != Duration::zero()) {
    return Invalid(field, "must be 1 to " + std::to_string(kMax.count()));
  }
  return absl::OkStatus();
}

struct PayloadValidator {
  absl::Status operator()(const std::monostate&) const {
    return Invalid("event.payload",
                   "required: one of session_started, participant_joined, participant_left, "
                   "media_changed, activity_started, activity_ended, liveness_signal, "
                   "session_stopped, monitoring_episode_started, monitoring_episode_ended, "
                   "device_data_received, treatment_management_recorded, "
                   "interactive_communication_held");
  }

  absl::Status operator()(const SessionStarted& s) const {
    constexpr std::string_view p = "event.session_started.";
    const std::string f(p);
    absl::Status st = CheckX12Reference(f + "platform", s.platform);
    if (st.ok()) st = CheckX12Reference(f + "patient_ref", s.patient_ref);
    if (st.ok()) st = CheckX12Reference(f + "provider_ref", s.provider_ref);
    if (!st.ok()) return st;
    if (s.provider_role == ProviderRole::kUnspecified)
      return Invalid(f + "provider_role", "required");
    if (s.discipline == Discipline::kUnspecified) return Invalid(f + "discipline", "required");
    st = CheckText(f + "payer_id", s.payer_id, kMaxShortTextLength, true);
    if (st.ok()) st = CheckTimeZone(f + "clinic_time_zone", s.clinic_time_zone);
    if (!st.ok()) return st;
    if (s.patient_location == PatientLocation::kUnspecified) {
      return Invalid(f + "patient_location", "required");
    }
    if (s.planned_modality == Modality::kUnspecified) {
      return Invalid(f + "planned_modality", "required");
    }
    if (s.year_to_date_pt_slp_cents && *s.year_to_date_pt_slp_cents < 0) {
      return Invalid(f + "year_to_date_pt_slp_cents", "must not be negative");
    }
    if (s.year_to_date_ot_cents && *s.year_to_date_ot_cents < 0) {
      return Invalid(f + "year_to_date_ot_cents", "must not be negative");
    }
    return absl::OkStatus();
  }

  absl::Status operator()(const ParticipantJoined& j) const {
    return CheckParticipant("event.participant_joined", j.participant, j.assistant_ref);
  }

  absl::Status operator()(const ParticipantLeft& l) const {
    return CheckParticipant("event.participant_left", l.participant, l.assistant_ref);
  }

  absl::Status operator()(const MediaChanged& m) const {
    if (m.modality == Modality::kUnspecified) {
      return Invalid("event.media_changed.modality", "required");
    }
    return absl::OkStatus();
  }

  absl::Status operator()(const ActivityStarted& a) const {
    absl::Status st = CheckId("event.activity_started.activity_id", a.activity_id);
    if (!st.ok()) return st;
    if (!a.cpt_code.empty()) {
      const bool five_digits =
          a.cpt_code.size() == 5 && std::all_of(a.cpt_code.begin(), a.cpt_code.end(),
                                                [](char c) { return c >= '0' && c <= '9'; });
      if (!five_digits) return Invalid("event.activity_started.cpt_code", "not a five-digit code");
    } else if (a.kind == ActivityKind::kUnspecified) {
      return Invalid("event.activity_started.kind", "required when cpt_code is not set");
    }
    if (a.performed_by != Participant::kProvider && a.performed_by != Participant::kAssistant) {
      return Invalid("event.activity_started.performed_by",
                     "must be the provider or the assistant");
    }
    return absl::OkStatus();
  }

  absl::Status operator()(const ActivityEnded& a) const {
    return CheckId("event.activity_ended.activity_id", a.activity_id);
  }

  absl::Status operator()(const LivenessSignal& l) const {
    absl::Status st = CheckId("event.liveness_signal.activity_id", l.activity_id);
    if (!st.ok()) return st;
    return CheckText("event.liveness_signal.signal", l.signal, kMaxShortTextLength, false);
  }

  absl::Status operator()(const SessionStopped&) const { return absl::OkStatus(); }

  // The references are checked as a visit's: an episode's lines reach the
  // same 837P.
  absl::Status operator()(const MonitoringEpisodeStarted& s) const {
    const std::string f = "event.monitoring_episode_started.";
    absl::Status st = CheckX12Reference(f + "platform", s.platform);
    if (st.ok()) st = CheckX12Reference(f + "patient_ref", s.patient_ref);
    if (st.ok()) st = CheckX12Reference(f + "provider_ref", s.provider_ref);
    if (!st.ok()) return st;
    if (s.provider_role == ProviderRole::kUnspecified) {
      return Invalid(f + "provider_role", "required");
    }
    // The episode's billing provider: an assistant's time counts (its
    // intervals carry CQ or CO), but an assistant bills nothing alone.
    if (s.provider_role != ProviderRole::kPt && s.provider_role != ProviderRole::kOt &&
        s.provider_role != ProviderRole::kSlp) {
      return Invalid(f + "provider_role",
                     "must be PT, OT or SLP: an assistant cannot bill a monitoring episode");
    }
    if (s.discipline == Discipline::kUnspecified) return Invalid(f + "discipline", "required");
    st = CheckText(f + "payer_id", s.payer_id, kMaxShortTextLength, true);
    if (st.ok()) st = CheckTimeZone(f + "clinic_time_zone", s.clinic_time_zone);
    if (!st.ok()) return st;
    if (s.device_kind == DeviceKind::kUnspecified) return Invalid(f + "device_kind", "required");
    if (s.program == MonitoringProgram::kUnspecified) return Invalid(f + "program", "required");
    return absl::OkStatus();
  }

  absl::Status operator()(const MonitoringEpisodeEnded&) const { return absl::OkStatus(); }

  absl::Status operator()(const DeviceDataReceived& d) const {
    return CheckText("event.device_data_received.data_kind", d.data_kind, kMaxShortTextLength,
                     false);
  }

  absl::Status operator()(const TreatmentManagementRecorded& t) const {
    const std::string f = "event.treatment_management_recorded.";
    absl::Status st = CheckClinician(f, t.clinician_ref, t.clinician_role);
    if (st.ok()) st = CheckMonitoringDuration(f + "duration_seconds", t.duration);
    if (!st.ok()) return st;
    return CheckText(f + "activity", t.activity, kMaxShortTextLength, false);
  }

  absl::Status operator()(const InteractiveCommunicationHeld& c) const {
    const std::string f = "event.interactive_communication_held.";
    absl::Status st = CheckClinician(f, c.clinician_ref, c.clinician_role);
    if (!st.ok()) return st;
    if (c.modality == Modality::kUnspecified) return Invalid(f + "modality", "required");
    // CPT 98979-98981: each needs an interactive communication with the
    // patient or caregiver in the month, which is real-time and two-way: a
    // call with media. MODALITY_NONE records none.
    if (c.modality != Modality::kAudioVideo && c.modality != Modality::kAudioOnly) {
      return Invalid(f + "modality",
                     "must be a real-time two-way medium (AUDIO_VIDEO or AUDIO_ONLY)");
    }
    return CheckMonitoringDuration(f + "duration_seconds", c.duration);
  }
};

}  // namespace

std::string_view IdProblem(std::string_view value) {
  if (value.empty()) return "required";
  if (value.size() > kMaxIdLength) return "longer than 128 characters";
  if (!std::all_of(value.begin(), value.end(), IsIdChar)) {
    return "only letters, digits and \"-_.:\" are allowed";
  }
  // "." and ".." name no resource: in a path such as "sessions/.." they mean
  // the folder itself or its parent.
  if (value == "." || value == "..") return "must not be \".\" or \"..\"";
  return {};
}

bool IsKnownTimeZone(const std::string& name) { return FindTimeZone(name) != nullptr; }

absl::Status ValidateEvent(const Event& event) {
  absl::Status st = CheckId("event.event_id", event.event_id);
  if (!st.ok()) return st;
  st = CheckId("event.session_id", event.session_id);
  if (!st.ok()) return st;
  if (event.occurred_at.time_since_epoch().count() <= 0) {
    return Invalid("event.occurred_at", "required (a time after 1970-01-01T00:00:00Z)");
  }
  return std::visit(PayloadValidator{}, event.payload);
}

}  // namespace unitclock::core

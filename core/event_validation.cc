#include "core/event_validation.h"

#include <date/tz.h>

#include <algorithm>
#include <exception>
#include <string>
#include <string_view>

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

struct PayloadValidator {
  absl::Status operator()(const std::monostate&) const {
    return Invalid("event.payload",
                   "required: one of session_started, participant_joined, participant_left, "
                   "media_changed, activity_started, activity_ended, liveness_signal, "
                   "session_stopped");
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
    if (!st.ok()) return st;
    if (s.clinic_time_zone.empty()) return Invalid(f + "clinic_time_zone", "required");
    if (!IsKnownTimeZone(s.clinic_time_zone)) {
      return Invalid(f + "clinic_time_zone", "not an IANA time zone such as \"America/Chicago\"");
    }
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

bool IsKnownTimeZone(const std::string& name) {
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    // date throws std::runtime_error for an unknown zone; no exception leaves the core.
    return false;
  }
}

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

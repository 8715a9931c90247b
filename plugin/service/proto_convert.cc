#include "plugin/service/proto_convert.h"

#include <google/protobuf/util/time_util.h>

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "core/event_validation.h"
#include "core/fingerprint.h"

namespace unitclock::service {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

using store::DeterministicBytes;

absl::Status Invalid(const std::string& field, const std::string& reason) {
  return absl::InvalidArgumentError(field + ": " + reason);
}

// Core and API enums list the same values in the same order, starting with
// "unspecified" at 0 (checked by proto_convert_test). A value the API does
// not define is an error, not a silent "unspecified".
template <typename CoreEnum, typename IsValid>
absl::StatusOr<CoreEnum> EnumFromProto(int value, IsValid is_valid, const std::string& field) {
  if (!is_valid(value)) return Invalid(field, "unknown value " + std::to_string(value));
  return static_cast<CoreEnum>(value);
}

template <typename ProtoEnum, typename CoreEnum>
ProtoEnum EnumToProto(CoreEnum value) {
  return static_cast<ProtoEnum>(static_cast<std::underlying_type_t<CoreEnum>>(value));
}

Timestamp TimeToProto(core::TimePoint t) {
  return TimeUtil::MillisecondsToTimestamp(t.time_since_epoch().count());
}

// Expands to the conversion of one enum field, returning early on error.
#define UNITCLOCK_ENUM_FIELD(out, in, CoreT, ProtoT, path)                     \
  do {                                                                         \
    auto converted = EnumFromProto<CoreT>((in), v1::ProtoT##_IsValid, (path)); \
    if (!converted.ok()) return converted.status();                            \
    (out) = *converted;                                                        \
  } while (false)

// A management interval's or call's duration_seconds, checked against
// core::ValidateEvent's range before it becomes milliseconds: any int64 may
// arrive, and INT64_MAX seconds in milliseconds would overflow.
absl::StatusOr<core::Duration> MonitoringDurationFromProto(std::int64_t seconds,
                                                           const std::string& field) {
  constexpr std::int64_t kMaxSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(core::kMaxMonitoringInterval).count();
  if (seconds < 1 || seconds > kMaxSeconds) {
    return Invalid(field, "must be 1 to " + std::to_string(kMaxSeconds));
  }
  return std::chrono::seconds(seconds);
}

absl::StatusOr<core::EventPayload> PayloadFromProto(const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kSessionStarted: {
      const v1::SessionStarted& p = e.session_started();
      core::SessionStarted s;
      s.platform = p.platform();
      s.patient_ref = p.patient_ref();
      s.provider_ref = p.provider_ref();
      s.payer_id = p.payer_id();
      s.clinic_time_zone = p.clinic_time_zone();
      if (p.has_year_to_date_pt_slp_cents()) {
        s.year_to_date_pt_slp_cents = p.year_to_date_pt_slp_cents();
      }
      if (p.has_year_to_date_ot_cents()) s.year_to_date_ot_cents = p.year_to_date_ot_cents();
      const std::string f = "event.session_started.";
      UNITCLOCK_ENUM_FIELD(s.provider_role, p.provider_role(), core::ProviderRole, ProviderRole,
                           f + "provider_role");
      UNITCLOCK_ENUM_FIELD(s.discipline, p.discipline(), core::Discipline, Discipline,
                           f + "discipline");
      UNITCLOCK_ENUM_FIELD(s.patient_location, p.patient_location(), core::PatientLocation,
                           PatientLocation, f + "patient_location");
      UNITCLOCK_ENUM_FIELD(s.planned_modality, p.planned_modality(), core::Modality, Modality,
                           f + "planned_modality");
      return s;
    }
    case v1::Event::kParticipantJoined: {
      core::ParticipantJoined j;
      j.assistant_ref = e.participant_joined().assistant_ref();
      UNITCLOCK_ENUM_FIELD(j.participant, e.participant_joined().participant(), core::Participant,
                           Participant, "event.participant_joined.participant");
      return j;
    }
    case v1::Event::kParticipantLeft: {
      core::ParticipantLeft l;
      l.assistant_ref = e.participant_left().assistant_ref();
      UNITCLOCK_ENUM_FIELD(l.participant, e.participant_left().participant(), core::Participant,
                           Participant, "event.participant_left.participant");
      return l;
    }
    case v1::Event::kMediaChanged: {
      core::MediaChanged m;
      UNITCLOCK_ENUM_FIELD(m.modality, e.media_changed().modality(), core::Modality, Modality,
                           "event.media_changed.modality");
      return m;
    }
    case v1::Event::kActivityStarted: {
      const v1::ActivityStarted& p = e.activity_started();
      core::ActivityStarted a;
      a.activity_id = p.activity_id();
      a.cpt_code = p.cpt_code();
      UNITCLOCK_ENUM_FIELD(a.kind, p.kind(), core::ActivityKind, ActivityKind,
                           "event.activity_started.kind");
      UNITCLOCK_ENUM_FIELD(a.performed_by, p.performed_by(), core::Participant, Participant,
                           "event.activity_started.performed_by");
      return a;
    }
    case v1::Event::kActivityEnded:
      return core::ActivityEnded{e.activity_ended().activity_id()};
    case v1::Event::kLivenessSignal:
      return core::LivenessSignal{e.liveness_signal().activity_id(), e.liveness_signal().signal()};
    case v1::Event::kSessionStopped: {
      core::SessionStopped s;
      UNITCLOCK_ENUM_FIELD(s.reason, e.session_stopped().reason(), core::StopReason, StopReason,
                           "event.session_stopped.reason");
      return s;
    }
    case v1::Event::kMonitoringEpisodeStarted: {
      const v1::MonitoringEpisodeStarted& p = e.monitoring_episode_started();
      core::MonitoringEpisodeStarted s;
      s.platform = p.platform();
      s.patient_ref = p.patient_ref();
      s.provider_ref = p.provider_ref();
      s.payer_id = p.payer_id();
      s.clinic_time_zone = p.clinic_time_zone();
      const std::string f = "event.monitoring_episode_started.";
      UNITCLOCK_ENUM_FIELD(s.provider_role, p.provider_role(), core::ProviderRole, ProviderRole,
                           f + "provider_role");
      UNITCLOCK_ENUM_FIELD(s.discipline, p.discipline(), core::Discipline, Discipline,
                           f + "discipline");
      UNITCLOCK_ENUM_FIELD(s.device_kind, p.device_kind(), core::DeviceKind, DeviceKind,
                           f + "device_kind");
      UNITCLOCK_ENUM_FIELD(s.program, p.program(), core::MonitoringProgram, MonitoringProgram,
                           f + "program");
      return s;
    }
    case v1::Event::kMonitoringEpisodeEnded:
      return core::MonitoringEpisodeEnded{};
    case v1::Event::kDeviceDataReceived:
      return core::DeviceDataReceived{e.device_data_received().data_kind()};
    case v1::Event::kTreatmentManagementRecorded: {
      const v1::TreatmentManagementRecorded& p = e.treatment_management_recorded();
      const std::string f = "event.treatment_management_recorded.";
      core::TreatmentManagementRecorded t;
      t.clinician_ref = p.clinician_ref();
      t.activity = p.activity();
      UNITCLOCK_ENUM_FIELD(t.clinician_role, p.clinician_role(), core::ProviderRole, ProviderRole,
                           f + "clinician_role");
      absl::StatusOr<core::Duration> d =
          MonitoringDurationFromProto(p.duration_seconds(), f + "duration_seconds");
      if (!d.ok()) return d.status();
      t.duration = *d;
      return t;
    }
    case v1::Event::kInteractiveCommunicationHeld: {
      const v1::InteractiveCommunicationHeld& p = e.interactive_communication_held();
      const std::string f = "event.interactive_communication_held.";
      core::InteractiveCommunicationHeld c;
      c.clinician_ref = p.clinician_ref();
      UNITCLOCK_ENUM_FIELD(c.clinician_role, p.clinician_role(), core::ProviderRole, ProviderRole,
                           f + "clinician_role");
      UNITCLOCK_ENUM_FIELD(c.modality, p.modality(), core::Modality, Modality, f + "modality");
      absl::StatusOr<core::Duration> d =
          MonitoringDurationFromProto(p.duration_seconds(), f + "duration_seconds");
      if (!d.ok()) return d.status();
      c.duration = *d;
      return c;
    }
    case v1::Event::PAYLOAD_NOT_SET:
      return core::EventPayload{};
  }
  return core::EventPayload{};
}

#undef UNITCLOCK_ENUM_FIELD

void SessionStartedToProto(const core::SessionStarted& s, v1::SessionStarted& p) {
  p.set_platform(s.platform);
  p.set_patient_ref(s.patient_ref);
  p.set_provider_ref(s.provider_ref);
  p.set_provider_role(EnumToProto<v1::ProviderRole>(s.provider_role));
  p.set_discipline(EnumToProto<v1::Discipline>(s.discipline));
  p.set_payer_id(s.payer_id);
  p.set_clinic_time_zone(s.clinic_time_zone);
  p.set_patient_location(EnumToProto<v1::PatientLocation>(s.patient_location));
  p.set_planned_modality(EnumToProto<v1::Modality>(s.planned_modality));
  if (s.year_to_date_pt_slp_cents) p.set_year_to_date_pt_slp_cents(*s.year_to_date_pt_slp_cents);
  if (s.year_to_date_ot_cents) p.set_year_to_date_ot_cents(*s.year_to_date_ot_cents);
}

struct PayloadToProto {
  v1::Event& out;
  void operator()(const std::monostate&) const {}
  void operator()(const core::SessionStarted& s) const {
    SessionStartedToProto(s, *out.mutable_session_started());
  }
  void operator()(const core::ParticipantJoined& j) const {
    out.mutable_participant_joined()->set_participant(EnumToProto<v1::Participant>(j.participant));
    out.mutable_participant_joined()->set_assistant_ref(j.assistant_ref);
  }
  void operator()(const core::ParticipantLeft& l) const {
    out.mutable_participant_left()->set_participant(EnumToProto<v1::Participant>(l.participant));
    out.mutable_participant_left()->set_assistant_ref(l.assistant_ref);
  }
  void operator()(const core::MediaChanged& m) const {
    out.mutable_media_changed()->set_modality(EnumToProto<v1::Modality>(m.modality));
  }
  void operator()(const core::ActivityStarted& a) const {
    v1::ActivityStarted& p = *out.mutable_activity_started();
    p.set_activity_id(a.activity_id);
    p.set_kind(EnumToProto<v1::ActivityKind>(a.kind));
    p.set_cpt_code(a.cpt_code);
    p.set_performed_by(EnumToProto<v1::Participant>(a.performed_by));
  }
  void operator()(const core::ActivityEnded& a) const {
    out.mutable_activity_ended()->set_activity_id(a.activity_id);
  }
  void operator()(const core::LivenessSignal& l) const {
    out.mutable_liveness_signal()->set_activity_id(l.activity_id);
    out.mutable_liveness_signal()->set_signal(l.signal);
  }
  void operator()(const core::SessionStopped& s) const {
    out.mutable_session_stopped()->set_reason(EnumToProto<v1::StopReason>(s.reason));
  }
  void operator()(const core::MonitoringEpisodeStarted& s) const {
    v1::MonitoringEpisodeStarted& p = *out.mutable_monitoring_episode_started();
    p.set_platform(s.platform);
    p.set_patient_ref(s.patient_ref);
    p.set_provider_ref(s.provider_ref);
    p.set_provider_role(EnumToProto<v1::ProviderRole>(s.provider_role));
    p.set_discipline(EnumToProto<v1::Discipline>(s.discipline));
    p.set_payer_id(s.payer_id);
    p.set_clinic_time_zone(s.clinic_time_zone);
    p.set_device_kind(EnumToProto<v1::DeviceKind>(s.device_kind));
    p.set_program(EnumToProto<v1::MonitoringProgram>(s.program));
  }
  void operator()(const core::MonitoringEpisodeEnded&) const {
    out.mutable_monitoring_episode_ended();
  }
  void operator()(const core::DeviceDataReceived& d) const {
    out.mutable_device_data_received()->set_data_kind(d.data_kind);
  }
  void operator()(const core::TreatmentManagementRecorded& t) const {
    v1::TreatmentManagementRecorded& p = *out.mutable_treatment_management_recorded();
    p.set_clinician_ref(t.clinician_ref);
    p.set_clinician_role(EnumToProto<v1::ProviderRole>(t.clinician_role));
    p.set_duration_seconds(std::chrono::duration_cast<std::chrono::seconds>(t.duration).count());
    p.set_activity(t.activity);
  }
  void operator()(const core::InteractiveCommunicationHeld& c) const {
    v1::InteractiveCommunicationHeld& p = *out.mutable_interactive_communication_held();
    p.set_clinician_ref(c.clinician_ref);
    p.set_clinician_role(EnumToProto<v1::ProviderRole>(c.clinician_role));
    p.set_modality(EnumToProto<v1::Modality>(c.modality));
    p.set_duration_seconds(std::chrono::duration_cast<std::chrono::seconds>(c.duration).count());
  }
};

void IntervalToProto(const core::Interval& i, v1::TimeInterval& out) {
  *out.mutable_start_time() = TimeToProto(i.start);
  *out.mutable_end_time() = TimeToProto(i.end);
}

std::int64_t WholeSeconds(core::Duration d) {
  return std::chrono::floor<std::chrono::seconds>(d).count();
}

// The API's enums have "unspecified" at 0, the core's start at their first
// value: the same order, shifted by one (checked by proto_convert_test).
v1::ExclusionReason ReasonToProto(core::ExclusionReason r) {
  return static_cast<v1::ExclusionReason>(static_cast<int>(r) + 1);
}

v1::DeliveredBy DeliveredByToProto(core::DeliveredBy d) {
  return static_cast<v1::DeliveredBy>(static_cast<int>(d) + 1);
}

void RoleSplitToProto(const core::RoleSplit& split, v1::RoleSeconds& out) {
  out.set_therapist_seconds(WholeSeconds(split.therapist));
  out.set_assistant_seconds(WholeSeconds(split.assistant));
  out.set_together_seconds(WholeSeconds(split.together));
}

void ExcludedToProto(const core::ExcludedInterval& e, v1::ExcludedInterval& out) {
  IntervalToProto(e.interval, *out.mutable_interval());
  out.set_reason(ReasonToProto(e.reason));
}

}  // namespace

absl::StatusOr<core::TimePoint> TimeFromProto(const google::protobuf::Timestamp& t,
                                              const std::string& field) {
  if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
      t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 || t.nanos() > 999999999) {
    return Invalid(field, "not a valid timestamp");
  }
  // Sub-millisecond digits are dropped: the core works in milliseconds.
  return core::TimePoint(core::Duration(t.seconds() * 1000 + t.nanos() / 1000000));
}

absl::StatusOr<core::Event> EventFromProto(const v1::Event& event) {
  core::Event out;
  out.event_id = event.event_id();
  out.session_id = event.session_id();
  out.sequence_number = event.sequence_number();
  if (event.has_occurred_at()) {
    absl::StatusOr<core::TimePoint> t = TimeFromProto(event.occurred_at(), "event.occurred_at");
    if (!t.ok()) return t.status();
    out.occurred_at = *t;
  }
  absl::StatusOr<core::EventPayload> payload = PayloadFromProto(event);
  if (!payload.ok()) return payload.status();
  out.payload = *std::move(payload);
  return out;
}

v1::Event EventToProto(const core::Event& event) {
  v1::Event out;
  out.set_event_id(event.event_id);
  out.set_session_id(event.session_id);
  *out.mutable_occurred_at() = TimeToProto(event.occurred_at);
  out.set_sequence_number(event.sequence_number);
  std::visit(PayloadToProto{out}, event.payload);
  return out;
}

std::string EncodeEvent(const core::Event& event) {
  return DeterministicBytes(EventToProto(event));
}

absl::Status CheckEnumValue(const google::protobuf::EnumDescriptor& type, int value,
                            std::string_view field) {
  if (type.FindValueByNumber(value) != nullptr) return absl::OkStatus();
  const std::string& name = type.name();
  const bool vowel = name.find_first_of("AEIOU") == 0;
  return Invalid(std::string(field),
                 std::to_string(value) + " is not " + (vowel ? "an " : "a ") + name);
}

absl::StatusOr<v1::SessionView> ViewFromRequest(int view, v1::SessionView fallback) {
  if (absl::Status st = CheckEnumValue<v1::SessionView>(view, "view"); !st.ok()) return st;
  if (view == v1::SESSION_VIEW_UNSPECIFIED) return fallback;
  return static_cast<v1::SessionView>(view);
}

absl::StatusOr<std::set<v1::ReviewState>> StatesFromRequest(
    const v1::ListSuggestionsRequest& request) {
  if (request.states().empty()) {
    return std::set<v1::ReviewState>{v1::REVIEW_STATE_PENDING, v1::REVIEW_STATE_NEEDS_REREVIEW};
  }
  std::set<v1::ReviewState> states;
  for (int i = 0; i < request.states_size(); ++i) {
    const int state = request.states().Get(i);
    const std::string field = "states[" + std::to_string(i) + "]";
    if (absl::Status st = CheckEnumValue<v1::ReviewState>(state, field); !st.ok()) return st;
    if (state == v1::REVIEW_STATE_UNSPECIFIED) {
      return Invalid(field, "REVIEW_STATE_UNSPECIFIED is no state to filter by");
    }
    states.insert(static_cast<v1::ReviewState>(state));
  }
  return states;
}

absl::StatusOr<core::Event> DecodeEvent(std::string_view bytes) {
  v1::Event proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InternalError("event store: a stored event cannot be decoded");
  }
  absl::StatusOr<core::Event> event = EventFromProto(proto);
  if (!event.ok()) {
    return absl::InternalError("event store: a stored event is invalid: " +
                               std::string(event.status().message()));
  }
  return event;
}

void SummaryToProto(const core::SessionSummary& summary, v1::Session& session) {
  session.set_name("sessions/" + summary.session_id);
  session.set_session_id(summary.session_id);
  session.set_state(summary.stopped() ? v1::Session::STATE_STOPPED : v1::Session::STATE_ACTIVE);
  if (summary.started) SessionStartedToProto(*summary.started, *session.mutable_started());
  if (summary.start_time) *session.mutable_start_time() = TimeToProto(*summary.start_time);
  if (summary.stop_time) {
    *session.mutable_stop_time() = TimeToProto(*summary.stop_time);
    session.set_stop_reason(EnumToProto<v1::StopReason>(summary.stop_reason));
  }
  session.set_event_count(static_cast<std::int64_t>(summary.event_count));
  if (summary.first_event_time) {
    *session.mutable_first_event_time() = TimeToProto(*summary.first_event_time);
  }
  if (summary.last_event_time) {
    *session.mutable_last_event_time() = TimeToProto(*summary.last_event_time);
  }
}

}  // namespace unitclock::service

namespace unitclock::service {

void TimelineToProto(const core::Timeline& timeline, v1::Timeline& out) {
  IntervalToProto(timeline.session, *out.mutable_session_interval());
  out.set_session_seconds(WholeSeconds(timeline.session.length()));
  out.set_billable_seconds(WholeSeconds(timeline.billable_total()));
  out.set_billable_minutes(
      std::chrono::floor<std::chrono::minutes>(timeline.billable_total()).count());
  out.set_excluded_seconds(WholeSeconds(timeline.excluded_total()));
  RoleSplitToProto(timeline.billable_by_role, *out.mutable_billable_by_role());
  for (int r = static_cast<int>(core::ExclusionReason::kOutsideActivity);
       r <= static_cast<int>(core::ExclusionReason::kAfterAutoClose); ++r) {
    const auto reason = static_cast<core::ExclusionReason>(r);
    const core::Duration total = timeline.excluded_for(reason);
    if (total.count() == 0) continue;
    v1::ExcludedTotal* t = out.add_excluded_by_reason();
    t->set_reason(ReasonToProto(reason));
    t->set_seconds(WholeSeconds(total));
  }
  for (const core::BillableInterval& b : timeline.billable) {
    v1::BillableInterval* p = out.add_billable_intervals();
    IntervalToProto(b.interval, *p->mutable_interval());
    p->set_activity_id(b.activity_id);
    p->set_delivered_by(DeliveredByToProto(b.delivered_by));
    p->set_media(EnumToProto<v1::Modality>(b.media));
  }
  for (const core::ExcludedInterval& e : timeline.excluded) {
    ExcludedToProto(e, *out.add_excluded_intervals());
  }
  for (const core::ActivityTimeline& a : timeline.activities) {
    v1::ActivityTimeline* p = out.add_activities();
    p->set_activity_id(a.activity_id);
    p->set_kind(EnumToProto<v1::ActivityKind>(a.kind));
    p->set_cpt_code(a.cpt_code);
    p->set_performed_by(EnumToProto<v1::Participant>(a.performed_by));
    IntervalToProto(a.span, *p->mutable_span());
    p->set_ended(a.ended);
    p->set_billable_seconds(WholeSeconds(a.billable.total()));
    RoleSplitToProto(a.billable, *p->mutable_billable_by_role());
    for (const core::ExcludedInterval& e : a.excluded) {
      ExcludedToProto(e, *p->add_excluded_intervals());
    }
  }
  for (const core::TimelineFlag& f : timeline.flags) {
    v1::TimelineFlag* p = out.add_flags();
    p->set_code(core::TimelineFlagName(f.code));
    *p->mutable_time() = TimeToProto(f.at);
    p->set_event_id(f.event_id);
    p->set_message(f.message);
  }
}

}  // namespace unitclock::service

namespace unitclock::service {
namespace {

v1::UnitMethod UnitMethodToProto(core::UnitMethod m) {
  return m == core::UnitMethod::kMedicarePooled ? v1::UNIT_METHOD_MEDICARE_POOLED
                                                : v1::UNIT_METHOD_CPT_MIDPOINT;
}

// The core's kinds list kNone first, as the API lists UNSPECIFIED (checked
// by proto_convert_test).
void MonitoringPeriodToProto(const core::MonitoringPeriod& m, v1::MonitoringPeriod& out) {
  out.set_kind(EnumToProto<v1::MonitoringPeriodKind>(m.kind));
  out.set_first_date(core::FormatDay(m.first));
  out.set_last_date(core::FormatDay(m.last));
  out.set_provisional(m.provisional);
  for (const std::string& id : m.episode_ids) out.add_episode_ids(id);
  for (core::Day d : m.device_data_dates) out.add_device_data_dates(core::FormatDay(d));
  out.set_management_seconds(WholeSeconds(m.management));
  out.set_management_minutes(m.management_minutes);
  out.set_assistant_minutes(m.assistant_minutes);
  for (const core::ManagementTime& t : m.management_times) {
    v1::ManagementTime* p = out.add_management();
    IntervalToProto(t.interval, *p->mutable_interval());
    p->set_clinician_ref(t.clinician_ref);
    p->set_clinician_role(EnumToProto<v1::ProviderRole>(t.clinician_role));
    p->set_event_id(t.event_id);
    p->set_interactive(t.interactive);
  }
  for (const core::InteractiveContact& c : m.contacts) {
    v1::InteractiveContact* p = out.add_interactive_contacts();
    IntervalToProto(c.interval, *p->mutable_interval());
    p->set_event_id(c.event_id);
    p->set_session_id(c.session_id);
    p->set_modality(EnumToProto<v1::Modality>(c.modality));
  }
}

void MethodResultToProto(const core::MethodResult& r, v1::MethodResult& out) {
  out.set_method(UnitMethodToProto(r.method));
  for (const auto& [code, units] : r.units) (*out.mutable_units_by_code())[code] = units;
  out.set_total_units(r.total_units);
  for (const std::string& code : r.tied_codes) out.add_tied_codes(code);
}

}  // namespace

void SuggestionToProto(const core::Suggestion& s, v1::Suggestion& out) {
  out.set_patient_ref(s.patient_ref);
  out.set_date_of_service(core::FormatDay(s.date_of_service));
  out.set_payer_id(s.payer_id);
  out.set_discipline(static_cast<v1::Discipline>(static_cast<int>(s.discipline)));
  for (const std::string& id : s.session_ids) out.add_session_ids(id);
  out.set_method_used(UnitMethodToProto(s.method_used));
  MethodResultToProto(s.medicare_pooled, *out.mutable_medicare_pooled());
  MethodResultToProto(s.cpt_midpoint, *out.mutable_cpt_midpoint());
  for (const core::SuggestedLine& l : s.lines) {
    v1::SuggestedLine* p = out.add_lines();
    p->set_code(l.code);
    p->set_description(l.description);
    p->set_units(l.units);
    for (const std::string& m : l.modifiers) p->add_modifiers(m);
    p->set_place_of_service(l.place_of_service);
    p->set_minutes(l.minutes);
    p->set_assistant_minutes(l.assistant_minutes);
    for (const core::UnitProvenance& u : l.provenance) {
      v1::UnitProvenance* pu = p->add_unit_provenance();
      pu->set_unit_number(u.unit_number);
      for (const core::Interval& i : u.intervals) IntervalToProto(i, *pu->add_intervals());
      for (core::Day d : u.dates) pu->add_dates(core::FormatDay(d));
    }
    for (const std::string& w : l.warning_codes) p->add_warning_codes(w);
    p->set_blocking(l.blocking);
  }
  for (const core::CodingWarning& w : s.warnings) {
    v1::CodingWarning* p = out.add_warnings();
    p->set_code(w.code);
    p->set_severity(static_cast<v1::Severity>(static_cast<int>(w.severity) + 1));
    p->set_message(w.message);
    p->set_cpt_code(w.cpt_code);
  }
  v1::Documentation* d = out.mutable_documentation();
  d->set_total_timed_minutes(s.documentation.total_timed_minutes);
  d->set_pooled_timed_minutes(s.documentation.pooled_timed_minutes);
  d->set_total_treatment_minutes(s.documentation.total_treatment_minutes);
  for (const auto& [code, minutes] : s.documentation.minutes_by_code) {
    (*d->mutable_minutes_by_code())[code] = minutes;
  }
  if (s.monitoring) MonitoringPeriodToProto(*s.monitoring, *out.mutable_monitoring());
}

v1::MonitoringProgress MonitoringProgressToProto(const core::MonitoringProgress& p) {
  v1::MonitoringProgress out;
  out.set_month(core::FormatMonth(p.month));
  out.set_management_minutes(p.management_minutes);
  out.set_interactive_communication(p.interactive_communication);
  for (const std::string& code : p.management_codes) out.add_management_codes(code);
  out.set_device_period_first_date(core::FormatDay(p.period_first));
  out.set_device_period_last_date(core::FormatDay(p.period_last));
  out.set_device_days(p.device_days);
  out.set_device_code(p.device_code);
  for (const core::MonitoringGap& g : p.missing) {
    v1::MonitoringGap* m = out.add_missing();
    m->set_code(g.code);
    m->set_device_days_needed(g.device_days_needed);
    m->set_minutes_needed(g.minutes_needed);
    m->set_interactive_communication_needed(g.interactive_communication_needed);
    m->set_message(g.message);
  }
  out.set_ended(p.ended);
  return out;
}

void ProgressToProto(const core::LiveProgress& p, bool stopped, v1::SessionProgress& out) {
  out.set_state(stopped ? v1::Session::STATE_STOPPED : v1::Session::STATE_ACTIVE);
  out.set_billable_seconds(WholeSeconds(p.billable));
  out.set_billable_minutes(p.billable_minutes);
  out.set_units(p.units);
  out.set_minutes_to_next_unit(p.minutes_to_next_unit);
  out.set_current_code(p.current_code);
  out.set_method(UnitMethodToProto(p.method));
}

}  // namespace unitclock::service

namespace unitclock::service {
absl::StatusOr<core::Day> DayFromRequest(const std::string& text, const std::string& field) {
  const std::optional<core::Day> day = core::ParseDay(text);
  if (!day) return Invalid(field, "must be a date \"YYYY-MM-DD\"");
  return *day;
}

absl::StatusOr<core::SuggestionKey> SuggestionKeyFromName(const std::string& name,
                                                          const std::string& field) {
  constexpr std::string_view kPrefix = "suggestions/";
  std::optional<core::SuggestionKey> key;
  if (name.size() > kPrefix.size() && name.compare(0, kPrefix.size(), kPrefix) == 0) {
    key = core::ParseSuggestionId(std::string_view(name).substr(kPrefix.size()));
  }
  // The name itself is not repeated: it may be long or hold any byte.
  if (!key) {
    return Invalid(field,
                   "must be suggestions/{id}, where id is a suggestion id as ListSuggestions "
                   "returns it");
  }
  return *key;
}

std::string SuggestionEtag(const core::Suggestion& s) {
  v1::Suggestion numbers;
  for (const core::SuggestedLine& l : s.lines) {
    v1::SuggestedLine* p = numbers.add_lines();
    p->set_code(l.code);
    p->set_units(l.units);
    for (const std::string& m : l.modifiers) p->add_modifiers(m);
    p->set_place_of_service(l.place_of_service);
    p->set_minutes(l.minutes);
    p->set_assistant_minutes(l.assistant_minutes);
    p->set_blocking(l.blocking);
  }
  for (const core::CodingWarning& w : s.warnings) {
    v1::CodingWarning* p = numbers.add_warnings();
    p->set_code(w.code);
    p->set_cpt_code(w.cpt_code);
  }
  // A monitoring suggestion approved while its period was open is reviewed
  // again once it closes: only then is it billable.
  if (s.monitoring && s.monitoring->provisional)
    numbers.mutable_monitoring()->set_provisional(true);
  return core::Fnv1a64Hex(DeterministicBytes(numbers));
}

v1::ReviewState ReviewStateToProto(core::ReviewState state) {
  switch (state) {
    case core::ReviewState::kPending:
      return v1::REVIEW_STATE_PENDING;
    case core::ReviewState::kApproved:
      return v1::REVIEW_STATE_APPROVED;
    case core::ReviewState::kAmended:
      return v1::REVIEW_STATE_AMENDED;
    case core::ReviewState::kRejected:
      return v1::REVIEW_STATE_REJECTED;
    case core::ReviewState::kNeedsReReview:
      return v1::REVIEW_STATE_NEEDS_REREVIEW;
    case core::ReviewState::kExported:
      return v1::REVIEW_STATE_EXPORTED;
  }
  return v1::REVIEW_STATE_UNSPECIFIED;
}

void ReviewedSuggestionToProto(const core::ReviewedSuggestion& s, v1::ReviewedSuggestion& out) {
  out.set_name("suggestions/" + s.suggestion_id);
  out.set_suggestion_id(s.suggestion_id);
  out.set_platform(s.platform);
  out.set_provider_ref(s.provider_ref);
  out.set_state(ReviewStateToProto(s.state));
  out.set_etag(s.etag);
  SuggestionToProto(s.suggestion, *out.mutable_suggestion());
  for (const core::ApprovedLine& l : s.approved_lines) {
    ApprovedLineToProto(l, *out.add_approved_lines());
  }
}

void AuditRecordToProto(const core::ReviewRecord& r, v1::AuditRecord& out) {
  out.set_record_id(r.record_id);
  *out.mutable_time() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
      r.recorded_at.time_since_epoch().count());
  out.set_actor(r.actor);
  out.set_action(core::ReviewActionName(r.action));
  out.set_suggestion_id(r.suggestion_id);
  out.set_etag(r.fingerprint);
  out.set_reason(r.reason);
  out.set_override_reason(r.override_reason);
  for (const core::ApprovedLine& l : r.before) ApprovedLineToProto(l, *out.add_before());
  for (const core::ApprovedLine& l : r.after) ApprovedLineToProto(l, *out.add_after());
  out.set_batch_id(r.batch_id);
}

absl::StatusOr<core::ReviewCommand> ReviewCommandFromProto(
    const v1::ReviewSuggestionRequest& request) {
  core::ReviewCommand command;
  absl::StatusOr<core::SuggestionKey> key = SuggestionKeyFromName(request.name(), "name");
  if (!key.ok()) return key.status();
  command.key = *std::move(key);
  if (absl::Status st = CheckEnumValue<v1::ReviewAction>(request.action(), "action"); !st.ok()) {
    return st;
  }
  switch (request.action()) {
    case v1::REVIEW_ACTION_APPROVE:
      command.request.action = core::ReviewAction::kApprove;
      break;
    case v1::REVIEW_ACTION_AMEND:
      command.request.action = core::ReviewAction::kAmend;
      break;
    case v1::REVIEW_ACTION_REJECT:
      command.request.action = core::ReviewAction::kReject;
      break;
    default:
      return Invalid("action", "must be approve, amend or reject");
  }
  command.platform = request.platform();
  command.reviewer_ref = request.reviewer_ref();
  command.etag = request.etag();
  command.request.reason = request.reason();
  command.request.override_reason = request.override_reason();
  for (const v1::ApprovedLine& l : request.amended_lines()) {
    command.request.amended_lines.push_back(ApprovedLineFromProto(l));
  }
  return command;
}

absl::StatusOr<core::exports::ExportRequest> ExportRequestFromProto(
    const v1::ExportClaimsRequest& request) {
  core::exports::ExportRequest out;
  if (absl::Status st = CheckEnumValue<v1::ExportFormat>(request.format(), "format"); !st.ok()) {
    return st;
  }
  switch (request.format()) {
    case v1::EXPORT_FORMAT_CSV:
      out.format = core::exports::Format::kCsv;
      break;
    case v1::EXPORT_FORMAT_X12_837P:
      out.format = core::exports::Format::kX12_837P;
      break;
    case v1::EXPORT_FORMAT_FHIR_R4:
      out.format = core::exports::Format::kFhirR4;
      break;
    default:
      return Invalid("format", "must be CSV, X12_837P or FHIR_R4");
  }
  absl::StatusOr<core::Day> first = DayFromRequest(request.date_min(), "date_min");
  if (!first.ok()) return first.status();
  absl::StatusOr<core::Day> last = DayFromRequest(request.date_max(), "date_max");
  if (!last.ok()) return last.status();
  out.platform = request.platform();
  out.actor_ref = request.actor_ref();
  out.first = *first;
  out.last = *last;
  out.include_exported = request.include_exported();
  return out;
}

}  // namespace unitclock::service

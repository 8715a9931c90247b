#include "core/event_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/events.h"

namespace unitclock::core {
namespace {

using ::testing::HasSubstr;
using testing::MakeEvent;
using testing::StartedEvent;

// Expects INVALID_ARGUMENT whose message starts with `field` and contains `reason`.
void ExpectInvalid(const Event& e, const std::string& field, const std::string& reason) {
  const absl::Status st = ValidateEvent(e);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), ::testing::StartsWith(field + ": ")) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr(reason)) << st;
}

TEST(ValidateEvent, AcceptsACompleteSessionStarted) {
  EXPECT_TRUE(ValidateEvent(StartedEvent("e1", "s1")).ok());
}

TEST(ValidateEvent, AcceptsEveryOtherPayloadKind) {
  const EventPayload payloads[] = {
      ParticipantJoined{Participant::kPatient, ""},
      ParticipantLeft{Participant::kAssistant, "pta-1"},
      MediaChanged{Modality::kAudioOnly},
      ActivityStarted{"a1", ActivityKind::kTherapeuticExercise, "", Participant::kProvider},
      ActivityStarted{"a2", ActivityKind::kUnspecified, "97112", Participant::kAssistant},
      ActivityEnded{"a1"},
      LivenessSignal{"a1", "repetition"},
      SessionStopped{StopReason::kEnded},
  };
  for (const EventPayload& p : payloads) {
    const Event e = MakeEvent("e1", "s1", 10, p);
    EXPECT_TRUE(ValidateEvent(e).ok()) << ValidateEvent(e) << " payload index " << p.index();
  }
}

TEST(ValidateEvent, EnvelopeFieldsAreRequiredAndBounded) {
  Event e = StartedEvent("", "s1");
  ExpectInvalid(e, "event.event_id", "required");
  e.event_id = std::string(129, 'a');
  ExpectInvalid(e, "event.event_id", "longer than 128");
  e.event_id = "has space";
  ExpectInvalid(e, "event.event_id", "only letters, digits");
  e.event_id = "e1";
  e.session_id = "";
  ExpectInvalid(e, "event.session_id", "required");
  e.session_id = "s1";
  e.occurred_at = TimePoint{};
  ExpectInvalid(e, "event.occurred_at", "required");
}

TEST(ValidateEvent, DotAndDotDotAreNoIds) {
  // A session ".." would be named "sessions/..", which resource names refuse.
  for (const std::string id : {".", ".."}) {
    ExpectInvalid(StartedEvent("e1", id), "event.session_id", "must not be \".\" or \"..\"");
    ExpectInvalid(StartedEvent(id, "s1"), "event.event_id", "must not be \".\" or \"..\"");
    EXPECT_FALSE(IsValidId(id));
  }
  EXPECT_TRUE(ValidateEvent(StartedEvent("e1", "...")).ok());
  EXPECT_TRUE(ValidateEvent(StartedEvent("e1", ".s1")).ok());
}

TEST(IdProblem, OneCheckForEventsAndResourceNames) {
  EXPECT_TRUE(IsValidId("aZ09-_.:"));
  EXPECT_TRUE(IsValidId(std::string(128, 'x')));
  EXPECT_EQ(IdProblem(""), "required");
  EXPECT_EQ(IdProblem(std::string(129, 'x')), "longer than 128 characters");
  EXPECT_EQ(IdProblem("a/b"), "only letters, digits and \"-_.:\" are allowed");
  EXPECT_EQ(IdProblem("a\x01"), "only letters, digits and \"-_.:\" are allowed");
  EXPECT_EQ(IdProblem(".."), "must not be \".\" or \"..\"");
}

TEST(ValidateEvent, PayloadIsRequired) {
  ExpectInvalid(MakeEvent("e1", "s1", 0, std::monostate{}), "event.payload", "required");
}

TEST(ValidateEvent, SessionStartedNamesEachMissingField) {
  struct Case {
    void (*clear)(SessionStarted&);
    std::string field;
  };
  const Case cases[] = {
      {[](SessionStarted& s) { s.platform.clear(); }, "platform"},
      {[](SessionStarted& s) { s.patient_ref.clear(); }, "patient_ref"},
      {[](SessionStarted& s) { s.provider_ref.clear(); }, "provider_ref"},
      {[](SessionStarted& s) { s.provider_role = ProviderRole::kUnspecified; }, "provider_role"},
      {[](SessionStarted& s) { s.discipline = Discipline::kUnspecified; }, "discipline"},
      {[](SessionStarted& s) { s.payer_id.clear(); }, "payer_id"},
      {[](SessionStarted& s) { s.clinic_time_zone.clear(); }, "clinic_time_zone"},
      {[](SessionStarted& s) { s.patient_location = PatientLocation::kUnspecified; },
       "patient_location"},
      {[](SessionStarted& s) { s.planned_modality = Modality::kUnspecified; }, "planned_modality"},
  };
  for (const Case& c : cases) {
    Event e = StartedEvent("e1", "s1");
    c.clear(std::get<SessionStarted>(e.payload));
    ExpectInvalid(e, "event.session_started." + c.field, "required");
  }
}

TEST(ValidateEvent, ClinicTimeZoneMustBeIana) {
  Event e = StartedEvent("e1", "s1");
  std::get<SessionStarted>(e.payload).clinic_time_zone = "Mars/Olympus_Mons";
  ExpectInvalid(e, "event.session_started.clinic_time_zone", "not an IANA time zone");
  std::get<SessionStarted>(e.payload).clinic_time_zone = "Europe/Berlin";
  EXPECT_TRUE(ValidateEvent(e).ok());
}

TEST(ValidateEvent, YearToDateAmountsAreOptionalAndNeverNegative) {
  Event e = StartedEvent("e1", "s1");
  auto& s = std::get<SessionStarted>(e.payload);
  s.year_to_date_pt_slp_cents = 0;
  s.year_to_date_ot_cents = 310000;
  EXPECT_TRUE(ValidateEvent(e).ok());
  s.year_to_date_pt_slp_cents = -1;
  EXPECT_EQ(ValidateEvent(e).message(),
            "event.session_started.year_to_date_pt_slp_cents: must not be negative");
  s.year_to_date_pt_slp_cents.reset();
  s.year_to_date_ot_cents = -1;
  EXPECT_EQ(ValidateEvent(e).message(),
            "event.session_started.year_to_date_ot_cents: must not be negative");
}

TEST(ValidateEvent, ReferencesAreBoundedPrintableText) {
  Event e = StartedEvent("e1", "s1");
  std::get<SessionStarted>(e.payload).patient_ref = "pt\n1";
  ExpectInvalid(e, "event.session_started.patient_ref", "printable ASCII");
  std::get<SessionStarted>(e.payload).patient_ref = std::string(200, 'x');
  ExpectInvalid(e, "event.session_started.patient_ref", "longer than 128");
}

// A reference with an X12 delimiter would make every 837P it reaches
// unwritable: refused when the event arrives, naming the field.
TEST(ValidateEvent, ReferencesMustNotContainX12Delimiters) {
  for (const char* ref : {"pt~1", "pt*1", "pt:1", "pt^1"}) {
    SCOPED_TRACE(ref);
    Event e = StartedEvent("e1", "s1");
    std::get<SessionStarted>(e.payload).patient_ref = ref;
    ExpectInvalid(e, "event.session_started.patient_ref",
                  "must not contain ~ * : ^ (X12 delimiters)");
    e = StartedEvent("e1", "s1");
    std::get<SessionStarted>(e.payload).provider_ref = ref;
    ExpectInvalid(e, "event.session_started.provider_ref", "X12 delimiters");
    e = StartedEvent("e1", "s1");
    std::get<SessionStarted>(e.payload).platform = ref;
    ExpectInvalid(e, "event.session_started.platform", "X12 delimiters");
  }
  Event e = StartedEvent("e1", "s1");
  std::get<SessionStarted>(e.payload).patient_ref = "pt-4f9c2a_1.b";  // harmless
  EXPECT_TRUE(ValidateEvent(e).ok());
}

TEST(ValidateEvent, ErrorsNeverRepeatAPatientReference) {
  Event e = StartedEvent("e1", "s1", 0, std::string(129, 'N'));
  const absl::Status st = ValidateEvent(e);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), ::testing::Not(HasSubstr("NNNN")));
}

TEST(ValidateEvent, AssistantNeedsItsReferenceAndOnlyTheAssistantHasOne) {
  ExpectInvalid(MakeEvent("e1", "s1", 0, ParticipantJoined{Participant::kAssistant, ""}),
                "event.participant_joined.assistant_ref", "required");
  ExpectInvalid(MakeEvent("e1", "s1", 0, ParticipantLeft{Participant::kPatient, "pta-1"}),
                "event.participant_left.assistant_ref", "only when participant is the assistant");
  ExpectInvalid(MakeEvent("e1", "s1", 0, ParticipantJoined{}),
                "event.participant_joined.participant", "required");
}

TEST(ValidateEvent, ActivityNeedsKindOrFiveDigitCodeAndAPerformer) {
  ExpectInvalid(
      MakeEvent("e1", "s1", 0,
                ActivityStarted{"a1", ActivityKind::kUnspecified, "", Participant::kProvider}),
      "event.activity_started.kind", "required when cpt_code is not set");
  ExpectInvalid(
      MakeEvent("e1", "s1", 0,
                ActivityStarted{"a1", ActivityKind::kMassage, "9712", Participant::kProvider}),
      "event.activity_started.cpt_code", "five-digit");
  ExpectInvalid(MakeEvent("e1", "s1", 0,
                          ActivityStarted{"a1", ActivityKind::kMassage, "", Participant::kPatient}),
                "event.activity_started.performed_by", "provider or the assistant");
  ExpectInvalid(MakeEvent("e1", "s1", 0,
                          ActivityStarted{"", ActivityKind::kMassage, "", Participant::kProvider}),
                "event.activity_started.activity_id", "required");
}

TEST(ValidateEvent, MediaChangedNeedsAModality) {
  ExpectInvalid(MakeEvent("e1", "s1", 0, MediaChanged{}), "event.media_changed.modality",
                "required");
}

TEST(ValidateEvent, LivenessSignalNameIsBounded) {
  ExpectInvalid(MakeEvent("e1", "s1", 0, LivenessSignal{"a1", std::string(65, 'r')}),
                "event.liveness_signal.signal", "longer than 64");
}

// ---- Remote monitoring events.

MonitoringEpisodeStarted CompleteEpisodeStart() {
  MonitoringEpisodeStarted s;
  s.platform = "demo-rehab";
  s.patient_ref = "pt-0001";
  s.provider_ref = "prov-77";
  s.provider_role = ProviderRole::kPt;
  s.discipline = Discipline::kPhysicalTherapy;
  s.payer_id = "medicare";
  s.clinic_time_zone = "America/Chicago";
  s.device_kind = DeviceKind::kMusculoskeletal;
  s.program = MonitoringProgram::kRemoteTherapeutic;
  return s;
}

TreatmentManagementRecorded CompleteManagement() {
  return TreatmentManagementRecorded{"pt-clin-1", ProviderRole::kPt, std::chrono::minutes(12),
                                     "data_review"};
}

InteractiveCommunicationHeld CompleteCall() {
  return InteractiveCommunicationHeld{"pt-clin-1", ProviderRole::kPta, Modality::kAudioOnly,
                                      std::chrono::minutes(5)};
}

TEST(ValidateMonitoringEvent, AcceptsEachCompletePayload) {
  const EventPayload payloads[] = {
      CompleteEpisodeStart(), MonitoringEpisodeEnded{},
      DeviceDataReceived{""}, DeviceDataReceived{"exercise_session"},
      CompleteManagement(),   CompleteCall(),
  };
  for (const EventPayload& p : payloads) {
    const Event e = MakeEvent("e1", "ep1", 10, p);
    EXPECT_TRUE(ValidateEvent(e).ok()) << ValidateEvent(e) << " payload index " << p.index();
  }
}

TEST(ValidateMonitoringEvent, EpisodeStartedNamesEachMissingField) {
  struct Case {
    void (*clear)(MonitoringEpisodeStarted&);
    std::string field;
  };
  const Case cases[] = {
      {[](MonitoringEpisodeStarted& s) { s.platform.clear(); }, "platform"},
      {[](MonitoringEpisodeStarted& s) { s.patient_ref.clear(); }, "patient_ref"},
      {[](MonitoringEpisodeStarted& s) { s.provider_ref.clear(); }, "provider_ref"},
      {[](MonitoringEpisodeStarted& s) { s.provider_role = ProviderRole::kUnspecified; },
       "provider_role"},
      {[](MonitoringEpisodeStarted& s) { s.discipline = Discipline::kUnspecified; }, "discipline"},
      {[](MonitoringEpisodeStarted& s) { s.payer_id.clear(); }, "payer_id"},
      {[](MonitoringEpisodeStarted& s) { s.clinic_time_zone.clear(); }, "clinic_time_zone"},
      {[](MonitoringEpisodeStarted& s) { s.device_kind = DeviceKind::kUnspecified; },
       "device_kind"},
      {[](MonitoringEpisodeStarted& s) { s.program = MonitoringProgram::kUnspecified; }, "program"},
  };
  for (const Case& c : cases) {
    MonitoringEpisodeStarted s = CompleteEpisodeStart();
    c.clear(s);
    ExpectInvalid(MakeEvent("e1", "ep1", 0, s), "event.monitoring_episode_started." + c.field,
                  "required");
  }
}

TEST(ValidateMonitoringEvent, OnlyATherapistBillsAnEpisode) {
  for (ProviderRole role : {ProviderRole::kPta, ProviderRole::kOta}) {
    MonitoringEpisodeStarted s = CompleteEpisodeStart();
    s.provider_role = role;
    ExpectInvalid(MakeEvent("e1", "ep1", 0, s), "event.monitoring_episode_started.provider_role",
                  "must be PT, OT or SLP: an assistant cannot bill a monitoring episode");
  }
  for (ProviderRole role : {ProviderRole::kPt, ProviderRole::kOt, ProviderRole::kSlp}) {
    MonitoringEpisodeStarted s = CompleteEpisodeStart();
    s.provider_role = role;
    EXPECT_TRUE(ValidateEvent(MakeEvent("e1", "ep1", 0, s)).ok());
  }
}

TEST(ValidateMonitoringEvent, EpisodeReferencesFollowTheVisitRules) {
  const std::string f = "event.monitoring_episode_started.";
  for (const char* ref : {"pt~1", "pt*1", "pt:1", "pt^1"}) {
    SCOPED_TRACE(ref);
    MonitoringEpisodeStarted s = CompleteEpisodeStart();
    s.patient_ref = ref;
    ExpectInvalid(MakeEvent("e1", "ep1", 0, s), f + "patient_ref", "X12 delimiters");
    s = CompleteEpisodeStart();
    s.provider_ref = ref;
    ExpectInvalid(MakeEvent("e1", "ep1", 0, s), f + "provider_ref", "X12 delimiters");
    s = CompleteEpisodeStart();
    s.platform = ref;
    ExpectInvalid(MakeEvent("e1", "ep1", 0, s), f + "platform", "X12 delimiters");
  }
  MonitoringEpisodeStarted s = CompleteEpisodeStart();
  s.patient_ref = std::string(129, 'N');
  const absl::Status st = ValidateEvent(MakeEvent("e1", "ep1", 0, s));
  ExpectInvalid(MakeEvent("e1", "ep1", 0, s), f + "patient_ref", "longer than 128");
  EXPECT_THAT(std::string(st.message()), ::testing::Not(HasSubstr("NNNN")));
  s = CompleteEpisodeStart();
  s.provider_ref = "prov\t1";
  ExpectInvalid(MakeEvent("e1", "ep1", 0, s), f + "provider_ref", "printable ASCII");
  s = CompleteEpisodeStart();
  s.payer_id = std::string(65, 'p');
  ExpectInvalid(MakeEvent("e1", "ep1", 0, s), f + "payer_id", "longer than 64");
  s = CompleteEpisodeStart();
  s.clinic_time_zone = "Mars/Olympus_Mons";
  ExpectInvalid(MakeEvent("e1", "ep1", 0, s), f + "clinic_time_zone", "not an IANA time zone");
}

TEST(ValidateMonitoringEvent, ManagementNeedsItsClinicianAndAWholeDurationUpToFourHours) {
  const std::string f = "event.treatment_management_recorded.";
  auto with = [](void (*change)(TreatmentManagementRecorded&)) {
    TreatmentManagementRecorded t = CompleteManagement();
    change(t);
    return MakeEvent("e1", "ep1", 0, t);
  };
  ExpectInvalid(with([](TreatmentManagementRecorded& t) { t.clinician_ref.clear(); }),
                f + "clinician_ref", "required");
  ExpectInvalid(with([](TreatmentManagementRecorded& t) { t.clinician_ref = "c~1"; }),
                f + "clinician_ref", "X12 delimiters");
  ExpectInvalid(
      with([](TreatmentManagementRecorded& t) { t.clinician_role = ProviderRole::kUnspecified; }),
      f + "clinician_role", "required");
  ExpectInvalid(with([](TreatmentManagementRecorded& t) { t.activity = std::string(65, 'a'); }),
                f + "activity", "longer than 64");
  const Duration bad[] = {Duration::zero(), std::chrono::milliseconds(-1000),
                          std::chrono::milliseconds(999), std::chrono::milliseconds(1500),
                          kMaxMonitoringInterval + std::chrono::seconds(1)};
  for (Duration d : bad) {
    TreatmentManagementRecorded t = CompleteManagement();
    t.duration = d;
    EXPECT_EQ(ValidateEvent(MakeEvent("e1", "ep1", 0, t)).message(),
              f + "duration_seconds: must be 1 to 14400")
        << d.count() << " ms";
  }
  for (Duration d : {Duration(std::chrono::seconds(1)), kMaxMonitoringInterval}) {
    TreatmentManagementRecorded t = CompleteManagement();
    t.duration = d;
    EXPECT_TRUE(ValidateEvent(MakeEvent("e1", "ep1", 0, t)).ok()) << d.count() << " ms";
  }
  // An assistant's time is recorded (and later carries CQ or CO).
  TreatmentManagementRecorded t = CompleteManagement();
  t.clinician_role = ProviderRole::kOta;
  EXPECT_TRUE(ValidateEvent(MakeEvent("e1", "ep1", 0, t)).ok());
}

TEST(ValidateMonitoringEvent, ACallIsRealTimeAndTwoWay) {
  const std::string f = "event.interactive_communication_held.";
  InteractiveCommunicationHeld c = CompleteCall();
  c.modality = Modality::kUnspecified;
  ExpectInvalid(MakeEvent("e1", "ep1", 0, c), f + "modality", "required");
  c.modality = Modality::kNone;
  ExpectInvalid(MakeEvent("e1", "ep1", 0, c), f + "modality", "must be a real-time two-way medium");
  c.modality = Modality::kAudioVideo;
  EXPECT_TRUE(ValidateEvent(MakeEvent("e1", "ep1", 0, c)).ok());
  c = CompleteCall();
  c.clinician_ref.clear();
  ExpectInvalid(MakeEvent("e1", "ep1", 0, c), f + "clinician_ref", "required");
  c = CompleteCall();
  c.clinician_role = ProviderRole::kUnspecified;
  ExpectInvalid(MakeEvent("e1", "ep1", 0, c), f + "clinician_role", "required");
  c = CompleteCall();
  c.duration = kMaxMonitoringInterval + std::chrono::seconds(1);
  EXPECT_EQ(ValidateEvent(MakeEvent("e1", "ep1", 0, c)).message(),
            f + "duration_seconds: must be 1 to 14400");
}

TEST(ValidateMonitoringEvent, DataKindIsBounded) {
  ExpectInvalid(MakeEvent("e1", "ep1", 0, DeviceDataReceived{std::string(65, 'd')}),
                "event.device_data_received.data_kind", "longer than 64");
}

TEST(ValidateMonitoringEvent, ClinicianErrorsNeverRepeatTheReference) {
  TreatmentManagementRecorded t = CompleteManagement();
  t.clinician_ref = "SECRET^REF";
  const absl::Status st = ValidateEvent(MakeEvent("e1", "ep1", 0, t));
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), ::testing::Not(HasSubstr("SECRET")));
}

}  // namespace
}  // namespace unitclock::core

#include "plugin/service/proto_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <vector>

#include "tests/testing/events.h"

namespace unitclock::service {
namespace {

using ::testing::HasSubstr;
using std::chrono_literals::operator""y;
using testing::MakeEvent;
using testing::StartedEvent;

// Every enum away from its first value, so that a swapped field shows.
core::MonitoringEpisodeStarted EpisodeStart() {
  core::MonitoringEpisodeStarted s = testing::EpisodeStart();
  s.provider_role = core::ProviderRole::kOt;
  s.discipline = core::Discipline::kOccupationalTherapy;
  s.device_kind = core::DeviceKind::kCognitiveBehavioral;
  s.program = core::MonitoringProgram::kRemotePhysiologic;
  return s;
}

std::vector<core::Event> OneOfEachKind() {
  return {
      StartedEvent("e1", "s1"),
      MakeEvent("e2", "s1", 1, core::ParticipantJoined{core::Participant::kAssistant, "pta-1"}),
      MakeEvent("e3", "s1", 2, core::ParticipantLeft{core::Participant::kProvider, ""}),
      MakeEvent("e4", "s1", 3, core::MediaChanged{core::Modality::kNone}),
      MakeEvent("e5", "s1", 4,
                core::ActivityStarted{"a1", core::ActivityKind::kGroupTherapy, "97150",
                                      core::Participant::kAssistant}),
      MakeEvent("e6", "s1", 5, core::ActivityEnded{"a1"}),
      MakeEvent("e7", "s1", 6, core::LivenessSignal{"a1", "repetition"}),
      MakeEvent("e8", "s1", 7, core::SessionStopped{core::StopReason::kTimedOut}),
      // A monitoring episode's.
      MakeEvent("m1", "ep1", 8, EpisodeStart()),
      MakeEvent("m2", "ep1", 9, core::DeviceDataReceived{"exercise_session"}),
      MakeEvent("m3", "ep1", 10,
                core::TreatmentManagementRecorded{"pt-clin-1", core::ProviderRole::kPta,
                                                  std::chrono::seconds(14400), "data_review"}),
      MakeEvent(
          "m4", "ep1", 11,
          core::InteractiveCommunicationHeld{"pt-clin-1", core::ProviderRole::kPt,
                                             core::Modality::kAudioOnly, std::chrono::seconds(1)}),
      MakeEvent("m5", "ep1", 12, core::MonitoringEpisodeEnded{}),
  };
}

TEST(ProtoConvert, EveryPayloadKindRoundTrips) {
  for (core::Event e : OneOfEachKind()) {
    e.sequence_number = 42;
    absl::StatusOr<core::Event> back = EventFromProto(EventToProto(e));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, e) << "payload index " << e.payload.index();
    absl::StatusOr<core::Event> decoded = DecodeEvent(EncodeEvent(e));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, e);
  }
}

TEST(ProtoConvert, EnumsMapNameForName) {
  // Core and API enums share their order; the last value of each proves it.
  core::Event e = StartedEvent("e1", "s1");
  auto& s = std::get<core::SessionStarted>(e.payload);
  s.provider_role = core::ProviderRole::kSlp;
  s.discipline = core::Discipline::kSpeechLanguage;
  s.patient_location = core::PatientLocation::kOther;
  s.planned_modality = core::Modality::kNone;
  const v1::Event p = EventToProto(e);
  EXPECT_EQ(p.session_started().provider_role(), v1::PROVIDER_ROLE_SLP);
  EXPECT_EQ(p.session_started().discipline(), v1::DISCIPLINE_SPEECH_LANGUAGE_PATHOLOGY);
  EXPECT_EQ(p.session_started().patient_location(), v1::PATIENT_LOCATION_OTHER);
  EXPECT_EQ(p.session_started().planned_modality(), v1::MODALITY_NONE);
  const v1::Event a = EventToProto(OneOfEachKind()[4]);
  EXPECT_EQ(a.activity_started().kind(), v1::ACTIVITY_KIND_GROUP_THERAPY);
  EXPECT_EQ(a.activity_started().performed_by(), v1::PARTICIPANT_ASSISTANT);
  EXPECT_EQ(EventToProto(OneOfEachKind()[7]).session_stopped().reason(), v1::STOP_REASON_TIMED_OUT);
  EXPECT_EQ(v1::ActivityKind_MAX, v1::ACTIVITY_KIND_GROUP_THERAPY);
  EXPECT_EQ(v1::ProviderRole_MAX, v1::PROVIDER_ROLE_SLP);
}

TEST(ProtoConvert, UnknownEnumValueIsRejectedWithItsField) {
  v1::Event p = EventToProto(StartedEvent("e1", "s1"));
  p.mutable_session_started()->set_discipline(static_cast<v1::Discipline>(42));
  absl::StatusOr<core::Event> e = EventFromProto(p);
  ASSERT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e.status().message(), "event.session_started.discipline: unknown value 42");
}

TEST(ProtoConvert, InvalidTimestampIsRejected) {
  v1::Event p = EventToProto(StartedEvent("e1", "s1"));
  p.mutable_occurred_at()->set_nanos(-1);
  EXPECT_THAT(std::string(EventFromProto(p).status().message()),
              HasSubstr("event.occurred_at: not a valid timestamp"));
  p.mutable_occurred_at()->set_nanos(0);
  p.mutable_occurred_at()->set_seconds(400000000000LL);  // past year 9999
  EXPECT_EQ(EventFromProto(p).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProtoConvert, SubMillisecondDigitsAreDropped) {
  v1::Event p = EventToProto(StartedEvent("e1", "s1"));
  p.mutable_occurred_at()->set_nanos(123456789);
  absl::StatusOr<core::Event> e = EventFromProto(p);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->occurred_at, testing::At(0) + std::chrono::milliseconds(123));
}

TEST(ProtoConvert, EncodingTellsEqualFromDifferentEvents) {
  const core::Event a = StartedEvent("e1", "s1");
  core::Event b = a;
  EXPECT_EQ(EncodeEvent(a), EncodeEvent(b));
  std::get<core::SessionStarted>(b.payload).payer_id = "aetna";
  EXPECT_NE(EncodeEvent(a), EncodeEvent(b));
}

TEST(ProtoConvert, YearToDateAmountsOfSessionStartedRoundTrip) {
  core::Event e = StartedEvent("e1", "s1");
  auto& s = std::get<core::SessionStarted>(e.payload);
  s.year_to_date_pt_slp_cents = 241000;
  s.year_to_date_ot_cents = 0;  // known to be zero: set, not absent
  const v1::Event p = EventToProto(e);
  ASSERT_TRUE(p.session_started().has_year_to_date_pt_slp_cents());
  EXPECT_EQ(p.session_started().year_to_date_pt_slp_cents(), 241000);
  ASSERT_TRUE(p.session_started().has_year_to_date_ot_cents());
  EXPECT_EQ(p.session_started().year_to_date_ot_cents(), 0);
  absl::StatusOr<core::Event> back = EventFromProto(p);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, e);
  absl::StatusOr<core::Event> decoded = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, e);
}

TEST(ProtoConvert, AbsentYearToDateAmountsStayAbsent) {
  const core::Event e = StartedEvent("e1", "s1");
  const v1::Event p = EventToProto(e);
  EXPECT_FALSE(p.session_started().has_year_to_date_pt_slp_cents());
  EXPECT_FALSE(p.session_started().has_year_to_date_ot_cents());
  absl::StatusOr<core::Event> back = EventFromProto(p);
  ASSERT_TRUE(back.ok()) << back.status();
  const auto& s = std::get<core::SessionStarted>(back->payload);
  EXPECT_FALSE(s.year_to_date_pt_slp_cents.has_value());
  EXPECT_FALSE(s.year_to_date_ot_cents.has_value());
  // Only one of the two given: the other stays absent.
  v1::Event one = p;
  one.mutable_session_started()->set_year_to_date_ot_cents(5000);
  back = EventFromProto(one);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(std::get<core::SessionStarted>(back->payload).year_to_date_pt_slp_cents);
  EXPECT_EQ(std::get<core::SessionStarted>(back->payload).year_to_date_ot_cents, 5000);
}

TEST(ProtoConvert, YearToDateAmountsArePartOfTheEventsContent) {
  // Idempotency compares encodings: the same event id with another amount
  // (or with an amount where there was none) is a different event.
  const core::Event a = StartedEvent("e1", "s1");
  core::Event b = a;
  std::get<core::SessionStarted>(b.payload).year_to_date_pt_slp_cents = 0;
  EXPECT_NE(EncodeEvent(a), EncodeEvent(b));
  core::Event c = b;
  std::get<core::SessionStarted>(c.payload).year_to_date_pt_slp_cents = 1;
  EXPECT_NE(EncodeEvent(b), EncodeEvent(c));
  core::Event d = a;
  std::get<core::SessionStarted>(d.payload).year_to_date_ot_cents = 0;
  EXPECT_NE(EncodeEvent(a), EncodeEvent(d));
  EXPECT_NE(EncodeEvent(b), EncodeEvent(d));
}

TEST(ProtoConvert, TimelineEnumsMapNameForName) {
  core::Timeline t;
  t.session = {testing::At(0), testing::At(600)};
  t.excluded = {{{testing::At(0), testing::At(60)}, core::ExclusionReason::kOutsideActivity, ""},
                {{testing::At(60), testing::At(600)}, core::ExclusionReason::kAfterAutoClose, ""}};
  t.billable = {{{testing::At(0), testing::At(0)},
                 "a1",
                 core::DeliveredBy::kTogether,
                 core::Modality::kAudioOnly},
                {{testing::At(0), testing::At(0)},
                 "a1",
                 core::DeliveredBy::kTherapist,
                 core::Modality::kAudioVideo}};
  v1::Timeline p;
  TimelineToProto(t, p);
  EXPECT_EQ(p.excluded_intervals(0).reason(), v1::EXCLUSION_REASON_OUTSIDE_ACTIVITY);
  EXPECT_EQ(p.excluded_intervals(1).reason(), v1::EXCLUSION_REASON_AFTER_AUTO_CLOSE);
  EXPECT_EQ(v1::ExclusionReason_MAX, v1::EXCLUSION_REASON_AFTER_AUTO_CLOSE);
  EXPECT_EQ(p.billable_intervals(0).delivered_by(), v1::DELIVERED_BY_TOGETHER);
  EXPECT_EQ(p.billable_intervals(0).media(), v1::MODALITY_AUDIO_ONLY);
  EXPECT_EQ(p.billable_intervals(1).delivered_by(), v1::DELIVERED_BY_THERAPIST);
  EXPECT_EQ(v1::DeliveredBy_MAX, v1::DELIVERED_BY_TOGETHER);
}

TEST(ProtoConvert, TimelineTotalsAreRoundedDownOnceFromMilliseconds) {
  core::Timeline t;
  t.session = {testing::At(0), testing::At(1799) + std::chrono::milliseconds(999)};
  t.billable_by_role.therapist = std::chrono::milliseconds(14 * 60 * 1000 + 59999);  // 14:59.999
  t.billable_by_role.assistant = std::chrono::milliseconds(500);
  t.excluded = {{{testing::At(0), testing::At(900)}, core::ExclusionReason::kIdle, ""},
                {{testing::At(900), testing::At(1200)}, core::ExclusionReason::kIdle, ""}};
  v1::Timeline p;
  TimelineToProto(t, p);
  EXPECT_EQ(p.session_seconds(), 1799);
  EXPECT_EQ(p.billable_seconds(), 900);  // 15:00.499 in all
  EXPECT_EQ(p.billable_minutes(), 15);
  EXPECT_EQ(p.billable_by_role().therapist_seconds(), 899);
  EXPECT_EQ(p.billable_by_role().assistant_seconds(), 0);
  ASSERT_EQ(p.excluded_by_reason_size(), 1);
  EXPECT_EQ(p.excluded_by_reason(0).reason(), v1::EXCLUSION_REASON_IDLE);
  EXPECT_EQ(p.excluded_by_reason(0).seconds(), 1200);
}

TEST(ProtoConvert, MonitoringEnumsMapNameForName) {
  // The last value of each enum proves the shared order.
  const v1::Event p = EventToProto(MakeEvent("m1", "ep1", 0, EpisodeStart()));
  EXPECT_EQ(p.monitoring_episode_started().device_kind(),
            v1::DEVICE_KIND_COGNITIVE_BEHAVIORAL_THERAPY);
  EXPECT_EQ(p.monitoring_episode_started().program(), v1::MONITORING_PROGRAM_REMOTE_PHYSIOLOGIC);
  EXPECT_EQ(p.monitoring_episode_started().provider_role(), v1::PROVIDER_ROLE_OT);
  EXPECT_EQ(v1::DeviceKind_MAX, v1::DEVICE_KIND_COGNITIVE_BEHAVIORAL_THERAPY);
  EXPECT_EQ(v1::MonitoringProgram_MAX, v1::MONITORING_PROGRAM_REMOTE_PHYSIOLOGIC);
  EXPECT_EQ(v1::MonitoringPeriodKind_MAX, v1::MONITORING_PERIOD_KIND_DEVICE_PERIOD);
  const v1::Event call = EventToProto(OneOfEachKind()[11]);
  EXPECT_EQ(call.interactive_communication_held().modality(), v1::MODALITY_AUDIO_ONLY);
  EXPECT_EQ(call.interactive_communication_held().duration_seconds(), 1);
  EXPECT_EQ(EventToProto(OneOfEachKind()[10]).treatment_management_recorded().duration_seconds(),
            14400);
  EXPECT_TRUE(EventToProto(OneOfEachKind()[12]).has_monitoring_episode_ended());
}

TEST(ProtoConvert, UnknownMonitoringEnumValueIsRejectedWithItsField) {
  v1::Event p = EventToProto(MakeEvent("m1", "ep1", 0, EpisodeStart()));
  p.mutable_monitoring_episode_started()->set_device_kind(static_cast<v1::DeviceKind>(7));
  EXPECT_EQ(EventFromProto(p).status().message(),
            "event.monitoring_episode_started.device_kind: unknown value 7");
  p = EventToProto(MakeEvent("m1", "ep1", 0, EpisodeStart()));
  p.mutable_monitoring_episode_started()->set_program(static_cast<v1::MonitoringProgram>(-3));
  EXPECT_EQ(EventFromProto(p).status().message(),
            "event.monitoring_episode_started.program: unknown value -3");
  p = EventToProto(OneOfEachKind()[11]);
  p.mutable_interactive_communication_held()->set_modality(static_cast<v1::Modality>(99));
  EXPECT_EQ(EventFromProto(p).status().message(),
            "event.interactive_communication_held.modality: unknown value 99");
}

// Any int64 may arrive: the range is checked before the seconds become
// milliseconds, so that no value overflows into an accepted one.
TEST(ProtoConvert, MonitoringDurationIsCheckedBeforeItIsConverted) {
  const std::int64_t bad[] = {0,
                              -1,
                              14401,
                              std::numeric_limits<std::int64_t>::max(),
                              std::numeric_limits<std::int64_t>::min(),
                              std::numeric_limits<std::int64_t>::max() / 1000 + 1};
  for (std::int64_t seconds : bad) {
    SCOPED_TRACE(seconds);
    v1::Event m = EventToProto(OneOfEachKind()[10]);
    m.mutable_treatment_management_recorded()->set_duration_seconds(seconds);
    absl::StatusOr<core::Event> e = EventFromProto(m);
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(e.status().message(),
              "event.treatment_management_recorded.duration_seconds: must be 1 to 14400");
    v1::Event c = EventToProto(OneOfEachKind()[11]);
    c.mutable_interactive_communication_held()->set_duration_seconds(seconds);
    EXPECT_EQ(EventFromProto(c).status().message(),
              "event.interactive_communication_held.duration_seconds: must be 1 to 14400");
  }
  v1::Event m = EventToProto(OneOfEachKind()[10]);
  m.mutable_treatment_management_recorded()->set_duration_seconds(754);
  absl::StatusOr<core::Event> e = EventFromProto(m);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(std::get<core::TreatmentManagementRecorded>(e->payload).duration,
            std::chrono::seconds(754));
}

TEST(ProtoConvert, MonitoringEventsEncodeByContent) {
  const core::Event a = OneOfEachKind()[10];
  core::Event b = a;
  EXPECT_EQ(EncodeEvent(a), EncodeEvent(b));
  std::get<core::TreatmentManagementRecorded>(b.payload).duration += std::chrono::seconds(1);
  EXPECT_NE(EncodeEvent(a), EncodeEvent(b));
}

core::Interval Between(int from, int to) { return {testing::At(from), testing::At(to)}; }

TEST(ProtoConvert, MonitoringSuggestionCarriesItsPeriod) {
  using std::chrono::November;
  using std::chrono::October;
  core::Suggestion s;
  s.patient_ref = "pt-0001";
  s.date_of_service = core::Day(2026y / November / 30);
  s.payer_id = "medicare";
  s.discipline = core::Discipline::kPhysicalTherapy;
  core::SuggestedLine line;
  line.code = "98977";
  line.units = 1;
  line.provenance = {core::UnitProvenance{
      1, {}, {core::Day(2026y / November / 2), core::Day(2026y / November / 3)}}};
  s.lines.push_back(line);
  core::MonitoringPeriod m;
  m.kind = core::MonitoringPeriodKind::kDevicePeriod;
  m.first = core::Day(2026y / October / 31);
  m.last = core::Day(2026y / November / 29);
  m.provisional = true;
  m.episode_ids = {"ep1", "ep2"};
  m.device_data_dates = {core::Day(2026y / November / 2), core::Day(2026y / November / 3)};
  m.management = std::chrono::milliseconds(21 * 60 * 1000 + 59999);  // 21:59.999
  m.management_minutes = 21;
  m.assistant_minutes = 9;
  m.management_times = {
      core::ManagementTime{Between(0, 600), "pta-2", core::ProviderRole::kPta, "m3", false},
      core::ManagementTime{Between(600, 900), "pt-1", core::ProviderRole::kPt, "m4", true}};
  m.contacts = {
      core::InteractiveContact{Between(600, 900), "m4", "", core::Modality::kAudioOnly},
      core::InteractiveContact{Between(1000, 2000), "", "visit-1", core::Modality::kAudioVideo}};
  s.monitoring = m;

  v1::Suggestion p;
  SuggestionToProto(s, p);
  ASSERT_TRUE(p.has_monitoring());
  const v1::MonitoringPeriod& pm = p.monitoring();
  EXPECT_EQ(pm.kind(), v1::MONITORING_PERIOD_KIND_DEVICE_PERIOD);
  EXPECT_EQ(pm.first_date(), "2026-10-31");
  EXPECT_EQ(pm.last_date(), "2026-11-29");
  EXPECT_TRUE(pm.provisional());
  EXPECT_THAT(pm.episode_ids(), ::testing::ElementsAre("ep1", "ep2"));
  EXPECT_THAT(pm.device_data_dates(), ::testing::ElementsAre("2026-11-02", "2026-11-03"));
  EXPECT_EQ(pm.management_seconds(), 21 * 60 + 59);  // whole seconds, down
  EXPECT_EQ(pm.management_minutes(), 21);
  EXPECT_EQ(pm.assistant_minutes(), 9);
  ASSERT_EQ(pm.management_size(), 2);
  EXPECT_EQ(pm.management(0).clinician_ref(), "pta-2");
  EXPECT_EQ(pm.management(0).clinician_role(), v1::PROVIDER_ROLE_PTA);
  EXPECT_EQ(pm.management(0).event_id(), "m3");
  EXPECT_FALSE(pm.management(0).interactive());
  EXPECT_TRUE(pm.management(1).interactive());
  EXPECT_EQ(pm.management(1).interval().end_time().seconds() -
                pm.management(1).interval().start_time().seconds(),
            300);
  ASSERT_EQ(pm.interactive_contacts_size(), 2);
  EXPECT_EQ(pm.interactive_contacts(0).event_id(), "m4");
  EXPECT_EQ(pm.interactive_contacts(0).modality(), v1::MODALITY_AUDIO_ONLY);
  EXPECT_EQ(pm.interactive_contacts(1).session_id(), "visit-1");
  EXPECT_EQ(pm.interactive_contacts(1).event_id(), "");
  ASSERT_EQ(p.lines_size(), 1);
  EXPECT_THAT(p.lines(0).unit_provenance(0).dates(),
              ::testing::ElementsAre("2026-11-02", "2026-11-03"));
  EXPECT_EQ(p.date_of_service(), "2026-11-30");

  s.monitoring->kind = core::MonitoringPeriodKind::kCalendarMonth;
  p.Clear();
  SuggestionToProto(s, p);
  EXPECT_EQ(p.monitoring().kind(), v1::MONITORING_PERIOD_KIND_CALENDAR_MONTH);
}

TEST(ProtoConvert, AVisitSuggestionHasNoMonitoringPeriod) {
  core::Suggestion s;
  s.date_of_service = core::Day(std::chrono::year(2026) / 11 / 30);
  v1::Suggestion p;
  SuggestionToProto(s, p);
  EXPECT_FALSE(p.has_monitoring());
}

TEST(ProtoConvert, MonitoringProgressToProto) {
  core::MonitoringProgress g;
  g.month = std::chrono::year(2026) / std::chrono::March;
  g.management_minutes = 14;
  g.interactive_communication = false;
  g.management_codes = {"98979"};
  g.period_first = core::Day(std::chrono::year(2026) / 3 / 10);
  g.period_last = core::Day(std::chrono::year(2026) / 4 / 8);
  g.device_days = 13;
  g.device_code = "98985";
  g.missing = {core::MonitoringGap{"98977", 3, 0, false, "3 more days of data for 98977"},
               core::MonitoringGap{"98980", 0, 6, true, "6 more minutes and a call for 98980"}};
  g.ended = true;
  const v1::MonitoringProgress p = MonitoringProgressToProto(g);
  EXPECT_EQ(p.month(), "2026-03");
  EXPECT_EQ(p.management_minutes(), 14);
  EXPECT_FALSE(p.interactive_communication());
  EXPECT_THAT(p.management_codes(), ::testing::ElementsAre("98979"));
  EXPECT_EQ(p.device_period_first_date(), "2026-03-10");
  EXPECT_EQ(p.device_period_last_date(), "2026-04-08");
  EXPECT_EQ(p.device_days(), 13);
  EXPECT_EQ(p.device_code(), "98985");
  ASSERT_EQ(p.missing_size(), 2);
  EXPECT_EQ(p.missing(0).code(), "98977");
  EXPECT_EQ(p.missing(0).device_days_needed(), 3);
  EXPECT_EQ(p.missing(0).message(), "3 more days of data for 98977");
  EXPECT_EQ(p.missing(1).minutes_needed(), 6);
  EXPECT_TRUE(p.missing(1).interactive_communication_needed());
  EXPECT_TRUE(p.ended());
}

TEST(ProtoConvert, GarbageBytesAreNotAnEvent) {
  EXPECT_EQ(DecodeEvent("\xff\xff\xff").status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace unitclock::service

namespace unitclock::service {
namespace {

TEST(RequestEnums, AValueTheApiDoesNotDefineIsRejectedNamingFieldAndType) {
  EXPECT_TRUE(CheckEnumValue<v1::ReviewState>(v1::REVIEW_STATE_EXPORTED, "state").ok());
  EXPECT_TRUE(CheckEnumValue<v1::ReviewState>(v1::REVIEW_STATE_UNSPECIFIED, "state").ok());
  absl::Status st = CheckEnumValue<v1::ReviewState>(42, "state");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "state: 42 is not a ReviewState");
  st = CheckEnumValue<v1::ReviewAction>(-1, "action");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "action: -1 is not a ReviewAction");
  st = CheckEnumValue<v1::ExportFormat>(v1::ExportFormat_MAX + 1, "format");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "format: 4 is not an ExportFormat");
}

TEST(RequestEnums, AnUnknownViewIsRejectedAndAnUnspecifiedOneTakesTheDefault) {
  EXPECT_EQ(*ViewFromRequest(v1::SESSION_VIEW_UNSPECIFIED, v1::SESSION_VIEW_FULL),
            v1::SESSION_VIEW_FULL);
  EXPECT_EQ(*ViewFromRequest(v1::SESSION_VIEW_UNSPECIFIED, v1::SESSION_VIEW_BASIC),
            v1::SESSION_VIEW_BASIC);
  EXPECT_EQ(*ViewFromRequest(v1::SESSION_VIEW_BASIC, v1::SESSION_VIEW_FULL),
            v1::SESSION_VIEW_BASIC);
  absl::StatusOr<v1::SessionView> view = ViewFromRequest(42, v1::SESSION_VIEW_FULL);
  EXPECT_EQ(view.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(view.status().message(), "view: 42 is not a SessionView");
}

TEST(RequestEnums, StateFiltersAreCheckedElementByElement) {
  v1::ListSuggestionsRequest request;
  absl::StatusOr<std::set<v1::ReviewState>> states = StatesFromRequest(request);
  ASSERT_TRUE(states.ok()) << states.status();
  EXPECT_EQ(*states,
            (std::set<v1::ReviewState>{v1::REVIEW_STATE_PENDING, v1::REVIEW_STATE_NEEDS_REREVIEW}));
  request.add_states(v1::REVIEW_STATE_APPROVED);
  request.add_states(v1::REVIEW_STATE_EXPORTED);
  states = StatesFromRequest(request);
  ASSERT_TRUE(states.ok()) << states.status();
  EXPECT_EQ(*states,
            (std::set<v1::ReviewState>{v1::REVIEW_STATE_APPROVED, v1::REVIEW_STATE_EXPORTED}));
  request.add_states(static_cast<v1::ReviewState>(42));
  states = StatesFromRequest(request);
  EXPECT_EQ(states.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(states.status().message(), "states[2]: 42 is not a ReviewState");
  request.clear_states();
  request.add_states(v1::REVIEW_STATE_UNSPECIFIED);
  states = StatesFromRequest(request);
  EXPECT_EQ(states.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(states.status().message(),
            "states[0]: REVIEW_STATE_UNSPECIFIED is no state to filter by");
}

}  // namespace
}  // namespace unitclock::service

#include "plugin/service/proto_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "tests/testing/events.h"

namespace unitclock::service {
namespace {

using ::testing::HasSubstr;
using testing::MakeEvent;
using testing::StartedEvent;

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

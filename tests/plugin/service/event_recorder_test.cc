#include "plugin/service/event_recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "plugin/service/proto_convert.h"
#include "plugin/store/sqlite/sqlite_store.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::service {
namespace {

using testing::At;
using ::testing::ElementsAre;
using v1::EventAcknowledgement;

constexpr core::Duration kTolerance = std::chrono::minutes(5);

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenSqliteStore(dir_.File("events.db"));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
    recorder_ = std::make_unique<EventRecorder>(*store_.events, clock_, kTolerance);
  }

  // A valid API event of session "s1" at `t`.
  static v1::Event JoinedAt(const std::string& id, core::TimePoint t) {
    core::Event e =
        testing::MakeEvent(id, "s1", 0, core::ParticipantJoined{core::Participant::kPatient, ""});
    e.occurred_at = t;
    return EventToProto(e);
  }

  std::vector<EventAcknowledgement> Record(const std::vector<v1::Event>& events) {
    std::vector<const v1::Event*> batch;
    for (const v1::Event& e : events) batch.push_back(&e);
    auto acks = recorder_->Record(batch, {});
    EXPECT_TRUE(acks.ok()) << acks.status();
    return acks.ok() ? *acks : std::vector<EventAcknowledgement>{};
  }

  std::vector<std::string> StoredIds() {
    auto stored = store_.events->LoadSession("s1");
    EXPECT_TRUE(stored.ok()) << stored.status();
    std::vector<std::string> ids;
    for (const store::StoredEvent& e : *stored) ids.push_back(e.event_id);
    return ids;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{At(0)};
  store::Store store_;
  std::unique_ptr<EventRecorder> recorder_;
};

TEST_F(EventRecorderTest, AnEventUpToTheToleranceAheadOfTheClockIsRecorded) {
  const auto acks = Record({JoinedAt("at-limit", clock_.Now() + kTolerance)});
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED) << acks[0].error_message();
  EXPECT_THAT(StoredIds(), ElementsAre("at-limit"));
}

TEST_F(EventRecorderTest, AnEventFurtherAheadIsRejectedAndItsNeighboursAreRecorded) {
  const core::TimePoint now = clock_.Now();
  const auto acks =
      Record({JoinedAt("before", now - std::chrono::minutes(1)),
              JoinedAt("too-far", now + kTolerance + core::Duration(1)), JoinedAt("after", now)});
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(acks[1].event_id(), "too-far");
  EXPECT_EQ(acks[1].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[1].error_code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(acks[1].error_message(),
            "event.occurred_at: more than 300 seconds ahead of the server clock");
  EXPECT_EQ(acks[2].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_THAT(StoredIds(), ElementsAre("before", "after"));
}

// The log keeps each event's bytes as received. A retry whose bytes differ
// but mean the same event (digits below the millisecond, which unitclock
// drops; a field this version does not know) is still a retry; the same id
// with other content is not.
TEST_F(EventRecorderTest, ARetryEncodedOtherwiseIsStillARetry) {
  v1::Event first = JoinedAt("e1", At(-60));
  first.mutable_occurred_at()->set_nanos(123000000);
  ASSERT_EQ(Record({first})[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  v1::Event again = first;
  again.mutable_occurred_at()->set_nanos(123456789);
  again.GetReflection()->MutableUnknownFields(&again)->AddVarint(999, 7);
  EXPECT_EQ(Record({again})[0].outcome(), EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
  v1::Event other = first;
  other.mutable_participant_joined()->set_participant(v1::PARTICIPANT_PROVIDER);
  const EventAcknowledgement ack = Record({other})[0];
  EXPECT_EQ(ack.outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(ack.error_code(), static_cast<int>(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(StoredIds(), ElementsAre("e1"));
  // What is stored is the first event's bytes, as received.
  EXPECT_EQ(store_.events->LoadSession("s1")->front().payload, first.SerializeAsString());
}

TEST_F(EventRecorderTest, ARejectedFutureEventIsAcceptedOnceTheClockCatchesUp) {
  const v1::Event event = JoinedAt("early", clock_.Now() + kTolerance + std::chrono::seconds(1));
  EXPECT_EQ(Record({event})[0].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Record({event})[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
}

TEST_F(EventRecorderTest, ASessionStoppedEventClosesTheSessionInTheStore) {
  Record({JoinedAt("joined", At(-60))});
  EXPECT_EQ(store_.events->ListOpenSessions(At(0))->size(), 1u);
  Record({EventToProto(
      testing::MakeEvent("stopped", "s1", -30, core::SessionStopped{core::StopReason::kEnded}))});
  EXPECT_TRUE(store_.events->ListOpenSessions(At(0))->empty());
}

TEST_F(EventRecorderTest, ANegativeYearToDateAmountIsRejectedNamingItsField) {
  core::Event pt_slp = testing::StartedEvent("pt-slp", "s1");
  std::get<core::SessionStarted>(pt_slp.payload).year_to_date_pt_slp_cents = -1;
  core::Event ot = testing::StartedEvent("ot", "s1");
  std::get<core::SessionStarted>(ot.payload).year_to_date_pt_slp_cents = 0;
  std::get<core::SessionStarted>(ot.payload).year_to_date_ot_cents = -5;
  const auto acks = Record({EventToProto(pt_slp), EventToProto(ot)});
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[0].error_code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(acks[0].error_message(),
            "event.session_started.year_to_date_pt_slp_cents: must not be negative");
  EXPECT_EQ(acks[1].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[1].error_message(),
            "event.session_started.year_to_date_ot_cents: must not be negative");
  EXPECT_TRUE(store_.events->LoadSession("s1")->empty());
}

TEST_F(EventRecorderTest, YearToDateAmountsAreStoredAndPartOfTheEventsContent) {
  core::Event started = testing::StartedEvent("started", "s1");
  std::get<core::SessionStarted>(started.payload).year_to_date_pt_slp_cents = 0;
  std::get<core::SessionStarted>(started.payload).year_to_date_ot_cents = 187500;
  EXPECT_EQ(Record({EventToProto(started)})[0].outcome(), EventAcknowledgement::OUTCOME_RECORDED);
  EXPECT_EQ(Record({EventToProto(started)})[0].outcome(),
            EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
  auto stored = store_.events->LoadSession("s1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 1u);
  absl::StatusOr<core::Event> decoded = DecodeEvent((*stored)[0].payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, started);
  // The same id with another amount is another event.
  core::Event changed = started;
  std::get<core::SessionStarted>(changed.payload).year_to_date_ot_cents = 187501;
  const auto acks = Record({EventToProto(changed)});
  EXPECT_EQ(acks[0].outcome(), EventAcknowledgement::OUTCOME_REJECTED);
  EXPECT_EQ(acks[0].error_code(), static_cast<int>(absl::StatusCode::kAlreadyExists));
}

}  // namespace
}  // namespace unitclock::service

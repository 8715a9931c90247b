#include "core/session_summary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "tests/testing/events.h"

namespace unitclock::core {
namespace {

using testing::At;
using testing::MakeEvent;
using testing::StartedEvent;

std::vector<Event> ThreeEvents() {
  return {StartedEvent("e1", "s1", 0),
          MakeEvent("e2", "s1", 60, MediaChanged{Modality::kAudioOnly}),
          MakeEvent("e3", "s1", 1800, SessionStopped{StopReason::kEnded})};
}

TEST(SummarizeSession, ReadsFactsTimesAndCount) {
  const std::vector<Event> events = ThreeEvents();
  const SessionSummary s = SummarizeSession("s1", events);
  EXPECT_EQ(s.session_id, "s1");
  ASSERT_TRUE(s.started.has_value());
  EXPECT_EQ(s.started->patient_ref, "pt-0001");
  EXPECT_EQ(s.start_time, At(0));
  EXPECT_TRUE(s.stopped());
  EXPECT_EQ(s.stop_time, At(1800));
  EXPECT_EQ(s.stop_reason, StopReason::kEnded);
  EXPECT_EQ(s.event_count, 3u);
  EXPECT_EQ(s.first_event_time, At(0));
  EXPECT_EQ(s.last_event_time, At(1800));
}

TEST(SummarizeSession, IsActiveUntilStoppedAndEmptyUntilStarted) {
  const std::vector<Event> events = {MakeEvent("e2", "s1", 60, MediaChanged{Modality::kNone})};
  const SessionSummary s = SummarizeSession("s1", events);
  EXPECT_FALSE(s.stopped());
  EXPECT_FALSE(s.started.has_value());
  EXPECT_FALSE(s.start_time.has_value());
  EXPECT_EQ(s.event_count, 1u);
}

TEST(SummarizeSession, DependsOnlyOnTheSetOfEventsNotTheirOrder) {
  std::vector<Event> events = ThreeEvents();
  events.push_back(StartedEvent("e0", "s1", 30, "pt-later"));
  std::sort(events.begin(), events.end(), EventOrder);
  const SessionSummary reference = SummarizeSession("s1", events);
  do {
    const SessionSummary s = SummarizeSession("s1", events);
    EXPECT_EQ(s.started, reference.started);
    EXPECT_EQ(s.start_time, reference.start_time);
    EXPECT_EQ(s.stop_time, reference.stop_time);
  } while (std::next_permutation(events.begin(), events.end(), EventOrder));
  // The earliest SessionStarted wins, whatever arrived first.
  EXPECT_EQ(reference.started->patient_ref, "pt-0001");
}

TEST(SummarizeSession, SimultaneousStartsGoToTheSmallerEventId) {
  const std::vector<Event> events = {StartedEvent("b", "s1", 0, "pt-b"),
                                     StartedEvent("a", "s1", 0, "pt-a")};
  EXPECT_EQ(SummarizeSession("s1", events).started->patient_ref, "pt-a");
}

TEST(SummarizeSession, AStopWithoutReasonCountsAsEnded) {
  const std::vector<Event> events = {MakeEvent("e1", "s1", 60, SessionStopped{})};
  EXPECT_EQ(SummarizeSession("s1", events).stop_reason, StopReason::kEnded);
  EXPECT_EQ(SummarizeSession("s1", {}).stop_reason, StopReason::kUnspecified);
}

}  // namespace
}  // namespace unitclock::core

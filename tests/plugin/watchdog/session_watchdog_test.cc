#include "plugin/watchdog/session_watchdog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/event_validation.h"
#include "plugin/service/event_recorder.h"
#include "plugin/service/proto_convert.h"
#include "plugin/store/sqlite/sqlite_store.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::watchdog {
namespace {

using testing::At;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

constexpr core::Duration kTimeout = std::chrono::minutes(30);

// FindIdleSessions

TEST(FindIdleSessions, ClosesASessionIdleForExactlyTheTimeoutAtItsLastEvent) {
  const std::vector<store::OpenSession> open = {{"s1", At(0)}};
  EXPECT_THAT(FindIdleSessions(At(0) + kTimeout, open, kTimeout),
              ElementsAre(StopDecision{"s1", At(0)}));
}

TEST(FindIdleSessions, LeavesASessionIdleForJustUnderTheTimeout) {
  const std::vector<store::OpenSession> open = {{"s1", At(0)}};
  EXPECT_THAT(FindIdleSessions(At(0) + kTimeout - core::Duration(1), open, kTimeout), IsEmpty());
}

TEST(FindIdleSessions, DecidesEachOfSeveralSessionsOnItsOwn) {
  const std::vector<store::OpenSession> open = {
      {"old", At(0)}, {"at-limit", At(600)}, {"recent", At(3000)}, {"future", At(9000)}};
  const core::TimePoint now = At(600) + kTimeout;
  EXPECT_THAT(FindIdleSessions(now, open, kTimeout),
              ElementsAre(StopDecision{"old", At(0)}, StopDecision{"at-limit", At(600)}));
}

TEST(FindIdleSessions, NoOpenSessionsNoDecisions) {
  EXPECT_THAT(FindIdleSessions(At(0), {}, kTimeout), IsEmpty());
}

// WatchdogStopEventId

// An event id as core/event_validation.cc accepts it.
bool IsValidEventId(const std::string& id) {
  core::Event e = testing::MakeEvent(id, "s1", 0, core::SessionStopped{});
  return core::ValidateEvent(e).ok();
}

TEST(WatchdogStopEventId, IsDeterministic) {
  EXPECT_EQ(WatchdogStopEventId("session-1"), WatchdogStopEventId("session-1"));
  // FNV-1a 64 of "a" is af63dc4c8601ec8c: stable across builds and machines.
  EXPECT_EQ(WatchdogStopEventId("a"), "watchdog-stop-af63dc4c8601ec8c");
}

TEST(WatchdogStopEventId, DiffersForDifferentSessions) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(WatchdogStopEventId("session-" + std::to_string(i)));
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_NE(WatchdogStopEventId("ab"), WatchdogStopEventId("ba"));
}

TEST(WatchdogStopEventId, IsAValidEventIdForTheLongestSessionId) {
  const std::string longest(core::kMaxIdLength, 'z');
  const std::string id = WatchdogStopEventId(longest);
  EXPECT_EQ(id.size(), std::string("watchdog-stop-").size() + 16);
  EXPECT_TRUE(IsValidEventId(id)) << id;
  EXPECT_TRUE(IsValidEventId(WatchdogStopEventId("a.b:c_d-e")));
}

// SessionWatchdog, with a real store and a fake clock.

class SessionWatchdogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenSqliteStore(dir_.File("events.db"));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
    recorder_ =
        std::make_unique<service::EventRecorder>(*store_.events, clock_, std::chrono::minutes(5));
    intake_ =
        std::make_unique<service::EventIntake>(*store_.events, clock_, std::chrono::minutes(5));
  }

  std::unique_ptr<SessionWatchdog> MakeWatchdog(core::Duration scan_interval = 60s) {
    WatchdogOptions options;
    options.timeout = kTimeout;
    options.scan_interval = scan_interval;
    return std::make_unique<SessionWatchdog>(*store_.events, *intake_, clock_, options);
  }

  // Records core events through the recorder, as the service does.
  void Record(const std::vector<core::Event>& events) {
    std::vector<v1::Event> protos;
    for (const core::Event& e : events) protos.push_back(service::EventToProto(e));
    std::vector<const v1::Event*> batch;
    for (const v1::Event& e : protos) batch.push_back(&e);
    auto acks = recorder_->Record(batch, {});
    ASSERT_TRUE(acks.ok()) << acks.status();
    for (const auto& ack : *acks) {
      ASSERT_EQ(ack.outcome(), v1::EventAcknowledgement::OUTCOME_RECORDED) << ack.error_message();
    }
  }

  std::vector<core::Event> Load(const std::string& session_id) {
    std::vector<core::Event> events;
    auto stored = store_.events->LoadSession(session_id);
    EXPECT_TRUE(stored.ok()) << stored.status();
    for (const store::StoredEvent& s : *stored) {
      auto e = service::DecodeEvent(s.payload);
      EXPECT_TRUE(e.ok()) << e.status();
      if (e.ok()) events.push_back(*std::move(e));
    }
    return events;
  }

  static core::Event Joined(const std::string& id, const std::string& session, int seconds) {
    return testing::MakeEvent(id, session, seconds,
                              core::ParticipantJoined{core::Participant::kPatient, ""});
  }

  // Three sessions: "idle" (last event at At(120)), "active" (an event
  // just now) and "stopped" (idle, but stopped by the platform).
  void RecordThreeSessions() {
    Record({testing::StartedEvent("idle-1", "idle", 0), Joined("idle-2", "idle", 120),
            testing::StartedEvent("active-1", "active", 0),
            Joined("active-2", "active", 60 * 60 - 10),
            testing::StartedEvent("stopped-1", "stopped", 0),
            testing::MakeEvent("stopped-2", "stopped", 60,
                               core::SessionStopped{core::StopReason::kEnded})});
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{At(60 * 60)};
  store::Store store_;
  std::unique_ptr<service::EventRecorder> recorder_;
  std::unique_ptr<service::EventIntake> intake_;  // the watchdog's
};

TEST_F(SessionWatchdogTest, ScanClosesAnIdleSessionOnceAtItsLastEvent) {
  RecordThreeSessions();
  auto watchdog = MakeWatchdog();
  auto closed = watchdog->ScanOnce();
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 1);

  const std::vector<core::Event> idle = Load("idle");
  ASSERT_EQ(idle.size(), 3u);
  const core::Event& stop = idle.back();
  EXPECT_EQ(stop.event_id, WatchdogStopEventId("idle"));
  EXPECT_EQ(stop.session_id, "idle");
  EXPECT_EQ(stop.occurred_at, At(120));
  EXPECT_EQ(stop.payload, core::EventPayload(core::SessionStopped{core::StopReason::kTimedOut}));
}

TEST_F(SessionWatchdogTest, ScanLeavesActiveAndStoppedSessionsAlone) {
  RecordThreeSessions();
  ASSERT_TRUE(MakeWatchdog()->ScanOnce().ok());
  EXPECT_EQ(Load("active").size(), 2u);
  EXPECT_EQ(Load("stopped").size(), 2u);
  EXPECT_EQ(*store_.events->CountEvents(), 7);
}

TEST_F(SessionWatchdogTest, ASecondScanClosesNothingAndStoresNothing) {
  RecordThreeSessions();
  auto watchdog = MakeWatchdog();
  ASSERT_EQ(*watchdog->ScanOnce(), 1);
  const std::int64_t count = *store_.events->CountEvents();
  auto again = watchdog->ScanOnce();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(*store_.events->CountEvents(), count);
}

TEST_F(SessionWatchdogTest, ASessionBecomesIdleAsTheClockMoves) {
  RecordThreeSessions();
  auto watchdog = MakeWatchdog();
  ASSERT_EQ(*watchdog->ScanOnce(), 1);  // "idle"
  clock_.Advance(kTimeout - 11s);       // "active" idle for 29:59
  EXPECT_EQ(*watchdog->ScanOnce(), 0);
  clock_.Advance(1s);  // exactly 30:00
  EXPECT_EQ(*watchdog->ScanOnce(), 1);
  EXPECT_EQ(Load("active").back().occurred_at, At(60 * 60 - 10));
}

// A remote monitoring episode goes weeks between events and ends with its
// own event: the watchdog, which closes idle visits, never stops one, even
// one whose start has not arrived yet.
TEST_F(SessionWatchdogTest, AnIdleMonitoringEpisodeIsNeverClosed) {
  Record({testing::MakeEvent("ep-1", "episode", 0, testing::EpisodeStart()),
          testing::MakeEvent("ep-2", "episode", 60, core::DeviceDataReceived{"exercise_session"}),
          testing::MakeEvent("d-1", "data-first", 30, core::DeviceDataReceived{""}),
          testing::StartedEvent("idle-1", "idle", 0)});
  auto watchdog = MakeWatchdog();
  auto closed = watchdog->ScanOnce();
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 1);  // the idle visit
  clock_.Advance(std::chrono::days(40));
  EXPECT_EQ(*watchdog->ScanOnce(), 0);
  EXPECT_EQ(Load("episode").size(), 2u);
  EXPECT_EQ(Load("data-first").size(), 1u);
  EXPECT_EQ(Load("idle").size(), 2u);
}

// The race between a scan and a late event: the scan finds "idle" idle, an
// event of it arrives (a platform back from a network outage), then the scan
// records its stop. The session must stay open, and close only once it is
// idle again, at its new last event.
TEST_F(SessionWatchdogTest, AnEventBetweenTheScanAndItsStopKeepsTheSessionOpen) {
  RecordThreeSessions();
  auto watchdog = MakeWatchdog();
  auto open = store_.events->ListOpenSessions(clock_.Now() - kTimeout + core::Duration(1));
  ASSERT_TRUE(open.ok()) << open.status();
  const std::vector<StopDecision> decisions = FindIdleSessions(clock_.Now(), *open, kTimeout);
  ASSERT_THAT(decisions, ElementsAre(StopDecision{"idle", At(120), 2}));

  Record({Joined("idle-3", "idle", 60 * 60 - 5)});
  auto closed = watchdog->Close(decisions);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(*closed, 0);
  EXPECT_EQ(Load("idle").size(), 3u);                                         // no stop stored
  EXPECT_EQ(store_.events->ListOpenSessions(clock_.Now() + 1s)->size(), 2u);  // "idle" and "active"

  clock_.Advance(kTimeout);
  EXPECT_EQ(*watchdog->ScanOnce(), 2);
  EXPECT_EQ(Load("idle").back().event_id, WatchdogStopEventId("idle"));
  EXPECT_EQ(Load("idle").back().occurred_at, At(60 * 60 - 5));
}

TEST_F(SessionWatchdogTest, ARetriedStopIsAlreadyRecorded) {
  // As if a scan stored its stop and crashed before the store said so: the
  // same decision again is the same event, acknowledged and stored once.
  RecordThreeSessions();
  ASSERT_EQ(*MakeWatchdog()->ScanOnce(), 1);
  const v1::Event again = service::EventToProto(Load("idle").back());
  const v1::Event* batch[] = {&again};
  auto acks = recorder_->Record(batch, {});
  ASSERT_TRUE(acks.ok());
  EXPECT_EQ((*acks)[0].outcome(), v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED);
}

TEST_F(SessionWatchdogTest, StartScansOnATimerUntilStopped) {
  RecordThreeSessions();
  auto watchdog = MakeWatchdog(20ms);
  watchdog->Start();
  watchdog->Start();  // idempotent
  // Polled, not slept: the assertion is that it happens within 5 s.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (Load("idle").size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(Load("idle").size(), 3u);
  watchdog->Stop();
  watchdog->Stop();  // idempotent

  // Stopped: a session that becomes idle now stays open.
  clock_.Advance(kTimeout);
  const std::int64_t count = *store_.events->CountEvents();
  watchdog.reset();  // the destructor stops too, and must not hang
  EXPECT_EQ(*store_.events->CountEvents(), count);
  EXPECT_EQ(store_.events->ListOpenSessions(clock_.Now())->size(), 1u);
}

TEST_F(SessionWatchdogTest, DestroyingARunningWatchdogStopsIt) {
  auto watchdog = MakeWatchdog(20ms);
  watchdog->Start();
  watchdog.reset();
  SUCCEED();
}

}  // namespace
}  // namespace unitclock::watchdog

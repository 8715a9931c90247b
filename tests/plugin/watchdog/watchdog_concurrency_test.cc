// The session watchdog under concurrent use: its Asio timer scans while other
// threads record events and stop sessions and the clock moves; many threads
// scan at once; Start and Stop race. The sessions it closes must be exactly
// the idle ones, each once, at its last event. Part of watchdog_test, which
// also runs under ThreadSanitizer (UNITCLOCK_TSAN): it starts no gRPC server
// or channel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "plugin/service/event_recorder.h"
#include "plugin/service/proto_convert.h"
#include "plugin/store/sqlite/sqlite_store.h"
#include "plugin/watchdog/session_watchdog.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::watchdog {
namespace {

using testing::At;
using ::testing::UnorderedElementsAreArray;
using namespace std::chrono_literals;

constexpr core::Duration kTimeout = std::chrono::minutes(30);
// The clock starts at At(kStart): ten hours into the test day.
constexpr int kStart = 10 * 3600;

// A clock that counts its readings and lets a test wait for the next one.
// The watchdog reads its clock exactly once per scan, so a reading taken
// after some moment is a scan that began after it. Thread-safe.
class CountingClock final : public common::Clock {
 public:
  explicit CountingClock(const common::Clock& base) : base_(base) {}

  core::TimePoint Now() const override {
    absl::MutexLock lock(&mu_);
    ++readings_;
    read_.SignalAll();
    return base_.Now();
  }

  int readings() const {
    absl::MutexLock lock(&mu_);
    return readings_;
  }

  // Waits until there have been more than `n` readings, for at most
  // `timeout`; returns whether there were.
  bool WaitForReadingsAbove(int n, absl::Duration timeout) const {
    const absl::Time deadline = absl::Now() + timeout;
    absl::MutexLock lock(&mu_);
    while (readings_ <= n) {
      if (read_.WaitWithDeadline(&mu_, deadline)) return readings_ > n;
    }
    return true;
  }

 private:
  const common::Clock& base_;
  mutable absl::Mutex mu_;
  mutable int readings_ ABSL_GUARDED_BY(mu_) = 0;
  mutable absl::CondVar read_;
};

core::Event Joined(const std::string& id, const std::string& session, int seconds) {
  return testing::MakeEvent(id, session, seconds,
                            core::ParticipantJoined{core::Participant::kPatient, ""});
}

core::Event Stopped(const std::string& id, const std::string& session, int seconds) {
  return testing::MakeEvent(id, session, seconds, core::SessionStopped{core::StopReason::kEnded});
}

class WatchdogConcurrencyTest : public ::testing::Test {
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

  std::unique_ptr<SessionWatchdog> MakeWatchdog(core::Duration scan_interval) {
    WatchdogOptions options;
    options.timeout = kTimeout;
    options.scan_interval = scan_interval;
    return std::make_unique<SessionWatchdog>(*store_.events, *intake_, watchdog_clock_, options);
  }

  // Records `events` through the recorder, as the service does, from any
  // thread; each must be newly recorded.
  void Record(const std::vector<core::Event>& events) {
    std::vector<v1::Event> protos;
    for (const core::Event& e : events) protos.push_back(service::EventToProto(e));
    std::vector<const v1::Event*> batch;
    for (const v1::Event& e : protos) batch.push_back(&e);
    auto acks = recorder_->Record(batch, {});
    ASSERT_TRUE(acks.ok()) << acks.status();
    for (const auto& ack : *acks) {
      EXPECT_EQ(ack.outcome(), v1::EventAcknowledgement::OUTCOME_RECORDED)
          << ack.event_id() << ": " << ack.error_message();
    }
  }

  std::vector<core::Event> Load(const std::string& session_id) {
    std::vector<core::Event> events;
    auto stored = store_.events->LoadSession(session_id);
    EXPECT_TRUE(stored.ok()) << stored.status();
    if (!stored.ok()) return events;
    for (const store::StoredEvent& s : *stored) {
      auto e = service::DecodeEvent(s.payload);
      EXPECT_TRUE(e.ok()) << e.status();
      if (e.ok()) events.push_back(*std::move(e));
    }
    return events;
  }

  // Checks that `session_id` holds exactly one watchdog stop, at `stop_at`.
  void ExpectClosedAt(const std::string& session_id, core::TimePoint stop_at) {
    int stops = 0;
    for (const core::Event& e : Load(session_id)) {
      if (e.event_id != WatchdogStopEventId(session_id)) continue;
      ++stops;
      EXPECT_EQ(e.occurred_at, stop_at) << session_id;
      EXPECT_EQ(e.payload, core::EventPayload(core::SessionStopped{core::StopReason::kTimedOut}))
          << session_id;
    }
    EXPECT_EQ(stops, 1) << session_id << " should be closed once by the watchdog";
  }

  // Checks that the watchdog never closed `session_id`.
  void ExpectNotClosed(const std::string& session_id) {
    for (const core::Event& e : Load(session_id)) {
      EXPECT_NE(e.event_id, WatchdogStopEventId(session_id))
          << session_id << " was closed by the watchdog";
    }
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{At(kStart)};
  CountingClock watchdog_clock_{clock_};  // the watchdog's view of clock_
  store::Store store_;
  std::unique_ptr<service::EventRecorder> recorder_;
  std::unique_ptr<service::EventIntake> intake_;  // the watchdog's
};

// The clock moves a minute per phase while writers record events and stop
// sessions, and the timer scans every millisecond. At the start (clock at
// T = At(kStart), timeout 30 minutes):
//   idle-k        last event hours ago: closed, at that event.
//   late-k        idle too; writers add events older than its last one
//                 (late arrivals), which do not move its stop.
//   stopped       idle but stopped by its platform before: left alone.
//   active-k      last event at T-15min; writer k records one per phase at
//                 the clock's time: never idle, never closed.
//   shared        the same, with every writer recording into it.
//   quiet-k       last event at T-10min, then nothing: idle from T+20min on
//                 (phase 20, the writers going on): closed, at T-10min.
//   stopping-k    last event at T-15min; writer k stops it (at T-10min) in
//                 phase k, long before it would be idle: never closed.
TEST_F(WatchdogConcurrencyTest, TimerClosesExactlyTheIdleSessionsWhileEventsArrive) {
  constexpr int kWriters = 4;
  constexpr int kPhases = 26;  // the clock ends at T+26min
  constexpr int kIdle = 4;
  constexpr int kLate = 3;
  constexpr int kQuiet = 3;
  constexpr int kStopping = 3;
  static_assert(kLate <= kWriters && kStopping <= kWriters);

  std::vector<core::Event> setup;
  for (int k = 0; k < kIdle; ++k) {
    const std::string s = "idle-" + std::to_string(k);
    setup.push_back(testing::StartedEvent(s + "-start", s, 60 * k));
    setup.push_back(Joined(s + "-joined", s, 60 * k + 120));
  }
  for (int k = 0; k < kLate; ++k) {
    const std::string s = "late-" + std::to_string(k);
    setup.push_back(testing::StartedEvent(s + "-start", s, 60 * k));
    setup.push_back(Joined(s + "-joined", s, 60 * k + 600));
  }
  setup.push_back(testing::StartedEvent("stopped-start", "stopped", 0));
  setup.push_back(Stopped("stopped-stop", "stopped", 60));
  for (int k = 0; k < kWriters; ++k) {
    const std::string s = "active-" + std::to_string(k);
    setup.push_back(testing::StartedEvent(s + "-start", s, kStart - 900));
  }
  setup.push_back(testing::StartedEvent("shared-start", "shared", kStart - 900));
  for (int k = 0; k < kQuiet; ++k) {
    const std::string s = "quiet-" + std::to_string(k);
    setup.push_back(testing::StartedEvent(s + "-start", s, kStart - 900));
    setup.push_back(Joined(s + "-joined", s, kStart - 600));
  }
  for (int k = 0; k < kStopping; ++k) {
    const std::string s = "stopping-" + std::to_string(k);
    setup.push_back(testing::StartedEvent(s + "-start", s, kStart - 900));
  }
  Record(setup);

  auto watchdog = MakeWatchdog(1ms);
  watchdog->Start();
  // Each phase ends when every writer is done with it; the last writer to
  // arrive moves the clock a minute on.
  std::barrier phase_done(kWriters, [this]() noexcept { clock_.Advance(1min); });
  {
    std::vector<std::jthread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        for (int p = 0; p < kPhases; ++p) {
          const int now = kStart + 60 * p;  // the clock during phase p
          const std::string tag = std::to_string(w) + "-" + std::to_string(p);
          std::vector<core::Event> batch = {
              Joined("active-" + tag, "active-" + std::to_string(w), now),
              Joined("shared-" + tag, "shared", now)};
          if (w < kLate && p % 5 == w) {
            // Older than the session's last event (at 60w + 600).
            batch.push_back(Joined("late-" + tag, "late-" + std::to_string(w), 60 * w + 300 + p));
          }
          if (w < kStopping && p == w) {
            const std::string s = "stopping-" + std::to_string(w);
            batch.push_back(Stopped(s + "-stop", s, kStart - 600));
          }
          Record(batch);
          phase_done.arrive_and_wait();
        }
      });
    }
  }  // joins the writers

  // A scan that begins now sees every event; Stop lets it finish.
  const int readings = watchdog_clock_.readings();
  ASSERT_TRUE(watchdog_clock_.WaitForReadingsAbove(readings, absl::Seconds(30)))
      << "the watchdog's timer did not scan";
  watchdog->Stop();

  for (int k = 0; k < kIdle; ++k) ExpectClosedAt("idle-" + std::to_string(k), At(60 * k + 120));
  for (int k = 0; k < kLate; ++k) ExpectClosedAt("late-" + std::to_string(k), At(60 * k + 600));
  for (int k = 0; k < kQuiet; ++k) ExpectClosedAt("quiet-" + std::to_string(k), At(kStart - 600));
  ExpectNotClosed("stopped");
  ExpectNotClosed("shared");
  for (int k = 0; k < kWriters; ++k) ExpectNotClosed("active-" + std::to_string(k));
  for (int k = 0; k < kStopping; ++k) ExpectNotClosed("stopping-" + std::to_string(k));

  // Only the sessions still receiving events are open, at their last event.
  const core::TimePoint last = At(kStart + 60 * (kPhases - 1));
  // Their counts: the start, then one event per writer (shared) or one of
  // their writer's (active) per phase.
  std::vector<store::OpenSession> expected_open = {{"shared", last, 1 + kWriters * kPhases}};
  for (int k = 0; k < kWriters; ++k) {
    expected_open.push_back({"active-" + std::to_string(k), last, 1 + kPhases});
  }
  auto open = store_.events->ListOpenSessions(At(kStart + 24 * 3600));
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_THAT(*open, UnorderedElementsAreArray(expected_open));

  // Nothing else was written: the setup, the writers' events (two per phase,
  // plus the late ones and the stops) and one stop per closed session.
  int late_events = 0;
  for (int w = 0; w < kLate; ++w) {
    for (int p = 0; p < kPhases; ++p) late_events += p % 5 == w ? 1 : 0;
  }
  const std::int64_t expected = static_cast<std::int64_t>(setup.size()) + 2 * kWriters * kPhases +
                                late_events + kStopping + kIdle + kLate + kQuiet;
  EXPECT_EQ(*store_.events->CountEvents(), expected);
}

// Many threads scanning at once (ScanOnce may be called from any thread):
// each idle session is closed by exactly one of them.
TEST_F(WatchdogConcurrencyTest, ConcurrentScansCloseEachIdleSessionOnce) {
  constexpr int kSessions = 20;
  constexpr int kScanners = 6;
  constexpr int kScansEach = 3;
  std::vector<core::Event> setup;
  for (int k = 0; k < kSessions; ++k) {
    const std::string s = "idle-" + std::to_string(k);
    setup.push_back(testing::StartedEvent(s + "-start", s, 10 * k));
  }
  setup.push_back(testing::StartedEvent("recent-start", "recent", kStart - 60));
  Record(setup);

  auto watchdog = MakeWatchdog(60s);  // never started: the threads scan
  std::atomic<int> closed{0};
  std::latch start(kScanners);
  {
    std::vector<std::jthread> scanners;
    for (int t = 0; t < kScanners; ++t) {
      scanners.emplace_back([&] {
        start.arrive_and_wait();
        for (int i = 0; i < kScansEach; ++i) {
          auto n = watchdog->ScanOnce();
          ASSERT_TRUE(n.ok()) << n.status();
          closed += *n;
        }
      });
    }
  }
  EXPECT_EQ(closed.load(), kSessions) << "every idle session closed, none twice";
  for (int k = 0; k < kSessions; ++k) ExpectClosedAt("idle-" + std::to_string(k), At(10 * k));
  ExpectNotClosed("recent");
  EXPECT_EQ(*store_.events->CountEvents(), kSessions + 1 + kSessions);
}

// Start and Stop from many threads at once: the watchdog runs at most once,
// is stopped in the end, and after that scans no more.
TEST_F(WatchdogConcurrencyTest, StartAndStopRacingFromManyThreadsEndStopped) {
  constexpr int kThreads = 8;
  Record({testing::StartedEvent("idle-start", "idle", 0)});
  auto watchdog = MakeWatchdog(1ms);
  std::latch start(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < 20; ++i) {
          if ((t + i) % 3 == 0) {
            watchdog->Stop();
          } else {
            watchdog->Start();
          }
        }
        watchdog->Stop();
      });
    }
  }
  // Stopped for good: no scan starts any more, and Start does not revive it.
  watchdog->Start();
  const int readings = watchdog_clock_.readings();
  EXPECT_FALSE(watchdog_clock_.WaitForReadingsAbove(readings, absl::Milliseconds(50)))
      << "a stopped watchdog scanned";
  watchdog.reset();  // must not hang
  EXPECT_EQ(watchdog_clock_.readings(), readings);
}

}  // namespace
}  // namespace unitclock::watchdog

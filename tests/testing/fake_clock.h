#pragma once

#include <atomic>
#include <cstdint>

#include "core/time.h"
#include "plugin/common/clock.h"

namespace unitclock::testing {

// A clock that stands still until a test moves it. Thread-safe: a test may
// set or advance it while a server or watchdog thread reads it.
class FakeClock final : public common::Clock {
 public:
  explicit FakeClock(core::TimePoint start = core::TimePoint()) : ms_(Millis(start)) {}

  core::TimePoint Now() const override { return core::TimePoint(core::Duration(ms_.load())); }

  // Moves the clock to `t` (backwards too: wall clocks do that).
  void Set(core::TimePoint t) { ms_.store(Millis(t)); }

  // Moves the clock forward by `d`.
  void Advance(core::Duration d) { ms_.fetch_add(d.count()); }

 private:
  static std::int64_t Millis(core::TimePoint t) { return t.time_since_epoch().count(); }

  std::atomic<std::int64_t> ms_;
};

}  // namespace unitclock::testing

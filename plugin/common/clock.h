#pragma once

#include "core/time.h"

namespace unitclock::common {

// The one way the service reads the time: the seam between the wall clock
// and everything that decides by it. The core never reads a clock; the
// service reads it once per request (or per watchdog scan) and passes the
// instant in as data. Tests substitute a fake (tests/testing/fake_clock.h).
//
// Implementations must be thread-safe: one clock is shared by every gRPC
// thread and the watchdog's thread, which call Now() concurrently.
class Clock {
 public:
  virtual ~Clock() = default;

  // The current instant in UTC at millisecond resolution.
  virtual core::TimePoint Now() const = 0;
};

// The system's wall clock (std::chrono::system_clock), floored to the
// millisecond. Stateless and thread-safe. It can jump when the host's time
// is corrected; callers compare its readings with event times, not with
// each other.
class SystemClock final : public Clock {
 public:
  core::TimePoint Now() const override;
};

}  // namespace unitclock::common

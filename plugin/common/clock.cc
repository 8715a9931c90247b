#include "plugin/common/clock.h"

#include <chrono>

namespace unitclock::common {

core::TimePoint SystemClock::Now() const {
  return std::chrono::floor<core::Duration>(std::chrono::system_clock::now());
}

}  // namespace unitclock::common

#pragma once

#include "core/time.h"

namespace unitclock::core {

// A half-open stretch of time [start, end). Empty when end <= start.
struct Interval {
  TimePoint start{};
  TimePoint end{};

  Duration length() const { return end > start ? end - start : Duration{0}; }
  bool empty() const { return end <= start; }
  bool contains(TimePoint t) const { return start <= t && t < end; }
  friend bool operator==(const Interval&, const Interval&) = default;
};

}  // namespace unitclock::core

#pragma once

#include <chrono>
#include <string>

namespace unitclock::core {

// An instant in UTC at millisecond resolution. The core never reads a clock:
// every instant it sees comes in as data.
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

// A length of time at millisecond resolution.
using Duration = std::chrono::milliseconds;

// Formats `t` as RFC 3339 in UTC with milliseconds, e.g.
// "2026-11-30T15:00:00.000Z". Thread-safe.
std::string FormatRfc3339(TimePoint t);

}  // namespace unitclock::core

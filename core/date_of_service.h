#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/interval.h"
#include "core/policy.h"

namespace unitclock::core {

// A stretch of time that falls on one date of service.
struct DayPiece {
  Day day;
  Interval interval;
  friend bool operator==(const DayPiece&, const DayPiece&) = default;
};

// Splits `interval` at every local midnight of the IANA zone `time_zone`:
// units are counted per calendar day in the clinic's time zone (CMS; see
// billing-rules.md §8). Returns the pieces in time order (none for an empty
// interval). INVALID_ARGUMENT if the zone is unknown. Thread-safe.
absl::StatusOr<std::vector<DayPiece>> SplitByLocalDay(const Interval& interval,
                                                      const std::string& time_zone);

// SplitByLocalDay of each of `intervals` in one zone: element i holds the
// pieces of intervals[i]. Looks the zone up once and reuses the zone's offset
// and midnight from one interval to the next, so that splitting a day's many
// intervals costs little more than a loop. INVALID_ARGUMENT if the zone is
// unknown. Thread-safe.
absl::StatusOr<std::vector<std::vector<DayPiece>>> SplitEachByLocalDay(
    std::span<const Interval> intervals, const std::string& time_zone);

// The local calendar day of `t` in `time_zone`. INVALID_ARGUMENT if the zone
// is unknown.
absl::StatusOr<Day> LocalDay(TimePoint t, const std::string& time_zone);

}  // namespace unitclock::core

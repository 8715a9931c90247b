#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/day.h"
#include "core/interval.h"
#include "core/policy.h"

namespace date {
class time_zone;
}

namespace unitclock::core {

// The zone of the IANA time zone database named `name`, or nullptr if there
// is none (the database is read the first time). Thread-safe.
const date::time_zone* FindTimeZone(const std::string& name);

// The local calendar day of `t` in `zone`.
Day LocalDayIn(const date::time_zone& zone, TimePoint t);

// The first instant of local day `day` in `zone`, as UTC. On a day that
// starts inside a DST gap, the first instant that exists.
TimePoint StartOfLocalDay(const date::time_zone& zone, Day day);

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

#include "core/date_of_service.h"

#include <date/tz.h>

#include <exception>

#include "absl/status/status.h"

namespace unitclock::core {
namespace {

absl::StatusOr<const date::time_zone*> Zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return absl::InvalidArgumentError("clinic_time_zone: \"" + name +
                                      "\" is not an IANA time zone");
  }
}

Day LocalDayIn(const date::time_zone& zone, TimePoint t) {
  const auto local = zone.to_local(t);
  return Day(std::chrono::floor<std::chrono::days>(local).time_since_epoch());
}

// The first instant of local day `day` in `zone`, as UTC. On a day that
// starts inside a DST gap, the first instant that exists.
TimePoint StartOfLocalDay(const date::time_zone& zone, Day day) {
  const date::local_days local{day.time_since_epoch()};
  const auto info = zone.get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return std::chrono::time_point_cast<Duration>(info.second.begin);
  }
  return std::chrono::time_point_cast<Duration>(zone.to_sys(local, date::choose::earliest));
}

}  // namespace

absl::StatusOr<Day> LocalDay(TimePoint t, const std::string& time_zone) {
  absl::StatusOr<const date::time_zone*> zone = Zone(time_zone);
  if (!zone.ok()) return zone.status();
  return LocalDayIn(**zone, t);
}

absl::StatusOr<std::vector<DayPiece>> SplitByLocalDay(const Interval& interval,
                                                      const std::string& time_zone) {
  absl::StatusOr<const date::time_zone*> zone = Zone(time_zone);
  if (!zone.ok()) return zone.status();
  std::vector<DayPiece> pieces;
  TimePoint start = interval.start;
  while (start < interval.end) {
    const Day day = LocalDayIn(**zone, start);
    const TimePoint next_midnight = StartOfLocalDay(**zone, day + std::chrono::days(1));
    const TimePoint end = std::min(interval.end, next_midnight);
    pieces.push_back({day, {start, end}});
    start = end;
  }
  return pieces;
}

}  // namespace unitclock::core

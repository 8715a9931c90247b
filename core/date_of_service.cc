#include "core/date_of_service.h"

#include <date/tz.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>

#include "absl/status/status.h"

namespace unitclock::core {
namespace {

absl::StatusOr<const date::time_zone*> Zone(const std::string& name) {
  const date::time_zone* zone = FindTimeZone(name);
  if (zone == nullptr) {
    return absl::InvalidArgumentError("clinic_time_zone: \"" + name +
                                      "\" is not an IANA time zone");
  }
  return zone;
}

// Splits intervals at the local midnights of one zone. Remembers the offset
// period (sys_info) of the last instant it converted and the last midnight it
// computed, which consecutive intervals of a session most often share; the
// results are those of LocalDayIn and StartOfLocalDay.
class DaySplitter {
 public:
  explicit DaySplitter(const date::time_zone& zone) : zone_(zone) {}

  // Appends the pieces of `interval` to `out`.
  void Split(const Interval& interval, std::vector<DayPiece>& out) {
    TimePoint start = interval.start;
    while (start < interval.end) {
      const Day day = LocalDayOf(start);
      const TimePoint end = std::min(interval.end, StartOfDayAfter(day));
      out.push_back({day, {start, end}});
      start = end;
    }
  }

 private:
  // LocalDayIn(zone_, t): time_zone::to_local adds the offset of the sys_info
  // holding floor<seconds>(t), the same for every instant of [begin, end).
  Day LocalDayOf(TimePoint t) {
    const date::sys_seconds s = std::chrono::floor<std::chrono::seconds>(t);
    if (!info_ || s < info_->begin || s >= info_->end) info_ = zone_.get_info(s);
    const auto local = t + info_->offset;
    return Day(std::chrono::floor<std::chrono::days>(local.time_since_epoch()));
  }

  // StartOfLocalDay(zone_, day + 1 day).
  TimePoint StartOfDayAfter(Day day) {
    if (!midnight_ || midnight_->first != day) {
      midnight_.emplace(day, StartOfLocalDay(zone_, day + std::chrono::days(1)));
    }
    return midnight_->second;
  }

  const date::time_zone& zone_;
  std::optional<date::sys_info> info_;
  std::optional<std::pair<Day, TimePoint>> midnight_;
};

}  // namespace

const date::time_zone* FindTimeZone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    // date throws std::runtime_error for an unknown zone; no exception leaves the core.
    return nullptr;
  }
}

Day LocalDayIn(const date::time_zone& zone, TimePoint t) {
  const auto local = zone.to_local(t);
  return Day(std::chrono::floor<std::chrono::days>(local).time_since_epoch());
}

TimePoint StartOfLocalDay(const date::time_zone& zone, Day day) {
  const date::local_days local{day.time_since_epoch()};
  const auto info = zone.get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return std::chrono::time_point_cast<Duration>(info.second.begin);
  }
  return std::chrono::time_point_cast<Duration>(zone.to_sys(local, date::choose::earliest));
}

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
  DaySplitter(**zone).Split(interval, pieces);
  return pieces;
}

absl::StatusOr<std::vector<std::vector<DayPiece>>> SplitEachByLocalDay(
    std::span<const Interval> intervals, const std::string& time_zone) {
  absl::StatusOr<const date::time_zone*> zone = Zone(time_zone);
  if (!zone.ok()) return zone.status();
  DaySplitter splitter(**zone);
  std::vector<std::vector<DayPiece>> out(intervals.size());
  for (std::size_t i = 0; i < intervals.size(); ++i) splitter.Split(intervals[i], out[i]);
  return out;
}

}  // namespace unitclock::core

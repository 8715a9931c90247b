#include "core/units.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace unitclock::core {
namespace {

// Minutes below 0 count as 0.
int64_t NonNegative(int minutes) { return minutes < 0 ? 0 : minutes; }
Duration NonNegative(Duration d) { return d < Duration::zero() ? Duration::zero() : d; }

// The midpoint table in 64-bit arithmetic, so that (m + 7) cannot overflow.
int64_t UnitsForMinutes64(int64_t minutes) { return minutes < 8 ? 0 : (minutes + 7) / 15; }

// Codes with time (minutes or a duration above 0) and no unit, in code
// order (the map's order).
template <typename TimeMap>
std::vector<std::string> UnbilledCodes(const TimeMap& time,
                                       const std::map<std::string, int>& units) {
  std::vector<std::string> unbilled;
  for (const auto& [code, t] : time) {
    if (t > typename TimeMap::mapped_type{} && units.at(code) == 0) unbilled.push_back(code);
  }
  return unbilled;
}

}  // namespace

int UnitAllocation::total_units() const {
  int total = 0;
  for (const auto& [code, n] : units) total += n;
  return total;
}

int UnitsForMinutes(int minutes) { return static_cast<int>(UnitsForMinutes64(minutes)); }

int MinutesToNextUnit(int minutes) {
  if (minutes < 8) return 8 - minutes;
  const int64_t n = UnitsForMinutes64(minutes);
  return static_cast<int>(15 * n + 8 - static_cast<int64_t>(minutes));
}

UnitAllocation AllocateMedicareUnits(const MinutesByCode& minutes) {
  TimeByCode time;
  for (const auto& [code, m] : minutes) time[code] = std::chrono::minutes(NonNegative(m));
  return AllocateMedicareUnits(time);
}

UnitAllocation AllocateMedicareUnits(const TimeByCode& time) {
  UnitAllocation result;
  constexpr Duration kUnit = std::chrono::minutes(15);

  // Pool the day's timed time: T, and N from T's whole minutes.
  Duration total{0};
  for (const auto& [code, d] : time) total += NonNegative(d);
  const int64_t total_units = UnitsForMinutes64(total / std::chrono::minutes(1));

  // Full 15-minute units per code, and the leftover time of each.
  //
  // The full units never exceed N: with T = 15 F + L (F the sum of full
  // units, L the sum of leftovers, each under 15 minutes), N = floor((floor(T)
  // + 7) / 15) >= floor(T / 15) >= F when T >= 8 minutes, and F = 0 = N when
  // T < 8 minutes. The remainder N - F is at most the number of codes with a
  // leftover (L < 15 k gives floor((L + 7) / 15) <= k); it is still clamped
  // below, so that a change of the table cannot index past the end.
  struct Leftover {
    std::string code;
    Duration time;
  };
  std::vector<Leftover> leftovers;
  int64_t full_units = 0;
  for (const auto& [code, d] : time) {
    const Duration dd = NonNegative(d);
    const int64_t full = dd / kUnit;
    result.units[code] = static_cast<int>(full);
    full_units += full;
    if (dd % kUnit > Duration::zero()) leftovers.push_back(Leftover{code, dd % kUnit});
  }
  // The units still left go one each to the largest leftovers; equal ones in code order.
  std::stable_sort(leftovers.begin(), leftovers.end(), [](const Leftover& a, const Leftover& b) {
    if (a.time != b.time) return a.time > b.time;
    return a.code < b.code;
  });
  const size_t remaining = static_cast<size_t>(
      std::clamp<int64_t>(total_units - full_units, 0, static_cast<int64_t>(leftovers.size())));
  for (size_t i = 0; i < remaining; ++i) ++result.units[leftovers[i].code];

  // A tie: the leftover at the cut (the last one that received a unit) is shared by a code that
  // received none. Then every code with that leftover is the therapist's choice.
  if (remaining > 0 && remaining < leftovers.size() &&
      leftovers[remaining].time == leftovers[remaining - 1].time) {
    const Duration cut = leftovers[remaining - 1].time;
    for (const Leftover& l : leftovers) {
      if (l.time == cut) result.tied_codes.push_back(l.code);
    }
    std::sort(result.tied_codes.begin(), result.tied_codes.end());
  }

  result.unbilled_codes = UnbilledCodes(time, result.units);
  return result;
}

UnitAllocation AllocateMidpointUnits(const TimeByCode& time) {
  MinutesByCode minutes;
  for (const auto& [code, d] : time) {
    minutes[code] = static_cast<int>(NonNegative(d) / std::chrono::minutes(1));
  }
  UnitAllocation result = AllocateMidpointUnits(minutes);
  // A code with seconds but under a minute has time too: list it as unbilled.
  result.unbilled_codes = UnbilledCodes(time, result.units);
  return result;
}

UnitAllocation AllocateMidpointUnits(const MinutesByCode& minutes) {
  UnitAllocation result;
  for (const auto& [code, m] : minutes) {
    result.units[code] = static_cast<int>(UnitsForMinutes64(NonNegative(m)));
  }
  result.unbilled_codes = UnbilledCodes(minutes, result.units);
  return result;
}

}  // namespace unitclock::core

#include "core/units.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace unitclock::core {
namespace {

// Minutes below 0 count as 0.
int64_t NonNegative(int minutes) { return minutes < 0 ? 0 : minutes; }

// The midpoint table in 64-bit arithmetic, so that (m + 7) cannot overflow.
int64_t UnitsForMinutes64(int64_t minutes) { return minutes < 8 ? 0 : (minutes + 7) / 15; }

// Codes with minutes > 0 and no unit, in code order (the map's order).
std::vector<std::string> UnbilledCodes(const MinutesByCode& minutes,
                                       const std::map<std::string, int>& units) {
  std::vector<std::string> unbilled;
  for (const auto& [code, m] : minutes) {
    if (m > 0 && units.at(code) == 0) unbilled.push_back(code);
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
  UnitAllocation result;

  // Pool the day's timed minutes: T and N = UnitsForMinutes(T).
  int64_t total_minutes = 0;
  for (const auto& [code, m] : minutes) total_minutes += NonNegative(m);
  const int64_t total_units = UnitsForMinutes64(total_minutes);

  // Full 15-minute units per code, and the leftover minutes (m % 15) of each.
  //
  // The full units never exceed N. Write T = 15 * F + L, F = sum of floor(m_i / 15) and
  // L = sum of (m_i % 15). If T < 8 then every m_i < 15, so F = 0 = N. Otherwise
  // N = floor((T + 7) / 15) >= floor(T / 15) >= F. Moreover the remainder
  // R = N - F = floor((L + 7) / 15) when T >= 8 (and 0 when T < 8); with k codes having a
  // positive leftover, L <= 14 k, so R <= floor((14 k + 7) / 15) <= k: there is always a
  // distinct code with leftover minutes for every remaining unit. The count of remaining units
  // is still clamped to [0, k] below, so a future change of the table cannot index past the end.
  struct Leftover {
    std::string code;
    int64_t minutes;
  };
  std::vector<Leftover> leftovers;
  int64_t full_units = 0;
  for (const auto& [code, m] : minutes) {
    const int64_t mm = NonNegative(m);
    const int64_t full = mm / 15;
    result.units[code] = static_cast<int>(full);
    full_units += full;
    if (mm % 15 > 0) leftovers.push_back(Leftover{code, mm % 15});
  }
  // The units still left go one each to the largest leftovers; equal leftovers in code order.
  std::stable_sort(leftovers.begin(), leftovers.end(), [](const Leftover& a, const Leftover& b) {
    if (a.minutes != b.minutes) return a.minutes > b.minutes;
    return a.code < b.code;
  });
  const size_t remaining = static_cast<size_t>(
      std::clamp<int64_t>(total_units - full_units, 0, static_cast<int64_t>(leftovers.size())));
  for (size_t i = 0; i < remaining; ++i) ++result.units[leftovers[i].code];

  // A tie: the leftover value at the cut (the last one that received a unit) is shared by a
  // code that received none. Then every code with that leftover is the therapist's choice.
  if (remaining > 0 && remaining < leftovers.size() &&
      leftovers[remaining].minutes == leftovers[remaining - 1].minutes) {
    const int64_t cut = leftovers[remaining - 1].minutes;
    for (const Leftover& l : leftovers) {
      if (l.minutes == cut) result.tied_codes.push_back(l.code);
    }
    std::sort(result.tied_codes.begin(), result.tied_codes.end());
  }

  result.unbilled_codes = UnbilledCodes(minutes, result.units);
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

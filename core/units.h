#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/time.h"

// Units of timed CPT codes from minutes: the two methods payers use.
// Pure functions of whole minutes per code on one date of service.
namespace unitclock::core {

// Whole minutes of one timed code on one date of service, all sessions of
// the day summed (after the payer's rounding of seconds).
using MinutesByCode = std::map<std::string, int>;  // code -> minutes, code order

// Units per code, every code of the input listed (0 when not billed).
struct UnitAllocation {
  std::map<std::string, int> units;  // code -> units
  // Codes that received a unit in a tie with other codes of equal leftover
  // minutes: which one gets it is the therapist's choice (flag for review).
  std::vector<std::string> tied_codes;
  // Codes with minutes that received no unit (under 8 minutes alone, or
  // their leftover lost to larger leftovers).
  std::vector<std::string> unbilled_codes;
  int total_units() const;
};

// Exact time of one timed code on one date of service, all sessions summed.
using TimeByCode = std::map<std::string, Duration>;  // code -> time, code order

// Medicare's pooled "8-minute rule" on exact time: the rule applies once, to
// the pooled total, so that rounding each code's seconds can neither create a
// unit (7 min 30 s is 7 minutes, not 8) nor lose one (11:40 + 11:40 is 23
// minutes, 2 units). N comes from the whole minutes of the exact total; each
// code first gets one unit per full 15 minutes of its exact time; the units
// still left go to the largest exact leftovers (equal leftovers by code
// order, reported in tied_codes). Negative times count as 0.
UnitAllocation AllocateMedicareUnits(const TimeByCode& time);

// The CPT midpoint rule on exact time: each code on its own, by its whole
// minutes (a unit needs 8 full minutes).
UnitAllocation AllocateMidpointUnits(const TimeByCode& time);

// Medicare's pooled "8-minute rule" (CMS Pub 100-04 ch. 5 §20.2): total timed
// minutes T give N units (0 under 8, else (T + 7) / 15); each code first gets
// one unit per full 15 minutes; the units still left go one each to the codes
// with the most leftover minutes. Equal leftovers competing for the last
// units are broken by code order (deterministic) and reported in tied_codes.
// Minutes below 0 count as 0.
UnitAllocation AllocateMedicareUnits(const MinutesByCode& minutes);

// The CPT midpoint rule, per code without pooling: each code on its own gets
// 0 units under 8 minutes, then one unit per 15 minutes with the midpoint
// (8, 23, 38, ... minutes) passed: (m + 7) / 15.
UnitAllocation AllocateMidpointUnits(const MinutesByCode& minutes);

// Units for `minutes` of one code by the midpoint table: 0 under 8, else
// (minutes + 7) / 15. Also Medicare's N for a day's total timed minutes.
int UnitsForMinutes(int minutes);

// The minutes still needed, from `minutes`, for the next unit by the same
// table (8 - m under 8; else the next 15-minute step's midpoint).
int MinutesToNextUnit(int minutes);

}  // namespace unitclock::core

#include "core/units.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace unitclock::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Units = std::map<std::string, int>;

// ---- The midpoint table (billing-rules §2, §3) ----

struct TableRow {
  int minutes;
  int units;
};

// Every boundary of the table: 0-7 -> 0, 8-22 -> 1, 23-37 -> 2, ..., 113-127 -> 8, 128 -> 9.
constexpr TableRow kTable[] = {
    {0, 0},  {7, 0},  {8, 1},  {22, 1}, {23, 2}, {37, 2},  {38, 3},  {52, 3},  {53, 4},  {67, 4},
    {68, 5}, {82, 5}, {83, 6}, {97, 6}, {98, 7}, {112, 7}, {113, 8}, {127, 8}, {128, 9},
};

TEST(UnitsForMinutes, FollowsTheEightMinuteTableAtEveryBoundary) {
  for (const TableRow& row : kTable) {
    EXPECT_EQ(UnitsForMinutes(row.minutes), row.units) << row.minutes << " minutes";
  }
}

TEST(UnitsForMinutes, ASingleCodeGetsTheTableUnitsUnderBothMethods) {
  for (const TableRow& row : kTable) {
    const MinutesByCode minutes = {{"97110", row.minutes}};
    EXPECT_EQ(AllocateMedicareUnits(minutes).units, (Units{{"97110", row.units}}))
        << row.minutes << " minutes";
    EXPECT_EQ(AllocateMidpointUnits(minutes).units, (Units{{"97110", row.units}}))
        << row.minutes << " minutes";
  }
}

// Counts units the long way: a unit is attained once its midpoint is passed, the first at
// 8 minutes and each next one 15 minutes later (8, 23, 38, ...).
int CountMidpointsReached(int minutes) {
  int units = 0;
  for (int midpoint = 8; midpoint <= minutes; midpoint += 15) ++units;
  return units;
}

TEST(UnitsForMinutes, ClosedFormEqualsCountingMidpointsStepByStep) {
  for (int m = 0; m <= 300; ++m) {
    EXPECT_EQ(UnitsForMinutes(m), CountMidpointsReached(m)) << m << " minutes";
  }
}

TEST(UnitsForMinutes, NegativeMinutesGiveNoUnit) {
  EXPECT_EQ(UnitsForMinutes(-1), 0);
  EXPECT_EQ(UnitsForMinutes(-30), 0);
}

TEST(UnitsForMinutes, MinutesToNextUnitCountsToTheNextMidpoint) {
  EXPECT_EQ(MinutesToNextUnit(0), 8);
  EXPECT_EQ(MinutesToNextUnit(7), 1);
  EXPECT_EQ(MinutesToNextUnit(8), 15);
  EXPECT_EQ(MinutesToNextUnit(22), 1);
  EXPECT_EQ(MinutesToNextUnit(23), 15);
}

TEST(UnitsForMinutes, MinutesToNextUnitReachedAddsExactlyOneUnit) {
  for (int m = 0; m <= 300; ++m) {
    const int next = MinutesToNextUnit(m);
    ASSERT_GT(next, 0) << m;
    EXPECT_EQ(UnitsForMinutes(m + next), UnitsForMinutes(m) + 1) << m;
    EXPECT_EQ(UnitsForMinutes(m + next - 1), UnitsForMinutes(m)) << m;
  }
}

// ---- Medicare's pooled rule: §2's worked examples ----

TEST(MedicareUnits, LeftoverMinutesGoToLargestRemainder) {
  // 97112 24, 97110 23 -> 47 minutes, 3 units: 97112 x2, 97110 x1.
  const UnitAllocation a = AllocateMedicareUnits({{"97112", 24}, {"97110", 23}});
  EXPECT_EQ(a.units, (Units{{"97110", 1}, {"97112", 2}}));
  EXPECT_EQ(a.total_units(), 3);
  EXPECT_THAT(a.tied_codes, IsEmpty());
  EXPECT_THAT(a.unbilled_codes, IsEmpty());
}

TEST(MedicareUnits, EqualLeftoversAreATieBrokenByCodeOrder) {
  // 97112 20, 97110 20 -> 40 minutes, 3 units: one code x2 (97110 by code order), both tied.
  const UnitAllocation a = AllocateMedicareUnits({{"97112", 20}, {"97110", 20}});
  EXPECT_EQ(a.units, (Units{{"97110", 2}, {"97112", 1}}));
  EXPECT_EQ(a.total_units(), 3);
  EXPECT_THAT(a.tied_codes, ElementsAre("97110", "97112"));
  EXPECT_THAT(a.unbilled_codes, IsEmpty());
}

TEST(MedicareUnits, ACodeUnderEightMinutesCanTakeThePooledUnit) {
  // 97110 33, 97140 7 -> 40 minutes, 3 units: 97110 x2, 97140 x1.
  const UnitAllocation a = AllocateMedicareUnits({{"97110", 33}, {"97140", 7}});
  EXPECT_EQ(a.units, (Units{{"97110", 2}, {"97140", 1}}));
  EXPECT_THAT(a.tied_codes, IsEmpty());
  EXPECT_THAT(a.unbilled_codes, IsEmpty());
}

TEST(MedicareUnits, ASmallerLeftoverLosesToLargerOnesAndIsUnbilled) {
  // 97110 18, 97140 13, 97116 10, 97035 8 -> 49 minutes, 3 units; 97035 x0.
  const UnitAllocation a =
      AllocateMedicareUnits({{"97110", 18}, {"97140", 13}, {"97116", 10}, {"97035", 8}});
  EXPECT_EQ(a.units, (Units{{"97035", 0}, {"97110", 1}, {"97116", 1}, {"97140", 1}}));
  EXPECT_EQ(a.total_units(), 3);
  EXPECT_THAT(a.tied_codes, IsEmpty());
  EXPECT_THAT(a.unbilled_codes, ElementsAre("97035"));
}

TEST(MedicareUnits, ThreeEqualShortServicesShareOneUnitAsATie) {
  // 97112 7, 97110 7, 97140 7 -> 21 minutes, 1 unit: 97110 by code order, all three tied.
  const UnitAllocation a = AllocateMedicareUnits({{"97112", 7}, {"97110", 7}, {"97140", 7}});
  EXPECT_EQ(a.units, (Units{{"97110", 1}, {"97112", 0}, {"97140", 0}}));
  EXPECT_EQ(a.total_units(), 1);
  EXPECT_THAT(a.tied_codes, ElementsAre("97110", "97112", "97140"));
  EXPECT_THAT(a.unbilled_codes, ElementsAre("97112", "97140"));
}

// ---- Medicare's pooled rule: other statements of §2 ----

TEST(MedicareUnits, ShortServicesReachingEightGiveOneUnitToTheLongest) {
  // "Several services of 7 minutes or less whose total reaches 8 give one unit to the service
  // with the most minutes."
  const UnitAllocation a = AllocateMedicareUnits({{"97110", 3}, {"97140", 5}});
  EXPECT_EQ(a.units, (Units{{"97110", 0}, {"97140", 1}}));
  EXPECT_THAT(a.tied_codes, IsEmpty());
  EXPECT_THAT(a.unbilled_codes, ElementsAre("97110"));

  const UnitAllocation b = AllocateMedicareUnits({{"97110", 6}, {"97112", 7}, {"97116", 4}});
  EXPECT_EQ(b.units, (Units{{"97110", 0}, {"97112", 1}, {"97116", 0}}));
  EXPECT_THAT(b.tied_codes, IsEmpty());
  EXPECT_THAT(b.unbilled_codes, ElementsAre("97110", "97116"));
}

TEST(MedicareUnits, ShortServicesTotallingUnderEightAreNotBilled) {
  const UnitAllocation a = AllocateMedicareUnits({{"97110", 4}, {"97140", 3}});
  EXPECT_EQ(a.units, (Units{{"97110", 0}, {"97140", 0}}));
  EXPECT_EQ(a.total_units(), 0);
  EXPECT_THAT(a.tied_codes, IsEmpty());
  EXPECT_THAT(a.unbilled_codes, ElementsAre("97110", "97140"));
}

TEST(MedicareUnits, ASingleServiceUnderEightMinutesAloneIsNotBilled) {
  const UnitAllocation a = AllocateMedicareUnits({{"97110", 7}});
  EXPECT_EQ(a.units, (Units{{"97110", 0}}));
  EXPECT_EQ(a.total_units(), 0);
  EXPECT_THAT(a.unbilled_codes, ElementsAre("97110"));
  EXPECT_THAT(a.tied_codes, IsEmpty());
}

TEST(MedicareUnits, EmptyInputGivesNoUnits) {
  const UnitAllocation a = AllocateMedicareUnits(MinutesByCode{});
  EXPECT_THAT(a.units, IsEmpty());
  EXPECT_EQ(a.total_units(), 0);
  EXPECT_THAT(a.tied_codes, IsEmpty());
  EXPECT_THAT(a.unbilled_codes, IsEmpty());
}

TEST(MedicareUnits, NegativeMinutesCountAsZero) {
  // -20 does not cancel 97110's minutes, and the code is still listed with 0 units.
  const UnitAllocation a = AllocateMedicareUnits({{"97110", 23}, {"97140", -20}});
  EXPECT_EQ(a.units, (Units{{"97110", 2}, {"97140", 0}}));
  EXPECT_THAT(a.unbilled_codes, IsEmpty());
  EXPECT_THAT(a.tied_codes, IsEmpty());
}

TEST(MedicareUnits, EveryInputCodeIsListedEvenWithZeroMinutes) {
  const UnitAllocation a = AllocateMedicareUnits({{"97110", 30}, {"97140", 0}});
  EXPECT_EQ(a.units, (Units{{"97110", 2}, {"97140", 0}}));
  EXPECT_THAT(a.unbilled_codes, IsEmpty());
}

TEST(MedicareUnits, OnlyEqualLeftoversAtTheCutAreTies) {
  // T = 24 -> 2 units: 97110 (14) first, then 97112 and 97140 (5 each) tie for the second;
  // 97112 gets it by code order and both are the therapist's choice, 97110 is not.
  const UnitAllocation a = AllocateMedicareUnits({{"97110", 14}, {"97112", 5}, {"97140", 5}});
  EXPECT_EQ(a.units, (Units{{"97110", 1}, {"97112", 1}, {"97140", 0}}));
  EXPECT_THAT(a.tied_codes, ElementsAre("97112", "97140"));
  EXPECT_THAT(a.unbilled_codes, ElementsAre("97140"));

  // T = 20 -> 1 unit: 97110 alone at the cut; the 3-minute tie lies below it, so no tie.
  const UnitAllocation b = AllocateMedicareUnits({{"97110", 14}, {"97112", 3}, {"97140", 3}});
  EXPECT_EQ(b.units, (Units{{"97110", 1}, {"97112", 0}, {"97140", 0}}));
  EXPECT_THAT(b.tied_codes, IsEmpty());
  EXPECT_THAT(b.unbilled_codes, ElementsAre("97112", "97140"));
}

TEST(MedicareUnits, EqualLeftoversThatAllGetAUnitAreNoTie) {
  // 97110 10, 97116 10 -> 20 minutes, 1 unit: a tie. 97110 12, 97116 12 -> 24, 2 units: both
  // get one, nobody is left out, so no tie.
  EXPECT_THAT(AllocateMedicareUnits({{"97110", 10}, {"97116", 10}}).tied_codes,
              ElementsAre("97110", "97116"));
  const UnitAllocation a = AllocateMedicareUnits({{"97110", 12}, {"97116", 12}});
  EXPECT_EQ(a.units, (Units{{"97110", 1}, {"97116", 1}}));
  EXPECT_THAT(a.tied_codes, IsEmpty());
}

// Checks the invariants of one Medicare allocation.
void ExpectMedicareInvariants(const MinutesByCode& minutes) {
  const UnitAllocation a = AllocateMedicareUnits(minutes);
  int total_minutes = 0;
  for (const auto& [code, m] : minutes) total_minutes += std::max(m, 0);
  // The total is exactly N for the pooled minutes.
  ASSERT_EQ(a.total_units(), UnitsForMinutes(total_minutes)) << ::testing::PrintToString(minutes);
  ASSERT_EQ(a.units.size(), minutes.size());
  for (const auto& [code, m] : minutes) {
    const int units = a.units.at(code);
    // Each code gets its full 15-minute units, plus at most one unit for its leftover, which it
    // only gets if it has leftover minutes.
    ASSERT_GE(units, m / 15) << code << " " << ::testing::PrintToString(minutes);
    ASSERT_LE(units, m / 15 + (m % 15 > 0 ? 1 : 0))
        << code << " " << ::testing::PrintToString(minutes);
    // So a code never gets more than one unit above its own table units.
    ASSERT_LE(units, UnitsForMinutes(m) + 1) << code << " " << ::testing::PrintToString(minutes);
    if (m == 0) {
      ASSERT_EQ(units, 0) << code << " " << ::testing::PrintToString(minutes);
    }
    const bool unbilled =
        std::find(a.unbilled_codes.begin(), a.unbilled_codes.end(), code) != a.unbilled_codes.end();
    ASSERT_EQ(unbilled, m > 0 && units == 0) << code << " " << ::testing::PrintToString(minutes);
  }
  ASSERT_TRUE(std::is_sorted(a.tied_codes.begin(), a.tied_codes.end()));
  ASSERT_NE(a.tied_codes.size(), 1U);
}

TEST(MedicareUnits, InvariantsHoldForEveryPairOfMinutesUpTo45) {
  for (int x = 0; x <= 45; ++x) {
    for (int y = 0; y <= 45; ++y) {
      ExpectMedicareInvariants({{"97110", x}, {"97140", y}});
    }
  }
}

TEST(MedicareUnits, InvariantsHoldForEveryTripleOfMinutesUpTo45) {
  for (int x = 0; x <= 45; ++x) {
    for (int y = 0; y <= 45; ++y) {
      for (int z = 0; z <= 45; ++z) {
        ExpectMedicareInvariants({{"97110", x}, {"97112", y}, {"97140", z}});
      }
    }
  }
}

// ---- The CPT midpoint rule, per code (§3) ----

TEST(MidpointUnits, EachCodeIsCountedOnItsOwn) {
  const UnitAllocation a = AllocateMidpointUnits({{"97110", 33}, {"97140", 7}, {"97116", -4}});
  EXPECT_EQ(a.units, (Units{{"97110", 2}, {"97116", 0}, {"97140", 0}}));
  EXPECT_THAT(a.unbilled_codes, ElementsAre("97140"));
  EXPECT_THAT(a.tied_codes, IsEmpty());
  EXPECT_THAT(AllocateMidpointUnits(MinutesByCode{}).units, IsEmpty());
}

struct MethodsExample {
  MinutesByCode minutes;
  int medicare_units;
  int cpt_units;
};

TEST(MidpointUnits, DiffersFromMedicareAsInTheReferenceExamples) {
  const MethodsExample examples[] = {
      {{{"97110", 10}, {"97116", 10}}, 1, 2},
      {{{"97110", 33}, {"97140", 7}}, 3, 2},
      {{{"97112", 24}, {"97110", 23}}, 3, 4},
  };
  for (const MethodsExample& e : examples) {
    EXPECT_EQ(AllocateMedicareUnits(e.minutes).total_units(), e.medicare_units)
        << ::testing::PrintToString(e.minutes);
    EXPECT_EQ(AllocateMidpointUnits(e.minutes).total_units(), e.cpt_units)
        << ::testing::PrintToString(e.minutes);
  }
  // Per code under CPT: 97110 10 + 97116 10 -> x1 each; 97110 33 + 97140 7 -> 97140 unbilled;
  // 97112 24 + 97110 23 -> x2 each.
  EXPECT_EQ(AllocateMidpointUnits({{"97110", 10}, {"97116", 10}}).units,
            (Units{{"97110", 1}, {"97116", 1}}));
  EXPECT_THAT(AllocateMidpointUnits({{"97110", 33}, {"97140", 7}}).unbilled_codes,
              ElementsAre("97140"));
  EXPECT_EQ(AllocateMidpointUnits({{"97112", 24}, {"97110", 23}}).units,
            (Units{{"97110", 2}, {"97112", 2}}));
}

}  // namespace
}  // namespace unitclock::core

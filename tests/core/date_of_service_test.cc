#include "core/date_of_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace unitclock::core {

// Readable failure messages (found by GoogleTest through ADL). Static: other
// test files of the target define their own.
static void PrintTo(const DayPiece& p, std::ostream* os) {
  *os << FormatDay(p.day) << " [" << FormatRfc3339(p.interval.start) << ", "
      << FormatRfc3339(p.interval.end) << ")";
}

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr char kChicago[] = "America/Chicago";

Day MakeDay(int y, unsigned m, unsigned d) {
  return Day(std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                         std::chrono::day{d}});
}

// An instant in UTC.
TimePoint Utc(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return TimePoint(MakeDay(y, m, d)) + hours(hour) + minutes(minute);
}

DayPiece Piece(Day day, TimePoint start, TimePoint end) {
  return DayPiece{day, Interval{start, end}};
}

std::vector<DayPiece> Split(TimePoint start, TimePoint end, const std::string& zone = kChicago) {
  absl::StatusOr<std::vector<DayPiece>> pieces = SplitByLocalDay(Interval{start, end}, zone);
  EXPECT_TRUE(pieces.ok()) << pieces.status();
  return pieces.ok() ? *pieces : std::vector<DayPiece>{};
}

TEST(DateOfService, IntervalOverLocalMidnightIsSplitThere) {
  // 23:50-00:20 in Chicago (UTC-6 in winter): 05:50Z-06:20Z.
  const TimePoint start = Utc(2026, 12, 1, 5, 50);
  const TimePoint midnight = Utc(2026, 12, 1, 6, 0);
  const TimePoint end = Utc(2026, 12, 1, 6, 20);
  EXPECT_EQ(Split(start, end), (std::vector<DayPiece>{Piece(MakeDay(2026, 11, 30), start, midnight),
                                                      Piece(MakeDay(2026, 12, 1), midnight, end)}));
}

TEST(DateOfService, UtcMidnightIsNotALocalDayBoundary) {
  // 17:30-18:30 local on 2026-11-30 is 23:30Z-00:30Z: one local day.
  const TimePoint start = Utc(2026, 11, 30, 23, 30);
  const TimePoint end = Utc(2026, 12, 1, 0, 30);
  EXPECT_EQ(Split(start, end), std::vector<DayPiece>{Piece(MakeDay(2026, 11, 30), start, end)});
}

TEST(DateOfService, IntervalEndingExactlyAtLocalMidnightIsOnePiece) {
  const TimePoint start = Utc(2026, 12, 1, 5, 30);
  const TimePoint midnight = Utc(2026, 12, 1, 6, 0);
  EXPECT_EQ(Split(start, midnight),
            std::vector<DayPiece>{Piece(MakeDay(2026, 11, 30), start, midnight)});
  EXPECT_EQ(Split(midnight, midnight + minutes(5)),
            std::vector<DayPiece>{Piece(MakeDay(2026, 12, 1), midnight, midnight + minutes(5))});
}

TEST(DateOfService, EmptyIntervalGivesNoPieces) {
  const TimePoint t = Utc(2026, 11, 30, 15);
  EXPECT_TRUE(Split(t, t).empty());
  EXPECT_TRUE(Split(t, t - minutes(1)).empty());
}

TEST(DateOfService, SpringForwardDayIsTwentyThreeHoursLong) {
  // 2026-03-08 in Chicago: midnight CST is 06:00Z; the next midnight is CDT,
  // 05:00Z on 2026-03-09.
  const std::vector<DayPiece> pieces = Split(Utc(2026, 3, 7, 12), Utc(2026, 3, 9, 12));
  EXPECT_EQ(pieces, (std::vector<DayPiece>{
                        Piece(MakeDay(2026, 3, 7), Utc(2026, 3, 7, 12), Utc(2026, 3, 8, 6)),
                        Piece(MakeDay(2026, 3, 8), Utc(2026, 3, 8, 6), Utc(2026, 3, 9, 5)),
                        Piece(MakeDay(2026, 3, 9), Utc(2026, 3, 9, 5), Utc(2026, 3, 9, 12))}));
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[1].interval.length(), hours(23));
}

TEST(DateOfService, FallBackDayIsTwentyFiveHoursLong) {
  // 2026-11-01 in Chicago: midnight CDT is 05:00Z; the next midnight is CST,
  // 06:00Z on 2026-11-02.
  const std::vector<DayPiece> pieces = Split(Utc(2026, 10, 31, 12), Utc(2026, 11, 2, 12));
  EXPECT_EQ(pieces, (std::vector<DayPiece>{
                        Piece(MakeDay(2026, 10, 31), Utc(2026, 10, 31, 12), Utc(2026, 11, 1, 5)),
                        Piece(MakeDay(2026, 11, 1), Utc(2026, 11, 1, 5), Utc(2026, 11, 2, 6)),
                        Piece(MakeDay(2026, 11, 2), Utc(2026, 11, 2, 6), Utc(2026, 11, 2, 12))}));
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[1].interval.length(), hours(25));
}

TEST(DateOfService, RepeatedHourOfFallBackStaysOnItsDay) {
  // 01:30 local happens twice on 2026-11-01: 06:30Z (CDT) and 07:30Z (CST).
  const TimePoint start = Utc(2026, 11, 1, 6, 0);
  const TimePoint end = Utc(2026, 11, 1, 8, 0);
  EXPECT_EQ(Split(start, end), std::vector<DayPiece>{Piece(MakeDay(2026, 11, 1), start, end)});
}

TEST(DateOfService, DayStartingInADstGapStartsAtTheFirstInstantThatExists) {
  // Sao Paulo moved its clocks from 00:00 to 01:00 on 2018-11-04 (UTC-3 to
  // UTC-2): that day began at 01:00 local, 03:00Z, and lasted 23 hours.
  const std::vector<DayPiece> pieces =
      Split(Utc(2018, 11, 3, 12), Utc(2018, 11, 5, 12), "America/Sao_Paulo");
  EXPECT_EQ(pieces, (std::vector<DayPiece>{
                        Piece(MakeDay(2018, 11, 3), Utc(2018, 11, 3, 12), Utc(2018, 11, 4, 3)),
                        Piece(MakeDay(2018, 11, 4), Utc(2018, 11, 4, 3), Utc(2018, 11, 5, 2)),
                        Piece(MakeDay(2018, 11, 5), Utc(2018, 11, 5, 2), Utc(2018, 11, 5, 12))}));
}

TEST(DateOfService, PiecesOfALongIntervalAreContiguousAndCoverIt) {
  const TimePoint start = Utc(2026, 2, 27, 17, 13);
  const TimePoint end = Utc(2026, 3, 12, 4, 59) + milliseconds(7);
  const std::vector<DayPiece> pieces = Split(start, end);
  // 11:13 CST on 2026-02-27 to 23:59 CDT on 2026-03-11, over the spring change.
  ASSERT_EQ(pieces.size(), 13u);
  EXPECT_EQ(pieces.front().day, MakeDay(2026, 2, 27));
  EXPECT_EQ(pieces.back().day, MakeDay(2026, 3, 11));
  EXPECT_EQ(pieces.front().interval.start, start);
  EXPECT_EQ(pieces.back().interval.end, end);
  for (size_t i = 1; i < pieces.size(); ++i) {
    EXPECT_EQ(pieces[i].interval.start, pieces[i - 1].interval.end);
    EXPECT_EQ(pieces[i].day, pieces[i - 1].day + std::chrono::days(1));
  }
}

TEST(DateOfService, UnknownZoneIsInvalidArgument) {
  const TimePoint t = Utc(2026, 11, 30, 15);
  const absl::StatusOr<std::vector<DayPiece>> pieces =
      SplitByLocalDay(Interval{t, t + minutes(10)}, "America/Atlantis");
  ASSERT_FALSE(pieces.ok());
  EXPECT_EQ(pieces.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(pieces.status().message(), ::testing::HasSubstr("America/Atlantis"));
  const absl::StatusOr<Day> day = LocalDay(t, "");
  ASSERT_FALSE(day.ok());
  EXPECT_EQ(day.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DateOfService, SplittingManyIntervalsAtOnceSplitsEachAsAlone) {
  // Intervals in and out of order, over midnights and the DST changes of
  // 2026 (Chicago: 03-08 and 11-01; Santiago's happen at local midnight).
  std::vector<Interval> intervals;
  for (TimePoint t = Utc(2026, 3, 6, 3); t < Utc(2026, 3, 11, 0); t += minutes(97)) {
    intervals.push_back({t, t + minutes(41)});
  }
  for (TimePoint t = Utc(2026, 11, 3, 9); t > Utc(2026, 10, 30, 0); t -= minutes(131)) {
    intervals.push_back({t, t + hours(7)});
  }
  intervals.push_back({Utc(2026, 4, 1, 0), Utc(2026, 4, 9, 0)});
  intervals.push_back({Utc(2026, 4, 2, 0), Utc(2026, 4, 2, 0)});  // empty
  for (const char* zone : {kChicago, "America/Santiago", "Australia/Lord_Howe", "UTC"}) {
    const absl::StatusOr<std::vector<std::vector<DayPiece>>> each =
        SplitEachByLocalDay(intervals, zone);
    ASSERT_TRUE(each.ok()) << each.status();
    ASSERT_EQ(each->size(), intervals.size());
    for (std::size_t i = 0; i < intervals.size(); ++i) {
      EXPECT_EQ((*each)[i], *SplitByLocalDay(intervals[i], zone)) << zone << " interval " << i;
    }
  }
  const absl::StatusOr<std::vector<std::vector<DayPiece>>> unknown =
      SplitEachByLocalDay(intervals, "America/Atlantis");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DateOfService, LocalDayIsTheCalendarDayInTheGivenZone) {
  const TimePoint midnight = Utc(2026, 12, 1, 6, 0);  // 00:00 in Chicago
  EXPECT_EQ(*LocalDay(midnight - milliseconds(1), kChicago), MakeDay(2026, 11, 30));
  EXPECT_EQ(*LocalDay(midnight, kChicago), MakeDay(2026, 12, 1));
  EXPECT_EQ(*LocalDay(Utc(2026, 12, 1, 0, 30), kChicago), MakeDay(2026, 11, 30));
  EXPECT_EQ(*LocalDay(Utc(2026, 12, 1, 0, 30), "UTC"), MakeDay(2026, 12, 1));
  EXPECT_EQ(*LocalDay(Utc(2026, 11, 30, 15, 0), "Asia/Tokyo"), MakeDay(2026, 12, 1));
}

}  // namespace
}  // namespace unitclock::core

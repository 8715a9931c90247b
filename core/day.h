#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Calendar days and dated windows: how every date-dependent rule (telehealth
// eligibility, thresholds, code edits) is looked up by the date of service.
namespace unitclock::core {

// A calendar day (a date of service, in the clinic's time zone).
using Day = std::chrono::sys_days;

// Parses "YYYY-MM-DD" (a valid calendar date); nullopt otherwise.
std::optional<Day> ParseDay(std::string_view text);
// Formats a day as "YYYY-MM-DD".
std::string FormatDay(Day day);

// A dated window [from, to], both days included; `to` empty = open-ended.
struct DateWindow {
  Day from;
  std::optional<Day> to;
  std::string source;  // where the rule comes from, for the reviewer
  // The rule is not settled for these dates (e.g. a code whose telehealth
  // status CMS has not made clear): the engine asks for review.
  bool uncertain = false;
  bool Contains(Day day) const { return from <= day && (!to || day <= *to); }
  friend bool operator==(const DateWindow&, const DateWindow&) = default;
};

// True if one of `windows` contains `day`.
bool AnyWindowContains(const std::vector<DateWindow>& windows, Day day);
// The window of `windows` that contains `day`, or nullptr.
const DateWindow* FindWindow(const std::vector<DateWindow>& windows, Day day);

}  // namespace unitclock::core

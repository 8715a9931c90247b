#include "core/day.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace unitclock::core {
namespace {

bool IsDigits(const std::string& text, std::size_t size) {
  return text.size() == size &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<Day> ParseDay(std::string_view text) {
  const std::string s(text);
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !IsDigits(s.substr(0, 4), 4) ||
      !IsDigits(s.substr(5, 2), 2) || !IsDigits(s.substr(8, 2), 2)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(std::stoi(s.substr(0, 4))),
                                         std::chrono::month(std::stoul(s.substr(5, 2))),
                                         std::chrono::day(std::stoul(s.substr(8, 2)))};
  if (!date.ok()) return std::nullopt;
  return Day(date);
}

std::string FormatDay(Day day) {
  const std::chrono::year_month_day date(day);
  char text[32];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

bool AnyWindowContains(const std::vector<DateWindow>& windows, Day day) {
  return std::any_of(windows.begin(), windows.end(),
                     [day](const DateWindow& window) { return window.Contains(day); });
}

const DateWindow* FindWindow(const std::vector<DateWindow>& windows, Day day) {
  for (const DateWindow& window : windows) {
    if (window.Contains(day)) return &window;
  }
  return nullptr;
}

}  // namespace unitclock::core

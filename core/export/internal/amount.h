#pragma once

#include <cstdint>
#include <string>

// Private to core/export: money amounts as the formats write them.
namespace unitclock::core::exports::internal {

// Cents as a decimal without trailing zeros: 9000 -> "90", 4550 -> "45.5",
// 4505 -> "45.05", 0 -> "0", -150 -> "-1.5" (X12 type R; also valid JSON).
std::string DecimalAmount(std::int64_t cents);

}  // namespace unitclock::core::exports::internal

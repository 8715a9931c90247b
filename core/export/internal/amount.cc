#include "core/export/internal/amount.h"

namespace unitclock::core::exports::internal {

std::string DecimalAmount(std::int64_t cents) {
  const bool negative = cents < 0;
  // Unsigned, so that the most negative value has a magnitude too.
  const std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(cents) + 1 : static_cast<std::uint64_t>(cents);
  // Appended, not "literal" + string: GCC 12 warns falsely (-Wrestrict,
  // GCC bug 105329) on the latter at -O2.
  std::string text = negative ? "-" : "";
  text += std::to_string(magnitude / 100);
  const unsigned fraction = static_cast<unsigned>(magnitude % 100);
  if (fraction != 0) {
    text += '.';
    text += static_cast<char>('0' + fraction / 10);
    if (fraction % 10 != 0) text += static_cast<char>('0' + fraction % 10);
  }
  return text;
}

}  // namespace unitclock::core::exports::internal

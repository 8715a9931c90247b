#include "core/time.h"

#include <date/date.h>

namespace unitclock::core {

std::string FormatRfc3339(TimePoint t) { return date::format("%FT%TZ", t); }

}  // namespace unitclock::core

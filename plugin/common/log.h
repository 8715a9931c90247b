#pragma once

#include <string>
#include <string_view>

// Structured logs: one line per record in logfmt (`key=value`), on stderr.
// Log opaque session and event ids only: never a patient or provider
// reference, never an event payload.
namespace unitclock::common {

// Sets the process-wide logger: logfmt lines with a UTC timestamp and level.
// `level` is one of trace, debug, info, warn, error, off (callers validate it).
// Call once at start, before any thread logs.
void InitLogging(std::string_view level);

// Quotes `value` for logfmt: wraps it in double quotes and escapes quotes,
// backslashes and control characters.
std::string Quote(std::string_view value);

}  // namespace unitclock::common

#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/event.h"

namespace unitclock::core {

// Limits on the text fields of an event.
inline constexpr std::size_t kMaxIdLength = 128;        // ids and references
inline constexpr std::size_t kMaxShortTextLength = 64;  // payer_id, signal

// The rule for identifiers chosen by a client (event, session and activity
// ids), as a sentence for error messages.
inline constexpr std::string_view kIdRule =
    "1 to 128 characters of letters, digits and - _ . : (not . or ..)";

// Why `value` is not a valid identifier under kIdRule ("required", "longer
// than 128 characters", ...), or an empty view if it is one. The one check of
// ids: event validation and resource names (e.g. "sessions/{id}") both use it.
std::string_view IdProblem(std::string_view value);

// True if `value` is a valid identifier under kIdRule.
inline bool IsValidId(std::string_view value) { return IdProblem(value).empty(); }

// True if `text` holds one of X12's delimiters (~ * : ^): such text cannot go
// into an 837P. Intake refuses it in the references a claim carries; the
// export checks claims stored before that again.
inline bool HasX12Delimiter(std::string_view text) {
  return text.find_first_of("~*:^") != std::string_view::npos;
}

// Checks that `event` is complete and well-formed on its own (its relation to
// other events of the session is the timeline's business, not this one's).
//
// Returns OK, or INVALID_ARGUMENT with a message that names the field and the
// reason, e.g. "event.session_started.clinic_time_zone: not an IANA time zone such as
// \"America/Chicago\"".
// Messages never repeat the value of a patient or provider reference.
// Thread-safe. Reads the system time zone database the first time a zone is
// checked.
absl::Status ValidateEvent(const Event& event);

// True if `name` names a zone of the IANA time zone database.
bool IsKnownTimeZone(const std::string& name);

}  // namespace unitclock::core

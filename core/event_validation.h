#pragma once

#include "absl/status/status.h"
#include "core/event.h"

namespace unitclock::core {

// Limits on the text fields of an event.
inline constexpr std::size_t kMaxIdLength = 128;        // ids and references
inline constexpr std::size_t kMaxShortTextLength = 64;  // payer_id, signal

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

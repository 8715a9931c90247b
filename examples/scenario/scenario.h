#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "unitclock/v1/event.pb.h"

// Scenario files: a readable JSON list of timed events of one session.
//
//   {
//     "session_id": "demo-0001",
//     "start_time": "2026-11-27T15:00:00Z",
//     "events": [
//       {"at": "00:00", "session_started": {"platform": "demo-rehab", ...}},
//       {"at": "02:00", "activity_started": {"activity_id": "ex-1", ...}}
//     ]
//   }
//
// "at" is the offset from start_time as "MM:SS" or "HH:MM:SS". Each event's
// other keys are the payload of a unitclock.v1.Event in Protobuf's JSON form
// (enum values by name). event_id defaults to "<session_id>-<NNN>" (the
// event's 1-based position); an event may set "event_id" and
// "sequence_number" itself.
namespace unitclock::examples {

struct Scenario {
  std::string session_id;
  std::vector<v1::Event> events;  // in file order
};

// Parses a scenario from JSON text. INVALID_ARGUMENT naming the event index
// and the key for anything malformed.
absl::StatusOr<Scenario> ParseScenario(const std::string& json_text);

// Reads and parses a scenario file. NOT_FOUND if it cannot be read.
absl::StatusOr<Scenario> LoadScenario(const std::string& path);

}  // namespace unitclock::examples

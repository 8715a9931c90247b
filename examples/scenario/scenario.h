#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "unitclock/v1/event.pb.h"

// Scenario files: a readable JSON list of timed events of one session, or of
// a month of a digital-rehab program (a monitoring episode and the visit
// sessions between its device data).
//
//   {
//     "session_id": "demo-0001",
//     "start_time": "2026-11-27T15:00:00Z",
//     "events": [
//       {"at": "00:00", "session_started": {"platform": "demo-rehab", ...}},
//       {"at": "02:00", "activity_started": {"activity_id": "ex-1", ...}},
//       {"at": "13d 01:00:00", "session_id": "visit-2026-10-14",
//        "session_started": {...}}
//     ]
//   }
//
// "at" is the offset from start_time as "MM:SS", "HH:MM:SS" (hours not
// bounded) or "<days>d HH:MM:SS" (days, then hours 0 to 23), e.g.
// "12d 14:30:00"; it becomes occurred_at. It is a plain offset in UTC: a
// clinic's daylight-saving change does not move it. Each event's other keys
// are the payload of a unitclock.v1.Event in Protobuf's JSON form (enum values
// by name), whichever payload it is: visit events (session_started, ...) and
// monitoring events (monitoring_episode_started, device_data_received,
// treatment_management_recorded, interactive_communication_held,
// monitoring_episode_ended) alike. An event may name its own "session_id"
// (the default is the file's), so that one file holds an episode and the
// visits of its month. event_id defaults to "<session_id>-<NNN>": the event's
// own session id and its 1-based position in the file, so that ids stay the
// same from run to run; an event may set "event_id" and "sequence_number"
// itself. Other top-level keys (a "description") are ignored.
namespace unitclock::examples {

struct Scenario {
  std::string session_id;         // the file's
  std::vector<v1::Event> events;  // in file order
  // Every session id the events carry, in order of first appearance; the
  // file's own only if an event uses it.
  std::vector<std::string> session_ids;
};

// Parses a scenario from JSON text. INVALID_ARGUMENT naming the event index
// and the key for anything malformed, e.g. `events[3].at: not "MM:SS",
// "HH:MM:SS" or "<days>d HH:MM:SS"`.
absl::StatusOr<Scenario> ParseScenario(const std::string& json_text);

// Reads and parses a scenario file. NOT_FOUND if it cannot be read.
absl::StatusOr<Scenario> LoadScenario(const std::string& path);

// True when the session id names a monitoring episode in the scenario: one
// of its events has a monitoring payload (unitclock.v1.Event fields 18-22).
// Otherwise the id is taken for a visit session.
bool IsMonitoringEpisode(const Scenario& scenario, const std::string& session_id);

// A patient's calendar month that a scenario's monitoring events touch.
struct ScenarioMonth {
  std::string platform;
  std::string patient_ref;
  std::string month;  // "YYYY-MM" in the clinic's time zone
  friend bool operator==(const ScenarioMonth&, const ScenarioMonth&) = default;
};

// The months to ask SuggestMonitoringCodes for: for each episode of the
// scenario with a monitoring_episode_started event, the calendar months, in
// the episode's clinic time zone, of the dates of all its events. Sorted by
// platform, patient and month, each once. An episode without its start event
// in the file is left out (its patient and zone are unknown here).
// INVALID_ARGUMENT if a clinic_time_zone is not in the time zone database.
absl::StatusOr<std::vector<ScenarioMonth>> MonitoringMonths(const Scenario& scenario);

}  // namespace unitclock::examples

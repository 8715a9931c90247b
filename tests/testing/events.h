#pragma once

#include <string>

#include "core/event.h"

// Builders of valid core events for tests: each test changes only what it is
// about.
namespace unitclock::testing {

// 2026-11-30T15:00:00Z plus `seconds`.
core::TimePoint At(int seconds);

// A complete SessionStarted event (PT, Medicare, America/Chicago, home,
// audio+video) for `session_id` at At(seconds).
core::Event StartedEvent(const std::string& event_id, const std::string& session_id,
                         int seconds = 0, const std::string& patient_ref = "pt-0001");

// The facts of a complete MonitoringEpisodeStarted: platform "demo-rehab",
// patient "pt-0001", provider "prov-77" (PT), physical therapy, Medicare,
// America/Chicago, a musculoskeletal device, remote therapeutic monitoring.
core::MonitoringEpisodeStarted EpisodeStart();

// An event with the given payload for `session_id` at At(seconds).
core::Event MakeEvent(const std::string& event_id, const std::string& session_id, int seconds,
                      core::EventPayload payload);

}  // namespace unitclock::testing

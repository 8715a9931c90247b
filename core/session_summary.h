#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "core/event.h"

namespace unitclock::core {

// The facts of a session read off its events: who, where, when it started and
// stopped. (How much therapy it delivered is the timeline's business.)
struct SessionSummary {
  std::string session_id;
  // The earliest SessionStarted event's facts and time; empty until it arrives.
  std::optional<SessionStarted> started;
  std::optional<TimePoint> start_time;
  // The earliest SessionStopped event's time and reason (kEnded when the
  // event gave none); empty and kUnspecified while active.
  std::optional<TimePoint> stop_time;
  StopReason stop_reason = StopReason::kUnspecified;
  std::size_t event_count = 0;
  std::optional<TimePoint> first_event_time;
  std::optional<TimePoint> last_event_time;

  bool stopped() const { return stop_time.has_value(); }
};

// Summarises the distinct events of one session, given in any order: the
// result depends only on the set of events. Ties between two SessionStarted
// (or SessionStopped) events at the same instant go to the smaller event_id.
// Pure; thread-compatible.
SessionSummary SummarizeSession(std::string session_id, std::span<const Event> events);

}  // namespace unitclock::core

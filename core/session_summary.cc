#include "core/session_summary.h"

#include <utility>

namespace unitclock::core {

SessionSummary SummarizeSession(std::string session_id, std::span<const Event> events) {
  SessionSummary summary;
  summary.session_id = std::move(session_id);
  summary.event_count = events.size();
  const Event* first_start = nullptr;
  const Event* first_stop = nullptr;
  for (const Event& e : events) {
    if (!summary.first_event_time || e.occurred_at < *summary.first_event_time) {
      summary.first_event_time = e.occurred_at;
    }
    if (!summary.last_event_time || e.occurred_at > *summary.last_event_time) {
      summary.last_event_time = e.occurred_at;
    }
    if (std::holds_alternative<SessionStarted>(e.payload)) {
      if (first_start == nullptr || EventOrder(e, *first_start)) first_start = &e;
    } else if (std::holds_alternative<SessionStopped>(e.payload)) {
      if (first_stop == nullptr || EventOrder(e, *first_stop)) first_stop = &e;
    }
  }
  if (first_start != nullptr) {
    summary.started = std::get<SessionStarted>(first_start->payload);
    summary.start_time = first_start->occurred_at;
  }
  if (first_stop != nullptr) {
    summary.stop_time = first_stop->occurred_at;
    const StopReason reason = std::get<SessionStopped>(first_stop->payload).reason;
    summary.stop_reason = reason == StopReason::kUnspecified ? StopReason::kEnded : reason;
  }
  return summary;
}

}  // namespace unitclock::core

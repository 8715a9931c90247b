#include "core/event.h"

namespace unitclock::core {

bool EventOrder(const Event& a, const Event& b) {
  if (a.occurred_at != b.occurred_at) return a.occurred_at < b.occurred_at;
  return a.event_id < b.event_id;
}

bool IsMonitoringPayload(const EventPayload& payload) {
  return std::holds_alternative<MonitoringEpisodeStarted>(payload) ||
         std::holds_alternative<MonitoringEpisodeEnded>(payload) ||
         std::holds_alternative<DeviceDataReceived>(payload) ||
         std::holds_alternative<TreatmentManagementRecorded>(payload) ||
         std::holds_alternative<InteractiveCommunicationHeld>(payload);
}

}  // namespace unitclock::core

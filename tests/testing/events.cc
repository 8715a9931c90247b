#include "tests/testing/events.h"

#include <utility>

namespace unitclock::testing {

core::TimePoint At(int seconds) {
  // 2026-11-30T15:00:00Z is 1796050800 seconds after the epoch.
  return core::TimePoint(std::chrono::seconds(std::int64_t{1796050800} + seconds));
}

core::Event MakeEvent(const std::string& event_id, const std::string& session_id, int seconds,
                      core::EventPayload payload) {
  core::Event e;
  e.event_id = event_id;
  e.session_id = session_id;
  e.occurred_at = At(seconds);
  e.payload = std::move(payload);
  return e;
}

core::Event StartedEvent(const std::string& event_id, const std::string& session_id, int seconds,
                         const std::string& patient_ref) {
  core::SessionStarted s;
  s.platform = "test-platform";
  s.patient_ref = patient_ref;
  s.provider_ref = "prov-0001";
  s.provider_role = core::ProviderRole::kPt;
  s.discipline = core::Discipline::kPhysicalTherapy;
  s.payer_id = "medicare";
  s.clinic_time_zone = "America/Chicago";
  s.patient_location = core::PatientLocation::kHome;
  s.planned_modality = core::Modality::kAudioVideo;
  return MakeEvent(event_id, session_id, seconds, s);
}

core::MonitoringEpisodeStarted EpisodeStart() {
  core::MonitoringEpisodeStarted s;
  s.platform = "demo-rehab";
  s.patient_ref = "pt-0001";
  s.provider_ref = "prov-77";
  s.provider_role = core::ProviderRole::kPt;
  s.discipline = core::Discipline::kPhysicalTherapy;
  s.payer_id = "medicare";
  s.clinic_time_zone = "America/Chicago";
  s.device_kind = core::DeviceKind::kMusculoskeletal;
  s.program = core::MonitoringProgram::kRemoteTherapeutic;
  return s;
}

}  // namespace unitclock::testing

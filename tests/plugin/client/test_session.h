#pragma once

// The session start that the client tests and client_tool record: platform
// demo-rehab (the test tokens' platform), Medicare, video, patient at home.
#include <string>

#include "unitclock/v1/event.pb.h"

namespace unitclock::testing {

inline v1::SessionStarted ClientTestSessionStarted(
    const std::string& patient_ref, const std::string& time_zone = "America/Chicago") {
  v1::SessionStarted s;
  s.set_platform("demo-rehab");
  s.set_patient_ref(patient_ref);
  s.set_provider_ref("prov-client");
  s.set_provider_role(v1::PROVIDER_ROLE_PT);
  s.set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
  s.set_payer_id("medicare");
  s.set_clinic_time_zone(time_zone);
  s.set_patient_location(v1::PATIENT_LOCATION_HOME);
  s.set_planned_modality(v1::MODALITY_AUDIO_VIDEO);
  return s;
}

}  // namespace unitclock::testing

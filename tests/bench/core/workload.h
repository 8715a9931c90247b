#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/export/claim.h"
#include "core/policy.h"

// Generated workloads for core_bench: deterministic for a given seed.
namespace unitclock::bench {

// The platform, patient and zone of every generated patient-day.
inline constexpr char kPlatform[] = "bench-rehab";
inline constexpr char kPatientRef[] = "pt-7c1d";
inline constexpr char kClinicZone[] = "America/Chicago";

// One session as the store returns it: its id and its distinct events, by
// occurred_at then event_id.
struct GeneratedSession {
  std::string session_id;
  std::vector<core::Event> events;
};

// One patient's sessions on one date of service.
struct PatientDay {
  core::Day date_of_service;
  std::vector<GeneratedSession> sessions;  // in time order, none overlapping
  std::size_t event_count = 0;             // over all sessions
};

// A Medicare physical-therapy patient-day of exactly `event_count` (>= 10)
// events, on 2026-11-30 in America/Chicago, spread over sessions of about
// 150 to 400 events each (one session below 500 events) laid out one after the
// other between 00:30 and 23:30 local time. Each session lasts 30 to 60
// minutes (less when the day is too full: 100,000 events make some 360
// sessions of 3 to 4 minutes) or less when it has few events: started,
// therapist and patient joining, audio+video, then activities (97110, 97112,
// 97530, 97116, 97535, sometimes 97140) with liveness signals (repetitions,
// or sets every 2 minutes at most), and now and then the patient
// dropping and rejoining, video going off, an assistant joining (and the
// therapist stepping out), an activity losing its end event or a rest longer
// than the idle threshold; then stopped. Every event passes
// core::ValidateEvent.
PatientDay MakePatientDay(std::size_t event_count, std::uint32_t seed);

// Approved claims (one per patient-day, 1 to 4 lines, three payers) with
// exactly `line_count` lines in total, exportable with the shipped
// core/policies/billing.json.
std::vector<core::exports::Claim> MakeClaims(std::size_t line_count, std::uint32_t seed);

}  // namespace unitclock::bench

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "unitclock/v1/event.pb.h"

// The crash test's workload: a deterministic (seeded) set of realistic
// therapy sessions over several days and a few patients, as the API events a
// platform would send.
namespace unitclock::crash {

// The platform (tenant) every generated session belongs to.
inline constexpr char kPlatform[] = "crash-test";

// A small deterministic random source. Only std::mt19937_64's raw output is
// used (its sequence is fixed by the standard, unlike the distributions'), so
// a seed gives the same workload with any standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // A number in [lo, hi] (both included; lo <= hi).
  std::int64_t Uniform(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(engine_() % static_cast<std::uint64_t>(hi - lo + 1));
  }

  // True with probability percent / 100.
  bool Chance(int percent) { return Uniform(0, 99) < percent; }

 private:
  std::mt19937_64 engine_;
};

struct WorkloadOptions {
  std::uint64_t seed = 1;
  // The first date of service. Sessions run between 13:00 and about 21:00
  // UTC, so that in the clinics' zones (all in the Americas) the local date
  // is the UTC date.
  std::chrono::sys_days first_day{};
  int days = 10;
  int patients = 5;
};

// References a spreadsheet would take for a formula (OWASP "CSV
// Injection"): valid references, recorded as they are; the CSV export
// neutralises them. Some patients and their providers carry them.
inline constexpr const char* kCsvInjections[] = {"=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "-1"};

// A message the daemon must refuse without recording anything and without
// ending the stream (issue 15): acknowledged REJECTED with INVALID_ARGUMENT.
// Either bytes that are no decodable PublishEventsRequest (invalid UTF-8 in a
// string field, a truncated event, garbage), or an event whose references
// intake refuses (X12 delimiters ~ * : ^, a tab or CR).
struct RefusedMessage {
  std::string what;          // for the report, e.g. "X12 delimiter in patient_ref"
  std::string bytes;         // the PublishEventsRequest as sent
  std::string event_id;      // what the acknowledgement echoes ("" if unreadable)
  std::string error_prefix;  // how its error_message begins: the field it names
  std::size_t session = 0;   // sent in the stream of sessions[session], ...
  std::size_t after = 0;     // ... right after that session's event number `after`
};

// One generated session: its events in time order.
struct GeneratedSession {
  std::string session_id;
  std::string patient_ref;
  std::string provider_ref;
  std::string date_of_service;  // YYYY-MM-DD
  std::vector<v1::Event> events;
};

// A patient's date of service, and what SuggestCodes is asked with for it.
struct PatientDay {
  std::string patient_ref;
  std::string date_of_service;                            // YYYY-MM-DD
  std::optional<std::int64_t> year_to_date_pt_slp_cents;  // per threshold group
  std::optional<std::int64_t> year_to_date_ot_cents;
};

struct Workload {
  std::vector<GeneratedSession> sessions;  // in order of start
  std::vector<PatientDay> patient_days;    // every patient-day with a session, sorted
  std::vector<RefusedMessage> refused;     // every kind at least once
  std::size_t csv_injection_sessions = 0;  // sessions whose references begin with = + - @
  std::size_t event_count = 0;
  std::chrono::system_clock::time_point last_event_time{};
};

// Generates the workload of `options`: the same options give the same events.
// Sessions start with SessionStarted (platform kPlatform, a payer of
// core/policies/payers, planned audio and video, a clinic time zone), have
// the therapist and patient join, media flow, one to four activities (codes
// of core/policies/codes.json by kind, sometimes by explicit CPT code) with
// liveness signals (now and then an idle gap), sometimes an assistant,
// dropped and rejoining participants, audio-only stretches, overlapping or
// unended activities, and end with everyone leaving and SessionStopped.
// Hostile parts (issue 15), from a random stream of their own: some patients'
// patient_ref and provider_ref are kCsvInjections; messages to refuse go
// between the events of some sessions.
Workload GenerateWorkload(const WorkloadOptions& options);

// True if `text` begins with what a spreadsheet takes for a formula.
bool StartsLikeAFormula(const std::string& text);

// "YYYY-MM-DD" of a day.
std::string FormatDate(std::chrono::sys_days day);

// Parses "YYYY-MM-DD"; nullopt if malformed or not a calendar date.
std::optional<std::chrono::sys_days> ParseDate(const std::string& text);

}  // namespace unitclock::crash

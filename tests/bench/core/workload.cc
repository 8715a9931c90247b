#include "tests/bench/core/workload.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>
#include <utility>

#include "core/fingerprint.h"

namespace unitclock::bench {
namespace {

using core::Duration;
using core::EventPayload;
using core::Participant;
using core::TimePoint;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kProviderRef[] = "prov-31a8";
constexpr char kAssistantRef[] = "pta-5e20";

// 2026-11-30: Medicare covers therapists' telehealth on it (payers/medicare.json).
constexpr std::chrono::year_month_day kDate{std::chrono::year{2026}, std::chrono::November,
                                            std::chrono::day{30}};
// Local midnight of kDate in America/Chicago (CST, UTC-6).
constexpr hours kUtcOffsetOfMidnight{6};

// Sessions of a patient-day: about this many events each.
constexpr std::size_t kMinSessionEvents = 150;
constexpr std::size_t kMaxSessionEvents = 400;
constexpr std::size_t kSingleSessionBelow = 500;
// The longest typical gap between two liveness signals (a set of exercises
// rather than a repetition): under the idle threshold of 3 minutes even at
// its longest (x 1.25).
constexpr Duration kTypicalGap = seconds(135);

// One event of a session before it has a time: the payload and the weight of
// the gap before it (1 = a typical gap between two liveness signals).
struct Step {
  EventPayload payload;
  double gap_weight = 1.0;
};

class Rng {
 public:
  explicit Rng(std::uint32_t seed) : engine_(seed) {}
  // Uniform in [lo, hi].
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine_); }
  double Real(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(engine_);
  }
  bool Chance(double p) { return Real(0.0, 1.0) < p; }
  std::uint64_t Bits() { return engine_(); }

 private:
  std::mt19937 engine_;
};

// What a platform reports for an activity: a kind, or (less often) an
// explicit code.
struct ActivityChoice {
  core::ActivityKind kind;
  const char* cpt_code;
  int weight;
};

constexpr std::array<ActivityChoice, 7> kActivities = {{
    {core::ActivityKind::kTherapeuticExercise, "", 30},       // 97110
    {core::ActivityKind::kTherapeuticExercise, "97110", 10},  // 97110, explicit
    {core::ActivityKind::kNeuromuscularReeducation, "", 20},  // 97112
    {core::ActivityKind::kTherapeuticActivities, "", 20},     // 97530
    {core::ActivityKind::kGaitTraining, "", 8},               // 97116 (NCCI pair with 97530)
    {core::ActivityKind::kSelfCare, "", 8},                   // 97535
    {core::ActivityKind::kManualTherapy, "", 4},              // 97140 (not on the list: blocked)
}};

const ActivityChoice& PickActivity(Rng& rng) {
  int total = 0;
  for (const ActivityChoice& a : kActivities) total += a.weight;
  int r = rng.Int(0, total - 1);
  for (const ActivityChoice& a : kActivities) {
    if (r < a.weight) return a;
    r -= a.weight;
  }
  return kActivities.front();
}

core::SessionStarted Facts() {
  core::SessionStarted s;
  s.platform = kPlatform;
  s.patient_ref = kPatientRef;
  s.provider_ref = kProviderRef;
  s.provider_role = core::ProviderRole::kPt;
  s.discipline = core::Discipline::kPhysicalTherapy;
  s.payer_id = "medicare";
  s.clinic_time_zone = kClinicZone;
  s.patient_location = core::PatientLocation::kHome;
  s.planned_modality = core::Modality::kAudioVideo;
  return s;
}

core::ParticipantJoined Joined(Participant who) {
  return {who, who == Participant::kAssistant ? kAssistantRef : ""};
}
core::ParticipantLeft Left(Participant who) {
  return {who, who == Participant::kAssistant ? kAssistantRef : ""};
}

// Plans one activity of `free` (>= 2) events at most, appending its steps;
// returns how many it used: never exactly free - 1, so that what is left is
// 0 or enough for another activity.
std::size_t PlanActivity(int number, std::size_t free, Rng& rng, std::vector<Step>& steps) {
  const ActivityChoice& choice = PickActivity(rng);
  const std::string id = "act-" + std::to_string(number);
  // Disruptions inside the activity, each an opening and a closing event.
  const bool patient_drop = rng.Chance(0.10);
  const bool video_off = rng.Chance(0.08);
  const bool assistant = rng.Chance(0.15);
  const bool therapist_out = assistant && rng.Chance(0.5);
  const bool end_lost = rng.Chance(0.02);
  std::size_t signals = static_cast<std::size_t>(rng.Int(4, 24));
  std::size_t disruption_events = 2 * (patient_drop + video_off + assistant + therapist_out);
  bool disrupt = true;
  if (2 + signals + disruption_events > free) {
    disrupt = false;
    disruption_events = 0;
    signals = std::min(signals, free - 2);
  }
  if (free - (2 + signals + disruption_events) == 1) ++signals;
  const std::size_t used = 2 + signals + disruption_events;

  // inserts[j]: events right after the j-th signal (0: right after the start).
  std::vector<std::vector<Step>> inserts(signals + 1);
  auto span = [&](std::size_t& a, std::size_t& b) {
    a = static_cast<std::size_t>(rng.Int(0, static_cast<int>(signals)));
    b = static_cast<std::size_t>(rng.Int(static_cast<int>(a), static_cast<int>(signals)));
  };
  if (disrupt) {
    std::size_t a = 0, b = 0;
    if (patient_drop) {  // the patient's connection drops and comes back
      span(a, b);
      inserts[a].push_back({Left(Participant::kPatient), 0.5});
      inserts[b].push_back({Joined(Participant::kPatient), 0.4});
    }
    if (video_off) {  // the patient's camera goes off for a while
      span(a, b);
      inserts[a].push_back({core::MediaChanged{core::Modality::kAudioOnly}, 0.5});
      inserts[b].push_back({core::MediaChanged{core::Modality::kAudioVideo}, 0.4});
    }
    if (assistant) {  // an assistant joins; the therapist may step out meanwhile
      span(a, b);
      std::size_t c = a, d = a;
      if (therapist_out) {
        c = static_cast<std::size_t>(rng.Int(static_cast<int>(a), static_cast<int>(b)));
        d = static_cast<std::size_t>(rng.Int(static_cast<int>(c), static_cast<int>(b)));
      }
      inserts[a].push_back({Joined(Participant::kAssistant), 0.3});
      if (therapist_out) inserts[c].push_back({Left(Participant::kProvider), 0.3});
      if (therapist_out) inserts[d].push_back({Joined(Participant::kProvider), 0.3});
      inserts[b].push_back({Left(Participant::kAssistant), 0.3});
    }
  }

  steps.push_back(
      {core::ActivityStarted{id, choice.kind, choice.cpt_code,
                             therapist_out ? Participant::kAssistant : Participant::kProvider},
       1.0});
  for (std::size_t j = 0;; ++j) {
    for (Step& s : inserts[j]) steps.push_back(std::move(s));
    if (j == signals) break;
    // Now and then a rest longer than the idle threshold.
    const double gap = rng.Chance(0.02) ? 1.8 : rng.Real(0.75, 1.25);
    steps.push_back({core::LivenessSignal{id, j % 10 == 9 ? "set-complete" : "repetition"}, gap});
  }
  if (end_lost) {
    // The end event got lost: one more signal instead (the activity stays
    // open until the next one starts, flagged activity_not_ended).
    steps.push_back({core::LivenessSignal{id, "repetition"}, rng.Real(0.75, 1.25)});
  } else {
    steps.push_back({core::ActivityEnded{id}, rng.Real(0.75, 1.25)});
  }
  return used;
}

// The steps of one session of exactly `event_count` (>= 10) events.
std::vector<Step> PlanSession(std::size_t event_count, Rng& rng) {
  std::vector<Step> steps;
  steps.reserve(event_count);
  steps.push_back({Facts(), 0.0});
  steps.push_back({Joined(Participant::kProvider), 0.3});
  steps.push_back({Joined(Participant::kPatient), 0.6});
  steps.push_back({core::MediaChanged{core::Modality::kAudioVideo}, 0.2});
  std::size_t free = event_count - steps.size() - 1;  // the stop comes last
  int activity = 0;
  while (free > 0) {
    const std::size_t before = steps.size();
    free -= PlanActivity(++activity, free, rng, steps);
    // Greetings before the first activity, a short talk between two.
    steps[before].gap_weight = activity == 1 ? 2.0 : rng.Real(0.5, 1.2);
  }
  steps.push_back({core::SessionStopped{core::StopReason::kEnded}, 1.5});
  return steps;
}

// Session sizes adding up to `event_count`.
std::vector<std::size_t> SessionSizes(std::size_t event_count, Rng& rng) {
  std::vector<std::size_t> sizes;
  std::size_t left = event_count;
  while (left > 0) {
    if (left < kSingleSessionBelow) {
      sizes.push_back(left);
      break;
    }
    std::size_t size = static_cast<std::size_t>(
        rng.Int(static_cast<int>(kMinSessionEvents), static_cast<int>(kMaxSessionEvents)));
    if (left - size < kMinSessionEvents) size = left - kMinSessionEvents;
    sizes.push_back(size);
    left -= size;
  }
  return sizes;
}

std::string Hex16(Rng& rng) { return core::Fnv1a64Hex(std::to_string(rng.Bits())); }

}  // namespace

PatientDay MakePatientDay(std::size_t event_count, std::uint32_t seed) {
  Rng rng(seed);
  PatientDay day;
  day.date_of_service = core::Day(kDate);
  const TimePoint midnight = TimePoint(day.date_of_service) + kUtcOffsetOfMidnight;
  const TimePoint window_start = midnight + minutes(30);
  const Duration window = hours(23);

  const std::vector<std::size_t> sizes = SessionSizes(std::max<std::size_t>(event_count, 10), rng);
  const Duration slot = window / static_cast<std::int64_t>(sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::size_t m = sizes[i];
    std::vector<Step> steps = PlanSession(m, rng);
    double total_weight = 0;
    for (const Step& s : steps) total_weight += s.gap_weight;
    // A weight of 1 is kTypicalGap at most; a session lasts 30 to 60 minutes
    // at most, or less when the day is too full for that.
    const Duration length = std::min({
        milliseconds(
            static_cast<std::int64_t>(static_cast<double>(kTypicalGap.count()) * total_weight)),
        Duration(seconds(rng.Int(30 * 60, 60 * 60))),
        slot * 9 / 10,
    });
    const auto slack = static_cast<double>((slot - length).count());
    const TimePoint start = window_start + slot * static_cast<std::int64_t>(i) +
                            milliseconds(static_cast<std::int64_t>(rng.Real(0.0, slack)));

    GeneratedSession session;
    session.session_id = "pd" + std::to_string(seed) + "-s" + std::to_string(i + 1);
    session.events.reserve(m);
    double cumulative = 0;
    for (std::size_t j = 0; j < steps.size(); ++j) {
      cumulative += steps[j].gap_weight;
      core::Event e;
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, "-e%05zu", j + 1);
      e.event_id = session.session_id + suffix;
      e.session_id = session.session_id;
      e.occurred_at =
          start + milliseconds(static_cast<std::int64_t>(
                      std::floor(static_cast<double>(length.count()) * cumulative / total_weight)));
      e.sequence_number = j + 1;
      e.payload = std::move(steps[j].payload);
      session.events.push_back(std::move(e));
    }
    day.event_count += session.events.size();
    day.sessions.push_back(std::move(session));
  }
  return day;
}

std::vector<core::exports::Claim> MakeClaims(std::size_t line_count, std::uint32_t seed) {
  Rng rng(seed);
  const std::array<const char*, 6> codes = {"97110", "97112", "97116", "97530", "97535", "97140"};
  const core::Day first_day(std::chrono::year{2026} / std::chrono::January / 5);
  std::vector<core::exports::Claim> claims;
  std::size_t written = 0;
  while (written < line_count) {
    core::exports::Claim claim;
    claim.suggestion_id = "s" + Hex16(rng);
    claim.review_id = "r" + Hex16(rng);
    claim.platform = kPlatform;
    claim.patient_ref = "pt-" + std::to_string(1000 + rng.Int(0, 499));
    claim.provider_ref = "prov-" + std::to_string(10 + rng.Int(0, 19));
    const int payer = rng.Int(0, 99);
    claim.payer_id = payer < 60 ? "medicare" : payer < 85 ? "commercial-cpt" : "acme-health";
    const bool medicare = claim.payer_id == "medicare";
    claim.date_of_service = first_day + std::chrono::days(rng.Int(0, 300));
    const int r = rng.Int(0, 9);
    const std::size_t lines = std::min<std::size_t>(r < 2   ? 1
                                                    : r < 6 ? 2
                                                    : r < 9 ? 3
                                                            : 4,
                                                    line_count - written);
    std::array<const char*, 6> shuffled = codes;
    for (std::size_t i = shuffled.size() - 1; i > 0; --i) {
      std::swap(shuffled[i], shuffled[static_cast<std::size_t>(rng.Int(0, static_cast<int>(i)))]);
    }
    const bool has_97530 = std::find(shuffled.begin(), shuffled.begin() + lines,
                                     std::string_view("97530")) != shuffled.begin() + lines;
    const std::string discipline = rng.Chance(0.8) ? "GP" : "GO";
    const bool audio_only = rng.Chance(0.1);
    const bool kx = medicare && rng.Chance(0.15);
    const std::string pos = rng.Chance(0.85) ? "10" : "02";
    for (std::size_t l = 0; l < lines; ++l) {
      core::exports::ClaimLine line;
      line.code = shuffled[l];
      line.units = rng.Int(1, 4);
      line.minutes = line.units * 15 - rng.Int(0, 7);
      line.modifiers.push_back(discipline);
      if (medicare && rng.Chance(0.1)) line.modifiers.push_back(discipline == "GP" ? "CQ" : "CO");
      line.modifiers.push_back(audio_only ? "93" : claim.payer_id == "acme-health" ? "GT" : "95");
      if (kx) line.modifiers.push_back("KX");
      if (has_97530 && (line.code == "97140" || line.code == "97116") &&
          line.modifiers.size() < 4) {
        line.modifiers.push_back("XU");
      }
      line.place_of_service = pos;
      claim.lines.push_back(std::move(line));
    }
    written += lines;
    claims.push_back(std::move(claim));
  }
  return claims;
}

}  // namespace unitclock::bench

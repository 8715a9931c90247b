#include "tests/crash/workload.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <tuple>
#include <utility>

#include "tests/testing/wire.h"
#include "unitclock/v1/session_service.pb.h"

namespace unitclock::crash {
namespace {

using std::chrono::milliseconds;
using testing::LengthDelimited;

constexpr std::int64_t kSecond = 1000;  // in milliseconds
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;

// A patient's standing facts: the same in every session of theirs.
struct PatientProfile {
  std::string patient_ref;
  std::string provider_ref;
  std::string assistant_ref;
  v1::ProviderRole provider_role = v1::PROVIDER_ROLE_PT;
  v1::Discipline discipline = v1::DISCIPLINE_PHYSICAL_THERAPY;
  std::string payer_id;
  std::string clinic_time_zone;
  v1::PatientLocation location = v1::PATIENT_LOCATION_HOME;
  // What SuggestCodes is asked with, per threshold group.
  std::optional<std::int64_t> year_to_date_pt_slp_cents;
  std::optional<std::int64_t> year_to_date_ot_cents;
  // What the sessions' SessionStarted carry (the request's amounts win).
  std::optional<std::int64_t> started_pt_slp_cents;
  std::optional<std::int64_t> started_ot_cents;
};

// The facts of patient number `i` (0-based): payers of core/policies/payers,
// mostly Medicare and physical therapy at home, zones of the Americas only.
PatientProfile Profile(int i) {
  static const char* const kPayers[] = {"medicare", "medicare", "commercial-cpt", "medicare",
                                        "acme-health"};
  static const char* const kZones[] = {"America/Chicago", "America/New_York", "America/Denver",
                                       "America/Los_Angeles", "America/Phoenix"};
  char ref[32];
  PatientProfile p;
  std::snprintf(ref, sizeof ref, "pt-%04d", i + 1);
  p.patient_ref = ref;
  std::snprintf(ref, sizeof ref, "prov-%04d", i % 3 + 1);
  p.provider_ref = ref;
  std::snprintf(ref, sizeof ref, "asst-%04d", i % 2 + 1);
  p.assistant_ref = ref;
  if (i % 4 == 3) {
    p.provider_role = v1::PROVIDER_ROLE_OT;
    p.discipline = v1::DISCIPLINE_OCCUPATIONAL_THERAPY;
  }
  p.payer_id = kPayers[i % 5];
  p.clinic_time_zone = kZones[i % 5];
  if (i % 5 == 4) p.location = v1::PATIENT_LOCATION_OTHER;
  if (i % 3 == 1) {
    p.year_to_date_pt_slp_cents = 120000;
    p.year_to_date_ot_cents = 40000;
  }
  if (i % 3 == 2) {  // above the yearly threshold of either group: KX
    p.year_to_date_pt_slp_cents = 260000;
    p.year_to_date_ot_cents = 260000;
  }
  if (i % 6 == 0) {  // the platform knows them: the sessions carry them
    p.started_pt_slp_cents = 250000;
    p.started_ot_cents = 90000;
  }
  return p;
}

// Builds one session's events in any order; Finish sorts them by time and
// numbers them.
class SessionBuilder {
 public:
  explicit SessionBuilder(std::string session_id) : session_id_(std::move(session_id)) {}

  // A new event at `at_ms` (milliseconds since the epoch); fill its payload.
  v1::Event& Add(std::int64_t at_ms) {
    drafts_.push_back({at_ms, static_cast<int>(drafts_.size()), v1::Event()});
    return drafts_.back().event;
  }

  // The events in time order (ties in the order added), with ids
  // "<session_id>-eNNN" and sequence numbers 1, 2, ...
  std::vector<v1::Event> Finish() {
    std::stable_sort(drafts_.begin(), drafts_.end(),
                     [](const Draft& a, const Draft& b) { return a.at_ms < b.at_ms; });
    std::vector<v1::Event> events;
    for (std::size_t i = 0; i < drafts_.size(); ++i) {
      v1::Event e = std::move(drafts_[i].event);
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, "-e%03zu", i + 1);
      e.set_event_id(session_id_ + suffix);
      e.set_session_id(session_id_);
      e.mutable_occurred_at()->set_seconds(drafts_[i].at_ms / kSecond);
      e.mutable_occurred_at()->set_nanos(static_cast<int>(drafts_[i].at_ms % kSecond) * 1000000);
      e.set_sequence_number(i + 1);
      events.push_back(std::move(e));
    }
    return events;
  }

 private:
  struct Draft {
    std::int64_t at_ms;
    int order;
    v1::Event event;
  };
  std::string session_id_;
  std::vector<Draft> drafts_;
};

// An activity kind the patient's discipline may bill (97116 gait training is
// PT only), mostly therapeutic exercise; now and then massage, which over
// video gets a blocking warning.
v1::ActivityKind PickKind(Rng& rng, v1::Discipline discipline) {
  const bool pt = discipline == v1::DISCIPLINE_PHYSICAL_THERAPY;
  const std::int64_t r = rng.Uniform(0, 99);
  if (r < 40) return v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE;
  if (r < 55) return v1::ACTIVITY_KIND_NEUROMUSCULAR_REEDUCATION;
  if (r < 70) return pt ? v1::ACTIVITY_KIND_GAIT_TRAINING : v1::ACTIVITY_KIND_SELF_CARE;
  if (r < 85) return v1::ACTIVITY_KIND_THERAPEUTIC_ACTIVITIES;
  if (r < 95) return v1::ACTIVITY_KIND_SELF_CARE;
  return v1::ACTIVITY_KIND_MASSAGE;
}

// The CPT code of core/policies/codes.json for `kind`.
const char* CodeOf(v1::ActivityKind kind) {
  switch (kind) {
    case v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE:
      return "97110";
    case v1::ACTIVITY_KIND_NEUROMUSCULAR_REEDUCATION:
      return "97112";
    case v1::ACTIVITY_KIND_GAIT_TRAINING:
      return "97116";
    case v1::ACTIVITY_KIND_MASSAGE:
      return "97124";
    case v1::ACTIVITY_KIND_THERAPEUTIC_ACTIVITIES:
      return "97530";
    default:
      return "97535";
  }
}

// Adds a participant leaving at `leave_ms` and joining again at `back_ms`.
void AddDrop(SessionBuilder& b, v1::Participant who, const std::string& assistant_ref,
             std::int64_t leave_ms, std::int64_t back_ms) {
  v1::ParticipantLeft* left = b.Add(leave_ms).mutable_participant_left();
  left->set_participant(who);
  if (who == v1::PARTICIPANT_ASSISTANT) left->set_assistant_ref(assistant_ref);
  v1::ParticipantJoined* joined = b.Add(back_ms).mutable_participant_joined();
  joined->set_participant(who);
  if (who == v1::PARTICIPANT_ASSISTANT) joined->set_assistant_ref(assistant_ref);
}

// The events of one session of `p` that starts at `start_ms`.
std::vector<v1::Event> GenerateSession(Rng& rng, const std::string& session_id,
                                       const PatientProfile& p, std::int64_t start_ms) {
  SessionBuilder b(session_id);
  v1::SessionStarted* started = b.Add(start_ms).mutable_session_started();
  started->set_platform(kPlatform);
  started->set_patient_ref(p.patient_ref);
  started->set_provider_ref(p.provider_ref);
  started->set_provider_role(p.provider_role);
  started->set_discipline(p.discipline);
  started->set_payer_id(p.payer_id);
  started->set_clinic_time_zone(p.clinic_time_zone);
  started->set_patient_location(p.location);
  started->set_planned_modality(v1::MODALITY_AUDIO_VIDEO);
  if (p.started_pt_slp_cents) started->set_year_to_date_pt_slp_cents(*p.started_pt_slp_cents);
  if (p.started_ot_cents) started->set_year_to_date_ot_cents(*p.started_ot_cents);

  const std::int64_t provider_in = start_ms + rng.Uniform(0, 40 * kSecond);
  const std::int64_t patient_in = start_ms + rng.Uniform(5 * kSecond, 150 * kSecond);
  b.Add(provider_in).mutable_participant_joined()->set_participant(v1::PARTICIPANT_PROVIDER);
  b.Add(patient_in).mutable_participant_joined()->set_participant(v1::PARTICIPANT_PATIENT);
  const std::int64_t media_on = std::max(provider_in, patient_in) + rng.Uniform(kSecond, 15000);
  b.Add(media_on).mutable_media_changed()->set_modality(v1::MODALITY_AUDIO_VIDEO);
  std::int64_t cursor = media_on + rng.Uniform(30 * kSecond, 150 * kSecond);

  const bool with_assistant = rng.Chance(25);
  if (with_assistant) {
    v1::ParticipantJoined* joined =
        b.Add(start_ms + rng.Uniform(30 * kSecond, 5 * kMinute)).mutable_participant_joined();
    joined->set_participant(v1::PARTICIPANT_ASSISTANT);
    joined->set_assistant_ref(p.assistant_ref);
    cursor = std::max(cursor, start_ms + 5 * kMinute + kSecond);
  }

  const int activities = static_cast<int>(rng.Uniform(1, 4));
  for (int a = 1; a <= activities; ++a) {
    const std::string activity_id = "act-" + std::to_string(a);
    const std::int64_t act_start = cursor;
    const std::int64_t act_end = act_start + rng.Uniform(4 * kMinute, 16 * kMinute);
    v1::ActivityStarted* as = b.Add(act_start).mutable_activity_started();
    as->set_activity_id(activity_id);
    const v1::ActivityKind kind = PickKind(rng, p.discipline);
    if (rng.Chance(10)) {
      as->set_cpt_code(CodeOf(kind));  // some platforms name the code instead of the kind
    } else {
      as->set_kind(kind);
    }
    as->set_performed_by(with_assistant && rng.Chance(40) ? v1::PARTICIPANT_ASSISTANT
                                                          : v1::PARTICIPANT_PROVIDER);

    // Liveness: a repetition every 15 s to 2 min, now and then a rest longer
    // than the idle threshold (3 min).
    for (std::int64_t t = act_start + rng.Uniform(10 * kSecond, 100 * kSecond);
         t < act_end - 5 * kSecond; t += rng.Chance(6) ? rng.Uniform(190 * kSecond, 6 * kMinute)
                                                       : rng.Uniform(15 * kSecond, 110 * kSecond)) {
      v1::LivenessSignal* signal = b.Add(t).mutable_liveness_signal();
      signal->set_activity_id(activity_id);
      if (!rng.Chance(20)) signal->set_signal("repetition");
    }

    // Disruptions inside the activity: a drop and rejoin, an audio-only
    // stretch.
    auto stretch = [&](std::int64_t min_len, std::int64_t max_len) {
      const std::int64_t from = rng.Uniform(act_start + 30 * kSecond, act_end - 60 * kSecond);
      const std::int64_t to = std::min(from + rng.Uniform(min_len, max_len), act_end - 5 * kSecond);
      return std::make_pair(from, to);
    };
    if (rng.Chance(12)) {
      const auto [from, to] = stretch(15 * kSecond, 200 * kSecond);
      AddDrop(b, v1::PARTICIPANT_PATIENT, "", from, to);
    }
    if (rng.Chance(5)) {
      const auto [from, to] = stretch(15 * kSecond, 120 * kSecond);
      AddDrop(b, v1::PARTICIPANT_PROVIDER, "", from, to);
    }
    if (with_assistant && rng.Chance(8)) {
      const auto [from, to] = stretch(15 * kSecond, 120 * kSecond);
      AddDrop(b, v1::PARTICIPANT_ASSISTANT, p.assistant_ref, from, to);
    }
    if (rng.Chance(12)) {
      const auto [from, to] = stretch(20 * kSecond, 180 * kSecond);
      b.Add(from).mutable_media_changed()->set_modality(v1::MODALITY_AUDIO_ONLY);
      b.Add(to).mutable_media_changed()->set_modality(v1::MODALITY_AUDIO_VIDEO);
    }

    if (!rng.Chance(6)) b.Add(act_end).mutable_activity_ended()->set_activity_id(activity_id);
    // The next activity: usually after a pause, sometimes overlapping.
    cursor = rng.Chance(8) ? act_end - rng.Uniform(20 * kSecond, 90 * kSecond)
                           : act_end + rng.Uniform(10 * kSecond, 120 * kSecond);
  }

  if (with_assistant) {
    v1::ParticipantLeft* left = b.Add(cursor).mutable_participant_left();
    left->set_participant(v1::PARTICIPANT_ASSISTANT);
    left->set_assistant_ref(p.assistant_ref);
  }
  const std::int64_t patient_out = cursor + rng.Uniform(10 * kSecond, 60 * kSecond);
  const std::int64_t provider_out = patient_out + rng.Uniform(2 * kSecond, 30 * kSecond);
  b.Add(patient_out).mutable_participant_left()->set_participant(v1::PARTICIPANT_PATIENT);
  b.Add(provider_out).mutable_participant_left()->set_participant(v1::PARTICIPANT_PROVIDER);
  b.Add(provider_out + rng.Uniform(2 * kSecond, 20 * kSecond))
      .mutable_session_stopped()
      ->set_reason(v1::STOP_REASON_ENDED);
  return b.Finish();
}

// Invalid UTF-8: 0xC3 opens a two-byte sequence that 0x28 ('(') does not
// continue. Protobuf refuses to parse it in a string field.
const std::string kBadUtf8("x\xC3\x28", 3);

constexpr int kUndecodableKinds = 5;

// An undecodable PublishEventsRequest of kind `kind`, made from `e` (an event
// of the session, its id replaced by `id`). A string field is set a second
// time in invalid UTF-8 (the last occurrence wins), or the event is cut
// short, or the bytes are no message at all.
RefusedMessage Undecodable(int kind, v1::Event e, const std::string& id) {
  constexpr int kEvent = 1;                             // PublishEventsRequest.event
  constexpr int kEventId = 1, kSessionId = 2;           // Event
  constexpr int kSessionStarted = 10, kPatientRef = 2;  // Event, SessionStarted
  RefusedMessage m;
  m.error_prefix = "event: not a valid unitclock.v1.Event";
  e.set_event_id(id);
  const std::string bytes = e.SerializeAsString();
  switch (kind) {
    case 0:
      m.what = "session_id in invalid UTF-8";
      m.bytes = LengthDelimited(kEvent, bytes + LengthDelimited(kSessionId, kBadUtf8));
      m.event_id = id;
      break;
    case 1:
      m.what = "patient_ref in invalid UTF-8";
      m.bytes = LengthDelimited(
          kEvent, bytes + LengthDelimited(kSessionStarted, LengthDelimited(kPatientRef, kBadUtf8)));
      m.event_id = id;
      break;
    case 2:
      m.what = "event_id in invalid UTF-8";
      m.bytes = LengthDelimited(kEvent, bytes + LengthDelimited(kEventId, id + kBadUtf8));
      break;  // the id cannot be read: the acknowledgement echoes none
    case 3:
      // The last field (the payload) claims one byte more than follows.
      m.what = "a truncated event";
      m.bytes = LengthDelimited(kEvent, bytes.substr(0, bytes.size() - 1));
      m.event_id = id;
      break;
    default:
      // 'n' (0x6e) is field 13 with wire type 6, which does not exist.
      m.what = "bytes that are no message";
      m.bytes = "not an event at all";
      break;
  }
  return m;
}

constexpr const char* kRefusedReferences[] = {"PAT~1", "A*B", "x:y", "r^s", "\tx", "\rx"};
constexpr int kRefusedKinds = static_cast<int>(std::size(kRefusedReferences));

// `started` (a SessionStarted of the session) with id `id` and one reference
// (platform, patient_ref or provider_ref by `field`) set to refused value
// `kind`: an X12 delimiter, or a tab or CR (not printable).
RefusedMessage RefusedReference(int kind, int field, v1::Event started, const std::string& id) {
  static const char* const kFields[] = {"platform", "patient_ref", "provider_ref"};
  v1::SessionStarted& s = *started.mutable_session_started();
  const std::string value = kRefusedReferences[kind];
  std::string* reference[] = {s.mutable_platform(), s.mutable_patient_ref(),
                              s.mutable_provider_ref()};
  *reference[field] = value;
  started.set_event_id(id);
  RefusedMessage m;
  m.what =
      std::string(kind < 4 ? "an X12 delimiter" : "a control character") + " in " + kFields[field];
  v1::PublishEventsRequest request;
  *request.mutable_event() = started;
  m.bytes = request.SerializeAsString();
  m.event_id = id;
  m.error_prefix = std::string("event.session_started.") + kFields[field] + ": ";
  return m;
}

// Puts the refused messages between the sessions' events: about one session
// in eight gets an undecodable message, one in eight a refused reference, at
// a random place; then every kind missing so far is added once.
void AddRefused(Rng& rng, Workload& w) {
  if (w.sessions.empty()) return;
  int undecodable = 0, references = 0;
  const auto add = [&](std::size_t s, bool decodable) {
    const GeneratedSession& session = w.sessions[s];
    const std::size_t after = static_cast<std::size_t>(
        rng.Uniform(0, static_cast<std::int64_t>(session.events.size()) - 1));
    char id[48];
    RefusedMessage m;
    if (decodable) {
      std::snprintf(id, sizeof id, "%s-x%02d", session.session_id.c_str(), references);
      const int field = static_cast<int>(rng.Uniform(0, 2));
      m = RefusedReference(references++ % kRefusedKinds, field, session.events.front(), id);
    } else {
      std::snprintf(id, sizeof id, "%s-u%02d", session.session_id.c_str(), undecodable);
      m = Undecodable(undecodable++ % kUndecodableKinds, session.events[after], id);
    }
    m.session = s;
    m.after = after;
    w.refused.push_back(std::move(m));
  };
  for (std::size_t s = 0; s < w.sessions.size(); ++s) {
    const std::int64_t r = rng.Uniform(0, 99);
    if (r < 12) add(s, false);
    if (r >= 88) add(s, true);
  }
  const auto any_session = [&] {
    return static_cast<std::size_t>(
        rng.Uniform(0, static_cast<std::int64_t>(w.sessions.size()) - 1));
  };
  while (undecodable < kUndecodableKinds) add(any_session(), false);
  while (references < kRefusedKinds) add(any_session(), true);
}

}  // namespace

bool StartsLikeAFormula(const std::string& text) {
  return !text.empty() && std::string("=+-@\t\r").find(text.front()) != std::string::npos;
}

Workload GenerateWorkload(const WorkloadOptions& options) {
  Rng rng(options.seed);
  // The hostile parts come from a stream of their own, so that the rest of
  // the workload of a seed is what it was before them.
  Rng hostile(options.seed ^ 0x686f7374696c6521ULL);
  Workload w;
  std::vector<PatientProfile> patients;
  for (int i = 0; i < options.patients; ++i) patients.push_back(Profile(i));
  // Some patients, at least one, with references that look like formulas.
  std::size_t formulas = 0;
  for (std::size_t i = 0; i < patients.size(); ++i) {
    if (!hostile.Chance(40) && !(formulas == 0 && i + 1 == patients.size())) continue;
    const std::size_t n = std::size(kCsvInjections);
    patients[i].patient_ref = kCsvInjections[formulas % n];
    if (formulas >= n) patients[i].patient_ref += " " + std::to_string(formulas);  // unique
    patients[i].provider_ref = kCsvInjections[(formulas + 1) % n];
    ++formulas;
  }
  int session_number = 0;
  std::int64_t last_ms = 0;
  for (int d = 0; d < options.days; ++d) {
    const std::chrono::sys_days day = options.first_day + std::chrono::days(d);
    const std::int64_t day_ms =
        std::chrono::duration_cast<milliseconds>(day.time_since_epoch()).count();
    for (const PatientProfile& p : patients) {
      // 0 to 3 sessions this day, in slots three hours apart from 13:00 UTC.
      const std::int64_t r = rng.Uniform(0, 99);
      const int count = r < 15 ? 0 : r < 60 ? 1 : r < 90 ? 2 : 3;
      if (count == 0) continue;
      w.patient_days.push_back(
          {p.patient_ref, FormatDate(day), p.year_to_date_pt_slp_cents, p.year_to_date_ot_cents});
      for (int slot = 0; slot < count; ++slot) {
        char id[32];
        std::snprintf(id, sizeof id, "cs-%04d", ++session_number);
        const std::int64_t start = day_ms + 13 * kHour + slot * 3 * kHour +
                                   rng.Uniform(0, 45 * kMinute) + rng.Uniform(0, 999);
        GeneratedSession s{id, p.patient_ref, p.provider_ref, FormatDate(day),
                           GenerateSession(rng, id, p, start)};
        w.event_count += s.events.size();
        if (StartsLikeAFormula(p.patient_ref)) ++w.csv_injection_sessions;
        const auto& last = s.events.back().occurred_at();
        last_ms =
            std::max<std::int64_t>(last_ms, last.seconds() * kSecond + last.nanos() / 1000000);
        w.sessions.push_back(std::move(s));
      }
    }
  }
  std::sort(w.patient_days.begin(), w.patient_days.end(),
            [](const PatientDay& a, const PatientDay& b) {
              return std::tie(a.patient_ref, a.date_of_service) <
                     std::tie(b.patient_ref, b.date_of_service);
            });
  w.last_event_time = std::chrono::system_clock::time_point(milliseconds(last_ms));
  AddRefused(hostile, w);
  return w;
}

std::string FormatDate(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

std::optional<std::chrono::sys_days> ParseDate(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char extra = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &extra) != 3) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

}  // namespace unitclock::crash

// Writes the seed corpus of the event-batch fuzz target (tests/fuzz/corpus/):
// serialized unitclock.v1.RecordEventsRequest messages of realistic sessions,
// the example scenario and variants of it (drops, audio-only, overlapping
// activities, massage over video, a local midnight, an assistant, ...), so
// that the fuzzer starts from inputs that reach deep into the timeline and
// the coding engine; and hostile ones (issue 15): messages the server cannot
// decode among good events, references that look like spreadsheet formulas
// or hold X12 delimiters; and remote monitoring episodes (issue 19), good and
// hostile.
//
//   make_seed_corpus <examples/scenarios/video_exercise_30min.json> <out folder>
//
// Deterministic: the same inputs give the same files. Exit status 0, or 1
// with a message on stderr.
#include <google/protobuf/util/time_util.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "examples/scenario/scenario.h"
#include "tests/testing/wire.h"
#include "unitclock/v1/event.pb.h"
#include "unitclock/v1/session_service.pb.h"

namespace unitclock::fuzz {
namespace {

using google::protobuf::util::TimeUtil;
using testing::LengthDelimited;

// 2026-11-27T15:00:00Z, the example scenario's start.
constexpr std::int64_t kDemoStart = 1795791600;

// Builds the events of one session, `at` seconds after its start.
class Session {
 public:
  Session(std::string id, std::int64_t start_seconds) : id_(std::move(id)), start_(start_seconds) {}

  // A new event at `at` seconds, with id "<session>-<NNN>".
  v1::Event& Add(std::int64_t at) {
    v1::Event& e = events_.emplace_back();
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "-%03zu", events_.size());
    e.set_event_id(id_ + suffix);
    e.set_session_id(id_);
    *e.mutable_occurred_at() = TimeUtil::SecondsToTimestamp(start_ + at);
    return e;
  }

  v1::SessionStarted& Started(std::int64_t at, const std::string& patient = "pt-4f9c2a",
                              const std::string& payer = "medicare") {
    v1::SessionStarted& s = *Add(at).mutable_session_started();
    s.set_platform("demo-rehab");
    s.set_patient_ref(patient);
    s.set_provider_ref("prov-17b3");
    s.set_provider_role(v1::PROVIDER_ROLE_PT);
    s.set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
    s.set_payer_id(payer);
    s.set_clinic_time_zone("America/Chicago");
    s.set_patient_location(v1::PATIENT_LOCATION_HOME);
    s.set_planned_modality(v1::MODALITY_AUDIO_VIDEO);
    return s;
  }
  void Joined(std::int64_t at, v1::Participant who, const std::string& assistant = "") {
    v1::ParticipantJoined& j = *Add(at).mutable_participant_joined();
    j.set_participant(who);
    j.set_assistant_ref(assistant);
  }
  void Left(std::int64_t at, v1::Participant who, const std::string& assistant = "") {
    v1::ParticipantLeft& l = *Add(at).mutable_participant_left();
    l.set_participant(who);
    l.set_assistant_ref(assistant);
  }
  void Media(std::int64_t at, v1::Modality modality) {
    Add(at).mutable_media_changed()->set_modality(modality);
  }
  void Activity(std::int64_t at, const std::string& id, v1::ActivityKind kind,
                const std::string& cpt = "", v1::Participant by = v1::PARTICIPANT_PROVIDER) {
    v1::ActivityStarted& a = *Add(at).mutable_activity_started();
    a.set_activity_id(id);
    a.set_kind(kind);
    a.set_cpt_code(cpt);
    a.set_performed_by(by);
  }
  void Ended(std::int64_t at, const std::string& id) {
    Add(at).mutable_activity_ended()->set_activity_id(id);
  }
  void Signal(std::int64_t at, const std::string& id) {
    v1::LivenessSignal& l = *Add(at).mutable_liveness_signal();
    l.set_activity_id(id);
    l.set_signal("repetition");
  }
  void Stopped(std::int64_t at, v1::StopReason reason = v1::STOP_REASON_ENDED) {
    Add(at).mutable_session_stopped()->set_reason(reason);
  }
  // Patient and therapist on the call with audio and video from `at`.
  void Everyone(std::int64_t at) {
    Joined(at, v1::PARTICIPANT_PROVIDER);
    Joined(at + 20, v1::PARTICIPANT_PATIENT);
    Media(at + 30, v1::MODALITY_AUDIO_VIDEO);
  }

  std::vector<v1::Event>& events() { return events_; }

 private:
  std::string id_;
  std::int64_t start_;
  std::vector<v1::Event> events_;
};

constexpr std::int64_t kMin = 60;

struct Corpus {
  std::filesystem::path folder;
  int written = 0;
  bool ok = true;

  void Write(const std::string& name, const std::vector<v1::Event>& events,
             std::uint64_t first_sequence_number = 0) {
    v1::RecordEventsRequest request;
    for (const v1::Event& e : events) *request.add_events() = e;
    if (first_sequence_number != 0 && request.events_size() > 0) {
      request.mutable_events(0)->set_sequence_number(first_sequence_number);
    }
    std::string bytes;
    if (!request.SerializeToString(&bytes)) {
      std::fprintf(stderr, "%s: cannot serialize\n", name.c_str());
      ok = false;
      return;
    }
    WriteBytes(name, bytes);
  }

  // A body written byte by byte (see Body), for what protobuf will not serialize.
  void WriteBytes(const std::string& name, const std::string& bytes) {
    std::ofstream out(folder / (name + ".pb"), std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) {
      std::fprintf(stderr, "%s: cannot write\n", name.c_str());
      ok = false;
      return;
    }
    ++written;
  }
};

// The bytes of one element of RecordEventsRequest.events (field 1), whatever
// they hold; PublishEventsRequest.event is field 1 too.
std::string EventField(const std::string& event_bytes) { return LengthDelimited(1, event_bytes); }

// A RecordEventsRequest body of these event fields, in order.
std::string Body(const std::vector<std::string>& event_bytes) {
  std::string body;
  for (const std::string& e : event_bytes) body += EventField(e);
  return body;
}

// Invalid UTF-8: 0xC3 opens a two-byte sequence that 0x28 ('(') does not continue.
const std::string kBadUtf8 = std::string("x\xC3\x28", 3);

// `e`'s bytes with a string field set again to invalid UTF-8: the last
// occurrence of a field wins, so protobuf never parses it. Protobuf itself
// would not serialize such a value without complaint.
std::string WithBadUtf8EventId(const v1::Event& e) {
  return e.SerializeAsString() + LengthDelimited(1, e.event_id() + kBadUtf8);
}
std::string WithBadUtf8SessionId(const v1::Event& e) {
  return e.SerializeAsString() + LengthDelimited(2, e.session_id() + kBadUtf8);
}
// session_started (field 10) again, merged into the first: patient_ref (field 2).
std::string WithBadUtf8PatientRef(const v1::Event& e) {
  return e.SerializeAsString() + LengthDelimited(10, LengthDelimited(2, "pt" + kBadUtf8));
}
// The last byte cut off: the last field (the payload) claims more bytes than follow.
std::string Truncated(const v1::Event& e) {
  const std::string bytes = e.SerializeAsString();
  return bytes.substr(0, bytes.size() - 1);
}
// Bytes that are no Event: 'n' (0x6e) is field 13 with wire type 6, which does not exist.
const std::string kGarbage = "not an event at all";

// The references of the CSV export that a spreadsheet would take for a
// formula (OWASP "CSV Injection"); the export writes them as text.
const std::vector<std::string> kCsvInjections = {"=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "-1"};

// A 30-minute exercise session like the scenario's, built by hand; without
// the stop when `stop` is false.
Session Exercise(const std::string& id, std::int64_t start, const std::string& patient,
                 const std::string& payer, bool stop = true) {
  Session s(id, start);
  s.Started(0, patient, payer);
  s.Everyone(10);
  s.Activity(2 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
  s.Ended(27 * kMin, "ex-1");
  if (stop) s.Stopped(30 * kMin);
  return s;
}

void WriteVariants(Corpus& corpus, const std::vector<v1::Event>& scenario) {
  corpus.Write("video_exercise_30min", scenario);

  {  // The scenario out of order, with repeats (a resend after a lost acknowledgement).
    std::vector<v1::Event> shuffled(scenario.rbegin(), scenario.rend());
    for (std::size_t i = 0; i < scenario.size(); i += 4) shuffled.push_back(scenario[i]);
    corpus.Write("video_exercise_30min_reversed_repeated", shuffled);
  }
  {  // The patient drops and rejoins; the therapist's connection blips.
    std::vector<v1::Event> events = scenario;
    Session drops("demo-20261127-0001", kDemoStart);
    drops.Left(10 * kMin, v1::PARTICIPANT_PATIENT);
    drops.Joined(12 * kMin + 30, v1::PARTICIPANT_PATIENT);
    drops.Left(20 * kMin, v1::PARTICIPANT_PROVIDER);
    drops.Joined(20 * kMin + 45, v1::PARTICIPANT_PROVIDER);
    for (v1::Event e : drops.events()) {
      e.set_event_id(e.event_id() + "-drop");
      events.push_back(std::move(e));
    }
    corpus.Write("drop_and_rejoin", events);
  }
  {  // Planned audio-only: a patient at home without video (modifier 93).
    Session s("audio-0001", kDemoStart);
    s.Started(0).set_planned_modality(v1::MODALITY_AUDIO_ONLY);
    s.Joined(10, v1::PARTICIPANT_PROVIDER);
    s.Joined(30, v1::PARTICIPANT_PATIENT);
    s.Media(40, v1::MODALITY_AUDIO_ONLY);
    s.Activity(1 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.Ended(24 * kMin, "ex-1");
    s.Activity(24 * kMin, "self-1", v1::ACTIVITY_KIND_SELF_CARE);
    s.Ended(33 * kMin, "self-1");
    s.Stopped(35 * kMin);
    corpus.Write("audio_only_planned", s.events());
  }
  {  // Video planned, but it goes off and on (audio only, then no media).
    Session s = Exercise("video-off-0001", kDemoStart, "pt-4f9c2a", "medicare");
    s.Media(8 * kMin, v1::MODALITY_AUDIO_ONLY);
    s.Media(12 * kMin, v1::MODALITY_AUDIO_VIDEO);
    s.Media(15 * kMin, v1::MODALITY_NONE);
    s.Media(16 * kMin, v1::MODALITY_AUDIO_VIDEO);
    corpus.Write("video_off_midway", s.events());
  }
  {  // Overlapping activities: one nested, one never ended, one restarted.
    Session s("overlap-0001", kDemoStart);
    s.Started(0);
    s.Everyone(10);
    s.Activity(2 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.Activity(10 * kMin, "nm-1", v1::ACTIVITY_KIND_NEUROMUSCULAR_REEDUCATION);
    s.Ended(18 * kMin, "nm-1");
    s.Activity(20 * kMin, "gait-1", v1::ACTIVITY_KIND_GAIT_TRAINING);
    s.Activity(22 * kMin, "gait-1", v1::ACTIVITY_KIND_GAIT_TRAINING);
    s.Ended(40 * kMin, "ex-1");
    s.Activity(41 * kMin, "act-1", v1::ACTIVITY_KIND_THERAPEUTIC_ACTIVITIES);
    s.Ended(52 * kMin, "act-1");
    s.Stopped(55 * kMin);
    corpus.Write("overlapping_activities", s.events());
  }
  {  // Massage and manual therapy over video: never on the telehealth list.
    Session s("massage-0001", kDemoStart);
    s.Started(0);
    s.Everyone(10);
    s.Activity(2 * kMin, "massage-1", v1::ACTIVITY_KIND_MASSAGE);
    s.Ended(15 * kMin, "massage-1");
    s.Activity(15 * kMin, "manual-1", v1::ACTIVITY_KIND_UNSPECIFIED, "97140");
    s.Ended(26 * kMin, "manual-1");
    s.Stopped(28 * kMin);
    corpus.Write("massage_over_video", s.events());
  }
  {  // 23:40 to 00:25 in Chicago (midnight is 2026-11-27T06:00:00Z): two dates of service.
    Session s = Exercise("midnight-0001", 1795759200 - 20 * kMin, "pt-4f9c2a", "medicare",
                         /*stop=*/false);
    s.Activity(28 * kMin, "ex-2", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.Ended(44 * kMin, "ex-2");
    s.Stopped(45 * kMin);
    corpus.Write("midnight_crossing", s.events());
  }
  {  // An assistant (PTA): alone, then with the therapist, then alone (CQ).
    Session s("assistant-0001", kDemoStart);
    s.Started(0);
    s.Joined(10, v1::PARTICIPANT_ASSISTANT, "pta-77");
    s.Joined(20, v1::PARTICIPANT_PATIENT);
    s.Media(30, v1::MODALITY_AUDIO_VIDEO);
    s.Activity(1 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE, "",
               v1::PARTICIPANT_ASSISTANT);
    s.Joined(9 * kMin, v1::PARTICIPANT_PROVIDER);
    s.Left(14 * kMin, v1::PARTICIPANT_PROVIDER);
    s.Ended(32 * kMin, "ex-1");
    s.Activity(32 * kMin, "gait-1", v1::ACTIVITY_KIND_GAIT_TRAINING, "", v1::PARTICIPANT_ASSISTANT);
    s.Ended(41 * kMin, "gait-1");
    s.Left(42 * kMin, v1::PARTICIPANT_ASSISTANT, "pta-77");
    s.Stopped(43 * kMin);
    corpus.Write("assistant_pta", s.events());
  }
  {  // Occupational therapy with an assistant (CO) on a commercial payer.
    Session s("ot-0001", kDemoStart);
    v1::SessionStarted& st = s.Started(0, "pt-9a1b", "commercial-cpt");
    st.set_provider_role(v1::PROVIDER_ROLE_OT);
    st.set_discipline(v1::DISCIPLINE_OCCUPATIONAL_THERAPY);
    st.set_patient_location(v1::PATIENT_LOCATION_OTHER);
    s.Everyone(10);
    s.Joined(60, v1::PARTICIPANT_ASSISTANT, "cota-3");
    s.Activity(2 * kMin, "act-1", v1::ACTIVITY_KIND_THERAPEUTIC_ACTIVITIES);
    s.Left(10 * kMin, v1::PARTICIPANT_PROVIDER);
    s.Ended(25 * kMin, "act-1");
    s.Activity(25 * kMin, "self-1", v1::ACTIVITY_KIND_SELF_CARE, "97535",
               v1::PARTICIPANT_ASSISTANT);
    s.Ended(47 * kMin, "self-1");
    s.Stopped(48 * kMin);
    corpus.Write("ot_with_assistant_commercial", s.events());
  }
  {  // Still running: no stop (the live view counts up to now).
    Session s("open-0001", kDemoStart);
    s.Started(0);
    s.Everyone(10);
    s.Activity(2 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.Signal(4 * kMin, "ex-1");
    s.Signal(6 * kMin, "ex-1");
    corpus.Write("open_session", s.events());
  }
  {  // Closed by the watchdog at its last event; a late event after the close.
    Session s("timeout-0001", kDemoStart);
    s.Started(0);
    s.Everyone(10);
    s.Activity(2 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.Signal(12 * kMin, "ex-1");
    s.Stopped(12 * kMin, v1::STOP_REASON_TIMED_OUT);
    s.Signal(14 * kMin, "ex-1");
    s.Ended(15 * kMin, "ex-1");
    corpus.Write("closed_by_timeout_late_event", s.events());
  }
  {  // The session_started event never arrived.
    Session s("nostart-0001", kDemoStart);
    s.Everyone(10);
    s.Activity(2 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.Ended(20 * kMin, "ex-1");
    s.Stopped(21 * kMin);
    corpus.Write("missing_session_started", s.events());
  }
  {  // Liveness signals with gaps over the idle threshold.
    Session s = Exercise("idle-0001", kDemoStart, "pt-4f9c2a", "medicare");
    for (std::int64_t t : {3, 5, 6, 12, 13, 14, 20, 26}) s.Signal(t * kMin, "ex-1");
    corpus.Write("idle_gaps", s.events());
  }
  {  // The same session for three payers: CPT midpoint, another, and none known.
    corpus.Write("payer_commercial_cpt",
                 Exercise("cpt-0001", kDemoStart, "pt-4f9c2a", "commercial-cpt").events());
    corpus.Write("payer_acme_health",
                 Exercise("acme-0001", kDemoStart, "pt-4f9c2a", "acme-health").events());
    corpus.Write("payer_unknown",
                 Exercise("unknown-0001", kDemoStart, "pt-4f9c2a", "no-such-payer").events());
  }
  {  // Two sessions of one patient on one day: minutes summed before units.
    Session a = Exercise("day-0001", kDemoStart, "pt-4f9c2a", "medicare");
    Session b("day-0002", kDemoStart + 3 * 3600);
    b.Started(0);
    b.Everyone(10);
    b.Activity(1 * kMin, "gait-1", v1::ACTIVITY_KIND_GAIT_TRAINING);
    b.Ended(9 * kMin, "gait-1");
    b.Stopped(10 * kMin);
    std::vector<v1::Event> events = a.events();
    events.insert(events.end(), b.events().begin(), b.events().end());
    corpus.Write("two_sessions_same_day", events);
  }
  {  // Year-to-date amount over the threshold (KX) and the review amount.
    corpus.Write("kx_threshold", Exercise("kx-0001", kDemoStart, "pt-4f9c2a", "medicare").events(),
                 /*first_sequence_number=*/320000);
  }
  {  // Group therapy (untimed 97150) and exercise: an NCCI pair.
    Session s("group-0001", kDemoStart);
    s.Started(0);
    s.Everyone(10);
    s.Activity(1 * kMin, "group-1", v1::ACTIVITY_KIND_GROUP_THERAPY);
    s.Ended(20 * kMin, "group-1");
    s.Activity(20 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.Ended(35 * kMin, "ex-1");
    s.Stopped(36 * kMin);
    corpus.Write("group_therapy_ncci", s.events());
  }
  {  // Two hours, four codes, equal leftovers competing for the last unit.
    Session s("long-0001", kDemoStart);
    s.Started(0);
    s.Everyone(10);
    s.Activity(1 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.Ended(24 * kMin, "ex-1");
    s.Activity(24 * kMin, "nm-1", v1::ACTIVITY_KIND_NEUROMUSCULAR_REEDUCATION);
    s.Ended(47 * kMin, "nm-1");
    s.Activity(47 * kMin, "gait-1", v1::ACTIVITY_KIND_GAIT_TRAINING);
    s.Ended(55 * kMin, "gait-1");
    s.Activity(55 * kMin, "act-1", v1::ACTIVITY_KIND_THERAPEUTIC_ACTIVITIES, "97530");
    s.Ended(117 * kMin, "act-1");
    s.Stopped(120 * kMin);
    corpus.Write("long_session_unit_tie", s.events());
  }
  {  // Inconsistent input the timeline flags: an end without a start, a
     // signal for no activity, a leave without a join, events before the
     // start and after the stop, a second start and stop, an unknown code.
    Session s("odd-0001", kDemoStart);
    s.Joined(0, v1::PARTICIPANT_PROVIDER);
    s.Started(30);
    s.Started(60);
    s.Ended(70, "ex-0");
    s.Signal(80, "ex-0");
    s.Left(90, v1::PARTICIPANT_ASSISTANT, "pta-9");
    s.Joined(100, v1::PARTICIPANT_PATIENT);
    s.Activity(2 * kMin, "ex-1", v1::ACTIVITY_KIND_UNSPECIFIED, "97999");
    s.Activity(3 * kMin, "ex-2", v1::ACTIVITY_KIND_UNSPECIFIED, "12345");
    s.Stopped(20 * kMin);
    s.Stopped(21 * kMin);
    s.Ended(22 * kMin, "ex-1");
    corpus.Write("inconsistent_events", s.events());
  }
  {  // Events the server refuses, mixed with good ones: a bad zone, bad ids,
     // no payload, an unknown enum value, a bad timestamp, no time, an id
     // reused with other content.
    Session s = Exercise("bad-0001", kDemoStart, "pt-4f9c2a", "medicare");
    std::vector<v1::Event> events = s.events();
    v1::Event bad_zone = events[0];
    bad_zone.set_event_id("bad-zone");
    bad_zone.mutable_session_started()->set_clinic_time_zone("Mars/Olympus_Mons");
    events.push_back(bad_zone);
    v1::Event bad_id = events[1];
    bad_id.set_event_id("bad id with spaces");
    events.push_back(bad_id);
    v1::Event no_payload = events[1];
    no_payload.set_event_id("no-payload");
    no_payload.clear_participant_joined();
    events.push_back(no_payload);
    v1::Event unknown_enum = events[1];
    unknown_enum.set_event_id("unknown-enum");
    unknown_enum.mutable_participant_joined()->set_participant(static_cast<v1::Participant>(42));
    events.push_back(unknown_enum);
    v1::Event bad_time = events[2];
    bad_time.set_event_id("bad-time");
    bad_time.mutable_occurred_at()->set_nanos(-5);
    events.push_back(bad_time);
    v1::Event no_time = events[2];
    no_time.set_event_id("no-time");
    no_time.clear_occurred_at();
    events.push_back(no_time);
    v1::Event conflict = events[3];  // same id as events[3], other content
    conflict.mutable_occurred_at()->set_seconds(conflict.occurred_at().seconds() + 1);
    events.push_back(conflict);
    corpus.Write("rejected_events_mixed", events);
  }
  {  // Over midnight into the day daylight saving time ends (2026-11-01 in
     // Chicago, midnight at 05:00Z), and zones far from UTC or with odd offsets.
    Session s = Exercise("dst-0001", 1793509200 - 15 * kMin, "pt-4f9c2a", "medicare");
    corpus.Write("dst_end_chicago", s.events());
    Session k = Exercise("zone-0001", kDemoStart, "pt-4f9c2a", "medicare");
    k.events()[0].mutable_session_started()->set_clinic_time_zone("Pacific/Kiritimati");
    Session n = Exercise("zone-0002", kDemoStart + 600, "pt-4f9c2a", "medicare");
    n.events()[0].mutable_session_started()->set_clinic_time_zone("Asia/Kathmandu");
    std::vector<v1::Event> events = k.events();
    events.insert(events.end(), n.events().begin(), n.events().end());
    corpus.Write("zones_far_from_utc", events);
  }
  {  // Millisecond and edge times: the earliest valid instant, sub-second stamps.
    Session s("edge-0001", 0);
    s.Started(1);
    s.Everyone(2);
    s.Activity(1 * kMin, "ex-1", v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE);
    s.events().back().mutable_occurred_at()->set_nanos(999999999);
    s.Ended(9 * kMin, "ex-1");
    s.events().back().mutable_occurred_at()->set_nanos(500000);
    s.Stopped(9 * kMin);
    corpus.Write("epoch_and_milliseconds", s.events());
  }
  {  // Several patients and sessions in one batch, interleaved.
    std::vector<v1::Event> events;
    std::vector<Session> sessions;
    for (int i = 0; i < 4; ++i) {
      sessions.push_back(Exercise("multi-000" + std::to_string(i), kDemoStart + i * 900,
                                  "pt-multi-" + std::to_string(i % 2),
                                  i == 3 ? "commercial-cpt" : "medicare"));
    }
    for (std::size_t e = 0; e < sessions[0].events().size(); ++e) {
      for (Session& s : sessions) events.push_back(s.events()[e]);
    }
    corpus.Write("interleaved_sessions", events);
  }
}

// Messages the server cannot decode (issue 15) among good events: string
// fields holding invalid UTF-8, a truncated event, bytes that are no event.
// RecordEvents refuses such a batch whole, naming the first bad event;
// PublishEvents acknowledges each bad message REJECTED and goes on.
void WriteUndecodable(Corpus& corpus) {
  const std::vector<v1::Event> events =
      Exercise("utf8-0001", kDemoStart, "pt-4f9c2a", "medicare").events();
  std::vector<std::string> good;
  for (const v1::Event& e : events) good.push_back(e.SerializeAsString());
  // The good events with event 2 replaced by `bad` (a different event_id, so
  // that the good one may follow it).
  const auto good_bad_good = [&](const std::string& name, const std::string& bad) {
    std::vector<std::string> body(good.begin(), good.begin() + 2);
    body.push_back(bad);
    body.insert(body.end(), good.begin() + 2, good.end());
    corpus.WriteBytes(name, Body(body));
  };
  v1::Event copy = events[2];
  copy.set_event_id("utf8-0001-bad");
  good_bad_good("undecodable_utf8_event_id", WithBadUtf8EventId(copy));
  good_bad_good("undecodable_utf8_session_id", WithBadUtf8SessionId(copy));
  good_bad_good("undecodable_truncated_event", Truncated(copy));
  good_bad_good("undecodable_garbage_event", kGarbage);
  {  // The session's start has a patient_ref in invalid UTF-8; a good start follows.
    v1::Event start = events[0];
    start.set_event_id("utf8-0001-start-bad");
    std::vector<std::string> body = {WithBadUtf8PatientRef(start)};
    body.insert(body.end(), good.begin(), good.end());
    corpus.WriteBytes("undecodable_utf8_patient_ref", Body(body));
  }
  {  // Good, bad, good, ... with every kind of bad message, twice.
    std::vector<std::string> body;
    const std::vector<std::string (*)(const v1::Event&)> kinds = {
        WithBadUtf8EventId, WithBadUtf8SessionId, WithBadUtf8PatientRef, Truncated};
    for (std::size_t i = 0; i < events.size(); ++i) {
      body.push_back(good[i]);
      v1::Event bad = events[i];
      bad.set_event_id(bad.event_id() + "-bad");
      body.push_back(i % 5 == 4 ? kGarbage : kinds[i % 4](bad));
    }
    corpus.WriteBytes("undecodable_good_bad_good", Body(body));
  }
  // Not a RecordEventsRequest at all, and a good batch whose last field is cut short.
  corpus.WriteBytes("undecodable_body_garbage", kGarbage);
  const std::string body = Body(good);
  corpus.WriteBytes("undecodable_body_truncated", body.substr(0, body.size() - 3));
}

// References that reach the claim exports (issue 15): platform, patient_ref
// and provider_ref holding what a spreadsheet takes for a formula (valid:
// the CSV export neutralises them), tabs and carriage returns (refused: not
// printable), and X12's delimiters ~ * : ^ (refused: an 837P cannot carry
// them).
void WriteHostileReferences(Corpus& corpus) {
  const auto session = [](const std::string& id, int n, const std::string& platform,
                          const std::string& patient, const std::string& provider) {
    Session s = Exercise(id, kDemoStart + n * 3600, patient, "medicare");
    v1::SessionStarted& started = *s.events()[0].mutable_session_started();
    started.set_platform(platform);
    started.set_provider_ref(provider);
    return s.events();
  };
  const auto n = kCsvInjections.size();
  std::vector<v1::Event> events;
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<v1::Event> s =
        session("csv-000" + std::to_string(i), static_cast<int>(i), kCsvInjections[(i + 2) % n],
                kCsvInjections[i], kCsvInjections[(i + 1) % n]);
    events.insert(events.end(), s.begin(), s.end());
  }
  corpus.Write("csv_injection_references", events);

  events.clear();
  const std::vector<std::string> control = {"\tx", "\rx"};
  for (std::size_t i = 0; i < 6; ++i) {
    const std::string& c = control[i % 2];
    const std::vector<v1::Event> s = session(
        "csvctl-000" + std::to_string(i), static_cast<int>(i), i / 2 == 0 ? c : "demo-rehab",
        i / 2 == 1 ? c : "pt-4f9c2a", i / 2 == 2 ? c : "prov-17b3");
    events.insert(events.end(), s.begin(), s.end());
  }
  const std::vector<v1::Event> ok = session("csvctl-ok", 7, "demo-rehab", "pt-4f9c2a", "prov-17b3");
  events.insert(events.end(), ok.begin(), ok.end());
  corpus.Write("csv_injection_control_characters", events);

  events.clear();
  const std::vector<std::string> delimited = {"PAT~1", "A*B", "x:y", "r^s"};
  for (std::size_t i = 0; i < 12; ++i) {
    const std::string& d = delimited[i % 4];
    const std::vector<v1::Event> s =
        session("x12-000" + std::to_string(i), static_cast<int>(i), i % 3 == 0 ? d : "demo-rehab",
                i % 3 == 1 ? d : "pt-4f9c2a", i % 3 == 2 ? d : "prov-17b3");
    events.insert(events.end(), s.begin(), s.end());
  }
  {  // A start refused for a delimiter, then the same session started cleanly.
    std::vector<v1::Event> s = session("x12-retry", 13, "demo-rehab", "PAT~1", "prov-17b3");
    v1::Event retry = s[0];
    retry.set_event_id("x12-retry-start-again");
    retry.mutable_session_started()->set_patient_ref("PAT-1");
    retry.mutable_occurred_at()->set_seconds(retry.occurred_at().seconds() + 5);
    s.insert(s.begin() + 1, retry);
    events.insert(events.end(), s.begin(), s.end());
  }
  corpus.Write("x12_delimiter_references", events);
}

// ---- Remote monitoring episodes (issue 19): months of device data and
// management time under one episode id, next to the patient's visits.

constexpr std::int64_t kDay = 86400;

v1::MonitoringEpisodeStarted& EpisodeStarted(Session& s, std::int64_t at) {
  v1::MonitoringEpisodeStarted& e = *s.Add(at).mutable_monitoring_episode_started();
  e.set_platform("demo-rehab");
  e.set_patient_ref("pt-4f9c2a");
  e.set_provider_ref("prov-17b3");
  e.set_provider_role(v1::PROVIDER_ROLE_PT);
  e.set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
  e.set_payer_id("medicare");
  e.set_clinic_time_zone("America/Chicago");
  e.set_device_kind(v1::DEVICE_KIND_MUSCULOSKELETAL);
  e.set_program(v1::MONITORING_PROGRAM_REMOTE_THERAPEUTIC);
  return e;
}
void DeviceData(Session& s, std::int64_t at) {
  s.Add(at).mutable_device_data_received()->set_data_kind("exercise_session");
}
v1::TreatmentManagementRecorded& Management(Session& s, std::int64_t at, std::int64_t seconds,
                                            v1::ProviderRole role = v1::PROVIDER_ROLE_PT) {
  v1::TreatmentManagementRecorded& m = *s.Add(at).mutable_treatment_management_recorded();
  m.set_clinician_ref(role == v1::PROVIDER_ROLE_PT ? "prov-17b3" : "pta-9d41");
  m.set_clinician_role(role);
  m.set_duration_seconds(seconds);
  m.set_activity("data_review");
  return m;
}
v1::InteractiveCommunicationHeld& Call(Session& s, std::int64_t at, std::int64_t seconds,
                                       v1::Modality modality = v1::MODALITY_AUDIO_VIDEO) {
  v1::InteractiveCommunicationHeld& c = *s.Add(at).mutable_interactive_communication_held();
  c.set_clinician_ref("prov-17b3");
  c.set_clinician_role(v1::PROVIDER_ROLE_PT);
  c.set_modality(modality);
  c.set_duration_seconds(seconds);
  return c;
}

// A month of an MSK RTM episode: 18 days of data, 12 + 9 minutes of
// management (the 9 by an assistant), a video call, a live video visit of
// the same patient inside it, and the episode's end; once in order, once
// reversed with repeats; and one that starts with device data before its
// MonitoringEpisodeStarted arrives, with a visit's event sent under the
// episode's id.
void WriteMonitoring(Corpus& corpus) {
  Session episode("rtm-0001", kDemoStart);
  EpisodeStarted(episode, 0);
  for (int day = 1; day <= 18; ++day) DeviceData(episode, day * kDay + 3600);
  Management(episode, 3 * kDay, 12 * kMin);
  Call(episode, 5 * kDay, 10 * kMin);
  Management(episode, 9 * kDay, 9 * kMin, v1::PROVIDER_ROLE_PTA);
  episode.Add(29 * kDay).mutable_monitoring_episode_ended();
  std::vector<v1::Event> events = episode.events();
  const std::vector<v1::Event> visit =
      Exercise("rtm-visit-0001", kDemoStart + 7 * kDay, "pt-4f9c2a", "medicare").events();
  events.insert(events.end(), visit.begin(), visit.end());
  corpus.Write("monitoring_month", events);

  std::vector<v1::Event> reversed(events.rbegin(), events.rend());
  reversed.insert(reversed.end(), events.begin(), events.begin() + 6);
  corpus.Write("monitoring_month_reversed_repeated", reversed);

  Session early("rtm-0002", kDemoStart);
  DeviceData(early, 0);
  DeviceData(early, kDay);
  EpisodeStarted(early, 2 * kDay).set_device_kind(v1::DEVICE_KIND_COGNITIVE_BEHAVIORAL_THERAPY);
  early.Joined(2 * kDay + 60, v1::PARTICIPANT_PATIENT);  // a visit's event: ignored by RTM
  Call(early, 3 * kDay, 4 * 3600, v1::MODALITY_AUDIO_ONLY);
  EpisodeStarted(early, 4 * kDay).set_program(v1::MONITORING_PROGRAM_REMOTE_PHYSIOLOGIC);
  corpus.Write("monitoring_data_before_start", early.events());
}

// Monitoring events with each kind of bad field, among good ones: an
// assistant billing the episode, an X12 delimiter in a reference, a call
// with no media, durations out of 1..14400 (0, negative, INT64_MAX: never
// converted to milliseconds), and enum numbers the API does not define,
// written byte by byte.
void WriteHostileMonitoring(Corpus& corpus) {
  Session s("rtm-bad-0001", kDemoStart);
  EpisodeStarted(s, 0);
  EpisodeStarted(s, 10).set_provider_role(v1::PROVIDER_ROLE_PTA);
  EpisodeStarted(s, 20).set_patient_ref("PAT~1");
  EpisodeStarted(s, 30).set_clinic_time_zone("Mars/Olympus_Mons");
  Call(s, 40, 60).set_clinician_ref("c*1");
  Call(s, 50, 60, v1::MODALITY_NONE);
  for (const std::int64_t seconds : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{14401},
                                     std::int64_t{INT64_MAX}, std::int64_t{INT64_MIN}}) {
    Management(s, 60, 60).set_duration_seconds(seconds);
  }
  Management(s, 70, 14400);  // the longest allowed
  DeviceData(s, 80);
  s.Add(90).mutable_device_data_received()->set_data_kind(std::string(65, 'k'));
  std::vector<std::string> body;
  for (const v1::Event& e : s.events()) body.push_back(e.SerializeAsString());
  // device_kind (field 8 of field 18) 9 and program (9 of 18) 7, clinician_role
  // (2 of 21) 42: numbers no enum defines; the submessages merge.
  const auto varint = [](int number, std::uint64_t v) {
    std::string out(1, static_cast<char>(number << 3));
    for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    out.push_back(static_cast<char>(v));
    return out;
  };
  body.push_back(s.events()[0].SerializeAsString() + LengthDelimited(18, varint(8, 9)));
  body.push_back(s.events()[0].SerializeAsString() + LengthDelimited(18, varint(9, 7)));
  body.push_back(s.events()[11].SerializeAsString() + LengthDelimited(21, varint(2, 42)));
  corpus.WriteBytes("monitoring_hostile_fields", Body(body));
}

}  // namespace
}  // namespace unitclock::fuzz

int main(int argc, char** argv) {
  using namespace unitclock;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <scenario.json> <out folder>\n", argv[0]);
    return 1;
  }
  absl::StatusOr<examples::Scenario> scenario = examples::LoadScenario(argv[1]);
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n", scenario.status().ToString().c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(argv[2], ec);
  fuzz::Corpus corpus{argv[2]};
  fuzz::WriteVariants(corpus, scenario->events);
  fuzz::WriteUndecodable(corpus);
  fuzz::WriteHostileReferences(corpus);
  fuzz::WriteMonitoring(corpus);
  fuzz::WriteHostileMonitoring(corpus);
  if (!corpus.ok) return 1;
  std::printf("wrote %d files to %s\n", corpus.written, argv[2]);
  return 0;
}

#include "tests/bench/ingest/workload.h"

#include <google/protobuf/util/time_util.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>

namespace unitclock::bench {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class SessionWriter {
 public:
  SessionWriter(const std::string& session_id, Clock::time_point start, IdKind ids)
      : session_id_(session_id), now_(start), ids_(ids) {}

  v1::Event& Add(seconds after) {
    now_ += after;
    v1::Event& e = events_.emplace_back();
    e.set_event_id(NewId(ids_));
    e.set_session_id(session_id_);
    e.set_sequence_number(events_.size());
    *e.mutable_occurred_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
        std::chrono::duration_cast<milliseconds>(now_.time_since_epoch()).count());
    return e;
  }
  std::vector<v1::Event> Take() { return std::move(events_); }

 private:
  std::string session_id_;
  Clock::time_point now_;
  IdKind ids_;
  std::vector<v1::Event> events_;
};

// The 128 bits `hi`, `lo` in a UUID's text form.
std::string FormatUuid(std::uint64_t hi, std::uint64_t lo) {
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return out;
}

int Uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

}  // namespace

// A version 7 UUID: the milliseconds of the Unix clock, then a counter and
// random bits, so that ids made later sort later (and land at the end of the
// store's index, as with unitclock's client library).
std::string TimeOrderedId() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<milliseconds>(Clock::now().time_since_epoch()).count());
  const std::uint64_t hi = (ms << 16) | 0x7000 | (counter.fetch_add(1) & 0x0fff);
  const std::uint64_t lo = (rng() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return FormatUuid(hi, lo);
}

std::string RandomId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const std::uint64_t hi = (rng() & 0xffffffffffff0fffULL) | 0x4000;
  const std::uint64_t lo = (rng() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return FormatUuid(hi, lo);
}

std::string NewId(IdKind kind) { return kind == IdKind::kRandom ? RandomId() : TimeOrderedId(); }

std::vector<v1::Event> SessionEvents(const std::string& platform, const std::string& session_id,
                                     Clock::time_point start, bool live, std::mt19937_64& rng,
                                     IdKind ids) {
  constexpr std::array<v1::ActivityKind, 4> kKinds = {
      v1::ACTIVITY_KIND_THERAPEUTIC_EXERCISE, v1::ACTIVITY_KIND_NEUROMUSCULAR_REEDUCATION,
      v1::ACTIVITY_KIND_GAIT_TRAINING, v1::ACTIVITY_KIND_THERAPEUTIC_ACTIVITIES};
  const int patient = Uniform(rng, 1, 5000);
  const bool assistant = Uniform(rng, 0, 3) == 0;
  SessionWriter w(session_id, start, ids);

  v1::SessionStarted& started = *w.Add(seconds(0)).mutable_session_started();
  started.set_platform(platform);
  started.set_patient_ref("pt-" + std::to_string(patient));
  started.set_provider_ref("prov-" + std::to_string(patient % 97));
  started.set_provider_role(v1::PROVIDER_ROLE_PT);
  started.set_discipline(v1::DISCIPLINE_PHYSICAL_THERAPY);
  started.set_payer_id(patient % 3 == 0 ? "acme-health" : "medicare");
  started.set_clinic_time_zone("America/Chicago");
  started.set_patient_location(v1::PATIENT_LOCATION_HOME);
  started.set_planned_modality(v1::MODALITY_AUDIO_VIDEO);
  w.Add(seconds(Uniform(rng, 5, 30)))
      .mutable_participant_joined()
      ->set_participant(v1::PARTICIPANT_PROVIDER);
  w.Add(seconds(Uniform(rng, 5, 60)))
      .mutable_participant_joined()
      ->set_participant(v1::PARTICIPANT_PATIENT);
  w.Add(seconds(Uniform(rng, 1, 10)))
      .mutable_media_changed()
      ->set_modality(v1::MODALITY_AUDIO_VIDEO);
  if (assistant) {
    v1::ParticipantJoined& joined =
        *w.Add(seconds(Uniform(rng, 10, 60))).mutable_participant_joined();
    joined.set_participant(v1::PARTICIPANT_ASSISTANT);
    joined.set_assistant_ref("asst-" + std::to_string(patient % 13));
  }

  const int activities = Uniform(rng, 2, 3);
  const bool drop = Uniform(rng, 0, 2) == 0;
  const bool audio_only = Uniform(rng, 0, 3) == 0;
  for (int a = 0; a < activities; ++a) {
    const std::string id = "act-" + std::to_string(a + 1);
    v1::ActivityStarted& act = *w.Add(seconds(Uniform(rng, 20, 90))).mutable_activity_started();
    act.set_activity_id(id);
    act.set_kind(kKinds[Uniform(rng, 0, kKinds.size() - 1)]);
    act.set_performed_by(assistant && a == activities - 1 ? v1::PARTICIPANT_ASSISTANT
                                                          : v1::PARTICIPANT_PROVIDER);
    if (live) return w.Take();
    const int signals = Uniform(rng, 8, 20);
    for (int s = 0; s < signals; ++s) {
      v1::LivenessSignal& sig = *w.Add(seconds(Uniform(rng, 10, 40))).mutable_liveness_signal();
      sig.set_activity_id(id);
      sig.set_signal("repetition");
      if (drop && a == 0 && s == signals / 2) {
        w.Add(seconds(Uniform(rng, 1, 20)))
            .mutable_participant_left()
            ->set_participant(v1::PARTICIPANT_PATIENT);
        w.Add(seconds(Uniform(rng, 10, 120)))
            .mutable_participant_joined()
            ->set_participant(v1::PARTICIPANT_PATIENT);
      }
      if (audio_only && a == 1 && s == signals / 3) {
        w.Add(seconds(Uniform(rng, 1, 20)))
            .mutable_media_changed()
            ->set_modality(v1::MODALITY_AUDIO_ONLY);
        w.Add(seconds(Uniform(rng, 60, 180)))
            .mutable_media_changed()
            ->set_modality(v1::MODALITY_AUDIO_VIDEO);
      }
    }
    w.Add(seconds(Uniform(rng, 5, 30))).mutable_activity_ended()->set_activity_id(id);
  }
  if (assistant) {
    v1::ParticipantLeft& left = *w.Add(seconds(Uniform(rng, 5, 30))).mutable_participant_left();
    left.set_participant(v1::PARTICIPANT_ASSISTANT);
    left.set_assistant_ref("asst-" + std::to_string(patient % 13));
  }
  w.Add(seconds(Uniform(rng, 10, 60)))
      .mutable_participant_left()
      ->set_participant(v1::PARTICIPANT_PATIENT);
  w.Add(seconds(Uniform(rng, 5, 30)))
      .mutable_participant_left()
      ->set_participant(v1::PARTICIPANT_PROVIDER);
  w.Add(seconds(Uniform(rng, 1, 10))).mutable_session_stopped()->set_reason(v1::STOP_REASON_ENDED);
  return w.Take();
}

}  // namespace unitclock::bench

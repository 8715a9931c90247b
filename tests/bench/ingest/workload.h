#pragma once

// Realistic session events for the benchmarks: what a telehealth platform
// sends for one therapy session.
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "unitclock/v1/event.pb.h"

namespace unitclock::bench {

using Clock = std::chrono::system_clock;

// The events of one session of 15 to 50 minutes starting at `start`, in the
// order a platform sends them: started; provider, patient and sometimes an
// assistant joining; video on; two or three activities with liveness signals
// every 10 to 40 seconds; a patient drop and rejoin in one session of three;
// an audio-only stretch in one of four; leaving; stopped. 30 to 90 events.
// With `live`, only the opening events (started, both joined, video on, first
// activity started): a session in progress, idle. Event ids are made as
// `ids` says; patient and provider references are opaque.
// A version 7 UUID (time-ordered).
std::string TimeOrderedId();
// A version 4 UUID (random), as a platform keeping ids of its own may send.
std::string RandomId();

// How the ids of a load are made: time-ordered, as unitclock's client
// library makes them, or random.
enum class IdKind { kTimeOrdered, kRandom };
std::string NewId(IdKind kind);

std::vector<v1::Event> SessionEvents(const std::string& platform, const std::string& session_id,
                                     Clock::time_point start, bool live, std::mt19937_64& rng,
                                     IdKind ids = IdKind::kTimeOrdered);

}  // namespace unitclock::bench

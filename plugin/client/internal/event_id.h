#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace unitclock::client::internal {

// Makes event ids: UUIDs version 7 (RFC 9562): 48 bits of Unix milliseconds,
// a 12-bit counter within the millisecond (rand_a, method 1 of the RFC) and
// 62 random bits. Ids of one generator increase strictly, even when the
// clock stands still or steps back, so they sort by creation; that also
// keeps the server's index appends cheap. Thread-safe.
class EventIdGenerator {
 public:
  EventIdGenerator();
  // A new id for an event recorded at `now_ms`, e.g.
  // "019ad6a2-5c3e-7000-8f1e-2b7c4d9a0e15".
  std::string Next(std::int64_t now_ms);

 private:
  absl::Mutex mu_;
  std::int64_t last_ms_ ABSL_GUARDED_BY(mu_) = 0;
  std::uint32_t counter_ ABSL_GUARDED_BY(mu_) = 0;
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_);
};

}  // namespace unitclock::client::internal

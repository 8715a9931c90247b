#pragma once

#include <chrono>

#include "core/time.h"
#include "core/timeline.h"

namespace unitclock::service {

// Settings of the service that unitclockd reads from its flags. A plain
// value, copied into the service at construction.
struct ServiceOptions {
  // Events more than this far ahead of the server's clock are rejected.
  core::Duration future_tolerance = std::chrono::minutes(5);
  // How session timelines are derived (idle threshold, audio-only rule).
  core::TimelinePolicy timeline;
};

}  // namespace unitclock::service

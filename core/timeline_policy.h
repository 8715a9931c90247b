#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/timeline.h"

namespace unitclock::core {

// The name of the timeline policy file in the policy folder.
inline constexpr std::string_view kTimelinePolicyFile = "timeline.json";

// Parses the timeline policy file (core/policies/timeline.json):
//
//   {
//     "format_version": 1,
//     "description": "free text",
//     "idle_threshold_seconds": 180,            // 10 to 3600
//     "audio_only_counts_when_planned": true
//   }
//
// Every key but "description" is required; unknown keys are errors (a typo
// must not silently fall back to a default). Returns INVALID_ARGUMENT with a
// message naming `source`, the key and the problem, e.g.
// "timeline.json: idle_threshold_seconds: must be between 10 and 3600".
// Pure; thread-safe.
absl::StatusOr<TimelinePolicy> ParseTimelinePolicy(std::string_view json_text,
                                                   const std::string& source);

}  // namespace unitclock::core

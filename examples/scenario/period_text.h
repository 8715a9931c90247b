#pragma once

#include <string>

#include "unitclock/v1/coding.pb.h"

// How the examples (simulated_platform, reviewer_cli) print a remote
// monitoring suggestion's period on one line, so that both say the same:
//
//   2026-10 calendar month, 21 min, contact: visit visit-2026-10-14
//   device period 2026-10-01..2026-10-30, 18 days
//   2026-11 calendar month, 12 min (5 by assistant), no contact yet, provisional
namespace unitclock::examples {

// The period in words: a calendar month's "YYYY-MM", its management minutes
// (with an assistant's share) and its interactive contacts ("visit
// <session_id>" or "call <event_id> (audio-video|audio only)"); a device
// period's dates and days of data; ", provisional" while it has not closed.
// Empty for a visit's suggestion (no `monitoring`).
std::string DescribeMonitoringPeriod(const v1::Suggestion& suggestion);

// A line's basis in parentheses for a listing: "(21 min)" for time, "(18
// days)" for a device line (its provenance dates), empty if neither.
std::string LineBasis(const v1::SuggestedLine& line);

}  // namespace unitclock::examples

#pragma once

#include <chrono>

#include "core/export/claim.h"
#include "core/policy.h"
#include "core/time.h"

namespace unitclock::service {

// Settings of the service that unitclockd reads from its flags. A plain
// value, copied into the service at construction.
struct ServiceOptions {
  // Events more than this far ahead of the server's clock are rejected.
  core::Duration future_tolerance = std::chrono::minutes(5);
  // Everything under the policy folder: how timelines are derived, the code
  // catalogue and the payer policies.
  core::PolicySet policies;
  // Who submits and bills, payer identities and charges, for the exports.
  core::exports::BillingConfig billing;
  // How often WatchSession recomputes a live session's totals.
  core::Duration watch_interval = std::chrono::seconds(5);
};

}  // namespace unitclock::service

#pragma once

#include <chrono>
#include <string>

#include "core/export/claim.h"
#include "core/policy.h"
#include "core/time.h"
#include "plugin/auth/token_table.h"

namespace unitclock::metrics {
class ServerMetrics;
}

namespace unitclock::service {

// The server's TLS material, PEM-encoded. Empty cert_chain: plaintext.
struct TlsOptions {
  std::string cert_chain;
  std::string private_key;
  // Non-empty: mutual TLS. Clients must present a certificate signed by one
  // of these authorities, or their connection is refused.
  std::string client_ca;

  bool enabled() const { return !cert_chain.empty(); }
};

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
  // Who may call, with which roles, for which platform.
  auth::TokenTable tokens;
  // TLS, or plaintext when tls.enabled() is false.
  TlsOptions tls;
  // Streams (PublishEvents, WatchSession, ExportClaims) one platform may
  // hold open at once; more are refused with RESOURCE_EXHAUSTED.
  int max_streams_per_platform = 256;
  // The largest request message accepted; larger ones are refused with
  // RESOURCE_EXHAUSTED by gRPC before any handler runs.
  int max_message_bytes = 4 * 1024 * 1024;
  // Where the services record their metrics (events, streams, suggestions,
  // reviews, exports, HTTP requests); nullptr records nothing. Not owned:
  // it must outlive the server.
  metrics::ServerMetrics* metrics = nullptr;
};

}  // namespace unitclock::service

#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "plugin/metrics/server_metrics.h"

namespace prometheus {
class Exposer;
}

namespace unitclock::metrics {

// The pull endpoint (unitclockd --metrics-listen): prometheus-cpp's Exposer
// serving `metrics` at /metrics over plain HTTP, on threads of its own.
// Unauthenticated: the metrics hold no patient data, but bind it where only
// the Prometheus server reaches it.
class MetricsEndpoint {
 public:
  // Listens on `address`, "ip:port" ("127.0.0.1:9464", "[::1]:9464"; port 0
  // takes a free port). `metrics` must outlive the endpoint. INVALID_ARGUMENT
  // for an address without a port, UNAVAILABLE if it cannot listen there.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& address,
                                                                ServerMetrics& metrics);
  ~MetricsEndpoint();  // stops serving
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The port bound.
  int port() const { return port_; }

 private:
  MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer, int port);

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

}  // namespace unitclock::metrics

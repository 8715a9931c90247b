#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "plugin/common/clock.h"
#include "plugin/http/server.h"
#include "plugin/service/health_reporter.h"
#include "plugin/service/service_options.h"
#include "plugin/store/store.h"

namespace grpc {
class Server;
}

namespace unitclock::service {

class Gate;
class CallerServiceImpl;
class SessionServiceImpl;
class CodingServiceImpl;
class ReviewServiceImpl;
class HttpApi;

// A running unitclock gRPC server: the SessionService, the CodingService, the
// ReviewService, the CallerService, the standard health checking service (grpc.health.v1.Health)
// and server reflection.
//
// Thread-safe: Shutdown may be called from any thread, once.
class Server {
 public:
  // Starts serving on `listen_address` ("127.0.0.1:50051"; port 0 picks a
  // free port), with TLS when options.tls is enabled. `store` and `clock`
  // must outlive the server; `options` is copied. UNAVAILABLE if the address
  // cannot be bound or the TLS material is unusable.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const std::string& listen_address,
                                                       store::Store& store,
                                                       const common::Clock& clock,
                                                       const ServiceOptions& options);

  ~Server();  // Shuts down with no grace period if Shutdown was not called.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound.
  int port() const { return port_; }

  // Also serves the API's JSON face (HttpApi) over HTTP/1.1 on
  // `listen_address` ("127.0.0.1:8080"; port 0 picks a free port), through
  // the same services, and the review page at "/": the page built into the
  // binary, or the files of `web_dir` if it is not empty (to work on the
  // page without rebuilding). Returns the port bound. INVALID_ARGUMENT for a bad
  // address or folder, UNAVAILABLE if it cannot listen, FAILED_PRECONDITION
  // if called twice.
  absl::StatusOr<int> StartHttp(const std::string& listen_address, const std::string& web_dir,
                                http::ServerOptions options = {});

  // Reports the health service's status (grpc.health.v1.Health, service "")
  // from `probe`, called every `interval`: SERVING while it returns OK,
  // NOT_SERVING while it fails (HealthReporter). Until then the status is
  // SERVING while the server runs. Call before Shutdown, not concurrently
  // with it; Shutdown stops the probing first, so the status stays
  // NOT_SERVING from then on. FAILED_PRECONDITION if called twice or after
  // Shutdown, INVALID_ARGUMENT for an interval below 1 ms.
  absl::Status WatchHealth(HealthReporter::Probe probe,
                           std::chrono::milliseconds interval = HealthReporter::kDefaultInterval);

  // Stops accepting calls, lets open streams acknowledge the event they hold
  // and end, and waits up to `grace` for calls in flight before cancelling
  // the rest. Every event acknowledged before this returns is durable.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  Server(std::unique_ptr<Gate> gate, std::unique_ptr<SessionServiceImpl> service,
         std::unique_ptr<CodingServiceImpl> coding, std::unique_ptr<ReviewServiceImpl> review,
         std::unique_ptr<CallerServiceImpl> caller, std::unique_ptr<grpc::Server> server, int port);

  std::unique_ptr<Gate> gate_;  // outlives the services, which refer to it
  std::unique_ptr<SessionServiceImpl> service_;
  std::unique_ptr<CodingServiceImpl> coding_;
  std::unique_ptr<ReviewServiceImpl> review_;
  std::unique_ptr<CallerServiceImpl> caller_;
  std::unique_ptr<grpc::Server> server_;
  // Declared after the services they call, so destroyed before them.
  std::unique_ptr<HttpApi> http_api_;
  std::unique_ptr<http::HttpServer> http_;
  std::unique_ptr<HealthReporter> health_;  // sets server_'s health service: destroyed first
  int port_;
  bool shut_down_ = false;
};

}  // namespace unitclock::service

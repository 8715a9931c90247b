#include "plugin/service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/status/status.h"
#include "plugin/http/static_files.h"
#include "plugin/service/caller_service.h"
#include "plugin/service/coding_service.h"
#include "plugin/service/http_api.h"
#include "plugin/service/review_service.h"
#include "plugin/service/session_service.h"
#include "plugin/web/web_files.h"

namespace unitclock::service {
namespace {

std::shared_ptr<grpc::ServerCredentials> Credentials(const TlsOptions& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl(
      tls.client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = tls.client_ca;
  ssl.pem_key_cert_pairs.push_back({tls.private_key, tls.cert_chain});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const std::string& listen_address,
                                                      store::Store& store,
                                                      const common::Clock& clock,
                                                      const ServiceOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  auto gate =
      std::make_unique<Gate>(options.tokens, options.max_streams_per_platform, options.metrics);
  auto service = std::make_unique<SessionServiceImpl>(*store.events, clock, options, *gate);
  auto coding = std::make_unique<CodingServiceImpl>(*store.events, clock, options, *gate);
  auto review = std::make_unique<ReviewServiceImpl>(store, clock, options, *gate);
  auto caller = std::make_unique<CallerServiceImpl>(*gate);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen_address, Credentials(options.tls), &port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  // Keepalive, both ways. Clients may ping every 5 s or more while a call is
  // open (the client library pings after 30 s of silence by default, at
  // least 10 s), however long the call carries no data; faster pings get
  // the connection closed (gRPC's ping strikes). The server pings too, so
  // that a client gone silently (its network path dropped) frees its
  // stream slot within minutes instead of TCP's hours.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.RegisterService(service.get());
  builder.RegisterService(coding.get());
  builder.RegisterService(review.get());
  builder.RegisterService(caller.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError("listen_address: cannot listen on \"" + listen_address + "\"");
  }
  return std::unique_ptr<Server>(new Server(std::move(gate), std::move(service), std::move(coding),
                                            std::move(review), std::move(caller), std::move(server),
                                            port));
}

Server::Server(std::unique_ptr<Gate> gate, std::unique_ptr<SessionServiceImpl> service,
               std::unique_ptr<CodingServiceImpl> coding, std::unique_ptr<ReviewServiceImpl> review,
               std::unique_ptr<CallerServiceImpl> caller, std::unique_ptr<grpc::Server> server,
               int port)
    : gate_(std::move(gate)),
      service_(std::move(service)),
      coding_(std::move(coding)),
      review_(std::move(review)),
      caller_(std::move(caller)),
      server_(std::move(server)),
      port_(port) {}

Server::~Server() {
  if (!shut_down_) Shutdown(std::chrono::milliseconds(0));
}

absl::StatusOr<int> Server::StartHttp(const std::string& listen_address, const std::string& web_dir,
                                      http::ServerOptions options) {
  if (http_ != nullptr) return absl::FailedPreconditionError("the HTTP face is already serving");
  auto api = std::make_unique<HttpApi>(*service_, *coding_, *review_, *caller_);
  http::Router router;
  if (absl::Status st = api->AddRoutes(router); !st.ok()) return st;
  // The page built into the binary, or the one in `web_dir` (to work on it).
  http::Handler page = http::EmbeddedFiles(web::Files()).AsHandler("path");
  if (!web_dir.empty()) {
    absl::StatusOr<http::StaticFiles> files = http::StaticFiles::Open(web_dir);
    if (!files.ok()) {
      return absl::InvalidArgumentError("web_dir: " + std::string(files.status().message()));
    }
    page = files->AsHandler("path");
  }
  if (absl::Status st = router.Add("GET", "/{path=**}", std::move(page)); !st.ok()) return st;
  auto http = std::make_unique<http::HttpServer>(options, std::move(router));
  absl::StatusOr<std::uint16_t> port = http->Start(listen_address);
  if (!port.ok()) return port.status();
  http_api_ = std::move(api);
  http_ = std::move(http);
  return static_cast<int>(*port);
}

absl::Status Server::WatchHealth(HealthReporter::Probe probe, std::chrono::milliseconds interval) {
  if (shut_down_ || health_ != nullptr) {
    return absl::FailedPreconditionError("the health probe is already set, or the server stopped");
  }
  if (interval.count() < 1) return absl::InvalidArgumentError("interval: below 1 ms");
  health_ = std::make_unique<HealthReporter>(*server_->GetHealthCheckService(), std::move(probe),
                                             interval);
  return absl::OkStatus();
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  shut_down_ = true;
  // Before the health service's Shutdown below, so that no probe sets
  // SERVING after it.
  if (health_ != nullptr) health_->Stop();
  // The HTTP face first: its calls go through the services below.
  if (http_ != nullptr) http_->Shutdown();
  service_->StartDraining();
  server_->GetHealthCheckService()->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
}

}  // namespace unitclock::service

#include "plugin/service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/status/status.h"
#include "plugin/service/coding_service.h"
#include "plugin/service/review_service.h"
#include "plugin/service/session_service.h"

namespace unitclock::service {

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const std::string& listen_address,
                                                      store::SqliteEventStore& store,
                                                      const common::Clock& clock,
                                                      const ServiceOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  auto service = std::make_unique<SessionServiceImpl>(store, clock, options);
  auto coding = std::make_unique<CodingServiceImpl>(store, clock, options);
  auto review = std::make_unique<ReviewServiceImpl>(store, clock, options);
  int port = 0;
  grpc::ServerBuilder builder;
  // TLS and authentication come with the security work; until then the
  // daemon refuses non-loopback addresses (see plugin/server/main.cc).
  builder.AddListeningPort(listen_address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service.get());
  builder.RegisterService(coding.get());
  builder.RegisterService(review.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError("listen_address: cannot listen on \"" + listen_address + "\"");
  }
  return std::unique_ptr<Server>(new Server(std::move(service), std::move(coding),
                                            std::move(review), std::move(server), port));
}

Server::Server(std::unique_ptr<SessionServiceImpl> service,
               std::unique_ptr<CodingServiceImpl> coding, std::unique_ptr<ReviewServiceImpl> review,
               std::unique_ptr<grpc::Server> server, int port)
    : service_(std::move(service)),
      coding_(std::move(coding)),
      review_(std::move(review)),
      server_(std::move(server)),
      port_(port) {}

Server::~Server() {
  if (!shut_down_) Shutdown(std::chrono::milliseconds(0));
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  shut_down_ = true;
  service_->StartDraining();
  server_->GetHealthCheckService()->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
}

}  // namespace unitclock::service

#pragma once

#include "plugin/service/access.h"
#include "unitclock/v1/caller.grpc.pb.h"

namespace unitclock::service {

// The gRPC handler of unitclock.v1.CallerService: who the caller's token
// says it is (token id, platform, roles; never the token).
//
// Thread-safe: gRPC calls the handler from its own threads.
class CallerServiceImpl final : public v1::CallerService::CallbackService {
 public:
  // `gate` must outlive the service.
  explicit CallerServiceImpl(Gate& gate) : gate_(gate) {}

  // The call, whatever the transport (the HTTP face answers through it too).
  absl::Status Get(Authorization authorization, const v1::GetCallerRequest& request,
                   v1::Caller& response) const;

  grpc::ServerUnaryReactor* GetCaller(grpc::CallbackServerContext* context,
                                      const v1::GetCallerRequest* request,
                                      v1::Caller* response) override;

 private:
  Gate& gate_;
};

}  // namespace unitclock::service

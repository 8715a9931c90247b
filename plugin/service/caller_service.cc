#include "plugin/service/caller_service.h"

#include <string>

#include "absl/status/status.h"
#include "plugin/service/rpc_status.h"

namespace unitclock::service {

using auth::Role;

namespace {
constexpr char kMe[] = "callers/me";
}  // namespace

absl::Status CallerServiceImpl::Get(Authorization authorization,
                                    const v1::GetCallerRequest& request,
                                    v1::Caller& response) const {
  auto caller = gate_.Admit(
      authorization, {Role::kPlatform, Role::kReviewer, Role::kBilling, Role::kAdmin}, "GetCaller");
  if (!caller.ok()) return caller.status();
  if (!request.name().empty() && request.name() != kMe) {
    return absl::InvalidArgumentError("name: only \"callers/me\" (or empty) is supported");
  }
  response.set_name(kMe);
  response.set_token_id(caller->token_id);
  response.set_platform(caller->platform);
  for (Role role : caller->roles) response.add_roles(std::string(auth::RoleName(role)));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CallerServiceImpl::GetCaller(grpc::CallbackServerContext* context,
                                                       const v1::GetCallerRequest* request,
                                                       v1::Caller* response) {
  return FinishUnary(context, Get(AuthorizationOf(*context), *request, *response));
}

}  // namespace unitclock::service

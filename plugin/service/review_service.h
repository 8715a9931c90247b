#pragma once

#include "plugin/common/clock.h"
#include "plugin/service/access.h"
#include "plugin/service/review_desk.h"
#include "plugin/service/service_options.h"
#include "plugin/store/store.h"
#include "unitclock/v1/review.grpc.pb.h"

namespace unitclock::service {

// The gRPC handlers of unitclock.v1.ReviewService: convert, call the review
// desk, convert back. The export stream holds transport state only.
//
// Thread-safe: gRPC calls the handlers from its own threads.
class ReviewServiceImpl final : public v1::ReviewService::CallbackService {
 public:
  // `store`, `clock` and `gate` must outlive the service; `options` is
  // copied.
  ReviewServiceImpl(store::Store& store, const common::Clock& clock, const ServiceOptions& options,
                    Gate& gate)
      : clock_(clock),
        options_(options),
        gate_(gate),
        desk_(*store.events, *store.ledger, options_.policies, options_.billing, options_.metrics) {
  }

  grpc::ServerUnaryReactor* ListSuggestions(grpc::CallbackServerContext* context,
                                            const v1::ListSuggestionsRequest* request,
                                            v1::ListSuggestionsResponse* response) override;
  grpc::ServerUnaryReactor* GetSuggestion(grpc::CallbackServerContext* context,
                                          const v1::GetSuggestionRequest* request,
                                          v1::ReviewedSuggestion* response) override;
  grpc::ServerUnaryReactor* ReviewSuggestion(grpc::CallbackServerContext* context,
                                             const v1::ReviewSuggestionRequest* request,
                                             v1::ReviewedSuggestion* response) override;
  grpc::ServerUnaryReactor* ListAuditRecords(grpc::CallbackServerContext* context,
                                             const v1::ListAuditRecordsRequest* request,
                                             v1::ListAuditRecordsResponse* response) override;
  grpc::ServerWriteReactor<v1::ExportClaimsResponse>* ExportClaims(
      grpc::CallbackServerContext* context, const v1::ExportClaimsRequest* request) override;

  // ---- The calls, whatever the transport ----
  // The gRPC handlers above and the HTTP face (http_api.cc) both answer
  // through these: admission by the Authorization header's value, the
  // request's conversion, the desk, the answer's conversion.
  absl::Status List(Authorization authorization, const v1::ListSuggestionsRequest& request,
                    v1::ListSuggestionsResponse& response);
  absl::Status Get(Authorization authorization, const v1::GetSuggestionRequest& request,
                   v1::ReviewedSuggestion& response);
  absl::Status Review(Authorization authorization, const v1::ReviewSuggestionRequest& request,
                      v1::ReviewedSuggestion& response);
  absl::Status Audit(Authorization authorization, const v1::ListAuditRecordsRequest& request,
                     v1::ListAuditRecordsResponse& response);
  // An export, admitted (role billing; it counts as one of the platform's
  // streams while `slot` lives) and prepared. Commit it once the file is
  // handed over: then its lines count as exported.
  struct PreparedExport {
    StreamSlot slot;
    ReviewDesk::ExportPlan plan;
  };
  absl::StatusOr<PreparedExport> PrepareExport(Authorization authorization,
                                               const v1::ExportClaimsRequest& request);
  absl::StatusOr<std::string> CommitExport(const ReviewDesk::ExportPlan& plan) {
    return desk_.CommitExport(plan);
  }

 private:
  class ExportReactor;

  // The caller, admitted with one of `roles`, and the platform it acts on
  // (the request's `platform` field, checked against the token).
  struct Admitted {
    auth::Caller caller;
    std::string platform;
  };
  absl::StatusOr<Admitted> Admit(Authorization authorization,
                                 std::initializer_list<auth::Role> roles, std::string_view call,
                                 const std::string& requested_platform) const;

  const common::Clock& clock_;    // read once per request
  const ServiceOptions options_;  // declared before desk_, which refers to it
  Gate& gate_;
  ReviewDesk desk_;
};

}  // namespace unitclock::service

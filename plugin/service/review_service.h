#pragma once

#include "plugin/common/clock.h"
#include "plugin/service/review_desk.h"
#include "plugin/service/service_options.h"
#include "plugin/store/sqlite_event_store.h"
#include "unitclock/v1/review.grpc.pb.h"

namespace unitclock::service {

// The gRPC handlers of unitclock.v1.ReviewService: convert, call the review
// desk, convert back. The export stream holds transport state only.
//
// Thread-safe: gRPC calls the handlers from its own threads.
class ReviewServiceImpl final : public v1::ReviewService::CallbackService {
 public:
  // `store` and `clock` must outlive the service; `options` is copied.
  ReviewServiceImpl(store::SqliteEventStore& store, const common::Clock& clock,
                    const ServiceOptions& options)
      : clock_(clock), options_(options), desk_(store, options_.policies, options_.billing) {}

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

 private:
  class ExportReactor;

  const common::Clock& clock_;    // read once per request
  const ServiceOptions options_;  // declared before desk_, which refers to it
  ReviewDesk desk_;
};

}  // namespace unitclock::service

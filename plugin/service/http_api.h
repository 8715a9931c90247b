#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "plugin/http/router.h"
#include "plugin/service/caller_service.h"
#include "plugin/service/coding_service.h"
#include "plugin/service/review_service.h"
#include "plugin/service/session_service.h"

namespace unitclock::service {

// The JSON face of the API (docs/http.md), after the gRPC HTTP transcoding
// conventions: each route fills the request message of its gRPC call from
// the path, the query and the body (Protobuf's JSON mapping), answers
// through the same call as the gRPC handler (the same admission, desk and
// conversions), and prints the response message as JSON:
//
//   GET  /v1/caller                        CallerService.GetCaller
//   GET  /v1/suggestions                   ReviewService.ListSuggestions
//   GET  /v1/suggestions/{id}              ReviewService.GetSuggestion
//   POST /v1/suggestions/{id}:review       ReviewService.ReviewSuggestion
//   GET  /v1/audit                         ReviewService.ListAuditRecords
//   GET  /v1/exports                       ReviewService.ExportClaims (a download)
//   GET  /v1/sessions/{id}                 SessionService.GetSession
//   GET  /v1/sessions/{id}:watch           CodingService.WatchSession (Server-Sent Events)
//   GET  /v1/monitoring                    CodingService.SuggestMonitoringCodes
//   GET  /v1/episodes/{id}:watch           CodingService.WatchMonitoring (Server-Sent Events)
//
// Thread-safe. The services must outlive it; destroy it after the HTTP
// server that calls it has shut down.
class HttpApi {
 public:
  HttpApi(SessionServiceImpl& sessions, CodingServiceImpl& coding, ReviewServiceImpl& review,
          const CallerServiceImpl& caller);
  ~HttpApi();  // Stops the watches.
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Adds the routes above to `router`.
  absl::Status AddRoutes(http::Router& router);

 private:
  class LiveWatch;
  // Ticks every open watch each watch interval, on a thread of its own.
  void TickWatches();
  // The response of a watch route: its error, or a stream of `progress`
  // as of each tick.
  template <typename Message>
  http::Response Watch(absl::StatusOr<CodingServiceImpl::Watch> watch,
                       absl::StatusOr<Message> (CodingServiceImpl::*progress)(
                           const CodingServiceImpl::Watch&, bool&) const);

  SessionServiceImpl& sessions_;
  CodingServiceImpl& coding_;
  ReviewServiceImpl& review_;
  const CallerServiceImpl& caller_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;                            // guarded by mu_
  std::vector<std::shared_ptr<LiveWatch>> watches_;  // guarded by mu_
  std::thread ticker_;
};

}  // namespace unitclock::service

#pragma once

#include "plugin/common/clock.h"
#include "plugin/service/access.h"
#include "plugin/service/coding_context.h"
#include "plugin/service/service_options.h"
#include "plugin/store/event_log.h"
#include "unitclock/v1/coding.grpc.pb.h"

namespace unitclock::service {

// The gRPC handlers of unitclock.v1.CodingService: load sessions, call the
// coding engine (core/coding.h), convert. No billing rule lives here.
//
// Thread-safe: gRPC calls the handlers from its own threads.
class CodingServiceImpl final : public v1::CodingService::CallbackService {
 public:
  // `store` and `clock` must outlive the service; `options` is copied.
  CodingServiceImpl(store::EventLog& store, const common::Clock& clock,
                    const ServiceOptions& options, Gate& gate)
      : store_(store),
        clock_(clock),
        options_(options),
        charges_context_(ChargesContext(options_.billing)),
        gate_(gate) {}

  grpc::ServerUnaryReactor* SuggestCodes(grpc::CallbackServerContext* context,
                                         const v1::SuggestCodesRequest* request,
                                         v1::SuggestCodesResponse* response) override;
  grpc::ServerWriteReactor<v1::SessionProgress>* WatchSession(
      grpc::CallbackServerContext* context, const v1::WatchSessionRequest* request) override;
  grpc::ServerUnaryReactor* SuggestMonitoringCodes(
      grpc::CallbackServerContext* context, const v1::SuggestMonitoringCodesRequest* request,
      v1::SuggestMonitoringCodesResponse* response) override;
  grpc::ServerWriteReactor<v1::MonitoringProgress>* WatchMonitoring(
      grpc::CallbackServerContext* context, const v1::WatchMonitoringRequest* request) override;

  // ---- SuggestMonitoringCodes, whatever the transport ----
  absl::Status SuggestMonitoring(Authorization authorization,
                                 const v1::SuggestMonitoringCodesRequest& request,
                                 v1::SuggestMonitoringCodesResponse& response) const;

  // ---- WatchSession, whatever the transport ----
  // A watch, admitted: it counts as one of the platform's streams while
  // `slot` lives.
  struct Watch {
    auth::Caller caller;
    std::string session_id;
    StreamSlot slot;
  };
  absl::StatusOr<Watch> StartWatch(Authorization authorization,
                                   const v1::WatchSessionRequest& request);
  // The watched session's running totals as of now; `stopped` tells whether
  // the session has stopped (the last progress to send).
  absl::StatusOr<v1::SessionProgress> Progress(const Watch& watch, bool& stopped) const;
  // How often a watch looks again.
  core::Duration watch_interval() const { return options_.watch_interval; }

  // ---- WatchMonitoring, whatever the transport ----
  // A watch of a monitoring episode (Watch::session_id is the episode's id).
  absl::StatusOr<Watch> StartMonitoringWatch(Authorization authorization,
                                             const v1::WatchMonitoringRequest& request);
  // The episode's running month as of now; `ended` tells whether the episode
  // has ended (the last progress to send).
  absl::StatusOr<v1::MonitoringProgress> MonitoringProgressOf(const Watch& watch,
                                                              bool& ended) const;

 private:
  template <typename Message>
  class WatchReactor;

  store::EventLog& store_;
  const common::Clock& clock_;  // read once per request or per watch tick
  const ServiceOptions options_;
  const core::CodingContext charges_context_;  // from options_.billing
  Gate& gate_;
};

}  // namespace unitclock::service

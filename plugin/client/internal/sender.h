#pragma once

#include <grpcpp/grpcpp.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "plugin/client/internal/event_buffer.h"
#include "plugin/client/recorder.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::client::internal {

class PublishStream;

// Delivers the buffer to the server: one PublishEvents stream at a time,
// events written in buffer order with up to `window` awaiting their
// acknowledgement, each removed from the buffer once acknowledged. When the
// stream fails (or cannot open) it waits a random time below an
// exponentially growing bound (full jitter), opens a new stream and sends
// again everything still buffered: the server's idempotency makes the
// repeats harmless. When the target names several instances, the channel
// (channel.h) opens that stream on a ready one, so a dead instance costs a
// reconnection, not an outage.
//
// Threading: its own thread runs a boost::asio::io_context; the stream's gRPC
// callbacks are posted to it, so every member below `io_` is touched by that
// thread alone. Wake() and Status() may be called from any thread.
class Sender {
 public:
  // `buffer` must outlive the Sender; `channel` is MakeChannel's
  // (channel.h). Starts the thread, which connects at once.
  Sender(const RecorderOptions& options, EventBuffer& buffer,
         std::shared_ptr<grpc::Channel> channel);
  // Cancels the stream and stops the thread; buffered events stay buffered.
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // New events are in the buffer.
  void Wake();
  DeliveryStatus Status() const;
  // Waits until the thread has run everything posted before this call (the
  // report of acknowledgements already removed, say) or `deadline` passed.
  // Not from the Sender's own thread.
  bool AwaitIdle(std::chrono::steady_clock::time_point deadline);

  // Called by PublishStream, on the Sender's thread.
  void OnWriteDone(const PublishStream* stream, bool ok);
  void OnAcknowledgement(const PublishStream* stream, const v1::EventAcknowledgement& ack);
  void OnStreamBroken(PublishStream* stream);  // its read failed: it is ending
  void OnStreamDone(const PublishStream* stream, const grpc::Status& status);

 private:
  struct InFlight {
    BufferedEvent event;
    bool written = false;
  };

  void Connect();
  void ScheduleReconnect();
  void Pump();
  void WriteNext();
  // The event left the stream for good (acknowledged, or undecodable): its
  // removal from the buffer is scheduled, its report queued, and it counts
  // as acknowledged.
  void Retire(BufferedEvent event, v1::EventAcknowledgement::Outcome outcome, int error_code,
              std::string error_message);
  void ScheduleRemoval();
  void FlushRemovals();
  void Tick();
  void ScheduleTick();
  void SetConnected(bool connected);
  void SetError(grpc::StatusCode code, std::string error);
  // An acknowledgement came: delivery works, the last error is history.
  void ClearError();
  void EmitStatus();

  const RecorderOptions options_;
  EventBuffer& buffer_;
  std::unique_ptr<v1::SessionService::Stub> stub_;

  mutable absl::Mutex status_mu_;
  bool connected_ ABSL_GUARDED_BY(status_mu_) = false;
  std::int64_t acknowledged_total_ ABSL_GUARDED_BY(status_mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(status_mu_);
  grpc::StatusCode last_error_code_ ABSL_GUARDED_BY(status_mu_) = grpc::StatusCode::OK;
  std::chrono::system_clock::time_point last_error_at_ ABSL_GUARDED_BY(status_mu_){};

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer backoff_timer_;
  boost::asio::steady_timer tick_timer_;
  std::mt19937_64 random_;
  bool stopping_ = false;
  int attempt_ = 0;  // streams failed since the last acknowledgement
  // The open stream, if any; `last_stream_` also keeps one whose end the
  // destructor must wait for (gRPC needs a reactor until its OnDone).
  std::shared_ptr<PublishStream> stream_;
  std::shared_ptr<PublishStream> last_stream_;
  std::deque<InFlight> in_flight_;  // in buffer order; the acknowledgements follow it
  bool writing_ = false;            // a write is outstanding (gRPC allows one)
  std::int64_t last_read_seq_ = 0;  // the newest event taken into in_flight_
  // Acknowledged events whose removal from the buffer is pending (a burst of
  // acknowledgements is removed in one transaction).
  std::vector<std::int64_t> to_remove_;
  std::unordered_set<std::int64_t> removing_;      // to_remove_, for lookups
  std::vector<Acknowledgement> acknowledgements_;  // reported once removed
  bool removal_posted_ = false;
  DeliveryStatus last_emitted_;

  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace unitclock::client::internal

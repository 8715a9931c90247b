#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "plugin/service/access.h"
#include "plugin/service/event_decode.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock::service {

// Where a PublishEvents stream sends the events it reads.
class EventSink {
 public:
  // Called once per submitted event with its acknowledgement, or with an
  // error that ends the stream (the event is not known to be stored; the
  // client sends it again).
  using AckDone = absl::AnyInvocable<void(absl::StatusOr<v1::EventAcknowledgement>) &&>;

  virtual ~EventSink() = default;

  // Takes `event` and calls `done` exactly once, on any thread, possibly
  // before returning. `done` must not block.
  virtual void Submit(ReceivedEvent event, AckDone done) = 0;
};

// How many events a PublishEvents stream reads ahead of their
// acknowledgements.
inline constexpr int kPublishWindow = 64;

// One PublishEvents stream, pipelined: it reads up to `window` events ahead
// of their acknowledgements, so that the events of one stream share the
// store's group commits instead of waiting for one commit each. The
// acknowledgements are written in the order the events were read.
//
// Raw: it reads and writes the bytes of PublishEventsRequest and
// PublishEventsResponse and decodes each message itself
// (DecodePublishEventsRequest), so that a message that cannot be decoded is
// acknowledged REJECTED (INVALID_ARGUMENT) without reaching the sink, and the
// stream goes on.
//
// The stream ends with OK when the client closes its side (after every
// acknowledgement is written) or once `draining` is set (after those of the
// events already read); with the sink's error when the sink fails. Deletes
// itself when gRPC is done with it.
class PublishStream final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // Starts reading into `sink`, or finishes at once with `admitted`'s error
  // (`sink` may then be null). `draining` must outlive the stream.
  PublishStream(absl::StatusOr<StreamSlot> admitted, std::unique_ptr<EventSink> sink,
                const std::atomic<bool>& draining, int window);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  // Fills the acknowledgement of the `seq`-th event read.
  void Acknowledge(std::uint64_t seq, absl::StatusOr<v1::EventAcknowledgement> ack);
  // Starts what may start now: the next write, the next read, or the end.
  // gRPC never runs a reaction inline from StartWrite and StartRead, so they
  // are made under the lock. Finish is not: see End.
  void Advance() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Decides that the call ends with `status`. Every entry point takes the
  // decision (TakeFinish) before it releases the lock and calls Finish after,
  // as its very last step: once Finish is called, gRPC may delete the stream
  // (OnDone) as soon as no reaction of its runs, and the sink's callback
  // (Acknowledge) is no reaction. Called under the lock, Finish let a failed
  // store's callback unlock a mutex already freed (the fault test saw the
  // abort once in about 75 outages of PostgreSQL).
  void End(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<grpc::Status> TakeFinish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::exchange(finish_, std::nullopt);
  }

  const std::unique_ptr<EventSink> sink_;
  const std::atomic<bool>& draining_;
  const int window_;

  absl::Mutex mu_;
  StreamSlot slot_ ABSL_GUARDED_BY(mu_);            // released when the call finishes
  grpc::ByteBuffer request_;                        // the read in progress
  grpc::ByteBuffer response_ ABSL_GUARDED_BY(mu_);  // the write in progress
  // The acknowledgements of the events read and not yet written, in order;
  // empty until the sink answers. The front is the `written_`-th event.
  std::deque<std::optional<v1::EventAcknowledgement>> acks_ ABSL_GUARDED_BY(mu_);
  std::uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;
  int submitting_ ABSL_GUARDED_BY(mu_) = 0;  // events whose sink has not answered
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // The status End decided on, until FinishIfEnded hands it to Finish.
  std::optional<grpc::Status> finish_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace unitclock::service

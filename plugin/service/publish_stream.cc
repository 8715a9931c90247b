#include "plugin/service/publish_stream.h"

#include <utility>
#include <variant>

#include "plugin/service/event_decode.h"
#include "plugin/service/rpc_status.h"

namespace unitclock::service {

PublishStream::PublishStream(absl::StatusOr<StreamSlot> admitted, std::unique_ptr<EventSink> sink,
                             const std::atomic<bool>& draining, int window)
    : sink_(std::move(sink)), draining_(draining), window_(window) {
  std::optional<grpc::Status> finish;
  {
    absl::MutexLock lock(&mu_);
    if (admitted.ok()) {
      slot_ = *std::move(admitted);
      Advance();
    } else {
      End(ToGrpcStatus(admitted.status()));
    }
    finish = TakeFinish();
  }
  if (finish) Finish(*finish);
}

void PublishStream::OnReadDone(bool ok) {
  // Decoded before the lock; reading_ stays set until the end, so that no
  // other thread reads into `request_`.
  std::variant<ReceivedEvent, v1::EventAcknowledgement> decoded;
  if (ok) decoded = DecodePublishEventsRequest(request_);
  std::uint64_t seq = 0;
  bool submit = false;
  std::optional<grpc::Status> finish;
  {
    absl::MutexLock lock(&mu_);
    if (!ok || finished_) {
      // !ok: the client closed its side, or the call was cancelled.
      // finished_: the stream ended (an error, draining) while this read was
      // pending; an event read now is dropped unacknowledged (the client
      // sends it again), since no sink may answer once gRPC may delete the
      // stream.
      read_closed_ = true;
    } else if (auto* rejected = std::get_if<v1::EventAcknowledgement>(&decoded)) {
      // Undecodable: acknowledged in its turn, without the sink.
      acks_.emplace_back(std::move(*rejected));
    } else {
      seq = written_ + acks_.size();
      acks_.emplace_back();
      ++submitting_;
      submit = true;
    }
    if (!submit) {
      reading_ = false;
      Advance();
      finish = TakeFinish();
    }
  }
  if (submit) {
    // Outside the lock, since the sink may answer before it returns. This
    // reaction is still running, so gRPC cannot delete the stream yet.
    sink_->Submit(std::get<ReceivedEvent>(std::move(decoded)),
                  [this, seq](absl::StatusOr<v1::EventAcknowledgement> ack) {
                    Acknowledge(seq, std::move(ack));
                  });
    absl::MutexLock lock(&mu_);
    reading_ = false;
    Advance();
    finish = TakeFinish();
  }
  if (finish) Finish(*finish);  // last: see End
}

void PublishStream::Acknowledge(std::uint64_t seq, absl::StatusOr<v1::EventAcknowledgement> ack) {
  std::optional<grpc::Status> finish;
  {
    absl::MutexLock lock(&mu_);
    --submitting_;
    if (!ack.ok()) {
      if (failure_.ok()) failure_ = ack.status();
    } else {
      acks_[seq - written_] = *std::move(ack);
    }
    Advance();
    finish = TakeFinish();
  }
  if (finish) Finish(*finish);  // last: see End
}

void PublishStream::OnWriteDone(bool ok) {
  std::optional<grpc::Status> finish;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok && failure_.ok()) {
      failure_ = absl::UnavailableError("acknowledgement could not be sent");
    }
    Advance();
    finish = TakeFinish();
  }
  if (finish) Finish(*finish);  // last: see End
}

void PublishStream::Advance() {
  if (finished_) return;
  if (!failure_.ok()) {
    // Ends once no reaction of the sink or write is outstanding (a pending
    // read then completes with ok=false, as gRPC allows).
    if (submitting_ == 0 && !writing_) End(ToGrpcStatus(failure_));
    return;
  }
  if (!writing_ && !acks_.empty() && acks_.front().has_value()) {
    v1::PublishEventsResponse response;
    *response.mutable_acknowledgement() = *std::move(acks_.front());
    response_ = EncodeMessage(response);
    acks_.pop_front();
    ++written_;
    writing_ = true;
    // Never with WriteOptions::set_buffer_hint: a hinted write completes
    // only once the transport writes for another reason, and the next
    // acknowledgement waits for that completion, so a client waiting for
    // its acknowledgements, sending nothing, waited until its deadline (the
    // crash test saw it in about 1 run in 16). gRPC still sends together
    // the acknowledgements written while the transport is busy.
    StartWrite(&response_);
  }
  const bool stop_reading = read_closed_ || draining_.load();
  if (!stop_reading && !reading_ && acks_.size() < static_cast<std::size_t>(window_) &&
      submitting_ < window_) {
    reading_ = true;
    StartRead(&request_);
  }
  if (stop_reading && acks_.empty() && !writing_ && submitting_ == 0) End(grpc::Status::OK);
}

void PublishStream::End(const grpc::Status& status) {
  finished_ = true;
  // The stream stops counting against its platform before the client can
  // see it end, so that a client may open the next one at once.
  slot_ = StreamSlot();
  finish_ = status;
}

}  // namespace unitclock::service

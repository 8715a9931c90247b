#include "plugin/client/internal/sender.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <future>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace unitclock::client::internal {

namespace asio = boost::asio;

// One PublishEvents call. Holds transport state only: every callback is
// posted to the Sender's io_context, where the Sender decides what it means.
// Keeps itself alive until gRPC's OnDone, after which gRPC no longer
// touches it.
class PublishStream
    : public grpc::ClientBidiReactor<v1::PublishEventsRequest, v1::PublishEventsResponse>,
      public std::enable_shared_from_this<PublishStream> {
 public:
  PublishStream(Sender& sender, asio::io_context& io) : sender_(sender), io_(io) {}

  void Start(v1::SessionService::Stub& stub, const std::string& token) {
    context_.AddMetadata("authorization", "Bearer " + token);
    self_ = shared_from_this();
    stub.async()->PublishEvents(&context_, this);
    // The Sender starts writes from its own thread: the hold keeps OnDone
    // (after which no operation may start) away until the Sender lets go.
    AddHold();
    StartRead(&response_);
    StartCall();
  }
  // The Sender will start no more writes. Idempotent; Sender's thread only.
  void ReleaseHold() {
    if (released_) return;
    released_ = true;
    RemoveHold();
  }
  bool released() const { return released_; }
  // One write at a time: the Sender waits for OnWriteDone before the next.
  void Write(v1::PublishEventsRequest request) {
    request_ = std::move(request);
    StartWrite(&request_);
  }
  // Ends the call. Only while the hold is kept: after OnDone gRPC has freed
  // the call, and TryCancel would touch it. Sender's thread only.
  void Cancel() {
    if (!released_) context_.TryCancel();
  }
  void WaitDone() { done_->WaitForNotification(); }

  void OnWriteDone(bool ok) override {
    asio::post(io_, [self = shared_from_this(), ok] { self->sender_.OnWriteDone(self.get(), ok); });
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      // The stream ended; OnDone follows once the Sender releases its hold.
      asio::post(io_, [self = shared_from_this()] { self->sender_.OnStreamBroken(self.get()); });
      return;
    }
    asio::post(io_, [self = shared_from_this(), ack = response_.acknowledgement()] {
      self->sender_.OnAcknowledgement(self.get(), ack);
    });
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    // Once posted, the stream may be destroyed at any time, so nothing of it
    // is touched after the post, and the gRPC thread holds no reference to
    // it: destroying the stream's ClientContext could drop the channel's last
    // reference, and a channel destroyed on gRPC's callback thread aborts the
    // process (gRPC 1.51's CallbackAlternativeCQ cannot join itself).
    std::shared_ptr<absl::Notification> done = done_;
    asio::post(
        io_, [self = std::move(self_), status] { self->sender_.OnStreamDone(self.get(), status); });
    done->Notify();
  }

 private:
  Sender& sender_;
  asio::io_context& io_;
  grpc::ClientContext context_;
  v1::PublishEventsRequest request_;
  v1::PublishEventsResponse response_;
  std::shared_ptr<PublishStream> self_;
  // Shared with OnDone, which notifies it after letting go of the stream.
  std::shared_ptr<absl::Notification> done_ = std::make_shared<absl::Notification>();
  bool released_ = false;
};

namespace {

constexpr std::chrono::seconds kTickInterval{1};

bool SameProgress(const DeliveryStatus& a, const DeliveryStatus& b) {
  return a.buffered == b.buffered && a.connected == b.connected &&
         a.acknowledged_total == b.acknowledged_total && a.last_error == b.last_error &&
         a.last_error_code == b.last_error_code;
}

}  // namespace

Sender::Sender(const RecorderOptions& options, EventBuffer& buffer,
               std::shared_ptr<grpc::Channel> channel)
    : options_(options),
      buffer_(buffer),
      stub_(v1::SessionService::NewStub(std::move(channel))),
      work_(asio::make_work_guard(io_)),
      backoff_timer_(io_),
      tick_timer_(io_),
      random_(std::random_device{}()),
      thread_([this] { io_.run(); }) {
  asio::post(io_, [this] {
    Connect();
    ScheduleTick();
  });
}

Sender::~Sender() {
  asio::post(io_, [this] {
    stopping_ = true;
    // Acknowledged events leave the buffer now, not on the next run's resend
    // (which would report a rejection twice).
    FlushRemovals();
    backoff_timer_.cancel();
    tick_timer_.cancel();
    if (stream_) {
      stream_->Cancel();
      stream_->ReleaseHold();
    }
    work_.reset();
  });
  thread_.join();
  // The io_context no longer runs; the stream's last callbacks post into it
  // and are dropped with it.
  if (last_stream_) last_stream_->WaitDone();
}

void Sender::Wake() {
  asio::post(io_, [this] { Pump(); });
}

DeliveryStatus Sender::Status() const {
  DeliveryStatus status;
  status.buffered = buffer_.Size();
  status.lag = buffer_.Lag(WallClockMs());
  absl::MutexLock lock(&status_mu_);
  status.connected = connected_;
  status.acknowledged_total = acknowledged_total_;
  status.last_error = last_error_;
  status.last_error_code = last_error_code_;
  status.last_error_at = last_error_at_;
  return status;
}

bool Sender::AwaitIdle(std::chrono::steady_clock::time_point deadline) {
  auto idle = std::make_shared<std::promise<void>>();
  std::future<void> done = idle->get_future();
  asio::post(io_, [idle] { idle->set_value(); });
  return done.wait_until(deadline) == std::future_status::ready;
}

void Sender::Connect() {
  if (stopping_) return;
  stream_ = std::make_shared<PublishStream>(*this, io_);
  last_stream_ = stream_;
  stream_->Start(*stub_, options_.token);
  Pump();
}

void Sender::ScheduleReconnect() {
  // Full jitter: uniform in [0, min(max, initial * 2^attempt)], so that many
  // platforms cut off together do not come back together.
  const int shift = std::min(attempt_, 30);
  const auto bound = std::min<std::int64_t>(options_.max_backoff.count(),
                                            options_.initial_backoff.count() << shift);
  ++attempt_;
  std::uniform_int_distribution<std::int64_t> jitter(0, std::max<std::int64_t>(bound, 1));
  backoff_timer_.expires_after(std::chrono::milliseconds(jitter(random_)));
  backoff_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Connect();
  });
}

void Sender::Pump() {
  if (stopping_ || !stream_) return;
  const int room = options_.window - static_cast<int>(in_flight_.size());
  if (room > 0) {
    absl::StatusOr<std::vector<BufferedEvent>> events = buffer_.ReadAfter(last_read_seq_, room);
    if (!events.ok()) {
      SetError(grpc::StatusCode::UNAVAILABLE,
               std::string(events.status().message()));  // the tick retries
    } else {
      for (BufferedEvent& e : *events) {
        last_read_seq_ = e.seq;
        // Acknowledged on an earlier stream, removal still pending.
        if (removing_.count(e.seq) > 0) continue;
        in_flight_.push_back({.event = std::move(e)});
      }
    }
  }
  WriteNext();
}

void Sender::WriteNext() {
  while (!writing_ && stream_ && !stream_->released()) {
    auto next = std::find_if(in_flight_.begin(), in_flight_.end(),
                             [](const InFlight& f) { return !f.written; });
    if (next == in_flight_.end()) return;
    v1::PublishEventsRequest request;
    if (!request.mutable_event()->ParseFromString(next->event.payload)) {
      // A damaged row can never be delivered: report it rather than block the queue.
      BufferedEvent damaged = std::move(next->event);
      in_flight_.erase(next);
      Retire(std::move(damaged), v1::EventAcknowledgement::OUTCOME_REJECTED,
             static_cast<int>(grpc::StatusCode::DATA_LOSS),
             "buffer: stored event cannot be decoded");
      continue;
    }
    next->written = true;
    writing_ = true;
    stream_->Write(std::move(request));
  }
}

void Sender::OnWriteDone(const PublishStream* stream, bool ok) {
  if (stream != stream_.get()) return;
  writing_ = false;
  if (!ok) return;  // the stream broke: OnStreamDone follows
  SetConnected(true);
  WriteNext();
}

void Sender::OnAcknowledgement(const PublishStream* stream, const v1::EventAcknowledgement& ack) {
  if (stream != stream_.get()) return;
  if (in_flight_.empty() || !in_flight_.front().written ||
      in_flight_.front().event.event_id != ack.event_id()) {
    // Acknowledgements come in the order written; anything else means this
    // stream cannot be trusted. Start over on a new one.
    SetError(grpc::StatusCode::INTERNAL,
             "PublishEvents: acknowledgement out of order for " + ack.event_id());
    stream_->Cancel();
    return;
  }
  BufferedEvent event = std::move(in_flight_.front().event);
  in_flight_.pop_front();
  Retire(std::move(event), ack.outcome(), ack.error_code(), ack.error_message());
  attempt_ = 0;
  ClearError();
  SetConnected(true);
  Pump();
}

void Sender::Retire(BufferedEvent event, v1::EventAcknowledgement::Outcome outcome, int error_code,
                    std::string error_message) {
  to_remove_.push_back(event.seq);
  removing_.insert(event.seq);
  acknowledgements_.push_back({.event_id = std::move(event.event_id),
                               .session_id = std::move(event.session_id),
                               .outcome = outcome,
                               .error_code = error_code,
                               .error_message = std::move(error_message)});
  {
    // Counted here, before its removal, so that once Flush sees an empty
    // buffer the count includes every event that left it.
    absl::MutexLock lock(&status_mu_);
    ++acknowledged_total_;
  }
  ScheduleRemoval();
}

void Sender::OnStreamBroken(PublishStream* stream) {
  if (stream == stream_.get()) stream_->ReleaseHold();
}

void Sender::OnStreamDone(const PublishStream* stream, const grpc::Status& status) {
  if (stream != stream_.get()) return;
  stream_.reset();
  in_flight_.clear();
  writing_ = false;
  last_read_seq_ = 0;  // resend everything still buffered
  FlushRemovals();
  if (!status.ok()) {
    SetError(
        status.error_code(),
        absl::StrCat("PublishEvents: ",
                     absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                     ": ", status.error_message()));
  }
  SetConnected(false);
  if (!stopping_) ScheduleReconnect();
}

void Sender::ScheduleRemoval() {
  if (removal_posted_) return;
  removal_posted_ = true;
  // Runs after the acknowledgements already queued: one transaction per burst.
  asio::post(io_, [this] {
    removal_posted_ = false;
    FlushRemovals();
  });
}

void Sender::FlushRemovals() {
  if (to_remove_.empty()) return;
  absl::Status s = buffer_.Remove(to_remove_);
  if (!s.ok()) {
    SetError(grpc::StatusCode::UNAVAILABLE, std::string(s.message()));  // kept; the tick retries
    return;
  }
  to_remove_.clear();
  removing_.clear();
  std::vector<Acknowledgement> acknowledgements = std::move(acknowledgements_);
  acknowledgements_.clear();
  if (options_.on_acknowledged) {
    for (const Acknowledgement& a : acknowledgements) options_.on_acknowledged(a);
  }
}

void Sender::ScheduleTick() {
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopping_) Tick();
  });
}

void Sender::Tick() {
  FlushRemovals();
  Pump();
  const DeliveryStatus status = Status();
  if (!SameProgress(status, last_emitted_)) EmitStatus();
  ScheduleTick();
}

void Sender::SetConnected(bool connected) {
  {
    absl::MutexLock lock(&status_mu_);
    if (connected_ == connected) return;
    connected_ = connected;
  }
  EmitStatus();
}

void Sender::SetError(grpc::StatusCode code, std::string error) {
  absl::MutexLock lock(&status_mu_);
  last_error_ = std::move(error);
  last_error_code_ = code;
  last_error_at_ = std::chrono::system_clock::now();
}

void Sender::ClearError() {
  absl::MutexLock lock(&status_mu_);
  last_error_.clear();
  last_error_code_ = grpc::StatusCode::OK;
  last_error_at_ = {};
}

void Sender::EmitStatus() {
  last_emitted_ = Status();
  if (options_.on_status) options_.on_status(last_emitted_);
}

}  // namespace unitclock::client::internal

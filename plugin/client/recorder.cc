#include "plugin/client/recorder.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "plugin/client/internal/channel.h"
#include "plugin/client/internal/event_buffer.h"
#include "plugin/client/internal/event_id.h"
#include "plugin/client/internal/sender.h"

namespace unitclock::client {
namespace {

// The server's rule for ids (docs/api.md): checked here too, so that a
// malformed session id fails the call instead of every event of the session
// being rejected later.
constexpr std::size_t kMaxIdLength = 128;
constexpr std::chrono::milliseconds kMinKeepalive{10000};

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':';
}

absl::Status CheckId(std::string_view field, std::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": empty"));
  if (id.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": longer than 128 characters"));
  }
  for (char c : id) {
    if (!IsIdChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(field), ": only letters, digits and \"-_.:\" are allowed"));
    }
  }
  return absl::OkStatus();
}

std::int64_t ToMs(Recorder::Time time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

absl::Status CheckOptions(const RecorderOptions& o) {
  if (absl::Status s = internal::ChannelTarget(o.target).status(); !s.ok()) return s;
  if (o.buffer_path.empty()) return absl::InvalidArgumentError("options.buffer_path: empty");
  if (o.window < 1) return absl::InvalidArgumentError("options.window: below 1");
  if (o.max_buffered_events < 1) {
    return absl::InvalidArgumentError("options.max_buffered_events: below 1");
  }
  if (o.initial_backoff.count() < 1 || o.max_backoff < o.initial_backoff) {
    return absl::InvalidArgumentError(
        "options.initial_backoff: must be positive and at most max_backoff");
  }
  if (o.keepalive_interval.count() != 0 && o.keepalive_interval < kMinKeepalive) {
    return absl::InvalidArgumentError(
        "options.keepalive_interval: below 10 s (unitclockd refuses pings more frequent than "
        "every 5 s); 0 turns keepalive off");
  }
  if (o.keepalive_timeout.count() < 1) {
    return absl::InvalidArgumentError("options.keepalive_timeout: must be positive");
  }
  return absl::OkStatus();
}

}  // namespace

// The buffer, the id generator and the sender, in the order they must start
// (and, reversed, stop: the sender uses the buffer).
class Recorder::Impl {
 public:
  Impl(std::unique_ptr<internal::EventBuffer> buffer, const RecorderOptions& options,
       std::shared_ptr<grpc::Channel> channel)
      : buffer_(std::move(buffer)), sender_(options, *buffer_, std::move(channel)) {}

  // Checks the envelope, gives the event an id unless it has one, buffers
  // it, wakes the sender.
  absl::StatusOr<std::string> Record(v1::Event event) {
    absl::Status s = CheckId("session_id", event.session_id());
    if (!s.ok()) return s;
    if (!event.event_id().empty()) {
      s = CheckId("event_id", event.event_id());
      if (!s.ok()) return s;
    }
    if (!event.has_occurred_at()) return absl::InvalidArgumentError("occurred_at: missing");
    if (event.occurred_at().seconds() < 0) {
      return absl::InvalidArgumentError("occurred_at: before 1970-01-01T00:00:00Z");
    }
    if (event.payload_case() == v1::Event::PAYLOAD_NOT_SET) {
      return absl::InvalidArgumentError("payload: missing (session_started, ...)");
    }
    const std::int64_t now = internal::WallClockMs();
    if (event.event_id().empty()) event.set_event_id(ids_.Next(now));
    internal::BufferedEvent buffered{.event_id = event.event_id(),
                                     .session_id = event.session_id(),
                                     .recorded_at_ms = now,
                                     .payload = event.SerializeAsString()};
    s = buffer_->Append(buffered);
    if (!s.ok()) return s;
    sender_.Wake();
    return std::move(buffered.event_id);
  }

  // The typed calls: the envelope from their arguments.
  absl::StatusOr<std::string> Record(std::string_view session_id, Time time, v1::Event event) {
    const std::int64_t ms = ToMs(time);
    if (ms < 0) return absl::InvalidArgumentError("time: before 1970-01-01T00:00:00Z");
    event.set_session_id(std::string(session_id));
    event.mutable_occurred_at()->set_seconds(ms / 1000);
    event.mutable_occurred_at()->set_nanos(static_cast<int>(ms % 1000) * 1000000);
    return Record(std::move(event));
  }

  DeliveryStatus Status() const { return sender_.Status(); }
  bool Flush(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // Empty means acknowledged; the sender's thread may still be reporting
    // the last acknowledgements, so wait for it too.
    return buffer_->AwaitEmpty(timeout) && sender_.AwaitIdle(deadline);
  }

 private:
  std::unique_ptr<internal::EventBuffer> buffer_;
  internal::EventIdGenerator ids_;
  internal::Sender sender_;
};

absl::StatusOr<std::unique_ptr<Recorder>> Recorder::Open(RecorderOptions options) {
  absl::Status s = CheckOptions(options);
  if (!s.ok()) return s;
  // Before the buffer: a target gRPC refuses is the caller's error, whatever
  // the state of the file.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = internal::MakeChannel(options);
  if (!channel.ok()) return channel.status();
  absl::StatusOr<std::unique_ptr<internal::EventBuffer>> buffer =
      internal::EventBuffer::Open(options.buffer_path, options.max_buffered_events);
  if (!buffer.ok()) return buffer.status();
  return std::unique_ptr<Recorder>(
      new Recorder(std::make_unique<Impl>(std::move(*buffer), options, *std::move(channel))));
}

Recorder::Recorder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Recorder::~Recorder() = default;

DeliveryStatus Recorder::Status() const { return impl_->Status(); }
bool Recorder::Flush(std::chrono::milliseconds timeout) { return impl_->Flush(timeout); }

absl::StatusOr<std::string> Recorder::SessionStarted(std::string_view session_id, Time time,
                                                     const v1::SessionStarted& started) {
  v1::Event event;
  *event.mutable_session_started() = started;
  return impl_->Record(session_id, time, std::move(event));
}

absl::StatusOr<std::string> Recorder::ParticipantJoined(std::string_view session_id, Time time,
                                                        v1::Participant participant,
                                                        std::string_view assistant_ref) {
  v1::Event event;
  event.mutable_participant_joined()->set_participant(participant);
  event.mutable_participant_joined()->set_assistant_ref(std::string(assistant_ref));
  return impl_->Record(session_id, time, std::move(event));
}

absl::StatusOr<std::string> Recorder::ParticipantLeft(std::string_view session_id, Time time,
                                                      v1::Participant participant,
                                                      std::string_view assistant_ref) {
  v1::Event event;
  event.mutable_participant_left()->set_participant(participant);
  event.mutable_participant_left()->set_assistant_ref(std::string(assistant_ref));
  return impl_->Record(session_id, time, std::move(event));
}

absl::StatusOr<std::string> Recorder::MediaChanged(std::string_view session_id, Time time,
                                                   v1::Modality modality) {
  v1::Event event;
  event.mutable_media_changed()->set_modality(modality);
  return impl_->Record(session_id, time, std::move(event));
}

absl::StatusOr<std::string> Recorder::ActivityStarted(std::string_view session_id, Time time,
                                                      std::string_view activity_id,
                                                      v1::ActivityKind kind,
                                                      v1::Participant performed_by,
                                                      std::string_view cpt_code) {
  absl::Status s = CheckId("activity_id", activity_id);
  if (!s.ok()) return s;
  v1::Event event;
  v1::ActivityStarted* started = event.mutable_activity_started();
  started->set_activity_id(std::string(activity_id));
  started->set_kind(kind);
  started->set_performed_by(performed_by);
  started->set_cpt_code(std::string(cpt_code));
  return impl_->Record(session_id, time, std::move(event));
}

absl::StatusOr<std::string> Recorder::ActivityEnded(std::string_view session_id, Time time,
                                                    std::string_view activity_id) {
  absl::Status s = CheckId("activity_id", activity_id);
  if (!s.ok()) return s;
  v1::Event event;
  event.mutable_activity_ended()->set_activity_id(std::string(activity_id));
  return impl_->Record(session_id, time, std::move(event));
}

absl::StatusOr<std::string> Recorder::Liveness(std::string_view session_id, Time time,
                                               std::string_view activity_id,
                                               std::string_view signal) {
  absl::Status s = CheckId("activity_id", activity_id);
  if (!s.ok()) return s;
  v1::Event event;
  event.mutable_liveness_signal()->set_activity_id(std::string(activity_id));
  event.mutable_liveness_signal()->set_signal(std::string(signal));
  return impl_->Record(session_id, time, std::move(event));
}

absl::StatusOr<std::string> Recorder::Record(v1::Event event) {
  return impl_->Record(std::move(event));
}

absl::StatusOr<std::string> Recorder::Stopped(std::string_view session_id, Time time,
                                              v1::StopReason reason) {
  v1::Event event;
  event.mutable_session_stopped()->set_reason(reason);
  return impl_->Record(session_id, time, std::move(event));
}

}  // namespace unitclock::client

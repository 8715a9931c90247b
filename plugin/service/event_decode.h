#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message_lite.h"
#include "unitclock/v1/event.pb.h"
#include "unitclock/v1/session_service.pb.h"

// The messages of the calls that take events in (PublishEvents,
// RecordEvents), parsed from the bytes on the wire by unitclock rather than
// by gRPC.
//
// Why: when gRPC's generated code cannot parse a message (a string field
// with invalid UTF-8, bytes that are not an Event), it ends a stream with OK
// and no word, dropping what follows, and answers a unary call UNIMPLEMENTED
// with no message. So these two methods are registered raw (grpc::ByteBuffer
// in and out, see SessionServiceImpl) and their bytes come here: an event
// that cannot be decoded becomes an INVALID_ARGUMENT naming the field.
namespace unitclock::service {

// An event as it arrived: parsed, and the bytes it was parsed from (those of
// the Event message alone), which the log keeps as received once the event is
// valid, instead of encoding it again.
struct ReceivedEvent {
  v1::Event event;
  std::string bytes;
};

// Parses the bytes of one Event. INVALID_ARGUMENT "<field>: not a valid
// unitclock.v1.Event (bytes could not be parsed; a string field may hold
// invalid UTF-8)" if they cannot be decoded. The one parser of events for
// both calls.
absl::StatusOr<v1::Event> ParseEvent(std::string_view bytes, std::string_view field);

// One PublishEvents message: its event, or, if it cannot be decoded, the
// acknowledgement to send for it instead: REJECTED, INVALID_ARGUMENT naming
// the problem, with the event_id echoed when it could be read (a
// length-delimited field 1 of the event holding valid UTF-8).
std::variant<ReceivedEvent, v1::EventAcknowledgement> DecodePublishEventsRequest(
    const grpc::ByteBuffer& bytes);

// The events of RecordEvents' request, in order. INVALID_ARGUMENT naming the
// field ("events[2]: not a valid unitclock.v1.Event (...)") if it cannot be
// decoded.
absl::StatusOr<std::vector<ReceivedEvent>> DecodeRecordEventsRequest(const grpc::ByteBuffer& bytes);

// The bytes of `message`, for a raw method's response.
grpc::ByteBuffer EncodeMessage(const google::protobuf::MessageLite& message);

}  // namespace unitclock::service

#include "plugin/service/event_decode.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/support/slice.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace unitclock::service {
namespace {

using google::protobuf::internal::WireFormatLite;

constexpr std::string_view kNotAnEvent =
    ": not a valid unitclock.v1.Event (bytes could not be parsed; a string field may hold invalid "
    "UTF-8)";

// The bytes of a message received whole.
std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  bytes.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

// Reads the top-level fields of a message without interpreting them, and
// appends to `out` the payload of every length-delimited field `number`, in
// order. false if the bytes are not wire format (what was read before stays
// in `out`); no UTF-8 check is made.
bool LengthDelimitedFields(std::string_view bytes, int number, std::vector<std::string_view>& out) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  while (static_cast<std::size_t>(in.CurrentPosition()) < bytes.size()) {
    const std::uint32_t tag = in.ReadTag();
    if (tag == 0) return false;
    if (WireFormatLite::GetTagFieldNumber(tag) == number &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      std::uint32_t length = 0;
      if (!in.ReadVarint32(&length)) return false;
      const int at = in.CurrentPosition();
      if (!in.Skip(static_cast<int>(length))) return false;
      out.push_back(bytes.substr(at, length));
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  return true;
}

// The event_id of an event that cannot be decoded, if it can be read and
// sent back (valid UTF-8); else empty.
std::string ReadableEventId(std::string_view event_bytes) {
  std::vector<std::string_view> ids;
  LengthDelimitedFields(event_bytes, v1::Event::kEventIdFieldNumber, ids);
  if (ids.empty()) return "";
  const std::string_view id = ids.back();  // the last occurrence wins, as in protobuf
  if (!google::protobuf::internal::IsStructurallyValidUTF8(id.data(),
                                                           static_cast<int>(id.size()))) {
    return "";
  }
  return std::string(id);
}

}  // namespace

absl::StatusOr<v1::Event> ParseEvent(std::string_view bytes, std::string_view field) {
  v1::Event event;
  if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(std::string(field) + std::string(kNotAnEvent));
  }
  return event;
}

std::variant<ReceivedEvent, v1::EventAcknowledgement> DecodePublishEventsRequest(
    const grpc::ByteBuffer& buffer) {
  const std::string bytes = Flatten(buffer);
  std::vector<std::string_view> parts;
  absl::StatusOr<v1::Event> event = absl::InvalidArgumentError("event" + std::string(kNotAnEvent));
  // A message field sent more than once is the merge of its parts, which is
  // the parse of their concatenation.
  std::string event_bytes;
  const bool wire_ok =
      LengthDelimitedFields(bytes, v1::PublishEventsRequest::kEventFieldNumber, parts);
  for (std::string_view part : parts) event_bytes.append(part);
  if (wire_ok) event = ParseEvent(event_bytes, "event");
  if (event.ok()) return ReceivedEvent{*std::move(event), std::move(event_bytes)};
  v1::EventAcknowledgement ack;
  ack.set_event_id(ReadableEventId(event_bytes));
  ack.set_outcome(v1::EventAcknowledgement::OUTCOME_REJECTED);
  ack.set_error_code(static_cast<int>(event.status().code()));
  ack.set_error_message(std::string(event.status().message()));
  return ack;
}

absl::StatusOr<std::vector<ReceivedEvent>> DecodeRecordEventsRequest(
    const grpc::ByteBuffer& buffer) {
  const std::string bytes = Flatten(buffer);
  std::vector<std::string_view> parts;
  if (!LengthDelimitedFields(bytes, v1::RecordEventsRequest::kEventsFieldNumber, parts)) {
    return absl::InvalidArgumentError(
        "events: not a valid unitclock.v1.RecordEventsRequest (bytes could not be parsed)");
  }
  std::vector<ReceivedEvent> events;
  events.reserve(parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    absl::StatusOr<v1::Event> event = ParseEvent(parts[i], "events[" + std::to_string(i) + "]");
    if (!event.ok()) return event.status();
    events.push_back(ReceivedEvent{*std::move(event), std::string(parts[i])});
  }
  return events;
}

grpc::ByteBuffer EncodeMessage(const google::protobuf::MessageLite& message) {
  grpc::Slice slice(message.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace unitclock::service

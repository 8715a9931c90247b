#pragma once

#include <google/protobuf/message_lite.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export/claim.h"
#include "core/review.h"
#include "unitclock/v1/review.pb.h"

// How both store backends keep the review ledger's typed values: the
// approved lines of an audit record as the API's ApprovedLines message, and
// export formats by the API's name. The service converts lines with the same
// functions, so that what is stored and what is served cannot drift.
namespace unitclock::store {

// The deterministic serialization of `message`: equal messages, equal bytes.
std::string DeterministicBytes(const google::protobuf::MessageLite& message);

void ApprovedLineToProto(const core::ApprovedLine& line, v1::ApprovedLine& out);
core::ApprovedLine ApprovedLineFromProto(const v1::ApprovedLine& line);

// Approved lines as audit records store them (an encoded ApprovedLines;
// empty for none), and back: DATA_LOSS if the bytes are not that.
std::string EncodeApprovedLines(const std::vector<core::ApprovedLine>& lines);
absl::StatusOr<std::vector<core::ApprovedLine>> DecodeApprovedLines(std::string_view bytes);

// The API's name of an export format ("EXPORT_FORMAT_CSV"), as export
// batches record it, and back (nullopt for a name no format has).
std::string ExportFormatName(core::exports::Format format);
std::optional<core::exports::Format> ExportFormatFromName(std::string_view name);

}  // namespace unitclock::store

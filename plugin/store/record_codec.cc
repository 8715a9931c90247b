#include "plugin/store/record_codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/status/status.h"

namespace unitclock::store {

std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  // Sized once, then written in place: on the ingest path, for every event.
  std::string bytes(message.ByteSizeLong(), '\0');
  google::protobuf::io::ArrayOutputStream raw(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedOutputStream coded(&raw);
  coded.SetSerializationDeterministic(true);
  message.SerializeWithCachedSizes(&coded);
  return bytes;
}

void ApprovedLineToProto(const core::ApprovedLine& line, v1::ApprovedLine& out) {
  out.set_code(line.code);
  out.set_units(line.units);
  for (const std::string& m : line.modifiers) out.add_modifiers(m);
  out.set_place_of_service(line.place_of_service);
  out.set_minutes(line.minutes);
}

core::ApprovedLine ApprovedLineFromProto(const v1::ApprovedLine& line) {
  return {line.code(),
          line.units(),
          {line.modifiers().begin(), line.modifiers().end()},
          line.place_of_service(),
          line.minutes()};
}

std::string EncodeApprovedLines(const std::vector<core::ApprovedLine>& lines) {
  if (lines.empty()) return "";
  v1::ApprovedLines proto;
  for (const core::ApprovedLine& l : lines) ApprovedLineToProto(l, *proto.add_lines());
  return DeterministicBytes(proto);
}

absl::StatusOr<std::vector<core::ApprovedLine>> DecodeApprovedLines(std::string_view bytes) {
  v1::ApprovedLines proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("review ledger: stored lines cannot be decoded");
  }
  std::vector<core::ApprovedLine> lines;
  lines.reserve(proto.lines_size());
  for (const v1::ApprovedLine& l : proto.lines()) lines.push_back(ApprovedLineFromProto(l));
  return lines;
}

std::string ExportFormatName(core::exports::Format format) {
  switch (format) {
    case core::exports::Format::kCsv:
      return v1::ExportFormat_Name(v1::EXPORT_FORMAT_CSV);
    case core::exports::Format::kX12_837P:
      return v1::ExportFormat_Name(v1::EXPORT_FORMAT_X12_837P);
    case core::exports::Format::kFhirR4:
      return v1::ExportFormat_Name(v1::EXPORT_FORMAT_FHIR_R4);
  }
  return "";
}

std::optional<core::exports::Format> ExportFormatFromName(std::string_view name) {
  for (core::exports::Format f : {core::exports::Format::kCsv, core::exports::Format::kX12_837P,
                                  core::exports::Format::kFhirR4}) {
    if (ExportFormatName(f) == name) return f;
  }
  return std::nullopt;
}

}  // namespace unitclock::store

#include "plugin/store/postgres/line_codec_stub.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "unitclock/v1/review.pb.h"

namespace unitclock::store::postgres {

std::string EncodeApprovedLines(const std::vector<core::ApprovedLine>& lines) {
  if (lines.empty()) return "";
  v1::ApprovedLines proto;
  for (const core::ApprovedLine& l : lines) {
    v1::ApprovedLine* p = proto.add_lines();
    p->set_code(l.code);
    p->set_units(l.units);
    for (const std::string& m : l.modifiers) p->add_modifiers(m);
    p->set_place_of_service(l.place_of_service);
    p->set_minutes(l.minutes);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    proto.SerializeToCodedStream(&coded);
  }
  return bytes;
}

absl::StatusOr<std::vector<core::ApprovedLine>> DecodeApprovedLines(std::string_view bytes) {
  v1::ApprovedLines proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InternalError("audit record: stored lines cannot be decoded");
  }
  std::vector<core::ApprovedLine> lines;
  for (const v1::ApprovedLine& l : proto.lines()) {
    lines.push_back({l.code(),
                     l.units(),
                     {l.modifiers().begin(), l.modifiers().end()},
                     l.place_of_service(),
                     l.minutes()});
  }
  return lines;
}

std::string ExportFormatName(core::exports::Format format) {
  switch (format) {
    case core::exports::Format::kCsv:
      return "EXPORT_FORMAT_CSV";
    case core::exports::Format::kX12_837P:
      return "EXPORT_FORMAT_X12_837P";
    case core::exports::Format::kFhirR4:
      return "EXPORT_FORMAT_FHIR_R4";
  }
  return "";
}

std::optional<core::exports::Format> ExportFormatFromName(std::string_view name) {
  for (core::exports::Format f : {core::exports::Format::kCsv, core::exports::Format::kX12_837P,
                                  core::exports::Format::kFhirR4}) {
    if (name == ExportFormatName(f)) return f;
  }
  return std::nullopt;
}

}  // namespace unitclock::store::postgres

#pragma once

// TEMPORARY, until plugin/store/line_codec.h lands on main (the store split):
// approved lines as audit records store them, the encoding of
// plugin/service/proto_convert.cc (a deterministic v1::ApprovedLines; empty
// for none), and the export formats' stored names. Replaced by the shared
// codec on merge.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export/claim.h"
#include "core/review.h"

namespace unitclock::store::postgres {

std::string EncodeApprovedLines(const std::vector<core::ApprovedLine>& lines);
absl::StatusOr<std::vector<core::ApprovedLine>> DecodeApprovedLines(std::string_view bytes);

std::string ExportFormatName(core::exports::Format format);
std::optional<core::exports::Format> ExportFormatFromName(std::string_view name);

}  // namespace unitclock::store::postgres

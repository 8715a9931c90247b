#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/export/claim.h"
#include "core/policy.h"

namespace unitclock::common {

// Reads the policy folder (`unitclockd --policy-dir`): timeline.json,
// codes.json, monitoring.json (whose codes must be in codes.json:
// core::CheckMonitoringCatalogue) and every payers/*.json, in file-name
// order, each parsed and validated by the core parsers with its path as the
// error's source. A
// missing folder or file, or no payer file at all, is NOT_FOUND with a
// message naming the path; a bad file is INVALID_ARGUMENT naming the file,
// the key and the problem.
//
// It also reads CMS's NCCI tables into PolicySet::edits from ncci/, one
// sub-folder per quarter (e.g. ncci/2026q4/), each holding quarter.json
// (core::ParseEditQuarterFile), the practitioner PTP table as CMS distributes
// it (every ccipra*.txt file of the folder: CMS splits the table into parts,
// ccipra-v324r0-f1.txt to -f4.txt) and the practitioner MUE table (the one
// *.csv file whose name holds "practitioner", e.g.
// MCR_MUE_PractitionerServices_Eff_10-01-2026.csv), file names matched
// without regard to case; other files are ignored. Sub-folders whose name
// starts with "." are ignored. Quarters must not overlap. No ncci/ folder
// means no edits. A bad row is INVALID_ARGUMENT naming the file and the line
// (core::ParsePtpTable, core::ParseMueTable). See core/policies/ncci/README.md.
absl::StatusOr<core::PolicySet> LoadPolicyFolder(const std::string& folder);

// Reads billing.json from the policy folder: who submits and bills, payer
// identities and charges for the exports. Errors as above.
absl::StatusOr<core::exports::BillingConfig> LoadBillingConfig(const std::string& folder);

}  // namespace unitclock::common

#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/export/claim.h"
#include "core/policy.h"

namespace unitclock::common {

// Reads the policy folder (`unitclockd --policy-dir`): timeline.json,
// codes.json and every payers/*.json, in file-name order, each parsed and
// validated by the core parsers with its path as the error's source. A
// missing folder or file, or no payer file at all, is NOT_FOUND with a
// message naming the path; a bad file is INVALID_ARGUMENT naming the file,
// the key and the problem.
absl::StatusOr<core::PolicySet> LoadPolicyFolder(const std::string& folder);

// Reads billing.json from the policy folder: who submits and bills, payer
// identities and charges for the exports. Errors as above.
absl::StatusOr<core::exports::BillingConfig> LoadBillingConfig(const std::string& folder);

}  // namespace unitclock::common

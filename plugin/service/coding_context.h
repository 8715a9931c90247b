#pragma once

#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/export/claim.h"
#include "unitclock/v1/coding.pb.h"

namespace unitclock::service {

// The coding context every caller of core::SuggestCodes starts from: the
// charge of one unit of each code, from the billing configuration
// (billing.json), so that the engine can tell which claim's own charges
// cross the therapy threshold (KX). The year-to-date amounts stay unset:
// the engine then takes those the sessions carry (SessionStarted).
core::CodingContext ChargesContext(const core::exports::BillingConfig& billing);

// `base` (see ChargesContext) with the year-to-date amounts of a
// SuggestCodes request, when set. INVALID_ARGUMENT naming the field for a
// negative amount, or for the deprecated year_to_date_cents: one amount
// cannot be applied honestly to both threshold groups.
absl::StatusOr<core::CodingContext> CodingContextFromRequest(const v1::SuggestCodesRequest& request,
                                                             const core::CodingContext& base);

}  // namespace unitclock::service

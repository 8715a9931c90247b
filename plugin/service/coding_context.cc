#include "plugin/service/coding_context.h"

#include "absl/status/status.h"

namespace unitclock::service {

core::CodingContext ChargesContext(const core::exports::BillingConfig& billing) {
  core::CodingContext context;
  context.charge_cents.insert(billing.charge_cents.begin(), billing.charge_cents.end());
  return context;
}

absl::StatusOr<core::CodingContext> CodingContextFromRequest(const v1::SuggestCodesRequest& request,
                                                             const core::CodingContext& base) {
  // The one place that reads the deprecated field: to refuse it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const bool has_single_amount = request.has_year_to_date_cents();
#pragma GCC diagnostic pop
  if (has_single_amount) {
    return absl::InvalidArgumentError(
        "year_to_date_cents: no longer accepted; the therapy threshold is per group: set "
        "year_to_date_pt_slp_cents and year_to_date_ot_cents");
  }
  if (request.has_year_to_date_pt_slp_cents() && request.year_to_date_pt_slp_cents() < 0) {
    return absl::InvalidArgumentError("year_to_date_pt_slp_cents: must not be negative");
  }
  if (request.has_year_to_date_ot_cents() && request.year_to_date_ot_cents() < 0) {
    return absl::InvalidArgumentError("year_to_date_ot_cents: must not be negative");
  }
  core::CodingContext context = base;
  if (request.has_year_to_date_pt_slp_cents()) {
    context.year_to_date_pt_slp_cents = request.year_to_date_pt_slp_cents();
  }
  if (request.has_year_to_date_ot_cents()) {
    context.year_to_date_ot_cents = request.year_to_date_ot_cents();
  }
  return context;
}

}  // namespace unitclock::service

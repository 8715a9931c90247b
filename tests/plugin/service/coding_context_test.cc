#include "plugin/service/coding_context.h"

#include <gtest/gtest.h>

namespace unitclock::service {
namespace {

core::exports::BillingConfig Billing() {
  core::exports::BillingConfig billing;
  billing.charge_cents = {{"97110", 4500}, {"97530", 5200}};
  return billing;
}

TEST(CodingContext, ChargesComeFromTheBillingConfigAndAmountsStayUnset) {
  const core::CodingContext context = ChargesContext(Billing());
  EXPECT_EQ(context.charge_cents.size(), 2u);
  EXPECT_EQ(context.charge_cents.at("97110"), 4500);
  EXPECT_EQ(context.charge_cents.at("97530"), 5200);
  EXPECT_FALSE(context.year_to_date_pt_slp_cents);
  EXPECT_FALSE(context.year_to_date_ot_cents);
}

TEST(CodingContext, TheRequestsAmountsAreTakenPerGroup) {
  v1::SuggestCodesRequest request;
  request.set_year_to_date_pt_slp_cents(241000);
  request.set_year_to_date_ot_cents(0);
  absl::StatusOr<core::CodingContext> context =
      CodingContextFromRequest(request, ChargesContext(Billing()));
  ASSERT_TRUE(context.ok()) << context.status();
  EXPECT_EQ(context->year_to_date_pt_slp_cents, 241000);
  EXPECT_EQ(context->year_to_date_ot_cents, 0);
  EXPECT_EQ(context->charge_cents.at("97110"), 4500);
}

TEST(CodingContext, AnAbsentAmountStaysAbsent) {
  v1::SuggestCodesRequest request;
  request.set_year_to_date_ot_cents(1200);
  absl::StatusOr<core::CodingContext> context = CodingContextFromRequest(request, {});
  ASSERT_TRUE(context.ok()) << context.status();
  EXPECT_FALSE(context->year_to_date_pt_slp_cents);
  EXPECT_EQ(context->year_to_date_ot_cents, 1200);
}

TEST(CodingContext, ANegativeAmountIsRejectedNamingItsField) {
  v1::SuggestCodesRequest request;
  request.set_year_to_date_pt_slp_cents(-1);
  absl::StatusOr<core::CodingContext> context = CodingContextFromRequest(request, {});
  ASSERT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(context.status().message(), "year_to_date_pt_slp_cents: must not be negative");
  request.set_year_to_date_pt_slp_cents(0);
  request.set_year_to_date_ot_cents(-1);
  context = CodingContextFromRequest(request, {});
  ASSERT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(context.status().message(), "year_to_date_ot_cents: must not be negative");
}

TEST(CodingContext, TheDeprecatedSingleAmountIsRejected) {
  v1::SuggestCodesRequest request;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  request.set_year_to_date_cents(0);  // even zero: one amount cannot serve both groups
#pragma GCC diagnostic pop
  request.set_year_to_date_pt_slp_cents(100);
  absl::StatusOr<core::CodingContext> context = CodingContextFromRequest(request, {});
  ASSERT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(context.status().message(),
            "year_to_date_cents: no longer accepted; the therapy threshold is per group: set "
            "year_to_date_pt_slp_cents and year_to_date_ot_cents");
}

}  // namespace
}  // namespace unitclock::service

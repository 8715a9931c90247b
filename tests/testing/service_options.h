#pragma once

// The options of an in-process test server: the shipped policy folder
// (UNITCLOCK_POLICY_DIR, defined by the test target), the test tokens and
// the test transport (tests/testing/tls.h).
#include <gtest/gtest.h>

#include "plugin/common/policy_files.h"
#include "plugin/service/service_options.h"
#include "tests/testing/auth.h"
#include "tests/testing/tls.h"

namespace unitclock::testing {

inline service::ServiceOptions TestServiceOptions() {
  service::ServiceOptions options;
  auto policies = common::LoadPolicyFolder(UNITCLOCK_POLICY_DIR);
  EXPECT_TRUE(policies.ok()) << policies.status();
  if (policies.ok()) options.policies = *std::move(policies);
  auto billing = common::LoadBillingConfig(UNITCLOCK_POLICY_DIR);
  EXPECT_TRUE(billing.ok()) << billing.status();
  if (billing.ok()) options.billing = *std::move(billing);
  options.tokens = TestTokens();
  options.tls = TestServerTls();
  return options;
}

}  // namespace unitclock::testing

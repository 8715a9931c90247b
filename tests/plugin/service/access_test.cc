// The Gate's check from an Authorization header value, as the HTTP listener
// passes it (the gRPC overload reads the same value from the call's
// metadata and goes through the same check).
#include "plugin/service/access.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/testing/auth.h"

namespace unitclock::service {
namespace {

using auth::Role;

TEST(GateAdmit, FromAnAuthorizationHeaderValue) {
  const Gate gate(testing::TestTokens(), /*max_streams_per_platform=*/4);
  const std::string reviewer = "Bearer " + testing::TestToken("demo-reviewer");

  absl::StatusOr<auth::Caller> caller = gate.Admit(reviewer, {Role::kReviewer}, "ReviewCall");
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->token_id, "demo-reviewer");
  EXPECT_EQ(caller->platform, "demo-rehab");

  EXPECT_EQ(gate.Admit(reviewer, {Role::kBilling}, "ExportCall").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(gate.Admit(std::nullopt, {Role::kReviewer}, "ReviewCall").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(gate.Admit("Bearer not-a-token", {Role::kReviewer}, "ReviewCall").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(gate.Admit(testing::TestToken("demo-reviewer"), {Role::kReviewer}, "ReviewCall")
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace unitclock::service

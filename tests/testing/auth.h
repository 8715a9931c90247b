#pragma once

// Bearer tokens for tests: a fixed token file and the metadata that carries
// a token. The tokens (never the file) are "test-token-<id>".
#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>

#include "plugin/auth/token_table.h"

namespace unitclock::testing {

// The token whose id is `token_id`, one of the ids of TestTokenFileJson().
inline std::string TestToken(std::string_view token_id) {
  return "test-token-" + std::string(token_id);
}

// A token file with these tokens:
//   demo-all       platform demo-rehab, roles platform, reviewer, billing
//   demo-platform  platform demo-rehab, role platform
//   demo-reviewer  platform demo-rehab, role reviewer
//   demo-billing   platform demo-rehab, role billing
//   other-all      platform other-platform, roles platform, reviewer, billing
//   admin          every platform, role admin
inline std::string TestTokenFileJson() {
  struct Entry {
    const char* id;
    const char* platform;
    const char* roles;
  };
  constexpr Entry kEntries[] = {
      {"demo-all", "demo-rehab", R"("platform", "reviewer", "billing")"},
      {"demo-platform", "demo-rehab", R"("platform")"},
      {"demo-reviewer", "demo-rehab", R"("reviewer")"},
      {"demo-billing", "demo-rehab", R"("billing")"},
      {"other-all", "other-platform", R"("platform", "reviewer", "billing")"},
      {"admin", "*", R"("admin")"},
  };
  std::string json = R"({"version": 1, "tokens": [)";
  for (const Entry& e : kEntries) {
    if (json.back() == '}') json += ", ";
    json += std::string(R"({"id": ")") + e.id + R"(", "platform": ")" + e.platform +
            R"(", "roles": [)" + e.roles + R"(], "sha256": ")" + auth::Sha256Hex(TestToken(e.id)) +
            R"("})";
  }
  return json + "]}";
}

// The token table of TestTokenFileJson().
inline auth::TokenTable TestTokens() {
  return *auth::TokenTable::Parse(TestTokenFileJson(), "test tokens");
}

// Sends the token `token_id` with the call of `context`.
inline void Authorize(grpc::ClientContext& context, std::string_view token_id = "demo-all") {
  context.AddMetadata("authorization", "Bearer " + TestToken(token_id));
}

}  // namespace unitclock::testing

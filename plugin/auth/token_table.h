#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace unitclock::auth {

// What a token may do. kAdmin may do everything the others may.
enum class Role {
  kPlatform,  // publish events, read its platform's sessions and suggestions
  kReviewer,  // read and review its platform's suggestions
  kBilling,   // read its platform's suggestions and export approved lines
  kAdmin,     // all of the above; with platform "*", on any platform
};

// The role's name in the token file and in messages ("platform", ...).
std::string_view RoleName(Role role);

// The role of that name; nullopt if there is none.
std::optional<Role> RoleFromName(std::string_view name);

// The platform of tokens that may act on any platform (admin tokens only).
inline constexpr std::string_view kAnyPlatform = "*";

// Who is calling, as their token says.
struct Caller {
  std::string token_id;  // the token's name in the token file (never the token)
  std::string platform;  // the tenant; kAnyPlatform for an all-platform admin
  std::set<Role> roles;

  // True if the caller holds `role` or kAdmin.
  bool Has(Role role) const;
};

// The token file (`unitclockd --auth-file`): which bearer tokens exist, as
// SHA-256 hashes, with their platform and roles. The file holds no token:
//
//   {"version": 1,
//    "tokens": [{"id": "acme-web", "platform": "acme-rehab", "roles": ["platform"],
//                "sha256": "<64 lowercase hex digits: SHA-256 of the token>"}]}
//
// Token ids and hashes are unique; roles are "platform", "reviewer",
// "billing", "admin"; platform "*" is allowed for admin-only tokens. Make a
// token and its hash with `unitclock-token` (token_file.h, token_tool.cc).
//
// Immutable once built; thread-safe.
class TokenTable {
 public:
  // Parses a token file. INVALID_ARGUMENT naming `source`, the entry and the
  // problem for anything malformed (unknown keys included).
  static absl::StatusOr<TokenTable> Parse(std::string_view json, std::string_view source);

  // Reads and parses the token file at `path`. NOT_FOUND if it cannot be
  // read; INVALID_ARGUMENT as Parse.
  static absl::StatusOr<TokenTable> Load(const std::string& path);

  // Authenticates the value of an `authorization` request header ("Bearer
  // <token>"; nullopt when the header is absent). UNAUTHENTICATED, saying
  // what is wrong but never echoing the value, when it is absent, malformed
  // or names no token.
  absl::StatusOr<Caller> Authenticate(std::optional<std::string_view> authorization) const;

  // The number of tokens.
  std::size_t size() const { return by_hash_.size(); }

 private:
  std::map<std::string, Caller> by_hash_;  // lowercase hex SHA-256 of the token -> caller
};

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// PERMISSION_DENIED naming `what` (the call) unless `caller` holds one of
// `roles`.
absl::Status RequireRole(const Caller& caller, std::initializer_list<Role> roles,
                         std::string_view what);

// The platform a request acts on. `requested` is the request's platform
// field (`field` names it): empty means the caller's own. An all-platform
// admin must name one (INVALID_ARGUMENT otherwise); any other caller may
// name only its own (PERMISSION_DENIED otherwise).
absl::StatusOr<std::string> ActingPlatform(const Caller& caller, std::string_view requested,
                                           std::string_view field);

// True if `caller` may see data owned by `owner_platform`.
bool MaySee(const Caller& caller, std::string_view owner_platform);

}  // namespace unitclock::auth

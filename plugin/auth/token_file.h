#pragma once

#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "plugin/auth/token_table.h"

namespace unitclock::auth {

// Making tokens for the token file (token_table.h), as `unitclock-token` does.
// The file this writes is one TokenTable::Parse accepts, one token per line:
//
//   {"version": 1, "tokens": [
//     {"id": "acme-web", "platform": "acme-rehab", "roles": ["platform"], "sha256": "..."}
//   ]}

// A new bearer token: 32 random bytes (OpenSSL's generator), as 64 lowercase
// hex digits. INTERNAL if the generator fails.
absl::StatusOr<std::string> NewToken();

// The roles of a comma-separated list ("platform,reviewer"). INVALID_ARGUMENT
// naming the first unknown role, or if the list is empty.
absl::StatusOr<std::set<Role>> ParseRoleList(std::string_view roles);

// One token of the file: who it is, and the SHA-256 of the token (never the token).
struct TokenEntry {
  std::string id;        // letters, digits, '.', '_', '-'; shown in logs
  std::string platform;  // the same characters, or "*" with the role admin only
  std::set<Role> roles;
  std::string sha256;  // Sha256Hex(token)
};

// The token file `current` (empty: no file yet) with `entry` added at its end,
// every token on a line of its own. INVALID_ARGUMENT, naming `source`, if
// `current` is not a token file, if the entry's id or platform has other
// characters than those above, or if its id is taken.
absl::StatusOr<std::string> AddTokenEntry(std::string_view current, std::string_view source,
                                          const TokenEntry& entry);

// Adds `entry` to the token file at `path` (AddTokenEntry), creating the file
// (mode 0600) and its folder if missing. The new file replaces the old one at
// once (a rename) and keeps its mode, owner and group, so that a file made
// readable by unitclockd's group stays so. NOT_FOUND or UNAVAILABLE naming
// the path if it cannot be read or written; INVALID_ARGUMENT as AddTokenEntry.
absl::Status AddTokenToFile(const std::string& path, const TokenEntry& entry);

}  // namespace unitclock::auth

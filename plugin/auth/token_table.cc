#include "plugin/auth/token_table.h"

#include <openssl/evp.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/status/status.h"

namespace unitclock::auth {
namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr std::size_t kMaxTokenLength = 512;

struct RoleEntry {
  std::string_view name;
  Role role;
};
constexpr RoleEntry kRoles[] = {{"platform", Role::kPlatform},
                                {"reviewer", Role::kReviewer},
                                {"billing", Role::kBilling},
                                {"admin", Role::kAdmin}};

bool IsLowerHex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Parses one entry of "tokens"; `where` is e.g. `tokens.json: tokens[2]`.
absl::StatusOr<std::pair<std::string, Caller>> ParseEntry(const nlohmann::json& entry,
                                                          const std::string& where) {
  if (!entry.is_object()) return absl::InvalidArgumentError(where + ": must be an object");
  for (const auto& [key, value] : entry.items()) {
    if (key != "id" && key != "platform" && key != "roles" && key != "sha256") {
      return absl::InvalidArgumentError(where + "." + key +
                                        ": unknown key (expected id, platform, roles, sha256)");
    }
  }
  auto text = [&](const char* key) -> absl::StatusOr<std::string> {
    const auto it = entry.find(key);
    if (it == entry.end() || !it->is_string() || it->get<std::string>().empty()) {
      return absl::InvalidArgumentError(where + "." + key + ": required, a non-empty string");
    }
    return it->get<std::string>();
  };
  Caller caller;
  absl::StatusOr<std::string> id = text("id");
  if (!id.ok()) return id.status();
  caller.token_id = *id;
  absl::StatusOr<std::string> platform = text("platform");
  if (!platform.ok()) return platform.status();
  caller.platform = *platform;
  absl::StatusOr<std::string> hash = text("sha256");
  if (!hash.ok()) return hash.status();
  if (hash->size() != 64 || !IsLowerHex(*hash)) {
    return absl::InvalidArgumentError(where +
                                      ".sha256: must be 64 lowercase hex digits (the SHA-256 "
                                      "of the token, not the token)");
  }
  const auto roles = entry.find("roles");
  if (roles == entry.end() || !roles->is_array() || roles->empty()) {
    return absl::InvalidArgumentError(where + ".roles: required, a non-empty array");
  }
  for (const nlohmann::json& r : *roles) {
    const std::optional<Role> role =
        r.is_string() ? RoleFromName(r.get<std::string>()) : std::nullopt;
    if (!role) {
      return absl::InvalidArgumentError(
          where + ".roles: each must be one of \"platform\", \"reviewer\", \"billing\", \"admin\"");
    }
    caller.roles.insert(*role);
  }
  if (caller.platform == kAnyPlatform &&
      (caller.roles.size() != 1 || *caller.roles.begin() != Role::kAdmin)) {
    return absl::InvalidArgumentError(where +
                                      ".platform: \"*\" (every platform) is for tokens whose "
                                      "only role is \"admin\"");
  }
  return std::make_pair(*std::move(hash), std::move(caller));
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const RoleEntry& known : kRoles) {
    if (known.role == role) return known.name;
  }
  return "unknown";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (const RoleEntry& known : kRoles) {
    if (known.name == name) return known.role;
  }
  return std::nullopt;
}

bool Caller::Has(Role role) const { return roles.count(role) > 0 || roles.count(Role::kAdmin) > 0; }

absl::StatusOr<TokenTable> TokenTable::Parse(std::string_view json, std::string_view source) {
  const std::string src(source);
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError(src + ": not valid JSON");
  if (!doc.is_object()) return absl::InvalidArgumentError(src + ": must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key != "version" && key != "tokens") {
      return absl::InvalidArgumentError(src + ": " + key +
                                        ": unknown key (expected version, tokens)");
    }
  }
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int>() != 1) {
    return absl::InvalidArgumentError(src + ": version: required, must be 1");
  }
  const auto tokens = doc.find("tokens");
  if (tokens == doc.end() || !tokens->is_array()) {
    return absl::InvalidArgumentError(src + ": tokens: required, an array");
  }
  TokenTable table;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < tokens->size(); ++i) {
    const std::string where = src + ": tokens[" + std::to_string(i) + "]";
    auto entry = ParseEntry((*tokens)[i], where);
    if (!entry.ok()) return entry.status();
    if (!ids.insert(entry->second.token_id).second) {
      return absl::InvalidArgumentError(where + ".id: \"" + entry->second.token_id +
                                        "\" is used by an earlier token");
    }
    if (!table.by_hash_.emplace(entry->first, std::move(entry->second)).second) {
      return absl::InvalidArgumentError(where + ".sha256: the same hash as an earlier token");
    }
  }
  return table;
}

absl::StatusOr<TokenTable> TokenTable::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read token file \"" + path + "\"");
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<Caller> TokenTable::Authenticate(
    std::optional<std::string_view> authorization) const {
  if (!authorization) {
    return absl::UnauthenticatedError(
        "authorization: missing; send the header \"authorization: Bearer <token>\"");
  }
  if (authorization->substr(0, kBearer.size()) != kBearer ||
      authorization->size() == kBearer.size() || authorization->size() > kMaxTokenLength) {
    return absl::UnauthenticatedError("authorization: must be \"Bearer <token>\"");
  }
  // Looked up by the token's hash: the time taken says nothing about the
  // tokens that exist, and the table holds no token to compare against.
  const auto it = by_hash_.find(Sha256Hex(authorization->substr(kBearer.size())));
  if (it == by_hash_.end()) return absl::UnauthenticatedError("authorization: unknown token");
  return it->second;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

absl::Status RequireRole(const Caller& caller, std::initializer_list<Role> roles,
                         std::string_view what) {
  std::string names;
  for (Role role : roles) {
    if (caller.Has(role)) return absl::OkStatus();
    names += (names.empty() ? "" : " or ") + std::string(RoleName(role));
  }
  return absl::PermissionDeniedError(std::string(what) + ": needs a token with role " + names +
                                     " (token \"" + caller.token_id + "\" has none of them)");
}

absl::StatusOr<std::string> ActingPlatform(const Caller& caller, std::string_view requested,
                                           std::string_view field) {
  if (caller.platform == kAnyPlatform) {
    if (requested.empty()) {
      return absl::InvalidArgumentError(std::string(field) +
                                        ": required with a token for every platform");
    }
    return std::string(requested);
  }
  if (!requested.empty() && requested != caller.platform) {
    return absl::PermissionDeniedError(std::string(field) + ": the token is for platform \"" +
                                       caller.platform + "\", not this one");
  }
  return caller.platform;
}

bool MaySee(const Caller& caller, std::string_view owner_platform) {
  return caller.platform == kAnyPlatform || caller.platform == owner_platform;
}

}  // namespace unitclock::auth

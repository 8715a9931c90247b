#include "plugin/auth/token_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "absl/status/status.h"

namespace unitclock::auth {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// One line of the file: the keys in the order the documentation shows.
std::string FormatEntry(const std::string& id, const std::string& platform,
                        const std::vector<std::string>& roles, const std::string& sha256) {
  std::string role_list;
  for (const std::string& role : roles) {
    role_list += (role_list.empty() ? "" : ", ") + nlohmann::json(role).dump();
  }
  return "{\"id\": " + nlohmann::json(id).dump() +
         ", \"platform\": " + nlohmann::json(platform).dump() + ", \"roles\": [" + role_list +
         "], \"sha256\": " + nlohmann::json(sha256).dump() + "}";
}

}  // namespace

absl::StatusOr<std::string> NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("OpenSSL's random generator failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token.push_back(kHex[b >> 4]);
    token.push_back(kHex[b & 0xf]);
  }
  return token;
}

absl::StatusOr<std::set<Role>> ParseRoleList(std::string_view roles) {
  std::set<Role> out;
  std::size_t start = 0;
  while (start <= roles.size()) {
    std::size_t comma = roles.find(',', start);
    if (comma == std::string_view::npos) comma = roles.size();
    const std::string_view name = roles.substr(start, comma - start);
    const std::optional<Role> role = RoleFromName(name);
    if (!role) {
      return absl::InvalidArgumentError("roles: \"" + std::string(name) +
                                        "\" is not one of platform, reviewer, billing, admin");
    }
    out.insert(*role);
    start = comma + 1;
  }
  return out;
}

absl::StatusOr<std::string> AddTokenEntry(std::string_view current, std::string_view source,
                                          const TokenEntry& entry) {
  const std::string src(source);
  if (!IsName(entry.id)) {
    return absl::InvalidArgumentError("id: \"" + entry.id +
                                      "\": letters, digits, '.', '_' and '-' only");
  }
  if (entry.platform != kAnyPlatform && !IsName(entry.platform)) {
    return absl::InvalidArgumentError("platform: \"" + entry.platform +
                                      "\": letters, digits, '.', '_' and '-' only, or \"*\"");
  }
  std::vector<std::string> lines;
  if (!current.empty()) {
    // The file as unitclockd reads it, or nothing is written.
    if (absl::StatusOr<TokenTable> table = TokenTable::Parse(current, source); !table.ok()) {
      return table.status();
    }
    const nlohmann::json doc = nlohmann::json::parse(current);
    for (const nlohmann::json& e : doc["tokens"]) {
      if (e["id"] == entry.id) {
        return absl::InvalidArgumentError(src + ": already has a token \"" + entry.id + "\"");
      }
      lines.push_back(FormatEntry(e["id"], e["platform"],
                                  e["roles"].get<std::vector<std::string>>(), e["sha256"]));
    }
  }
  std::vector<std::string> roles;
  for (Role role : entry.roles) roles.emplace_back(RoleName(role));
  lines.push_back(FormatEntry(entry.id, entry.platform, roles, entry.sha256));
  std::string text = "{\"version\": 1, \"tokens\": [\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    text += "  " + lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
  }
  text += "]}\n";
  // The new entry is checked as unitclockd checks it (roles, "*", the hash).
  if (absl::StatusOr<TokenTable> table = TokenTable::Parse(text, source); !table.ok()) {
    return table.status();
  }
  return text;
}

absl::Status AddTokenToFile(const std::string& path, const TokenEntry& entry) {
  auto failed = [&](const std::string& what) {
    return absl::UnavailableError("cannot " + what + " \"" + path + "\": " + std::strerror(errno));
  };
  std::string current;
  struct stat old {};
  const bool exists = ::stat(path.c_str(), &old) == 0;
  if (exists) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError("cannot read \"" + path + "\"");
    std::ostringstream text;
    text << in.rdbuf();
    current = text.str();
  } else if (errno != ENOENT) {
    return failed("read");
  }
  absl::StatusOr<std::string> text = AddTokenEntry(current, path, entry);
  if (!text.ok()) return text.status();

  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec)
      return absl::UnavailableError("cannot create \"" + folder.string() + "\": " + ec.message());
  }
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return failed("write");
  bool ok = ::fchmod(fd, exists ? (old.st_mode & 07777) : 0600) == 0;
  if (ok && exists && (old.st_uid != ::geteuid() || old.st_gid != ::getegid())) {
    ok = ::fchown(fd, old.st_uid, old.st_gid) == 0;
  }
  for (std::size_t done = 0; ok && done < text->size();) {
    const ssize_t n = ::write(fd, text->data() + done, text->size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int error = errno;
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    errno = error;
    return failed("write");
  }
  return absl::OkStatus();
}

}  // namespace unitclock::auth

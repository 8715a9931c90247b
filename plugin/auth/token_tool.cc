// unitclock-token: makes a bearer token for unitclockd and adds its SHA-256
// to a token file (token_file.h). Prints the token, once, on stdout.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "plugin/auth/token_file.h"
#include "plugin/auth/token_table.h"

int main(int argc, char** argv) {
  CLI::App app{
      "unitclock-token: makes a bearer token for unitclockd, adds its SHA-256 to the token "
      "file (--auth-file) and prints the token once. unitclockd reads the file at start: "
      "restart it afterwards. To revoke a token, delete its line from the file."};
  std::string id;
  std::string platform;
  std::string roles;
  std::string file;
  app.add_option("ID", id, "The token's name, shown in logs (e.g. acme-web)")->required();
  app.add_option("PLATFORM", platform,
                 "The platform (tenant) it acts for, or \"*\" for an admin-only token")
      ->required();
  app.add_option("ROLES", roles, "Comma-separated: platform, reviewer, billing, admin")->required();
  app.add_option("TOKEN_FILE", file, "The token file; created (mode 0600) if missing")->required();
  CLI11_PARSE(app, argc, argv);

  auto fail = [](const absl::Status& status) {
    std::cerr << "unitclock-token: " << status.message() << "\n";
    return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  };
  unitclock::auth::TokenEntry entry;
  entry.id = id;
  entry.platform = platform;
  absl::StatusOr<std::set<unitclock::auth::Role>> parsed = unitclock::auth::ParseRoleList(roles);
  if (!parsed.ok()) return fail(parsed.status());
  entry.roles = *std::move(parsed);
  absl::StatusOr<std::string> token = unitclock::auth::NewToken();
  if (!token.ok()) return fail(token.status());
  entry.sha256 = unitclock::auth::Sha256Hex(*token);
  if (absl::Status st = unitclock::auth::AddTokenToFile(file, entry); !st.ok()) return fail(st);
  std::cout << *token << "\n";
  return 0;
}

#include "plugin/store/backend/open_store.h"

#include <algorithm>

#include "absl/status/status.h"
#include "plugin/store/postgres/postgres_store.h"
#include "plugin/store/sqlite/sqlite_store.h"

namespace unitclock::store {

bool IsPostgresUri(std::string_view db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

std::string DescribeDb(std::string_view db) {
  if (!IsPostgresUri(db)) return std::string(db);
  std::string out(db);
  // scheme://[user[:password]@]host...: the password is between the first
  // ':' after the scheme and the '@' that ends the user information.
  const std::size_t start = out.find("://") + 3;
  const std::size_t at = out.find('@', start);
  const std::size_t end = out.find_first_of("/?", start);
  if (at != std::string::npos && (end == std::string::npos || at < end)) {
    const std::size_t colon = out.find(':', start);
    if (colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // ...?password=secret&...
  for (std::size_t p = out.find("password=", start); p != std::string::npos;
       p = out.find("password=", p + 1)) {
    const std::size_t value = p + 9;
    const std::size_t value_end = std::min(out.find('&', value), out.size());
    out.replace(value, value_end - value, "***");
  }
  return out;
}

absl::StatusOr<Store> OpenStore(const std::string& db, const StoreOptions& options) {
  if (IsPostgresUri(db)) return OpenPostgresStore(db, options);
  return OpenSqliteStore(db, options);
}

}  // namespace unitclock::store

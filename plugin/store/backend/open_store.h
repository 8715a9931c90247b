#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "plugin/store/store.h"

namespace unitclock::store {

// Whether `db` names a PostgreSQL database (a libpq connection URI,
// "postgresql://..." or "postgres://...") rather than a SQLite file.
bool IsPostgresUri(std::string_view db);

// `db` as logs and errors may show it: a URI's password replaced by "***".
std::string DescribeDb(std::string_view db);

// Opens the store that unitclockd's --db names: a PostgreSQL database for a
// libpq URI (shared by several instances), else the SQLite file at that
// path (its folder must exist). Brings the schema up to date. Errors:
// UNAVAILABLE if the database cannot be reached, FAILED_PRECONDITION if its
// schema is newer than this unitclockd knows.
absl::StatusOr<Store> OpenStore(const std::string& db, const StoreOptions& options = {});

}  // namespace unitclock::store

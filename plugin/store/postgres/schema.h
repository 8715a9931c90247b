#pragma once

#include "absl/status/status.h"
#include "plugin/store/postgres/connection.h"

// The PostgreSQL store's schema and its migrations. Internal to
// plugin/store/postgres (and its tests).
namespace unitclock::store::postgres {

// The schema version this unitclockd writes: the highest migration it knows.
inline constexpr int kSchemaVersion = 2;

// The key of the advisory lock that a migration's transaction holds
// (pg_advisory_xact_lock(kMigrationLockClass, kMigrationLockId), the
// two-integer form, whose keys never meet the one-bigint keys of the
// ledger's per-suggestion locks).
inline constexpr int kMigrationLockClass = 0x75636c6b;  // "uclk"
inline constexpr int kMigrationLockId = 1;

// Brings the database's schema up to kSchemaVersion: in one transaction
// holding the migration lock, so that instances starting together wait for
// the first one's migration and then find nothing to do. Records each
// version applied in unitclock_schema. FAILED_PRECONDITION if the database
// is at a newer version than this unitclockd knows; UNAVAILABLE if it cannot
// be reached.
absl::Status Migrate(Connection& connection);

}  // namespace unitclock::store::postgres

#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "plugin/store/store.h"

// The PostgreSQL store: the event log and the review ledger in one
// PostgreSQL database that several unitclockd instances may share (issue
// 17). Built on libpq, the C client of Debian's libpq-dev, rather than
// libpqxx: no C++ dependency beyond it, and explicit control of each
// connection (the writer's own for group commit, a small pool for reads and
// for the ledger, reconnection with a backoff after the database was lost);
// see connection.h.
namespace unitclock::store {

// Opens the store in the database `uri` names (a libpq connection URI,
// postgresql://... or postgres://...) and brings its schema up to date
// (several instances may do so at once: one migrates, the others wait).
// Errors: INVALID_ARGUMENT for a malformed URI; UNAVAILABLE if the database
// cannot be reached; FAILED_PRECONDITION if its schema is newer than this
// unitclockd knows. No message repeats the URI's password.
//
// Once open, losing the database makes calls fail with UNAVAILABLE (and
// EventLog::Health report it) until it answers again; the store reconnects
// by itself.
absl::StatusOr<Store> OpenPostgresStore(const std::string& uri, const StoreOptions& options);

}  // namespace unitclock::store

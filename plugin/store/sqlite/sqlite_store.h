#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "plugin/store/store.h"

namespace unitclock::store {

// Opens or creates the store in the SQLite file at `path` (its folder must
// exist) and brings its schema up to date: the event log and the review
// ledger, each with its writer connection and its read-only ones. Errors:
// UNAVAILABLE if the file cannot be opened, FAILED_PRECONDITION if it was
// written by a newer unitclock.
absl::StatusOr<Store> OpenSqliteStore(const std::string& path, const StoreOptions& options = {});

}  // namespace unitclock::store

#pragma once

#include <memory>

#include "plugin/store/event_log.h"
#include "plugin/store/review_ledger.h"

namespace unitclock::store {

// A store: its two concerns, on one database. plugin/store/backend opens
// one from a --db value (a file path for SQLite, a postgresql:// URI for
// PostgreSQL).
struct Store {
  std::unique_ptr<EventLog> events;
  std::unique_ptr<ReviewLedger> ledger;
};

}  // namespace unitclock::store

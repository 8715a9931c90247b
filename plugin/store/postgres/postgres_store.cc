#include "plugin/store/postgres/postgres_store.h"

#include <memory>

#include "plugin/store/postgres/connection.h"
#include "plugin/store/postgres/postgres_event_log.h"
#include "plugin/store/postgres/postgres_review_ledger.h"
#include "plugin/store/postgres/schema.h"

namespace unitclock::store {

absl::StatusOr<Store> OpenPostgresStore(const std::string& uri, const StoreOptions& options) {
  absl::StatusOr<std::shared_ptr<postgres::Database>> db = postgres::Database::Create(uri);
  if (!db.ok()) return db.status();
  {
    postgres::Connection migration(*db);
    if (absl::Status st = postgres::Migrate(migration); !st.ok()) return st;
  }
  Store store;
  store.events = std::make_unique<postgres::PostgresEventLog>(*db, options);
  store.ledger = std::make_unique<postgres::PostgresReviewLedger>(*db);
  return store;
}

}  // namespace unitclock::store

#include "plugin/store/postgres/schema.h"

#include <string>

namespace unitclock::store::postgres {
namespace {

// Version 1, the first PostgreSQL schema: SQLite's (plugin/store/sqlite) in
// PostgreSQL's types.
//
// Every text compared or ordered is COLLATE "C": byte order, as SQLite
// compares, so that sessions list (and page) in the same order on either
// backend, whatever the database's locale.
//
// `events` is the log. `sessions` indexes the sessions for listing, for the
// watchdog, and for the writers: a group commit locks the rows of its
// sessions, so that ownership, the per-session limit and conditional appends
// are decided against committed state across instances. `last_event_ms` is
// the latest occurred_at of the session's events, `stopped` true once a
// SessionStopped of the session is stored, `platform` the owning tenant (set
// by the session's first event, or by its SessionStarted for sessions only
// unitclock's own writers wrote), `event_count` the number of its events.
// COALESCE(start_ms, INT64_MIN) orders the listing: by start time, sessions
// without a SessionStarted first (the indexes' expression, which the queries
// repeat word for word so that the planner uses them).
//
// `audit_records` and `export_batches` are the review ledger. The database
// refuses UPDATE, DELETE and TRUNCATE of either (statement triggers fire
// even when no row matches; the row triggers catch what a statement trigger
// might not, such as a MERGE), whoever connects, save a superuser who
// disables the triggers; the privileges are revoked from PUBLIC too, so that
// roles granted access the usual way never get them.
constexpr const char* kSchema1 = R"sql(
CREATE TABLE events (
  event_id       TEXT COLLATE "C" PRIMARY KEY,
  session_id     TEXT COLLATE "C" NOT NULL,
  occurred_at_ms BIGINT NOT NULL,
  payload        BYTEA NOT NULL
);
CREATE INDEX events_by_session ON events (session_id, occurred_at_ms, event_id);

CREATE TABLE sessions (
  session_id    TEXT COLLATE "C" PRIMARY KEY,
  platform      TEXT COLLATE "C",
  patient_ref   TEXT COLLATE "C",
  start_ms      BIGINT,
  last_event_ms BIGINT NOT NULL,
  stopped       BOOLEAN NOT NULL DEFAULT false,
  event_count   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_start
  ON sessions ((COALESCE(start_ms, '-9223372036854775808'::bigint)), session_id);
CREATE INDEX sessions_by_platform
  ON sessions (platform, (COALESCE(start_ms, '-9223372036854775808'::bigint)), session_id);
CREATE INDEX sessions_by_patient
  ON sessions (patient_ref, (COALESCE(start_ms, '-9223372036854775808'::bigint)), session_id);
CREATE INDEX open_sessions_by_last_event ON sessions (last_event_ms, session_id)
  WHERE NOT stopped;

CREATE TABLE audit_records (
  record_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recorded_at_ms  BIGINT NOT NULL,
  actor           TEXT NOT NULL,
  platform        TEXT COLLATE "C" NOT NULL,
  action          TEXT NOT NULL CHECK (action IN ('approve', 'amend', 'reject', 'export')),
  suggestion_id   TEXT COLLATE "C" NOT NULL,
  patient_ref     TEXT COLLATE "C" NOT NULL,
  date_of_service DATE NOT NULL,
  fingerprint     TEXT NOT NULL,
  reason          TEXT NOT NULL DEFAULT '',
  override_reason TEXT NOT NULL DEFAULT '',
  "before"        BYTEA,
  "after"         BYTEA,
  batch_id        TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_suggestion ON audit_records (platform, suggestion_id, record_id);
CREATE INDEX audit_by_patient_day
  ON audit_records (platform, patient_ref, date_of_service, record_id);

CREATE TABLE export_batches (
  batch_id      TEXT COLLATE "C" PRIMARY KEY,
  created_at_ms BIGINT NOT NULL,
  actor         TEXT NOT NULL,
  platform      TEXT COLLATE "C" NOT NULL,
  format        TEXT NOT NULL,
  range_start   DATE NOT NULL,
  range_end     DATE NOT NULL,
  claim_count   INTEGER NOT NULL,
  line_count    INTEGER NOT NULL
);

CREATE FUNCTION unitclock_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'unitclock: % is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_records_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_records
  FOR EACH STATEMENT EXECUTE FUNCTION unitclock_refuse_change();
CREATE TRIGGER audit_records_append_only_rows
  BEFORE UPDATE OR DELETE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION unitclock_refuse_change();
CREATE TRIGGER export_batches_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON export_batches
  FOR EACH STATEMENT EXECUTE FUNCTION unitclock_refuse_change();
CREATE TRIGGER export_batches_append_only_rows
  BEFORE UPDATE OR DELETE ON export_batches
  FOR EACH ROW EXECUTE FUNCTION unitclock_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_records, export_batches FROM PUBLIC;
)sql";

// Version 2: sessions gain their kind, 0 a visit, 1 a remote monitoring
// episode (a session any of whose events is a monitoring event), which the
// watchdog's index leaves out. Every session stored before is a visit: no
// unitclockd of schema 1 accepted a monitoring event.
constexpr const char* kSchema2 = R"sql(
ALTER TABLE sessions ADD COLUMN kind SMALLINT NOT NULL DEFAULT 0 CHECK (kind IN (0, 1));
DROP INDEX open_sessions_by_last_event;
CREATE INDEX open_sessions_by_last_event ON sessions (last_event_ms, session_id)
  WHERE NOT stopped AND kind = 0;
)sql";

struct Migration {
  int version;
  const char* sql;
};

// In order; the last one's version is kSchemaVersion. A migration never
// changes once released: a new version is a new entry.
constexpr Migration kMigrations[] = {{1, kSchema1}, {2, kSchema2}};
static_assert(std::size(kMigrations) == kSchemaVersion);

constexpr Sql kLock{"migrate_lock", "SELECT pg_advisory_xact_lock($1::int4, $2::int4)"};
constexpr Sql kHasVersions{"migrate_has_versions",
                           "SELECT to_regclass('unitclock_schema') IS NOT NULL"};
constexpr Sql kVersion{"migrate_version", "SELECT COALESCE(max(version), 0) FROM unitclock_schema"};
constexpr Sql kRecord{"migrate_record", "INSERT INTO unitclock_schema (version) VALUES ($1)"};

absl::Status MigrateInTransaction(Connection& c) {
  // Instances starting while another migrates wait for it however long it
  // takes (the connection's lock_timeout is for the hot paths).
  if (absl::Status st = c.Exec("migration lock timeout", "SET LOCAL lock_timeout = 0"); !st.ok()) {
    return st;
  }
  absl::StatusOr<Result> r = c.Run(kLock, Params().Int(kMigrationLockClass).Int(kMigrationLockId));
  if (!r.ok()) return r.status();
  r = c.Run(kHasVersions);
  if (!r.ok()) return r.status();
  int version = 0;
  if (r->Bool(0, 0)) {
    r = c.Run(kVersion);
    if (!r.ok()) return r.status();
    version = static_cast<int>(r->Int(0, 0));
  } else {
    absl::Status st = c.Exec("create unitclock_schema", R"sql(
CREATE TABLE unitclock_schema (
  version    INTEGER PRIMARY KEY,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
))sql");
    if (!st.ok()) return st;
  }
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError("postgres store: " + c.db().name() + ": database schema " +
                                         std::to_string(version) +
                                         " is newer than this unitclockd knows (" +
                                         std::to_string(kSchemaVersion) + "); upgrade unitclockd");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    const std::string what = "migrate to schema " + std::to_string(m.version);
    if (absl::Status st = c.Exec(what, m.sql); !st.ok()) return st;
    if (absl::StatusOr<Result> rec = c.Run(kRecord, Params().Int(m.version)); !rec.ok()) {
      return rec.status();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Migrate(Connection& c) {
  if (absl::Status st = c.Exec("begin migration", "BEGIN"); !st.ok()) return st;
  absl::Status st = MigrateInTransaction(c);
  if (st.ok()) st = c.Commit();
  if (!st.ok()) c.Rollback();
  return st;
}

}  // namespace unitclock::store::postgres

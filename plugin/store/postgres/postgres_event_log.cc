#include "plugin/store/postgres/postgres_event_log.h"

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "plugin/store/session_page.h"

namespace unitclock::store::postgres {
namespace {

// ---- The writer's statements. Arrays carry a whole group: a group is a
// handful of statements whatever its size.

// Locks the rows of the group's sessions, in the order given (sorted), and
// creates those of new sessions: a new session's row, uncommitted, makes
// another writer inserting it wait for this transaction as a lock would.
// DO UPDATE ... WHERE false locks an existing row without writing it.
// Returns the sessions created. Rows created that end up with no event are
// deleted before the commit (kDeleteUnusedSessions).
constexpr Sql kLockSessions{
    "log_lock_sessions",
    "INSERT INTO sessions AS s (session_id, last_event_ms) "
    "SELECT t.id, '-9223372036854775808'::bigint "
    "FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n) ORDER BY t.n "
    "ON CONFLICT (session_id) DO UPDATE SET event_count = s.event_count WHERE false "
    "RETURNING s.session_id"};

// Read after kLockSessions, so with a snapshot taken once the locks are held:
// the latest committed state of each session.
constexpr Sql kReadSessions{
    "log_read_sessions",
    "SELECT session_id, platform, patient_ref, start_ms, last_event_ms, stopped, event_count, "
    "kind FROM sessions WHERE session_id = ANY($1::text[])"};

constexpr Sql kReadEvents{"log_read_events",
                          "SELECT event_id, session_id, occurred_at_ms, payload FROM events "
                          "WHERE event_id = ANY($1::text[])"};

// In event id order, so that two writers inserting overlapping ids wait for
// each other in one order.
constexpr Sql kInsertEvents{"log_insert_events",
                            "INSERT INTO events (event_id, session_id, occurred_at_ms, payload) "
                            "SELECT t.id, t.session_id, t.at, t.payload "
                            "FROM unnest($1::text[], $2::text[], $3::int8[], $4::bytea[]) "
                            "WITH ORDINALITY AS t(id, session_id, at, payload, n) ORDER BY t.n "
                            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"};

constexpr Sql kUpdateSessions{
    "log_update_sessions",
    "UPDATE sessions AS s SET platform = v.platform, patient_ref = v.patient_ref, "
    "start_ms = v.start_ms, last_event_ms = v.last_event_ms, stopped = v.stopped, "
    "event_count = v.event_count, kind = CASE WHEN v.monitoring THEN 1 ELSE 0 END "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::bool[], "
    "$7::int8[], $8::bool[]) AS v(session_id, platform, patient_ref, start_ms, last_event_ms, "
    "stopped, event_count, monitoring) "
    "WHERE s.session_id = v.session_id"};

constexpr Sql kDeleteUnusedSessions{
    "log_delete_unused_sessions",
    "DELETE FROM sessions WHERE session_id = ANY($1::text[]) AND event_count = 0"};

// ---- Reads.

constexpr Sql kLoadSession{"log_load_session",
                           "SELECT event_id, occurred_at_ms, payload FROM events "
                           "WHERE session_id = $1 ORDER BY occurred_at_ms, event_id"};

constexpr Sql kSessionOwner{"log_session_owner",
                            "SELECT COALESCE(platform, '') FROM sessions WHERE session_id = $1"};

constexpr Sql kListOpenSessions{
    "log_list_open_sessions",
    "SELECT session_id, last_event_ms, event_count FROM sessions "
    "WHERE NOT stopped AND kind = 0 AND last_event_ms < $1 ORDER BY last_event_ms, session_id"};

constexpr Sql kCountEvents{"log_count_events", "SELECT count(*) FROM events"};

// The statement of a ListSessions with the filters in `mask` (bits: patient,
// platform, start min, start max, page cursor, kind): one prepared statement
// per combination, each with the plain conditions an index serves (a generic
// plan of "$1 = '' OR patient_ref = $1" would scan the table).
const Sql& ListSessionsSql(unsigned mask) {
  static const std::vector<std::pair<std::string, std::string>> statements = [] {
    std::vector<std::pair<std::string, std::string>> out;
    const std::string start = "COALESCE(start_ms, '-9223372036854775808'::bigint)";
    for (unsigned m = 0; m < 64; ++m) {
      std::string sql = "SELECT session_id, " + start + " FROM sessions WHERE true";
      int n = 0;
      auto param = [&n](const char* type) { return "$" + std::to_string(++n) + "::" + type; };
      if (m & 1) sql += " AND patient_ref = " + param("text");
      if (m & 2) sql += " AND platform = " + param("text");
      if (m & 4) sql += " AND start_ms >= " + param("bigint");
      if (m & 8) sql += " AND start_ms < " + param("bigint");
      if (m & 16) {
        const std::string after_start = param("bigint");
        sql += " AND (" + start + ", session_id) > (" + after_start + ", " + param("text") + ")";
      }
      if (m & 32) sql += " AND kind = " + param("smallint");
      sql += " ORDER BY " + start + ", session_id LIMIT " + param("bigint");
      out.emplace_back("log_list_sessions_" + std::to_string(m), std::move(sql));
    }
    return out;
  }();
  static const std::vector<Sql> sqls = [] {
    std::vector<Sql> out;
    for (const auto& [name, text] : statements) out.push_back(Sql{name.c_str(), text.c_str()});
    return out;
  }();
  return sqls[mask];
}

std::int64_t ToMillis(core::TimePoint t) { return t.time_since_epoch().count(); }

// sessions.kind (schema 2): what a session is.
constexpr std::int64_t kVisitKind = 0;
constexpr std::int64_t kEpisodeKind = 1;
core::TimePoint FromMillis(std::int64_t ms) { return core::TimePoint(core::Duration(ms)); }

// What the log keeps of one session, as a group reads it once (locked) and
// writes it back once, whatever the number of the group's events in it.
struct SessionRow {
  bool created = false;                 // by this transaction (kLockSessions)
  bool changed = false;                 // to be written back
  std::optional<std::string> platform;  // the owner; none if written by unitclock only
  std::optional<std::string> patient_ref;
  std::optional<std::int64_t> start_ms;
  std::int64_t last_event_ms = kNoStart;
  bool stopped = false;
  std::int64_t event_count = 0;
  bool monitoring = false;  // a monitoring episode (kind 1)
};

// An event as stored (or accepted earlier in the group).
struct StoredCopy {
  std::string session_id;
  std::int64_t occurred_at_ms = 0;
  std::string payload;
};

// kAlreadyRecorded if `e` is `stored` again, else ALREADY_EXISTS.
absl::StatusOr<AppendOutcome> Compare(const StoredCopy& stored, const StoredEvent& e) {
  return CompareWithStored(stored.session_id, stored.occurred_at_ms, stored.payload, e);
}

// The status of an insert that found an event id taken by another writer
// since this group read the events: the group is tried again, and then
// compares with that writer's event.
absl::Status RaceLost() {
  return absl::AbortedError("postgres store: another writer stored one of the group's event ids");
}

// Decides one event against its session's row and the events stored (or
// accepted earlier in this group), as the SQLite log does, in its order:
// ownership, then only_if_event_count, then the limit, then the event id.
// Returns kRecorded when the event is to be inserted, and updates `row`.
absl::StatusOr<AppendOutcome> Decide(const StoredEvent& e, SessionRow& row,
                                     const StoredCopy* stored, const StoreOptions& options) {
  // Says only that the id is taken, nothing of the session that holds it.
  if (!e.platform.empty() && row.platform && !row.platform->empty() &&
      *row.platform != e.platform) {
    return absl::AlreadyExistsError(
        "event.session_id: already in use; session ids must be unique across platforms (use "
        "a UUID)");
  }
  if (e.only_if_event_count && row.event_count != *e.only_if_event_count) {
    if (stored != nullptr) return Compare(*stored, e);
    return absl::FailedPreconditionError(
        "event.session_id: the session now holds " + std::to_string(row.event_count) +
        " events, not the " + std::to_string(*e.only_if_event_count) + " this event expects");
  }
  if (row.event_count >= options.max_events_per_session) {
    if (stored != nullptr) return Compare(*stored, e);
    return absl::ResourceExhaustedError("event.session_id: the session already holds " +
                                        std::to_string(row.event_count) +
                                        " events, the most one session may hold");
  }
  if (stored != nullptr) return Compare(*stored, e);

  const std::int64_t at = ToMillis(e.occurred_at);
  row.changed = true;
  if (!row.platform && !e.platform.empty()) row.platform = e.platform;
  row.last_event_ms = std::max(row.last_event_ms, at);
  row.stopped = row.stopped || e.stops_session;
  // A session is an episode from its first monitoring event on.
  row.monitoring = row.monitoring || e.monitoring;
  ++row.event_count;
  // The earliest SessionStarted wins, as in core::SummarizeSession.
  if (e.started && (!row.start_ms || *row.start_ms > at)) {
    if (!row.platform) row.platform = e.started->platform;
    row.patient_ref = e.started->patient_ref;
    row.start_ms = at;
  }
  return AppendOutcome::kRecorded;
}

// Texts of an event that PostgreSQL could not store: refused alone, before
// the group's transaction, which they would otherwise fail as a whole.
bool StorableEvent(const StoredEvent& e) {
  return Storable(e.event_id) && Storable(e.session_id) && Storable(e.platform) &&
         (!e.started || (Storable(e.started->platform) && Storable(e.started->patient_ref)));
}

}  // namespace

PostgresEventLog::PostgresEventLog(std::shared_ptr<Database> db, StoreOptions options)
    : db_(std::move(db)),
      options_(options),
      writer_connection_(db_),
      readers_(db_, kReadConnections),
      writer_([this](std::span<const PendingAppend> group) { return CommitGroup(group); },
              options_.metrics) {}

std::vector<absl::StatusOr<AppendResults>> PostgresEventLog::CommitGroup(
    std::span<const PendingAppend> group) {
  std::minstd_rand jitter(std::random_device{}());
  absl::Status st;
  for (int attempt = 1; attempt <= kMaxGroupAttempts; ++attempt) {
    absl::StatusOr<std::vector<AppendResults>> results = TryCommitGroup(group);
    if (results.ok()) {
      return std::vector<absl::StatusOr<AppendResults>>(std::make_move_iterator(results->begin()),
                                                        std::make_move_iterator(results->end()));
    }
    writer_connection_.Rollback();
    st = results.status();
    // A connection found dead before the commit: nothing was committed, and
    // a new connection may well work (the database restarted since the last
    // group). Once only: if the database is down, it stays down for now.
    const bool again = Retryable(st) || st.code() == absl::StatusCode::kAborted ||
                       (ConnectionLost(st) && attempt == 1);
    if (!again) break;
    if (!ConnectionLost(st)) {
      // Two writers that collided may collide again at once: a few
      // milliseconds apart, one goes first.
      absl::SleepFor(
          absl::Milliseconds(std::uniform_int_distribution<int>(1, 5 * attempt)(jitter)));
    }
  }
  if (st.code() != absl::StatusCode::kUnavailable) st = absl::UnavailableError(st.message());
  return std::vector<absl::StatusOr<AppendResults>>(group.size(), st);
}

absl::StatusOr<std::vector<AppendResults>> PostgresEventLog::TryCommitGroup(
    std::span<const PendingAppend> group) {
  std::vector<AppendResults> out(group.size());
  std::set<std::string> session_ids;  // sorted: the order rows are locked in
  std::set<std::string> event_ids;
  for (const PendingAppend& append : group) {
    for (const StoredEvent& e : append.events) {
      if (!StorableEvent(e)) continue;
      session_ids.insert(e.session_id);
      event_ids.insert(e.event_id);
    }
  }
  auto refuse_unstorable = [&out](std::size_t i) {
    out[i].push_back(absl::InvalidArgumentError(
        "event: an id or reference holds a NUL byte or is not valid UTF-8"));
  };
  if (session_ids.empty()) {
    for (std::size_t i = 0; i < group.size(); ++i) {
      for (std::size_t k = 0; k < group[i].events.size(); ++k) refuse_unstorable(i);
    }
    return out;
  }

  Connection& c = writer_connection_;
  if (absl::Status st = c.Exec("begin", "BEGIN"); !st.ok()) return st;

  ArrayLiteral session_array;
  for (const std::string& id : session_ids) session_array.Text(id);
  const std::string sessions_param = session_array.Take();
  absl::StatusOr<Result> created = c.Run(kLockSessions, Params().Text(sessions_param));
  if (!created.ok()) return created.status();
  absl::StatusOr<Result> rows = c.Run(kReadSessions, Params().Text(sessions_param));
  if (!rows.ok()) return rows.status();
  std::unordered_map<std::string, SessionRow> sessions;
  for (int r = 0; r < rows->rows(); ++r) {
    SessionRow& row = sessions[std::string(rows->Text(r, 0))];
    if (!rows->IsNull(r, 1)) row.platform = std::string(rows->Text(r, 1));
    if (!rows->IsNull(r, 2)) row.patient_ref = std::string(rows->Text(r, 2));
    if (!rows->IsNull(r, 3)) row.start_ms = rows->Int(r, 3);
    row.last_event_ms = rows->Int(r, 4);
    row.stopped = rows->Bool(r, 5);
    row.event_count = rows->Int(r, 6);
    row.monitoring = rows->Int(r, 7) == kEpisodeKind;
  }
  for (int r = 0; r < created->rows(); ++r)
    sessions[std::string(created->Text(r, 0))].created = true;

  ArrayLiteral event_array;
  for (const std::string& id : event_ids) event_array.Text(id);
  absl::StatusOr<Result> found = c.Run(kReadEvents, Params().Text(event_array.Take()));
  if (!found.ok()) return found.status();
  std::unordered_map<std::string, StoredCopy> stored;
  for (int r = 0; r < found->rows(); ++r) {
    stored.emplace(
        std::string(found->Text(r, 0)),
        StoredCopy{std::string(found->Text(r, 1)), found->Int(r, 2), found->Bytea(r, 3)});
  }

  // The events to insert, by id (an id accepted once in the group is
  // "stored" for the rest of it).
  std::map<std::string, const StoredEvent*> accepted;
  for (std::size_t i = 0; i < group.size(); ++i) {
    out[i].reserve(group[i].events.size());
    for (const StoredEvent& e : group[i].events) {
      if (!StorableEvent(e)) {
        refuse_unstorable(i);
        continue;
      }
      const StoredCopy* previous = nullptr;
      StoredCopy accepted_copy;
      if (auto it = accepted.find(e.event_id); it != accepted.end()) {
        accepted_copy = StoredCopy{it->second->session_id, ToMillis(it->second->occurred_at),
                                   it->second->payload};
        previous = &accepted_copy;
      } else if (auto s = stored.find(e.event_id); s != stored.end()) {
        previous = &s->second;
      }
      absl::StatusOr<AppendOutcome> outcome = Decide(e, sessions[e.session_id], previous, options_);
      if (outcome.ok() && *outcome == AppendOutcome::kRecorded) accepted.emplace(e.event_id, &e);
      out[i].push_back(std::move(outcome));
    }
  }

  if (!accepted.empty()) {
    ArrayLiteral ids, session_of, at, payloads;
    for (const auto& [id, e] : accepted) {
      ids.Text(id);
      session_of.Text(e->session_id);
      at.Int(ToMillis(e->occurred_at));
      payloads.Bytea(e->payload);
    }
    absl::StatusOr<Result> inserted = c.Run(
        kInsertEvents,
        Params().Text(ids.Take()).Text(session_of.Take()).Text(at.Take()).Text(payloads.Take()));
    if (!inserted.ok()) return inserted.status();
    if (inserted->rows() != static_cast<int>(accepted.size())) return RaceLost();
  }

  ArrayLiteral id, platform, patient, start, last, stopped, count, monitoring, unused;
  bool any_changed = false, any_unused = false;
  for (const auto& [session_id, row] : sessions) {
    if (!row.changed) {
      if (row.created) {
        unused.Text(session_id);
        any_unused = true;
      }
      continue;
    }
    any_changed = true;
    id.Text(session_id);
    platform.OptionalText(row.platform);
    patient.OptionalText(row.patient_ref);
    start.OptionalInt(row.start_ms);
    last.Int(row.last_event_ms);
    stopped.Bool(row.stopped);
    count.Int(row.event_count);
    monitoring.Bool(row.monitoring);
  }
  if (any_changed) {
    absl::StatusOr<Result> updated = c.Run(kUpdateSessions, Params()
                                                                .Text(id.Take())
                                                                .Text(platform.Take())
                                                                .Text(patient.Take())
                                                                .Text(start.Take())
                                                                .Text(last.Take())
                                                                .Text(stopped.Take())
                                                                .Text(count.Take())
                                                                .Text(monitoring.Take()));
    if (!updated.ok()) return updated.status();
  }
  if (any_unused) {
    absl::StatusOr<Result> deleted = c.Run(kDeleteUnusedSessions, Params().Text(unused.Take()));
    if (!deleted.ok()) return deleted.status();
  }
  if (absl::Status st = c.Commit(); !st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> PostgresEventLog::LoadSession(
    std::string_view session_id) {
  if (!Storable(session_id)) return std::vector<StoredEvent>();
  return WithReader<std::vector<StoredEvent>>(
      readers_, [&](Connection& c) -> absl::StatusOr<std::vector<StoredEvent>> {
        absl::StatusOr<Result> r = c.Run(kLoadSession, Params().Text(session_id));
        if (!r.ok()) return r.status();
        std::vector<StoredEvent> out;
        out.reserve(static_cast<std::size_t>(r->rows()));
        for (int i = 0; i < r->rows(); ++i) {
          StoredEvent e;
          e.event_id = std::string(r->Text(i, 0));
          e.session_id = std::string(session_id);
          e.occurred_at = FromMillis(r->Int(i, 1));
          e.payload = r->Bytea(i, 2);
          out.push_back(std::move(e));
        }
        return out;
      });
}

absl::StatusOr<std::optional<std::string>> PostgresEventLog::SessionOwner(
    std::string_view session_id) {
  if (!Storable(session_id)) return std::optional<std::string>();
  return WithReader<std::optional<std::string>>(
      readers_, [&](Connection& c) -> absl::StatusOr<std::optional<std::string>> {
        absl::StatusOr<Result> r = c.Run(kSessionOwner, Params().Text(session_id));
        if (!r.ok()) return r.status();
        if (r->rows() == 0) return std::optional<std::string>();
        return std::optional<std::string>(std::string(r->Text(0, 0)));
      });
}

absl::StatusOr<SessionPage> PostgresEventLog::ListSessions(const SessionQuery& query) {
  absl::StatusOr<PageCursor> cursor = ReadPageCursor(query);
  if (!cursor.ok()) return cursor.status();
  const std::int64_t after_start = cursor->start_ms;
  const std::string& after_id = cursor->session_id;
  const bool has_cursor = !cursor->first_page;
  // A filter no stored value can match matches nothing; a cursor past ids
  // that cannot be stored is a token this log never wrote.
  if (!Storable(query.patient_ref) || !Storable(query.platform)) return SessionPage();
  if (!Storable(after_id)) {
    return absl::InvalidArgumentError("page_token: not a token returned by ListSessions");
  }

  unsigned mask = 0;
  Params params;
  if (!query.patient_ref.empty()) {
    mask |= 1;
    params.Text(query.patient_ref);
  }
  if (!query.platform.empty()) {
    mask |= 2;
    params.Text(query.platform);
  }
  if (query.start_time_min) {
    mask |= 4;
    params.Int(ToMillis(*query.start_time_min));
  }
  if (query.start_time_max) {
    mask |= 8;
    params.Int(ToMillis(*query.start_time_max));
  }
  if (has_cursor) {
    mask |= 16;
    params.Int(after_start).Text(after_id);
  }
  if (query.kind) {
    mask |= 32;
    params.Int(*query.kind == SessionKind::kMonitoringEpisode ? kEpisodeKind : kVisitKind);
  }
  params.Int(std::int64_t{query.page_size} + 1);

  return WithReader<SessionPage>(readers_, [&](Connection& c) -> absl::StatusOr<SessionPage> {
    absl::StatusOr<Result> r = c.Run(ListSessionsSql(mask), params);
    if (!r.ok()) return r.status();
    SessionPage page;
    for (int i = 0; i < r->rows(); ++i) {
      if (static_cast<int>(page.session_ids.size()) == query.page_size) {
        page.next_page_token = MakePageToken(r->Int(i - 1, 1), page.session_ids.back());
        break;
      }
      page.session_ids.emplace_back(r->Text(i, 0));
    }
    return page;
  });
}

absl::StatusOr<std::vector<OpenSession>> PostgresEventLog::ListOpenSessions(
    core::TimePoint last_event_before) {
  return WithReader<std::vector<OpenSession>>(
      readers_, [&](Connection& c) -> absl::StatusOr<std::vector<OpenSession>> {
        absl::StatusOr<Result> r =
            c.Run(kListOpenSessions, Params().Int(ToMillis(last_event_before)));
        if (!r.ok()) return r.status();
        std::vector<OpenSession> out;
        out.reserve(static_cast<std::size_t>(r->rows()));
        for (int i = 0; i < r->rows(); ++i) {
          out.push_back(
              OpenSession{std::string(r->Text(i, 0)), FromMillis(r->Int(i, 1)), r->Int(i, 2)});
        }
        return out;
      });
}

absl::StatusOr<std::int64_t> PostgresEventLog::CountEvents() {
  return WithReader<std::int64_t>(readers_, [](Connection& c) -> absl::StatusOr<std::int64_t> {
    absl::StatusOr<Result> r = c.Run(kCountEvents);
    if (!r.ok()) return r.status();
    return r->Int(0, 0);
  });
}

absl::Status PostgresEventLog::Health() { return db_->Health(); }

}  // namespace unitclock::store::postgres

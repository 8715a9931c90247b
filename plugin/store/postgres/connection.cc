#include "plugin/store/postgres/connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include "absl/strings/cord.h"

namespace unitclock::store::postgres {
namespace {

// Payloads of the statuses Connection returns, read by SqlState and
// ConnectionLost.
// (absl::string_view: Debian's Abseil is not built on std::string_view.)
constexpr absl::string_view kSqlStateUrl = "unitclock.store.postgres/sqlstate";
constexpr absl::string_view kLostUrl = "unitclock.store.postgres/lost";

// The wait after a failed connection attempt before the next one, doubled
// after each failure up to kMaxBackoff: a database that is down is tried a
// few times a second at most, whatever the number of calls failing meanwhile.
constexpr Clock::duration kFirstBackoff = std::chrono::milliseconds(100);
constexpr Clock::duration kMaxBackoff = std::chrono::seconds(2);
// Health() trusts what it saw for this long.
constexpr Clock::duration kHealthWindow = std::chrono::seconds(1);

// libpq's messages end with a newline and continue lines with "\n\t".
std::string OneLine(std::string_view message) {
  std::string out;
  for (char c : message) {
    if (c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

absl::Status Unavailable(std::string message, std::string_view sqlstate, bool lost) {
  absl::Status st = absl::UnavailableError(std::move(message));
  if (!sqlstate.empty()) st.SetPayload(kSqlStateUrl, absl::Cord(std::string(sqlstate)));
  if (lost) st.SetPayload(kLostUrl, absl::Cord("1"));
  return st;
}

// The connection parameters of a URI, nullopt if libpq cannot parse it
// (`error` then says why).
struct ParsedUri {
  std::string user, host, port, dbname;
};

std::optional<ParsedUri> ParseUri(const std::string& uri, std::string& error) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &err);
  if (options == nullptr) {
    error = err != nullptr ? OneLine(err) : "out of memory";
    PQfreemem(err);
    return std::nullopt;
  }
  ParsedUri out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view k = o->keyword;
    if (k == "user") out.user = o->val;
    if (k == "host") out.host = o->val;
    if (k == "hostaddr" && out.host.empty()) out.host = o->val;
    if (k == "port") out.port = o->val;
    if (k == "dbname") out.dbname = o->val;
  }
  PQconninfoFree(options);
  return out;
}

// The password of "scheme://user:password@host...", if any: to be kept out
// of libpq's message about a URI it cannot parse (which may quote it).
std::string UriPassword(std::string_view uri) {
  const auto scheme = uri.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = uri.substr(scheme + 3);
  const auto at = rest.find('@');
  if (at == std::string_view::npos || rest.substr(0, at).find('/') != std::string_view::npos) {
    return "";
  }
  const std::string_view userinfo = rest.substr(0, at);
  const auto colon = userinfo.find(':');
  return colon == std::string_view::npos ? "" : std::string(userinfo.substr(colon + 1));
}

std::string Redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
    text.replace(pos, secret.size(), "****");
    pos += 4;
  }
  return text;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

// ---- Params ----

void Params::Add(std::string value, bool null, int format) {
  values_.push_back(std::move(value));
  nulls_.push_back(null);
  formats_.push_back(format);
}

Params& Params::Text(std::string_view value) {
  Add(std::string(value), false, 0);
  return *this;
}
Params& Params::Int(std::int64_t value) {
  Add(std::to_string(value), false, 0);
  return *this;
}
Params& Params::Bool(bool value) {
  Add(value ? "t" : "f", false, 0);
  return *this;
}
Params& Params::Bytea(std::string_view value) {
  Add(std::string(value), false, 1);
  return *this;
}
Params& Params::Null() {
  Add("", true, 0);
  return *this;
}
Params& Params::OptionalText(const std::optional<std::string>& value) {
  return value ? Text(*value) : Null();
}
Params& Params::OptionalInt(const std::optional<std::int64_t>& value) {
  return value ? Int(*value) : Null();
}

// ---- ArrayLiteral ----

void ArrayLiteral::Separate() {
  if (!empty_) out_.push_back(',');
  empty_ = false;
}

void ArrayLiteral::Text(std::string_view value) {
  Separate();
  out_.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out_.push_back('\\');
    out_.push_back(c);
  }
  out_.push_back('"');
}

void ArrayLiteral::Int(std::int64_t value) {
  Separate();
  out_ += std::to_string(value);
}

void ArrayLiteral::Bool(bool value) {
  Separate();
  out_.push_back(value ? 't' : 'f');
}

void ArrayLiteral::Bytea(std::string_view value) {
  Separate();
  // Inside the array's quotes, a backslash is escaped: "\\x..." is the bytea
  // literal \x... in hex.
  out_ += "\"\\\\x";
  for (unsigned char c : value) {
    out_.push_back(kHex[c >> 4]);
    out_.push_back(kHex[c & 15]);
  }
  out_.push_back('"');
}

void ArrayLiteral::Null() {
  Separate();
  out_ += "NULL";
}

void ArrayLiteral::OptionalText(const std::optional<std::string>& value) {
  if (value) {
    Text(*value);
  } else {
    Null();
  }
}

void ArrayLiteral::OptionalInt(const std::optional<std::int64_t>& value) {
  if (value) {
    Int(*value);
  } else {
    Null();
  }
}

std::string ArrayLiteral::Take() {
  out_.push_back('}');
  return std::move(out_);
}

// ---- Result ----

Result::~Result() { PQclear(result_); }

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

int Result::rows() const { return PQntuples(result_); }

bool Result::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view Result::Text(int row, int column) const {
  return std::string_view(PQgetvalue(result_, row, column),
                          static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t Result::Int(int row, int column) const {
  const std::string_view text = Text(row, column);
  std::int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

bool Result::Bool(int row, int column) const { return Text(row, column) == "t"; }

std::string Result::Bytea(int row, int column) const {
  const std::string_view text = Text(row, column);
  std::string out;
  // bytea_output = 'hex' (the default since PostgreSQL 9.0; set at connect).
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') return out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<char>(HexValue(text[i]) << 4 | HexValue(text[i + 1])));
  }
  return out;
}

std::int64_t Result::Affected() const {
  const char* n = PQcmdTuples(result_);
  std::int64_t v = 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

// ---- status helpers ----

std::string SqlState(const absl::Status& status) {
  const auto state = status.GetPayload(kSqlStateUrl);  // an absl::optional
  return state ? std::string(*state) : "";
}

bool ConnectionLost(const absl::Status& status) { return status.GetPayload(kLostUrl).has_value(); }

bool Retryable(const absl::Status& status) {
  const std::string state = SqlState(status);
  return state == "40001" || state == "40P01";
}

bool Storable(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The length of the sequence, and the smallest code point it may encode
    // (overlong encodings are invalid).
    std::size_t n;
    std::uint32_t cp;
    std::uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      n = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

std::int64_t LockKey(std::initializer_list<std::string_view> parts) {
  std::uint64_t h = 14695981039346656037ull;
  for (std::string_view part : parts) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h *= 1099511628211ull;  // the NUL after each part
  }
  return static_cast<std::int64_t>(h);
}

// ---- Database ----

absl::StatusOr<std::shared_ptr<Database>> Database::Create(const std::string& uri) {
  if (uri.rfind("postgresql://", 0) != 0 && uri.rfind("postgres://", 0) != 0) {
    return absl::InvalidArgumentError(
        "postgres store: the database must be a URI postgresql://... or postgres://...");
  }
  std::string error;
  const std::optional<ParsedUri> parsed = ParseUri(uri, error);
  if (!parsed) {
    return absl::InvalidArgumentError("postgres store: not a valid PostgreSQL URI: " +
                                      Redact(error, UriPassword(uri)));
  }
  std::string name = "postgresql://";
  if (!parsed->user.empty()) name += parsed->user + "@";
  name += parsed->host;
  if (!parsed->port.empty()) name += ":" + parsed->port;
  name += "/" + parsed->dbname;
  return std::shared_ptr<Database>(new Database(uri, std::move(name)));
}

Database::Database(std::string uri, std::string name)
    : uri_(std::move(uri)), name_(std::move(name)) {}

Database::~Database() = default;

absl::Status Database::MayConnect() {
  absl::MutexLock lock(&mu_);
  if (Clock::now() < next_connect_) return connect_error_;
  return absl::OkStatus();
}

void Database::ConnectFailed(const absl::Status& error) {
  absl::MutexLock lock(&mu_);
  backoff_ = backoff_ == Clock::duration{} ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
  next_connect_ = Clock::now() + backoff_;
  connect_error_ = error;
  failing_ = true;
}

void Database::Connected() {
  absl::MutexLock lock(&mu_);
  backoff_ = {};
  next_connect_ = {};
  connect_error_ = absl::OkStatus();
}

void Database::Succeeded() {
  absl::MutexLock lock(&mu_);
  failing_ = false;
  last_success_ = Clock::now();
}

void Database::Failed(const absl::Status&) {
  absl::MutexLock lock(&mu_);
  failing_ = true;
}

std::uint64_t Database::generation() {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void Database::Lost(std::uint64_t generation) {
  absl::MutexLock lock(&mu_);
  if (generation == generation_) ++generation_;
}

absl::Status Database::Health() {
  {
    absl::MutexLock lock(&mu_);
    if (!failing_ && Clock::now() - last_success_ < kHealthWindow) return absl::OkStatus();
  }
  absl::MutexLock probe_lock(&probe_mu_);
  {
    absl::MutexLock lock(&mu_);
    const Clock::time_point now = Clock::now();
    // Another caller may have probed, or a statement succeeded, meanwhile.
    if (!failing_ && now - last_success_ < kHealthWindow) return absl::OkStatus();
    if (now - last_probe_ < kHealthWindow) return probe_status_;
    last_probe_ = now;
  }
  if (probe_ == nullptr) {
    // The probe holds a shared_ptr to its database only through this
    // object's owner: a plain one here would keep it alive forever.
    probe_ = std::make_unique<Connection>(std::shared_ptr<Database>(this, [](Database*) {}));
  }
  static constexpr Sql kProbe{"health_probe", "SELECT 1"};
  absl::Status st = probe_->Ensure(/*ignore_backoff=*/true);
  if (st.ok()) st = probe_->Run(kProbe).status();
  if (!st.ok()) st = absl::UnavailableError(st.message());
  absl::MutexLock lock(&mu_);
  probe_status_ = st;
  return st;
}

// ---- Connection ----

Connection::Connection(std::shared_ptr<Database> db) : db_(std::move(db)) {}

Connection::~Connection() { Reset(); }

void Connection::Reset() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();
}

absl::Status Connection::Ensure(bool ignore_backoff) {
  if (conn_ != nullptr && (PQstatus(conn_) != CONNECTION_OK || generation_ != db_->generation())) {
    Reset();
  }
  if (conn_ != nullptr) return absl::OkStatus();
  if (!ignore_backoff) {
    if (absl::Status st = db_->MayConnect(); !st.ok()) return st;
  }
  // Before "dbname", the URI can override them; after it, it cannot.
  // Keepalives and the TCP user timeout make a link whose peer vanished
  // (a network partition) fail within about a minute instead of hanging.
  const char* keywords[] = {"connect_timeout",  "keepalives_idle",  "keepalives_interval",
                            "keepalives_count", "tcp_user_timeout", "application_name",
                            "dbname",           "client_encoding",  nullptr};
  const char* values[] = {"10",   "30",   "10", "3", "60000", "unitclockd", db_->uri().c_str(),
                          "UTF8", nullptr};
  const std::uint64_t generation = db_->generation();
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = conn_ == nullptr ? "out of memory" : OneLine(PQerrorMessage(conn_));
    Reset();
    absl::Status st = Unavailable(
        "postgres store: cannot connect to " + db_->name() + ": " + message, "", /*lost=*/true);
    db_->ConnectFailed(st);
    return st;
  }
  generation_ = generation;
  db_->Connected();
  // The server's notices (a WARNING as it shuts down, NOTICEs of DDL) are
  // not errors, and libpq would print them to stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  // bytea_output: results in the format Result reads, whatever the server's
  // default. The timeouts bound what another instance can make this one
  // wait for: a lock held by a transaction that hangs (its instance frozen,
  // its network gone) is released by the server after a minute idle, and a
  // statement waiting longer than 30 s for a lock fails (UNAVAILABLE, to be
  // tried again) instead of blocking the writer for good. Our transactions
  // hold their locks for milliseconds.
  return Exec("set session",
              "SET bytea_output = 'hex'; SET idle_in_transaction_session_timeout = '60s'; "
              "SET lock_timeout = '30s'");
}

absl::Status Connection::Failure(std::string_view what, pg_result* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message;
  if (result != nullptr && PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) != nullptr) {
    message = OneLine(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
  } else if (conn_ != nullptr) {
    message = OneLine(PQerrorMessage(conn_));
  }
  if (message.empty()) message = "unknown error";
  PQclear(result);
  // Lost: the link is dead (or the server is going down and closes it).
  const bool lost = conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK ||
                    sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
                    sqlstate == "57P03";
  std::string text = "postgres store: " + std::string(what) + ": ";
  if (lost) text += "lost the connection to " + db_->name() + ": ";
  text += message;
  if (!sqlstate.empty()) text += " (SQLSTATE " + sqlstate + ")";
  absl::Status st;
  if (sqlstate.rfind("22", 0) == 0) {
    // A value the database refuses (invalid UTF-8, out of range): the
    // caller's, not the database's, problem; the database answered.
    st = absl::InvalidArgumentError(text);
    st.SetPayload(kSqlStateUrl, absl::Cord(std::string(sqlstate)));
    db_->Succeeded();
  } else {
    st = Unavailable(text, sqlstate, lost);
    // A refusal (a unique violation, a lock timeout) is an answer; a lost
    // link or a server out of resources is not.
    const bool answered = !lost && !sqlstate.empty() && sqlstate.rfind("53", 0) != 0 &&
                          sqlstate.rfind("58", 0) != 0 && sqlstate.rfind("XX", 0) != 0;
    if (answered) {
      db_->Succeeded();
    } else {
      db_->Failed(st);
    }
  }
  if (lost) {
    db_->Lost(generation_);
    Reset();
  }
  return st;
}

absl::StatusOr<Result> Connection::Check(std::string_view what, pg_result* result) {
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Failure(what, result);
  db_->Succeeded();
  return Result(result);
}

absl::StatusOr<Result> Connection::Run(const Sql& sql, const Params& params) {
  if (absl::Status st = Ensure(); !st.ok()) return st;
  if (!prepared_.contains(sql.name)) {
    absl::StatusOr<Result> prepared =
        Check(sql.name, PQprepare(conn_, sql.name, sql.text, 0, nullptr));
    if (!prepared.ok()) return prepared.status();
    prepared_.insert(sql.name);
  }
  // Pointers into `params`, taken now: Params may have been copied or moved
  // since it was filled.
  const int n = params.size();
  std::vector<const char*> values(n);
  std::vector<int> lengths(n);
  std::vector<int> formats(n);
  for (int i = 0; i < n; ++i) {
    values[i] = params.null(i) ? nullptr : params.value(i).data();
    lengths[i] = static_cast<int>(params.value(i).size());
    formats[i] = params.format(i);
  }
  return Check(sql.name, PQexecPrepared(conn_, sql.name, n, values.data(), lengths.data(),
                                        formats.data(), /*resultFormat=*/0));
}

absl::Status Connection::Exec(std::string_view what, const char* sql) {
  if (absl::Status st = Ensure(); !st.ok()) return st;
  return Check(what, PQexec(conn_, sql)).status();
}

absl::Status Connection::Commit() {
  if (conn_ == nullptr) {
    return absl::UnavailableError("postgres store: commit: not connected to " + db_->name());
  }
  PGresult* result = PQexec(conn_, "COMMIT");
  if (result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK) {
    // COMMIT of a transaction that failed earlier answers "ROLLBACK".
    const bool committed = std::string_view(PQcmdStatus(result)) == "COMMIT";
    PQclear(result);
    db_->Succeeded();
    if (committed) return absl::OkStatus();
    return absl::UnavailableError("postgres store: commit: the transaction was rolled back");
  }
  absl::Status st = Failure("commit", result);
  if (ConnectionLost(st)) {
    // The server may have committed before the link went: the caller cannot
    // know, and must not report success (nor a definite failure).
    return Unavailable(
        std::string(st.message()) + "; whether the transaction was committed is unknown", "",
        /*lost=*/false);
  }
  return st;
}

void Connection::Rollback() {
  if (conn_ == nullptr) return;
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  PGresult* result = PQexec(conn_, "ROLLBACK");
  const bool ok = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  if (!ok) Reset();
}

// ---- ConnectionPool ----

ConnectionPool::ConnectionPool(std::shared_ptr<Database> db, int size) {
  for (int i = 0; i < size; ++i) connections_.push_back(std::make_unique<Connection>(db));
  for (auto& c : connections_) free_.push_back(c.get());
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  absl::MutexLock lock(&mu_);
  // A CondVar rather than Mutex::Await: the TSan build sees CondVar's waits
  // (tests/testing/tsan_absl_mutex.cc), not Await's.
  while (free_.empty()) returned_.Wait(&mu_);
  Connection* c = free_.back();
  free_.pop_back();
  return Lease(this, c);
}

ConnectionPool::Lease::~Lease() {
  // A connection goes back outside any transaction: a caller that returned
  // early on an error has not always rolled back.
  connection_->Rollback();
  absl::MutexLock lock(&pool_->mu_);
  pool_->free_.push_back(connection_);
  pool_->returned_.Signal();
}

}  // namespace unitclock::store::postgres

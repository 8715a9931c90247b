// unitclockd: flags and wiring only. Everything else lives in the libraries.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/policy.h"
#include "plugin/auth/token_table.h"
#include "plugin/common/clock.h"
#include "plugin/common/log.h"
#include "plugin/common/policy_files.h"
#include "plugin/metrics/metrics_endpoint.h"
#include "plugin/metrics/server_metrics.h"
#include "plugin/service/event_intake.h"
#include "plugin/service/server.h"
#include "plugin/service/service_options.h"
#include "plugin/store/backend/open_store.h"
#include "plugin/watchdog/session_watchdog.h"

namespace {

using unitclock::common::Quote;

// Plaintext gRPC is acceptable only where nobody else can listen in.
bool IsLoopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address.rfind("localhost:", 0) == 0 ||
         address.rfind("[::1]:", 0) == 0;
}

// Writes `port` to `path` (nothing if empty) through a temporary name and a
// rename, so that a reader never sees half a number.
absl::Status WritePortFile(const std::string& path, int port, const std::string& flag) {
  if (path.empty()) return absl::OkStatus();
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::UnavailableError(flag + ": cannot write \"" + path + "\": " + ec.message());
  return absl::OkStatus();
}

int Fail(const std::string& message) {
  spdlog::error("msg={}", Quote(message));
  return 1;
}

// The whole content of a PEM file named by `flag`; NOT_FOUND naming the flag.
absl::StatusOr<std::string> ReadPem(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(flag + ": cannot read \"" + path + "\"");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(flag + ": \"" + path + "\" is not a PEM file");
  }
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"unitclockd: the unitclock session timer and auto-coding service"};
  std::string listen = "127.0.0.1:50051";
  std::string db_path = "var/unitclock.db";
  std::string policy_dir = "core/policies";
  std::string log_level = "info";
  std::string port_file;
  std::string http_listen;
  std::string http_port_file;
  std::string web_dir;
  std::string metrics_listen;
  std::string metrics_port_file;
  int shutdown_grace_ms = 5000;
  int future_tolerance_s = 300;
  int session_timeout_s = 1800;
  int watchdog_interval_s = 60;
  std::string auth_file;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  int max_streams_per_platform = 256;
  int max_message_bytes = 4 * 1024 * 1024;
  std::int64_t max_events_per_session = 100000;
  app.set_config("--config", "", "Read options from this INI/TOML file (keys as the long flags)");
  app.add_option("--listen", listen, "Address to serve gRPC on (port 0 picks a free port)")
      ->capture_default_str();
  app.add_option("--db", db_path,
                 "SQLite database file (its folder is created if missing), or a PostgreSQL "
                 "connection URI (postgresql://...) shared by several instances")
      ->capture_default_str();
  app.add_option("--policy-dir", policy_dir, "Folder of payer policies and the code catalogue")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.add_option("--shutdown-grace-ms", shutdown_grace_ms,
                 "On SIGINT/SIGTERM, how long open calls may take to finish")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  app.add_option("--port-file", port_file, "Write the bound port to this file once serving");
  app.add_option("--http-listen", http_listen,
                 "Also serve the JSON API and the review page over HTTP/1.1 here (loopback only: "
                 "put a TLS proxy in front to reach it from elsewhere); off when empty");
  app.add_option("--http-port-file", http_port_file,
                 "Write the bound HTTP port to this file once serving");
  app.add_option("--web-dir", web_dir,
                 "Serve the review page from this folder instead of the copy built into "
                 "unitclockd (to work on the page without rebuilding)");
  app.add_option("--metrics-listen", metrics_listen,
                 "Serve Prometheus metrics at /metrics over HTTP here (ip:port; port 0 picks a "
                 "free port); off when empty");
  app.add_option("--metrics-port-file", metrics_port_file,
                 "Write the bound metrics port to this file once serving");
  app.add_option("--future-tolerance-s", future_tolerance_s,
                 "Reject events that occurred more than this many seconds ahead of the server's "
                 "clock")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  app.add_option("--session-timeout-s", session_timeout_s,
                 "The watchdog closes a session that has had no event for this many seconds")
      ->check(CLI::Range(60, 86400))
      ->capture_default_str();
  app.add_option("--watchdog-interval-s", watchdog_interval_s,
                 "How often, in seconds, the watchdog looks for idle sessions")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--auth-file", auth_file,
                 "Token file: SHA-256 hashes of the bearer tokens, with their platform and roles "
                 "(see README, Security)")
      ->required();
  app.add_option("--tls-cert", tls_cert, "Server certificate chain (PEM); enables TLS");
  app.add_option("--tls-key", tls_key, "Server private key (PEM), with --tls-cert");
  app.add_option("--tls-client-ca", tls_client_ca,
                 "Certificate authorities (PEM) of client certificates: requires mutual TLS");
  app.add_option("--max-streams-per-platform", max_streams_per_platform,
                 "Open streams one platform may hold at once")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--max-message-bytes", max_message_bytes, "Largest request message accepted")
      ->check(CLI::Range(1024, 64 * 1024 * 1024))
      ->capture_default_str();
  app.add_option("--max-events-per-session", max_events_per_session,
                 "Events one session may hold; more are rejected")
      ->check(CLI::Range(std::int64_t{10}, std::int64_t{100000000}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
#ifdef NDEBUG
  // Abseil's lock-order checking (on in Debian's build) costs a few percent
  // of every lock; the tests, built without NDEBUG, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif

  unitclock::common::InitLogging(log_level);

  unitclock::service::TlsOptions tls;
  if (tls_cert.empty() != tls_key.empty()) {
    return Fail(tls_cert.empty() ? "--tls-cert: required with --tls-key"
                                 : "--tls-key: required with --tls-cert");
  }
  if (!tls_client_ca.empty() && tls_cert.empty()) {
    return Fail("--tls-client-ca: needs --tls-cert and --tls-key (mutual TLS is TLS)");
  }
  for (auto [path, flag, out] : {std::tuple{&tls_cert, "--tls-cert", &tls.cert_chain},
                                 std::tuple{&tls_key, "--tls-key", &tls.private_key},
                                 std::tuple{&tls_client_ca, "--tls-client-ca", &tls.client_ca}}) {
    if (path->empty()) continue;
    auto pem = ReadPem(*path, flag);
    if (!pem.ok()) return Fail(std::string(pem.status().message()));
    *out = *std::move(pem);
  }
  if (!tls.enabled() && !IsLoopback(listen)) {
    return Fail(
        "--listen: plaintext gRPC is allowed on loopback addresses only; give --tls-cert and "
        "--tls-key to listen elsewhere");
  }
  if (!http_listen.empty() && !IsLoopback(http_listen)) {
    // Bearer tokens must not cross a network in the clear; the listener has
    // no TLS of its own.
    return Fail(
        "--http-listen: HTTP is plaintext and allowed on loopback addresses only; put a TLS "
        "proxy in front of it to serve other machines");
  }
  if (!tls.enabled()) {
    spdlog::warn("msg={} listen={}",
                 Quote("plaintext gRPC on loopback: bearer tokens cross it unencrypted; use "
                       "--tls-cert and --tls-key unless only this machine's processes connect"),
                 Quote(listen));
  }
  auto tokens = unitclock::auth::TokenTable::Load(auth_file);
  if (!tokens.ok()) return Fail("--auth-file: " + std::string(tokens.status().message()));
  // A missing folder or file is the flag's problem; a bad file names itself.
  auto loaded = unitclock::common::LoadPolicyFolder(policy_dir);
  if (!loaded.ok()) {
    const bool names_a_file = loaded.status().code() == absl::StatusCode::kInvalidArgument;
    return Fail((names_a_file ? "" : "--policy-dir: ") + std::string(loaded.status().message()));
  }
  unitclock::core::PolicySet policies = *std::move(loaded);
  auto billing = unitclock::common::LoadBillingConfig(policy_dir);
  if (!billing.ok()) {
    const bool names_a_file = billing.status().code() == absl::StatusCode::kInvalidArgument;
    return Fail((names_a_file ? "" : "--policy-dir: ") + std::string(billing.status().message()));
  }
  std::string payer_ids;  // sorted: policies.payers is a map
  for (const auto& [payer_id, payer] : policies.payers) {
    payer_ids += (payer_ids.empty() ? "" : ",") + payer_id;
  }
  if (!unitclock::store::IsPostgresUri(db_path)) {
    std::error_code ec;
    const std::filesystem::path db_folder = std::filesystem::path(db_path).parent_path();
    if (!db_folder.empty()) std::filesystem::create_directories(db_folder, ec);
    if (ec) {
      return Fail("--db: cannot create folder \"" + db_folder.string() + "\": " + ec.message());
    }
  }

  // Block the stop signals in every thread (gRPC's inherit the mask) so that
  // the main thread alone receives them through sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const unitclock::common::SystemClock clock;
  // One metrics object, handed to every part that records, before any of
  // them starts; none without --metrics-listen (the parts then record nothing).
  std::unique_ptr<unitclock::metrics::ServerMetrics> metrics;
  if (!metrics_listen.empty()) metrics = std::make_unique<unitclock::metrics::ServerMetrics>();
  unitclock::service::ServiceOptions options;
  options.future_tolerance = std::chrono::seconds(future_tolerance_s);
  options.policies = policies;
  options.billing = *std::move(billing);
  options.tokens = *std::move(tokens);
  options.tls = std::move(tls);
  options.max_streams_per_platform = max_streams_per_platform;
  options.max_message_bytes = max_message_bytes;
  options.metrics = metrics.get();
  unitclock::watchdog::WatchdogOptions watchdog_options;
  watchdog_options.timeout = std::chrono::seconds(session_timeout_s);
  watchdog_options.scan_interval = std::chrono::seconds(watchdog_interval_s);
  watchdog_options.metrics = metrics.get();

  unitclock::store::StoreOptions store_options;
  store_options.max_events_per_session = max_events_per_session;
  store_options.metrics = metrics.get();
  auto store = unitclock::store::OpenStore(db_path, store_options);
  if (!store.ok()) return Fail(std::string(store.status().message()));
  auto server = unitclock::service::Server::Start(listen, *store, clock, options);
  if (!server.ok()) return Fail(std::string(server.status().message()));
  // Health reports NOT_SERVING while the database cannot be reached, so that a
  // load balancer sends this instance nothing meanwhile.
  if (absl::Status st = (*server)->WatchHealth([&log = *store->events, m = metrics.get()] {
        absl::Status health = log.Health();
        if (m != nullptr) {
          m->SetStoreHealthy(health.ok());
          if (!health.ok())
            m->CountStoreError(unitclock::metrics::StoreOperation::kHealth, health.code());
        }
        return health;
      });
      !st.ok()) {
    return Fail(std::string(st.message()));
  }
  // The watchdog's stops enter through an intake of their own, on the same
  // log and clock as the server's.
  unitclock::service::EventIntake watchdog_intake(*store->events, clock, options.future_tolerance);
  auto watchdog = std::make_unique<unitclock::watchdog::SessionWatchdog>(
      *store->events, watchdog_intake, clock, watchdog_options);
  watchdog->Start();

  const auto events = store->events->CountEvents();
  spdlog::info(
      "msg={} listen={} port={} tls={} db={} policy_dir={} payers={} tokens={} stored_events={} "
      "future_tolerance_s={} session_timeout_s={} watchdog_interval_s={}",
      Quote("unitclockd serving"), Quote(listen), (*server)->port(),
      !options.tls.enabled() ? "off" : (options.tls.client_ca.empty() ? "on" : "mutual"),
      Quote(unitclock::store::DescribeDb(db_path)), Quote(policy_dir), Quote(payer_ids),
      options.tokens.size(), events.ok() ? *events : -1, future_tolerance_s, session_timeout_s,
      watchdog_interval_s);
  if (absl::Status st = WritePortFile(port_file, (*server)->port(), "--port-file"); !st.ok()) {
    return Fail(std::string(st.message()));
  }
  if (!http_listen.empty()) {
    unitclock::http::ServerOptions http_options;
    http_options.metrics = metrics.get();
    absl::StatusOr<int> http_port = (*server)->StartHttp(http_listen, web_dir, http_options);
    if (!http_port.ok()) {
      return Fail("--http-listen: " + std::string(http_port.status().message()));
    }
    spdlog::info("msg={} http_listen={} http_port={} web_dir={}", Quote("HTTP face serving"),
                 Quote(http_listen), *http_port, Quote(web_dir));
    if (absl::Status st = WritePortFile(http_port_file, *http_port, "--http-port-file"); !st.ok()) {
      return Fail(std::string(st.message()));
    }
  }

  std::unique_ptr<unitclock::metrics::MetricsEndpoint> metrics_endpoint;
  if (metrics != nullptr) {
    auto started = unitclock::metrics::MetricsEndpoint::Start(metrics_listen, *metrics);
    if (!started.ok()) return Fail("--metrics-listen: " + std::string(started.status().message()));
    metrics_endpoint = *std::move(started);
    spdlog::info("msg={} metrics_listen={} metrics_port={}", Quote("metrics serving"),
                 Quote(metrics_listen), metrics_endpoint->port());
    if (absl::Status st =
            WritePortFile(metrics_port_file, metrics_endpoint->port(), "--metrics-port-file");
        !st.ok()) {
      return Fail(std::string(st.message()));
    }
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("msg={} signal={} grace_ms={}", Quote("shutting down"),
               signal_number == SIGINT ? "SIGINT" : "SIGTERM", shutdown_grace_ms);
  // The watchdog first, so that no stop is recorded while the server drains.
  watchdog->Stop();
  watchdog.reset();
  metrics_endpoint.reset();  // no scrape from here on
  (*server)->Shutdown(std::chrono::milliseconds(shutdown_grace_ms));
  server->reset();
  const unitclock::store::EventLog::WriteStats stats = store->events->Stats();
  store->ledger.reset();
  store->events.reset();
  spdlog::info("msg={} group_commits={} events_appended={}", Quote("stopped"), stats.commits,
               stats.events);
  return 0;
}

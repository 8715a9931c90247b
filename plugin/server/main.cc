// unitclockd: flags and wiring only. Everything else lives in the libraries.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "plugin/common/log.h"
#include "plugin/service/server.h"
#include "plugin/store/sqlite_event_store.h"

namespace {

using unitclock::common::Quote;

// Plaintext gRPC is acceptable only where nobody else can listen in.
bool IsLoopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address.rfind("localhost:", 0) == 0 ||
         address.rfind("[::1]:", 0) == 0;
}

int Fail(const std::string& message) {
  spdlog::error("msg={}", Quote(message));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"unitclockd: the unitclock session timer and auto-coding service"};
  std::string listen = "127.0.0.1:50051";
  std::string db_path = "var/unitclock.db";
  std::string policy_dir = "core/policies";
  std::string log_level = "info";
  std::string port_file;
  int shutdown_grace_ms = 5000;
  app.set_config("--config", "", "Read options from this INI/TOML file (keys as the long flags)");
  app.add_option("--listen", listen, "Address to serve gRPC on (port 0 picks a free port)")
      ->capture_default_str();
  app.add_option("--db", db_path, "SQLite database file; its folder is created if missing")
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
  CLI11_PARSE(app, argc, argv);

  unitclock::common::InitLogging(log_level);

  if (!IsLoopback(listen)) {
    return Fail(
        "--listen: plaintext gRPC is allowed on loopback addresses only (TLS is not "
        "configurable yet)");
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(policy_dir, ec)) {
    return Fail("--policy-dir: \"" + policy_dir + "\" is not a folder");
  }
  const std::filesystem::path db_folder = std::filesystem::path(db_path).parent_path();
  if (!db_folder.empty()) std::filesystem::create_directories(db_folder, ec);
  if (ec) return Fail("--db: cannot create folder \"" + db_folder.string() + "\": " + ec.message());

  // Block the stop signals in every thread (gRPC's inherit the mask) so that
  // the main thread alone receives them through sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto store = unitclock::store::SqliteEventStore::Open(db_path);
  if (!store.ok()) return Fail(std::string(store.status().message()));
  auto server = unitclock::service::Server::Start(listen, **store);
  if (!server.ok()) return Fail(std::string(server.status().message()));

  const auto events = (*store)->CountEvents();
  spdlog::info("msg={} listen={} port={} db={} policy_dir={} stored_events={}",
               Quote("unitclockd serving"), Quote(listen), (*server)->port(), Quote(db_path),
               Quote(policy_dir), events.ok() ? *events : -1);
  if (!port_file.empty()) {
    // Written to a temporary name and renamed, so a reader never sees half a number.
    const std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << (*server)->port() << "\n";
    std::filesystem::rename(tmp, port_file, ec);
    if (ec) return Fail("--port-file: cannot write \"" + port_file + "\": " + ec.message());
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("msg={} signal={} grace_ms={}", Quote("shutting down"),
               signal_number == SIGINT ? "SIGINT" : "SIGTERM", shutdown_grace_ms);
  (*server)->Shutdown(std::chrono::milliseconds(shutdown_grace_ms));
  server->reset();
  store->reset();
  spdlog::info("msg={}", Quote("stopped"));
  return 0;
}

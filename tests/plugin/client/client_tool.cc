// A platform process for the client tests: records events through a
// Recorder and then either waits to be killed or flushes.
//
//   client_tool --buffer F --target T --token-file K --session S --events N
//               [--hold | --flush-timeout-ms M]
//
// Records a SessionStarted and N-1 liveness signals of session S (none if N
// is 0), prints each event id on its own line, then "recorded". With --hold
// it then waits forever (the test SIGKILLs it: a crash with a non-empty
// buffer); otherwise it flushes and exits 0 if the buffer emptied, 1 if not.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "plugin/client/recorder.h"
#include "tests/plugin/client/test_session.h"

namespace {

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

bool HasFlag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == name) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  namespace v1 = unitclock::v1;
  using unitclock::client::Recorder;
  unitclock::client::RecorderOptions options;
  options.buffer_path = Flag(argc, argv, "--buffer", "");
  options.target = Flag(argc, argv, "--target", "");
  std::ifstream(Flag(argc, argv, "--token-file", "")) >> options.token;
  options.max_backoff = std::chrono::milliseconds(500);
  const std::string session = Flag(argc, argv, "--session", "tool-session");
  const int events = std::stoi(Flag(argc, argv, "--events", "0"));
  auto recorder = Recorder::Open(options);
  if (!recorder.ok()) {
    std::cerr << recorder.status() << "\n";
    return 2;
  }
  // Ten minutes ago, one event per millisecond: recent enough for the
  // server's watchdog and its future tolerance.
  const auto start = std::chrono::system_clock::now() - std::chrono::minutes(10);
  for (int i = 0; i < events; ++i) {
    const auto at = start + std::chrono::milliseconds(i);
    absl::StatusOr<std::string> id;
    if (i == 0) {
      id = (*recorder)->SessionStarted(session, at,
                                       unitclock::testing::ClientTestSessionStarted("pt-tool"));
    } else {
      id = (*recorder)->Liveness(session, at, "ex-1", "repetition");
    }
    if (!id.ok()) {
      std::cerr << id.status() << "\n";
      return 2;
    }
    std::cout << *id << "\n";
  }
  std::cout << "recorded" << std::endl;
  if (HasFlag(argc, argv, "--hold")) {
    while (true) std::this_thread::sleep_for(std::chrono::hours(1));
  }
  const auto timeout =
      std::chrono::milliseconds(std::stoi(Flag(argc, argv, "--flush-timeout-ms", "30000")));
  return (*recorder)->Flush(timeout) ? 0 : 1;
}

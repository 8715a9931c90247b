#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace unitclock::testing {

// A child process started from a binary path and arguments, with its stdout
// and stderr sent to a file. Killed with SIGKILL if still running when the
// object dies.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& output_file);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signal_number) const;
  // Waits for the process to end; returns its exit code, or 128 + signal
  // number if a signal ended it, or nullopt after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Polls until `path` exists and holds a whole line; returns its first line
// (empty after `timeout`).
std::string WaitForFileLine(const std::string& path, std::chrono::milliseconds timeout);

// The whole content of a file (empty if unreadable).
std::string ReadFile(const std::string& path);

}  // namespace unitclock::testing

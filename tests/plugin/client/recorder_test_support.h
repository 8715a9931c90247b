#pragma once

// What the client library's tests (recorder_test, failover_test) share:
// polling, event times, a collector of the recorder's callbacks, and a
// delivery status for failure messages.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "plugin/client/recorder.h"

namespace unitclock::client::recorder_tests {

// Polls `done` until it holds or `timeout` passes.
inline bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Ten minutes ago, plus `ms`: within the server's future tolerance, and too
// recent for its watchdog.
inline Recorder::Time At(int ms) {
  static const auto start = std::chrono::system_clock::now() - std::chrono::minutes(10);
  return std::chrono::time_point_cast<std::chrono::milliseconds>(start) +
         std::chrono::milliseconds(ms);
}

// Collects what a callback reports on the library's thread.
template <typename T>
class Collector {
 public:
  std::function<void(const T&)> Callback() {
    return [this](const T& item) {
      std::lock_guard lock(mu_);
      items_.push_back(item);
    };
  }
  std::vector<T> Items() {
    std::lock_guard lock(mu_);
    return items_;
  }

 private:
  std::mutex mu_;
  std::vector<T> items_;
};

// For failure messages.
inline std::string Describe(const DeliveryStatus& s) {
  return "buffered=" + std::to_string(s.buffered) + " lag=" + std::to_string(s.lag.count()) +
         "ms connected=" + std::to_string(s.connected) +
         " acknowledged=" + std::to_string(s.acknowledged_total) + " last_error=" + s.last_error;
}

}  // namespace unitclock::client::recorder_tests

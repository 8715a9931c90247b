#pragma once

// The values the store tests build events and dates from, shared by the
// contract suites and the backends' own tests.
#include <string>

#include "core/day.h"
#include "plugin/store/event_log.h"
#include "tests/testing/events.h"

namespace unitclock::store::store_tests {

// An event at `seconds` (testing::At) whose payload names its id,
// "<payload>:<id>", so that a load can check both agree and two events with
// one id and another `payload` differ.
inline StoredEvent Ev(const std::string& id, const std::string& session, int seconds,
                      const std::string& payload = "payload") {
  StoredEvent e;
  e.event_id = id;
  e.session_id = session;
  e.occurred_at = testing::At(seconds);
  e.payload = payload + ":" + id;
  return e;
}

// `e`, sent by `platform`.
inline StoredEvent From(const std::string& platform, StoredEvent e) {
  e.platform = platform;
  return e;
}

// A date "YYYY-MM-DD".
inline core::Day Day(const char* text) { return *core::ParseDay(text); }

}  // namespace unitclock::store::store_tests

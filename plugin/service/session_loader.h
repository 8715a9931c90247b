#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/event.h"
#include "core/session_summary.h"
#include "core/timeline.h"
#include "plugin/auth/token_table.h"
#include "plugin/store/event_log.h"

namespace unitclock::service {

// A session read from the store, with what the core derives from it.
struct LoadedSession {
  std::vector<core::Event> events;  // distinct, by occurred_at then event_id
  core::SessionSummary summary;
  core::Timeline timeline;
};

// Loads a session's events and derives its summary and timeline. For a
// session that has not stopped, `live_until` (when set) counts its time up to
// that instant instead of its latest event. NOT_FOUND "name: no session ..."
// if it has no event; INTERNAL if a stored event cannot be decoded.
absl::StatusOr<LoadedSession> LoadSession(store::EventLog& store, const std::string& session_id,
                                          const core::TimelinePolicy& policy,
                                          std::optional<core::TimePoint> live_until = {});

// LoadSession for a caller: a session that another platform owns is
// NOT_FOUND exactly like a missing one, so that its existence is not
// revealed.
absl::StatusOr<LoadedSession> LoadSessionFor(const auth::Caller& caller, store::EventLog& store,
                                             const std::string& session_id,
                                             const core::TimelinePolicy& policy,
                                             std::optional<core::TimePoint> live_until = {});

// The session as the coding engine takes it. FAILED_PRECONDITION if its
// SessionStarted event has not arrived (patient, payer and zone unknown).
absl::StatusOr<core::SessionForCoding> ForCoding(const LoadedSession& session);

// Which sessions LoadSessionsAround keeps; empty fields do not filter.
struct SessionFilter {
  std::string platform;  // the owning platform
  std::string patient_ref;
  std::string provider_ref;
};

// The started visit sessions (never monitoring episodes) matching `filter`
// that may have minutes on the dates
// of service `first`..`last`: those starting from two days before `first`
// (a long session from the day before crosses midnight) to two days after
// `last` (zones far from UTC), ready for coding. The caller keeps the
// suggestions whose date is in range.
absl::StatusOr<std::vector<core::SessionForCoding>> LoadSessionsAround(
    store::EventLog& store, const SessionFilter& filter, core::Day first, core::Day last,
    const core::TimelinePolicy& policy);

// Parses a resource name "<collection>/{id}" (collection "sessions",
// "suggestions") into its id, which must follow the id rule of events
// (core::IsValidId). Otherwise INVALID_ARGUMENT naming `field` and the
// expected form, e.g. "name: must be sessions/{id}, where id is 1 to 128
// characters of ...", without repeating the name. A well-formed name of a
// missing resource is the caller's NOT_FOUND.
absl::StatusOr<std::string> IdFromName(const std::string& name, std::string_view collection,
                                       const std::string& field);

// Parses "sessions/{id}" as IdFromName does.
absl::StatusOr<std::string> SessionIdFromName(const std::string& name, const std::string& field);

}  // namespace unitclock::service

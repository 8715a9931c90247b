#include "plugin/service/session_loader.h"

#include <utility>

#include "absl/status/status.h"
#include "plugin/service/proto_convert.h"

namespace unitclock::service {

absl::StatusOr<LoadedSession> LoadSession(store::SqliteEventStore& store,
                                          const std::string& session_id,
                                          const core::TimelinePolicy& policy,
                                          std::optional<core::TimePoint> live_until) {
  absl::StatusOr<std::vector<store::StoredEvent>> stored = store.LoadSession(session_id);
  if (!stored.ok()) return stored.status();
  if (stored->empty()) return absl::NotFoundError("name: no session \"" + session_id + "\"");
  LoadedSession out;
  out.events.reserve(stored->size());
  for (const store::StoredEvent& s : *stored) {
    absl::StatusOr<core::Event> e = DecodeEvent(s.payload);
    if (!e.ok()) return e.status();
    out.events.push_back(*std::move(e));
  }
  out.summary = core::SummarizeSession(session_id, out.events);
  out.timeline = core::BuildTimeline(out.events, policy, live_until);
  return out;
}

absl::StatusOr<core::SessionForCoding> ForCoding(const LoadedSession& session) {
  if (!session.summary.started) {
    return absl::FailedPreconditionError(
        "session: no session_started event has arrived, so its patient, payer and time zone are "
        "unknown");
  }
  return core::SessionForCoding{session.summary.session_id, *session.summary.started,
                                session.timeline};
}

absl::StatusOr<std::string> SessionIdFromName(const std::string& name, const std::string& field) {
  constexpr std::string_view kPrefix = "sessions/";
  if (name.rfind(kPrefix, 0) != 0 || name.size() == kPrefix.size()) {
    return absl::InvalidArgumentError(field + ": must be \"sessions/{session_id}\"");
  }
  return name.substr(kPrefix.size());
}

}  // namespace unitclock::service

#include "plugin/service/session_loader.h"

#include <utility>

#include "absl/status/status.h"
#include "core/event_validation.h"
#include "plugin/service/proto_convert.h"

namespace unitclock::service {

namespace {

absl::Status NoSession(const std::string& session_id) {
  return absl::NotFoundError("name: no session \"" + session_id + "\"");
}

}  // namespace

absl::StatusOr<LoadedSession> LoadSession(store::EventLog& store, const std::string& session_id,
                                          const core::TimelinePolicy& policy,
                                          std::optional<core::TimePoint> live_until) {
  absl::StatusOr<std::vector<store::StoredEvent>> stored = store.LoadSession(session_id);
  if (!stored.ok()) return stored.status();
  if (stored->empty()) return NoSession(session_id);
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

absl::StatusOr<LoadedSession> LoadSessionFor(const auth::Caller& caller, store::EventLog& store,
                                             const std::string& session_id,
                                             const core::TimelinePolicy& policy,
                                             std::optional<core::TimePoint> live_until) {
  absl::StatusOr<std::optional<std::string>> owner = store.SessionOwner(session_id);
  if (!owner.ok()) return owner.status();
  if (!owner->has_value() || !auth::MaySee(caller, **owner)) return NoSession(session_id);
  return LoadSession(store, session_id, policy, live_until);
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

absl::StatusOr<std::vector<core::SessionForCoding>> LoadSessionsAround(
    store::EventLog& store, const SessionFilter& filter, core::Day first, core::Day last,
    const core::TimelinePolicy& policy) {
  store::SessionQuery query;
  query.platform = filter.platform;
  query.patient_ref = filter.patient_ref;
  // An episode's MonitoringEpisodeStarted lists it by start time too, but it
  // is no visit to code.
  query.kind = store::SessionKind::kVisit;
  query.start_time_min = core::TimePoint(first - std::chrono::days(2));
  query.start_time_max = core::TimePoint(last + std::chrono::days(3));
  query.page_size = 1000;
  std::vector<core::SessionForCoding> out;
  do {
    absl::StatusOr<store::SessionPage> page = store.ListSessions(query);
    if (!page.ok()) return page.status();
    for (const std::string& id : page->session_ids) {
      absl::StatusOr<LoadedSession> session = LoadSession(store, id, policy);
      if (!session.ok()) return session.status();
      absl::StatusOr<core::SessionForCoding> coding = ForCoding(*session);
      if (!coding.ok()) continue;  // listed by start time, so started; be safe
      const core::SessionStarted& facts = coding->facts;
      if (!filter.platform.empty() && facts.platform != filter.platform) continue;
      if (!filter.provider_ref.empty() && facts.provider_ref != filter.provider_ref) continue;
      out.push_back(*std::move(coding));
    }
    query.page_token = page->next_page_token;
  } while (!query.page_token.empty());
  return out;
}

absl::StatusOr<std::string> IdFromName(const std::string& name, std::string_view collection,
                                       const std::string& field) {
  const std::string prefix = std::string(collection) + "/";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      !core::IsValidId(std::string_view(name).substr(prefix.size()))) {
    // The name itself is not repeated: it may be long or hold any byte.
    return absl::InvalidArgumentError(field + ": must be " + prefix + "{id}, where id is " +
                                      std::string(core::kIdRule));
  }
  return name.substr(prefix.size());
}

absl::StatusOr<std::string> SessionIdFromName(const std::string& name, const std::string& field) {
  return IdFromName(name, "sessions", field);
}

}  // namespace unitclock::service

#include "plugin/service/monitoring_loader.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "plugin/service/proto_convert.h"
#include "plugin/service/session_loader.h"

namespace unitclock::service {
namespace {

// The first and last days of the months that hold [first, last].
core::Day FirstOfMonth(core::Day day) { return core::Day(core::MonthOf(day) / 1); }
core::Day LastOfMonth(core::Day day) { return core::Day(core::MonthOf(day) / std::chrono::last); }

// The distinct events of one stored session, decoded.
absl::StatusOr<std::vector<core::Event>> LoadEvents(store::EventLog& store,
                                                    const std::string& session_id) {
  absl::StatusOr<std::vector<store::StoredEvent>> stored = store.LoadSession(session_id);
  if (!stored.ok()) return stored.status();
  std::vector<core::Event> events;
  events.reserve(stored->size());
  for (const store::StoredEvent& s : *stored) {
    absl::StatusOr<core::Event> e = DecodeEvent(s.payload);
    if (!e.ok()) return e.status();
    events.push_back(*std::move(e));
  }
  return events;
}

}  // namespace

absl::StatusOr<core::MonitoringEpisode> LoadEpisode(store::EventLog& store,
                                                    const std::string& episode_id,
                                                    const std::string& field) {
  absl::StatusOr<std::vector<core::Event>> events = LoadEvents(store, episode_id);
  if (!events.ok()) return events.status();
  if (events->empty()) {
    return absl::NotFoundError(field + ": no monitoring episode \"" + episode_id + "\"");
  }
  return core::SummarizeEpisode(episode_id, *events);
}

absl::StatusOr<std::vector<PatientMonitoring>> LoadMonitoring(store::EventLog& store,
                                                              const std::string& platform,
                                                              const std::string& patient_ref,
                                                              core::Day first, core::Day last,
                                                              const core::TimelinePolicy& policy) {
  const core::Day month_first = FirstOfMonth(first);
  const core::Day month_last = LastOfMonth(last);
  store::SessionQuery query;
  query.platform = platform;
  query.patient_ref = patient_ref;
  query.kind = store::SessionKind::kMonitoringEpisode;
  // Zones far from UTC: a day of margin each side, as LoadSessionsAround.
  query.start_time_max = core::TimePoint(last + std::chrono::days(2));
  query.page_size = 1000;
  std::map<std::string, PatientMonitoring> by_patient;
  do {
    absl::StatusOr<store::SessionPage> page = store.ListSessions(query);
    if (!page.ok()) return page.status();
    for (const std::string& id : page->session_ids) {
      absl::StatusOr<std::vector<core::Event>> events = LoadEvents(store, id);
      if (!events.ok()) return events.status();
      core::MonitoringEpisode episode = core::SummarizeEpisode(id, *events);
      if (!episode.started) continue;  // listed by start time, so started; be safe
      if (!platform.empty() && episode.started->platform != platform) continue;
      // Ended before the first month began: nothing of it ends in the range.
      if (episode.end_time &&
          *episode.end_time < core::TimePoint(month_first - std::chrono::days(1))) {
        continue;
      }
      PatientMonitoring& patient = by_patient[episode.started->patient_ref];
      patient.patient_ref = episode.started->patient_ref;
      patient.episodes.push_back(std::move(episode));
    }
    query.page_token = page->next_page_token;
  } while (!query.page_token.empty());

  std::vector<PatientMonitoring> out;
  out.reserve(by_patient.size());
  for (auto& [ref, patient] : by_patient) {
    auto visits = LoadSessionsAround(store, {platform, ref, ""}, month_first, month_last, policy);
    if (!visits.ok()) return visits.status();
    for (const core::SessionForCoding& visit : *visits) {
      patient.visits.push_back(core::VisitForMonitoring(visit));
    }
    out.push_back(std::move(patient));
  }
  return out;
}

std::vector<core::Suggestion> SuggestMonitoringInRange(
    const std::vector<PatientMonitoring>& patients, core::Day first, core::Day last,
    const core::PolicySet& policies, core::TimePoint now, bool include_provisional) {
  std::vector<core::Suggestion> out;
  for (const PatientMonitoring& patient : patients) {
    for (std::chrono::year_month month = core::MonthOf(first); month <= core::MonthOf(last);
         month += std::chrono::months(1)) {
      for (core::Suggestion& s :
           core::SuggestMonitoringCodes(patient.episodes, patient.visits, month, policies, now)) {
        if (s.date_of_service < first || s.date_of_service > last) continue;
        if (!include_provisional && s.monitoring && s.monitoring->provisional) continue;
        out.push_back(std::move(s));
      }
    }
  }
  return out;
}

std::string ProviderOfEpisode(const PatientMonitoring& patient, const std::string& episode_id) {
  for (const core::MonitoringEpisode& e : patient.episodes) {
    if (e.episode_id == episode_id && e.started) return e.started->provider_ref;
  }
  return "";
}

}  // namespace unitclock::service

#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/day.h"
#include "core/monitoring.h"
#include "core/policy.h"
#include "core/time.h"
#include "plugin/store/event_log.h"

namespace unitclock::service {

// One patient's remote monitoring as the engine (core/monitoring.h) takes
// it: the patient's episodes and the visits whose time it must not count.
struct PatientMonitoring {
  std::string patient_ref;
  std::vector<core::MonitoringEpisode> episodes;  // started ones, RTM and RPM, by id
  std::vector<core::MonitoringVisit> visits;
};

// Reads one monitoring episode's events from the store and summarises them.
// NOT_FOUND naming `field` if the session has no event; INTERNAL if a stored
// event cannot be decoded.
absl::StatusOr<core::MonitoringEpisode> LoadEpisode(store::EventLog& store,
                                                    const std::string& episode_id,
                                                    const std::string& field);

// The monitoring of `platform`'s patients (only `patient_ref`'s if not
// empty) that may have a month or a device period ending on a date in
// [first, last]: every episode that started before the range ends and had
// not ended before the month of `first` began, grouped by patient (in order
// of patient), with the patient's visits in the months of the range. Visit
// sessions are read only for patients with an episode.
absl::StatusOr<std::vector<PatientMonitoring>> LoadMonitoring(store::EventLog& store,
                                                              const std::string& platform,
                                                              const std::string& patient_ref,
                                                              core::Day first, core::Day last,
                                                              const core::TimelinePolicy& policy);

// The monitoring suggestions of `patients` dated (by their period's last
// day) in [first, last], in order of patient, then the engine's order; with
// `include_provisional` false, only those of closed periods. `now` decides
// which periods have closed.
std::vector<core::Suggestion> SuggestMonitoringInRange(
    const std::vector<PatientMonitoring>& patients, core::Day first, core::Day last,
    const core::PolicySet& policies, core::TimePoint now, bool include_provisional);

// The billing therapist of the episode `episode_id` of `patient`; empty if
// it is not there.
std::string ProviderOfEpisode(const PatientMonitoring& patient, const std::string& episode_id);

}  // namespace unitclock::service

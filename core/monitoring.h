#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/coding.h"
#include "core/day.h"
#include "core/event.h"
#include "core/interval.h"
#include "core/policy.h"
#include "core/time.h"

// Remote therapeutic monitoring (RTM): the monthly codes of digital-rehab
// programs. Between visits a patient exercises with an app or a sensor, and
// a therapist reviews the data and talks with the patient. Device days count
// per 30-day period from the episode's start date (device supply 98976-98978
// for 16-30 days, 98984-98986 for 2-15, set-up 98975 once per episode);
// management time counts per calendar month in the clinic's zone (98979 for
// 10-19 minutes, 98980 for the first 20, 98981 for each further 20), and
// needs a real-time interactive communication in the month. The codes, their
// thresholds and their dated validity are data (core/policies/monitoring.json);
// the rules and their sources are in docs/billing-rules.md.
//
// Order-free and idempotent like the session timeline: every result depends
// only on the set of distinct events, so a late event recomputes the month.
// A minute is counted once: overlapping management intervals (of any
// clinician) count once, and time inside a visit session of the patient
// counts for the visit's own codes, never for RTM. Pure; thread-safe.
namespace unitclock::core {

// A management interval or a call of an episode, as its event recorded it.
struct MonitoringTimeEntry {
  Interval interval;  // [occurred_at, occurred_at + duration)
  std::string clinician_ref;
  ProviderRole clinician_role = ProviderRole::kUnspecified;
  std::string event_id;
  bool interactive = false;                    // an InteractiveCommunicationHeld
  Modality modality = Modality::kUnspecified;  // calls only
  friend bool operator==(const MonitoringTimeEntry&, const MonitoringTimeEntry&) = default;
};

// One monitoring episode as its events describe it.
struct MonitoringEpisode {
  std::string episode_id;
  // The earliest MonitoringEpisodeStarted (ties: the smaller event id) and
  // its time; empty until it arrives (the episode is then not coded).
  std::optional<MonitoringEpisodeStarted> started;
  std::optional<TimePoint> start_time;
  // The earliest MonitoringEpisodeEnded's time; empty while it goes on.
  std::optional<TimePoint> end_time;
  // The times of its distinct DeviceDataReceived events, in order.
  std::vector<TimePoint> data_times;
  // Its distinct management intervals and calls, by start, then event id.
  std::vector<MonitoringTimeEntry> time_entries;
  // Events of a visit session sent under the episode's id: ignored.
  int ignored_events = 0;
  friend bool operator==(const MonitoringEpisode&, const MonitoringEpisode&) = default;
};

// Summarises the distinct events of one episode, given in any order and
// possibly repeated: the result depends only on the set of distinct events.
MonitoringEpisode SummarizeEpisode(std::string episode_id, std::span<const Event> events);

// A visit session of the patient, as monitoring sees it.
struct MonitoringVisit {
  std::string session_id;
  Interval span;  // the session's interval (Timeline::session)
  // The patient and a clinician were connected with audio and video at some
  // instant: the visit counts as the month's interactive communication.
  bool live_video_with_patient = false;
  friend bool operator==(const MonitoringVisit&, const MonitoringVisit&) = default;
};

// The visit as monitoring sees it, from its coding facts and timeline.
MonitoringVisit VisitForMonitoring(const SessionForCoding& session);

// Suggests the remote monitoring lines of one patient's calendar `month`:
// one suggestion per (payer, discipline) for the month's treatment
// management, and one per device period ending in the month (device supply,
// and set-up in the episode's first period), in order of date, payer,
// discipline, period kind. `episodes` are the patient's monitoring episodes
// on one platform (RTM and RPM; those without a start are skipped), `visits`
// the patient's visit sessions that may touch the month. `now` decides which
// periods have closed (in each episode's clinic zone): the others are
// provisional. A month without management time, or a device period without
// a day of data, gives no suggestion: there is nothing to bill or to review
// (as a visit day without billable time gives none). A payer without a policy, or one that does not
// cover RTM on the period's last day, gives lines with a blocking warning. Each suggestion has
// `monitoring` set and lines in the same shape as visit lines: units, modifiers, provenance and
// warnings (their codes are listed in docs/time-and-codes.md). Device periods of two episodes that
// end on the same day for one payer and discipline share one suggestion (they have one
// SuggestionKey), each episode keeping its own lines.
std::vector<Suggestion> SuggestMonitoringCodes(std::span<const MonitoringEpisode> episodes,
                                               std::span<const MonitoringVisit> visits,
                                               std::chrono::year_month month,
                                               const PolicySet& policies, TimePoint now);

// Something still missing for the next monitoring code.
struct MonitoringGap {
  std::string code;
  int device_days_needed = 0;
  int minutes_needed = 0;
  bool interactive_communication_needed = false;
  std::string message;  // e.g. "3 more days of data for 98977"
  friend bool operator==(const MonitoringGap&, const MonitoringGap&) = default;
};

// An episode's running month and device period, for the therapist's screen.
struct MonitoringProgress {
  std::chrono::year_month month{};  // the current month in the clinic's zone
  int management_minutes = 0;       // this month, all RTM episodes of its payer and discipline
  bool interactive_communication = false;
  std::vector<std::string> management_codes;  // reached now, e.g. {"98980", "98981"}
  Day period_first{};                         // the current device period
  Day period_last{};
  int device_days = 0;
  std::string device_code;             // reached now; empty if none
  std::vector<MonitoringGap> missing;  // nearest code first
  bool ended = false;                  // the episode has ended
  friend bool operator==(const MonitoringProgress&, const MonitoringProgress&) = default;
};

// The running month of `episode_id`, one of `episodes` (the patient's, as
// for SuggestMonitoringCodes), as of `now`. After the episode's end, its
// last month and period. `missing` lists device gaps first (only those the
// period's remaining days can still reach), then minute gaps (while the
// month has not passed), then the call the month still lacks; each kind
// nearest first. nullopt if the episode has no start.
std::optional<MonitoringProgress> ComputeMonitoringProgress(
    const std::string& episode_id, std::span<const MonitoringEpisode> episodes,
    std::span<const MonitoringVisit> visits, const PolicySet& policies, TimePoint now);

// The calendar month of `day`.
inline std::chrono::year_month MonthOf(Day day) {
  const std::chrono::year_month_day ymd{day};
  return ymd.year() / ymd.month();
}

// Parses "YYYY-MM"; nullopt otherwise.
std::optional<std::chrono::year_month> ParseMonth(std::string_view text);
// Formats "YYYY-MM".
std::string FormatMonth(std::chrono::year_month month);

// Stable lower_snake names, as the files and the API spell them.
const char* DeviceKindName(DeviceKind kind);                      // "musculoskeletal", ...
const char* MonitoringPeriodKindName(MonitoringPeriodKind kind);  // "calendar_month", ...

}  // namespace unitclock::core

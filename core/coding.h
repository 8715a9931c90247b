#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/policy.h"
#include "core/timeline.h"

// The coding engine: start here. It turns the timelines of a patient's
// sessions into the CPT lines a biller would submit for each date of
// service: codes, units, modifiers, place of service, the warnings a
// therapist must see, and the time intervals behind every unit. Pure: every
// fact (the policies, the patient's year-to-date amount) is passed in.
//
// The rules and their sources are in docs/billing-rules.md; where a rule is
// uncertain the engine suggests the smaller claim and says why in a warning.
// A therapist reviews every suggestion before it is billed.
namespace unitclock::core {

// One session as coding sees it: its facts and its timeline.
struct SessionForCoding {
  std::string session_id;
  SessionStarted facts;  // patient, provider, discipline, payer, zone, location, modality
  Timeline timeline;
};

// How much a warning holds up billing.
enum class Severity {
  kInfo,      // for the record
  kReview,    // a therapist should look before approving
  kBlocking,  // the line is never exportable without a therapist's override
};

// Something the therapist must know. `code` is stable and machine-readable
// (lower_snake, listed in coding.cc's kWarningCodes and in docs/time-and-codes.md);
// `cpt_code` is empty for a warning about the whole day.
struct CodingWarning {
  std::string code;
  Severity severity = Severity::kInfo;
  std::string message;  // a sentence a therapist understands; no patient reference
  std::string cpt_code;
  friend bool operator==(const CodingWarning&, const CodingWarning&) = default;
};

// The time behind one billed unit.
struct UnitProvenance {
  int unit_number = 0;              // 1-based within the line
  std::vector<Interval> intervals;  // UTC, in time order
  std::vector<Day> dates;           // a monitoring device-supply or set-up line: its days of data
  friend bool operator==(const UnitProvenance&, const UnitProvenance&) = default;
};

// One suggested claim line.
struct SuggestedLine {
  std::string code;
  std::string description;
  int units = 0;
  std::vector<std::string> modifiers;  // in claim order: discipline, CQ/CO, 95/93/GT, KX, 59/X
  std::string place_of_service;        // "10" or "02"
  int minutes = 0;                     // the code's minutes on the day (all its lines)
  int assistant_minutes = 0;           // of which the assistant alone delivered
  std::vector<UnitProvenance> provenance;
  std::vector<std::string> warning_codes;  // warnings that concern this line
  bool blocking = false;  // a blocking warning applies: not exportable without override
  friend bool operator==(const SuggestedLine&, const SuggestedLine&) = default;
};

// Units per code by one method, for the side-by-side view.
struct MethodResult {
  UnitMethod method = UnitMethod::kMedicarePooled;
  std::map<std::string, int> units;  // timed codes only
  int total_units = 0;
  std::vector<std::string> tied_codes;
  friend bool operator==(const MethodResult&, const MethodResult&) = default;
};

// What the treatment note must state (CMS Pub 100-02 ch. 15 §220.3).
struct Documentation {
  int total_timed_minutes = 0;      // every timed code's minutes, billed or not
  int total_treatment_minutes = 0;  // timed plus untimed
  // The timed minutes the unit rule pooled: those of codes the payer pays on
  // the day and in the setting. A blocked code's minutes (97140 over
  // telehealth, say) are in total_timed_minutes but not here.
  int pooled_timed_minutes = 0;
  std::map<std::string, int> minutes_by_code;
  friend bool operator==(const Documentation&, const Documentation&) = default;
};

// What a suggestion covers: a visit's date of service, or a remote
// monitoring period (core/monitoring.h).
enum class MonitoringPeriodKind {
  kNone,           // a visit's date of service
  kCalendarMonth,  // RTM treatment management: a calendar month in the clinic's zone
  kDevicePeriod,   // RTM device supply and set-up: 30 days from the episode's start
};

// Management time as remote monitoring counts it: after removing what was
// counted already (an overlap, a visit's time).
struct ManagementTime {
  Interval interval;
  std::string clinician_ref;
  ProviderRole clinician_role = ProviderRole::kUnspecified;
  std::string event_id;
  bool interactive = false;  // an interactive communication's time
  friend bool operator==(const ManagementTime&, const ManagementTime&) = default;
};

// A real-time interactive communication with the patient: a call
// (event_id), or a live video visit counted as one (session_id).
struct InteractiveContact {
  Interval interval;
  std::string event_id;
  std::string session_id;
  Modality modality = Modality::kUnspecified;
  friend bool operator==(const InteractiveContact&, const InteractiveContact&) = default;
};

// The facts of a remote monitoring month or device period.
struct MonitoringPeriod {
  MonitoringPeriodKind kind = MonitoringPeriodKind::kCalendarMonth;
  Day first{};
  Day last{};  // also the suggestion's date_of_service
  // The period has not closed yet (its last day is today or later in the
  // clinic's zone, and the episode goes on): never exported as it is.
  bool provisional = false;
  std::vector<std::string> episode_ids;
  std::vector<Day> device_data_dates;            // device periods: days with data, in order
  Duration management{0};                        // calendar months: management time counted
  int management_minutes = 0;                    // the same, whole minutes down
  int assistant_minutes = 0;                     // of which an assistant furnished
  std::vector<ManagementTime> management_times;  // in time order
  std::vector<InteractiveContact> contacts;      // in time order
  friend bool operator==(const MonitoringPeriod&, const MonitoringPeriod&) = default;
};

// The suggestion for one patient, date of service, payer and discipline.
struct Suggestion {
  std::string patient_ref;
  Day date_of_service;
  std::string payer_id;
  Discipline discipline = Discipline::kUnspecified;
  std::vector<std::string> session_ids;  // sessions with time on this day
  UnitMethod method_used = UnitMethod::kMedicarePooled;
  MethodResult medicare_pooled;  // both methods, side by side
  MethodResult cpt_midpoint;
  std::vector<SuggestedLine> lines;  // by the payer's method
  std::vector<CodingWarning> warnings;
  Documentation documentation;
  // Set for a remote monitoring month or device period (core/monitoring.h):
  // date_of_service is then its last day, session_ids its episodes.
  std::optional<MonitoringPeriod> monitoring;
  friend bool operator==(const Suggestion&, const Suggestion&) = default;
};

// Facts from outside the sessions.
struct CodingContext {
  // The patient's allowed therapy amounts this calendar year before the date
  // of service, in cents, per threshold group (PT and SLP together, OT
  // apart). Set here, they win over the amounts the sessions carry
  // (SessionStarted); unknown everywhere: no KX, and a warning says so.
  std::optional<std::int64_t> year_to_date_pt_slp_cents;
  std::optional<std::int64_t> year_to_date_ot_cents;
  // The charge of one unit of each code, in cents (billing.json): a claim
  // whose own charges cross the threshold carries KX. A code without a
  // charge counts as 0 and is named in a warning.
  std::map<std::string, std::int64_t, std::less<>> charge_cents;
};

// Suggests the lines for every (patient, date of service, payer, discipline)
// that the sessions' billable time falls on. Minutes are grouped per patient
// per calendar day in each session's clinic time zone, summed over all the
// day's sessions before the unit rule; a session crossing local midnight is
// split there and flagged on both days. A session whose payer has no policy
// gives a suggestion without lines and a blocking warning. Suggestions come
// in order of patient, day, payer, discipline. With `dates`, only the dates
// of service in it are coded (and the others not computed at all); the
// sessions of the days around still count for what they share with them
// (one clock per patient). Pure; thread-safe.
struct DateRange {
  Day first;
  Day last;  // included
};
std::vector<Suggestion> SuggestCodes(std::span<const SessionForCoding> sessions,
                                     const PolicySet& policies, const CodingContext& context,
                                     std::optional<DateRange> dates = std::nullopt);

// The code an activity bills under: its explicit CPT code, else the
// catalogue's code for its kind; empty if neither.
std::string CodeForActivity(const ActivityTimeline& activity, const CodeCatalogue& catalogue);

// A live session's running totals, for the therapist's screen.
struct LiveProgress {
  UnitMethod method = UnitMethod::kMedicarePooled;  // the payer's (Medicare's if unknown)
  Duration billable{0};
  int billable_minutes = 0;
  int units = 0;                 // timed units so far, this session alone
  int minutes_to_next_unit = 0;  // Medicare: of the pooled minutes; CPT: of current_code
  std::string current_code;      // the code accruing now (a live session); empty if none
  friend bool operator==(const LiveProgress&, const LiveProgress&) = default;
};

// The running totals of one session by its payer's method (minutes rounded
// down). Pure; thread-safe.
LiveProgress ComputeLiveProgress(const SessionForCoding& session, const PolicySet& policies);

// Stable names, as the API spells them.
const char* SeverityName(Severity severity);  // "info", "review", "blocking"

// How a warning names a discipline: "physical therapy", "occupational
// therapy", "speech-language pathology" ("therapy" if unspecified).
const char* DisciplineWord(Discipline discipline);

// Lists `warning` on `line` (its code once) and makes the line blocking if
// the warning is. The one way both engines attach a warning to a line.
void AttachWarning(const CodingWarning& warning, SuggestedLine& line);

}  // namespace unitclock::core

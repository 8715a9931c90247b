#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/day.h"
#include "core/edit_tables.h"
#include "core/event.h"
#include "core/timeline.h"

// Rules as data: the code catalogue and the payer policies, parsed and
// validated from the files under core/policies/. Every value that depends on
// a date is looked up by the date of service, never by today's date.
namespace unitclock::core {

// One CPT code of the catalogue.
struct CodeEntry {
  std::string code;                          // five digits, e.g. "97110"
  std::string description;                   // e.g. "Therapeutic exercise"
  bool timed = true;                         // timed (15-minute units) or untimed (1 unit a day)
  std::vector<ActivityKind> activity_kinds;  // kinds that map to this code
  std::vector<Discipline> disciplines;       // disciplines that may bill it
  bool hands_on = false;    // needs the clinician's hands (massage, manual therapy)
  bool needs_video = true;  // makes little clinical sense audio-only
  // When the code is on the CMS telehealth list (dated membership); a
  // window marked uncertain asks for review.
  std::vector<DateWindow> telehealth_list;
  // For an "each additional 15 minutes" code (97130), the code of its first
  // unit (97129): their minutes are one service; its first unit bills as the
  // initial code and every further unit as this one. Empty for other codes.
  std::string initial_code;
};

// The code catalogue (core/policies/codes.json).
class CodeCatalogue {
 public:
  CodeCatalogue() = default;
  explicit CodeCatalogue(std::vector<CodeEntry> entries);

  // The entry of `code`, or nullptr.
  const CodeEntry* Find(std::string_view code) const;
  // The code an activity kind maps to, or nullptr (kUnspecified maps to none).
  const CodeEntry* ForKind(ActivityKind kind) const;
  // The "each additional" code whose initial code is `code` (97130 for
  // 97129), or nullptr.
  const CodeEntry* ContinuationOf(std::string_view code) const;
  const std::vector<CodeEntry>& entries() const { return entries_; }

 private:
  std::vector<CodeEntry> entries_;
  // Indexes into entries_ (positions, so that a copy stays valid).
  std::map<std::string, std::size_t, std::less<>> by_code_;
  std::map<ActivityKind, std::size_t> by_kind_;
  std::map<std::string, std::size_t, std::less<>> continuation_of_;  // initial code -> entry
};

// How a payer turns minutes into units.
enum class UnitMethod {
  kMedicarePooled,  // CMS 8-minute rule, minutes pooled over the day's timed codes
  kCptMidpoint,     // CPT midpoint rule, per code without pooling
};

// How a code's day total of seconds becomes whole minutes.
enum class SecondsRounding {
  kFloor,    // whole minutes down (the default: nothing over-billed)
  kNearest,  // to the nearest minute, 30 seconds up
};

// Whether and where a payer pays remote therapeutic monitoring (the
// "remote_monitoring" block of its file).
struct RemoteMonitoringCoverage {
  // When the payer pays RTM codes (dated windows; by the period's last day).
  std::vector<DateWindow> covered;
  // The place of service of RTM lines ("11"): RTM is not a telehealth
  // service, so neither 02 nor 10 follows from the patient's location.
  std::string place_of_service;
  friend bool operator==(const RemoteMonitoringCoverage&,
                         const RemoteMonitoringCoverage&) = default;
};

// A year's therapy threshold amounts (KX modifier), in cents.
struct ThresholdYear {
  int year = 0;
  std::int64_t pt_slp_cents = 0;          // PT and SLP together
  std::int64_t ot_cents = 0;              // OT apart
  std::int64_t medical_review_cents = 0;  // targeted medical review above this
  friend bool operator==(const ThresholdYear&, const ThresholdYear&) = default;
};

// One payer's policy (core/policies/payers/<payer_id>.json).
struct PayerPolicy {
  std::string payer_id;  // equals the file name without ".json"
  std::string name;
  bool sample = false;  // sample data, not a real payer's contract
  UnitMethod unit_method = UnitMethod::kMedicarePooled;
  SecondsRounding rounding = SecondsRounding::kFloor;
  std::map<Discipline, std::string> discipline_modifier;  // GP, GO, GN
  std::string telehealth_audio_video_modifier;            // "95", "GT", or empty for none
  std::string telehealth_audio_only_modifier;             // "93", or empty for none
  std::map<Discipline, std::string> assistant_modifier;   // CQ, CO; absent = not used
  int assistant_de_minimis_percent = 10;                  // a unit carries CQ/CO above this share
  std::string threshold_modifier;                         // "KX", or empty for none
  std::string pos_home;   // place of service, patient at home ("10")
  std::string pos_other;  // place of service, elsewhere ("02")
  // When therapists may bill telehealth to this payer (dated windows).
  std::vector<DateWindow> therapist_telehealth;
  std::vector<ThresholdYear> thresholds;
  // Disciplines whose assistants the payer does not recognise: time an
  // assistant delivers under such a plan of care is never payable (Medicare
  // has no speech-language pathology assistants).
  std::vector<Discipline> assistants_not_recognized;
  // Audio-only telehealth is payable only to a patient at home
  // (Medicare: 42 CFR 410.78(a)(3)).
  bool audio_only_requires_home = false;
  // Whether CMS's NCCI PTP edits and MUEs (PolicySet::edits) apply.
  bool ncci_edits = true;
  // The modifier that marks the column 2 code of an NCCI pair as a distinct
  // service ("59" or an X modifier such as "XU").
  std::string distinct_service_modifier = "59";
  // Remote therapeutic monitoring; empty: the payer does not pay it, and
  // monitoring lines for it are blocked.
  std::optional<RemoteMonitoringCoverage> remote_monitoring;

  // The thresholds of `year`, or nullptr.
  const ThresholdYear* ThresholdFor(int year) const;
};

// What a remote therapeutic monitoring code pays for.
enum class MonitoringCodeKind {
  kSetup,                 // 98975: set-up and education, once per episode
  kDeviceSupply,          // 98976-98978, 98984-98986: a 30-day period's device supply
  kManagementFirst,       // 98979, 98980: the month's first management unit
  kManagementAdditional,  // 98981: each further unit after a first code
};

// One remote therapeutic monitoring code (core/policies/monitoring.json).
struct MonitoringCode {
  std::string code;         // five digits, e.g. "98977"
  std::string description;  // our words, shown on the line
  MonitoringCodeKind kind = MonitoringCodeKind::kSetup;
  // Device supply: the device it supplies and the days of data in a period
  // it needs, both ends included (16-30 for 98977).
  DeviceKind device_kind = DeviceKind::kUnspecified;
  int min_days = 0;
  int max_days = 0;
  // Management: the minutes of the month its first unit needs (98979: 10,
  // 98980: 20); for an additional code, the minutes of each further unit
  // (98981: 20), counted after the first code's.
  int minutes = 0;
  // An additional code: the first code whose units it follows ("98980").
  std::string adds_to;
  // When the code may be billed, by the period's last day; a window marked
  // uncertain asks for review.
  std::vector<DateWindow> valid;
  friend bool operator==(const MonitoringCode&, const MonitoringCode&) = default;
};

// The rules of remote therapeutic monitoring (core/policies/monitoring.json).
struct MonitoringRules {
  int period_days = 30;               // a device period's length, from the episode's start date
  std::vector<MonitoringCode> codes;  // in file order

  // The entry of `code`, or nullptr.
  const MonitoringCode* Find(std::string_view code) const;
  friend bool operator==(const MonitoringRules&, const MonitoringRules&) = default;
};

// Everything under the policy folder.
struct PolicySet {
  TimelinePolicy timeline;
  CodeCatalogue catalogue;
  MonitoringRules monitoring;  // core/policies/monitoring.json
  EditTables edits;            // CMS NCCI PTP edits and MUEs, by quarter (core/policies/ncci/)
  std::map<std::string, PayerPolicy> payers;  // by payer_id

  // The policy of `payer_id`, or nullptr.
  const PayerPolicy* FindPayer(std::string_view payer_id) const;
};

// Parses the code catalogue file. Errors are INVALID_ARGUMENT naming
// `source`, the entry and the problem, e.g.
// "codes.json: codes[2] (97116): activity_kinds: \"gait_training\" is already mapped to 97110".
absl::StatusOr<CodeCatalogue> ParseCodeCatalogue(std::string_view json_text,
                                                 const std::string& source);

// Parses one payer policy file. Errors as above, e.g.
// "payers/medicare.json: modifiers.distinct_service: \"5\" must be 2 upper-case letters or digits".
absl::StatusOr<PayerPolicy> ParsePayerPolicy(std::string_view json_text, const std::string& source);

// Parses monitoring.json: {"format_version": 1, "period_days": 30,
// "codes": [...]}, each code {"code", "description", "kind" (setup,
// device_supply, management_first, management_additional), "valid": [dated
// windows]} plus, for device supply, "device_kind" and "days": {"min",
// "max"}; for management, "minutes"; for an additional code, "adds_to" (a
// management_first code of the file). Errors as above, e.g.
// "monitoring.json: codes[3] (98977): days.min: must be between 1 and 30".
absl::StatusOr<MonitoringRules> ParseMonitoringRules(std::string_view json_text,
                                                     const std::string& source);

// Checks that every code of `rules` is in `catalogue` as an untimed code
// without an activity kind (so that a reviewer may amend a monitoring line,
// and no visit activity is coded as one), with the same description.
// INVALID_ARGUMENT naming `source` and the code, e.g. "monitoring.json:
// codes[0] (98975): not in the code catalogue (codes.json)".
absl::Status CheckMonitoringCatalogue(const MonitoringRules& rules, const CodeCatalogue& catalogue,
                                      const std::string& source);

// Parses the quarter.json of one NCCI quarter folder (ncci/<quarter>/): the
// dates of service its tables apply to, both days included, and where they
// come from: {"format_version": 1, "from": "YYYY-MM-DD", "to": "YYYY-MM-DD",
// "source": "...", "description": "..."} ("description" optional). Errors as
// above, e.g. "ncci/2026q4/quarter.json: to: 2026-09-30 is before from 2026-10-01".
absl::StatusOr<DateWindow> ParseEditQuarterFile(std::string_view json_text,
                                                const std::string& source);

// Stable lower_snake names used in the files and the API.
const char* ActivityKindName(ActivityKind kind);    // e.g. "therapeutic_exercise"
const char* DisciplineName(Discipline discipline);  // e.g. "physical_therapy"

// True for a CPT/HCPCS modifier: two upper-case letters or digits ("GP", "95").
bool IsModifier(std::string_view text);
const char* UnitMethodName(UnitMethod method);                // "medicare_pooled", "cpt_midpoint"
const char* MonitoringCodeKindName(MonitoringCodeKind kind);  // "setup", "device_supply", ...

}  // namespace unitclock::core

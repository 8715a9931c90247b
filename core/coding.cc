#include "core/coding.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>
#include <utility>

#include "core/date_of_service.h"
#include "core/units.h"

namespace unitclock::core {
namespace {

constexpr Duration kUnit = std::chrono::minutes(15);

// The warning codes the engine emits; README's table lists the same.
namespace warn {
constexpr const char* kUnknownPayer = "unknown_payer";
constexpr const char* kActivityWithoutCode = "activity_without_code";
constexpr const char* kCodeNotInCatalogue = "code_not_in_catalogue";
constexpr const char* kCodeNotForDiscipline = "code_not_for_discipline";
constexpr const char* kNotOnTelehealthList = "code_not_on_telehealth_list";
constexpr const char* kTherapistTelehealthNotCovered = "therapist_telehealth_not_covered";
constexpr const char* kUnder8Minutes = "service_under_8_minutes";
constexpr const char* kTie = "unit_tie";
constexpr const char* kMidnightSplit = "midnight_split";
constexpr const char* kOverMue = "units_over_mue_cap";
constexpr const char* kAudioOnly = "audio_only";
constexpr const char* kMixedMedia = "mixed_media";
constexpr const char* kMixedPlace = "mixed_place_of_service";
constexpr const char* kClosedByTimeout = "session_closed_by_timeout";
constexpr const char* kSessionTooLong = "session_too_long";
constexpr const char* kOverlapTrimmed = "overlap_trimmed";
constexpr const char* kActivityNotEnded = "activity_not_ended";
constexpr const char* kThresholdExceeded = "therapy_threshold_exceeded";
constexpr const char* kMedicalReview = "medical_review_threshold";
constexpr const char* kNoThresholdForYear = "no_threshold_for_year";
constexpr const char* kNcciPair = "ncci_pair";
constexpr const char* kAssistantShare = "assistant_share";
}  // namespace warn

// A piece of one code's billable time on one day.
struct Piece {
  Interval interval;
  DeliveredBy delivered_by = DeliveredBy::kTherapist;
  Modality media = Modality::kAudioVideo;
  PatientLocation location = PatientLocation::kHome;
};

// Everything one (patient, day, payer, discipline) collects.
struct DayGroup {
  std::map<std::string, std::vector<Piece>> pieces_by_code;
  std::set<std::string> session_ids;
  std::vector<CodingWarning> warnings;  // from the sessions: flags, unmapped activities
};

using GroupKey = std::tuple<std::string, Day, std::string, Discipline>;

void AddWarning(std::vector<CodingWarning>& out, const char* code, Severity severity,
                std::string message, std::string cpt_code = "") {
  for (const CodingWarning& w : out) {
    if (w.code == code && w.cpt_code == cpt_code && w.message == message) return;
  }
  out.push_back({code, severity, std::move(message), std::move(cpt_code)});
}

int RoundToMinutes(Duration d, SecondsRounding rounding) {
  const auto ms = d.count();
  return static_cast<int>(rounding == SecondsRounding::kNearest ? (ms + 30000) / 60000
                                                                : ms / 60000);
}

std::string DayText(Day day) { return FormatDay(day); }

// The code of each of the timeline's billable intervals: that of the
// activity it falls in. An activity id may be reused after its end, with
// another kind or code, so the id alone does not tell.
std::vector<std::string> BillableCodes(const Timeline& timeline, const CodeCatalogue& catalogue) {
  std::map<std::string, std::vector<const ActivityTimeline*>> by_id;
  for (const ActivityTimeline& a : timeline.activities) by_id[a.activity_id].push_back(&a);
  std::vector<std::string> codes;
  codes.reserve(timeline.billable.size());
  for (const BillableInterval& b : timeline.billable) {
    const ActivityTimeline* match = nullptr;
    if (const auto it = by_id.find(b.activity_id); it != by_id.end()) {
      match = it->second.front();
      for (const ActivityTimeline* a : it->second) {
        if (a->span.contains(b.interval.start)) {
          match = a;
          break;
        }
      }
    }
    codes.push_back(match == nullptr ? std::string() : CodeForActivity(*match, catalogue));
  }
  return codes;
}

// Collects the sessions' billable time into day groups. Sessions are read in
// order of id, so that the result does not depend on the input's order.
std::map<GroupKey, DayGroup> GroupByDay(std::span<const SessionForCoding> sessions,
                                        const CodeCatalogue& catalogue) {
  std::vector<const SessionForCoding*> ordered;
  ordered.reserve(sessions.size());
  for (const SessionForCoding& s : sessions) ordered.push_back(&s);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const SessionForCoding* a, const SessionForCoding* b) {
                     return std::tie(a->session_id, a->timeline.session.start) <
                            std::tie(b->session_id, b->timeline.session.start);
                   });
  std::map<GroupKey, DayGroup> groups;
  for (const SessionForCoding* session : ordered) {
    const SessionForCoding& s = *session;
    const std::vector<std::string> codes = BillableCodes(s.timeline, catalogue);
    std::set<Day> days;
    std::set<std::string> unmapped;
    std::vector<Interval> intervals;
    intervals.reserve(s.timeline.billable.size());
    for (const BillableInterval& b : s.timeline.billable) intervals.push_back(b.interval);
    auto pieces = SplitEachByLocalDay(intervals, s.facts.clinic_time_zone);
    // Validated at ingest; nothing to bill without a zone.
    const std::size_t count = pieces.ok() ? s.timeline.billable.size() : 0;
    // Consecutive pieces mostly fall on one day: look its group up once.
    DayGroup* group = nullptr;
    Day group_day;
    for (size_t i = 0; i < count; ++i) {
      const BillableInterval& b = s.timeline.billable[i];
      const std::string& code = codes[i];
      for (const DayPiece& p : (*pieces)[i]) {
        if (group == nullptr || p.day != group_day) {
          days.insert(p.day);
          group = &groups[{s.facts.patient_ref, p.day, s.facts.payer_id, s.facts.discipline}];
          group_day = p.day;
          group->session_ids.insert(s.session_id);
        }
        if (code.empty()) {
          unmapped.insert(b.activity_id);
          continue;
        }
        group->pieces_by_code[code].push_back(
            {p.interval, b.delivered_by, b.media, s.facts.patient_location});
      }
    }
    for (const Day day : days) {
      DayGroup& g = groups[{s.facts.patient_ref, day, s.facts.payer_id, s.facts.discipline}];
      for (const std::string& activity : unmapped) {
        AddWarning(g.warnings, warn::kActivityWithoutCode, Severity::kReview,
                   "Activity \"" + activity +
                       "\" has no CPT code and its kind maps to none; its minutes were not coded.");
      }
      if (days.size() > 1) {
        AddWarning(g.warnings, warn::kMidnightSplit, Severity::kReview,
                   "Session \"" + s.session_id +
                       "\" crossed midnight in the clinic's time zone; its minutes were split "
                       "between the two dates of service.");
      }
      for (const TimelineFlag& f : s.timeline.flags) {
        if (f.code == TimelineFlagCode::kClosedByTimeout) {
          AddWarning(g.warnings, warn::kClosedByTimeout, Severity::kReview,
                     "Session \"" + s.session_id +
                         "\" was closed automatically because its events stopped; check that "
                         "its minutes are right.");
        } else if (f.code == TimelineFlagCode::kSessionTooLong) {
          AddWarning(g.warnings, warn::kSessionTooLong, Severity::kReview,
                     "Session \"" + s.session_id +
                         "\" spans more than 24 hours; only its first 24 hours were counted. "
                         "Check its events.");
        } else if (f.code == TimelineFlagCode::kOverlapTrimmed) {
          AddWarning(g.warnings, warn::kOverlapTrimmed, Severity::kReview, f.message);
        } else if (f.code == TimelineFlagCode::kActivityNotEnded) {
          AddWarning(g.warnings, warn::kActivityNotEnded, Severity::kReview, f.message);
        }
      }
    }
  }
  return groups;
}

// Units of one code split by the assistant modifier (CQ/CO) per billed unit:
// CMS de minimis rule (CY2022 PFS), applied per 15-minute unit. Time the
// therapist and assistant spend together counts as the therapist's. Where
// the split is uncertain, the assistant modifier (paid less) is applied.
struct AssistantSplit {
  int plain = 0;
  int assistant = 0;
};

AssistantSplit SplitAssistantUnits(int units, int minutes, int assistant_minutes,
                                   int de_minimis_percent) {
  AssistantSplit split;
  const int therapist_minutes = std::max(minutes - assistant_minutes, 0);
  // Whole units furnished by one of them alone.
  split.assistant = std::min(assistant_minutes / 15, units);
  split.plain = std::min(therapist_minutes / 15, units - split.assistant);
  int rest = units - split.assistant - split.plain;
  const int rest_assistant = assistant_minutes % 15;
  const int rest_therapist = therapist_minutes % 15;
  if (rest >= 2) {
    // The last two units hold both remainders: one carries the modifier and
    // one does not (billing-rules.md §4).
    split.assistant += 1;
    split.plain += 1;
    rest -= 2;
    split.assistant += rest;  // cannot happen with consistent inputs; the smaller claim
    return split;
  }
  if (rest == 1) {
    const int mixed = rest_assistant + rest_therapist;
    const bool over_de_minimis =
        mixed == 0 ? assistant_minutes > 0 : rest_assistant * 100 > de_minimis_percent * mixed;
    (over_de_minimis ? split.assistant : split.plain) += 1;
  }
  return split;
}

// Cuts `pieces` (ordered) into per-unit provenance: unit k covers the
// cumulative time [15k, 15(k+1)) minutes, and the last unit everything left.
std::vector<UnitProvenance> UnitSlices(const std::vector<Piece>& pieces, int units) {
  std::vector<UnitProvenance> out;
  if (units <= 0) return out;
  out.resize(units);
  for (int u = 0; u < units; ++u) out[u].unit_number = u + 1;
  Duration done{0};
  for (const Piece& p : pieces) {
    TimePoint start = p.interval.start;
    while (start < p.interval.end) {
      const int unit = std::min(static_cast<int>(done / kUnit), units - 1);
      const Duration room = unit == units - 1 ? p.interval.end - start : kUnit * (unit + 1) - done;
      const TimePoint end = std::min(p.interval.end, start + room);
      out[unit].intervals.push_back({start, end});
      done += end - start;
      start = end;
    }
  }
  // A unit may hold therapist and assistant time: keep its intervals in time order.
  for (UnitProvenance& unit : out) {
    std::sort(unit.intervals.begin(), unit.intervals.end(),
              [](const Interval& a, const Interval& b) { return a.start < b.start; });
  }
  return out;
}

const char* DisciplineWord(Discipline d) {
  switch (d) {
    case Discipline::kPhysicalTherapy:
      return "physical therapy";
    case Discipline::kOccupationalTherapy:
      return "occupational therapy";
    case Discipline::kSpeechLanguage:
      return "speech-language pathology";
    case Discipline::kUnspecified:
      break;
  }
  return "therapy";
}

// Builds the suggestion of one day group.
class DaySuggester {
 public:
  DaySuggester(const GroupKey& key, DayGroup& group, const PolicySet& policies,
               const CodingContext& context)
      : group_(group), policies_(policies), context_(context) {
    std::tie(s_.patient_ref, s_.date_of_service, s_.payer_id, s_.discipline) = key;
    s_.session_ids.assign(group.session_ids.begin(), group.session_ids.end());
    s_.warnings = group.warnings;
  }

  Suggestion Build() {
    policy_ = policies_.FindPayer(s_.payer_id);
    if (policy_ == nullptr) {
      Warn(warn::kUnknownPayer, Severity::kBlocking,
           "No policy exists for payer \"" + s_.payer_id +
               "\"; no lines can be suggested until one is added to the policy folder.");
      return std::move(s_);
    }
    s_.method_used = policy_->unit_method;
    CountMinutes();
    ComputeUnits();
    CheckDay();
    BuildLines();
    ApplyThreshold();
    ApplyNcciPairs();
    FinishLines();
    return std::move(s_);
  }

 private:
  struct CodeTime {
    const CodeEntry* entry = nullptr;
    std::vector<Piece> pieces;  // therapist pieces first, then the assistant's, each in time order
    int minutes = 0;
    int assistant_minutes = 0;
    Duration audio_only{0};
    Duration total{0};
    Duration at_home{0};
  };

  void Warn(const char* code, Severity severity, std::string message, std::string cpt = "") {
    AddWarning(s_.warnings, code, severity, std::move(message), std::move(cpt));
  }

  int UnitsOf(const std::string& code) const {
    const auto it = units_.find(code);
    return it == units_.end() ? 0 : it->second;
  }

  std::string DayString() const { return DayText(s_.date_of_service); }

  void CountMinutes() {
    for (auto& [code, pieces] : group_.pieces_by_code) {
      const CodeEntry* entry = policies_.catalogue.Find(code);
      if (entry == nullptr) {
        Warn(warn::kCodeNotInCatalogue, Severity::kReview,
             "Code " + code + " is not in the code catalogue; its minutes were not coded.", code);
        continue;
      }
      CodeTime t;
      t.entry = entry;
      Duration assistant{0};
      for (const Piece& p : pieces) {
        t.total += p.interval.length();
        if (p.delivered_by == DeliveredBy::kAssistant) assistant += p.interval.length();
        if (p.media == Modality::kAudioOnly) t.audio_only += p.interval.length();
        if (p.location == PatientLocation::kHome) t.at_home += p.interval.length();
      }
      t.pieces = pieces;
      std::stable_sort(t.pieces.begin(), t.pieces.end(), [](const Piece& a, const Piece& b) {
        const bool aa = a.delivered_by == DeliveredBy::kAssistant;
        const bool ba = b.delivered_by == DeliveredBy::kAssistant;
        if (aa != ba) return !aa;
        return a.interval.start < b.interval.start;
      });
      t.minutes = RoundToMinutes(t.total, policy_->rounding);
      t.assistant_minutes = RoundToMinutes(assistant, policy_->rounding);
      if (t.minutes == 0) continue;
      if (std::find(entry->disciplines.begin(), entry->disciplines.end(), s_.discipline) ==
          entry->disciplines.end()) {
        Warn(warn::kCodeNotForDiscipline, Severity::kReview,
             code + " is not listed for " + DisciplineWord(s_.discipline) +
                 "; check the activity's code.",
             code);
      }
      s_.documentation.minutes_by_code[code] = t.minutes;
      s_.documentation.total_treatment_minutes += t.minutes;
      if (entry->timed) s_.documentation.total_timed_minutes += t.minutes;
      codes_.emplace(code, std::move(t));
    }
  }

  void ComputeUnits() {
    MinutesByCode timed;
    for (const auto& [code, t] : codes_) {
      if (t.entry->timed) timed[code] = t.minutes;
    }
    const UnitAllocation medicare = AllocateMedicareUnits(timed);
    const UnitAllocation cpt = AllocateMidpointUnits(timed);
    s_.medicare_pooled = {UnitMethod::kMedicarePooled, medicare.units, medicare.total_units(),
                          medicare.tied_codes};
    s_.cpt_midpoint = {UnitMethod::kCptMidpoint, cpt.units, cpt.total_units(), cpt.tied_codes};
    const UnitAllocation& used =
        policy_->unit_method == UnitMethod::kMedicarePooled ? medicare : cpt;
    for (const auto& [code, t] : codes_) {
      units_[code] = t.entry->timed ? used.units.at(code) : 1;  // untimed: 1 unit a day
    }
    if (!used.tied_codes.empty()) {
      std::string list;
      for (const std::string& c : used.tied_codes) list += (list.empty() ? "" : ", ") + c;
      // One warning per tied code, so that each tied line is marked "tie".
      for (const std::string& c : used.tied_codes) {
        Warn(warn::kTie, Severity::kReview,
             "Codes " + list +
                 " had equal leftover minutes competing for the last unit; the engine gave it by "
                 "code order. Which code gets it is the therapist's choice.",
             c);
      }
    }
    for (const std::string& code : used.unbilled_codes) {
      const int m = codes_.at(code).minutes;
      Warn(warn::kUnder8Minutes, Severity::kInfo,
           code + " had " + std::to_string(m) + " minute" + (m == 1 ? "" : "s") +
               (policy_->unit_method == UnitMethod::kMedicarePooled
                    ? " and earned no unit under the 8-minute rule (CMS Pub 100-04 ch. 5 §20.2): "
                      "the day's units went to codes with more minutes, or the day's timed total "
                      "was under 8 minutes. Its minutes still count in the total timed minutes."
                    : ", under the 8 minutes a unit needs (CPT midpoint rule); not billed."),
           code);
    }
    for (auto& [code, units] : units_) {
      const MueLimit* cap =
          policy_->ncci_edits ? policies_.edits.FindMue(code, s_.date_of_service) : nullptr;
      if (cap != nullptr && units > cap->units) {
        Warn(warn::kOverMue, Severity::kReview,
             code + " earned " + std::to_string(units) + " units, over the daily cap of " +
                 std::to_string(cap->units) + " (MUE); " + std::to_string(cap->units) +
                 " are suggested.",
             code);
        units = cap->units;
      }
    }
  }

  // Day-level and code-level eligibility for telehealth.
  void CheckDay() {
    if (!AnyWindowContains(policy_->therapist_telehealth, s_.date_of_service)) {
      Warn(warn::kTherapistTelehealthNotCovered, Severity::kBlocking,
           "Therapists' telehealth is not covered by " + policy_->name + " on " + DayString() +
               "; the lines are blocked until a therapist overrides them.");
      day_blocked_ = true;
    }
    for (const auto& [code, t] : codes_) {
      if (UnitsOf(code) == 0) continue;
      if (!AnyWindowContains(t.entry->telehealth_list, s_.date_of_service)) {
        Warn(warn::kNotOnTelehealthList, Severity::kBlocking,
             code + " (" + t.entry->description + ") is not on the telehealth list on " +
                 DayString() +
                 (t.entry->hands_on ? "; it is hands-on and cannot honestly be delivered over "
                                      "video"
                                    : "") +
                 ". The line is blocked until a therapist overrides it.",
             code);
      }
    }
  }

  void BuildLines() {
    // Named references, not a structured binding: add_line captures them, and
    // clang before 16 cannot capture structured bindings in a lambda.
    for (const auto& code_time : codes_) {
      const std::string& code = code_time.first;
      const CodeTime& t = code_time.second;
      const int units = UnitsOf(code);
      if (units == 0) continue;
      // Modality: the majority of the code's time; mixed days are flagged.
      const bool audio_only = t.audio_only * 2 > t.total;
      if (t.audio_only.count() > 0 && t.audio_only < t.total) {
        Warn(warn::kMixedMedia, Severity::kReview,
             code + " was delivered partly with video and partly audio-only on " + DayString() +
                 "; the modifier follows the larger part.",
             code);
      }
      if (audio_only) {
        Warn(warn::kAudioOnly, t.entry->needs_video ? Severity::kReview : Severity::kInfo,
             code + " was delivered audio-only" +
                 (t.entry->needs_video ? ", which makes little clinical sense without video; "
                                         "check that it was really delivered."
                                       : "."),
             code);
      }
      // Home (POS 10) pays the non-facility rate: on a tie the smaller claim, 02.
      const bool at_home = t.at_home * 2 > t.total;
      if (t.at_home.count() > 0 && t.at_home < t.total) {
        Warn(warn::kMixedPlace, Severity::kReview,
             code +
                 " was delivered partly to the patient's home and partly elsewhere; the "
                 "place of service follows the larger part.",
             code);
      }
      std::vector<std::string> base;
      if (auto d = policy_->discipline_modifier.find(s_.discipline);
          d != policy_->discipline_modifier.end()) {
        base.push_back(d->second);
      }
      const std::string& telehealth = audio_only ? policy_->telehealth_audio_only_modifier
                                                 : policy_->telehealth_audio_video_modifier;
      AssistantSplit split{units, 0};
      const auto assistant_modifier = policy_->assistant_modifier.find(s_.discipline);
      if (assistant_modifier != policy_->assistant_modifier.end() && t.assistant_minutes > 0) {
        split = SplitAssistantUnits(units, t.minutes, t.assistant_minutes,
                                    policy_->assistant_de_minimis_percent);
        if (split.assistant > 0) {
          Warn(warn::kAssistantShare, Severity::kInfo,
               code + ": the assistant alone delivered " + std::to_string(t.assistant_minutes) +
                   " of " + std::to_string(t.minutes) + " minutes; " +
                   std::to_string(split.assistant) + " unit" + (split.assistant == 1 ? "" : "s") +
                   " carr" + (split.assistant == 1 ? "ies " : "y ") + assistant_modifier->second +
                   " (more than " + std::to_string(policy_->assistant_de_minimis_percent) +
                   "% of the unit by the assistant).",
               code);
        }
      }
      const std::vector<UnitProvenance> slices = UnitSlices(t.pieces, units);
      auto add_line = [&](int n, int first_unit, bool assistant) {
        if (n == 0) return;
        SuggestedLine line;
        line.code = code;
        line.description = t.entry->description;
        line.units = n;
        line.modifiers = base;
        if (assistant) line.modifiers.push_back(assistant_modifier->second);
        if (!telehealth.empty()) line.modifiers.push_back(telehealth);
        line.place_of_service = at_home ? policy_->pos_home : policy_->pos_other;
        line.minutes = t.minutes;
        line.assistant_minutes = t.assistant_minutes;
        for (int u = 0; u < n; ++u) {
          UnitProvenance p = slices[first_unit + u];
          p.unit_number = u + 1;
          line.provenance.push_back(std::move(p));
        }
        s_.lines.push_back(std::move(line));
      };
      // Therapist pieces come first in `pieces`, so the plain units get the
      // therapist's time and the assistant's units the assistant's.
      add_line(split.plain, 0, false);
      add_line(split.assistant, split.plain, true);
    }
  }

  void ApplyThreshold() {
    const std::optional<std::int64_t>& ytd_amount = s_.discipline == Discipline::kOccupationalTherapy
                                                        ? context_.year_to_date_ot_cents
                                                        : context_.year_to_date_pt_slp_cents;
    if (!ytd_amount || policy_->threshold_modifier.empty()) return;
    const int year = static_cast<int>(std::chrono::year_month_day(s_.date_of_service).year());
    const ThresholdYear* threshold = policy_->ThresholdFor(year);
    if (threshold == nullptr) {
      Warn(warn::kNoThresholdForYear, Severity::kReview,
           policy_->name + " has no therapy threshold for " + std::to_string(year) +
               "; KX was not considered.");
      return;
    }
    const std::int64_t amount = s_.discipline == Discipline::kOccupationalTherapy
                                    ? threshold->ot_cents
                                    : threshold->pt_slp_cents;
    const std::int64_t ytd = *ytd_amount;
    // snprintf, not "$" + to_string(...): GCC 12 warns falsely (-Wrestrict,
    // GCC bug 105329) on the latter at -O2.
    auto dollars = [](std::int64_t cents) {
      char text[32];
      std::snprintf(text, sizeof text, "$%lld.%02lld", static_cast<long long>(cents / 100),
                    static_cast<long long>(cents % 100));
      return std::string(text);
    };
    if (ytd > amount) {
      for (SuggestedLine& line : s_.lines) line.modifiers.push_back(policy_->threshold_modifier);
      Warn(warn::kThresholdExceeded, Severity::kInfo,
           "The patient's therapy this year (" + dollars(ytd) + ") is over the " +
               std::to_string(year) + " threshold of " + dollars(amount) + "; the lines carry " +
               policy_->threshold_modifier +
               ", which attests that the care is medically "
               "necessary.");
    }
    if (threshold->medical_review_cents > 0 && ytd > threshold->medical_review_cents) {
      Warn(warn::kMedicalReview, Severity::kReview,
           "The patient's therapy this year (" + dollars(ytd) + ") is over " +
               dollars(threshold->medical_review_cents) +
               ", where claims may get targeted medical review; make sure the note supports "
               "medical necessity.");
    }
  }

  void ApplyNcciPairs() {
    if (!policy_->ncci_edits) return;
    for (const auto& [code_a, units_a] : units_) {
      for (const auto& [code_b, units_b] : units_) {
        if (code_a >= code_b || units_a == 0 || units_b == 0) continue;
        const PtpEdit* edit = policies_.edits.FindPtp(code_a, code_b, s_.date_of_service);
        if (edit == nullptr) continue;
        for (SuggestedLine& line : s_.lines) {
          if (line.code == edit->column2) line.modifiers.push_back(policy_->distinct_service_modifier);
        }
        Warn(warn::kNcciPair, Severity::kReview,
             edit->column1 + " and " + edit->column2 + " are an NCCI pair; " + edit->column2 +
                 " carries " + policy_->distinct_service_modifier +
                 ". Check that they were distinct services in separate blocks of time.",
             edit->column2);
      }
    }
  }

  void FinishLines() {
    for (SuggestedLine& line : s_.lines) {
      line.blocking = day_blocked_;
      for (const CodingWarning& w : s_.warnings) {
        if (w.cpt_code != line.code) continue;
        if (std::find(line.warning_codes.begin(), line.warning_codes.end(), w.code) ==
            line.warning_codes.end()) {
          line.warning_codes.push_back(w.code);
        }
        if (w.severity == Severity::kBlocking) line.blocking = true;
      }
    }
  }

  DayGroup& group_;
  const PolicySet& policies_;
  const CodingContext& context_;
  const PayerPolicy* policy_ = nullptr;
  Suggestion s_;
  std::map<std::string, CodeTime> codes_;
  std::map<std::string, int> units_;
  bool day_blocked_ = false;
};

}  // namespace

std::vector<Suggestion> SuggestCodes(std::span<const SessionForCoding> sessions,
                                     const PolicySet& policies, const CodingContext& context) {
  std::map<GroupKey, DayGroup> groups = GroupByDay(sessions, policies.catalogue);
  std::vector<Suggestion> out;
  out.reserve(groups.size());
  for (auto& [key, group] : groups) {
    out.push_back(DaySuggester(key, group, policies, context).Build());
  }
  return out;
}

std::string CodeForActivity(const ActivityTimeline& activity, const CodeCatalogue& catalogue) {
  if (!activity.cpt_code.empty()) return activity.cpt_code;
  const CodeEntry* entry = catalogue.ForKind(activity.kind);
  return entry == nullptr ? std::string() : entry->code;
}

LiveProgress ComputeLiveProgress(const SessionForCoding& session, const PolicySet& policies) {
  LiveProgress progress;
  const PayerPolicy* policy = policies.FindPayer(session.facts.payer_id);
  if (policy != nullptr) progress.method = policy->unit_method;
  const std::vector<std::string> codes = BillableCodes(session.timeline, policies.catalogue);
  std::map<std::string, Duration> time_by_code;
  for (size_t i = 0; i < codes.size(); ++i) {
    time_by_code[codes[i]] += session.timeline.billable[i].interval.length();
  }
  progress.billable = session.timeline.billable_total();
  progress.billable_minutes = static_cast<int>(progress.billable / std::chrono::minutes(1));
  MinutesByCode timed;
  for (const auto& [code, time] : time_by_code) {
    const CodeEntry* entry = policies.catalogue.Find(code);
    if (entry != nullptr && entry->timed) {
      timed[code] = static_cast<int>(time / std::chrono::minutes(1));
    }
  }
  std::string last_code;
  if (!session.timeline.billable.empty()) {
    const BillableInterval& last = session.timeline.billable.back();
    last_code = codes.back();
    const bool live = session.timeline.has_flag(TimelineFlagCode::kSessionOpen);
    if (live && last.interval.end == session.timeline.session.end) {
      progress.current_code = last_code;
    }
  }
  if (progress.method == UnitMethod::kMedicarePooled) {
    int total = 0;
    for (const auto& [code, minutes] : timed) total += minutes;
    progress.units = UnitsForMinutes(total);
    progress.minutes_to_next_unit = MinutesToNextUnit(total);
  } else {
    progress.units = AllocateMidpointUnits(timed).total_units();
    const auto it = timed.find(last_code);
    progress.minutes_to_next_unit = MinutesToNextUnit(it == timed.end() ? 0 : it->second);
  }
  return progress;
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kReview:
      return "review";
    case Severity::kBlocking:
      return "blocking";
  }
  return "unknown";
}

}  // namespace unitclock::core

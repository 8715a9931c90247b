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

// The warning codes the engine emits; docs/time-and-codes.md's table lists the same.
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
constexpr const char* kAssistantPerformed = "assistant_performed_activity";
constexpr const char* kAssistantNotRecognized = "assistant_not_recognized";
constexpr const char* kAssistantWithoutModifier = "assistant_without_modifier";
constexpr const char* kDeMinimisUncertain = "de_minimis_uncertain";
constexpr const char* kSessionOverlap = "session_overlap";
constexpr const char* kCoTreatment = "co_treatment";
constexpr const char* kAudioOnlyNotAtHome = "audio_only_not_at_home";
constexpr const char* kTooManyModifiers = "too_many_modifiers";
constexpr const char* kThresholdAmountUnknown = "threshold_amount_unknown";
constexpr const char* kChargeUnknown = "charge_unknown";
constexpr const char* kNcciNotDistinct = "ncci_not_distinct";
constexpr const char* kNcciNoModifierAllowed = "ncci_no_modifier_allowed";
constexpr const char* kNcciTablesMissing = "ncci_tables_missing";
constexpr const char* kTelehealthUncertain = "telehealth_status_uncertain";
constexpr const char* kUntimedSeveralSessions = "untimed_code_in_several_sessions";
}  // namespace warn

// An 837P service line holds four modifiers (SV101-3 to SV101-6).
constexpr std::size_t kMaxModifiers = 4;

// A piece of one code's billable time on one day.
struct Piece {
  Interval interval;
  DeliveredBy delivered_by = DeliveredBy::kTherapist;
  Modality media = Modality::kAudioVideo;
  PatientLocation location = PatientLocation::kHome;
  const std::string* session_id = nullptr;  // points into the caller's sessions
};

// Everything one (patient, day, payer, discipline) collects.
struct DayGroup {
  std::map<std::string, std::vector<Piece>> pieces_by_code;
  std::set<std::string> session_ids;
  std::vector<CodingWarning> warnings;  // from the sessions: flags, unmapped activities
  // The threshold amounts the day's sessions carry: those of the latest
  // session that has them.
  TimePoint amounts_from{TimePoint::min()};
  std::optional<std::int64_t> year_to_date_pt_slp_cents;
  std::optional<std::int64_t> year_to_date_ot_cents;
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

int WholeMinutes(Duration d) { return static_cast<int>(d / std::chrono::minutes(1)); }

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

// One patient's clock: the time already counted, by whom. CMS counts a
// patient's minutes once, whoever delivered them: two clinicians treating
// together, or one visit sent twice, cannot bill the same minutes twice
// (Pub 100-04 ch. 5 §20.2).
class PatientClock {
 public:
  // Overlap of a new interval with time counted for another session.
  struct Overlap {
    Interval interval;
    const SessionForCoding* other = nullptr;
  };

  // Claims `interval` for `session`: appends to `free` the parts not yet
  // counted and to `overlaps` those counted for another session. Claimed
  // time stays claimed.
  void Claim(Interval interval, const SessionForCoding& session, std::vector<Interval>& free,
             std::vector<Overlap>& overlaps) {
    // Sessions are read in order of start and their time in order: most
    // intervals come after everything claimed so far.
    if (claimed_.empty() || claimed_.back().interval.end <= interval.start) {
      free.push_back(interval);
      Append(interval, session);
      return;
    }
    const std::size_t first_free = free.size();
    // The first claimed interval that ends after `interval` starts (the
    // intervals are disjoint, so sorted by end too).
    auto it = std::upper_bound(claimed_.begin(), claimed_.end(), interval.start,
                               [](TimePoint t, const Entry& e) { return t < e.interval.end; });
    TimePoint cursor = interval.start;
    for (; it != claimed_.end() && it->interval.start < interval.end; ++it) {
      if (it->interval.start > cursor) free.push_back({cursor, it->interval.start});
      const Interval both{std::max(it->interval.start, interval.start),
                          std::min(it->interval.end, interval.end)};
      if (!both.empty() && it->session != &session) overlaps.push_back({both, it->session});
      cursor = std::max(cursor, it->interval.end);
    }
    if (cursor < interval.end) free.push_back({cursor, interval.end});
    for (std::size_t i = first_free; i < free.size(); ++i) {
      const auto at =
          std::upper_bound(claimed_.begin(), claimed_.end(), free[i].start,
                           [](TimePoint t, const Entry& e) { return t < e.interval.start; });
      claimed_.insert(at, Entry{free[i], &session});
    }
  }

 private:
  struct Entry {
    Interval interval;
    const SessionForCoding* session;
  };

  void Append(Interval interval, const SessionForCoding& session) {
    if (!claimed_.empty() && claimed_.back().interval.end == interval.start &&
        claimed_.back().session == &session) {
      claimed_.back().interval.end = interval.end;  // keep the clock small
      return;
    }
    claimed_.push_back({interval, &session});
  }

  std::vector<Entry> claimed_;  // disjoint, in time order
};

// Collects the sessions' billable time into day groups. Sessions are read in
// order of start, then id, so that the result does not depend on the input's
// order and time two sessions share counts for the earlier one.
std::map<GroupKey, DayGroup> GroupByDay(std::span<const SessionForCoding> sessions,
                                        const CodeCatalogue& catalogue) {
  std::vector<const SessionForCoding*> ordered;
  ordered.reserve(sessions.size());
  for (const SessionForCoding& s : sessions) ordered.push_back(&s);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const SessionForCoding* a, const SessionForCoding* b) {
                     return std::tie(a->timeline.session.start, a->session_id) <
                            std::tie(b->timeline.session.start, b->session_id);
                   });
  std::map<GroupKey, DayGroup> groups;
  std::map<std::string, PatientClock> clocks;  // by patient_ref
  for (const SessionForCoding* session : ordered) {
    const SessionForCoding& s = *session;
    PatientClock& clock = clocks[s.facts.patient_ref];
    const std::vector<std::string> codes = BillableCodes(s.timeline, catalogue);
    std::set<Day> days;
    std::set<std::string> unmapped;
    // The session's time not counted yet for another session of the
    // patient, each part with the index of its billable interval.
    std::vector<Interval> intervals;
    std::vector<std::size_t> source;
    intervals.reserve(s.timeline.billable.size());
    source.reserve(s.timeline.billable.size());
    std::vector<PatientClock::Overlap> overlaps;
    for (size_t i = 0; i < s.timeline.billable.size(); ++i) {
      clock.Claim(s.timeline.billable[i].interval, s, intervals, overlaps);
      source.resize(intervals.size(), i);
    }
    auto pieces = SplitEachByLocalDay(intervals, s.facts.clinic_time_zone);
    // Validated at ingest; nothing to bill without a zone.
    const std::size_t count = pieces.ok() ? intervals.size() : 0;
    const auto group_of = [&](Day day) -> DayGroup& {
      DayGroup& g = groups[{s.facts.patient_ref, day, s.facts.payer_id, s.facts.discipline}];
      g.session_ids.insert(s.session_id);
      if ((s.facts.year_to_date_pt_slp_cents || s.facts.year_to_date_ot_cents) &&
          s.timeline.session.start >= g.amounts_from) {
        g.amounts_from = s.timeline.session.start;
        g.year_to_date_pt_slp_cents = s.facts.year_to_date_pt_slp_cents;
        g.year_to_date_ot_cents = s.facts.year_to_date_ot_cents;
      }
      return g;
    };
    // Consecutive pieces mostly fall on one day: look its group up once.
    DayGroup* group = nullptr;
    Day group_day;
    for (size_t i = 0; i < count; ++i) {
      const BillableInterval& b = s.timeline.billable[source[i]];
      const std::string& code = codes[source[i]];
      for (const DayPiece& p : (*pieces)[i]) {
        if (group == nullptr || p.day != group_day) {
          days.insert(p.day);
          group = &group_of(p.day);
          group_day = p.day;
        }
        if (code.empty()) {
          unmapped.insert(b.activity_id);
          continue;
        }
        group->pieces_by_code[code].push_back(
            {p.interval, b.delivered_by, b.media, s.facts.patient_location, &s.session_id});
      }
    }
    // Overlaps with other sessions: warned once per other session and day,
    // in order of day and session id.
    std::map<std::pair<Day, std::string>, const SessionForCoding*> overlapped;
    for (const PatientClock::Overlap& o : overlaps) {
      const auto day = LocalDay(o.interval.start, s.facts.clinic_time_zone);
      if (day.ok()) overlapped.emplace(std::pair{*day, o.other->session_id}, o.other);
    }
    for (const auto& [key, other] : overlapped) {
      const Day day = key.first;
      const bool co_treatment = other->facts.discipline != s.facts.discipline;
      const std::string message =
          co_treatment
              ? "Sessions \"" + other->session_id + "\" and \"" + s.session_id +
                    "\" treated the patient at the same time under two disciplines; the shared "
                    "minutes were counted once, for \"" +
                    other->session_id +
                    "\" (a patient's minutes are billed once). The therapists may divide them "
                    "differently."
              : "Sessions \"" + other->session_id + "\" and \"" + s.session_id +
                    "\" overlap in time for the same patient (a reconnect, a visit sent twice, "
                    "or two clinicians together); the shared minutes were counted once, for \"" +
                    other->session_id + "\".";
      for (const SessionForCoding* side : {other, &s}) {
        DayGroup& g =
            groups[{side->facts.patient_ref, day, side->facts.payer_id, side->facts.discipline}];
        g.session_ids.insert(side->session_id);
        AddWarning(g.warnings, co_treatment ? warn::kCoTreatment : warn::kSessionOverlap,
                   Severity::kReview, message);
      }
    }
    for (const Day day : days) {
      DayGroup& g = group_of(day);
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
        } else if (f.code == TimelineFlagCode::kAssistantPerformed) {
          AddWarning(g.warnings, warn::kAssistantPerformed, Severity::kReview, f.message);
        }
      }
    }
  }
  return groups;
}

// Units of one code split by the assistant modifier (CQ/CO) per billed unit:
// CMS de minimis rule, CY2022 PFS final rule (86 FR 65213-65220, CMS's
// "Billing Examples Using CQ/CO Modifiers"). Time the therapist and assistant
// spend together counts as the therapist's. Full 15-minute units furnished by
// one of them alone go to that one; the final unit, mixed from both
// remainders, carries the modifier when the assistant furnished more than the
// de minimis share (10%) of it; when two units remain and each furnished 9 to
// 14 minutes of them, one carries the modifier and one does not. Any other
// split is not covered by CMS's examples: the modifier (paid less) is applied
// and `uncertain` says so.
struct AssistantSplit {
  int plain = 0;
  int assistant = 0;
  bool uncertain = false;
};

AssistantSplit SplitAssistantUnits(int units, int minutes, int assistant_minutes,
                                   int de_minimis_percent) {
  AssistantSplit split;
  const int therapist_minutes = std::max(minutes - assistant_minutes, 0);
  // Whole units furnished by one of them alone.
  split.assistant = std::min(assistant_minutes / 15, units);
  split.plain = std::min(therapist_minutes / 15, units - split.assistant);
  int rest = units - split.assistant - split.plain;
  const int rest_assistant = assistant_minutes - 15 * split.assistant;
  const int rest_therapist = therapist_minutes - 15 * split.plain;
  const auto nine_to_fourteen = [](int m) { return m >= 9 && m <= 14; };
  if (rest == 2 && nine_to_fourteen(rest_assistant) && nine_to_fourteen(rest_therapist)) {
    split.assistant += 1;
    split.plain += 1;
    return split;
  }
  if (rest == 1) {
    const int mixed = rest_assistant + rest_therapist;
    const bool over_de_minimis =
        mixed <= 0 ? assistant_minutes > 0 : rest_assistant * 100 > de_minimis_percent * mixed;
    (over_de_minimis ? split.assistant : split.plain) += 1;
    return split;
  }
  if (rest > 0) {
    // The smaller claim: every remaining unit carries the modifier.
    split.assistant += rest;
    split.uncertain = rest_assistant > 0;
    if (!split.uncertain) {
      split.assistant -= rest;
      split.plain += rest;
    }
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
    CheckPayable();
    ComputeUnits();
    BuildLines();
    ApplyNcciEdits();
    ApplyThreshold();
    FinishLines();
    return std::move(s_);
  }

 private:
  struct CodeTime {
    const CodeEntry* entry = nullptr;
    std::vector<Piece> pieces;  // therapist pieces first, then the assistant's, each in time order
    int minutes = 0;            // by the payer's rounding, for the reviewer
    int assistant_minutes = 0;
    Duration audio_only{0};
    Duration total{0};
    Duration assistant{0};
    Duration at_home{0};
    const std::string* first_session = nullptr;  // of its time
    bool several_sessions = false;
    // Why the payer will not pay this code on this day and in this setting
    // (a blocking warning was raised): its minutes stay out of the pool.
    bool blocked = false;
    bool audio_only_line = false;  // most of its time audio-only
    bool at_home_line = false;     // most of its time with the patient at home
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
      // An "each additional" code's minutes are one service with its
      // initial code's (97130 with 97129): counted under the initial code.
      const CodeEntry* initial =
          entry->initial_code.empty() ? nullptr : policies_.catalogue.Find(entry->initial_code);
      if (initial != nullptr) entry = initial;
      CodeTime& t = codes_[entry->code];
      t.entry = entry;
      t.pieces.insert(t.pieces.end(), std::make_move_iterator(pieces.begin()),
                      std::make_move_iterator(pieces.end()));
    }
    for (auto it = codes_.begin(); it != codes_.end();) {
      const std::string& code = it->first;
      CodeTime& t = it->second;
      for (const Piece& p : t.pieces) {
        t.total += p.interval.length();
        if (p.delivered_by == DeliveredBy::kAssistant) t.assistant += p.interval.length();
        if (p.media == Modality::kAudioOnly) t.audio_only += p.interval.length();
        if (p.location == PatientLocation::kHome) t.at_home += p.interval.length();
        if (t.first_session == nullptr) t.first_session = p.session_id;
        if (p.session_id != t.first_session) t.several_sessions = true;
      }
      std::stable_sort(t.pieces.begin(), t.pieces.end(), [](const Piece& a, const Piece& b) {
        const bool aa = a.delivered_by == DeliveredBy::kAssistant;
        const bool ba = b.delivered_by == DeliveredBy::kAssistant;
        if (aa != ba) return !aa;
        return a.interval.start < b.interval.start;
      });
      t.minutes = RoundToMinutes(t.total, policy_->rounding);
      t.assistant_minutes = RoundToMinutes(t.assistant, policy_->rounding);
      // Modality and place: the majority of the code's time; on a tie the
      // smaller claim (audio-only, and POS 02, the facility rate).
      t.audio_only_line = t.audio_only * 2 >= t.total && t.audio_only.count() > 0;
      t.at_home_line = t.at_home * 2 > t.total;
      if (t.minutes == 0) {
        it = codes_.erase(it);
        continue;
      }
      if (std::find(t.entry->disciplines.begin(), t.entry->disciplines.end(), s_.discipline) ==
          t.entry->disciplines.end()) {
        Warn(warn::kCodeNotForDiscipline, Severity::kReview,
             code + " is not listed for " + DisciplineWord(s_.discipline) +
                 "; check the activity's code.",
             code);
      }
      s_.documentation.minutes_by_code[code] = t.minutes;
      s_.documentation.total_treatment_minutes += t.minutes;
      if (t.entry->timed) s_.documentation.total_timed_minutes += t.minutes;
      ++it;
    }
  }

  // Whether the payer pays each code on this day and in this setting. A code
  // it does not pay keeps its own line with a blocking warning, and its
  // minutes stay out of the pooled total (Pub 100-04 ch. 5 §20.2 pools the
  // minutes of services billed, and a service the payer does not cover is not
  // one of them).
  void CheckPayable() {
    if (!AnyWindowContains(policy_->therapist_telehealth, s_.date_of_service)) {
      Warn(warn::kTherapistTelehealthNotCovered, Severity::kBlocking,
           "Therapists' telehealth is not covered by " + policy_->name + " on " + DayString() +
               "; the lines are blocked until a therapist overrides them.");
      day_blocked_ = true;
    }
    const bool assistant_recognized =
        std::find(policy_->assistants_not_recognized.begin(),
                  policy_->assistants_not_recognized.end(),
                  s_.discipline) == policy_->assistants_not_recognized.end();
    for (auto& [code, t] : codes_) {
      const DateWindow* window = FindWindow(t.entry->telehealth_list, s_.date_of_service);
      if (window == nullptr) {
        Warn(warn::kNotOnTelehealthList, Severity::kBlocking,
             code + " (" + t.entry->description + ") is not on the telehealth list on " +
                 DayString() +
                 (t.entry->hands_on ? "; it is hands-on and cannot honestly be delivered over "
                                      "video"
                                    : "") +
                 ". Its minutes do not count toward other codes' units, and the line is blocked "
                 "until a therapist overrides it.",
             code);
        t.blocked = true;
      } else if (window->uncertain) {
        Warn(warn::kTelehealthUncertain, Severity::kReview,
             code + "'s telehealth status on " + DayString() + " is not settled (" +
                 window->source + "); check the payer's current list before billing it.",
             code);
      }
      if (t.audio_only_line && policy_->audio_only_requires_home && !t.at_home_line) {
        // 42 CFR 410.78(a)(3): audio-only only to a patient at home.
        Warn(warn::kAudioOnlyNotAtHome, Severity::kBlocking,
             code + " was delivered audio-only to a patient who was not at home; " + policy_->name +
                 " pays audio-only telehealth only to a patient at home. The line is blocked "
                 "until a therapist overrides it.",
             code);
        t.blocked = true;
      }
      if (t.assistant.count() > 0 && !assistant_recognized) {
        Warn(warn::kAssistantNotRecognized, Severity::kBlocking,
             code + ": an assistant alone delivered " + std::to_string(t.assistant_minutes) +
                 " of its " + std::to_string(t.minutes) + " minutes, and " + policy_->name +
                 " does not recognise assistants in " + DisciplineWord(s_.discipline) +
                 ". The line is blocked: bill only the therapist's own minutes.",
             code);
        t.blocked = true;
      }
    }
  }

  void ComputeUnits() {
    TimeByCode pooled;  // timed codes the payer pays: one pool
    TimeByCode alone;   // timed codes it does not: each as if it stood alone
    for (const auto& [code, t] : codes_) {
      if (!t.entry->timed) continue;
      (t.blocked ? alone : pooled)[code] = t.total;
    }
    const UnitAllocation medicare = AllocateMedicareUnits(pooled);
    const UnitAllocation cpt = AllocateMidpointUnits(pooled);
    s_.medicare_pooled = {UnitMethod::kMedicarePooled, medicare.units, medicare.total_units(),
                          medicare.tied_codes};
    s_.cpt_midpoint = {UnitMethod::kCptMidpoint, cpt.units, cpt.total_units(), cpt.tied_codes};
    Duration pooled_total{0};
    for (const auto& [code, d] : pooled) pooled_total += d;
    s_.documentation.pooled_timed_minutes = WholeMinutes(pooled_total);
    const UnitAllocation& used =
        policy_->unit_method == UnitMethod::kMedicarePooled ? medicare : cpt;
    const UnitAllocation standalone = AllocateMidpointUnits(alone);
    for (const auto& [code, t] : codes_) {
      if (!t.entry->timed) {
        units_[code] = 1;  // untimed: 1 unit a day
      } else {
        units_[code] = t.blocked ? standalone.units.at(code) : used.units.at(code);
      }
      if (!t.entry->timed && t.several_sessions) {
        Warn(warn::kUntimedSeveralSessions, Severity::kReview,
             code + " is untimed and ran in more than one session on " + DayString() +
                 "; 1 unit is suggested. If they were separate services, the therapist may add "
                 "units.",
             code);
      }
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
    if (policy_->ncci_edits && policies_.edits.QuarterFor(s_.date_of_service) == nullptr) {
      Warn(warn::kNcciTablesMissing, Severity::kReview,
           "No NCCI edit tables are loaded for " + DayString() +
               "; code pairs and daily unit caps (MUE) were not checked. Add the quarter's CMS "
               "files to the policy folder.");
    }
    for (auto& [code, units] : units_) {
      if (!policy_->ncci_edits) break;
      // A code with an "each additional" code bills 1 unit itself and the
      // rest as the other: the cap is 1 plus the other's (none if it has none).
      const CodeEntry* continuation = policies_.catalogue.ContinuationOf(code);
      const MueLimit* cap = policies_.edits.FindMue(
          continuation == nullptr ? code : continuation->code, s_.date_of_service);
      if (cap == nullptr) continue;
      const int allowed = cap->units + (continuation == nullptr ? 0 : 1);
      if (units > allowed) {
        Warn(warn::kOverMue, Severity::kReview,
             code + " earned " + std::to_string(units) + " units, over the daily cap of " +
                 std::to_string(allowed) + " (CMS MUE); " + std::to_string(allowed) +
                 " are suggested.",
             code);
        units = allowed;
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
      if (units == 0 && !t.blocked) continue;
      if (t.audio_only.count() > 0 && t.audio_only < t.total) {
        Warn(warn::kMixedMedia, Severity::kReview,
             code + " was delivered partly with video and partly audio-only on " + DayString() +
                 "; the modifier follows the larger part.",
             code);
      }
      if (t.audio_only_line) {
        Warn(warn::kAudioOnly, t.entry->needs_video ? Severity::kReview : Severity::kInfo,
             code + " was delivered audio-only" +
                 (t.entry->needs_video ? ", which makes little clinical sense without video; "
                                         "check that it was really delivered."
                                       : "."),
             code);
      }
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
      const std::string& telehealth = t.audio_only_line ? policy_->telehealth_audio_only_modifier
                                                        : policy_->telehealth_audio_video_modifier;
      AssistantSplit split{units, 0};
      const auto assistant_modifier = policy_->assistant_modifier.find(s_.discipline);
      const bool has_assistant_modifier = assistant_modifier != policy_->assistant_modifier.end();
      if (t.assistant_minutes > 0 && has_assistant_modifier) {
        if (t.entry->timed) {
          split = SplitAssistantUnits(units, t.minutes, t.assistant_minutes,
                                      policy_->assistant_de_minimis_percent);
        } else if (t.assistant_minutes * 100 > policy_->assistant_de_minimis_percent * t.minutes) {
          // Untimed: the share of the whole service's time (CY2022 PFS).
          split = AssistantSplit{0, units};
        }
        if (split.uncertain) {
          Warn(warn::kDeMinimisUncertain, Severity::kReview,
               code +
                   ": how the therapist's and the assistant's minutes fall into the last units "
                   "is not covered by CMS's examples; every such unit carries " +
                   assistant_modifier->second + ", the smaller claim.",
               code);
        }
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
      } else if (t.assistant_minutes > 0 && !t.blocked) {
        Warn(warn::kAssistantWithoutModifier, Severity::kReview,
             code + ": an assistant alone delivered " + std::to_string(t.assistant_minutes) +
                 " of its " + std::to_string(t.minutes) + " minutes, and " + policy_->name +
                 " has no assistant modifier; check that it pays for assistants' services.",
             code);
      }
      const std::vector<UnitProvenance> slices = UnitSlices(t.pieces, units);
      const CodeEntry* continuation = policies_.catalogue.ContinuationOf(code);
      auto add_line = [&](const std::string& line_code, int n, int first_unit, bool assistant) {
        if (n == 0 && !(t.blocked && units == 0)) return;
        SuggestedLine line;
        line.code = line_code;
        const CodeEntry* entry = policies_.catalogue.Find(line_code);
        line.description = entry != nullptr ? entry->description : t.entry->description;
        line.units = n;
        line.modifiers = base;
        if (assistant) line.modifiers.push_back(assistant_modifier->second);
        if (!telehealth.empty()) line.modifiers.push_back(telehealth);
        line.place_of_service = t.at_home_line ? policy_->pos_home : policy_->pos_other;
        line.minutes = t.minutes;
        line.assistant_minutes = t.assistant_minutes;
        for (int u = 0; u < n; ++u) {
          UnitProvenance p = slices[first_unit + u];
          p.unit_number = u + 1;
          line.provenance.push_back(std::move(p));
        }
        line.blocking = t.blocked || day_blocked_;
        s_.lines.push_back(std::move(line));
      };
      // Therapist pieces come first in `pieces`, so the plain units get the
      // therapist's time and the assistant's units the assistant's.
      const auto add = [&](int n, int first_unit, bool assistant) {
        if (continuation == nullptr || n == 0) return add_line(code, n, first_unit, assistant);
        // The first unit of the day bills as the initial code, the rest as
        // its "each additional" code.
        const int initial = first_unit == 0 ? 1 : 0;
        if (initial > 0) add_line(code, 1, first_unit, assistant);
        add_line(continuation->code, n - initial, first_unit + initial, assistant);
      };
      if (units == 0) {
        add_line(code, 0, 0, false);  // a blocked code's line, even without a unit
      } else {
        add(split.plain, 0, false);
        add(split.assistant, split.plain, true);
      }
    }
  }

  // True when no unit of `a` holds time between the first and last instant
  // of a unit of `b`, and the other way round: the two services were done in
  // distinct blocks, not interleaved within one 15-minute unit (NCCI Policy
  // Manual ch. 11; MLN1783722, example 9).
  static bool DistinctBlocks(const std::vector<const SuggestedLine*>& a,
                             const std::vector<const SuggestedLine*>& b) {
    const auto inside = [](const std::vector<const SuggestedLine*>& units_of,
                           const std::vector<const SuggestedLine*>& time_of) {
      for (const SuggestedLine* line : units_of) {
        for (const UnitProvenance& unit : line->provenance) {
          if (unit.intervals.empty()) continue;
          const Interval span{unit.intervals.front().start, unit.intervals.back().end};
          for (const SuggestedLine* other : time_of) {
            for (const UnitProvenance& o : other->provenance) {
              for (const Interval& i : o.intervals) {
                if (i.start < span.end && span.start < i.end) return true;
              }
            }
          }
        }
      }
      return false;
    };
    return !inside(a, b) && !inside(b, a);
  }

  static bool IsDistinctServiceModifier(const std::string& m) {
    return m == "59" || m == "XE" || m == "XS" || m == "XP" || m == "XU";
  }

  // CMS's NCCI procedure-to-procedure edits, in the table's direction: the
  // column 2 code is paid beside column 1 only with 59/X, only when the
  // modifier indicator allows one, and only for distinct services.
  void ApplyNcciEdits() {
    if (!policy_->ncci_edits) return;
    std::map<std::string, std::vector<const SuggestedLine*>> billed;
    for (const SuggestedLine& line : s_.lines) {
      if (line.units > 0 && !line.blocking) billed[line.code].push_back(&line);
    }
    std::set<std::string> dropped;
    for (auto a = billed.begin(); a != billed.end(); ++a) {
      for (auto b = std::next(a); b != billed.end(); ++b) {
        const PtpEdit* edit = policies_.edits.FindPtp(a->first, b->first, s_.date_of_service);
        if (edit == nullptr || edit->indicator == PtpModifierIndicator::kNotApplicable) continue;
        const auto& column1 = edit->column1 == a->first ? a->second : b->second;
        const auto& column2 = edit->column1 == a->first ? b->second : a->second;
        if (edit->indicator == PtpModifierIndicator::kNotAllowed) {
          dropped.insert(edit->column2);
          Warn(warn::kNcciNoModifierAllowed, Severity::kReview,
               edit->column1 + " and " + edit->column2 +
                   " are an NCCI pair that no modifier unbundles; only " + edit->column1 +
                   " is suggested.",
               edit->column2);
        } else if (!DistinctBlocks(column1, column2)) {
          dropped.insert(edit->column2);
          Warn(warn::kNcciNotDistinct, Severity::kReview,
               edit->column1 + " and " + edit->column2 +
                   " are an NCCI pair and their minutes were interleaved within the same "
                   "15-minute units, so " +
                   edit->column2 + " is not suggested. If they were distinct services, the " +
                   "therapist may add " + edit->column2 + " with " +
                   policy_->distinct_service_modifier + ".",
               edit->column2);
        } else {
          distinct_.insert(edit->column2);
          Warn(warn::kNcciPair, Severity::kReview,
               edit->column1 + " and " + edit->column2 +
                   " are an NCCI pair done in separate "
                   "blocks of time, so " +
                   edit->column2 + " carries " + policy_->distinct_service_modifier +
                   ". Check that they were distinct services.",
               edit->column2);
        }
      }
    }
    std::erase_if(s_.lines,
                  [&](const SuggestedLine& l) { return dropped.count(l.code) > 0 && !l.blocking; });
    for (SuggestedLine& line : s_.lines) {
      if (distinct_.count(line.code) == 0 || dropped.count(line.code) > 0) continue;
      if (std::none_of(line.modifiers.begin(), line.modifiers.end(), IsDistinctServiceModifier)) {
        line.modifiers.push_back(policy_->distinct_service_modifier);
      }
    }
  }

  // The therapy threshold (KX): per calendar year and threshold group, PT and
  // SLP together, OT apart (Social Security Act §1833(g); CMS Pub 100-04
  // ch. 5 §10.3). The claim whose own charges take the year's amount over the
  // threshold carries KX, and so does every later one. KX attests that the
  // care is medically necessary, which only the therapist can: review.
  void ApplyThreshold() {
    if (policy_->threshold_modifier.empty()) return;
    const bool ot = s_.discipline == Discipline::kOccupationalTherapy;
    std::optional<std::int64_t> ytd =
        ot ? context_.year_to_date_ot_cents : context_.year_to_date_pt_slp_cents;
    if (!ytd) ytd = ot ? group_.year_to_date_ot_cents : group_.year_to_date_pt_slp_cents;
    const char* group_name = ot ? "occupational therapy"
                                : "physical therapy and speech-language "
                                  "pathology";
    if (!ytd) {
      Warn(warn::kThresholdAmountUnknown, Severity::kInfo,
           std::string("No year-to-date therapy amount (") + group_name +
               ") was given, so KX was not considered. Give it in SessionStarted or the request.");
      return;
    }
    const int year = static_cast<int>(std::chrono::year_month_day(s_.date_of_service).year());
    const ThresholdYear* threshold = policy_->ThresholdFor(year);
    if (threshold == nullptr) {
      Warn(warn::kNoThresholdForYear, Severity::kReview,
           policy_->name + " has no therapy threshold for " + std::to_string(year) +
               "; KX was not considered.");
      return;
    }
    const std::int64_t amount = ot ? threshold->ot_cents : threshold->pt_slp_cents;
    std::int64_t claim = 0;
    for (const SuggestedLine& line : s_.lines) {
      if (line.blocking || line.units == 0) continue;
      const auto charge = context_.charge_cents.find(line.code);
      if (charge == context_.charge_cents.end()) {
        Warn(warn::kChargeUnknown, Severity::kReview,
             line.code +
                 " has no charge in the billing configuration; it counted as $0 toward "
                 "the therapy threshold.",
             line.code);
        continue;
      }
      claim += charge->second * line.units;
    }
    // snprintf, not "$" + to_string(...): GCC 12 warns falsely (-Wrestrict,
    // GCC bug 105329) on the latter at -O2.
    auto dollars = [](std::int64_t cents) {
      char text[32];
      std::snprintf(text, sizeof text, "$%lld.%02lld", static_cast<long long>(cents / 100),
                    static_cast<long long>(cents % 100));
      return std::string(text);
    };
    const std::int64_t after = *ytd + claim;
    if (after > amount) {
      for (SuggestedLine& line : s_.lines) {
        if (!line.blocking && line.units > 0) line.modifiers.push_back(policy_->threshold_modifier);
      }
      Warn(warn::kThresholdExceeded, Severity::kReview,
           "With this claim the patient's " + std::string(group_name) + " this year (" +
               dollars(*ytd) + " before, " + dollars(after) + " after) is over the " +
               std::to_string(year) + " threshold of " + dollars(amount) + "; the lines carry " +
               policy_->threshold_modifier +
               ", which attests that the care is medically necessary: only the therapist can "
               "confirm it.");
    }
    if (threshold->medical_review_cents > 0 && after > threshold->medical_review_cents) {
      Warn(warn::kMedicalReview, Severity::kReview,
           "The patient's therapy this year (" + dollars(after) + " with this claim) is over " +
               dollars(threshold->medical_review_cents) +
               ", where claims may get targeted medical review; make sure the note supports "
               "medical necessity.");
    }
  }

  void FinishLines() {
    for (SuggestedLine& line : s_.lines) {
      if (line.modifiers.size() > kMaxModifiers) {
        std::string list;
        for (const std::string& m : line.modifiers) list += (list.empty() ? "" : " ") + m;
        Warn(warn::kTooManyModifiers, Severity::kReview,
             line.code + " carries " + std::to_string(line.modifiers.size()) + " modifiers (" +
                 list +
                 ") and a claim line holds four; the export refuses it until a therapist amends "
                 "the line to the four that matter.",
             line.code);
      }
    }
    for (SuggestedLine& line : s_.lines) {
      line.blocking = line.blocking || day_blocked_;
      for (const CodingWarning& w : s_.warnings) {
        if (w.cpt_code == line.code) AttachWarning(w, line);
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
  std::set<std::string> distinct_;  // column 2 codes that carry 59/X
  bool day_blocked_ = false;
};

}  // namespace

std::vector<Suggestion> SuggestCodes(std::span<const SessionForCoding> sessions,
                                     const PolicySet& policies, const CodingContext& context,
                                     std::optional<DateRange> dates) {
  std::map<GroupKey, DayGroup> groups = GroupByDay(sessions, policies.catalogue);
  std::vector<Suggestion> out;
  out.reserve(groups.size());
  for (auto& [key, group] : groups) {
    const Day day = std::get<1>(key);
    if (dates && (day < dates->first || day > dates->last)) continue;
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
  // As in the suggestion: only the codes on the telehealth list on the
  // session's date pool their time, and the unit rule reads the exact total.
  const auto day = LocalDay(session.timeline.session.start, session.facts.clinic_time_zone);
  TimeByCode timed;
  for (const auto& [code, time] : time_by_code) {
    const CodeEntry* entry = policies.catalogue.Find(code);
    if (entry == nullptr || !entry->timed) continue;
    if (day.ok() && FindWindow(entry->telehealth_list, *day) == nullptr) continue;
    timed[code] = time;
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
    Duration total{0};
    for (const auto& [code, time] : timed) total += time;
    progress.units = UnitsForMinutes(WholeMinutes(total));
    progress.minutes_to_next_unit = MinutesToNextUnit(WholeMinutes(total));
  } else {
    progress.units = AllocateMidpointUnits(timed).total_units();
    const auto it = timed.find(last_code);
    progress.minutes_to_next_unit =
        MinutesToNextUnit(it == timed.end() ? 0 : WholeMinutes(it->second));
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

void AttachWarning(const CodingWarning& warning, SuggestedLine& line) {
  if (std::find(line.warning_codes.begin(), line.warning_codes.end(), warning.code) ==
      line.warning_codes.end()) {
    line.warning_codes.push_back(warning.code);
  }
  if (warning.severity == Severity::kBlocking) line.blocking = true;
}

}  // namespace unitclock::core

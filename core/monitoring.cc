#include "core/monitoring.h"

#include <date/tz.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "core/date_of_service.h"

namespace unitclock::core {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::year_month;

// The warning codes remote monitoring emits; docs/time-and-codes.md and
// docs/billing-rules.md list the same.
namespace warn {
constexpr const char* kPayerDoesNotCover = "payer_does_not_cover_monitoring";
constexpr const char* kCoverageUncertain = "monitoring_coverage_uncertain";
constexpr const char* kCodeUncertain = "monitoring_code_status_uncertain";
constexpr const char* kRtmAndRpm = "rtm_and_rpm_same_period";
constexpr const char* kWithoutInteractive = "management_without_interactive_communication";
constexpr const char* kByMinutes = "management_code_by_minutes";
constexpr const char* kUnderMinimum = "management_under_minimum";
constexpr const char* kUnder2Days = "device_period_under_2_days";
constexpr const char* kUnder16Days = "device_period_under_16_days";
constexpr const char* kDeviceKindUnspecified = "device_kind_unspecified";
constexpr const char* kDevicePeriodsOverlap = "device_periods_overlap";
constexpr const char* kPeriodOpen = "monitoring_period_open";
constexpr const char* kAssistantNotRecognized = "monitoring_assistant_not_recognized";
constexpr const char* kTimeOutsideEpisode = "monitoring_time_outside_episode";
constexpr const char* kVisitEventsInEpisode = "visit_events_in_episode";
// Shared with the visit engine (core/coding.cc): the same meaning.
constexpr const char* kAssistantShare = "assistant_share";
constexpr const char* kAssistantWithoutModifier = "assistant_without_modifier";
}  // namespace warn

Day FirstDay(year_month month) { return Day(month / std::chrono::day{1}); }
Day LastDay(year_month month) { return Day(month / std::chrono::last); }

// The calendar month in `zone`: local midnight of the 1st to that of the next 1st.
Interval MonthSpan(const date::time_zone& zone, year_month month) {
  return {StartOfLocalDay(zone, FirstDay(month)),
          StartOfLocalDay(zone, FirstDay(month + std::chrono::months{1}))};
}

Interval Intersect(const Interval& a, const Interval& b) {
  return {std::max(a.start, b.start), std::min(a.end, b.end)};
}

bool DaysOverlap(Day a_first, Day a_last, Day b_first, std::optional<Day> b_last) {
  return a_first <= a_last && (!b_last || b_first <= *b_last) && b_first <= a_last &&
         (!b_last || a_first <= *b_last);
}

bool IsAssistant(ProviderRole role) {
  return role == ProviderRole::kPta || role == ProviderRole::kOta;
}

int WholeMinutes(Duration d) { return static_cast<int>(d / minutes(1)); }

std::string Plural(int n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// ---- Episodes as the rules read them ----

// An episode with a start and a known zone.
struct EpisodeView {
  const MonitoringEpisode* episode = nullptr;
  const MonitoringEpisodeStarted* facts = nullptr;
  const date::time_zone* zone = nullptr;
  TimePoint start{};
  std::optional<TimePoint> end;
  Day start_day{};
  std::optional<Day> end_day;  // the local date of its end

  const std::string& id() const { return episode->episode_id; }
  // Only events in [start, end) count; an end before the start leaves nothing.
  Interval span() const { return {start, end ? *end : TimePoint::max()}; }
  bool rtm() const { return facts->program == MonitoringProgram::kRemoteTherapeutic; }
  bool rpm() const { return facts->program == MonitoringProgram::kRemotePhysiologic; }
  bool ended_by(TimePoint now) const { return end && *end <= now; }
};

// The episodes with a start and a zone, by start, then id.
std::vector<EpisodeView> Views(std::span<const MonitoringEpisode> episodes) {
  std::vector<EpisodeView> out;
  for (const MonitoringEpisode& e : episodes) {
    if (!e.started || !e.start_time) continue;
    const date::time_zone* zone = FindTimeZone(e.started->clinic_time_zone);
    if (zone == nullptr) continue;  // validated at ingest: nothing to count without a zone
    EpisodeView v;
    v.episode = &e;
    v.facts = &*e.started;
    v.zone = zone;
    v.start = *e.start_time;
    v.end = e.end_time;
    v.start_day = LocalDayIn(*zone, v.start);
    if (v.end) v.end_day = LocalDayIn(*zone, *v.end);
    out.push_back(v);
  }
  std::sort(out.begin(), out.end(), [](const EpisodeView& a, const EpisodeView& b) {
    return std::tie(a.start, a.id()) < std::tie(b.start, b.id());
  });
  return out;
}

// ---- Management time of a calendar month ----

struct MonthCount {
  std::vector<ManagementTime> times;  // counted pieces, in time order
  std::vector<bool> by_assistant;     // per piece: only an assistant's entry covered it
  Duration total{0};
  Duration assistant{0};
  Duration dropped_assistant{0};  // an assistant's time the payer does not recognise
  std::vector<InteractiveContact> contacts;
  // Per episode: entries' time in the month but before its start or after its end.
  std::map<std::string, Duration> outside_episode;
};

// Counts the management time of `group` (episodes of one payer and
// discipline) in `month`: every entry clipped to the month (in its episode's
// zone) and to its episode's span, minus every visit's span, each instant
// once. An instant goes to the first covering entry by (assistant last,
// start, event id, episode id): a therapist's when one covers it.
MonthCount CountMonth(const std::vector<const EpisodeView*>& group,
                      std::span<const MonitoringVisit> visits, year_month month,
                      bool count_assistants) {
  struct Clip {
    Interval interval;
    const MonitoringTimeEntry* entry;
    const std::string* episode_id;
    bool assistant;
  };
  std::vector<Clip> clips;
  MonthCount count;
  for (const EpisodeView* e : group) {
    const Interval month_span = MonthSpan(*e->zone, month);
    const Interval window = Intersect(month_span, e->span());
    for (const MonitoringTimeEntry& entry : e->episode->time_entries) {
      const Interval clipped = Intersect(entry.interval, window);
      const Duration outside = Intersect(entry.interval, month_span).length() - clipped.length();
      if (outside.count() > 0) count.outside_episode[e->id()] += outside;
      if (!clipped.empty()) {
        clips.push_back({clipped, &entry, &e->id(), IsAssistant(entry.clinician_role)});
      }
      // A call is the month's interactive communication when it starts in
      // the month and in the episode.
      if (entry.interactive && window.contains(entry.interval.start)) {
        count.contacts.push_back({entry.interval, entry.event_id, "", entry.modality});
      }
    }
  }
  if (!group.empty()) {
    const Interval month_span = MonthSpan(*group.front()->zone, month);
    for (const MonitoringVisit& v : visits) {
      if (v.live_video_with_patient && month_span.contains(v.span.start)) {
        count.contacts.push_back({v.span, "", v.session_id, Modality::kAudioVideo});
      }
    }
  }
  std::sort(count.contacts.begin(), count.contacts.end(),
            [](const InteractiveContact& a, const InteractiveContact& b) {
              return std::tie(a.interval.start, a.interval.end, a.event_id, a.session_id) <
                     std::tie(b.interval.start, b.interval.end, b.event_id, b.session_id);
            });

  // Rank the clips by who wins an instant they share; the rank depends only
  // on the entries, never on the input's order.
  std::sort(clips.begin(), clips.end(), [](const Clip& a, const Clip& b) {
    return std::tie(a.assistant, a.entry->interval.start, a.entry->event_id, *a.episode_id,
                    a.interval.start) < std::tie(b.assistant, b.entry->interval.start,
                                                 b.entry->event_id, *b.episode_id,
                                                 b.interval.start);
  });
  struct Boundary {
    TimePoint at;
    int delta;  // +1 opens, -1 closes
    int clip;   // -1 for a visit
  };
  std::vector<Boundary> boundaries;
  boundaries.reserve(2 * (clips.size() + visits.size()));
  for (int i = 0; i < static_cast<int>(clips.size()); ++i) {
    boundaries.push_back({clips[i].interval.start, +1, i});
    boundaries.push_back({clips[i].interval.end, -1, i});
  }
  for (const MonitoringVisit& v : visits) {
    if (v.span.empty()) continue;
    boundaries.push_back({v.span.start, +1, -1});
    boundaries.push_back({v.span.end, -1, -1});
  }
  std::sort(boundaries.begin(), boundaries.end(),
            [](const Boundary& a, const Boundary& b) { return a.at < b.at; });
  std::set<int> active;
  int visits_open = 0;
  int last_winner = -1;
  for (std::size_t i = 0; i < boundaries.size();) {
    const TimePoint at = boundaries[i].at;
    for (; i < boundaries.size() && boundaries[i].at == at; ++i) {
      const Boundary& b = boundaries[i];
      if (b.clip < 0) {
        visits_open += b.delta;
      } else if (b.delta > 0) {
        active.insert(b.clip);
      } else {
        active.erase(b.clip);
      }
    }
    if (i == boundaries.size() || active.empty() || visits_open > 0) {
      last_winner = -1;
      continue;
    }
    const Interval piece{at, boundaries[i].at};
    const int winner = *active.begin();
    const Clip& clip = clips[winner];
    if (clip.assistant && !count_assistants) {
      count.dropped_assistant += piece.length();
      last_winner = -1;
      continue;
    }
    count.total += piece.length();
    if (clip.assistant) count.assistant += piece.length();
    if (winner == last_winner && count.times.back().interval.end == piece.start) {
      count.times.back().interval.end = piece.end;
      continue;
    }
    count.times.push_back({piece, clip.entry->clinician_ref, clip.entry->clinician_role,
                           clip.entry->event_id, clip.entry->interactive});
    count.by_assistant.push_back(clip.assistant);
    last_winner = winner;
  }
  return count;
}

// The counted time between cumulative offsets [from, to) of `count`.
struct Slice {
  std::vector<Interval> intervals;
  Duration total{0};
  Duration assistant{0};
};

Slice SliceTime(const MonthCount& count, Duration from, Duration to) {
  Slice slice;
  Duration done{0};
  for (std::size_t i = 0; i < count.times.size() && done < to; ++i) {
    const Interval& piece = count.times[i].interval;
    const Duration length = piece.length();
    const Duration lo = std::max(from, done);
    const Duration hi = std::min(to, done + length);
    if (lo < hi) {
      const Interval part{piece.start + (lo - done), piece.start + (hi - done)};
      slice.intervals.push_back(part);
      slice.total += part.length();
      if (count.by_assistant[i]) slice.assistant += part.length();
    }
    done += length;
  }
  return slice;
}

// ---- Which codes ----

bool ValidOn(const MonitoringCode& code, Day day) { return FindWindow(code.valid, day) != nullptr; }

// The management_first codes valid on `day`, by their minutes.
std::vector<const MonitoringCode*> FirstCodes(const MonitoringRules& rules, Day day) {
  std::vector<const MonitoringCode*> out;
  for (const MonitoringCode& c : rules.codes) {
    if (c.kind == MonitoringCodeKind::kManagementFirst && ValidOn(c, day)) out.push_back(&c);
  }
  std::stable_sort(out.begin(), out.end(), [](const MonitoringCode* a, const MonitoringCode* b) {
    return a->minutes < b->minutes;
  });
  return out;
}

const MonitoringCode* AdditionalCode(const MonitoringRules& rules, const MonitoringCode& first,
                                     Day day) {
  for (const MonitoringCode& c : rules.codes) {
    if (c.kind == MonitoringCodeKind::kManagementAdditional && c.adds_to == first.code &&
        ValidOn(c, day)) {
      return &c;
    }
  }
  return nullptr;
}

struct ManagementChoice {
  const MonitoringCode* first = nullptr;
  const MonitoringCode* additional = nullptr;
  int additional_units = 0;
};

// The first code with the most minutes that `minutes` reach (98980 over
// 98979: they are alternatives), and its additional code's units, one per
// full further step.
ManagementChoice ChooseManagement(const MonitoringRules& rules, int minutes, Day day) {
  ManagementChoice choice;
  for (const MonitoringCode* c : FirstCodes(rules, day)) {
    if (minutes >= c->minutes) choice.first = c;
  }
  if (choice.first == nullptr) return choice;
  choice.additional = AdditionalCode(rules, *choice.first, day);
  if (choice.additional != nullptr) {
    choice.additional_units = (minutes - choice.first->minutes) / choice.additional->minutes;
  }
  return choice;
}

const MonitoringCode* ChooseDevice(const MonitoringRules& rules, DeviceKind kind, int data_days,
                                   Day day) {
  const MonitoringCode* best = nullptr;
  for (const MonitoringCode& c : rules.codes) {
    if (c.kind != MonitoringCodeKind::kDeviceSupply || c.device_kind != kind || !ValidOn(c, day) ||
        data_days < c.min_days || data_days > c.max_days) {
      continue;
    }
    if (best == nullptr || c.min_days > best->min_days) best = &c;
  }
  return best;
}

// The device-supply codes of `kind` valid on `day`, by their days.
std::vector<const MonitoringCode*> DeviceCodes(const MonitoringRules& rules, DeviceKind kind,
                                               Day day) {
  std::vector<const MonitoringCode*> out;
  for (const MonitoringCode& c : rules.codes) {
    if (c.kind == MonitoringCodeKind::kDeviceSupply && c.device_kind == kind && ValidOn(c, day)) {
      out.push_back(&c);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const MonitoringCode* a, const MonitoringCode* b) {
    return a->min_days < b->min_days;
  });
  return out;
}

const MonitoringCode* SetupCode(const MonitoringRules& rules, Day day) {
  for (const MonitoringCode& c : rules.codes) {
    if (c.kind == MonitoringCodeKind::kSetup && ValidOn(c, day)) return &c;
  }
  return nullptr;
}

// ---- Device periods ----

struct DevicePeriod {
  int index = 0;  // 0 = the episode's first
  Day first{};
  Day last{};
  std::vector<Day> dates;  // days with data, in order
};

// Period `k` of an episode (30 days from its start date, the last cut at its
// end date); nullopt past the end.
std::optional<DevicePeriod> PeriodOf(const EpisodeView& e, int k, int period_days) {
  DevicePeriod p;
  p.index = k;
  p.first = e.start_day + days(period_days * k);
  p.last = p.first + days(period_days - 1);
  if (e.end_day) {
    if (p.first > *e.end_day) return std::nullopt;
    p.last = std::min(p.last, *e.end_day);
  }
  std::set<Day> dates;
  const Interval span = e.span();
  for (const TimePoint t : e.episode->data_times) {
    if (!span.contains(t)) continue;
    const Day d = LocalDayIn(*e.zone, t);
    if (d >= p.first && d <= p.last) dates.insert(d);
  }
  p.dates.assign(dates.begin(), dates.end());
  return p;
}

// The period of `e` holding `day` (the first before its start, the last after its end).
std::optional<DevicePeriod> PeriodHolding(const EpisodeView& e, Day day, int period_days) {
  if (e.end_day && day > *e.end_day) day = *e.end_day;
  const int offset = static_cast<int>((day - e.start_day).count());
  return PeriodOf(e, offset <= 0 ? 0 : offset / period_days, period_days);
}

// ---- Building one suggestion ----

// Collects the warnings and lines of one suggestion.
struct Builder {
  void Warn(const char* code, Severity severity, std::string message, std::string cpt = "") {
    for (const CodingWarning& w : s.warnings) {
      if (w.code == code && w.cpt_code == cpt && w.message == message) return;
    }
    s.warnings.push_back({code, severity, std::move(message), std::move(cpt)});
  }

  // The line warnings: those naming its code, and the blocking ones about
  // the whole suggestion (payer, RPM), which hold every line.
  void Finish() {
    for (SuggestedLine& line : s.lines) {
      for (const CodingWarning& w : s.warnings) {
        const bool whole = w.cpt_code.empty() && (w.code == std::string(warn::kPayerDoesNotCover) ||
                                                  w.code == std::string(warn::kRtmAndRpm));
        if (w.cpt_code == line.code || whole) AttachWarning(w, line);
      }
    }
  }

  Suggestion s;
};

struct Context {
  std::span<const EpisodeView> views;
  std::span<const MonitoringVisit> visits;
  const PolicySet& policies;
  TimePoint now;
};

// What every monitoring suggestion shares: its key, its payer's coverage,
// the RPM check, and whether it is still open.
void StartSuggestion(Builder& b, const Context& ctx,
                     const std::vector<const EpisodeView*>& episodes, MonitoringPeriodKind kind,
                     Day first, Day last) {
  const EpisodeView& lead = *episodes.front();
  Suggestion& s = b.s;
  s.patient_ref = lead.facts->patient_ref;
  s.date_of_service = last;
  s.payer_id = lead.facts->payer_id;
  s.discipline = lead.facts->discipline;
  MonitoringPeriod period;
  period.kind = kind;
  period.first = first;
  period.last = last;
  for (const EpisodeView* e : episodes) period.episode_ids.push_back(e->id());
  std::sort(period.episode_ids.begin(), period.episode_ids.end());
  period.episode_ids.erase(std::unique(period.episode_ids.begin(), period.episode_ids.end()),
                           period.episode_ids.end());
  s.session_ids = period.episode_ids;
  // Open while its last day has not passed in the clinic's zone and an
  // episode of it goes on: late data or minutes may still change the lines.
  const Day today = LocalDayIn(*lead.zone, ctx.now);
  period.provisional =
      last >= today && std::any_of(episodes.begin(), episodes.end(),
                                   [&](const EpisodeView* e) { return !e->ended_by(ctx.now); });
  s.monitoring = std::move(period);
  for (const EpisodeView* e : episodes) {
    if (e->episode->ignored_events == 0) continue;
    b.Warn(warn::kVisitEventsInEpisode, Severity::kReview,
           "Episode \"" + e->id() + "\" holds " + Plural(e->episode->ignored_events, "event") +
               " of a visit session (a platform error?); they were ignored.");
  }
  if (s.monitoring->provisional) {
    b.Warn(warn::kPeriodOpen, Severity::kReview,
           "The period ends on " + FormatDay(last) +
               " and has not closed yet: its lines may still change as data and minutes "
               "arrive, and the export leaves it out until the period closes.");
  }

  const PayerPolicy* payer = ctx.policies.FindPayer(s.payer_id);
  const DateWindow* covered = payer != nullptr && payer->remote_monitoring
                                  ? FindWindow(payer->remote_monitoring->covered, last)
                                  : nullptr;
  if (payer == nullptr) {
    b.Warn(warn::kPayerDoesNotCover, Severity::kBlocking,
           "No policy exists for payer \"" + s.payer_id +
               "\", so whether it pays remote therapeutic monitoring is unknown; the lines are "
               "blocked until a therapist overrides them.");
  } else if (covered == nullptr) {
    b.Warn(warn::kPayerDoesNotCover, Severity::kBlocking,
           payer->name + " does not pay remote therapeutic monitoring on " + FormatDay(last) +
               " (its policy file); the lines are blocked until a therapist overrides them.");
  } else if (covered->uncertain) {
    b.Warn(warn::kCoverageUncertain, Severity::kReview,
           payer->name + "'s coverage of remote therapeutic monitoring on " + FormatDay(last) +
               " is not settled (" + covered->source + "); check it before billing.");
  }

  // CMS: RTM and RPM may not be billed for the same patient in the same
  // period (CY 2022 PFS final rule, CMS-1751-F).
  for (const EpisodeView& other : ctx.views) {
    if (!other.rpm() || !DaysOverlap(first, last, other.start_day, other.end_day)) continue;
    b.Warn(warn::kRtmAndRpm, Severity::kBlocking,
           "The patient is also in remote physiologic monitoring episode \"" + other.id() +
               "\" between " + FormatDay(first) + " and " + FormatDay(last) +
               "; RTM and RPM may not both be billed for one period, so the RTM lines are "
               "blocked until a therapist overrides them.");
  }
}

// A line of `code` with the payer's discipline modifier and place of service.
SuggestedLine BaseLine(const Context& ctx, const Suggestion& s, const MonitoringCode& code) {
  SuggestedLine line;
  line.code = code.code;
  line.description = code.description;
  const PayerPolicy* payer = ctx.policies.FindPayer(s.payer_id);
  if (payer != nullptr) {
    if (const auto it = payer->discipline_modifier.find(s.discipline);
        it != payer->discipline_modifier.end()) {
      line.modifiers.push_back(it->second);
    }
    if (payer->remote_monitoring)
      line.place_of_service = payer->remote_monitoring->place_of_service;
  }
  return line;
}

void WarnIfUncertain(Builder& b, const MonitoringCode& code, Day day) {
  const DateWindow* window = FindWindow(code.valid, day);
  if (window != nullptr && window->uncertain) {
    b.Warn(warn::kCodeUncertain, Severity::kReview,
           code.code + "'s status on " + FormatDay(day) + " is not settled (" + window->source +
               "); check the payer's rules before billing it.",
           code.code);
  }
}

// The month's management lines: each unit's counted time, CQ/CO per unit.
void AddManagementLines(Builder& b, const Context& ctx, const MonthCount& count, int total_minutes,
                        Day last) {
  const MonitoringRules& rules = ctx.policies.monitoring;
  const ManagementChoice choice = ChooseManagement(rules, total_minutes, last);
  const std::vector<const MonitoringCode*> firsts = FirstCodes(rules, last);
  if (total_minutes > 0 && (firsts.empty() || total_minutes < firsts.front()->minutes)) {
    b.Warn(warn::kUnderMinimum, Severity::kInfo,
           firsts.empty()
               ? Plural(total_minutes, "minute") +
                     " of management, but no management code is "
                     "valid on " +
                     FormatDay(last) + "."
               : Plural(total_minutes, "minute") + " of management: under the " +
                     std::to_string(firsts.front()->minutes) + " that " + firsts.front()->code +
                     ", the smallest management code on " + FormatDay(last) + ", needs.");
  }
  if (count.contacts.empty()) {
    if (total_minutes > 0) {
      b.Warn(warn::kWithoutInteractive, Severity::kReview,
             "No treatment management code may be billed without a real-time interactive "
             "communication with the patient (a live call or video visit) in the month; " +
                 Plural(total_minutes, "minute") + " of management wait for one.");
    }
    return;
  }
  if (choice.first == nullptr) return;
  // Why this code: the alternatives and the thresholds.
  std::string why = Plural(total_minutes, "minute") + ": " + choice.first->code;
  for (const MonitoringCode* c : firsts) {
    if (c->minutes > choice.first->minutes) {
      why += "; " + c->code + " needs " + std::to_string(c->minutes);
      break;
    }
  }
  if (choice.additional != nullptr) {
    why += " for the first " + std::to_string(choice.first->minutes) + ", and " +
           choice.additional->code + " for each further full " +
           std::to_string(choice.additional->minutes) + " (" +
           Plural(choice.additional_units, "unit") + ")";
  }
  b.Warn(warn::kByMinutes, Severity::kInfo, why + ".", choice.first->code);

  const Suggestion& s = b.s;
  const PayerPolicy* payer = ctx.policies.FindPayer(s.payer_id);
  const std::string* assistant_modifier = nullptr;
  if (payer != nullptr) {
    if (const auto it = payer->assistant_modifier.find(s.discipline);
        it != payer->assistant_modifier.end()) {
      assistant_modifier = &it->second;
    }
  }
  const int de_minimis = payer != nullptr ? payer->assistant_de_minimis_percent : 10;
  // Units: {code, cumulative start, cumulative end}. 98979 takes every
  // counted minute; 98980 the first 20, each 98981 the next 20.
  struct Unit {
    const MonitoringCode* code;
    Slice slice;
  };
  std::vector<Unit> units;
  // A first code below a larger one (98979 under 98980) holds every counted
  // minute; the largest (98980) its own minutes, the rest going to 98981.
  const bool largest = firsts.back() == choice.first;
  const Duration first_end = largest ? Duration(minutes(choice.first->minutes)) : count.total;
  units.push_back({choice.first, SliceTime(count, Duration{0}, first_end)});
  for (int k = 0; k < choice.additional_units; ++k) {
    const Duration from = first_end + minutes(choice.additional->minutes) * k;
    units.push_back(
        {choice.additional, SliceTime(count, from, from + minutes(choice.additional->minutes))});
  }
  // Lines: per code, the units without and with the assistant modifier
  // (CMS de minimis rule: more than the share of the unit by an assistant).
  for (const MonitoringCode* code : {choice.first, choice.additional}) {
    if (code == nullptr) continue;
    for (const bool with_modifier : {false, true}) {
      SuggestedLine line = BaseLine(ctx, s, *code);
      Duration line_total{0};
      Duration line_assistant{0};
      for (const Unit& unit : units) {
        if (unit.code != code) continue;
        const bool over = unit.slice.assistant * 100 > unit.slice.total * de_minimis;
        if ((over && assistant_modifier != nullptr) != with_modifier) continue;
        ++line.units;
        line.provenance.push_back(
            UnitProvenance{line.units, unit.slice.intervals, std::vector<Day>{}});
        line_total += unit.slice.total;
        line_assistant += unit.slice.assistant;
      }
      if (line.units == 0) continue;
      if (with_modifier) line.modifiers.push_back(*assistant_modifier);
      line.minutes = WholeMinutes(line_total);
      line.assistant_minutes = WholeMinutes(line_assistant);
      WarnIfUncertain(b, *code, last);
      if (with_modifier) {
        b.Warn(warn::kAssistantShare, Severity::kInfo,
               code->code + ": an assistant furnished " + Plural(line.assistant_minutes, "minute") +
                   " of its " + Plural(line.minutes, "counted minute") + "; " +
                   Plural(line.units, "unit") + " carr" + (line.units == 1 ? "ies " : "y ") +
                   *assistant_modifier + " (more than " + std::to_string(de_minimis) +
                   "% of the unit by the assistant).",
               code->code);
      } else if (line.assistant_minutes > 0 && assistant_modifier == nullptr && payer != nullptr) {
        b.Warn(warn::kAssistantWithoutModifier, Severity::kReview,
               code->code + ": an assistant furnished " + Plural(line.assistant_minutes, "minute") +
                   " of its " + Plural(line.minutes, "counted minute") + ", and " + payer->name +
                   " has no assistant modifier for " + DisciplineWord(s.discipline) +
                   "; check that it pays for assistants' services.",
               code->code);
      }
      b.s.lines.push_back(std::move(line));
    }
  }
}

// Whether the payer counts assistants' time in the suggestion's discipline.
bool AssistantsRecognized(const PolicySet& policies, const Suggestion& s) {
  const PayerPolicy* payer = policies.FindPayer(s.payer_id);
  return payer == nullptr ||
         std::find(payer->assistants_not_recognized.begin(), payer->assistants_not_recognized.end(),
                   s.discipline) == payer->assistants_not_recognized.end();
}

using GroupKey = std::pair<std::string, Discipline>;  // payer, discipline

// The RTM episodes overlapping `month`, by payer and discipline.
std::map<GroupKey, std::vector<const EpisodeView*>> MonthGroups(std::span<const EpisodeView> views,
                                                                year_month month) {
  std::map<GroupKey, std::vector<const EpisodeView*>> groups;
  for (const EpisodeView& e : views) {
    if (!e.rtm() || Intersect(MonthSpan(*e.zone, month), e.span()).empty()) continue;
    groups[{e.facts->payer_id, e.facts->discipline}].push_back(&e);
  }
  return groups;
}

Suggestion MonthSuggestion(const Context& ctx, const std::vector<const EpisodeView*>& group,
                           year_month month, MonthCount* count_out = nullptr) {
  Builder b;
  const Day last = LastDay(month);
  StartSuggestion(b, ctx, group, MonitoringPeriodKind::kCalendarMonth, FirstDay(month), last);
  const bool recognized = AssistantsRecognized(ctx.policies, b.s);
  MonthCount count = CountMonth(group, ctx.visits, month, recognized);
  MonitoringPeriod& period = *b.s.monitoring;
  period.management = count.total;
  period.management_minutes = WholeMinutes(count.total);
  period.assistant_minutes = WholeMinutes(count.assistant);
  period.management_times = count.times;
  period.contacts = count.contacts;
  if (count.dropped_assistant.count() > 0) {
    const PayerPolicy* payer = ctx.policies.FindPayer(b.s.payer_id);
    b.Warn(warn::kAssistantNotRecognized, Severity::kReview,
           Plural(WholeMinutes(count.dropped_assistant), "minute") +
               " of management by an assistant alone were not counted: " + payer->name +
               " does not recognise assistants in " + DisciplineWord(b.s.discipline) + ".");
  }
  for (const auto& [episode_id, outside] : count.outside_episode) {
    b.Warn(warn::kTimeOutsideEpisode, Severity::kInfo,
           Plural(WholeMinutes(outside), "minute") + " of management recorded in the month " +
               "fall before episode \"" + episode_id +
               "\" started or after it ended, and were not counted.");
  }
  AddManagementLines(b, ctx, count, period.management_minutes, last);
  b.Finish();
  if (count_out != nullptr) *count_out = std::move(count);
  return std::move(b.s);
}

// The device lines of one episode's period: the supply code of its days and,
// in the first period, the set-up.
void AddDeviceLines(Builder& b, const Context& ctx, const EpisodeView& e, const DevicePeriod& p) {
  const MonitoringRules& rules = ctx.policies.monitoring;
  const int data_days = static_cast<int>(p.dates.size());
  const DeviceKind kind = e.facts->device_kind;
  std::vector<SuggestedLine> lines;
  if (kind == DeviceKind::kUnspecified) {
    b.Warn(warn::kDeviceKindUnspecified, Severity::kReview,
           "Episode \"" + e.id() + "\" names no device kind, so no device-supply code applies.");
    return;
  }
  const MonitoringCode* supply = ChooseDevice(rules, kind, data_days, p.last);
  if (supply == nullptr) {
    const std::vector<const MonitoringCode*> codes = DeviceCodes(rules, kind, p.last);
    const int needed = codes.empty() ? 0 : codes.front()->min_days;
    if (data_days < needed || codes.empty()) {
      b.Warn(needed <= 2 ? warn::kUnder2Days : warn::kUnder16Days, Severity::kInfo,
             codes.empty()
                 ? "No device-supply code for " + std::string(DeviceKindName(kind)) +
                       " devices is valid on " + FormatDay(p.last) + "."
                 : "Episode \"" + e.id() + "\" has " + Plural(data_days, "day") +
                       " of data in its device period " + FormatDay(p.first) + " to " +
                       FormatDay(p.last) + "; " + codes.front()->code + ", the smallest " +
                       "device-supply code then, needs " + std::to_string(needed) + ".");
    }
    return;
  }
  SuggestedLine line = BaseLine(ctx, b.s, *supply);
  line.units = 1;
  line.provenance.push_back(UnitProvenance{1, {}, p.dates});
  WarnIfUncertain(b, *supply, p.last);
  lines.push_back(std::move(line));
  if (p.index == 0) {
    if (const MonitoringCode* setup = SetupCode(rules, p.last); setup != nullptr) {
      SuggestedLine setup_line = BaseLine(ctx, b.s, *setup);
      setup_line.units = 1;
      setup_line.provenance.push_back(UnitProvenance{1, {}, p.dates});
      WarnIfUncertain(b, *setup, p.last);
      lines.push_back(std::move(setup_line));
    }
  }
  // One device supply per patient per 30 days: an earlier RTM episode whose
  // periods cover these days holds them.
  for (const EpisodeView& other : ctx.views) {
    if (&other == &e) break;  // views are by start: the earlier ones come first
    if (!other.rtm() || !DaysOverlap(p.first, p.last, other.start_day, other.end_day)) continue;
    b.Warn(warn::kDevicePeriodsOverlap, Severity::kBlocking,
           "Episode \"" + e.id() + "\"'s device period " + FormatDay(p.first) + " to " +
               FormatDay(p.last) + " overlaps the device periods of episode \"" + other.id() +
               "\"; device supply is billed once per 30 days for a patient, so its lines are "
               "blocked. If the other episode bills no device supply then, a therapist may "
               "override.");
    for (SuggestedLine& l : lines) {
      l.blocking = true;
      l.warning_codes.push_back(warn::kDevicePeriodsOverlap);
    }
    break;
  }
  for (SuggestedLine& l : lines) b.s.lines.push_back(std::move(l));
}

}  // namespace

MonitoringEpisode SummarizeEpisode(std::string episode_id, std::span<const Event> events) {
  MonitoringEpisode out;
  out.episode_id = std::move(episode_id);
  // The distinct events, by id (events sharing an id are identical).
  std::vector<const Event*> distinct;
  distinct.reserve(events.size());
  for (const Event& e : events) distinct.push_back(&e);
  std::sort(distinct.begin(), distinct.end(),
            [](const Event* a, const Event* b) { return a->event_id < b->event_id; });
  distinct.erase(
      std::unique(distinct.begin(), distinct.end(),
                  [](const Event* a, const Event* b) { return a->event_id == b->event_id; }),
      distinct.end());
  const Event* started = nullptr;
  for (const Event* e : distinct) {
    if (const auto* s = std::get_if<MonitoringEpisodeStarted>(&e->payload)) {
      if (started == nullptr || std::tie(e->occurred_at, e->event_id) <
                                    std::tie(started->occurred_at, started->event_id)) {
        started = e;
        out.started = *s;
        out.start_time = e->occurred_at;
      }
    } else if (std::holds_alternative<MonitoringEpisodeEnded>(e->payload)) {
      if (!out.end_time || e->occurred_at < *out.end_time) out.end_time = e->occurred_at;
    } else if (std::holds_alternative<DeviceDataReceived>(e->payload)) {
      out.data_times.push_back(e->occurred_at);
    } else if (const auto* m = std::get_if<TreatmentManagementRecorded>(&e->payload)) {
      out.time_entries.push_back({{e->occurred_at, e->occurred_at + m->duration},
                                  m->clinician_ref,
                                  m->clinician_role,
                                  e->event_id,
                                  false,
                                  Modality::kUnspecified});
    } else if (const auto* c = std::get_if<InteractiveCommunicationHeld>(&e->payload)) {
      out.time_entries.push_back({{e->occurred_at, e->occurred_at + c->duration},
                                  c->clinician_ref,
                                  c->clinician_role,
                                  e->event_id,
                                  true,
                                  c->modality});
    } else {
      ++out.ignored_events;  // a visit session's event under the episode's id
    }
  }
  std::sort(out.data_times.begin(), out.data_times.end());
  std::sort(out.time_entries.begin(), out.time_entries.end(),
            [](const MonitoringTimeEntry& a, const MonitoringTimeEntry& b) {
              return std::tie(a.interval.start, a.event_id) <
                     std::tie(b.interval.start, b.event_id);
            });
  return out;
}

MonitoringVisit VisitForMonitoring(const SessionForCoding& session) {
  MonitoringVisit visit;
  visit.session_id = session.session_id;
  visit.span = session.timeline.session;
  visit.live_video_with_patient =
      std::any_of(session.timeline.billable.begin(), session.timeline.billable.end(),
                  [](const BillableInterval& b) { return b.media == Modality::kAudioVideo; });
  return visit;
}

std::vector<Suggestion> SuggestMonitoringCodes(std::span<const MonitoringEpisode> episodes,
                                               std::span<const MonitoringVisit> visits,
                                               year_month month, const PolicySet& policies,
                                               TimePoint now) {
  const std::vector<EpisodeView> views = Views(episodes);
  const Context ctx{views, visits, policies, now};
  std::vector<Suggestion> out;

  // Treatment management: one suggestion per payer and discipline.
  for (const auto& [key, group] : MonthGroups(views, month)) {
    out.push_back(MonthSuggestion(ctx, group, month));
  }

  // Device supply and set-up: each RTM episode's periods ending in the
  // month. Periods of two episodes ending on one day for one payer and
  // discipline share a suggestion (they have one key), each keeping its lines.
  struct DeviceGroup {
    std::vector<const EpisodeView*> episodes;
    std::vector<DevicePeriod> periods;
  };
  std::map<std::tuple<Day, std::string, Discipline>, DeviceGroup> device_groups;
  const Day month_first = FirstDay(month);
  const Day month_last = LastDay(month);
  const int period_days = policies.monitoring.period_days;
  for (const EpisodeView& e : views) {
    if (!e.rtm() || (e.end && *e.end < e.start)) continue;
    const int offset = static_cast<int>((month_first - e.start_day).count());
    for (int k = offset > period_days ? offset / period_days - 1 : 0;; ++k) {
      std::optional<DevicePeriod> p = PeriodOf(e, k, period_days);
      if (!p || p->first > month_last) break;
      if (p->last < month_first || p->last > month_last) continue;
      DeviceGroup& g = device_groups[{p->last, e.facts->payer_id, e.facts->discipline}];
      g.episodes.push_back(&e);
      g.periods.push_back(*std::move(p));
    }
  }
  for (auto& [key, g] : device_groups) {
    Builder b;
    Day first = g.periods.front().first;
    std::set<Day> dates;
    for (const DevicePeriod& p : g.periods) {
      first = std::min(first, p.first);
      dates.insert(p.dates.begin(), p.dates.end());
    }
    StartSuggestion(b, ctx, g.episodes, MonitoringPeriodKind::kDevicePeriod, first,
                    std::get<0>(key));
    b.s.monitoring->device_data_dates.assign(dates.begin(), dates.end());
    for (std::size_t i = 0; i < g.periods.size(); ++i) {
      AddDeviceLines(b, ctx, *g.episodes[i], g.periods[i]);
    }
    b.Finish();
    out.push_back(std::move(b.s));
  }

  // Nothing to bill or to review: no suggestion, as a visit day without
  // billable time has none.
  std::erase_if(out, [](const Suggestion& s) {
    return s.monitoring->kind == MonitoringPeriodKind::kCalendarMonth
               ? s.monitoring->management.count() == 0
               : s.monitoring->device_data_dates.empty();
  });
  std::stable_sort(out.begin(), out.end(), [](const Suggestion& a, const Suggestion& b) {
    return std::tie(a.date_of_service, a.payer_id, a.discipline, a.monitoring->kind) <
           std::tie(b.date_of_service, b.payer_id, b.discipline, b.monitoring->kind);
  });
  return out;
}

std::optional<MonitoringProgress> ComputeMonitoringProgress(
    const std::string& episode_id, std::span<const MonitoringEpisode> episodes,
    std::span<const MonitoringVisit> visits, const PolicySet& policies, TimePoint now) {
  const std::vector<EpisodeView> views = Views(episodes);
  const auto it = std::find_if(views.begin(), views.end(),
                               [&](const EpisodeView& v) { return v.id() == episode_id; });
  if (it == views.end()) return std::nullopt;
  const EpisodeView& e = *it;
  const Context ctx{views, visits, policies, now};
  const MonitoringRules& rules = policies.monitoring;

  MonitoringProgress progress;
  progress.ended = e.ended_by(now);
  // The instant the progress is of: now, or the episode's last instant.
  TimePoint at = std::max(now, e.start);
  if (progress.ended) at = std::max(e.start, *e.end - Duration(1));
  const Day day = LocalDayIn(*e.zone, at);
  const Day today = LocalDayIn(*e.zone, now);
  progress.month = MonthOf(day);

  // Management: the month as its suggestion counts it, over the RTM
  // episodes of the payer and discipline.
  std::vector<const EpisodeView*> group;
  if (e.rtm()) {
    const auto groups = MonthGroups(views, progress.month);
    if (const auto g = groups.find({e.facts->payer_id, e.facts->discipline}); g != groups.end()) {
      group = g->second;
    }
  }
  std::vector<MonitoringGap> device_gaps;
  std::vector<MonitoringGap> management_gaps;
  if (!group.empty()) {
    MonthCount count;
    const Suggestion month = MonthSuggestion(ctx, group, progress.month, &count);
    const int m = month.monitoring->management_minutes;
    const Day last = LastDay(progress.month);
    progress.management_minutes = m;
    progress.interactive_communication = !count.contacts.empty();
    const ManagementChoice choice = ChooseManagement(rules, m, last);
    if (progress.interactive_communication && choice.first != nullptr) {
      progress.management_codes.push_back(choice.first->code);
      if (choice.additional_units > 0) progress.management_codes.push_back(choice.additional->code);
    }
    if (last >= today) {  // the month may still gain minutes
      for (const MonitoringCode* c : FirstCodes(rules, last)) {
        if (m < c->minutes) {
          management_gaps.push_back(
              {c->code, 0, c->minutes - m, false,
               Plural(c->minutes - m, "more minute") + " of management for " + c->code});
        }
      }
      if (choice.first != nullptr && choice.additional != nullptr) {
        const int next =
            choice.first->minutes + choice.additional->minutes * (choice.additional_units + 1) - m;
        management_gaps.push_back(
            {choice.additional->code, 0, next, false,
             Plural(next, "more minute") + " of management for " + choice.additional->code});
      }
      if (!progress.interactive_communication) {
        const std::string code = choice.first != nullptr    ? choice.first->code
                                 : !management_gaps.empty() ? management_gaps.front().code
                                                            : std::string();
        if (!code.empty()) {
          management_gaps.push_back(
              {code, 0, 0, true,
               "an interactive call with the patient is still needed this month"});
        }
      }
    }
  }

  // Device: the period holding the day.
  if (const std::optional<DevicePeriod> p = PeriodHolding(e, day, rules.period_days); p) {
    progress.period_first = p->first;
    progress.period_last = p->last;
    progress.device_days = static_cast<int>(p->dates.size());
    if (e.rtm()) {
      const MonitoringCode* reached =
          ChooseDevice(rules, e.facts->device_kind, progress.device_days, p->last);
      if (reached != nullptr) progress.device_code = reached->code;
      // Days that may still bring data: from today (if it has none yet) to the period's end.
      int days_left = 0;
      if (!progress.ended && p->last >= today) {
        const Day from = std::max(today, p->first);
        days_left = static_cast<int>((p->last - from).count()) + 1;
        if (std::binary_search(p->dates.begin(), p->dates.end(), from)) --days_left;
      }
      for (const MonitoringCode* c : DeviceCodes(rules, e.facts->device_kind, p->last)) {
        const int needed = c->min_days - progress.device_days;
        if (needed <= 0 || needed > days_left) continue;
        device_gaps.push_back(
            {c->code, needed, 0, false, Plural(needed, "more day") + " of data for " + c->code});
      }
    }
  }
  const auto by_need = [](const MonitoringGap& a, const MonitoringGap& b) {
    return std::tie(a.interactive_communication_needed, a.device_days_needed, a.minutes_needed) <
           std::tie(b.interactive_communication_needed, b.device_days_needed, b.minutes_needed);
  };
  std::stable_sort(device_gaps.begin(), device_gaps.end(), by_need);
  std::stable_sort(management_gaps.begin(), management_gaps.end(), by_need);
  progress.missing = std::move(device_gaps);
  progress.missing.insert(progress.missing.end(), management_gaps.begin(), management_gaps.end());
  return progress;
}

std::optional<year_month> ParseMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int year = 0;
  unsigned month = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    if (i < 4) {
      year = year * 10 + (text[i] - '0');
    } else {
      month = month * 10 + static_cast<unsigned>(text[i] - '0');
    }
  }
  const year_month ym{std::chrono::year{year}, std::chrono::month{month}};
  if (!ym.ok() || year == 0) return std::nullopt;
  return ym;
}

std::string FormatMonth(year_month month) {
  char text[16];
  std::snprintf(text, sizeof(text), "%04d-%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return text;
}

const char* DeviceKindName(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kUnspecified:
      return "unspecified";
    case DeviceKind::kMusculoskeletal:
      return "musculoskeletal";
    case DeviceKind::kRespiratory:
      return "respiratory";
    case DeviceKind::kCognitiveBehavioral:
      return "cognitive_behavioral";
  }
  return "unspecified";
}

const char* MonitoringPeriodKindName(MonitoringPeriodKind kind) {
  switch (kind) {
    case MonitoringPeriodKind::kNone:
      return "none";
    case MonitoringPeriodKind::kCalendarMonth:
      return "calendar_month";
    case MonitoringPeriodKind::kDevicePeriod:
      return "device_period";
  }
  return "none";
}

}  // namespace unitclock::core

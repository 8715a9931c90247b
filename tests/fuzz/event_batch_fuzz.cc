#include "tests/fuzz/event_batch_fuzz.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/event.h"
#include "core/event_validation.h"
#include "core/policy.h"
#include "core/session_summary.h"
#include "core/timeline.h"
#include "core/units.h"
#include "plugin/common/policy_files.h"
#include "plugin/service/proto_convert.h"
#include "unitclock/v1/coding.pb.h"
#include "unitclock/v1/session_service.pb.h"

#ifndef UNITCLOCK_POLICY_DIR
#error "UNITCLOCK_POLICY_DIR must name the policy folder (core/policies)"
#endif

namespace unitclock::fuzz {
namespace {

[[noreturn]] void Fail(const char* what, const char* file, int line, const std::string& detail) {
  std::fprintf(stderr, "%s:%d: fuzz invariant violated: %s%s%s\n", file, line, what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// Aborts with the condition's text (and `detail`, a std::string) if it does not hold.
#define FUZZ_CHECK(cond, detail)                            \
  do {                                                      \
    if (!(cond)) Fail(#cond, __FILE__, __LINE__, (detail)); \
  } while (false)

const core::PolicySet& Policies() {
  static const core::PolicySet* const policies = [] {
    absl::StatusOr<core::PolicySet> loaded = common::LoadPolicyFolder(UNITCLOCK_POLICY_DIR);
    if (!loaded.ok()) Fail("policies load", __FILE__, __LINE__, loaded.status().ToString());
    return new core::PolicySet(*std::move(loaded));
  }();
  return *policies;
}

// The charges of billing.json, as the server gives them to the engine.
const std::map<std::string, std::int64_t, std::less<>>& Charges() {
  static const auto* const charges = [] {
    absl::StatusOr<core::exports::BillingConfig> loaded =
        common::LoadBillingConfig(UNITCLOCK_POLICY_DIR);
    if (!loaded.ok()) Fail("billing load", __FILE__, __LINE__, loaded.status().ToString());
    return new std::map<std::string, std::int64_t, std::less<>>(loaded->charge_cents.begin(),
                                                                loaded->charge_cents.end());
  }();
  return *charges;
}

std::string At(core::TimePoint t) { return core::FormatRfc3339(t); }

// Appended piece by piece: GCC 12's -Wrestrict misfires on "literal" +
// std::string&& in Release builds (GCC bug 105329).
std::string Span(const core::Interval& i) {
  std::string out = "[";
  out += At(i.start);
  out += ", ";
  out += At(i.end);
  out += ")";
  return out;
}

std::string Ms(core::Duration d) { return std::to_string(d.count()) + " ms"; }

bool Within(const core::Interval& inner, const core::Interval& outer) {
  return outer.start <= inner.start && inner.end <= outer.end;
}

// A role split has no negative part.
void CheckRoleSplit(const core::RoleSplit& split, const std::string& where) {
  FUZZ_CHECK(
      split.therapist.count() >= 0 && split.assistant.count() >= 0 && split.together.count() >= 0,
      where + ": " + Ms(split.therapist) + ", " + Ms(split.assistant) + ", " + Ms(split.together));
}

// What core/timeline.h promises of every timeline.
void CheckTimeline(const core::Timeline& t) {
  const core::Interval& session = t.session;
  FUZZ_CHECK(session.start <= session.end, Span(session));
  CheckRoleSplit(t.billable_by_role, "billable_by_role");
  // Billable plus excluded time is the session's length: nothing billed
  // beyond the session, nothing lost.
  FUZZ_CHECK(t.billable_total() + t.excluded_total() == session.length(),
             "billable " + Ms(t.billable_total()) + " + excluded " + Ms(t.excluded_total()) +
                 " != session " + Ms(session.length()));
  FUZZ_CHECK(t.billable_total() <= session.length(),
             Ms(t.billable_total()) + " > " + Ms(session.length()));
  // Billable stretches: non-empty, inside the session, in time order, never
  // two at once; they add up to the role split.
  core::Duration billable{0};
  std::optional<core::TimePoint> previous_end;
  for (const core::BillableInterval& b : t.billable) {
    FUZZ_CHECK(!b.interval.empty(), Span(b.interval));
    FUZZ_CHECK(Within(b.interval, session), Span(b.interval) + " outside " + Span(session));
    FUZZ_CHECK(!previous_end || *previous_end <= b.interval.start,
               "overlapping billable time at " + Span(b.interval));
    previous_end = b.interval.end;
    billable += b.interval.length();
  }
  FUZZ_CHECK(billable == t.billable_total(),
             Ms(billable) + " in intervals, " + Ms(t.billable_total()) + " by role");
  // Excluded stretches tile the rest, in time order.
  std::optional<core::TimePoint> previous_excluded_end;
  for (const core::ExcludedInterval& e : t.excluded) {
    FUZZ_CHECK(!e.interval.empty(), Span(e.interval));
    FUZZ_CHECK(Within(e.interval, session), Span(e.interval) + " outside " + Span(session));
    FUZZ_CHECK(!previous_excluded_end || *previous_excluded_end <= e.interval.start,
               "overlapping excluded time at " + Span(e.interval));
    previous_excluded_end = e.interval.end;
  }
  // Each activity's time adds up to its span, which lies in the session; the
  // activities' billable time is the session's.
  core::Duration activities_billable{0};
  for (const core::ActivityTimeline& a : t.activities) {
    CheckRoleSplit(a.billable, "activity " + a.activity_id);
    FUZZ_CHECK(Within(a.span, session), Span(a.span) + " outside " + Span(session));
    core::Duration excluded{0};
    for (const core::ExcludedInterval& e : a.excluded) {
      FUZZ_CHECK(Within(e.interval, a.span), Span(e.interval) + " outside " + Span(a.span));
      excluded += e.interval.length();
    }
    FUZZ_CHECK(a.billable.total() + excluded == a.span.length(),
               "activity " + a.activity_id + ": billable " + Ms(a.billable.total()) +
                   " + excluded " + Ms(excluded) + " != span " + Ms(a.span.length()));
    activities_billable += a.billable.total();
  }
  FUZZ_CHECK(activities_billable == t.billable_total(),
             Ms(activities_billable) + " != " + Ms(t.billable_total()));
}

// The timeline depends only on the set of distinct events (core/timeline.h).
void CheckSameTimeline(const core::Timeline& a, const core::Timeline& b) {
  FUZZ_CHECK(a.session == b.session, Span(a.session) + " vs " + Span(b.session));
  FUZZ_CHECK(a.billable == b.billable, "billable intervals differ");
  FUZZ_CHECK(a.excluded == b.excluded, "excluded intervals differ");
  FUZZ_CHECK(a.activities == b.activities, "activities differ");
  FUZZ_CHECK(a.flags == b.flags, "flags differ");
  FUZZ_CHECK(a.billable_by_role == b.billable_by_role, "role split differs");
}

void CheckSummary(const core::SessionSummary& s, std::span<const core::Event> distinct) {
  FUZZ_CHECK(s.event_count == distinct.size(), std::to_string(s.event_count));
  const bool any_started = std::any_of(distinct.begin(), distinct.end(), [](const core::Event& e) {
    return std::holds_alternative<core::SessionStarted>(e.payload);
  });
  FUZZ_CHECK(s.started.has_value() == any_started, "started");
  FUZZ_CHECK(s.start_time.has_value() == any_started, "start_time");
  FUZZ_CHECK(!distinct.empty() && s.first_event_time && s.last_event_time &&
                 *s.first_event_time <= *s.last_event_time,
             "first and last event times");
}

void CheckProgress(const core::LiveProgress& p, const core::Timeline& timeline) {
  FUZZ_CHECK(p.billable == timeline.billable_total(),
             Ms(p.billable) + " != " + Ms(timeline.billable_total()));
  FUZZ_CHECK(p.billable_minutes >= 0, std::to_string(p.billable_minutes));
  FUZZ_CHECK(p.units >= 0, std::to_string(p.units));
  FUZZ_CHECK(p.minutes_to_next_unit >= 1, std::to_string(p.minutes_to_next_unit));
}

void CheckMethodResult(const core::MethodResult& r) {
  int total = 0;
  for (const auto& [code, units] : r.units) {
    FUZZ_CHECK(units >= 0, code + ": " + std::to_string(units));
    total += units;
  }
  FUZZ_CHECK(total == r.total_units,
             std::to_string(total) + " != " + std::to_string(r.total_units));
}

void CheckSuggestion(const core::Suggestion& s) {
  FUZZ_CHECK(!s.session_ids.empty(), "a suggestion without sessions");
  CheckMethodResult(s.medicare_pooled);
  CheckMethodResult(s.cpt_midpoint);
  const core::Documentation& d = s.documentation;
  FUZZ_CHECK(
      d.total_timed_minutes >= 0 && d.total_timed_minutes <= d.total_treatment_minutes,
      std::to_string(d.total_timed_minutes) + " of " + std::to_string(d.total_treatment_minutes));
  for (const auto& [code, minutes] : d.minutes_by_code) {
    FUZZ_CHECK(minutes > 0, code + ": " + std::to_string(minutes));
  }
  // Medicare pools the day's payable timed minutes T into (T + 7) / 15 units
  // (0 under 8).
  FUZZ_CHECK(s.medicare_pooled.total_units == core::UnitsForMinutes(d.pooled_timed_minutes),
             std::to_string(s.medicare_pooled.total_units) + " units for " +
                 std::to_string(d.pooled_timed_minutes) + " pooled timed minutes");
  for (const core::SuggestedLine& line : s.lines) {
    const std::string where = line.code + " x" + std::to_string(line.units);
    // Only a blocked code keeps a line without a unit.
    FUZZ_CHECK(line.units > 0 || line.blocking, where);
    FUZZ_CHECK(
        line.minutes > 0 && line.assistant_minutes >= 0 && line.assistant_minutes <= line.minutes,
        where + ": " + std::to_string(line.assistant_minutes) + " of " +
            std::to_string(line.minutes) + " minutes");
    FUZZ_CHECK(line.provenance.size() == static_cast<std::size_t>(line.units),
               where + ": " + std::to_string(line.provenance.size()) + " provenance entries");
    for (std::size_t u = 0; u < line.provenance.size(); ++u) {
      FUZZ_CHECK(line.provenance[u].unit_number == static_cast<int>(u) + 1, where);
      for (const core::Interval& i : line.provenance[u].intervals) {
        FUZZ_CHECK(!i.empty(), where + ": " + Span(i));
      }
    }
  }
}

// One session's events, as the store would hold them, and the repeats that arrived.
struct SessionEvents {
  std::vector<core::Event> distinct;      // in arrival order
  std::vector<core::Event> with_repeats;  // distinct plus identical repeats, in arrival order
};

}  // namespace

void FuzzEventBatch(const std::uint8_t* data, std::size_t size) {
  if (size > static_cast<std::size_t>(INT_MAX)) return;
  v1::RecordEventsRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  const core::PolicySet& policies = Policies();

  // Conversion, validation and the store's encoding, event by event.
  std::map<std::string, core::Event> by_id;
  std::map<std::string, SessionEvents> sessions;
  for (const v1::Event& proto : request.events()) {
    absl::StatusOr<core::Event> event = service::EventFromProto(proto);
    if (!event.ok()) {
      FUZZ_CHECK(event.status().code() == absl::StatusCode::kInvalidArgument,
                 event.status().ToString());
      continue;
    }
    const absl::Status valid = core::ValidateEvent(*event);
    if (!valid.ok()) {
      FUZZ_CHECK(valid.code() == absl::StatusCode::kInvalidArgument && !valid.message().empty(),
                 valid.ToString());
      continue;
    }
    absl::StatusOr<core::Event> decoded = service::DecodeEvent(service::EncodeEvent(*event));
    FUZZ_CHECK(decoded.ok(), decoded.status().ToString());
    FUZZ_CHECK(*decoded == *event, "event " + event->event_id + " changed in the store's encoding");

    const auto [known, inserted] = by_id.try_emplace(event->event_id, *event);
    SessionEvents& session = sessions[event->session_id];
    if (inserted) {
      session.distinct.push_back(*event);
      session.with_repeats.push_back(*std::move(event));
    } else if (known->second == *event) {
      session.with_repeats.push_back(*std::move(event));  // ALREADY_RECORDED
    }  // else REJECTED (ALREADY_EXISTS): the id is taken by another event
  }

  // Summary and timeline per session; coding inputs for the started ones.
  std::vector<core::SessionForCoding> coding;
  for (auto& [session_id, events] : sessions) {
    if (events.distinct.empty()) continue;
    const core::SessionSummary summary = core::SummarizeSession(session_id, events.distinct);
    CheckSummary(summary, events.distinct);
    core::Timeline timeline = core::BuildTimeline(events.with_repeats, policies.timeline);
    CheckTimeline(timeline);
    std::vector<core::Event> reversed(events.distinct.rbegin(), events.distinct.rend());
    CheckSameTimeline(timeline, core::BuildTimeline(reversed, policies.timeline));

    v1::Session session_proto;
    service::SummaryToProto(summary, session_proto);
    service::TimelineToProto(timeline, *session_proto.mutable_timeline());

    // WatchSession's view of a live session: counted up to "now".
    std::optional<core::Timeline> live;
    if (!summary.stopped()) {
      live = core::BuildTimeline(events.distinct, policies.timeline,
                                 *summary.last_event_time + std::chrono::minutes(1));
      CheckTimeline(*live);
    }
    if (!summary.started) continue;  // service::ForCoding: FAILED_PRECONDITION
    const core::SessionForCoding watched{session_id, *summary.started, live ? *live : timeline};
    const core::LiveProgress progress = core::ComputeLiveProgress(watched, policies);
    CheckProgress(progress, watched.timeline);
    v1::SessionProgress progress_proto;
    service::ProgressToProto(progress, summary.stopped(), progress_proto);

    coding.push_back(core::SessionForCoding{session_id, *summary.started, std::move(timeline)});
  }

  // The amounts per threshold group, each set or not from the input, never
  // negative (the server refuses those); the sessions' own SessionStarted
  // amounts come with the events.
  core::CodingContext context;
  context.charge_cents = Charges();
  const auto amount = [&](int i) -> std::optional<std::int64_t> {
    if (request.events_size() <= i) return {};
    const std::uint64_t n = request.events(i).sequence_number();
    if (n == 0 || n > static_cast<std::uint64_t>(INT64_MAX)) return {};
    return static_cast<std::int64_t>(n);
  };
  context.year_to_date_pt_slp_cents = amount(0);
  context.year_to_date_ot_cents = amount(1);
  const std::vector<core::Suggestion> suggestions = core::SuggestCodes(coding, policies, context);
  // A session is counted for at most core::kMaxSessionLength (24 hours), so
  // it touches at most three local days (a day is never under 12 hours).
  FUZZ_CHECK(suggestions.size() <= 3 * coding.size(),
             std::to_string(suggestions.size()) + " suggestions for " +
                 std::to_string(coding.size()) + " sessions");
  for (const core::Suggestion& s : suggestions) {
    CheckSuggestion(s);
    v1::Suggestion proto;
    service::SuggestionToProto(s, proto);
  }
}

}  // namespace unitclock::fuzz

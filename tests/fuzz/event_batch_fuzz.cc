#include "tests/fuzz/event_batch_fuzz.h"

#include <google/protobuf/stubs/common.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/event.h"
#include "core/event_validation.h"
#include "core/export/billing_config.h"
#include "core/export/claim.h"
#include "core/export/csv.h"
#include "core/export/x12_837p.h"
#include "core/monitoring.h"
#include "core/policy.h"
#include "core/session_summary.h"
#include "core/timeline.h"
#include "core/units.h"
#include "plugin/common/policy_files.h"
#include "plugin/service/event_decode.h"
#include "plugin/service/proto_convert.h"
#include "tests/testing/wire.h"
#include "unitclock/v1/coding.pb.h"
#include "unitclock/v1/session_service.pb.h"

#ifndef UNITCLOCK_POLICY_DIR
#error "UNITCLOCK_POLICY_DIR must name the policy folder (core/policies)"
#endif

namespace unitclock::fuzz {
namespace {

using testing::LengthDelimited;

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

// billing.json, as the exports read it.
const core::exports::BillingConfig& Billing() {
  static const core::exports::BillingConfig* const billing = [] {
    absl::StatusOr<core::exports::BillingConfig> loaded =
        common::LoadBillingConfig(UNITCLOCK_POLICY_DIR);
    if (!loaded.ok()) Fail("billing load", __FILE__, __LINE__, loaded.status().ToString());
    return new core::exports::BillingConfig(*std::move(loaded));
  }();
  return *billing;
}

// The charges of billing.json, as the server gives them to the engine.
const std::map<std::string, std::int64_t, std::less<>>& Charges() {
  static const auto* const charges = new std::map<std::string, std::int64_t, std::less<>>(
      Billing().charge_cents.begin(), Billing().charge_cents.end());
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

// ---------------------------------------------------------------------------
// The wire: the server's own decoder (plugin/service/event_decode.h), and
// protobuf's reader of unknown fields as an oracle independent of it.

grpc::ByteBuffer ToByteBuffer(std::string_view bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  return grpc::ByteBuffer(&slice, 1);
}

bool IsUtf8(std::string_view text) {
  return google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                             static_cast<int>(text.size()));
}

// The payloads of the top-level length-delimited fields `number` of a
// message, in order, as protobuf's parser of unknown fields reads them;
// nullopt if `bytes` are not wire format.
std::optional<std::vector<std::string>> LengthDelimitedFields(std::string_view bytes, int number) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  std::vector<std::string> payloads;
  for (int i = 0; i < fields.field_count(); ++i) {
    const google::protobuf::UnknownField& field = fields.field(i);
    if (field.number() == number &&
        field.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      payloads.push_back(field.length_delimited());
    }
  }
  return payloads;
}

bool Same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// A RecordEvents body the server cannot decode is INVALID_ARGUMENT naming the
// field: "events: ..." when the body is not wire format, "events[<i>]: not a
// valid unitclock.v1.Event (...)" for its i-th event. Returns i for the latter.
std::optional<std::size_t> CheckBatchDecodeError(const absl::Status& status) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, status.ToString());
  const std::string_view message(status.message().data(), status.message().size());
  if (message.starts_with("events: ")) return std::nullopt;
  FUZZ_CHECK(message.starts_with("events["), status.ToString());
  const std::size_t close = message.find("]: ");
  FUZZ_CHECK(close != std::string_view::npos && close > 7 && close <= 7 + 9, status.ToString());
  std::size_t index = 0;
  for (char c : message.substr(7, close - 7)) {
    FUZZ_CHECK(c >= '0' && c <= '9', status.ToString());
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  FUZZ_CHECK(message.substr(close + 3).starts_with("not a valid unitclock.v1.Event"),
             status.ToString());
  return index;
}

// The bytes the log keeps of a received event are that event: they parse to
// it.
void CheckReceivedBytes(const service::ReceivedEvent& received) {
  v1::Event reparsed;
  FUZZ_CHECK(reparsed.ParseFromString(received.bytes) && Same(reparsed, received.event),
             "the received bytes kept are not the event decoded");
}

// One PublishEvents message through the server's decoder: its event, or,
// when the decoder refuses it, nullopt after checking the acknowledgement the
// stream sends instead (REJECTED, INVALID_ARGUMENT naming the field, the
// event_id echoed when it can be read) and goes on.
std::optional<v1::Event> DecodePublishMessage(std::string_view message) {
  std::variant<service::ReceivedEvent, v1::EventAcknowledgement> decoded =
      service::DecodePublishEventsRequest(ToByteBuffer(message));
  v1::PublishEventsRequest parsed;
  const bool protobuf_parses =
      parsed.ParseFromArray(message.data(), static_cast<int>(message.size()));
  if (service::ReceivedEvent* received = std::get_if<service::ReceivedEvent>(&decoded)) {
    // What gRPC's generated code would have read, the decoder reads the same.
    FUZZ_CHECK(!protobuf_parses || Same(received->event, parsed.event()),
               "the decoder's event differs from protobuf's");
    CheckReceivedBytes(*received);
    return std::move(received->event);
  }
  const v1::EventAcknowledgement& ack = std::get<v1::EventAcknowledgement>(decoded);
  FUZZ_CHECK(!protobuf_parses, "a message protobuf parses was refused: " + ack.error_message());
  FUZZ_CHECK(ack.outcome() == v1::EventAcknowledgement::OUTCOME_REJECTED,
             v1::EventAcknowledgement::Outcome_Name(ack.outcome()));
  FUZZ_CHECK(ack.error_code() == static_cast<int>(absl::StatusCode::kInvalidArgument),
             std::to_string(ack.error_code()));
  FUZZ_CHECK(ack.error_message().starts_with("event: not a valid unitclock.v1.Event"),
             ack.error_message());
  // The acknowledgement reaches the client as it was made.
  FUZZ_CHECK(IsUtf8(ack.event_id()), "an echoed event_id that is not UTF-8");
  v1::EventAcknowledgement received;
  FUZZ_CHECK(received.ParseFromString(ack.SerializeAsString()) && Same(received, ack),
             "the acknowledgement does not survive its encoding");
  // The echo: the last length-delimited event_id (field 1) of the event (the
  // merge of every field 1 of the message), if it is UTF-8; else nothing.
  if (std::optional<std::vector<std::string>> parts = LengthDelimitedFields(message, 1)) {
    std::string event_bytes;
    for (const std::string& part : *parts) event_bytes += part;
    if (std::optional<std::vector<std::string>> ids = LengthDelimitedFields(event_bytes, 1)) {
      const std::string expected = ids->empty() || !IsUtf8(ids->back()) ? "" : ids->back();
      FUZZ_CHECK(ack.event_id() == expected,
                 "echoed \"" + ack.event_id() + "\", not \"" + expected + "\"");
    }
  }
  // (The echo need not occur in the message as such: the event is the
  // concatenation of the message's event fields, and an event_id may span two
  // of them; see regressions/interesting-event-id-across-two-event-fields-*.)
  return std::nullopt;
}

// The references an 837P carries, or a monitoring line may: the field path
// of the event's payload ("event.session_started.") and its references, in
// the order validation checks them; empty for a payload without any.
std::pair<std::string, std::vector<std::pair<std::string_view, std::string*>>> References(
    core::Event& event) {
  if (auto* s = std::get_if<core::SessionStarted>(&event.payload)) {
    return {"event.session_started.",
            {{"platform", &s->platform},
             {"patient_ref", &s->patient_ref},
             {"provider_ref", &s->provider_ref}}};
  }
  if (auto* s = std::get_if<core::MonitoringEpisodeStarted>(&event.payload)) {
    return {"event.monitoring_episode_started.",
            {{"platform", &s->platform},
             {"patient_ref", &s->patient_ref},
             {"provider_ref", &s->provider_ref}}};
  }
  if (auto* t = std::get_if<core::TreatmentManagementRecorded>(&event.payload)) {
    return {"event.treatment_management_recorded.", {{"clinician_ref", &t->clinician_ref}}};
  }
  if (auto* c = std::get_if<core::InteractiveCommunicationHeld>(&event.payload)) {
    return {"event.interactive_communication_held.", {{"clinician_ref", &c->clinician_ref}}};
  }
  return {};
}

// An accepted event holds no X12 delimiter in its references, and an event
// refused only for delimiters is refused naming the first reference that
// holds one.
void CheckReferences(const core::Event& event, const absl::Status& valid) {
  core::Event copy = event;
  const auto [prefix, references] = References(copy);
  std::optional<std::string_view> first;
  for (const auto& [name, value] : references) {
    if (core::HasX12Delimiter(*value)) {
      first = name;
      break;
    }
  }
  if (valid.ok()) {
    FUZZ_CHECK(!first, "accepted with an X12 delimiter in " + std::string(first.value_or("")));
    return;
  }
  if (!first) return;
  // The same event with each delimiter replaced: if that one is valid, the
  // delimiters were the only fault.
  for (const auto& [name, value] : references) {
    std::replace_if(
        value->begin(), value->end(),
        [](char c) {
          return core::HasX12Delimiter({&c, 1});
        },
        '_');
  }
  if (!core::ValidateEvent(copy).ok()) return;
  FUZZ_CHECK(valid.code() == absl::StatusCode::kInvalidArgument &&
                 std::string(valid.message()).starts_with(prefix + std::string(*first) + ": "),
             valid.ToString());
}

// Conversion, validation and the store's encoding of one decoded event, as
// the server's intake does them: the event if it is accepted.
std::optional<core::Event> Intake(const v1::Event& proto) {
  absl::StatusOr<core::Event> event = service::EventFromProto(proto);
  if (!event.ok()) {
    FUZZ_CHECK(event.status().code() == absl::StatusCode::kInvalidArgument,
               event.status().ToString());
    return std::nullopt;
  }
  const absl::Status valid = core::ValidateEvent(*event);
  CheckReferences(*event, valid);
  if (!valid.ok()) {
    FUZZ_CHECK(valid.code() == absl::StatusCode::kInvalidArgument && !valid.message().empty(),
               valid.ToString());
    return std::nullopt;
  }
  absl::StatusOr<core::Event> decoded = service::DecodeEvent(service::EncodeEvent(*event));
  FUZZ_CHECK(decoded.ok(), decoded.status().ToString());
  FUZZ_CHECK(*decoded == *event, "event " + event->event_id + " changed in the store's encoding");
  return *std::move(event);
}

// ---------------------------------------------------------------------------
// The exports

// One field of RFC 4180 text: its value, and the first character as written.
struct CsvField {
  std::string value;
  char written_first = '\0';
};

// Reads RFC 4180 text (records ended by CRLF) into records of fields; false
// if it is malformed.
bool ParseCsv(std::string_view text, std::vector<std::vector<CsvField>>& records) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::vector<CsvField>& record = records.emplace_back();
    while (true) {
      CsvField& field = record.emplace_back();
      if (i < text.size()) field.written_first = text[i];
      if (i < text.size() && text[i] == '"') {
        for (++i;; ++i) {
          if (i >= text.size()) return false;
          if (text[i] != '"') {
            field.value.push_back(text[i]);
          } else if (i + 1 < text.size() && text[i + 1] == '"') {
            field.value.push_back('"');
            ++i;
          } else {
            ++i;
            break;
          }
        }
      } else {
        for (; i < text.size() && text[i] != ',' && text[i] != '\r'; ++i) {
          if (text[i] == '"' || text[i] == '\n') return false;
          field.value.push_back(text[i]);
        }
      }
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (text.substr(i, 2) != "\r\n") return false;
      i += 2;
      break;
    }
  }
  return true;
}

bool StartsLikeAFormula(std::string_view text) {
  return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

// The CSV export of `claims`: a header and one record per line; every field
// reads back as the value (a text cell that a spreadsheet would take for a
// formula, beginning with = + - @ tab or CR, as that value after a single
// quote); no field is written beginning with one of those.
void CheckCsv(std::span<const core::exports::Claim> claims, const std::string& csv) {
  std::vector<std::vector<CsvField>> records;
  FUZZ_CHECK(ParseCsv(csv, records), "the CSV export is not RFC 4180");
  std::size_t lines = 0;
  for (const core::exports::Claim& claim : claims) lines += claim.lines.size();
  FUZZ_CHECK(records.size() == 1 + lines,
             std::to_string(records.size()) + " records for " + std::to_string(lines) + " lines");
  std::size_t r = 1;
  for (const core::exports::Claim& claim : claims) {
    for (const core::exports::ClaimLine& line : claim.lines) {
      const std::vector<CsvField>& record = records[r++];
      FUZZ_CHECK(record.size() == 12, "record " + std::to_string(r - 1) + ": " +
                                          std::to_string(record.size()) + " fields");
      std::string modifiers;
      for (const std::string& m : line.modifiers) modifiers += (modifiers.empty() ? "" : " ") + m;
      const std::string texts[] = {core::FormatDay(claim.date_of_service),
                                   claim.platform,
                                   claim.patient_ref,
                                   claim.provider_ref,
                                   claim.payer_id,
                                   line.code,
                                   modifiers,
                                   std::to_string(line.units),
                                   std::to_string(line.minutes),
                                   line.place_of_service,
                                   claim.suggestion_id,
                                   claim.review_id};
      for (std::size_t f = 0; f < 12; ++f) {
        const bool number = f == 7 || f == 8;
        const std::string& expected =
            !number && StartsLikeAFormula(texts[f]) ? "'" + texts[f] : texts[f];
        FUZZ_CHECK(record[f].value == expected, "field " + std::to_string(f) + " reads \"" +
                                                    record[f].value + "\", not \"" + expected +
                                                    "\"");
        FUZZ_CHECK(!StartsLikeAFormula({&record[f].written_first, 1}),
                   "field " + std::to_string(f) + " is written as a formula");
      }
    }
  }
}

// The 837P of one exportable claim: its subscriber segment NM1*IL carries the
// patient reference whole, as the last name and the member id, in exactly
// the ten elements it has (a delimiter inside would split it).
void CheckX12(const core::exports::Claim& claim, const std::string& x12) {
  std::vector<std::string_view> subscribers;
  for (std::size_t start = 0; start < x12.size();) {
    const std::size_t end = std::min(x12.find('~', start), x12.size());
    const std::string_view segment = std::string_view(x12).substr(start, end - start);
    if (segment.starts_with("NM1*IL*")) subscribers.push_back(segment);
    start = end + 1;
  }
  FUZZ_CHECK(subscribers.size() == 1, std::to_string(subscribers.size()) + " NM1*IL segments");
  std::vector<std::string_view> elements;
  for (std::size_t start = 0;;) {
    const std::size_t end = subscribers[0].find('*', start);
    elements.push_back(subscribers[0].substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  FUZZ_CHECK(
      elements.size() == 10 && elements[3] == claim.patient_ref && elements[9] == claim.patient_ref,
      std::string(subscribers[0]));
}

// The suggestions as if approved as suggested, exported: one claim per
// suggestion with lines, its references from the first session's
// SessionStarted, as the review desk makes them.
void CheckExports(std::span<const core::Suggestion> suggestions,
                  std::span<const core::SessionForCoding> sessions) {
  std::map<std::string_view, const core::SessionStarted*> facts;
  for (const core::SessionForCoding& s : sessions) facts.emplace(s.session_id, &s.facts);
  std::vector<core::exports::Claim> claims;
  for (std::size_t i = 0; i < suggestions.size(); ++i) {
    const core::Suggestion& s = suggestions[i];
    if (s.lines.empty()) continue;
    const auto it = facts.find(s.session_ids.front());
    FUZZ_CHECK(it != facts.end(), "a suggestion of unknown session " + s.session_ids.front());
    core::exports::Claim claim;
    claim.suggestion_id = "s" + std::to_string(i);
    claim.review_id = std::to_string(i + 1);
    claim.platform = it->second->platform;
    claim.patient_ref = s.patient_ref;
    claim.provider_ref = it->second->provider_ref;
    claim.payer_id = s.payer_id;
    claim.date_of_service = s.date_of_service;
    for (const core::SuggestedLine& line : s.lines) {
      claim.lines.push_back(
          {line.code, line.modifiers, line.units, line.minutes, line.place_of_service});
    }
    claims.push_back(std::move(claim));
  }
  if (claims.empty()) return;
  CheckCsv(claims, core::exports::WriteCsv(claims));
  for (const core::exports::Claim& claim : claims) {
    const absl::Status exportable = core::exports::CheckExportableClaim(claim, Billing());
    // Intake refused every reference with a delimiter: no claim is left out for one.
    FUZZ_CHECK(std::string(exportable.message()).find("X12 delimiter") == std::string::npos,
               exportable.ToString());
    if (!exportable.ok()) continue;
    CheckX12(claim, core::exports::WriteX12_837P({&claim, 1}, Billing(), {}));
  }
}

}  // namespace

// Remote monitoring over the same input: every session read as an episode
// (visit payloads in it are ignored), its months coded, order-free, and the
// results within their own rules.
void CheckMonitoring(const std::map<std::string, SessionEvents>& sessions,
                     const std::vector<core::SessionForCoding>& coding,
                     const core::PolicySet& policies) {
  std::vector<core::MonitoringEpisode> episodes;
  std::vector<core::MonitoringEpisode> reversed_episodes;
  std::optional<core::TimePoint> latest;
  for (const auto& [session_id, events] : sessions) {
    if (events.distinct.empty()) continue;
    core::MonitoringEpisode episode = core::SummarizeEpisode(session_id, events.with_repeats);
    std::vector<core::Event> reversed(events.distinct.rbegin(), events.distinct.rend());
    FUZZ_CHECK(core::SummarizeEpisode(session_id, reversed) == episode,
               "an episode's summary depends on the order of its events");
    for (const core::Event& e : events.distinct) {
      if (!latest || e.occurred_at > *latest) latest = e.occurred_at;
    }
    if (!episode.started) continue;
    episodes.push_back(std::move(episode));
  }
  if (episodes.empty()) return;
  reversed_episodes.assign(episodes.rbegin(), episodes.rend());
  std::vector<core::MonitoringVisit> visits;
  for (const core::SessionForCoding& s : coding) visits.push_back(core::VisitForMonitoring(s));
  const core::TimePoint now = *latest + std::chrono::days(40);
  // The months the episodes start in (the first few: the rest is more of the same).
  std::set<std::chrono::year_month> months;
  for (const core::MonitoringEpisode& episode : episodes) {
    if (months.size() < 4) {
      months.insert(core::MonthOf(std::chrono::floor<std::chrono::days>(*episode.start_time)));
    }
  }
  for (const std::chrono::year_month month : months) {
    const std::vector<core::Suggestion> suggested =
        core::SuggestMonitoringCodes(episodes, visits, month, policies, now);
    FUZZ_CHECK(
        core::SuggestMonitoringCodes(reversed_episodes, visits, month, policies, now) == suggested,
        "a month's suggestions depend on the order of its episodes");
    for (const core::Suggestion& s : suggested) {
      FUZZ_CHECK(s.monitoring.has_value(), "a monitoring suggestion without its period");
      FUZZ_CHECK(s.monitoring->management_minutes ==
                     static_cast<int>(s.monitoring->management / std::chrono::minutes(1)),
                 "management minutes are not the whole minutes of the counted time");
      for (const core::SuggestedLine& l : s.lines) {
        FUZZ_CHECK(l.units >= 1, "a monitoring line of " + l.code + " without units");
      }
      v1::Suggestion proto;
      service::SuggestionToProto(s, proto);
    }
  }
  for (std::size_t i = 0; i < episodes.size() && i < 4; ++i) {
    if (const std::optional<core::MonitoringProgress> progress = core::ComputeMonitoringProgress(
            episodes[i].episode_id, episodes, visits, policies, now)) {
      service::MonitoringProgressToProto(*progress);
    }
  }
}

void FuzzEventBatch(const std::uint8_t* data, std::size_t size) {
  if (size > static_cast<std::size_t>(INT_MAX)) return;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // RecordEvents: the whole input as its body, through the server's decoder,
  // which reads at least what protobuf reads, the same.
  const absl::StatusOr<std::vector<service::ReceivedEvent>> batch =
      service::DecodeRecordEventsRequest(ToByteBuffer(bytes));
  std::optional<std::size_t> undecodable_in_batch;
  if (!batch.ok()) undecodable_in_batch = CheckBatchDecodeError(batch.status());
  v1::RecordEventsRequest parsed;
  if (parsed.ParseFromArray(data, static_cast<int>(size))) {
    FUZZ_CHECK(batch.ok(),
               "protobuf parses a body the decoder refuses: " + batch.status().ToString());
    FUZZ_CHECK(std::ssize(*batch) == parsed.events_size(),
               "the decoder reads " + std::to_string(batch->size()) + " events, protobuf " +
                   std::to_string(parsed.events_size()));
    for (int i = 0; i < parsed.events_size(); ++i) {
      FUZZ_CHECK(Same((*batch)[i].event, parsed.events(i)),
                 "the decoder's event " + std::to_string(i) + " differs from protobuf's");
      CheckReceivedBytes((*batch)[i]);
    }
  }

  // PublishEvents: the whole input as one message of the stream.
  if (std::optional<v1::Event> event = DecodePublishMessage(bytes)) Intake(*event);

  // PublishEvents again: each event of the body as one message of a stream,
  // in order. An undecodable one is acknowledged REJECTED, and the stream
  // goes on with the next; the events it records go on through the pipeline.
  const std::optional<std::vector<std::string>> parts = LengthDelimitedFields(bytes, 1);
  if (!parts) return;
  std::vector<v1::Event> stream;
  std::optional<std::size_t> first_refused;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    if (std::optional<v1::Event> event = DecodePublishMessage(LengthDelimited(1, (*parts)[i]))) {
      stream.push_back(*std::move(event));
    } else if (!first_refused) {
      first_refused = i;
    }
  }
  // RecordEvents takes a batch whole or not at all, naming the first event
  // that cannot be decoded: the one the stream refused first.
  if (batch.ok()) {
    FUZZ_CHECK(!first_refused && batch->size() == stream.size(),
               "the stream and the batch decode different events");
    for (std::size_t i = 0; i < stream.size(); ++i) {
      FUZZ_CHECK(Same(stream[i], (*batch)[i].event),
                 "event " + std::to_string(i) + " decodes differently in a stream");
    }
  } else if (undecodable_in_batch) {
    FUZZ_CHECK(first_refused == undecodable_in_batch,
               batch.status().ToString() + ", but the stream refused message " +
                   (first_refused ? std::to_string(*first_refused) : "none"));
  }

  const core::PolicySet& policies = Policies();

  // Conversion, validation and the store's encoding, event by event.
  std::map<std::string, core::Event> by_id;
  std::map<std::string, SessionEvents> sessions;
  for (const v1::Event& proto : stream) {
    std::optional<core::Event> event = Intake(proto);
    if (!event) continue;
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
  const auto amount = [&](std::size_t i) -> std::optional<std::int64_t> {
    if (stream.size() <= i) return {};
    const std::uint64_t n = stream[i].sequence_number();
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
  CheckExports(suggestions, coding);
  CheckMonitoring(sessions, coding, policies);
}

}  // namespace unitclock::fuzz

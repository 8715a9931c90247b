#pragma once

#include <google/protobuf/generated_enum_reflection.h>

#include <chrono>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/coding.h"
#include "core/event.h"
#include "core/export/claim.h"
#include "core/monitoring.h"
#include "core/review.h"
#include "core/session_summary.h"
#include "core/timeline.h"
#include "plugin/store/record_codec.h"
#include "unitclock/v1/coding.pb.h"
#include "unitclock/v1/event.pb.h"
#include "unitclock/v1/review.pb.h"
#include "unitclock/v1/session_service.pb.h"

// The one place where the public API's messages and the core's values meet.
namespace unitclock::service {

// Approved lines convert as the review ledger stores them (record_codec.h).
using store::ApprovedLineFromProto;
using store::ApprovedLineToProto;

// Converts an API event to a core event. INVALID_ARGUMENT naming the field
// for what cannot be represented (an invalid timestamp, an unknown enum
// value). Does not validate the rest: see core::ValidateEvent.
absl::StatusOr<core::Event> EventFromProto(const v1::Event& event);

// Converts an API timestamp to a core time point, dropping sub-millisecond
// digits. INVALID_ARGUMENT "<field>: not a valid timestamp" outside the
// range 0001-01-01 to 9999-12-31 or with nanos outside 0..999999999.
absl::StatusOr<core::TimePoint> TimeFromProto(const google::protobuf::Timestamp& t,
                                              const std::string& field);

// Converts a core event back to the API.
v1::Event EventToProto(const core::Event& event);

// The canonical encoding of an event, as stored: the deterministic
// serialization of EventToProto(event). Two events have the same encoding
// exactly when they are equal as core values.
std::string EncodeEvent(const core::Event& event);

// Decodes what EncodeEvent wrote. INTERNAL if the bytes are not an event.
absl::StatusOr<core::Event> DecodeEvent(std::string_view bytes);

// Enum fields of requests. proto3 keeps a number it does not know, so every
// enum a request carries is checked here before it is used: a value the API
// does not define is an error, never a silent default or an empty answer.

// OK if `value` is a value that `type` defines (UNSPECIFIED included);
// otherwise INVALID_ARGUMENT "<field>: <value> is not a <Type>", e.g.
// "states[0]: 42 is not a ReviewState".
absl::Status CheckEnumValue(const google::protobuf::EnumDescriptor& type, int value,
                            std::string_view field);

template <typename ProtoEnum>
absl::Status CheckEnumValue(int value, std::string_view field) {
  return CheckEnumValue(*google::protobuf::GetEnumDescriptor<ProtoEnum>(), value, field);
}

// The view a request asks for in its field "view": `fallback` when
// unspecified. INVALID_ARGUMENT for a value SessionView does not define.
absl::StatusOr<v1::SessionView> ViewFromRequest(int view, v1::SessionView fallback);

// The states ListSuggestions keeps: those of the field "states", or pending
// and needs-re-review when it is empty. INVALID_ARGUMENT naming the element
// ("states[i]") for a value ReviewState does not define, or for
// REVIEW_STATE_UNSPECIFIED, which no suggestion has.
absl::StatusOr<std::set<v1::ReviewState>> StatesFromRequest(
    const v1::ListSuggestionsRequest& request);

// Writes a session's summary into `session` (name, facts, times, count).
void SummaryToProto(const core::SessionSummary& summary, v1::Session& session);

// Writes a session's timeline into `out`: intervals, totals in whole seconds
// and minutes (rounded down once, from exact milliseconds), flags.
void TimelineToProto(const core::Timeline& timeline, v1::Timeline& out);

// Writes a coding suggestion into `out`.
void SuggestionToProto(const core::Suggestion& suggestion, v1::Suggestion& out);

// Writes a live session's running totals into `out`.
void ProgressToProto(const core::LiveProgress& progress, bool stopped, v1::SessionProgress& out);

// ---- Remote monitoring ----
// (A suggestion's `monitoring` period and its lines' provenance dates are
// SuggestionToProto's.)

// A monitoring episode's running month, for WatchMonitoring: the month as
// "YYYY-MM", the device period's dates as "YYYY-MM-DD".
v1::MonitoringProgress MonitoringProgressToProto(const core::MonitoringProgress& progress);

// ---- Review ----

// A date field of a request ("YYYY-MM-DD"). INVALID_ARGUMENT naming `field`
// otherwise.
absl::StatusOr<core::Day> DayFromRequest(const std::string& text, const std::string& field);

// The key of a suggestion's resource name "suggestions/{id}"
// (core::ParseSuggestionId). Otherwise INVALID_ARGUMENT naming `field` and
// the expected form, without repeating the name.
absl::StatusOr<core::SuggestionKey> SuggestionKeyFromName(const std::string& name,
                                                          const std::string& field);

// The etag of a suggestion's numbers: a hash of the deterministic encoding
// of its lines (code, units, modifiers, place of service, minutes, blocking)
// and warning codes. Changes when late events change what would be billed.
// Stored in audit records: its definition must not change.
std::string SuggestionEtag(const core::Suggestion& suggestion);

v1::ReviewState ReviewStateToProto(core::ReviewState state);
void ReviewedSuggestionToProto(const core::ReviewedSuggestion& suggestion,
                               v1::ReviewedSuggestion& out);
void AuditRecordToProto(const core::ReviewRecord& record, v1::AuditRecord& out);

// A ReviewSuggestion request as the review desk takes it. INVALID_ARGUMENT
// naming the field: a malformed name, an action that is not approve, amend
// or reject. (The desk checks the references: ReviewDesk::Review.)
absl::StatusOr<core::ReviewCommand> ReviewCommandFromProto(
    const v1::ReviewSuggestionRequest& request);

// An ExportClaims request as the review desk takes it. INVALID_ARGUMENT
// naming the field: an unknown or unspecified format, a malformed date.
absl::StatusOr<core::exports::ExportRequest> ExportRequestFromProto(
    const v1::ExportClaimsRequest& request);

}  // namespace unitclock::service

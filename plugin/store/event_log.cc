#include "plugin/store/event_log.h"

#include <future>
#include <string>
#include <utility>

#include "absl/strings/cord.h"

namespace unitclock::store {
namespace {

// Where an ALREADY_EXISTS of CompareWithStored keeps the stored payload.
constexpr absl::string_view kStoredPayloadUrl = "type.unitclock.dev/stored-payload";

}  // namespace

absl::StatusOr<AppendOutcome> CompareWithStored(std::string_view stored_session,
                                                std::int64_t stored_occurred_at_ms,
                                                std::string_view stored_payload,
                                                const StoredEvent& e) {
  const bool same_place = stored_session == e.session_id &&
                          stored_occurred_at_ms == e.occurred_at.time_since_epoch().count();
  if (same_place && stored_payload == e.payload) return AppendOutcome::kAlreadyRecorded;
  absl::Status different = absl::AlreadyExistsError(
      "event.event_id: an event with this id was already recorded with different content; "
      "use a new event_id for a new event");
  if (same_place)
    different.SetPayload(kStoredPayloadUrl, absl::Cord(absl::string_view(stored_payload.data(),
                                                                         stored_payload.size())));
  return different;
}

std::optional<std::string> StoredPayloadOf(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kAlreadyExists) return std::nullopt;
  absl::optional<absl::Cord> payload = status.GetPayload(kStoredPayloadUrl);
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

absl::StatusOr<AppendResults> EventLog::Append(std::span<const StoredEvent> events) {
  // std::promise, not absl::Notification: ThreadSanitizer sees through it.
  std::promise<absl::StatusOr<AppendResults>> done;
  std::future<absl::StatusOr<AppendResults>> out = done.get_future();
  AppendAsync(
      std::vector<StoredEvent>(events.begin(), events.end()),
      [&done](absl::StatusOr<AppendResults> results) { done.set_value(std::move(results)); });
  return out.get();
}

}  // namespace unitclock::store

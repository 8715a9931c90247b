#include "plugin/store/event_log.h"

#include <future>
#include <utility>

namespace unitclock::store {

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

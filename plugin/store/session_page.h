#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "plugin/store/event_log.h"

// Paging of EventLog::ListSessions, the same on every backend, so that a
// page token means the same whichever instance or backend wrote it.
namespace unitclock::store {

// The listing key of a session without a SessionStarted event: such
// sessions sort first.
inline constexpr std::int64_t kNoStart = std::numeric_limits<std::int64_t>::min();

// Where a page resumes: after the session with this listing key.
struct PageCursor {
  std::int64_t start_ms = kNoStart;
  std::string session_id;
  bool first_page = true;  // no token: from the start
};

// Checks `query`'s page size and reads its page token. INVALID_ARGUMENT
// naming the field for a size outside 1..1000 or a token ListSessions did
// not write.
absl::StatusOr<PageCursor> ReadPageCursor(const SessionQuery& query);

// The token of the page that follows the session (start_ms, session_id).
// Clients treat it as opaque; it is "<start_ms>/<session_id>".
std::string MakePageToken(std::int64_t start_ms, std::string_view session_id);

}  // namespace unitclock::store

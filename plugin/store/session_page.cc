#include "plugin/store/session_page.h"

#include <charconv>

#include "absl/status/status.h"

namespace unitclock::store {

absl::StatusOr<PageCursor> ReadPageCursor(const SessionQuery& query) {
  if (query.page_size < 1 || query.page_size > 1000) {
    return absl::InvalidArgumentError("page_size: must be between 1 and 1000");
  }
  PageCursor cursor;
  if (query.page_token.empty()) return cursor;
  const std::string& token = query.page_token;
  const auto slash = token.find('/');
  const auto invalid =
      absl::InvalidArgumentError("page_token: not a token returned by ListSessions");
  if (slash == std::string::npos || slash + 1 >= token.size()) return invalid;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + slash, cursor.start_ms);
  if (ec != std::errc() || ptr != token.data() + slash) return invalid;
  cursor.session_id = token.substr(slash + 1);
  cursor.first_page = false;
  return cursor;
}

std::string MakePageToken(std::int64_t start_ms, std::string_view session_id) {
  return std::to_string(start_ms) + "/" + std::string(session_id);
}

}  // namespace unitclock::store

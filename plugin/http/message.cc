#include "plugin/http/message.h"

#include <cctype>

#include "plugin/http/status.h"

namespace unitclock::http {
namespace {

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  const auto it = headers.find(Lowercase(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  const auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string_view Request::Param(std::string_view name) const {
  const auto it = path_params.find(std::string(name));
  if (it == path_params.end()) return {};
  return it->second;
}

std::optional<std::string_view> Request::BearerToken() const {
  std::optional<std::string_view> value = Authorization();
  if (!value) return std::nullopt;
  constexpr std::string_view kScheme = "bearer";
  if (value->size() <= kScheme.size() || Lowercase(value->substr(0, kScheme.size())) != kScheme ||
      value->at(kScheme.size()) != ' ') {
    return std::nullopt;
  }
  std::string_view token = value->substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

Response Response::Json(std::string body, unsigned status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Error(const absl::Status& status) {
  if (status.ok()) {
    return Json(ErrorJson(500, absl::StatusCode::kInternal, "handler answered an error of OK"),
                500);
  }
  const unsigned http_status = HttpStatusFor(status.code());
  return Json(ErrorJson(http_status, status.code(), std::string(status.message())), http_status);
}

Response Response::Download(std::string_view filename, std::string content_type, std::string body) {
  // Only a plain name: no quote, backslash, CR/LF or path can reach the
  // header, nor a name the browser would treat as a path.
  std::string safe;
  for (const char c : filename) {
    const bool plain =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    safe += plain ? c : '_';
  }
  if (safe.empty() || safe.find_first_not_of('.') == std::string::npos) safe = "download";
  Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + safe + "\"");
  return r;
}

Response Response::Stream(std::function<void(std::shared_ptr<EventStream>)> start) {
  Response r;
  r.content_type = "text/event-stream";
  r.start_stream = std::move(start);
  return r;
}

}  // namespace unitclock::http

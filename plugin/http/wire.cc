#include "plugin/http/wire.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "plugin/http/status.h"

namespace unitclock::http::wire {
namespace {

bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Headers the server owns: a handler setting them is a programming error.
bool IsServerOwned(std::string_view name) {
  for (const std::string_view owned :
       {"content-length", "transfer-encoding", "connection", "content-type",
        "content-security-policy", "x-content-type-options", "referrer-policy"}) {
    if (EqualsIgnoreCase(name, owned)) return true;
  }
  return false;
}

void SetSecurityHeaders(bhttp::fields& fields) {
  // Beast's string_view is Boost's, which std::string_view does not convert to.
  fields.set("Content-Security-Policy", boost::beast::string_view(kContentSecurityPolicy.data(),
                                                                  kContentSecurityPolicy.size()));
  fields.set("X-Content-Type-Options", "nosniff");
  fields.set("Referrer-Policy", "no-referrer");
}

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void ConfigureParser(RequestParser& parser, std::size_t max_header_bytes,
                     std::size_t max_body_bytes) {
  // header_limit takes a uint32; a larger limit is no limit worth having.
  parser.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(max_header_bytes, 1u << 30)));
  parser.body_limit(max_body_bytes);
}

unsigned StatusForReadError(const boost::beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  // end_of_stream: the client closed between requests; partial_message: it
  // closed halfway through one. Neither can read an answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return 0;
  // Every other error of Beast's HTTP category is a malformed request.
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) return 400;
  return 0;
}

Response TransportError(unsigned http_status, std::string_view message) {
  absl::StatusCode code = absl::StatusCode::kInternal;
  switch (http_status) {
    case 400:
      code = absl::StatusCode::kInvalidArgument;
      break;
    case 404:
      code = absl::StatusCode::kNotFound;
      break;
    case 405:
      code = absl::StatusCode::kUnimplemented;
      break;
    case 408:
      code = absl::StatusCode::kDeadlineExceeded;
      break;
    case 413:
    case 431:
      code = absl::StatusCode::kResourceExhausted;
      break;
    case 503:
      code = absl::StatusCode::kUnavailable;
      break;
    default:
      break;
  }
  return Response::Json(ErrorJson(http_status, code, message), http_status);
}

Prepared Prepare(const Router& router, WireRequest&& message) {
  Prepared prepared;
  const std::string_view method(message.method_string().data(), message.method_string().size());
  const std::string_view target(message.target().data(), message.target().size());
  prepared.route = router.Route(method, target);
  if (prepared.route.handler == nullptr) return prepared;
  Request& request = prepared.request;
  request.method = std::string(method);
  request.route = prepared.route.route;
  request.path_params = prepared.route.path_params;
  request.query = prepared.route.query;
  for (const auto& field : message) {
    request.headers.emplace(
        Lowercase(std::string_view(field.name_string().data(), field.name_string().size())),
        std::string(field.value().data(), field.value().size()));
  }
  request.body = std::move(message.body());
  return prepared;
}

Response RouteError(const RouteResult& route) {
  Response response = TransportError(route.status, route.error);
  if (route.status == 405) response.headers.emplace_back("Allow", route.allow);
  return response;
}

bool IsValidHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

WireResponse Render(Response response, unsigned version, bool keep_alive, bool head) {
  bool valid = response.status >= 200 && response.status <= 599 &&
               IsValidHeader("Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) {
    valid = valid && IsValidHeader(name, value) && !IsServerOwned(name);
  }
  if (!valid) {
    response = TransportError(500, "the handler's response is malformed");
  }
  WireResponse out;
  out.version(version == 10 ? 10 : 11);
  out.result(response.status);
  bool cache_control = false;
  for (const auto& [name, value] : response.headers) {
    out.insert(name, value);
    cache_control = cache_control || EqualsIgnoreCase(name, "cache-control");
  }
  if (!cache_control) out.set(bhttp::field::cache_control, "no-store");
  SetSecurityHeaders(out);
  out.keep_alive(keep_alive);
  // 204 and 304 have no body, hence no Content-Type or Content-Length either.
  if (response.status == 204 || response.status == 304) return out;
  if (!response.content_type.empty()) out.set(bhttp::field::content_type, response.content_type);
  out.content_length(response.body.size());
  if (!head) out.body() = std::move(response.body);
  return out;
}

bhttp::response<bhttp::empty_body> StreamHeader(unsigned version) {
  bhttp::response<bhttp::empty_body> out;
  out.version(version == 10 ? 10 : 11);
  out.result(bhttp::status::ok);
  out.set(bhttp::field::content_type, "text/event-stream");
  out.set(bhttp::field::cache_control, "no-store");
  SetSecurityHeaders(out);
  out.keep_alive(false);
  return out;
}

}  // namespace unitclock::http::wire

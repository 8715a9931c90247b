#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plugin/http/message.h"

// Routing in the style of gRPC HTTP transcoding (google.api.http): a method
// and a path template such as
//
//   /v1/suggestions                  literal segments
//   /v1/suggestions/{id}             a variable: one whole segment
//   /v1/suggestions/{id}:review      a custom verb after the last segment
//   /{path=**}                       a last variable of zero or more segments
//
// Variable names are [A-Za-z_][A-Za-z0-9_]*; literals and verbs are made of
// RFC 3986 unreserved characters. `{name=*}` is `{name}`.
namespace unitclock::http {

// The decoding of `%XX` escapes (and '+' to a space if `plus_is_space`).
// nullopt for a '%' not followed by two hex digits, or a decoded NUL.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);

// The query string (after '?', without it) as name -> value, in order:
// pairs split on '&', name and value on the first '=', both percent-decoded
// with '+' as a space; a missing '=' gives an empty value; empty pairs are
// skipped. INVALID_ARGUMENT for a bad escape or an empty name.
absl::StatusOr<std::multimap<std::string, std::string>> ParseQuery(std::string_view query);

namespace internal {

// One parsed template segment and one route; Router's own.
struct Segment {
  enum class Kind { kLiteral, kVariable, kWildcard };  // in order of specificity
  Kind kind = Kind::kLiteral;
  std::string text;  // the literal, or the variable's name
};
struct RouteEntry {
  std::string method;
  std::string path_template;
  std::vector<Segment> segments;
  std::string verb;
  Handler handler;
};

}  // namespace internal

// The routing decision for one request.
struct RouteResult {
  // Set if a route takes the request; then status is 200. Points into the
  // Router, which must outlive the result.
  const Handler* handler = nullptr;
  // The template whose path matched ("" if none matched): also set for 405.
  std::string route;
  std::map<std::string, std::string> path_params;
  std::multimap<std::string, std::string> query;
  // Without a handler: 400 (malformed target), 404 (no route's path
  // matches) or 405 (no route of this method; `allow` lists those there are).
  unsigned status = 200;
  std::string error;  // what is wrong, for the error body; never logged
  std::string allow;  // with 405: e.g. "GET, HEAD"
};

// The route table. Add routes first, then hand it to the server; from then
// on it is read only, and Route() is thread-safe.
//
// A request path is split on '/' before decoding, the custom verb being what
// follows the last ':' of the last segment (send a ':' inside an id as %3A).
// Every segment is percent-decoded; a path with an empty segment (`//`, a
// trailing '/'), a segment that is or decodes to "." or "..", or a decoded
// segment holding '/', '\\' or a control character is refused with 400
// before any route sees it: a path parameter is always one plain segment,
// and a `**` parameter a '/'-joined list of them.
//
// Among the routes whose path matches, those of the request's method are
// tried (HEAD also takes GET routes); the most specific wins: segment by
// segment, a literal beats a variable, which beats `**`.
class Router {
 public:
  // Adds a route. `method` is an HTTP method token ("GET"). INVALID_ARGUMENT
  // for a malformed template or method; ALREADY_EXISTS if a route of this
  // method matches exactly the same paths.
  absl::Status Add(std::string_view method, std::string_view path_template, Handler handler);

  // Routes a request target in origin form ("/path?query").
  RouteResult Route(std::string_view method, std::string_view target) const;

 private:
  std::vector<internal::RouteEntry> routes_;
};

}  // namespace unitclock::http

#include "plugin/http/router.h"

#include <algorithm>
#include <set>
#include <utility>

namespace unitclock::http {
namespace {

using internal::RouteEntry;
using internal::Segment;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool IsVariableName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsLiteral(std::string_view text) {
  return !text.empty() && text != "." && text != ".." &&
         std::all_of(text.begin(), text.end(), IsUnreserved);
}

bool IsMethod(std::string_view method) {
  return !method.empty() && method.size() <= 32 &&
         std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

absl::Status ParseTemplate(std::string_view path_template, RouteEntry& entry) {
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError("path template \"" + std::string(path_template) +
                                      "\": " + std::string(why));
  };
  if (path_template.empty() || path_template.front() != '/') return bad("must start with '/'");
  std::string_view rest = path_template.substr(1);
  // The verb: after the last ':' that follows the last '/' and the last '}'.
  const std::size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    const std::size_t slash = rest.rfind('/');
    const std::size_t brace = rest.rfind('}');
    if ((slash == std::string_view::npos || colon > slash) &&
        (brace == std::string_view::npos || colon > brace)) {
      entry.verb = std::string(rest.substr(colon + 1));
      if (!IsLiteral(entry.verb)) return bad("malformed custom verb");
      rest = rest.substr(0, colon);
    }
  }
  if (rest.empty()) {
    if (!entry.verb.empty()) return bad("a custom verb needs a segment");
    return absl::OkStatus();
  }
  std::set<std::string, std::less<>> names;
  const std::vector<std::string_view> parts = Split(rest, '/');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    Segment segment;
    if (!part.empty() && part.front() == '{') {
      if (part.size() < 3 || part.back() != '}') return bad("malformed variable");
      std::string_view inner = part.substr(1, part.size() - 2);
      std::string_view pattern = "*";
      if (const std::size_t eq = inner.find('='); eq != std::string_view::npos) {
        pattern = inner.substr(eq + 1);
        inner = inner.substr(0, eq);
      }
      if (!IsVariableName(inner)) return bad("malformed variable name");
      if (pattern == "*") {
        segment.kind = Segment::Kind::kVariable;
      } else if (pattern == "**") {
        if (i + 1 != parts.size()) return bad("'**' only as the last segment");
        segment.kind = Segment::Kind::kWildcard;
      } else {
        return bad("a variable's pattern is '*' or '**'");
      }
      if (!names.insert(std::string(inner)).second) return bad("variable named twice");
      segment.text = std::string(inner);
    } else {
      if (!IsLiteral(part)) return bad("a literal segment is unreserved characters only");
      segment.text = std::string(part);
    }
    entry.segments.push_back(std::move(segment));
  }
  return absl::OkStatus();
}

// Same paths: same verb, same literals, same kinds (names aside).
bool SameShape(const RouteEntry& a, const RouteEntry& b) {
  if (a.verb != b.verb || a.segments.size() != b.segments.size()) return false;
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    if (a.segments[i].kind != b.segments[i].kind) return false;
    if (a.segments[i].kind == Segment::Kind::kLiteral && a.segments[i].text != b.segments[i].text) {
      return false;
    }
  }
  return true;
}

// A decoded path segment or verb that no route may see.
bool IsUnsafeSegment(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return true;
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '/' || c == '\\' || u < 0x20 || u == 0x7f;
  });
}

struct ParsedPath {
  std::vector<std::string> segments;  // decoded
  std::string verb;                   // decoded; empty if none
};

// The decoded segments of `path` ("/" or "/a/b:verb"), or why it is refused.
std::optional<ParsedPath> ParsePath(std::string_view path, std::string& error) {
  ParsedPath parsed;
  if (path == "/") return parsed;
  std::vector<std::string_view> raw = Split(path.substr(1), '/');
  std::string_view& last = raw.back();
  std::optional<std::string_view> raw_verb;
  if (const std::size_t colon = last.rfind(':'); colon != std::string_view::npos) {
    raw_verb = last.substr(colon + 1);
    last = last.substr(0, colon);
  }
  const auto decode = [&](std::string_view raw_segment) -> std::optional<std::string> {
    if (raw_segment.empty()) {
      error = "path: empty segment";
      return std::nullopt;
    }
    std::optional<std::string> decoded = PercentDecode(raw_segment, /*plus_is_space=*/false);
    if (!decoded) {
      error = "path: malformed percent-encoding";
      return std::nullopt;
    }
    if (IsUnsafeSegment(*decoded)) {
      error =
          "path: a segment may not be \".\" or \"..\" nor hold '/', '\\' or a control character";
      return std::nullopt;
    }
    return decoded;
  };
  for (const std::string_view r : raw) {
    std::optional<std::string> decoded = decode(r);
    if (!decoded) return std::nullopt;
    parsed.segments.push_back(*std::move(decoded));
  }
  if (raw_verb) {
    std::optional<std::string> verb = decode(*raw_verb);
    if (!verb) return std::nullopt;
    parsed.verb = *std::move(verb);
  }
  return parsed;
}

// Binds `route` to `path`; false if its path does not match.
bool Match(const RouteEntry& route, const ParsedPath& path,
           std::map<std::string, std::string>& params) {
  if (route.verb != path.verb) return false;
  const std::vector<Segment>& segs = route.segments;
  const bool wildcard = !segs.empty() && segs.back().kind == Segment::Kind::kWildcard;
  const std::size_t fixed = wildcard ? segs.size() - 1 : segs.size();
  if (wildcard ? path.segments.size() < fixed : path.segments.size() != fixed) return false;
  params.clear();
  for (std::size_t i = 0; i < fixed; ++i) {
    if (segs[i].kind == Segment::Kind::kLiteral) {
      if (segs[i].text != path.segments[i]) return false;
    } else {
      params[segs[i].text] = path.segments[i];
    }
  }
  if (wildcard) {
    std::string joined;
    for (std::size_t i = fixed; i < path.segments.size(); ++i) {
      if (i > fixed) joined += '/';
      joined += path.segments[i];
    }
    params[segs.back().text] = std::move(joined);
  }
  return true;
}

// True if `a` is more specific than `b` (both matched the same path).
bool MoreSpecific(const RouteEntry& a, const RouteEntry& b) {
  const std::size_t n = std::min(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a.segments[i].kind != b.segments[i].kind) return a.segments[i].kind < b.segments[i].kind;
  }
  // One is a prefix of the other: the longer has fewer segments left to '**'.
  return a.segments.size() > b.segments.size();
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

absl::StatusOr<std::multimap<std::string, std::string>> ParseQuery(std::string_view query) {
  std::multimap<std::string, std::string> params;
  if (query.empty()) return params;
  for (const std::string_view pair : Split(query, '&')) {
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::optional<std::string> name = PercentDecode(raw_name, /*plus_is_space=*/true);
    std::optional<std::string> value = PercentDecode(raw_value, /*plus_is_space=*/true);
    if (!name || !value) {
      return absl::InvalidArgumentError("query: malformed percent-encoding");
    }
    if (name->empty()) return absl::InvalidArgumentError("query: a parameter without a name");
    params.emplace(*std::move(name), *std::move(value));
  }
  return params;
}

absl::Status Router::Add(std::string_view method, std::string_view path_template, Handler handler) {
  if (!IsMethod(method)) {
    return absl::InvalidArgumentError("method \"" + std::string(method) +
                                      "\": uppercase letters only");
  }
  if (!handler) return absl::InvalidArgumentError("a route needs a handler");
  RouteEntry entry;
  entry.method = std::string(method);
  entry.path_template = std::string(path_template);
  if (absl::Status st = ParseTemplate(path_template, entry); !st.ok()) return st;
  for (const RouteEntry& other : routes_) {
    if (other.method == entry.method && SameShape(other, entry)) {
      return absl::AlreadyExistsError(entry.method + " " + entry.path_template +
                                      " matches the same paths as " + other.path_template);
    }
  }
  entry.handler = std::move(handler);
  routes_.push_back(std::move(entry));
  return absl::OkStatus();
}

RouteResult Router::Route(std::string_view method, std::string_view target) const {
  RouteResult result;
  const auto refuse = [&](unsigned status, std::string error) {
    result.status = status;
    result.error = std::move(error);
    return std::move(result);
  };
  // Origin form only: no absolute URI, no "*", no fragment.
  if (target.empty() || target.front() != '/') {
    return refuse(400, "request target: must be a path starting with '/'");
  }
  if (target.find('#') != std::string_view::npos) {
    return refuse(400, "request target: a fragment is not sent to a server");
  }
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view raw_query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  std::string error;
  std::optional<ParsedPath> parsed = ParsePath(path, error);
  if (!parsed) return refuse(400, std::move(error));
  absl::StatusOr<std::multimap<std::string, std::string>> query = ParseQuery(raw_query);
  if (!query.ok()) return refuse(400, std::string(query.status().message()));

  std::set<std::string> allowed;
  const RouteEntry* best = nullptr;
  const RouteEntry* best_any_method = nullptr;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> best_params;
  for (const RouteEntry& route : routes_) {
    if (!Match(route, *parsed, params)) continue;
    allowed.insert(route.method);
    if (route.method == "GET") allowed.insert("HEAD");
    if (best_any_method == nullptr || MoreSpecific(route, *best_any_method)) {
      best_any_method = &route;
    }
    if (route.method != method) continue;
    if (best == nullptr || MoreSpecific(route, *best)) {
      best = &route;
      best_params = params;
    }
  }
  // HEAD is GET without the body, unless a route takes HEAD itself.
  if (best == nullptr && method == "HEAD") {
    for (const RouteEntry& route : routes_) {
      if (route.method != "GET" || !Match(route, *parsed, params)) continue;
      if (best == nullptr || MoreSpecific(route, *best)) {
        best = &route;
        best_params = params;
      }
    }
  }
  if (best_any_method == nullptr) return refuse(404, "no such resource");
  if (best == nullptr) {
    result.route = best_any_method->path_template;
    for (const std::string& m : allowed) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += m;
    }
    return refuse(
        405, "method " + std::string(method) + " is not allowed here; allowed: " + result.allow);
  }
  result.handler = &best->handler;
  result.route = best->path_template;
  result.path_params = std::move(best_params);
  result.query = *std::move(query);
  return result;
}

}  // namespace unitclock::http

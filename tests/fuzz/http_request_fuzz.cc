#include "tests/fuzz/http_request_fuzz.h"

#include <stdlib.h>

#include <algorithm>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "plugin/http/router.h"
#include "plugin/http/static_files.h"
#include "plugin/http/wire.h"

namespace unitclock::fuzz {
namespace {

namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;
using http::Request;
using http::Response;

constexpr std::size_t kMaxHeaderBytes = 8 * 1024;
constexpr std::size_t kMaxBodyBytes = 64 * 1024;
constexpr int kMaxRequests = 8;
constexpr std::string_view kSecret = "FUZZ-SECRET-0f3a9c";

[[noreturn]] void Fail(const char* what, const char* file, int line, const std::string& detail) {
  std::fprintf(stderr, "%s:%d: fuzz invariant violated: %s%s%s\n", file, line, what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

#define FUZZ_CHECK(cond, detail)                            \
  do {                                                      \
    if (!(cond)) Fail(#cond, __FILE__, __LINE__, (detail)); \
  } while (false)

// A folder with a page, and beside it a secret the page's folder links to.
// Removed at exit.
class WebFolder {
 public:
  WebFolder() {
    std::string pattern = (fs::temp_directory_path() / "unitclock-http-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp", __FILE__, __LINE__, pattern);
    root_ = pattern;
    fs::create_directories(root_ / "web" / "js");
    std::ofstream(root_ / "web" / "index.html") << "<!doctype html><title>review</title>";
    std::ofstream(root_ / "web" / "js" / "app.js") << "export const x = 1;";
    std::ofstream(root_ / "web" / "style.css") << "body{}";
    std::ofstream(root_ / "secret.txt") << kSecret;
    std::ofstream(root_ / "web" / ".hidden") << kSecret;
    fs::create_symlink(root_ / "secret.txt", root_ / "web" / "escape.txt");
    fs::create_directory_symlink(root_, root_ / "web" / "outside");
  }
  ~WebFolder() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path web() const { return root_ / "web"; }

 private:
  fs::path root_;
};

bool IsUnsafeSegment(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return true;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

void CheckRequest(const Request& request) {
  for (const auto& [name, value] : request.path_params) {
    if (name == "path") {  // the `**` parameter
      if (value.empty()) continue;
      std::size_t start = 0;
      while (true) {
        const std::size_t end = value.find('/', start);
        const std::string_view segment =
            std::string_view(value).substr(start, end == std::string::npos ? end : end - start);
        FUZZ_CHECK(!IsUnsafeSegment(segment), value);
        if (end == std::string::npos) break;
        start = end + 1;
      }
    } else {
      FUZZ_CHECK(!IsUnsafeSegment(value), name + "=" + value);
    }
  }
  for (const auto& [name, value] : request.query) {
    FUZZ_CHECK(!name.empty(), value);
    FUZZ_CHECK(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos, name);
  }
}

// The route table: the shapes issue 16 names, with handlers that echo what
// they were given through the same helpers the real ones will use.
const http::Router& Routes() {
  static const http::Router* const router = [] {
    static const WebFolder folder;
    auto* r = new http::Router;
    const auto add = [&](const char* method, const char* path_template, http::Handler handler) {
      const absl::Status st = r->Add(method, path_template, std::move(handler));
      if (!st.ok()) Fail("route table", __FILE__, __LINE__, st.ToString());
    };
    const auto echo = [](const Request& request) {
      CheckRequest(request);
      std::string message = "route " + request.route + ":";
      for (const auto& [name, value] : request.path_params) message += " " + name + "=" + value;
      for (const auto& [name, value] : request.query) message += " " + name + "=" + value;
      return Response::Error(absl::InvalidArgumentError(message));
    };
    add("GET", "/v1/suggestions", echo);
    add("GET", "/v1/suggestions/{id}", echo);
    add("POST", "/v1/suggestions/{id}:review", [](const Request& request) {
      CheckRequest(request);
      std::string body = request.body;
      return Response::Json(std::move(body));
    });
    add("GET", "/v1/audit", echo);
    add("GET", "/v1/exports", [](const Request& request) {
      CheckRequest(request);
      return Response::Download(request.Query("filename").value_or("export.csv"), "text/csv",
                                std::string(request.Query("format").value_or("")));
    });
    add("GET", "/v1/sessions/{id}", echo);
    add("GET", "/v1/sessions/{id}:watch", [](const Request& request) {
      CheckRequest(request);
      return Response::Stream([](std::shared_ptr<http::EventStream>) {});
    });
    absl::StatusOr<http::StaticFiles> files = http::StaticFiles::Open(folder.web());
    if (!files.ok()) Fail("static files", __FILE__, __LINE__, files.status().ToString());
    add("GET", "/{path=**}", [files = *files](const Request& request) {
      CheckRequest(request);
      Response response = files.Serve(request.Param("path"));
      // Only here: the other handlers echo their input, which may hold it.
      FUZZ_CHECK(response.body.find(kSecret) == std::string::npos,
                 std::string(request.Param("path")));
      return response;
    });
    return r;
  }();
  return *router;
}

void CheckResponse(const http::wire::WireResponse& response, bool head) {
  const unsigned status = response.result_int();
  FUZZ_CHECK(status >= 200 && status <= 599, std::to_string(status));
  FUZZ_CHECK(response[bhttp::field::cache_control] != "", std::to_string(status));
  FUZZ_CHECK(response["Content-Security-Policy"] ==
                 boost::beast::string_view(http::wire::kContentSecurityPolicy.data(),
                                           http::wire::kContentSecurityPolicy.size()),
             std::to_string(status));
  FUZZ_CHECK(response["X-Content-Type-Options"] == "nosniff", std::to_string(status));
  FUZZ_CHECK(response["Referrer-Policy"] == "no-referrer", std::to_string(status));
  if (!head) {
    FUZZ_CHECK(response[bhttp::field::content_length] == std::to_string(response.body().size()),
               std::to_string(status));
  }
  // What a client reads back.
  std::ostringstream wire;
  wire << response;
  const std::string bytes = wire.str();
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(head);
  parser.eager(true);
  parser.body_limit(16 << 20);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(bytes), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  FUZZ_CHECK(!ec && parser.is_done(), ec.message() + ": " + bytes.substr(0, 200));
  FUZZ_CHECK(parser.get().result_int() == status, std::to_string(status));
}

// Answers one parsed request as the server would; false if the connection
// would be closed after it.
bool Answer(http::wire::WireRequest message) {
  const unsigned version = message.version();
  const bool keep_alive = message.keep_alive();
  const bool head = message.method() == bhttp::verb::head;
  http::wire::Prepared prepared = http::wire::Prepare(Routes(), std::move(message));
  const http::RouteResult& route = prepared.route;
  Response response;
  if (route.handler == nullptr) {
    FUZZ_CHECK(route.status == 400 || route.status == 404 || route.status == 405,
               std::to_string(route.status));
    FUZZ_CHECK(route.status != 405 || (!route.allow.empty() && !route.route.empty()), route.allow);
    FUZZ_CHECK(route.status != 404 || route.route.empty(), route.route);
    FUZZ_CHECK(!route.error.empty(), std::to_string(route.status));
    response = http::wire::RouteError(route);
    FUZZ_CHECK(response.status == route.status, std::to_string(response.status));
  } else {
    FUZZ_CHECK(route.status == 200 && !route.route.empty(), route.route);
    FUZZ_CHECK(prepared.request.route == route.route, route.route);
    CheckRequest(prepared.request);
    response = (*route.handler)(prepared.request);
  }
  if (response.start_stream) {
    const auto header = http::wire::StreamHeader(version);
    FUZZ_CHECK(header[bhttp::field::content_type] == "text/event-stream", "");
    FUZZ_CHECK(!header.keep_alive(), "");
    return false;
  }
  CheckResponse(http::wire::Render(std::move(response), version, keep_alive, head), head);
  return keep_alive;
}

void AnswerError(unsigned status) {
  FUZZ_CHECK(status == 400 || status == 413 || status == 431, std::to_string(status));
  CheckResponse(http::wire::Render(http::wire::TransportError(status, "x"), 11, false, false),
                false);
}

}  // namespace

void FuzzHttpRequest(const std::uint8_t* data, std::size_t size) {
  Routes();
  std::size_t piece = size;  // whole
  if (size > 0 && (data[0] & 0x80) != 0) {
    piece = (data[0] & 0x3f) + 1u;
    ++data;
    --size;
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string buffer;  // read from the connection, not yet parsed
  std::size_t offset = 0;
  for (int n = 0; n < kMaxRequests; ++n) {
    http::wire::RequestParser parser;
    http::wire::ConfigureParser(parser, kMaxHeaderBytes, kMaxBodyBytes);
    parser.eager(true);
    boost::beast::error_code ec;
    while (true) {
      if (!buffer.empty()) {
        const std::size_t used = parser.put(boost::asio::buffer(buffer), ec);
        buffer.erase(0, used);
        if (ec == bhttp::error::need_more) {
          ec = {};
        } else if (ec || parser.is_done()) {
          break;
        } else if (used > 0) {
          continue;  // the parser may take more of what is buffered
        }
      }
      if (offset == input.size()) {
        // The client closed. Between requests: end_of_stream; mid-request:
        // partial_message. Neither is answered.
        if (!parser.got_some()) return;
        parser.put_eof(ec);
        FUZZ_CHECK(!parser.is_done(), "a request's end is never its connection's end");
        FUZZ_CHECK(ec && http::wire::StatusForReadError(ec) == 0, ec.message());
        return;
      }
      const std::size_t take = std::min(piece, input.size() - offset);
      buffer.append(input.substr(offset, take));
      offset += take;
    }
    if (ec) {
      // The server answers and closes.
      AnswerError(http::wire::StatusForReadError(ec));
      return;
    }
    if (!Answer(parser.release())) return;
  }
}

}  // namespace unitclock::fuzz

#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <string_view>

#include "plugin/http/message.h"
#include "plugin/http/router.h"

// Between Beast's HTTP/1.1 messages and the handler's Request and Response:
// what the server does with a request's bytes short of the socket, apart so
// that the fuzz target (tests/fuzz/http_request_fuzz.h) runs the same code.
namespace unitclock::http::wire {

namespace bhttp = boost::beast::http;

using RequestParser = bhttp::request_parser<bhttp::string_body>;
using WireRequest = bhttp::request<bhttp::string_body>;
using WireResponse = bhttp::response<bhttp::string_body>;

// The security headers sent with every response (docs/http.md).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Sets the parser's header and body limits (in bytes).
void ConfigureParser(RequestParser& parser, std::size_t max_header_bytes,
                     std::size_t max_body_bytes);

// What to answer a request whose read failed with `ec`: 431 (header limit),
// 413 (body limit), 400 (any other parse error); 0 for an error of the
// connection itself (closed, reset, cancelled), which gets no answer.
unsigned StatusForReadError(const boost::beast::error_code& ec);

// The transport's own error responses, Google's error body with the status
// name of docs/http.md (400 INVALID_ARGUMENT, 404 NOT_FOUND, 405
// UNIMPLEMENTED, 408 DEADLINE_EXCEEDED, 413 and 431 RESOURCE_EXHAUSTED,
// 503 UNAVAILABLE, others INTERNAL).
Response TransportError(unsigned http_status, std::string_view message);

// A parsed request, routed: `route.handler` is set and `request` filled in,
// or `route.status` says which error to answer (RouteError).
struct Prepared {
  RouteResult route;
  Request request;
};
Prepared Prepare(const Router& router, WireRequest&& message);

// The error response of a refused route (400, 404, 405 with Allow).
Response RouteError(const RouteResult& route);

// The wire response of `response`: its status (500 if it is not one in
// 200..599, or a header is malformed), Content-Type, headers, the security
// headers, Cache-Control: no-store unless given, Content-Length and
// Connection. `head`: the body left out, Content-Length kept.
WireResponse Render(Response response, unsigned version, bool keep_alive, bool head);

// The status line and headers that open an event stream: 200,
// text/event-stream, the security headers, no-store, Connection: close (the
// stream ends with the connection), no Content-Length.
bhttp::response<bhttp::empty_body> StreamHeader(unsigned version);

// True if `name` is an HTTP token and `value` has no CR, LF or NUL.
bool IsValidHeader(std::string_view name, std::string_view value);

}  // namespace unitclock::http::wire

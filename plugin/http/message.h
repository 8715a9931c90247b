#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

// What a route handler sees and returns. No Boost here: the transport
// (server.h) turns requests and responses into HTTP/1.1 and back.
namespace unitclock::http {

// One request, as routed. Every string is decoded (percent-decoding of path
// and query); header names are lowercase.
struct Request {
  std::string method;  // "GET", "POST", ...; HEAD routed to a GET route stays "HEAD"
  std::string route;   // the matched template, e.g. "/v1/suggestions/{id}:review"
  std::map<std::string, std::string> path_params;   // {id} -> its segment
  std::multimap<std::string, std::string> query;    // every query parameter, in order per name
  std::multimap<std::string, std::string> headers;  // lowercase name -> value
  std::string body;

  // The value of header `name` (any case), the first if repeated.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The first value of query parameter `name`.
  std::optional<std::string_view> Query(std::string_view name) const;
  // The `{name}` path parameter; empty if the route has none by that name.
  std::string_view Param(std::string_view name) const;

  // The Authorization header as sent ("Bearer <token>"): what
  // auth::TokenTable::Authenticate and service::Gate::Admit take.
  std::optional<std::string_view> Authorization() const { return Header("authorization"); }
  // The token of an `Authorization: Bearer <token>` header (scheme in any
  // case, one or more spaces); nullopt if absent or another scheme. Parsing
  // only: whether the token is known is the Gate's business.
  std::optional<std::string_view> BearerToken() const;
};

// A Server-Sent Events stream (text/event-stream), open once its response
// headers are sent. Send and Close may be called from any thread, also
// concurrently; nothing blocks on the network.
class EventStream {
 public:
  virtual ~EventStream() = default;

  // Queues one event: `event: <event>` if `event` is not empty (CR and LF
  // dropped from it), then every line of `data` as a `data: ` line, then a
  // blank line. Returns false, and sends nothing, once the stream is closed:
  // the client went away, the handler closed it, the server is shutting
  // down, a write failed or timed out, or the client fell so far behind that
  // more than ServerOptions::max_stream_queue_bytes were waiting.
  virtual bool Send(std::string_view data, std::string_view event = {}) = 0;

  // Ends the stream after what was queued has been written. Idempotent.
  virtual void Close() = 0;

  // False once the stream is closed (see Send).
  virtual bool IsOpen() const = 0;

  // Runs `callback` once when the stream ends for any reason (see Send), on
  // one of the server's worker threads and never inside Send, Close or
  // OnClosed: a handler can unregister the stream there without deadlocking
  // against its own locks. Call it from the stream's start function. If the
  // stream has already ended, the callback is scheduled right away (run on
  // the calling thread only if the connection is already gone).
  virtual void OnClosed(std::function<void()> callback) = 0;
};

// What a handler answers: a whole response, or an event stream.
struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // More headers, e.g. Content-Disposition. The server sets Content-Length,
  // Connection, the security headers and, unless given here,
  // Cache-Control: no-store. A name or value with CR, LF or NUL turns the
  // response into a 500.
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for an event stream (Stream()): called once, on a worker thread,
  // after the 200 and its text/event-stream headers were written. It may
  // keep the stream and send from any thread until Send returns false; it
  // should return soon, since it holds a worker.
  std::function<void(std::shared_ptr<EventStream>)> start_stream;

  // A JSON body (application/json).
  static Response Json(std::string body, unsigned status = 200);
  // The JSON error body of `status` (status.h) with its HTTP status. An OK
  // status is a programming error and gives 500 INTERNAL.
  static Response Error(const absl::Status& status);
  // A file download: Content-Disposition: attachment; filename="<filename>",
  // every character of `filename` outside [A-Za-z0-9._-] replaced by '_'.
  static Response Download(std::string_view filename, std::string content_type, std::string body);
  // An event stream; `start` as start_stream above.
  static Response Stream(std::function<void(std::shared_ptr<EventStream>)> start);
};

// Answers one request. Called on a worker thread of the server, possibly on
// several at once: handlers must be thread-safe, may block (e.g. SQLite
// reads) but must return; an exception becomes a 500 INTERNAL.
using Handler = std::function<Response(const Request&)>;

}  // namespace unitclock::http

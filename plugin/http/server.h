#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "plugin/http/router.h"

// The HTTP/1.1 listener (`unitclockd --http-listen`): Boost.Beast on an
// io_context of its own, handlers on a worker pool. docs/http.md describes
// what a client sees: limits, statuses, error body, security headers.
namespace unitclock::metrics {
class ServerMetrics;
}

namespace unitclock::http {

struct ServerOptions {
  // Connections served at once. One more is answered 503 and closed.
  int max_connections = 128;
  // The request line and headers (431 beyond), and the body (413 beyond).
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  // Reading one request, from the connection's start or the previous
  // response to its last byte; a client slower than that gets a 408 (or,
  // if it has sent nothing of a next request, is just closed).
  std::chrono::milliseconds request_timeout{10000};
  // Writing one response, or one batch of events of a stream.
  std::chrono::milliseconds write_timeout{10000};
  // Serve further requests on a connection (HTTP/1.1 keep-alive).
  bool keep_alive = true;
  // Threads of the io_context (the sockets; nothing there blocks) and of
  // the worker pool (the handlers, which may block).
  int io_threads = 1;
  int worker_threads = 4;
  // Events queued on one stream beyond this close it: the client does not
  // keep up.
  std::size_t max_stream_queue_bytes = 1024 * 1024;
  // Counts each response by method, route template and status; nullptr
  // records nothing. Must outlive the server.
  metrics::ServerMetrics* metrics = nullptr;
};

class ServerCore;

// Serves `router` over HTTP/1.1 on one address.
//
// Threading: the sockets are driven by `io_threads` threads (each connection
// on a strand); handlers run on `worker_threads` others, so a handler may
// block (a SQLite read) without stalling other connections, but while it
// runs it holds a worker. A connection handles its requests one at a time.
//
// Lifetime: Start once; Shutdown (also from the destructor) stops accepting,
// closes every connection and every event stream (their OnClosed callbacks
// run), waits for handlers that are running to return, then joins all
// threads. A handler that never returns makes Shutdown wait for ever, and so
// does calling Shutdown from a handler or an OnClosed callback. An
// EventStream a handler kept may outlive the server: its Send then returns
// false.
class HttpServer {
 public:
  HttpServer(ServerOptions options, Router router);
  ~HttpServer();  // Calls Shutdown().
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listens on `address`, "host:port": an IPv4 address, a bracketed IPv6
  // address ("[::1]:8080") or "localhost"; port 0 takes a free port.
  // Returns the port bound. INVALID_ARGUMENT for a malformed address or
  // options, UNAVAILABLE if it cannot listen there, FAILED_PRECONDITION if
  // started before.
  absl::StatusOr<std::uint16_t> Start(std::string_view address);

  // See above. Idempotent; thread-safe.
  void Shutdown();

 private:
  std::unique_ptr<ServerCore> core_;
};

}  // namespace unitclock::http

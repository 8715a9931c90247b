#include "plugin/http/server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <exception>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "plugin/common/log.h"
#include "plugin/http/wire.h"
#include "plugin/metrics/server_metrics.h"

namespace unitclock::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

class Connection;

// Everything the server shares with its connections. Connections hold a
// reference to it: Shutdown waits until every connection is gone before the
// threads stop, so it outlives them.
class ServerCore {
 public:
  ServerCore(ServerOptions options, Router router)
      : options(options),
        router(std::move(router)),
        workers(static_cast<std::size_t>(std::max(1, options.worker_threads))),
        acceptor_(net::make_strand(ioc)),
        accept_retry_(acceptor_.get_executor()) {}

  absl::StatusOr<std::uint16_t> Start(std::string_view address);
  void Shutdown();

  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(Connection* connection);

  const ServerOptions options;
  const Router router;
  std::atomic<bool> stopping{false};
  std::atomic<int> active{0};    // connections served, counted against max_connections
  std::atomic<int> refusing{0};  // connections being answered 503

 private:
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  // Destroyed last: connections unregister from their destructors.
  absl::Mutex mu_;
  enum class State { kIdle, kRunning, kStopped };
  State state_ ABSL_GUARDED_BY(mu_) = State::kIdle;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_ ABSL_GUARDED_BY(mu_);
  absl::CondVar all_gone_;  // signalled when connections_ becomes empty

 public:
  net::io_context ioc;
  // After ioc: destroyed before it. Connections post here.
  net::thread_pool workers;

 private:
  tcp::acceptor acceptor_;          // on its strand
  net::steady_timer accept_retry_;  // on the acceptor's strand
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> io_threads_;
};

namespace {

// How long a connection that is being closed waits for the client's end of
// it, reading and dropping what it sends: closing a socket with unread input
// resets it, and a reset can destroy the error response before the client
// reads it.
constexpr std::chrono::milliseconds kLinger{1000};

// The method for logs: a token (Beast checked), cut short.
std::string LogMethod(beast::string_view method) {
  return std::string(method.data(), std::min<std::size_t>(method.size(), 16));
}

// One event's bytes, as Server-Sent Events frame them.
std::string Frame(std::string_view data, std::string_view event) {
  std::string frame;
  if (!event.empty()) {
    frame += "event: ";
    for (const char c : event) {
      if (c != '\r' && c != '\n') frame += c;
    }
    frame += '\n';
  }
  // Every line of data its own data: field; CRLF, CR and LF all end a line.
  std::size_t start = 0;
  while (true) {
    const std::size_t end = data.find_first_of("\r\n", start);
    frame += "data: ";
    frame += data.substr(start, end == std::string_view::npos ? end : end - start);
    frame += '\n';
    if (end == std::string_view::npos) break;
    start = end + (data.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
  frame += '\n';
  return frame;
}

void RunCallback(const std::function<void()>& callback) {
  try {
    callback();
  } catch (...) {
    spdlog::error("msg={}", common::Quote("http stream OnClosed callback threw"));
  }
}

}  // namespace

// The EventStream a handler holds. Shared by the handler and its connection;
// knows the connection only weakly, so a handler may keep it past the
// connection's (and the server's) end.
class StreamState final : public EventStream {
 public:
  StreamState(std::weak_ptr<Connection> connection, std::size_t max_queue_bytes)
      : connection_(std::move(connection)), max_queue_bytes_(max_queue_bytes) {}

  bool Send(std::string_view data, std::string_view event) override;
  void Close() override;
  bool IsOpen() const override {
    absl::MutexLock lock(&mu_);
    return open_;
  }
  void OnClosed(std::function<void()> callback) override;

  // For the connection (on its strand): the bytes queued, and whether to end.
  struct Pending {
    std::string bytes;
    bool end = false;    // Close() was called: end once `bytes` are written
    bool abort = false;  // the queue overflowed: end now
  };
  Pending Take() {
    absl::MutexLock lock(&mu_);
    Pending p{std::move(queued_), close_requested_, overflowed_};
    queued_.clear();
    return p;
  }
  // The stream has ended: closes it and returns the OnClosed callbacks, once.
  std::vector<std::function<void()>> Finish() {
    absl::MutexLock lock(&mu_);
    open_ = false;
    if (finished_) return {};
    finished_ = true;
    return std::move(callbacks_);
  }

 private:
  // Tells the connection there is something to do. Never under mu_: the
  // shared_ptr taken here may be the connection's last, whose destructor
  // calls Finish().
  void Kick();

  const std::weak_ptr<Connection> connection_;
  const std::size_t max_queue_bytes_;
  mutable absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  bool close_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::string queued_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> callbacks_ ABSL_GUARDED_BY(mu_);
};

// One accepted connection. Every member is used on the connection's strand
// only, except those named otherwise; asynchronous operations hold a
// shared_ptr to it, so it lives while any is pending, and no longer.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `refuse`: answer 503 and close, reading nothing.
  Connection(ServerCore& core, tcp::socket socket, bool refuse)
      : core_(core),
        stream_(std::move(socket)),
        deadline_(stream_.get_executor()),
        refuse_(refuse) {}

  ~Connection();

  // Any thread: starts serving on the strand.
  void Begin() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Serve(); });
  }
  // Any thread: closes the connection (and its stream) on the strand.
  void Abort() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }
  // Any thread: writes what its event stream has queued.
  void PostFlush() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Flush(); });
  }
  // Any thread: runs `callback` on a worker, keeping the connection (hence
  // the server's threads) alive until it has run.
  void RunOnWorker(std::function<void()> callback) {
    net::post(core_.workers, [self = shared_from_this(), callback = std::move(callback)] {
      RunCallback(callback);
    });
  }

 private:
  void Serve();
  void ReadRequest();
  void OnRead(beast::error_code ec);
  void Dispatch();
  void OnHandled(Response response);
  void Respond(Response response, bool close);
  void OnWrite(beast::error_code ec);
  void StartStream(std::function<void(std::shared_ptr<EventStream>)> start);
  void WatchForDisconnect();
  void Flush();
  void LingerClose();
  void Drain();
  void Close();
  void Log(unsigned status) const;

  ServerCore& core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<wire::RequestParser> parser_;
  // The request timeout. Its own timer, not the stream's: that one closes
  // the socket, and a timed-out client is owed a 408.
  net::steady_timer deadline_;
  std::uint64_t read_generation_ = 0;
  bool reading_ = false;
  bool timed_out_ = false;
  bool closed_ = false;
  const bool refuse_;

  // The request being answered.
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool close_after_write_ = false;
  std::string method_ = "-";
  std::string route_ = "-";
  std::chrono::steady_clock::time_point started_{};
  std::optional<wire::WireResponse> response_;

  // The event stream, once a handler started one.
  std::shared_ptr<StreamState> events_;
  std::optional<bhttp::response<bhttp::empty_body>> stream_header_;
  bool stream_open_ = false;  // its header is written
  bool write_in_flight_ = false;
  std::string writing_;
  std::array<char, 1024> discard_{};
  std::size_t drained_ = 0;
};

bool StreamState::Send(std::string_view data, std::string_view event) {
  const std::string frame = Frame(data, event);
  bool queued = false;
  {
    absl::MutexLock lock(&mu_);
    if (!open_) return false;
    if (queued_.size() + frame.size() > max_queue_bytes_) {
      // The connection ends the stream when it sees this (Flush).
      open_ = false;
      overflowed_ = true;
    } else {
      queued_ += frame;
      queued = true;
    }
  }
  Kick();
  return queued;
}

void StreamState::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (!open_) return;
    open_ = false;
    close_requested_ = true;
  }
  Kick();
}

void StreamState::OnClosed(std::function<void()> callback) {
  {
    absl::MutexLock lock(&mu_);
    if (!finished_) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  if (std::shared_ptr<Connection> connection = connection_.lock()) {
    connection->RunOnWorker(std::move(callback));
  } else {
    RunCallback(callback);
  }
}

void StreamState::Kick() {
  // A live connection means a running server: Shutdown waits for every
  // connection to end before it stops the io_context.
  if (std::shared_ptr<Connection> connection = connection_.lock()) connection->PostFlush();
}

Connection::~Connection() {
  // A stream whose connection ended without Close (not expected): its
  // callbacks still run. The workers are still there: the server waits for
  // this connection to unregister, below, before joining them.
  if (events_) {
    for (std::function<void()>& callback : events_->Finish()) {
      net::post(core_.workers, [callback = std::move(callback)] { RunCallback(callback); });
    }
  }
  if (refuse_) {
    --core_.refusing;
  } else {
    --core_.active;
  }
  core_.Unregister(this);
}

void Connection::Serve() {
  beast::error_code ec;
  stream_.socket().set_option(tcp::no_delay(true), ec);
  if (refuse_) {
    started_ = std::chrono::steady_clock::now();
    Respond(wire::TransportError(503, "too many connections; try again later"), /*close=*/true);
    return;
  }
  ReadRequest();
}

void Connection::ReadRequest() {
  if (closed_) return;
  parser_.emplace();
  wire::ConfigureParser(*parser_, core_.options.max_header_bytes, core_.options.max_body_bytes);
  timed_out_ = false;
  reading_ = true;
  const std::uint64_t generation = ++read_generation_;
  stream_.expires_never();
  deadline_.expires_after(core_.options.request_timeout);
  deadline_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
    // A timer that fired just as the read completed is stale: the
    // generation tells.
    if (ec || self->closed_ || !self->reading_ || generation != self->read_generation_) return;
    self->timed_out_ = true;
    self->stream_.socket().cancel(ec);
  });
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
}

void Connection::OnRead(beast::error_code ec) {
  reading_ = false;
  deadline_.cancel();
  if (closed_) return;
  started_ = std::chrono::steady_clock::now();
  method_ = parser_->is_header_done() ? LogMethod(parser_->get().method_string()) : "-";
  route_ = "-";
  head_ = false;
  keep_alive_ = false;
  // A request that completed just as its timer fired is served: ec is
  // success then.
  if (timed_out_ && ec) {
    // A client that sent nothing of a next request is idle, not slow.
    if (!parser_->got_some() && buffer_.size() == 0) {
      Close();
      return;
    }
    Respond(wire::TransportError(408, "request: not complete within the request timeout"),
            /*close=*/true);
    return;
  }
  if (ec) {
    const unsigned status = wire::StatusForReadError(ec);
    if (status == 0) {
      Close();
      return;
    }
    std::string message;
    if (status == 431) {
      message = "request headers: over the limit of " +
                std::to_string(core_.options.max_header_bytes) + " bytes";
    } else if (status == 413) {
      message = "request body: over the limit of " + std::to_string(core_.options.max_body_bytes) +
                " bytes";
    } else {
      message = "malformed request: " + ec.message();
    }
    Respond(wire::TransportError(status, message), /*close=*/true);
    return;
  }
  Dispatch();
}

void Connection::Dispatch() {
  wire::WireRequest message = parser_->release();
  version_ = message.version();
  keep_alive_ = core_.options.keep_alive && message.keep_alive();
  head_ = message.method() == bhttp::verb::head;
  if (core_.stopping) {
    Respond(wire::TransportError(503, "the server is shutting down"), /*close=*/true);
    return;
  }
  wire::Prepared prepared = wire::Prepare(core_.router, std::move(message));
  if (!prepared.route.route.empty()) route_ = prepared.route.route;
  if (prepared.route.handler == nullptr) {
    Respond(wire::RouteError(prepared.route), !keep_alive_);
    return;
  }
  net::post(core_.workers, [self = shared_from_this(), handler = prepared.route.handler,
                            request = std::move(prepared.request)] {
    Response response;
    try {
      response = (*handler)(request);
    } catch (...) {
      // Only the route: an exception's text may quote request data.
      spdlog::error("msg={} route={}", common::Quote("http handler threw"),
                    common::Quote(request.route));
      response = wire::TransportError(500, "internal error");
    }
    net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
      self->OnHandled(std::move(response));
    });
  });
}

void Connection::OnHandled(Response response) {
  if (closed_) return;
  if (response.start_stream && !head_ && !core_.stopping) {
    StartStream(std::move(response.start_stream));
    return;
  }
  if (response.start_stream) {
    // HEAD of a stream: its header alone, and no stream.
    response.start_stream = nullptr;
    response.body.clear();
    Respond(std::move(response), /*close=*/true);
    return;
  }
  Respond(std::move(response), !keep_alive_);
}

void Connection::Respond(Response response, bool close) {
  if (closed_) return;
  close_after_write_ = close || core_.stopping;
  response_.emplace(wire::Render(std::move(response), version_, !close_after_write_, head_));
  stream_.expires_after(core_.options.write_timeout);
  bhttp::async_write(
      stream_, *response_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
}

void Connection::OnWrite(beast::error_code ec) {
  Log(response_->result_int());
  response_.reset();
  if (ec || closed_) {
    Close();
    return;
  }
  if (close_after_write_) {
    LingerClose();
    return;
  }
  ReadRequest();
}

void Connection::StartStream(std::function<void(std::shared_ptr<EventStream>)> start) {
  events_ = std::make_shared<StreamState>(weak_from_this(), core_.options.max_stream_queue_bytes);
  stream_header_.emplace(wire::StreamHeader(version_));
  stream_.expires_after(core_.options.write_timeout);
  bhttp::async_write(
      stream_, *stream_header_,
      [self = shared_from_this(), start = std::move(start)](beast::error_code ec,
                                                            std::size_t) mutable {
        self->Log(200);
        self->stream_header_.reset();
        if (ec || self->closed_ || self->core_.stopping) {
          self->Close();
          return;
        }
        self->stream_open_ = true;
        // No deadline on the read that waits for the client to leave; each
        // write gets its own (Flush).
        self->stream_.expires_never();
        self->WatchForDisconnect();
        net::post(self->core_.workers,
                  [self, events = self->events_, route = self->route_, start = std::move(start)] {
                    try {
                      start(events);
                    } catch (...) {
                      spdlog::error("msg={} route={}", common::Quote("http stream start threw"),
                                    common::Quote(route));
                      events->Close();
                    }
                  });
        self->Flush();
      });
}

void Connection::WatchForDisconnect() {
  // An event stream's client sends nothing: whatever it sends is dropped,
  // and the end of its input (or an error) is the end of the stream.
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec || self->closed_) {
                              self->Close();
                              return;
                            }
                            self->WatchForDisconnect();
                          });
}

void Connection::Flush() {
  if (closed_ || !stream_open_ || write_in_flight_) return;
  StreamState::Pending pending = events_->Take();
  if (pending.abort) {
    spdlog::warn("msg={} route={}", common::Quote("http stream closed: the client fell behind"),
                 common::Quote(route_));
    Close();
    return;
  }
  if (pending.bytes.empty()) {
    if (pending.end) Close();
    return;
  }
  writing_ = std::move(pending.bytes);
  write_in_flight_ = true;
  // The read that watches for a disconnect is pending: this sets the write's
  // deadline only.
  stream_.expires_after(core_.options.write_timeout);
  net::async_write(stream_, net::buffer(writing_),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     self->write_in_flight_ = false;
                     self->writing_.clear();
                     if (ec) {
                       self->Close();
                       return;
                     }
                     self->Flush();
                   });
}

void Connection::LingerClose() {
  if (closed_) return;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  // The stream's own timeout closes the socket: Drain's read then fails.
  stream_.expires_after(
      std::min<std::chrono::milliseconds>(kLinger, core_.options.request_timeout));
  Drain();
}

void Connection::Drain() {
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (ec || self->closed_ || self->drained_ > 1024 * 1024) {
                              self->Close();
                              return;
                            }
                            self->Drain();
                          });
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  deadline_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
  if (events_) {
    for (std::function<void()>& callback : events_->Finish()) RunOnWorker(std::move(callback));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started_)
                        .count();
    spdlog::info("msg={} method={} route={} duration_ms={}", common::Quote("http stream closed"),
                 common::Quote(method_), common::Quote(route_), ms);
  }
}

void Connection::Log(unsigned status) const {
  // Method, route template, status and time only: the raw path and query
  // carry patient references.
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
  spdlog::info("msg={} method={} route={} status={} duration_ms={}", common::Quote("http request"),
               common::Quote(method_), common::Quote(route_), status, ms);
  if (core_.options.metrics != nullptr) {
    core_.options.metrics->CountHttpRequest(method_, route_, status);
  }
}

absl::StatusOr<std::uint16_t> ServerCore::Start(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError("HTTP listen address \"" + std::string(address) +
                                      "\": expected host:port");
  }
  std::string host(address.substr(0, colon));
  const std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  const auto [end, err] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || err != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return absl::InvalidArgumentError("HTTP listen address \"" + std::string(address) +
                                      "\": malformed port");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  const net::ip::address ip = net::ip::make_address(host, ec);
  if (ec) {
    return absl::InvalidArgumentError("HTTP listen address \"" + std::string(address) +
                                      "\": host is not an IP address or localhost");
  }
  if (options.max_connections < 1 || options.io_threads < 1 || options.worker_threads < 1 ||
      options.max_header_bytes < 256 || options.request_timeout.count() <= 0 ||
      options.write_timeout.count() <= 0) {
    return absl::InvalidArgumentError("HTTP server options out of range");
  }

  absl::MutexLock lock(&mu_);
  if (state_ != State::kIdle) return absl::FailedPreconditionError("HTTP server started before");
  const tcp::endpoint endpoint(ip, static_cast<std::uint16_t>(port));
  const auto fail = [&](std::string_view what) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return absl::UnavailableError("HTTP listen on " + std::string(address) + ": " +
                                  std::string(what) + ": " + ec.message());
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("open");
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) return fail("option");
  if (acceptor_.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen");
  const std::uint16_t bound = acceptor_.local_endpoint(ec).port();
  if (ec) return fail("local address");

  state_ = State::kRunning;
  work_.emplace(ioc.get_executor());
  net::post(acceptor_.get_executor(), [this] { Accept(); });
  for (int i = 0; i < options.io_threads; ++i) io_threads_.emplace_back([this] { ioc.run(); });
  spdlog::info("msg={} port={}", common::Quote("HTTP listener started"), bound);
  return bound;
}

void ServerCore::Accept() {
  acceptor_.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerCore::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open() || stopping) return;
  if (ec) {
    // Out of file descriptors, say: wait instead of spinning on the error.
    spdlog::warn("msg={} error={}", common::Quote("HTTP accept failed"),
                 common::Quote(ec.message()));
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping) Accept();
    });
    return;
  }
  const bool refuse = active.load() >= options.max_connections;
  if (refuse && refusing.load() >= options.max_connections) {
    // A flood: not even a 503 for this one.
    socket.close(ec);
  } else {
    ++(refuse ? refusing : active);
    auto connection = std::make_shared<Connection>(*this, std::move(socket), refuse);
    Register(connection);
    connection->Begin();
  }
  Accept();
}

void ServerCore::Register(const std::shared_ptr<Connection>& connection) {
  absl::MutexLock lock(&mu_);
  connections_.emplace(connection.get(), connection);
}

void ServerCore::Unregister(Connection* connection) {
  absl::MutexLock lock(&mu_);
  connections_.erase(connection);
  if (connections_.empty()) all_gone_.SignalAll();
}

void ServerCore::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kRunning) {
      state_ = State::kStopped;
      return;
    }
    state_ = State::kStopped;
  }
  stopping = true;
  // No accept after this: every connection there will be is registered.
  std::promise<void> acceptor_closed;
  net::post(acceptor_.get_executor(), [this, &acceptor_closed] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
    acceptor_closed.set_value();
  });
  acceptor_closed.get_future().wait();

  std::vector<std::shared_ptr<Connection>> open;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [raw, weak] : connections_) {
      if (std::shared_ptr<Connection> connection = weak.lock()) open.push_back(connection);
    }
  }
  for (const std::shared_ptr<Connection>& connection : open) connection->Abort();
  open.clear();
  {
    // Until handlers running now have returned and every connection is gone.
    // (A CondVar, not Mutex::Await: the TSan build annotates only the former.)
    absl::MutexLock lock(&mu_);
    while (!connections_.empty()) all_gone_.Wait(&mu_);
  }
  work_.reset();
  ioc.stop();
  for (std::thread& thread : io_threads_) thread.join();
  workers.join();
  spdlog::info("msg={}", common::Quote("HTTP listener stopped"));
}

HttpServer::HttpServer(ServerOptions options, Router router)
    : core_(std::make_unique<ServerCore>(options, std::move(router))) {}

HttpServer::~HttpServer() { Shutdown(); }

absl::StatusOr<std::uint16_t> HttpServer::Start(std::string_view address) {
  return core_->Start(address);
}

void HttpServer::Shutdown() { core_->Shutdown(); }

}  // namespace unitclock::http

#pragma once

// A TCP proxy on loopback for network-blip tests: forwards every connection
// to an upstream port, and on command cuts all of them, stops listening for
// a while, or freezes them (on a port outside the ephemeral range, see
// FreeFixedPort).
// Runs its own io_context thread; commands wait until done.
#include <array>
#include <boost/asio.hpp>
#include <cstdint>
#include <future>
#include <memory>
#include <random>
#include <set>
#include <thread>

namespace unitclock::testing {

// A loopback port free now and outside the kernel's ephemeral range (32768
// and up by default), for a server that must be started, stopped and started
// again on the same port while clients keep connecting to it: a port in that
// range, left without a listener, can be handed out as a client's source port
// (even the connecting client's own: a TCP self-connect) and taken meanwhile.
inline std::uint16_t FreeFixedPort() {
  boost::asio::io_context io;
  std::random_device random;
  std::uniform_int_distribution<int> pick(20000, 32000);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const auto port = static_cast<std::uint16_t>(pick(random));
    boost::asio::ip::tcp::acceptor acceptor(io);
    boost::system::error_code ec;
    const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) return port;
  }
  return 0;
}

class TcpProxy {
 public:
  explicit TcpProxy(std::uint16_t upstream_port)
      : upstream_(boost::asio::ip::make_address("127.0.0.1"), upstream_port),
        acceptor_(io_),
        work_(boost::asio::make_work_guard(io_)) {
    Run([this] { Listen(FreeFixedPort()); });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TcpProxy() {
    Run([this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      CutLocked();
      work_.reset();
    });
    thread_.join();
  }
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  std::uint16_t port() const { return port_; }
  // Connections accepted so far.
  int accepted() {
    return RunAndGet([this] { return accepted_; });
  }
  // Closes every connection (both sides see a reset or end of stream).
  void CutAll() {
    Run([this] { CutLocked(); });
  }
  // Closes the listening socket and every connection: connects are refused.
  void StopListening() {
    Run([this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      CutLocked();
    });
  }
  // The connections open now stay open but carry nothing more, in either
  // direction, like a path whose middlebox forgot them; new connections
  // work.
  void Freeze() {
    Run([this] {
      for (const auto& pair : pairs_) pair->frozen = true;
    });
  }
  // Listens again on the same port.
  void StartListening() {
    Run([this] { Listen(port_); });
  }

 private:
  using tcp = boost::asio::ip::tcp;
  struct Pair {
    tcp::socket client;
    tcp::socket server;
    bool frozen = false;
    explicit Pair(boost::asio::io_context& io) : client(io), server(io) {}
  };

  // Runs `f` on the proxy's thread (or now, before the thread starts) and waits.
  template <typename F>
  void Run(F f) {
    RunAndGet([&] {
      f();
      return 0;
    });
  }
  template <typename F>
  auto RunAndGet(F f) -> decltype(f()) {
    if (!thread_.joinable()) return f();
    std::promise<decltype(f())> done;
    boost::asio::post(io_, [&] { done.set_value(f()); });
    return done.get_future().get();
  }

  void Listen(std::uint16_t port) {
    tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    Accept();
  }

  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed
      ++accepted_;
      auto pair = std::make_shared<Pair>(io_);
      pair->client = std::move(socket);
      pairs_.insert(pair);
      pair->server.async_connect(upstream_, [this, pair](boost::system::error_code ec) {
        if (ec) return Close(pair);
        Pipe(pair, pair->client, pair->server);
        Pipe(pair, pair->server, pair->client);
      });
      Accept();
    });
  }

  // Copies `from` to `to` until either fails; then closes both.
  void Pipe(std::shared_ptr<Pair> pair, tcp::socket& from, tcp::socket& to) {
    auto buffer = std::make_shared<std::array<char, 16384>>();
    from.async_read_some(boost::asio::buffer(*buffer), [this, pair, buffer, &from, &to](
                                                           boost::system::error_code ec,
                                                           std::size_t n) {
      if (ec) return Close(pair);
      if (pair->frozen) return;  // dropped; the sockets stay open in pairs_
      boost::asio::async_write(to, boost::asio::buffer(*buffer, n),
                               [this, pair, &from, &to](boost::system::error_code ec, std::size_t) {
                                 if (ec) return Close(pair);
                                 Pipe(pair, from, to);
                               });
    });
  }

  void Close(const std::shared_ptr<Pair>& pair) {
    boost::system::error_code ec;
    // SO_LINGER 0: a reset, as a dropped network path or a dead peer gives.
    if (pair->client.is_open()) pair->client.set_option(tcp::socket::linger(true, 0), ec);
    if (pair->server.is_open()) pair->server.set_option(tcp::socket::linger(true, 0), ec);
    pair->client.close(ec);
    pair->server.close(ec);
    pairs_.erase(pair);
  }

  void CutLocked() {
    auto pairs = pairs_;
    for (const auto& pair : pairs) Close(pair);
  }

  const tcp::endpoint upstream_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::set<std::shared_ptr<Pair>> pairs_;
  std::uint16_t port_ = 0;
  int accepted_ = 0;
  std::thread thread_;
};

}  // namespace unitclock::testing

#pragma once

// A raw HTTP/1.1 client over a loopback socket for the listener's tests: it
// sends whatever bytes a test gives it (malformed ones too) and parses what
// comes back with Beast's response parser. Every read has a deadline, so a
// server that hangs fails the test instead of blocking it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace unitclock::http::testclient {

using namespace std::chrono_literals;

struct ClientResponse {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lowercase name -> value
  std::string body;

  std::string Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TestClient {
 public:
  explicit TestClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~TestClient() { Close(); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Sends all of `bytes`; false if the connection failed.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads one response. nullopt if none came whole within `timeout` (or the
  // connection ended first). `head`: the response to a HEAD, without body.
  std::optional<ClientResponse> ReadResponse(std::chrono::milliseconds timeout = 5s,
                                             bool head = false) {
    namespace bhttp = boost::beast::http;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.skip(head);
    parser.body_limit(64 * 1024 * 1024);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (!pending_.empty()) {
        boost::beast::error_code ec;
        const std::size_t used =
            parser.put(boost::asio::buffer(pending_.data(), pending_.size()), ec);
        pending_.erase(0, used);
        if (ec && ec != bhttp::error::need_more) return std::nullopt;
        if (parser.is_done()) break;
      }
      const int got = Receive(deadline);
      if (got == 0) {  // end of input: a close-delimited body ends here
        boost::beast::error_code ec;
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return std::nullopt;
        break;
      }
      if (got < 0) return std::nullopt;
    }
    ClientResponse response;
    response.status = parser.get().result_int();
    for (const auto& field : parser.get()) {
      std::string name(field.name_string().data(), field.name_string().size());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers[name] = std::string(field.value().data(), field.value().size());
    }
    response.body = parser.get().body();
    return response;
  }

  // Reads until what was received (and not yet parsed) holds `needle`.
  bool ReadUntil(std::string_view needle, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pending_.find(needle) == std::string::npos) {
      if (Receive(deadline) <= 0) return false;
    }
    return true;
  }

  // True if the server ends the connection (end of input or reset) within
  // `timeout`; what it sends first is kept in received().
  bool WaitClosed(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const int got = Receive(deadline);
      if (got == 0 || got == -2) return true;
      if (got == -1) return false;
    }
  }

  // What was received and not consumed by ReadResponse.
  const std::string& received() const { return pending_; }
  void ClearReceived() { pending_.clear(); }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  // Receives what is there by `deadline`: > 0 bytes, 0 at the end of input,
  // -1 on timeout, -2 on a reset or other error.
  int Receive(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready == 0) return -1;
    if (ready < 0) return -2;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return -2;
    pending_.append(buf, static_cast<std::size_t>(n));
    return static_cast<int>(n);
  }

  int fd_ = -1;
  std::string pending_;
};

// A request's bytes: `method target HTTP/1.1`, Host, the given headers, and
// Content-Length with `body` if it is not empty.
inline std::string RequestBytes(std::string_view method, std::string_view target,
                                std::string_view headers = {}, std::string_view body = {}) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  out += "Host: 127.0.0.1\r\n";
  out += headers;
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

// One request on a fresh connection, and its response.
inline std::optional<ClientResponse> Exchange(std::uint16_t port, std::string_view bytes,
                                              bool head = false) {
  TestClient client(port);
  if (!client.connected() || !client.Send(bytes)) return std::nullopt;
  return client.ReadResponse(5s, head);
}

}  // namespace unitclock::http::testclient

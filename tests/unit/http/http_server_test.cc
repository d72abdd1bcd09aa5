#include "daemon/http/http_server.h"

#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include "tests/support/http_client.h"

namespace amparo {
namespace {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

// A server on 127.0.0.1:0 answering "ok" (and echoing the body size), run on
// its own thread.
struct ServerFixture {
  boost::asio::io_context io;
  HttpServer server;
  std::thread thread;

  explicit ServerFixture(HttpServerOptions options = {})
      : server(io, WithFreePort(options), [](const HttpRequest& r) {
          return MakeResponse(r, http::status::ok, "text/plain",
                              "ok " + std::to_string(r.body().size()));
        }) {
    REQUIRE(server.Start().ok());
    thread = std::thread([this] { io.run(); });
  }
  ~ServerFixture() {
    boost::asio::post(io, [this] { server.Stop(); });
    thread.join();
  }
  static HttpServerOptions WithFreePort(HttpServerOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    return o;
  }
};

// A raw client socket that gives up reading after 5 s (so a server that
// never closes fails the test instead of hanging it).
tcp::socket RawClient(boost::asio::io_context& io, uint16_t port) {
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  timeval tv{5, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return socket;
}

// Reads until the server closes; returns what came and the error that ended it.
std::pair<std::string, boost::system::error_code> ReadToClose(tcp::socket& socket) {
  std::string data;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(data), ec);
  return {data, ec};
}

TEST_CASE("HttpServer answers a request and keeps the connection for the next") {
  ServerFixture f;
  testing::HttpReply r = testing::HttpCall(f.server.port(), "POST", "/x", "", "12345");
  CHECK(r.status == 200);
  CHECK(r.body == "ok 5");
  CHECK(testing::HttpCall(f.server.port(), "GET", "/y").body == "ok 0");
}

TEST_CASE("HttpServer refuses a body over the limit with 413, and a small one is fine") {
  HttpServerOptions o;
  o.body_limit = 100;
  ServerFixture f(o);
  CHECK(testing::HttpCall(f.server.port(), "POST", "/x", "", std::string(100, 'a')).status == 200);
  testing::HttpReply r =
      testing::HttpCall(f.server.port(), "POST", "/x", "", std::string(101, 'a'));
  CHECK(r.status == 413);
  CHECK(r.content_type == "application/problem+json");
}

TEST_CASE(
    "HttpServer hands a body far over the limit to its too-large handler, and the 413 "
    "arrives whole") {
  boost::asio::io_context io;
  std::string seen_target;
  std::string seen_auth;
  HttpServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.body_limit = 100;
  HttpServer server(
      io, o,
      [](const HttpRequest& r) { return MakeResponse(r, http::status::ok, "text/plain", "ok"); },
      [&](const HttpRequest& r) {
        seen_target = std::string(r.target());
        seen_auth = std::string(r[http::field::authorization]);
        return MakeResponse(r, http::status::payload_too_large, "text/plain", "kept");
      });
  REQUIRE(server.Start().ok());
  std::thread thread([&] { io.run(); });
  // 512 KiB the server never reads: it must still answer, not reset.
  testing::HttpReply r =
      testing::HttpCall(server.port(), "POST", "/a/ack", "tok", std::string(512 * 1024, 'a'));
  CHECK(r.status == 413);
  CHECK(r.body == "kept");
  boost::asio::post(io, [&] { server.Stop(); });
  thread.join();
  CHECK(seen_target == "/a/ack");
  CHECK(seen_auth == "Bearer tok");
}

TEST_CASE("HttpServer refuses oversized headers with 431") {
  ServerFixture f;
  boost::asio::io_context io;
  tcp::socket socket = RawClient(io, f.server.port());
  const std::string request =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  auto [data, ec] = ReadToClose(socket);
  CHECK(data.rfind("HTTP/1.1 431", 0) == 0);
}

TEST_CASE("HttpServer closes a slow client's connection after the request timeout") {
  HttpServerOptions o;
  o.request_timeout = std::chrono::milliseconds(200);
  ServerFixture f(o);
  boost::asio::io_context io;
  SECTION("half a request line, then nothing") {
    tcp::socket socket = RawClient(io, f.server.port());
    boost::asio::write(socket, boost::asio::buffer(std::string("GET /slow HT")));
    auto [data, ec] = ReadToClose(socket);
    CHECK(data.empty());
    CHECK(ec == boost::asio::error::eof);  // Closed by the server, not our 5 s give-up.
  }
  SECTION("an idle keep-alive connection") {
    tcp::socket socket = RawClient(io, f.server.port());
    boost::asio::write(socket,
                       boost::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
    auto [data, ec] = ReadToClose(socket);
    CHECK(data.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(ec == boost::asio::error::eof);
  }
  SECTION("a client that sends in time is served") {
    CHECK(testing::HttpCall(f.server.port(), "GET", "/fast").status == 200);
  }
}

TEST_CASE("HttpServer answers malformed HTTP with 400") {
  ServerFixture f;
  boost::asio::io_context io;
  tcp::socket socket = RawClient(io, f.server.port());
  boost::asio::write(socket, boost::asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  auto [data, ec] = ReadToClose(socket);
  CHECK(data.rfind("HTTP/1.1 400", 0) == 0);
}

TEST_CASE("HttpServer reports a port it cannot bind") {
  ServerFixture f;
  boost::asio::io_context io;
  HttpServerOptions o;
  o.port = f.server.port();
  HttpServer second(io, o, [](const HttpRequest& r) {
    return MakeResponse(r, http::status::ok, "text/plain", "");
  });
  CHECK(second.Start().code() == Status::Code::kIOError);
}

}  // namespace
}  // namespace amparo

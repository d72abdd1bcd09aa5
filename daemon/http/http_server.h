// HttpServer: a small HTTP/1.1 server on Boost.Beast, in amparod's
// io_context (DESIGN.md §8, issue 9).
//
// One acceptor; one session per connection, each reading requests in turn
// (keep-alive) and answering each through the handler, synchronously on the
// loop: the handler reads and writes SQLite, which is fast, and so needs no
// locks. Limits: a request's headers at most 8 KiB and body at most
// body_limit (413 otherwise), the whole request within request_timeout and
// the response written within it too (the connection is closed otherwise,
// so a slow client holds nothing for long), at most max_connections at once
// (more are closed at accept). A body over the limit is answered by the
// too-large handler, given the request's headers, so that what it was (an
// ack, say) can be kept; the connection is closed after it.
//
// TLS (options.tls): every connection first completes a TLS handshake
// within request_timeout; plain HTTP is then not served at all.
//
// Stop() closes the acceptor and every connection, so that io_context::run()
// can return by itself.
//
// Thread-safety: construct, Start and Stop on the loop thread.
#ifndef AMPARO_DAEMON_HTTP_HTTP_SERVER_H_
#define AMPARO_DAEMON_HTTP_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"

namespace amparo {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see port().
  size_t body_limit = size_t{16} * 1024;
  Duration request_timeout = std::chrono::seconds(10);
  size_t max_connections = 256;
  // Serve HTTPS with this context (certificate and key loaded); null: HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// A server TLS context with `cert_file` (PEM, the chain) and `key_file`
// (PEM), TLS 1.2 or later. InvalidArgument naming the file that failed.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file);

// Splits "HOST:PORT" (an IPv6 host in brackets). InvalidArgument otherwise.
Result<HttpServerOptions> ParseListen(std::string_view listen, HttpServerOptions base);

class HttpServer {
 public:
  // Answers one request; runs on the loop and must not throw.
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // `too_large` answers a request whose body exceeds options.body_limit (it
  // gets the headers and an empty body); by default a 413 problem.
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler,
             Handler too_large = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. IOError if the address cannot be bound.
  Status Start();
  // Stops accepting and closes every connection.
  void Stop();
  // The port bound (the one chosen when options.port was 0).
  uint16_t port() const { return port_; }

 private:
  template <typename Stream>
  class Session;
  class Connection;
  void Accept();

  boost::asio::io_context& io_;
  HttpServerOptions options_;
  Handler handler_;
  Handler too_large_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::list<std::weak_ptr<Connection>> sessions_;
  uint16_t port_ = 0;
};

// A response with `status`, `content_type` and `body`, keep-alive as `request` asked.
HttpResponse MakeResponse(const HttpRequest& request, boost::beast::http::status status,
                          std::string_view content_type, std::string body);

}  // namespace amparo

#endif  // AMPARO_DAEMON_HTTP_HTTP_SERVER_H_

#include "daemon/http/http_server.h"

#include <array>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

namespace amparo {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

constexpr uint32_t kHeaderLimit = 8 * 1024;

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

// A problem+json body for errors the server itself answers (413, 400).
HttpResponse ServerProblem(unsigned version, http::status status, std::string_view detail) {
  HttpResponse res{status, version};
  res.set(http::field::content_type, "application/problem+json");
  res.set(http::field::server, "amparod");
  res.keep_alive(false);
  res.body() = R"({"type":"about:blank","status":)" + std::to_string(static_cast<int>(status)) +
               R"(,"title":")" + std::string(Sv(http::obsolete_reason(status))) +
               R"(","detail":")" + std::string(detail) + R"("})";
  res.prepare_payload();
  return res;
}

}  // namespace

Result<HttpServerOptions> ParseListen(std::string_view listen, HttpServerOptions base) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == listen.size()) {
    return Status::InvalidArgument("listen must be HOST:PORT, got '" + std::string(listen) + "'");
  }
  std::string host(listen.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) {
      return Status::InvalidArgument("listen port must be 0..65535, got '" + std::string(listen) +
                                     "'");
    }
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return Status::InvalidArgument("listen port must be 0..65535");
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("listen host must be an IP address, got '" + host + "'");
  base.host = std::move(host);
  base.port = static_cast<uint16_t>(port);
  return base;
}

HttpResponse MakeResponse(const HttpRequest& request, http::status status,
                          std::string_view content_type, std::string body) {
  HttpResponse res{status, request.version()};
  res.set(http::field::server, "amparod");
  res.set(http::field::content_type,
          boost::beast::string_view(content_type.data(), content_type.size()));
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// What the server keeps of a session, whatever its stream: a way to close it.
class HttpServer::Connection {
 public:
  virtual ~Connection() = default;
  virtual void Close() = 0;
};

// One connection: (TLS handshake,) read a request, answer it, repeat while
// keep-alive. Stream is beast::tcp_stream or beast::ssl_stream of one.
template <typename Stream>
class HttpServer::Session : public HttpServer::Connection,
                            public std::enable_shared_from_this<HttpServer::Session<Stream>> {
 public:
  template <typename... TlsContext>
  Session(tcp::socket socket, const HttpServerOptions& options, const Handler& handler,
          const Handler& too_large, TlsContext&... tls)
      : stream_(std::move(socket), tls...),
        options_(options),
        handler_(handler),
        too_large_(too_large) {}

  void Start() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(options_.request_timeout);
      stream_.async_handshake(boost::asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  // A scanner, a plain-HTTP client, an expired certificate.
                                  spdlog::debug("http: TLS handshake failed: {}", ec.message());
                                  self->Close();
                                  return;
                                }
                                self->Read();
                              });
    } else {
      Read();
    }
  }

  void Close() override {
    beast::error_code ec;
    tcp::socket& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  void Read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(options_.body_limit);
    beast::get_lowest_layer(stream_).expires_after(options_.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == boost::asio::error::operation_aborted) {
      Close();
      return;
    }
    if (ec == http::error::body_limit) {
      // The headers are in; the body is not read, so the connection cannot
      // be reused.
      HttpRequest headers = parser_->release();
      headers.body().clear();
      HttpResponse response;
      if (too_large_) response = Answer(too_large_, headers);
      if (!too_large_) {
        response = ServerProblem(
            11, http::status::payload_too_large,
            "the body is larger than " + std::to_string(options_.body_limit) + " bytes");
      }
      response.keep_alive(false);
      linger_ = true;
      Write(std::move(response));
      return;
    }
    if (ec == http::error::header_limit) {
      Write(ServerProblem(11, http::status::request_header_fields_too_large,
                          "the headers are larger than 8192 bytes"));
      return;
    }
    if (ec) {
      Write(ServerProblem(11, http::status::bad_request, "malformed HTTP request"));
      return;
    }
    HttpRequest request = parser_->release();
    Write(Answer(handler_, request));
  }

  static HttpResponse Answer(const Handler& handler, const HttpRequest& request) {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed: {}", e.what());
      return ServerProblem(request.version(), http::status::internal_server_error,
                           "internal error");
    }
  }

  void Write(HttpResponse response) {
    response_ = std::make_unique<HttpResponse>(std::move(response));
    beast::get_lowest_layer(stream_).expires_after(options_.request_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        const bool keep = !ec && self->response_->keep_alive();
                        self->response_.reset();
                        if (keep) {
                          self->Read();
                        } else if (!ec && self->linger_) {
                          self->Linger();
                        } else {
                          self->Close();
                        }
                      });
  }

  // After answering a request whose body was not read: stop sending, then
  // read and drop what the client still sends (up to a bound, within the
  // timeout) before closing. Closing with unread bytes would send a TCP
  // reset, which can destroy the answer before the client reads it.
  void Linger() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
    beast::get_lowest_layer(stream_).expires_after(options_.request_timeout);
    DrainSome();
  }

  void DrainSome() {
    constexpr size_t kMaxDrained = size_t{1} << 20;
    beast::get_lowest_layer(stream_).async_read_some(
        boost::asio::buffer(drain_),
        [self = this->shared_from_this()](beast::error_code ec, size_t n) {
          self->drained_ += n;
          if (ec || self->drained_ > kMaxDrained) {
            self->Close();
          } else {
            self->DrainSome();
          }
        });
  }

  Stream stream_;
  bool linger_ = false;
  std::array<char, 4096> drain_{};
  size_t drained_ = 0;
  const HttpServerOptions& options_;
  const Handler& handler_;
  const Handler& too_large_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<HttpResponse> response_;
};

Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  boost::system::error_code ec;
  if (context->use_certificate_chain_file(cert_file, ec); ec) {
    return Status::InvalidArgument("http.tls.cert_file " + cert_file + ": " + ec.message());
  }
  if (context->use_private_key_file(key_file, ssl::context::pem, ec); ec) {
    return Status::InvalidArgument("http.tls.key_file " + key_file + ": " + ec.message());
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return Status::InvalidArgument("http.tls.key_file " + key_file +
                                   ": is not the key of the certificate in " + cert_file);
  }
  return context;
}

HttpServer::HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler,
                       Handler too_large)
    : io_(io),
      options_(std::move(options)),
      handler_(std::move(handler)),
      too_large_(std::move(too_large)),
      acceptor_(io) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  boost::system::error_code ec;
  const tcp::endpoint endpoint(boost::asio::ip::make_address(options_.host, ec), options_.port);
  if (ec) return Status::InvalidArgument("http: bad listen host " + options_.host);
  auto fail = [&](std::string_view what) {
    return Status::IOError("http: cannot " + std::string(what) + " " + options_.host + ":" +
                           std::to_string(options_.port) + ": " + ec.message());
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("open");
  if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec); ec) return fail("configure");
  if (acceptor_.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec); ec) {
    return fail("listen on");
  }
  port_ = acceptor_.local_endpoint(ec).port();
  spdlog::info("http: listening on {}:{} ({})", options_.host, port_,
               options_.tls ? "https" : "http");
  Accept();
  return Status::OK();
}

void HttpServer::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (!ec) {
      sessions_.remove_if([](const std::weak_ptr<Connection>& s) { return s.expired(); });
      if (sessions_.size() >= options_.max_connections) {
        spdlog::warn("http: {} connections open; refusing one", sessions_.size());
        boost::system::error_code ignored;
        socket.close(ignored);
      } else if (options_.tls) {
        auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            std::move(socket), options_, handler_, too_large_, *options_.tls);
        sessions_.push_back(session);
        session->Start();
      } else {
        auto session = std::make_shared<Session<beast::tcp_stream>>(std::move(socket), options_,
                                                                    handler_, too_large_);
        sessions_.push_back(session);
        session->Start();
      }
    }
    Accept();
  });
}

void HttpServer::Stop() {
  boost::system::error_code ec;
  if (acceptor_.is_open()) acceptor_.close(ec);
  for (const std::weak_ptr<Connection>& weak : sessions_) {
    if (auto session = weak.lock()) session->Close();
  }
  sessions_.clear();
}

}  // namespace amparo

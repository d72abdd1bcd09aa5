#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/x509v3.h>

namespace amparo::testing {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;

namespace {

template <typename Stream>
HttpReply Exchange(Stream& stream, const std::string& method, const std::string& target,
                   const std::string& body, const HttpOptions& options) {
  HttpReply reply;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!options.token.empty()) req.set(http::field::authorization, "Bearer " + options.token);
  if (!body.empty()) req.set(http::field::content_type, options.content_type);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  http::read(stream, buffer, parser);
  const auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  reply.content_type = std::string(res[http::field::content_type]);
  reply.body = res.body();
  return reply;
}

}  // namespace

HttpReply HttpCall(int port, const std::string& method, const std::string& target,
                   const std::string& token, const std::string& body) {
  HttpOptions options;
  options.token = token;
  return HttpSend(port, method, target, body, options);
}

HttpReply HttpSend(int port, const std::string& method, const std::string& target,
                   const std::string& body, const HttpOptions& options) {
  try {
    boost::asio::io_context io;
    const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  static_cast<unsigned short>(port));
    if (options.ca_file.empty()) {
      beast::tcp_stream stream(io);
      stream.expires_after(std::chrono::seconds(10));
      stream.connect(endpoint);
      HttpReply reply = Exchange(stream, method, target, body, options);
      beast::error_code ec;
      stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      return reply;
    }
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(options.ca_file);
    context.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), "127.0.0.1");
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(stream).connect(endpoint);
    stream.handshake(ssl::stream_base::client);
    HttpReply reply = Exchange(stream, method, target, body, options);
    beast::error_code ec;
    beast::get_lowest_layer(stream).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                      ec);
    return reply;
  } catch (const std::exception&) {
    return HttpReply{};
  }
}

}  // namespace amparo::testing

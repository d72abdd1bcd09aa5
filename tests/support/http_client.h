// A blocking HTTP/1.1 client for tests (Boost.Beast), on 127.0.0.1 only.
#ifndef AMPARO_TESTS_SUPPORT_HTTP_CLIENT_H_
#define AMPARO_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <string>

namespace amparo::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused, closed or timed out).
  std::string content_type;
  std::string body;
};

// Sends one request to 127.0.0.1:`port` and reads the answer, within 10 s.
// `token` becomes "Authorization: Bearer TOKEN" unless empty.
HttpReply HttpCall(int port, const std::string& method, const std::string& target,
                   const std::string& token = "", const std::string& body = "");

struct HttpOptions {
  std::string token;                              // Bearer token; empty: none.
  std::string content_type = "application/json";  // Of a non-empty body.
  std::string ca_file;  // Non-empty: HTTPS, the server's certificate checked
                        // against this CA and the name 127.0.0.1.
};

// HttpCall with options; an HTTPS handshake that fails answers status 0.
HttpReply HttpSend(int port, const std::string& method, const std::string& target,
                   const std::string& body, const HttpOptions& options);

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_SUPPORT_HTTP_CLIENT_H_

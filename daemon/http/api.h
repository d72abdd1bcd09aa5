// Api: the routes of amparod's HTTP server (README "HTTP API", issue 9).
//
//   GET  /healthz                      process up; no auth
//   GET  /readyz                       store open, broker connected, rules loaded; no auth
//   GET  /metrics                      Prometheus text format; no auth (loopback by default)
//   GET  /api/v1/alerts                open alerts; ?agency= &severity= &due_before= &state=
//   &limit= GET  /api/v1/alerts/{id}           one alert with its deliveries, acks and escalations
//   POST /api/v1/alerts/{id}/ack       acknowledge (body: ack_handler.h, alert_id from the path)
//   GET  /api/v1/alerts/{id}/ack?token=T   an e-mail's one-time link: a confirmation form
//   POST /api/v1/alerts/{id}/ack?token=T   the form sent: the ack (ack_link.h)
//   GET  /api/v1/clocks                running legal clocks with due times (duty officer only)
//   GET  /api/v1/me                    the token's agency, and whether it sees every alert
//   GET  /, /console.js, …             the duty officer's console (console_assets.h); no auth
//
// /api/v1 needs "Authorization: Bearer TOKEN" (tokens.h). A token is bound to
// one agency, which sees and acknowledges only alerts addressed or escalated
// to it; the duty officer's token sees everything. Errors are RFC 9457
// problem details (application/problem+json) with a stable "code".
//
// The one-time links of e-mails (?token=HMAC(alert_id, version, agency))
// carry their own credential instead of a bearer token (ack_link.h). A body
// over the server's limit sent to an ack endpoint is kept as a refused ack
// (TooLarge), like every other ack that cannot be taken.
//
// Thread-safety: Handle() runs on the loop thread (it uses the loop's store).
#ifndef AMPARO_DAEMON_HTTP_API_H_
#define AMPARO_DAEMON_HTTP_API_H_

#include <functional>
#include <optional>
#include <string>

#include "daemon/core/clock.h"
#include "daemon/delivery/ack_handler.h"
#include "daemon/http/http_server.h"
#include "daemon/http/metrics.h"
#include "daemon/http/tokens.h"
#include "daemon/store/ack_store.h"
#include "daemon/store/alert_query.h"
#include "daemon/store/clock_store.h"

namespace amparo {

struct Readiness {
  bool store = false;
  bool broker = false;
  bool rules = false;
};

struct ApiDeps {
  AlertQuery* query = nullptr;
  AckStore* acks = nullptr;  // On the loop's connection.
  ClockStore* clocks = nullptr;
  Metrics* metrics = nullptr;
  const Clock* clock = nullptr;
  std::optional<TokenTable> tokens;  // nullopt: /api/v1 is off (503).
  std::string duty_officer;          // The agency whose token sees every alert.
  std::function<Readiness()> readiness;
  // The deployment key the e-mails' ack tokens are made with; empty: ack
  // links are refused (e-mails carry none without http.public_base_url).
  std::string ack_link_key;
};

class Api {
 public:
  explicit Api(ApiDeps deps);

  // Answer `request`. Never throws.
  HttpResponse Handle(const HttpRequest& request);
  // Answer a request whose body was over the server's limit (its headers
  // only): 413, and an ack that was one is stored as refused. Never throws.
  HttpResponse TooLarge(const HttpRequest& request);

 private:
  // Who is asking: the agency, or a problem response to send instead.
  struct Caller {
    std::string agency_id;
    bool sees_all = false;
  };
  std::optional<HttpResponse> Authenticate(const HttpRequest& request, Caller& caller);
  HttpResponse Ready(const HttpRequest& request);
  HttpResponse Metrics(const HttpRequest& request);
  HttpResponse ListAlerts(const HttpRequest& request, const Caller& caller);
  HttpResponse GetAlert(const HttpRequest& request, const Caller& caller,
                        const std::string& alert_id);
  HttpResponse Ack(const HttpRequest& request, const std::string& alert_id);
  HttpResponse AckLink(const HttpRequest& request, const std::string& alert_id,
                       const std::string& token);
  HttpResponse Clocks(const HttpRequest& request, const Caller& caller);

  ApiDeps deps_;
  AckHandler ack_handler_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_HTTP_API_H_

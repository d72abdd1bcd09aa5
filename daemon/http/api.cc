#include "daemon/http/api.h"

#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/event/event.h"
#include "daemon/event/rfc3339.h"
#include "daemon/http/ack_link.h"
#include "daemon/http/console_assets.h"
#include "daemon/http/url.h"

namespace amparo {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

constexpr std::string_view kApiPrefix = "/api/v1/alerts";
constexpr std::string_view kJson = "application/json";
constexpr std::string_view kProblemJson = "application/problem+json";

std::string_view Sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Format(Instant t) { return FormatRfc3339(Timestamp{.utc = t, .offset_minutes = 0}); }

json OptionalTime(const std::optional<Instant>& t) { return t ? json(Format(*t)) : json(nullptr); }

// An RFC 9457 problem: `code` is stable, `detail` for people.
HttpResponse Problem(const HttpRequest& request, http::status status, std::string_view code,
                     std::string detail) {
  json body = {{"type", "urn:amparo:problem:" + std::string(code)},
               {"title", std::string(Sv(http::obsolete_reason(status)))},
               {"status", static_cast<int>(status)},
               {"code", std::string(code)},
               {"detail", std::move(detail)}};
  HttpResponse res = MakeResponse(request, status, kProblemJson, Dump(body));
  if (status == http::status::unauthorized) {
    res.set(http::field::www_authenticate, R"(Bearer realm="amparod")");
  }
  return res;
}

HttpResponse Json(const HttpRequest& request, http::status status, const json& body) {
  return MakeResponse(request, status, kJson, Dump(body));
}

struct Target {
  std::string path;
  std::map<std::string, std::string> query;
  bool valid = true;
};

Target ParseTarget(std::string_view target) {
  Target t;
  const size_t q = target.find('?');
  std::optional<std::string> path = PercentDecode(target.substr(0, q));
  std::optional<std::map<std::string, std::string>> query =
      ParseQuery(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
  if (!path || !query) {
    t.valid = false;
    return t;
  }
  t.path = std::move(*path);
  t.query = std::move(*query);
  return t;
}

// Splits "/api/v1/alerts/ID[/ack]" into ID and the rest ("" or "/ack").
std::pair<std::string, std::string> AlertPath(const std::string& path) {
  std::string rest = path.substr(kApiPrefix.size() + 1);
  const size_t slash = rest.find('/');
  if (slash == std::string::npos) return {rest, ""};
  return {rest.substr(0, slash), rest.substr(slash)};
}

json SummaryJson(const AlertSummary& a) {
  return {{"alert_id", a.alert_id},
          {"rule", a.rule_id},
          {"agency_id", a.agency_id},
          {"role", a.role},
          {"severity", a.severity},
          {"state", a.state},
          {"version", a.version},
          {"deadline", OptionalTime(a.deadline)},
          {"escalates_to", a.escalates_to ? json(*a.escalates_to) : json(nullptr)},
          {"event_id", a.opening_event_id},
          {"created_at", Format(a.created_at)},
          {"updated_at", Format(a.updated_at)}};
}

http::status StatusForRefusal(const std::string& code) {
  if (code == "unknown_alert") return http::status::not_found;
  if (code == "not_recipient") return http::status::forbidden;
  if (code == "unknown_version") return http::status::conflict;
  if (code == "too_large") return http::status::payload_too_large;
  return http::status::bad_request;
}

}  // namespace

Api::Api(ApiDeps deps) : deps_(std::move(deps)), ack_handler_(*deps_.acks, *deps_.clock) {}

HttpResponse Api::Handle(const HttpRequest& request) {
  const Target target = ParseTarget(Sv(request.target()));
  if (!target.valid) {
    return Problem(request, http::status::bad_request, "bad_target", "malformed request target");
  }
  const http::verb method = request.method();
  const std::string& path = target.path;
  auto only = [&](http::verb allowed) -> std::optional<HttpResponse> {
    if (method == allowed) return std::nullopt;
    HttpResponse res =
        Problem(request, http::status::method_not_allowed, "method_not_allowed",
                std::string(Sv(http::to_string(method))) + " is not allowed on " + path);
    res.set(http::field::allow, http::to_string(allowed));
    return res;
  };
  if (path == "/healthz") {
    if (auto no = only(http::verb::get)) return *no;
    return Json(request, http::status::ok, {{"status", "up"}});
  }
  if (path == "/readyz") {
    if (auto no = only(http::verb::get)) return *no;
    return Ready(request);
  }
  if (path == "/metrics") {
    if (auto no = only(http::verb::get)) return *no;
    return Metrics(request);
  }
  if (path == "/api/v1/me") {
    if (auto no = only(http::verb::get)) return *no;
    Caller caller;
    if (auto denied = Authenticate(request, caller)) return *denied;
    return Json(request, http::status::ok,
                {{"agency_id", caller.agency_id}, {"sees_all", caller.sees_all}});
  }
  if (path == "/api/v1/clocks") {
    if (auto no = only(http::verb::get)) return *no;
    Caller caller;
    if (auto denied = Authenticate(request, caller)) return *denied;
    return Clocks(request, caller);
  }
  if (path == kApiPrefix) {
    if (auto no = only(http::verb::get)) return *no;
    Caller caller;
    if (auto denied = Authenticate(request, caller)) return *denied;
    return ListAlerts(request, caller);
  }
  if (path.starts_with(std::string(kApiPrefix) + "/")) {
    auto [alert_id, rest] = AlertPath(path);
    if (alert_id.empty() || (rest != "" && rest != "/ack")) {
      return Problem(request, http::status::not_found, "not_found", "no route " + path);
    }
    if (rest == "/ack") {
      if (auto token = target.query.find("token"); token != target.query.end()) {
        if (method != http::verb::get) {
          if (auto no = only(http::verb::post)) return *no;
        }
        return AckLink(request, alert_id, token->second);
      }
      if (auto no = only(http::verb::post)) return *no;
      return Ack(request, alert_id);
    }
    if (auto no = only(http::verb::get)) return *no;
    Caller caller;
    if (auto denied = Authenticate(request, caller)) return *denied;
    return GetAlert(request, caller, alert_id);
  }
  if (auto file = ServeConsoleFile(request, path)) return *file;
  return Problem(request, http::status::not_found, "not_found", "no route " + path);
}

std::optional<HttpResponse> Api::Authenticate(const HttpRequest& request, Caller& caller) {
  if (!deps_.tokens) {
    return Problem(request, http::status::service_unavailable, "api_disabled",
                   "no http.ack_tokens_file is configured");
  }
  const auto header = request.find(http::field::authorization);
  constexpr std::string_view kBearer = "Bearer ";
  if (header == request.end() || !Sv(header->value()).starts_with(kBearer)) {
    return Problem(request, http::status::unauthorized, "unauthenticated",
                   "send Authorization: Bearer TOKEN");
  }
  const std::string_view token = Sv(header->value()).substr(kBearer.size());
  const TokenCheck check = deps_.tokens->Check(token, deps_.clock->Now());
  switch (check.outcome) {
    case TokenCheck::Outcome::kUnknown:
      return Problem(request, http::status::unauthorized, "unknown_token",
                     "the bearer token is not known");
    case TokenCheck::Outcome::kExpired:
      return Problem(request, http::status::unauthorized, "expired_token",
                     "the bearer token of " + check.agency_id + " has expired");
    case TokenCheck::Outcome::kValid:
      break;
  }
  caller.agency_id = check.agency_id;
  caller.sees_all = check.agency_id == deps_.duty_officer;
  return std::nullopt;
}

HttpResponse Api::Ready(const HttpRequest& request) {
  const Readiness r = deps_.readiness ? deps_.readiness() : Readiness{};
  const bool ready = r.store && r.broker && r.rules;
  return Json(request, ready ? http::status::ok : http::status::service_unavailable,
              {{"ready", ready}, {"store", r.store}, {"broker", r.broker}, {"rules", r.rules}});
}

HttpResponse Api::Metrics(const HttpRequest& request) {
  Result<std::string> text =
      deps_.metrics->Render(*deps_.query, deps_.clock->Now(), std::chrono::hours(1));
  if (!text.ok()) {
    spdlog::error("http: /metrics: {}", text.status().ToString());
    return Problem(request, http::status::internal_server_error, "store_error",
                   "the store could not be read");
  }
  return MakeResponse(request, http::status::ok, kMetricsContentType, std::move(text).value());
}

HttpResponse Api::ListAlerts(const HttpRequest& request, const Caller& caller) {
  const Target target = ParseTarget(Sv(request.target()));
  AlertFilter filter;
  if (!caller.sees_all) filter.visible_to = caller.agency_id;
  for (const auto& [key, value] : target.query) {
    if (key == "agency") {
      filter.agency = value;
    } else if (key == "severity") {
      filter.severity = value;
    } else if (key == "state") {
      filter.state = value;
    } else if (key == "due_before") {
      Result<Timestamp> t = ParseRfc3339(value);
      if (!t.ok()) {
        return Problem(request, http::status::bad_request, "bad_query",
                       "due_before: " + t.status().message());
      }
      filter.due_before = t->utc;
    } else if (key == "limit") {
      try {
        size_t used = 0;
        filter.limit = std::stoi(value, &used);
        if (used != value.size()) throw std::invalid_argument(value);
      } catch (const std::exception&) {
        return Problem(request, http::status::bad_request, "bad_query", "limit: not a number");
      }
    } else {
      return Problem(request, http::status::bad_request, "bad_query", "unknown parameter " + key);
    }
  }
  Result<std::vector<AlertSummary>> alerts = deps_.query->List(filter);
  if (!alerts.ok()) {
    if (alerts.status().code() == Status::Code::kInvalidArgument) {
      return Problem(request, http::status::bad_request, "bad_query", alerts.status().message());
    }
    spdlog::error("http: list alerts: {}", alerts.status().ToString());
    return Problem(request, http::status::internal_server_error, "store_error",
                   "the store could not be read");
  }
  json list = json::array();
  for (const AlertSummary& a : *alerts) list.push_back(SummaryJson(a));
  return Json(request, http::status::ok, {{"alerts", list}});
}

HttpResponse Api::GetAlert(const HttpRequest& request, const Caller& caller,
                           const std::string& alert_id) {
  const std::optional<std::string> visible_to =
      caller.sees_all ? std::nullopt : std::optional(caller.agency_id);
  Result<AlertSummary> alert = deps_.query->Get(alert_id, visible_to);
  if (!alert.ok()) {
    if (alert.status().code() == Status::Code::kNotFound) {
      return Problem(request, http::status::not_found, "unknown_alert", "no alert " + alert_id);
    }
    return Problem(request, http::status::internal_server_error, "store_error",
                   "the store could not be read");
  }
  Result<std::vector<DeliverySummary>> deliveries = deps_.query->Deliveries(alert_id);
  Result<std::vector<AckRow>> acks = deps_.acks->ForAlert(alert_id);
  if (!deliveries.ok() || !acks.ok()) {
    return Problem(request, http::status::internal_server_error, "store_error",
                   "the store could not be read");
  }
  json body = SummaryJson(*alert);
  json d = json::array();
  json escalations = json::array();
  for (const DeliverySummary& x : *deliveries) {
    json row = {{"id", x.id},
                {"version", x.version},
                {"agency_id", x.agency_id},
                {"channel", x.channel_type},
                {"state", x.state},
                {"attempts", x.attempts},
                {"last_error", x.last_error},
                {"created_at", Format(x.created_at)},
                {"delivered_at", OptionalTime(x.delivered_at)},
                {"escalated_from", x.escalated_from ? json(*x.escalated_from) : json(nullptr)}};
    if (x.escalated_from) escalations.push_back(row);
    d.push_back(std::move(row));
  }
  json a = json::array();
  for (const AckRow& x : *acks) {
    a.push_back({{"agency_id", x.agency_id},
                 {"at", Format(x.at)},
                 {"by", x.by},
                 {"note", x.note},
                 {"via", x.via},
                 {"version", x.version ? json(*x.version) : json(nullptr)}});
  }
  body["deliveries"] = std::move(d);
  body["acks"] = std::move(a);
  body["escalations"] = std::move(escalations);
  return Json(request, http::status::ok, body);
}

HttpResponse Api::Ack(const HttpRequest& request, const std::string& alert_id) {
  const Instant now = deps_.clock->Now();
  const std::string& body = request.body();
  const std::string_view raw = std::string_view{body}.substr(0, kMaxAckBytes);
  Caller caller;
  if (auto denied = Authenticate(request, caller)) {
    // Kept, never dropped: who tried to acknowledge what, and why not.
    if (deps_.tokens) {
      json problem = json::parse(denied->body(), nullptr, false);
      const std::string code =
          problem.is_object() ? problem.value("code", "unauthenticated") : "unauthenticated";
      Result<AckResult> stored =
          deps_.acks->Refuse("http", "", alert_id, {code, problem.value("detail", "")}, raw, now);
      if (!stored.ok()) spdlog::error("http: refused ack: {}", stored.status().ToString());
    }
    return *denied;
  }
  Result<AckResult> result = ack_handler_.HandleHttp(alert_id, caller.agency_id, request.body());
  if (!result.ok()) {
    spdlog::error("http: ack of alert {} not stored: {}", alert_id, result.status().ToString());
    return Problem(request, http::status::service_unavailable, "store_unavailable",
                   "the ack could not be stored; send it again");
  }
  deps_.metrics->ObserveAck("http", *result);
  if (result->outcome == AckOutcome::kRefused) {
    spdlog::warn("http: ack of alert {} by {} refused: {}", alert_id, caller.agency_id,
                 result->refusal->code);
    return Problem(request, StatusForRefusal(result->refusal->code), result->refusal->code,
                   result->refusal->reason);
  }
  spdlog::info("http: ack of alert {} by {}: {}", alert_id, caller.agency_id,
               AckOutcomeName(result->outcome));
  return Json(request, http::status::ok,
              {{"alert_id", alert_id},
               {"status", std::string(AckOutcomeName(result->outcome))},
               {"state_changed", result->state_changed}});
}

HttpResponse Api::TooLarge(const HttpRequest& request) {
  const Target target = ParseTarget(Sv(request.target()));
  const std::string detail = "the body is larger than the server's limit";
  if (target.valid && target.path.starts_with(std::string(kApiPrefix) + "/") &&
      deps_.acks != nullptr) {
    auto [alert_id, rest] = AlertPath(target.path);
    if (rest == "/ack" && !alert_id.empty()) {
      // Who sent it, if the bearer token says; the body itself was not read.
      std::string agency;
      Caller caller;
      if (deps_.tokens && !Authenticate(request, caller)) agency = caller.agency_id;
      Result<AckResult> stored =
          deps_.acks->Refuse("http", agency, alert_id,
                             {"too_large", detail + " (" + std::to_string(kMaxAckBytes) +
                                               " bytes for an ack); the body was not read"},
                             "", deps_.clock->Now());
      if (!stored.ok()) spdlog::error("http: refused ack: {}", stored.status().ToString());
      spdlog::warn("http: ack of alert {} refused: too_large", alert_id);
    }
  }
  HttpResponse res = Problem(request, http::status::payload_too_large, "too_large", detail);
  res.keep_alive(false);
  return res;
}

HttpResponse Api::AckLink(const HttpRequest& request, const std::string& alert_id,
                          const std::string& token) {
  auto page = [&](http::status status, std::string html) {
    HttpResponse res = MakeResponse(request, status, "text/html; charset=utf-8", std::move(html));
    res.set("Content-Security-Policy",
            boost::beast::string_view(kAckLinkCsp.data(), kAckLinkCsp.size()));
    res.set("Referrer-Policy", "no-referrer");
    res.set("X-Content-Type-Options", "nosniff");
    return res;
  };
  const bool is_post = request.method() == http::verb::post;
  const Instant now = deps_.clock->Now();
  const std::string_view raw = std::string_view{request.body()}.substr(0, kMaxAckBytes);
  Result<std::vector<DeliverySummary>> deliveries = deps_.query->Deliveries(alert_id);
  if (!deliveries.ok()) {
    spdlog::error("http: ack link: {}", deliveries.status().ToString());
    return page(http::status::service_unavailable,
                AckLinkErrorPage("the store could not be read; try again"));
  }
  const std::optional<AckLinkTarget> link =
      MatchAckLink(deps_.ack_link_key, alert_id, token, *deliveries);
  if (!link) {
    if (is_post) {
      Result<AckResult> stored = deps_.acks->Refuse(
          "http", "", alert_id,
          {"bad_link", "the one-time link is not one of this alert's e-mails"}, raw, now);
      if (!stored.ok()) spdlog::error("http: refused ack: {}", stored.status().ToString());
      spdlog::warn("http: ack link for alert {} refused: bad_link", alert_id);
    }
    return page(http::status::forbidden,
                AckLinkErrorPage("this link does not acknowledge alert " + alert_id));
  }
  if (!is_post) {
    Result<AlertSummary> alert = deps_.query->Get(alert_id, std::nullopt);
    if (!alert.ok()) {
      return page(http::status::service_unavailable,
                  AckLinkErrorPage("the store could not be read; try again"));
    }
    return page(http::status::ok, AckLinkConfirmPage(*alert, *link));
  }
  // The form's fields (or an ack's JSON, for a program following the link).
  AckRequest ack{.alert_id = alert_id,
                 .version = link->version,
                 .idempotency_key = "",
                 .agency_id = link->agency_id,
                 .by = "",
                 .note = "",
                 .at = std::nullopt,
                 .via = "email-link"};
  std::optional<std::map<std::string, std::string>> form = ParseQuery(request.body());
  if (form) {
    if (auto by = form->find("by"); by != form->end()) ack.by = by->second.substr(0, 200);
    if (auto note = form->find("note"); note != form->end())
      ack.note = note->second.substr(0, 2000);
  }
  Result<AckResult> result =
      form ? deps_.acks->Record(ack, raw, now)
           : deps_.acks->Refuse("http", link->agency_id, alert_id,
                                {"malformed", "the form could not be read"}, raw, now);
  if (!result.ok()) {
    spdlog::error("http: ack of alert {} not stored: {}", alert_id, result.status().ToString());
    return page(http::status::service_unavailable,
                AckLinkErrorPage("the acknowledgement could not be stored; send it again"));
  }
  deps_.metrics->ObserveAck("http", *result);
  spdlog::info("http: ack link of alert {} by {}: {}", alert_id, link->agency_id,
               AckOutcomeName(result->outcome));
  const http::status status = result->outcome == AckOutcome::kRefused
                                  ? StatusForRefusal(result->refusal->code)
                                  : http::status::ok;
  return page(status, AckLinkResultPage(alert_id, *result));
}

HttpResponse Api::Clocks(const HttpRequest& request, const Caller& caller) {
  if (!caller.sees_all) {
    return Problem(request, http::status::forbidden, "duty_officer_only",
                   "the running clocks are listed to the duty officer only");
  }
  Result<std::vector<ClockRecord>> clocks = deps_.clocks->Running();
  if (!clocks.ok()) {
    return Problem(request, http::status::internal_server_error, "store_error",
                   "the store could not be read");
  }
  json list = json::array();
  for (const ClockRecord& c : *clocks) {
    list.push_back({{"clock", c.clock_id},
                    {"subject_key", c.subject_key},
                    {"event_id", c.event_id},
                    {"started_at", Format(c.started_at)},
                    {"warn_at", OptionalTime(c.warn_at)},
                    {"due_at", Format(c.due_at)},
                    {"warned", c.warned},
                    {"expired", c.expired},
                    {"roles", c.roles}});
  }
  return Json(request, http::status::ok, {{"clocks", list}});
}

}  // namespace amparo

// 05-acks: close the loop. An event in, the alerts out over a real
// Mosquitto, one acknowledged over MQTT and one over the HTTP API (Beast, on
// a real loopback socket), both stored in the real SQLite file with the
// alerts no longer open; every bad ack refused with a reason and stored;
// /metrics parsed by the Prometheus client library's own text parser.
#include <cstdio>
#include <map>
#include <random>
#include <regex>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include "tests/integration/amparod_process.h"
#include "tests/integration/mqtt_test_client.h"
#include "tests/support/http_client.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

const std::string kConsulate = "gt-consulate-tapachula";
const std::string kWelfare = "mx-dif-chiapas";
const std::string kConsulateToken = "consulate-token-0123456789abcdef0123456789";
const std::string kWelfareToken = "welfare-token-0123456789abcdef0123456789ab";
const std::string kDutyToken = "duty-token-0123456789abcdef0123456789abcdef";
const std::string kExpiredToken = "expired-token-0123456789abcdef0123456789ab";

std::string Now(std::chrono::hours ago = 0h) {
  const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() - ago);
  return date::format("%FT%TZ", t);
}

json Child(const std::string& event_id, const std::string& subject_id) {
  return {{"schema", "amparo.event.v1"},
          {"event_id", event_id},
          {"type", "apprehension"},
          {"occurred_at", Now()},
          {"authority", {{"country", "MX"}, {"agency", "INM"}}},
          {"location",
           {{"country", "MX"},
            {"admin1", "MX-CHP"},
            {"place", "Tapachula"},
            {"facility", {{"id", "mx-chp-bp-1"}, {"type", "border_post"}}}}},
          {"subject",
           {{"id", subject_id},
            {"age", {{"years", 15}, {"basis", "declared"}}},
            {"sex", "F"},
            {"nationalities", {"GT"}},
            {"accompaniment", "unaccompanied"}}}};
}

// Runs the Debian python3-prometheus-client text parser over `exposition`;
// returns its output (one "family type samples" line a family) or "".
std::string ParseWithPrometheusClient(const TempDir& dir, const std::string& exposition) {
  WriteFile(dir.File("metrics.txt"), exposition);
  const std::string command =
      "/usr/bin/python3 -c \"import sys\n"
      "from prometheus_client.parser import text_string_to_metric_families as parse\n"
      "for f in parse(open(sys.argv[1]).read()):\n"
      "    print(f.name, f.type, sum(s.value for s in f.samples if s.name == f.name + '_count'"
      " or f.type != 'histogram'))\" " +
      dir.File("metrics.txt") + " 2>&1";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int rc = pclose(pipe);
  return rc == 0 ? out : "PARSE FAILED: " + out;
}

struct AckHarness {
  TempDir dir;
  int port = FixtureBrokerPort();
  std::string run = std::to_string(std::random_device{}());
  std::unique_ptr<AmparodProcess> daemon;
  MqttTestClient client{port, "acks-test-" + run};
  int http_port = 0;

  // `rule_params`: lines for rules.params, e.g. "    consular_notification_sla: 8s\n".
  explicit AckHarness(const std::string& rule_params = "") {
    WriteFile(dir.File("ack-tokens"), "# agency token [expires]\n" + kConsulate + " " +
                                          kConsulateToken + "\n" + kWelfare + " " + kWelfareToken +
                                          "\n" + "duty-officer " + kDutyToken + "\n" + kWelfare +
                                          " " + kExpiredToken + " 2020-01-01T00:00:00Z\n");
    daemon = std::make_unique<AmparodProcess>(dir, port);
    // The shared config has an http section; give it the tokens file.
    std::string config = ReadFile(daemon->config_path());
    const std::string listen = "  listen: 127.0.0.1:0\n";
    REQUIRE(config.find(listen) != std::string::npos);
    config.replace(config.find(listen), listen.size(),
                   listen + "  ack_tokens_file: " + dir.File("ack-tokens") + "\n");
    if (!rule_params.empty()) {
      const std::string rules = "  dir: " + std::string(AMPARO_SOURCE_DIR) + "/rules\n";
      REQUIRE(config.find(rules) != std::string::npos);
      config.replace(config.find(rules), rules.size(), rules + "  params:\n" + rule_params);
    }
    WriteFile(daemon->config_path(), config);
    client.Subscribe("rcm/v1/alerts/#");
    client.Subscribe("rcm/v1/ack-receipts/#");
    Start();
  }

  // Starts (or restarts) the daemon and learns its HTTP port.
  void Start() {
    REQUIRE(daemon->Start());
    const std::string log = daemon->Log();
    const std::regex listening(R"(http: listening on 127\.0\.0\.1:(\d+))");
    for (auto it = std::sregex_iterator(log.begin(), log.end(), listening);
         it != std::sregex_iterator(); ++it) {
      http_port = std::stoi((*it)[1]);  // The last start's.
    }
    REQUIRE(http_port > 0);
  }

  // Every alert received for `agency` of events starting with `prefix`.
  std::vector<json> AlertsTo(const std::string& agency, const std::string& prefix) {
    std::vector<json> out;
    for (const auto& m : client.Received()) {
      if (m.topic != "rcm/v1/alerts/" + agency) continue;
      json a = json::parse(m.payload);
      if (a.value("event_id", "").rfind(prefix, 0) == 0) out.push_back(a);
    }
    return out;
  }

  long long Count(const std::string& sql) { return QueryInt(daemon->db_path(), sql); }

  // The alert to `agency` for events starting with `prefix`, once it arrives.
  json AlertTo(const std::string& agency, const std::string& prefix) {
    json found;
    REQUIRE(WaitUntil(
        [&] {
          for (const auto& m : client.Received()) {
            if (m.topic != "rcm/v1/alerts/" + agency) continue;
            json a = json::parse(m.payload);
            if (a.value("event_id", "").rfind(prefix, 0) == 0) {
              found = a;
              return true;
            }
          }
          return false;
        },
        20s));
    return found;
  }

  // The receipts on rcm/v1/ack-receipts/{agency}, in order.
  std::vector<json> Receipts(const std::string& agency) {
    std::vector<json> out;
    for (const auto& m : client.Received()) {
      if (m.topic == "rcm/v1/ack-receipts/" + agency) out.push_back(json::parse(m.payload));
    }
    return out;
  }

  std::string State(const std::string& alert_id) {
    auto rows = QueryStrings(daemon->db_path(),
                             "SELECT state FROM alerts WHERE alert_id = '" + alert_id + "'");
    return rows.empty() ? "" : rows.front();
  }
};

TEST_CASE(
    "acks: one over MQTT, one over HTTP, both stored and the alerts taken, bad acks refused") {
  AckHarness h;
  const std::string prefix = "ack-" + h.run;
  REQUIRE(
      h.client.Publish("rcm/v1/events/MX/INM", Child(prefix + "-1", "case-ack-" + h.run).dump()));
  const json consular = h.AlertTo(kConsulate, prefix);
  const json welfare = h.AlertTo(kWelfare, prefix);
  const std::string consular_id = consular["alert_id"];
  const std::string welfare_id = welfare["alert_id"];
  CHECK(consular["acknowledge"]["mqtt_topic"] == "rcm/v1/acks/" + kConsulate);
  CHECK(h.State(consular_id) == "open");

  // Bad MQTT acks first: refused with a reason on the receipt topic, stored.
  const json wrong_agency = {{"alert_id", consular_id}, {"version", 1}, {"by", "intruder"}};
  REQUIRE(h.client.Publish("rcm/v1/acks/" + kWelfare, wrong_agency.dump()));
  REQUIRE(h.client.Publish("rcm/v1/acks/" + kConsulate, "{not json"));
  const json unknown = {
      {"alert_id", "00000000000000000000000000000000"}, {"version", 1}, {"by", "officer"}};
  REQUIRE(h.client.Publish("rcm/v1/acks/" + kConsulate, unknown.dump()));
  REQUIRE(h.client.WaitForCount("rcm/v1/ack-receipts/", 3, 10s));
  CHECK(h.Receipts(kWelfare).at(0)["reason_code"] == "not_recipient");
  CHECK(h.Receipts(kConsulate).at(0)["reason_code"] == "malformed");
  CHECK(h.Receipts(kConsulate).at(1)["reason_code"] == "unknown_alert");
  CHECK(h.Count("SELECT COUNT(*) FROM refused_acks WHERE via = 'mqtt'") == 3);
  CHECK(h.State(consular_id) == "open");

  // The good MQTT ack, twice (a redelivery): stored once, the alert taken.
  const json ack = {{"alert_id", consular_id},
                    {"version", consular["version"]},
                    {"by", "cónsul de guardia"},
                    {"note", "visiting today"}};
  REQUIRE(h.client.Publish("rcm/v1/acks/" + kConsulate, ack.dump()));
  REQUIRE(h.client.Publish("rcm/v1/acks/" + kConsulate, ack.dump()));
  REQUIRE(h.client.WaitForCount("rcm/v1/ack-receipts/", 5, 10s));
  CHECK(h.Receipts(kConsulate).at(2)["status"] == "accepted");
  CHECK(h.Receipts(kConsulate).at(3)["status"] == "duplicate");
  CHECK(h.Count("SELECT COUNT(*) FROM acks WHERE alert_id = '" + consular_id +
                "' AND via = 'mqtt'") == 1);
  CHECK(h.State(consular_id) == "acknowledged");

  // HTTP: the bad cases, each with its own status and problem code.
  const std::string welfare_ack = "/api/v1/alerts/" + welfare_id + "/ack";
  const std::string body = json({{"version", 1}, {"by", "duty social worker"}}).dump();
  HttpReply r = HttpCall(h.http_port, "POST", welfare_ack, "", body);
  CHECK(r.status == 401);
  CHECK(r.content_type == "application/problem+json");
  CHECK(json::parse(r.body)["code"] == "unauthenticated");
  r = HttpCall(h.http_port, "POST", welfare_ack, kExpiredToken, body);
  CHECK(r.status == 401);
  CHECK(json::parse(r.body)["code"] == "expired_token");
  r = HttpCall(h.http_port, "POST", welfare_ack, kConsulateToken, body);
  CHECK(r.status == 403);
  CHECK(json::parse(r.body)["code"] == "not_recipient");
  r = HttpCall(h.http_port, "POST", "/api/v1/alerts/ffff/ack", kWelfareToken, body);
  CHECK(r.status == 404);
  r = HttpCall(h.http_port, "POST", welfare_ack, kWelfareToken, R"({"by": 3})");
  CHECK(r.status == 400);
  CHECK(json::parse(r.body)["code"] == "malformed");
  r = HttpCall(h.http_port, "POST", welfare_ack, kWelfareToken, std::string(20000, 'x'));
  CHECK(r.status == 413);
  CHECK(h.State(welfare_id) == "open");
  // Every one kept, the oversized one too (its body unread, its agency the token's).
  CHECK(h.Count("SELECT COUNT(*) FROM refused_acks WHERE via = 'http'") == 6);
  CHECK(h.Count("SELECT COUNT(*) FROM refused_acks WHERE reason_code = 'too_large' AND "
                "agency_id = '" +
                kWelfare + "' AND alert_id = '" + welfare_id + "'") == 1);

  // An agency sees only its own alerts; the duty officer sees both.
  r = HttpCall(h.http_port, "GET", "/api/v1/alerts", kWelfareToken);
  REQUIRE(r.status == 200);
  json list = json::parse(r.body)["alerts"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["alert_id"] == welfare_id);
  r = HttpCall(h.http_port, "GET", "/api/v1/alerts/" + consular_id, kWelfareToken);
  CHECK(r.status == 404);
  r = HttpCall(h.http_port, "GET", "/api/v1/alerts?state=any", kDutyToken);
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["alerts"].size() >= 2);

  // The good HTTP ack, twice.
  r = HttpCall(h.http_port, "POST", welfare_ack, kWelfareToken, body);
  CHECK(r.status == 200);
  CHECK(json::parse(r.body)["status"] == "accepted");
  r = HttpCall(h.http_port, "POST", welfare_ack, kWelfareToken, body);
  CHECK(r.status == 200);
  CHECK(json::parse(r.body)["status"] == "duplicate");
  CHECK(h.State(welfare_id) == "acknowledged");
  CHECK(h.Count("SELECT COUNT(*) FROM acks WHERE alert_id = '" + welfare_id +
                "' AND via = 'http'") == 1);

  // The alert with its deliveries and acks.
  r = HttpCall(h.http_port, "GET", "/api/v1/alerts/" + welfare_id, kWelfareToken);
  REQUIRE(r.status == 200);
  const json detail = json::parse(r.body);
  CHECK(detail["state"] == "acknowledged");
  CHECK(detail["acks"].size() == 1);
  CHECK(detail["acks"][0]["by"] == "duty social worker");
  CHECK(detail["deliveries"].size() >= 1);
  r = HttpCall(h.http_port, "GET", "/api/v1/alerts", kWelfareToken);
  CHECK(json::parse(r.body)["alerts"].empty());

  // Health, readiness, clocks.
  CHECK(HttpCall(h.http_port, "GET", "/healthz").status == 200);
  r = HttpCall(h.http_port, "GET", "/readyz");
  CHECK(r.status == 200);
  CHECK(json::parse(r.body)["broker"] == true);
  CHECK(HttpCall(h.http_port, "GET", "/api/v1/clocks", kWelfareToken).status == 403);
  CHECK(HttpCall(h.http_port, "GET", "/api/v1/clocks", kDutyToken).status == 200);
  CHECK(HttpCall(h.http_port, "DELETE", "/healthz").status == 405);
  CHECK(HttpCall(h.http_port, "GET", "/nothing").status == 404);

  // /metrics, through the Prometheus client library's parser.
  r = HttpCall(h.http_port, "GET", "/metrics");
  REQUIRE(r.status == 200);
  CHECK(r.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  const std::string parsed = ParseWithPrometheusClient(h.dir, r.body);
  INFO(parsed);
  CHECK(parsed.find("PARSE FAILED") == std::string::npos);
  CHECK(parsed.find("amparo_ack_latency_seconds histogram 2") != std::string::npos);
  CHECK(parsed.find("amparo_events counter") != std::string::npos);
  CHECK(parsed.find("amparo_alerts counter") != std::string::npos);
  CHECK(parsed.find("amparo_open_alerts gauge") != std::string::npos);
  CHECK(parsed.find("amparo_deliveries gauge") != std::string::npos);
  CHECK(parsed.find("amparo_refused_acks counter 9") != std::string::npos);
  CHECK(parsed.find("amparo_clocks_due_soon gauge") != std::string::npos);
  CHECK(parsed.find("amparo_store_bytes gauge") != std::string::npos);
  CHECK(h.daemon->Terminate() == 0);
}

TEST_CASE("escalation: an alert nobody acks climbs the ladder, across a kill -9 at its deadline") {
  // The consular notification is due for an ack within 8 s here (24 h shipped).
  AckHarness h("    consular_notification_sla: 8s\n");
  const std::string prefix = "esc-" + h.run;
  REQUIRE(
      h.client.Publish("rcm/v1/events/MX/INM", Child(prefix + "-1", "case-esc-" + h.run).dump()));
  const json consular = h.AlertTo(kConsulate, prefix);
  const std::string original = consular["alert_id"];
  const std::string deadline_sql =
      "SELECT deadline_ms FROM alerts WHERE alert_id = '" + original + "'";
  REQUIRE(h.Count(deadline_sql) > 0);
  // Dead before the deadline; the deadline passes while it is down.
  h.daemon->Kill();
  REQUIRE(h.Count("SELECT COUNT(*) FROM escalations") == 0);
  REQUIRE(WaitUntil(
      [&] {
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        return now.count() > h.Count(deadline_sql) + 200;
      },
      20s));
  CHECK(h.Count("SELECT COUNT(*) FROM escalations") == 0);
  CHECK(h.State(original) == "open");

  // The restart rebuilds the timer from the store: the ministry gets its own alert.
  h.Start();
  json step;
  REQUIRE(WaitUntil(
      [&] {
        for (const json& a : h.AlertsTo("gt-minex", prefix)) {
          if (a.value("kind", "") == "escalation") step = a;
        }
        return !step.is_null();
      },
      20s));
  CHECK(step["escalated_from"]["alert_id"] == original);
  CHECK(step["escalated_from"]["agency"] == kConsulate);
  CHECK(step["alert_id"] != original);
  CHECK(step["language"] == "es");
  CHECK(step["recipient"]["agency"] == "gt-minex");
  CHECK(step["acknowledge"]["mqtt_topic"] == "rcm/v1/acks/gt-minex");
  CHECK(h.Count("SELECT COUNT(*) FROM escalations WHERE from_alert_id = '" + original +
                "' AND to_agency = 'gt-minex' AND reason = 'ack_timeout'") == 1);
  CHECK(h.Count("SELECT COUNT(*) FROM alerts WHERE escalated_from = '" + original + "'") == 1);

  // Acknowledged alerts never escalate: the welfare alert is taken now, and
  // the ministry's step is acknowledged before its own deadline.
  const json welfare = h.AlertTo(kWelfare, prefix);
  const json take = {{"alert_id", welfare["alert_id"]}, {"version", 1}, {"by", "social worker"}};
  REQUIRE(h.client.Publish("rcm/v1/acks/" + kWelfare, take.dump()));
  const std::string step_id = step["alert_id"];
  const json take_step = {{"alert_id", step_id}, {"version", 1}, {"by", "minex desk"}};
  REQUIRE(h.client.Publish("rcm/v1/acks/gt-minex", take_step.dump()));
  REQUIRE(WaitUntil([&] { return h.State(step_id) == "acknowledged"; }, 10s));
  // Wait past the step's deadline: still one escalation, none to the duty officer.
  const std::string step_deadline =
      "SELECT deadline_ms FROM alerts WHERE alert_id = '" + step_id + "'";
  REQUIRE(WaitUntil(
      [&] {
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        return now.count() > h.Count(step_deadline) + 1500;
      },
      20s));
  CHECK(h.Count("SELECT COUNT(*) FROM escalations WHERE to_agency = 'duty-officer'") == 0);
  CHECK(h.daemon->Terminate() == 0);
}

TEST_CASE("resolved: a legal clock that stops sends each of its alerts a resolved notice") {
  AckHarness h;
  const std::string prefix = "res-" + h.run;
  // Apprehended 30 hours ago in Chiapas and never channelled to DIF: the
  // 24-hour channelling clock is past due and alerts at once.
  json overdue = Child(prefix + "-1", "case-res-" + h.run);
  overdue["occurred_at"] = Now(30h);
  REQUIRE(h.client.Publish("rcm/v1/events/MX/INM", overdue.dump()));
  const std::string rule = "mx-2-4-dif-channelling:due";
  std::map<std::string, std::string> clock_alerts;  // alert id -> agency
  auto of_kind = [&](const std::string& kind) {
    std::map<std::string, std::string> out;
    for (const auto& m : h.client.Received()) {
      if (m.topic.rfind("rcm/v1/alerts/", 0) != 0) continue;
      json a = json::parse(m.payload);
      if (a.value("kind", "") == kind && a.value("rule", "") == rule &&
          (kind == "resolved" || a.value("event_id", "").rfind(prefix, 0) == 0)) {
        out[a["alert_id"]] = a["recipient"]["agency"];
      }
    }
    return out;
  };
  REQUIRE(WaitUntil(
      [&] {
        clock_alerts = of_kind("clock_due");
        return clock_alerts.size() >= 3;
      },
      20s));
  // While the clock runs, nothing is resolved, and its overdue alerts do not escalate.
  for (const auto& [id, agency] : clock_alerts) CHECK(h.State(id) == "open");
  CHECK(h.Count("SELECT COUNT(*) FROM escalations") == 0);

  // Channelled to DIF: the obligation is met, the clock stops.
  json transfer = overdue;
  transfer["event_id"] = prefix + "-transfer";
  transfer["type"] = "transfer";
  transfer["occurred_at"] = Now();
  transfer["transfer"] = {{"to", {{"agency", "DIF Chiapas"}, {"kind", "child_welfare"}}}};
  REQUIRE(h.client.Publish("rcm/v1/events/MX/INM", transfer.dump()));
  std::map<std::string, std::string> resolved;
  REQUIRE(WaitUntil(
      [&] {
        resolved.clear();
        for (const auto& [id, agency] : of_kind("resolved")) {
          if (clock_alerts.count(id) > 0) resolved[id] = agency;
        }
        return resolved.size() == clock_alerts.size();
      },
      20s));
  CHECK(resolved == clock_alerts);  // Each alert's notice went to its own agency.
  for (const auto& [id, agency] : clock_alerts) {
    CHECK(h.State(id) == "closed");
    CHECK(h.Count("SELECT version FROM alerts WHERE alert_id = '" + id + "'") == 2);
  }
  CHECK(h.daemon->Terminate() == 0);
}

}  // namespace
}  // namespace amparo::testing

// 05-acks, part two: the ways an agency without an MQTT client or an API
// token answers an alert, and the HTTP server's own guarantees, through real
// parts: amparod e-mails an alert through a real SMTP server (aiosmtpd) with
// a one-time link; the link is opened and its form sent over HTTPS (Beast
// with the daemon's certificate, checked by the client against a throw-away
// CA); the ack lands in the real SQLite file. A forged link and an oversized
// ack are refused and kept in refused_acks, never dropped.
#include <random>
#include <regex>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include "tests/integration/amparod_process.h"
#include "tests/integration/mqtt_test_client.h"
#include "tests/support/http_client.h"
#include "tests/unit/adapters/loopback_servers.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

const std::string kWelfareToken = "senniaf-token-0123456789abcdef0123456789ab";

std::string Now() {
  const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return date::format("%FT%TZ", t);
}

// A Venezuelan boy alone in Panamá province: SENNIAF (e-mail first) is told.
json BoyInPanama(const std::string& event_id, const std::string& subject_id) {
  return {{"schema", "amparo.event.v1"},
          {"event_id", event_id},
          {"type", "apprehension"},
          {"occurred_at", Now()},
          {"authority", {{"country", "PA"}, {"agency", "SNM"}}},
          {"location", {{"country", "PA"}, {"admin1", "PA-8"}, {"place", "Ciudad de Panamá"}}},
          {"subject",
           {{"id", subject_id},
            {"age", {{"years", 15}, {"basis", "declared"}}},
            {"sex", "M"},
            {"nationalities", {"VE"}},
            {"accompaniment", "unaccompanied"}}}};
}

// Replaces the first `from` in `text` with `to`; the test fails if absent.
void Replace(std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

struct LinkHarness {
  TempDir dir;
  int port = FixtureBrokerPort();
  std::string run = std::to_string(std::random_device{}());
  Pki pki = MakePki(dir);
  Receiver smtp{dir, "smtp", "smtp_receiver.py", {}};
  std::unique_ptr<AmparodProcess> daemon;
  MqttTestClient client{port, "ack-links-test-" + run};
  int https_port = 0;

  LinkHarness() {
    WriteFile(dir.File("ack-tokens"), "pa-senniaf " + kWelfareToken + "\n");
    daemon = std::make_unique<AmparodProcess>(dir, port);
    std::string config = ReadFile(daemon->config_path());
    Replace(config, "  url: smtp://127.0.0.1:9\n",
            "  url: smtp://127.0.0.1:" + std::to_string(smtp.port()) + "\n");
    Replace(config, "  listen: 127.0.0.1:0\n",
            "  listen: 127.0.0.1:0\n"
            "  ack_tokens_file: " +
                dir.File("ack-tokens") +
                "\n"
                "  public_base_url: https://amparo.example.org\n"
                "  tls:\n"
                "    cert_file: " +
                pki.cert + "\n    key_file: " + pki.key + "\n");
    WriteFile(daemon->config_path(), config);
    client.Subscribe("rcm/v1/alerts/#");
    REQUIRE(daemon->Start());
    const std::string log = daemon->Log();
    std::smatch m;
    REQUIRE(std::regex_search(log, m,
                              std::regex(R"(http: listening on 127\.0\.0\.1:(\d+) \(https\))")));
    https_port = std::stoi(m[1]);
  }

  HttpReply Https(const std::string& method, const std::string& target,
                  const std::string& body = "",
                  const std::string& content_type = "application/x-www-form-urlencoded",
                  const std::string& token = "") {
    HttpOptions options;
    options.ca_file = pki.ca;
    options.content_type = content_type;
    options.token = token;
    return HttpSend(https_port, method, target, body, options);
  }

  long long Count(const std::string& sql) { return QueryInt(daemon->db_path(), sql); }
};

TEST_CASE("an e-mail's one-time link: opening it asks, sending the form acknowledges, once") {
  LinkHarness h;
  REQUIRE(h.client.Publish("rcm/v1/events/PA/SNM",
                           BoyInPanama("link-" + h.run, "case-link-" + h.run).dump()));
  // The e-mail, as Python's e-mail parser read it off the wire.
  json mail;
  REQUIRE(WaitUntil(
      [&] {
        for (const json& r : h.smtp.Records()) {
          if (r["text"].get<std::string>().find("/ack?token=") != std::string::npos) {
            mail = r;
            return true;
          }
        }
        return false;
      },
      30s));
  std::smatch m;
  const std::string text = mail["text"];
  REQUIRE(std::regex_search(
      text, m,
      std::regex(
          R"(https://amparo\.example\.org(/api/v1/alerts/([0-9a-f]+)/ack\?token=([0-9a-f]+)))")));
  const std::string link = m[1];
  const std::string alert_id = m[2];
  const std::string token = m[3];
  REQUIRE(h.Count("SELECT COUNT(*) FROM deliveries WHERE alert_id = '" + alert_id +
                  "' AND agency_id = 'pa-senniaf' AND channel_type = 'smtp'") >= 1);

  // Opening the link (what a mail scanner does too) acknowledges nothing.
  HttpReply page = h.Https("GET", link);
  REQUIRE(page.status == 200);
  CHECK(page.content_type.rfind("text/html", 0) == 0);
  CHECK(page.body.find("<form method=\"post\">") != std::string::npos);
  CHECK(page.body.find(alert_id) != std::string::npos);
  CHECK(h.Count("SELECT COUNT(*) FROM acks WHERE alert_id = '" + alert_id + "'") == 0);

  // The form without a name is refused, and kept.
  HttpReply nameless = h.Https("POST", link, "by=&note=");
  CHECK(nameless.status == 400);
  CHECK(h.Count("SELECT COUNT(*) FROM refused_acks WHERE alert_id = '" + alert_id +
                "' AND reason_code = 'malformed'") == 1);

  // Sent with a name: the ack, as SENNIAF, for the version e-mailed.
  HttpReply sent = h.Https("POST", link, "by=Licda.+Ana+Ruiz&note=en+camino");
  CHECK(sent.status == 200);
  CHECK(sent.body.find("Acknowledged") != std::string::npos);
  CHECK(h.Count("SELECT COUNT(*) FROM acks WHERE alert_id = '" + alert_id +
                "' AND agency_id = 'pa-senniaf' AND by = 'Licda. Ana Ruiz' AND note = 'en camino'"
                " AND via = 'email-link'") == 1);
  CHECK(h.Count("SELECT COUNT(*) FROM alerts WHERE alert_id = '" + alert_id +
                "' AND state = 'acknowledged'") == 1);

  // A second use acknowledges nothing more.
  HttpReply again = h.Https("POST", link, "by=Someone+else");
  CHECK(again.status == 200);
  CHECK(again.body.find("Already acknowledged") != std::string::npos);
  CHECK(h.Count("SELECT COUNT(*) FROM acks WHERE alert_id = '" + alert_id + "'") == 1);

  // A forged token (one character changed) is refused and kept.
  std::string forged = token;
  forged[0] = forged[0] == '0' ? '1' : '0';
  const std::string forged_link = "/api/v1/alerts/" + alert_id + "/ack?token=" + forged;
  CHECK(h.Https("GET", forged_link).status == 403);
  CHECK(h.Https("POST", forged_link, "by=Mallory").status == 403);
  CHECK(h.Count("SELECT COUNT(*) FROM refused_acks WHERE alert_id = '" + alert_id +
                "' AND reason_code = 'bad_link'") == 1);
  CHECK(h.Count("SELECT COUNT(*) FROM acks WHERE alert_id = '" + alert_id + "'") == 1);
  CHECK(h.daemon->Terminate() == 0);
}

TEST_CASE("the API over HTTPS: plain HTTP is not served, an oversized ack is refused and kept") {
  LinkHarness h;
  // TLS only: a plain-HTTP request gets no HTTP answer.
  CHECK(HttpCall(h.https_port, "GET", "/healthz").status == 0);
  CHECK(h.Https("GET", "/healthz").status == 200);
  // A client that does not trust the daemon's CA does not get through.
  HttpOptions untrusted;
  untrusted.ca_file = "/etc/ssl/certs/ca-certificates.crt";
  CHECK(HttpSend(h.https_port, "GET", "/healthz", "", untrusted).status == 0);

  // An ack body over the server's limit: 413, and kept as a refused ack
  // with the agency its bearer token names.
  HttpReply big = h.Https("POST", "/api/v1/alerts/some-alert/ack",
                          "{\"by\":\"" + std::string(64 * 1024, 'x') + "\"}", "application/json",
                          kWelfareToken);
  CHECK(big.status == 413);
  CHECK(h.Count("SELECT COUNT(*) FROM refused_acks WHERE alert_id = 'some-alert' AND "
                "agency_id = 'pa-senniaf' AND reason_code = 'too_large'") == 1);
  // The server is still up for the next client.
  CHECK(h.Https("GET", "/healthz").status == 200);
  CHECK(h.daemon->Terminate() == 0);
}

}  // namespace
}  // namespace amparo::testing

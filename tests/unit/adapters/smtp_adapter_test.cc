// The SMTP adapter against a real SMTP server on 127.0.0.1 (aiosmtpd, started
// by the test) with STARTTLS behind a test CA made by openssl and AUTH. The
// server parses each message with Python's email package; the test checks
// what it parsed.
#include "adapters/smtp/smtp_adapter.h"

#include <string>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "adapters/smtp/alert_mail.h"
#include "daemon/core/ack_token.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/adapters/loopback_servers.h"

namespace amparo {
namespace {

using testing::DeliverAndWait;
using testing::Outcome;
using testing::Receiver;

const std::string kKey(32, 'k');

// An alert as BuildAlert writes it for a Spanish-speaking consulate.
std::string AlertJson(const std::string& time_zone = "America/Mexico_City") {
  nlohmann::json alert = {
      {"schema", "amparo.alert.v1"},
      {"alert_id", "alert-7"},
      {"version", 2},
      {"kind", "rule"},
      {"rule", "int-2-vccr-37b-consular-notification"},
      {"severity", "high"},
      {"language", "es"},
      {"title", "Notificación consular: niña guatemalteca en custodia"},
      {"summary", "Notifique al consulado sin dilación."},
      {"legal_basis", {"CVRC art. 36(1)(b)", "LGNNA art. 92"}},
      {"deadline", "2026-03-03T13:40:00Z"},
      {"event_id", "inm-chp-2026-000418"},
      {"recipient",
       {{"agency", "gt-consulate-tapachula"},
        {"role", "consulate"},
        {"disclosure", "consular"},
        {"time_zone", time_zone.empty() ? nlohmann::json(nullptr) : nlohmann::json(time_zone)}}},
      {"event", {{"subject", {{"nationalities", {"GT"}}, {"age_years", 15}}}}},
      {"acknowledge",
       {{"mqtt_topic", "rcm/v1/acks/gt-consulate-tapachula"},
        {"http", "POST /api/v1/alerts/alert-7/ack"}}},
  };
  return alert.dump();
}

OutboundMessage Message(const std::string& to = "proteccion@consulado-gt.example") {
  return OutboundMessage{.delivery_id = 9,
                         .alert_id = "alert-7",
                         .idempotency_key = "alert-7:2",
                         .agency_id = "gt-consulate-tapachula",
                         .channel_type = "smtp",
                         .target = to,
                         .payload = AlertJson()};
}

struct Fixture {
  testing::TempDir dir;
  testing::Pki pki = testing::MakePki(dir);
  boost::asio::io_context io;

  std::unique_ptr<Receiver> Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--cert", pki.cert,       "--key",      pki.key,
                                     "--user", "amparo-relay", "--password", "s3cret pass"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Receiver>(dir, "smtp", "smtp_receiver.py", args);
  }

  SmtpAdapterOptions Options(const Receiver& r) {
    SmtpAdapterOptions o;
    o.url = "smtp://127.0.0.1:" + std::to_string(r.port());
    o.tls = SmtpTls::kStartTls;
    o.from = "alertas@amparo.example.org";
    o.username = "amparo-relay";
    o.password = "s3cret pass";
    o.ca_file = pki.ca;
    o.timeout = std::chrono::seconds(10);
    o.ack_base_url = "https://amparo.example.org/";
    o.ack_key = kKey;
    return o;
  }

  std::unique_ptr<SmtpAdapter> Adapter(SmtpAdapterOptions options) {
    auto adapter = SmtpAdapter::Create(io, std::move(options));
    INFO(adapter.status().ToString());
    REQUIRE(adapter.ok());
    return std::move(adapter).value();
  }
};

TEST_CASE("SMTP adapter sends a multipart alert over STARTTLS with login, parsed by Python") {
  Fixture f;
  auto server = f.Start();
  auto adapter = f.Adapter(f.Options(*server));
  const Outcome outcome = DeliverAndWait(*adapter, f.io, Message());
  INFO(outcome.why.ToString());
  REQUIRE(outcome.outcome == DeliveryOutcome::kDelivered);

  const auto records = server->Records();
  REQUIRE(records.size() == 1);
  const nlohmann::json& m = records[0];
  INFO(m.dump(2));
  CHECK(m["tls"] == true);
  CHECK(m["authenticated"] == true);
  CHECK(m["defects"].empty());
  CHECK(m["mail_from"] == "alertas@amparo.example.org");
  CHECK(m["rcpt_tos"] == nlohmann::json({"proteccion@consulado-gt.example"}));
  CHECK(m["content_type"] == "multipart/alternative");
  CHECK(m["content_language"] == "es");
  CHECK(m["subject"] == "[HIGH] Notificación consular: niña guatemalteca en custodia");
  CHECK(m["message_id"] ==
        AlertMessageId("alert-7:2", "gt-consulate-tapachula", "alertas@amparo.example.org"));

  const std::string text = m["text"];
  // Headings in the recipient's language; the deadline in its zone and in UTC
  // (13:40 UTC is 07:40 CST in Chiapas).
  CHECK(text.find("Gravedad: high") != std::string::npos);
  CHECK(
      text.find("2026-03-03 07:40 CST (hora local, America/Mexico_City) / 2026-03-03 13:40 UTC") !=
      std::string::npos);
  CHECK(text.find("2026-03-03 13:40 UTC") != std::string::npos);
  CHECK(text.find("CVRC art. 36(1)(b)") != std::string::npos);
  CHECK(text.find("LGNNA art. 92") != std::string::npos);
  CHECK(text.find("perfil de divulgación consular") != std::string::npos);
  CHECK(text.find("subject.nationalities: GT") != std::string::npos);
  CHECK(text.find("subject.age_years: 15") != std::string::npos);
  CHECK(text.find("rcm/v1/acks/gt-consulate-tapachula") != std::string::npos);
  const std::string link = "https://amparo.example.org/api/v1/alerts/alert-7/ack?token=" +
                           AckToken(kKey, "alert-7", 2, "gt-consulate-tapachula");
  CHECK(text.find(link) != std::string::npos);

  const std::string html = m["html"];
  CHECK(html.find("<h1>Notificación consular: niña guatemalteca en custodia</h1>") !=
        std::string::npos);
  CHECK(html.find("href=\"" + link + "\"") != std::string::npos);
  CHECK(html.find("2026-03-03 13:40 UTC") != std::string::npos);
}

TEST_CASE("SMTP adapter: a retry is the same message (one Message-ID)") {
  Fixture f;
  auto server = f.Start({"--tempfail", "1"});
  auto adapter = f.Adapter(f.Options(*server));
  const Outcome first = DeliverAndWait(*adapter, f.io, Message());
  CHECK(first.outcome == DeliveryOutcome::kRetryable);  // 451
  CHECK(first.why.ToString().find("451") != std::string::npos);
  CHECK(DeliverAndWait(*adapter, f.io, Message()).outcome == DeliveryOutcome::kDelivered);
  CHECK(DeliverAndWait(*adapter, f.io, Message()).outcome == DeliveryOutcome::kDelivered);
  const auto records = server->Records();
  REQUIRE(records.size() == 2);
  CHECK(records[0]["message_id"] == records[1]["message_id"]);
  CHECK(AlertMessageId("alert-7:2", "a", "x@y") != AlertMessageId("alert-7:3", "a", "x@y"));
  CHECK(AlertMessageId("alert-7:2", "a", "x@y") != AlertMessageId("alert-7:2", "b", "x@y"));
}

TEST_CASE("SMTP adapter: a rejected recipient is a permanent failure") {
  Fixture f;
  auto server = f.Start({"--reject", "nadie@"});
  auto adapter = f.Adapter(f.Options(*server));
  const Outcome outcome = DeliverAndWait(*adapter, f.io, Message("nadie@consulado-gt.example"));
  CHECK(outcome.outcome == DeliveryOutcome::kPermanent);
  CHECK(outcome.why.ToString().find("550") != std::string::npos);
  CHECK(server->Records().empty());
}

TEST_CASE("SMTP adapter: a wrong password is a permanent failure") {
  Fixture f;
  auto server = f.Start();
  SmtpAdapterOptions options = f.Options(*server);
  options.password = "wrong";
  auto adapter = f.Adapter(options);
  const Outcome outcome = DeliverAndWait(*adapter, f.io, Message());
  INFO(outcome.why.ToString());
  CHECK(outcome.outcome == DeliveryOutcome::kPermanent);
  CHECK(server->Records().empty());
}

TEST_CASE("SMTP adapter verifies the relay's certificate: an unknown CA is permanent") {
  Fixture f;
  auto server = f.Start();
  SmtpAdapterOptions options = f.Options(*server);
  options.ca_file.reset();  // The system store does not know the test CA.
  auto adapter = f.Adapter(options);
  CHECK(DeliverAndWait(*adapter, f.io, Message()).outcome == DeliveryOutcome::kPermanent);
  CHECK(server->Records().empty());
}

TEST_CASE("SMTP adapter: no relay listening is retryable") {
  Fixture f;
  SmtpAdapterOptions o;
  o.url = "smtp://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort());
  o.from = "alertas@amparo.example.org";
  auto adapter = f.Adapter(o);
  CHECK(DeliverAndWait(*adapter, f.io, Message()).outcome == DeliveryOutcome::kRetryable);
}

TEST_CASE("SMTP options: TLS mode and URL must agree, plain only to loopback") {
  CHECK(CheckSmtpUrl("smtp://mail.example.org:587", SmtpTls::kStartTls).ok());
  CHECK(CheckSmtpUrl("smtps://mail.example.org", SmtpTls::kImplicit).ok());
  CHECK(CheckSmtpUrl("smtp://127.0.0.1:2525", SmtpTls::kNone).ok());
  CHECK_FALSE(CheckSmtpUrl("smtp://mail.example.org:25", SmtpTls::kNone).ok());
  CHECK_FALSE(CheckSmtpUrl("smtps://mail.example.org", SmtpTls::kStartTls).ok());
  CHECK_FALSE(CheckSmtpUrl("smtp://mail.example.org", SmtpTls::kImplicit).ok());
  CHECK_FALSE(CheckSmtpUrl("http://mail.example.org", SmtpTls::kStartTls).ok());
  CHECK_FALSE(CheckSmtpUrl("smtp://", SmtpTls::kStartTls).ok());
}

TEST_CASE("Alert mail: a payload that is not an alert is refused, no zone means UTC only") {
  AlertMailContext context;
  context.from = "a@b.example";
  context.to = "c@d.example";
  context.idempotency_key = "k:1";
  CHECK_FALSE(RenderAlertMail("not json", context).ok());
  CHECK_FALSE(RenderAlertMail(R"({"schema":"other"})", context).ok());
  Result<std::string> mail = RenderAlertMail(AlertJson(""), context);
  REQUIRE(mail.ok());
  CHECK(mail->find("Message-ID: <amparo.") != std::string::npos);
  CHECK(mail->find("\r\n\r\n") != std::string::npos);
}

}  // namespace
}  // namespace amparo

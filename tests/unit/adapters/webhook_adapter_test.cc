// The webhook adapter against a real HTTPS receiver on 127.0.0.1 that checks
// the Standard Webhooks signature with its own Python implementation, behind
// a test CA that openssl makes at test time.
#include "adapters/webhook/webhook_adapter.h"

#include <chrono>
#include <filesystem>
#include <string>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "adapters/webhook/webhook_signature.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/adapters/loopback_servers.h"

namespace amparo {
namespace {

using testing::DeliverAndWait;
using testing::Outcome;
using testing::Receiver;

// 32 bytes of key, in the spec's written form.
constexpr const char* kSecret = "whsec_c2VjcmV0LWtleS1vZi10aGUtdGVzdC1hZ2VuY3ktMDE=";

OutboundMessage Message(const std::string& url, const std::string& key = "alert-1:1") {
  return OutboundMessage{.delivery_id = 3,
                         .alert_id = "alert-1",
                         .idempotency_key = key,
                         .agency_id = "dif-chiapas",
                         .channel_type = "webhook",
                         .target = url,
                         .payload = R"({"schema":"amparo.alert.v1","alert_id":"alert-1"})"};
}

struct Fixture {
  testing::TempDir dir;
  testing::Pki pki = testing::MakePki(dir);
  std::string secret_file = dir.File("webhook.secret");
  boost::asio::io_context io;

  Fixture() { testing::WriteFile(secret_file, std::string(kSecret) + "\n"); }

  std::unique_ptr<Receiver> Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--secret", kSecret, "--cert", pki.cert, "--key", pki.key};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Receiver>(dir, "webhook", "webhook_receiver.py", args);
  }

  std::unique_ptr<WebhookAdapter> Adapter(bool trust_test_ca = true) {
    WebhookAdapterOptions options;
    if (trust_test_ca) options.ca_file = pki.ca;
    options.timeout = std::chrono::seconds(5);
    options.secret_file = [this](const std::string& agency,
                                 const std::string&) -> std::optional<std::string> {
      if (agency == "dif-chiapas") return secret_file;
      return std::nullopt;
    };
    auto adapter = WebhookAdapter::Create(io, std::move(options));
    INFO(adapter.status().ToString());
    REQUIRE(adapter.ok());
    return std::move(adapter).value();
  }
};

std::string Url(const Receiver& r) {
  return "https://127.0.0.1:" + std::to_string(r.port()) + "/hooks/amparo";
}

TEST_CASE("Webhook signature matches the Standard Webhooks spec's test vector") {
  Result<std::vector<std::string>> keys =
      ParseWebhookSecrets("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
  REQUIRE(keys.ok());
  CHECK(SignWebhook(*keys, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})") ==
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST_CASE("A secret file with two secrets signs with both, for rotation") {
  Result<std::vector<std::string>> keys = ParseWebhookSecrets(
      "# rotation: old key first\nwhsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n\n  " +
      std::string(kSecret) + "  \n");
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 2);
  const std::string header = SignWebhook(*keys, "id", 1, "{}");
  CHECK(header.find(' ') != std::string::npos);
  CHECK(header.starts_with("v1,"));
}

TEST_CASE("A secret file in another form is refused without echoing the secret") {
  for (const char* text : {"", "\n\n", "plain-password", "whsec_!!!notbase64", "whsec_c2hvcnQ="}) {
    Result<std::vector<std::string>> keys = ParseWebhookSecrets(text);
    INFO(text);
    REQUIRE_FALSE(keys.ok());
    CHECK(keys.status().message().find("plain-password") == std::string::npos);
  }
}

TEST_CASE("Webhook adapter POSTs a signed alert that an independent receiver verifies") {
  Fixture f;
  auto receiver = f.Start();
  auto adapter = f.Adapter();
  const OutboundMessage message = Message(Url(*receiver));
  const Outcome outcome = DeliverAndWait(*adapter, f.io, message);
  INFO(outcome.why.ToString());
  CHECK(outcome.outcome == DeliveryOutcome::kDelivered);

  const auto records = receiver->Records();
  REQUIRE(records.size() == 1);
  CHECK(records[0]["verified"] == true);
  CHECK(records[0]["id"] == "alert-1:1");
  CHECK(records[0]["body"] == message.payload);
  CHECK_FALSE(records[0]["timestamp"].get<std::string>().empty());
}

TEST_CASE("Webhook adapter verifies TLS by default: an unknown CA fails permanently") {
  Fixture f;
  auto receiver = f.Start();
  auto adapter = f.Adapter(/*trust_test_ca=*/false);
  const Outcome outcome = DeliverAndWait(*adapter, f.io, Message(Url(*receiver)));
  CHECK(outcome.outcome == DeliveryOutcome::kPermanent);
  CHECK(receiver->Records().empty());  // Nothing reached the receiver.
}

TEST_CASE("Webhook adapter: 410 is permanent, 500/429/408 retryable with Retry-After") {
  Fixture f;
  auto adapter = f.Adapter();
  SECTION("410 Gone") {
    auto receiver = f.Start({"--status", "410"});
    const Outcome outcome = DeliverAndWait(*adapter, f.io, Message(Url(*receiver)));
    CHECK(outcome.outcome == DeliveryOutcome::kPermanent);
    CHECK(outcome.why.ToString().find("410") != std::string::npos);
  }
  SECTION("500 with Retry-After") {
    auto receiver = f.Start({"--fail-first", "1", "--retry-after", "7"});
    const Outcome outcome = DeliverAndWait(*adapter, f.io, Message(Url(*receiver)));
    CHECK(outcome.outcome == DeliveryOutcome::kRetryable);
    REQUIRE(outcome.hint.retry_after.has_value());
    CHECK(*outcome.hint.retry_after == std::chrono::seconds(7));
    // The next attempt gets 200.
    CHECK(DeliverAndWait(*adapter, f.io, Message(Url(*receiver))).outcome ==
          DeliveryOutcome::kDelivered);
  }
  SECTION("429 and 408 without Retry-After") {
    for (const char* code : {"429", "408"}) {
      auto receiver = f.Start({"--status", code});
      const Outcome outcome = DeliverAndWait(*adapter, f.io, Message(Url(*receiver)));
      INFO(code);
      CHECK(outcome.outcome == DeliveryOutcome::kRetryable);
      CHECK_FALSE(outcome.hint.retry_after.has_value());
    }
  }
}

TEST_CASE("Webhook classification of HTTP answers and curl errors") {
  CHECK(ClassifyHttp(200, CURLE_OK) == DeliveryOutcome::kDelivered);
  CHECK(ClassifyHttp(204, CURLE_OK) == DeliveryOutcome::kDelivered);
  CHECK(ClassifyHttp(301, CURLE_OK) == DeliveryOutcome::kPermanent);
  CHECK(ClassifyHttp(400, CURLE_OK) == DeliveryOutcome::kPermanent);
  CHECK(ClassifyHttp(404, CURLE_OK) == DeliveryOutcome::kPermanent);
  CHECK(ClassifyHttp(408, CURLE_OK) == DeliveryOutcome::kRetryable);
  CHECK(ClassifyHttp(429, CURLE_OK) == DeliveryOutcome::kRetryable);
  CHECK(ClassifyHttp(503, CURLE_OK) == DeliveryOutcome::kRetryable);
  CHECK(ClassifyHttp(0, CURLE_OPERATION_TIMEDOUT) == DeliveryOutcome::kRetryable);
  CHECK(ClassifyHttp(0, CURLE_COULDNT_CONNECT) == DeliveryOutcome::kRetryable);
  CHECK(ClassifyHttp(0, CURLE_PEER_FAILED_VERIFICATION) == DeliveryOutcome::kPermanent);
}

TEST_CASE("Retry-After is read in seconds or as an HTTP date") {
  const std::string base = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n";
  CHECK(RetryAfterSeconds(base + "Retry-After: 120\r\n\r\n", 0) == 120);
  CHECK(RetryAfterSeconds(base + "retry-after:5\r\n", 0) == 5);
  CHECK(RetryAfterSeconds(base + "\r\n", 0) == -1);
  CHECK(RetryAfterSeconds(base + "Retry-After: soon\r\n", 0) == -1);
  // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
  CHECK(RetryAfterSeconds(base + "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n", 784111700) ==
        77);
  CHECK(RetryAfterSeconds(base + "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n", 784111800) == 0);
}

TEST_CASE("Webhook adapter: nobody listening is retryable") {
  Fixture f;
  auto adapter = f.Adapter();
  const std::string url = "https://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort());
  CHECK(DeliverAndWait(*adapter, f.io, Message(url)).outcome == DeliveryOutcome::kRetryable);
}

TEST_CASE("Webhook adapter: a missing or bad secret file is a permanent failure, sent nowhere") {
  Fixture f;
  auto receiver = f.Start();
  auto adapter = f.Adapter();
  SECTION("missing") { std::filesystem::remove(f.secret_file); }
  SECTION("not a Standard Webhooks secret") { testing::WriteFile(f.secret_file, "hunter2\n"); }
  const Outcome outcome = DeliverAndWait(*adapter, f.io, Message(Url(*receiver)));
  CHECK(outcome.outcome == DeliveryOutcome::kPermanent);
  CHECK(outcome.why.ToString().find("hunter2") == std::string::npos);
  CHECK(receiver->Records().empty());
}

TEST_CASE("Webhook adapter: an agency without a secret is a permanent failure") {
  Fixture f;
  auto adapter = f.Adapter();
  OutboundMessage message = Message("https://127.0.0.1:1/");
  message.agency_id = "someone-else";
  CHECK(DeliverAndWait(*adapter, f.io, message).outcome == DeliveryOutcome::kPermanent);
}

}  // namespace
}  // namespace amparo

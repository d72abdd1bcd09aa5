// The MQTT adapter against the private Mosquitto the CTest fixture starts.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/mqtt/mqtt_adapter.h"
#include "tests/integration/mqtt_test_client.h"

namespace amparo {
namespace {

using std::chrono::milliseconds;

struct Outcome {
  DeliveryOutcome outcome;
  Status why;
};

OutboundMessage Message(const std::string& target, const std::string& payload) {
  return OutboundMessage{.delivery_id = 7,
                         .alert_id = "a1",
                         .idempotency_key = "a1:1",
                         .agency_id = "consulate-gt",
                         .channel_type = "mqtt",
                         .target = target,
                         .payload = payload};
}

// Starts a delivery and runs the loop until its outcome arrives (at most 10 s).
Outcome Deliver(MqttAdapter& adapter, boost::asio::io_context& io, const OutboundMessage& message) {
  std::optional<Outcome> result;
  adapter.AsyncDeliver(message, [&](DeliveryOutcome outcome, Status why) {
    REQUIRE_FALSE(result.has_value());  // Exactly once.
    result = Outcome{outcome, std::move(why)};
  });
  REQUIRE_FALSE(result.has_value());  // The call returned without waiting for the broker.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!result && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(milliseconds(10));
  }
  REQUIRE(result.has_value());
  return *result;
}

// A loopback port with nothing listening on it.
int UnusedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::unique_ptr<MqttAdapter> CreateOrFail(boost::asio::io_context& io, MqttAdapterOptions options) {
  Result<std::unique_ptr<MqttAdapter>> adapter = MqttAdapter::Create(io, std::move(options));
  INFO(adapter.status().ToString());
  REQUIRE(adapter.ok());
  return std::move(adapter).value();
}

TEST_CASE("MQTT adapter publishes an alert at QoS 1 and a subscriber receives it") {
  const int port = testing::FixtureBrokerPort();
  testing::MqttTestClient subscriber(port, "adapter-test-sub");
  subscriber.Subscribe("rcm/v1/alerts/#");

  boost::asio::io_context io;
  auto adapter = CreateOrFail(
      io, {.uri = "tcp://127.0.0.1:" + std::to_string(port), .client_id = "adapter-test-pub"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!adapter->connected() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(milliseconds(10));
  }
  REQUIRE(adapter->connected());
  Outcome first = Deliver(*adapter, io, Message("", R"({"alert_id":"a1"})"));
  INFO(first.why.ToString());
  CHECK(first.outcome == DeliveryOutcome::kDelivered);
  CHECK(adapter->connected());
  Outcome second = Deliver(*adapter, io, Message("rcm/v1/alerts/custom", R"({"alert_id":"a2"})"));
  CHECK(second.outcome == DeliveryOutcome::kDelivered);

  REQUIRE(subscriber.WaitForCount("rcm/v1/alerts/", 2, std::chrono::seconds(5)));
  std::vector<testing::ReceivedMessage> received = subscriber.Received();
  CHECK(received[0].topic == "rcm/v1/alerts/consulate-gt");
  CHECK(received[0].payload == R"({"alert_id":"a1"})");
  CHECK(received[1].topic == "rcm/v1/alerts/custom");
  CHECK(received[1].payload == R"({"alert_id":"a2"})");
}

TEST_CASE("MQTT adapter reports retryable, without blocking, when no broker listens") {
  boost::asio::io_context io;
  auto adapter = CreateOrFail(io, {.uri = "tcp://127.0.0.1:" + std::to_string(UnusedPort()),
                                   .client_id = "adapter-test-nobroker",
                                   .publish_timeout = milliseconds(300)});
  for (int attempt = 0; attempt < 3; ++attempt) {
    Outcome result = Deliver(*adapter, io, Message("", "{}"));
    CHECK(result.outcome == DeliveryOutcome::kRetryable);
    CHECK(result.why.code() == Status::Code::kUnavailable);
    io.restart();
    io.run_for(milliseconds(100));  // Let the failing connects go on meanwhile.
  }
  CHECK_FALSE(adapter->connected());
}

}  // namespace
}  // namespace amparo

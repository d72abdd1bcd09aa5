#include "adapters/registry.h"

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

namespace amparo {
namespace {

TEST_CASE("The registry builds one adapter per supported channel type") {
  boost::asio::io_context io;
  AdapterOptions options;
  options.mqtt.uri = "tcp://127.0.0.1:1";  // Never reached: the loop does not run.
  options.smtp.emplace();
  options.smtp->url = "smtp://127.0.0.1:1";
  options.smtp->tls = SmtpTls::kNone;
  options.smtp->from = "a@example.org";
  Result<AdapterSet> adapters = BuildAdapterSet(io, options);
  INFO(adapters.status().ToString());
  REQUIRE(adapters.ok());
  std::vector<std::string> supported(SupportedChannelTypes().begin(),
                                     SupportedChannelTypes().end());
  CHECK(adapters->Types() == supported);
  CHECK(supported == std::vector<std::string>{"file", "mqtt", "smtp", "webhook"});
  for (const std::string& type : supported) {
    REQUIRE(adapters->Find(type) != nullptr);
    CHECK(adapters->Find(type)->Name() == type);
  }
}

TEST_CASE("Without a relay the registry builds no SMTP adapter") {
  boost::asio::io_context io;
  AdapterOptions options;
  options.mqtt.uri = "tcp://127.0.0.1:1";
  Result<AdapterSet> adapters = BuildAdapterSet(io, options);
  REQUIRE(adapters.ok());
  CHECK(adapters->Find("smtp") == nullptr);
  CHECK(adapters->Find("webhook") != nullptr);
}

TEST_CASE("CheckChannelType accepts the four channel types and refuses unknown ones") {
  for (const char* type : {"mqtt", "file", "webhook", "smtp"}) CHECK(CheckChannelType(type).ok());
  Status unknown = CheckChannelType("pigeon");
  CHECK(unknown.code() == Status::Code::kInvalidArgument);
  CHECK(unknown.message().find("unknown channel type") != std::string::npos);
}

TEST_CASE("The registry refuses bad MQTT adapter options") {
  boost::asio::io_context io;
  AdapterOptions options;
  SECTION("timeout") { options.mqtt.publish_timeout = Duration(0); }
  SECTION("buffer") { options.mqtt.max_buffered_messages = 0; }
  SECTION("reconnect") { options.mqtt.reconnect_max = Duration(1); }
  SECTION("uri") { options.mqtt.uri = "gopher://nowhere"; }
  SECTION("webhook timeout") { options.webhook.timeout = Duration(0); }
  SECTION("smtp url") {
    options.smtp.emplace();
    options.smtp->url = "smtp://mail.example.org";  // Plain SMTP off loopback: refused.
    options.smtp->tls = SmtpTls::kNone;
    options.smtp->from = "a@example.org";
  }
  CHECK(BuildAdapterSet(io, options).status().code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace amparo

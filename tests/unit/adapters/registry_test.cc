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
  Result<AdapterSet> adapters = BuildAdapterSet(io, options);
  INFO(adapters.status().ToString());
  REQUIRE(adapters.ok());
  std::vector<std::string> supported(SupportedChannelTypes().begin(),
                                     SupportedChannelTypes().end());
  CHECK(adapters->Types() == supported);
  CHECK(supported == std::vector<std::string>{"file", "mqtt"});
  for (const std::string& type : supported) {
    REQUIRE(adapters->Find(type) != nullptr);
    CHECK(adapters->Find(type)->Name() == type);
  }
}

TEST_CASE("CheckChannelType accepts built types and refuses planned and unknown ones") {
  CHECK(CheckChannelType("mqtt").ok());
  CHECK(CheckChannelType("file").ok());
  for (const char* planned : {"webhook", "smtp"}) {
    Status status = CheckChannelType(planned);
    CHECK(status.code() == Status::Code::kInvalidArgument);
    CHECK(status.message().find("not built yet") != std::string::npos);
  }
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
  CHECK(BuildAdapterSet(io, options).status().code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace amparo

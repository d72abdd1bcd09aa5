#include "adapters/file/file_adapter.h"

#include <optional>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

struct Outcome {
  DeliveryOutcome outcome;
  Status why;
};

OutboundMessage Message(const std::string& target, const std::string& payload) {
  return OutboundMessage{.delivery_id = 1,
                         .alert_id = "a1",
                         .idempotency_key = "a1:1",
                         .agency_id = "consulate-gt",
                         .channel_type = "file",
                         .target = target,
                         .payload = payload};
}

// Delivers `message` and runs the loop; checks `done` came from the loop, once.
Outcome Deliver(FileAdapter& adapter, boost::asio::io_context& io, const OutboundMessage& message) {
  std::optional<Outcome> result;
  int calls = 0;
  adapter.AsyncDeliver(message, [&](DeliveryOutcome outcome, Status why) {
    ++calls;
    result = Outcome{outcome, std::move(why)};
  });
  CHECK_FALSE(result.has_value());  // Never inline.
  io.restart();
  io.run();
  CHECK(calls == 1);
  REQUIRE(result.has_value());
  return *result;
}

TEST_CASE("FileAdapter appends each payload as one JSON line") {
  testing::TempDir dir;
  boost::asio::io_context io;
  const bool sync = GENERATE(false, true);
  FileAdapter adapter(io, {.default_path = "", .fsync = sync});
  CHECK(adapter.Name() == "file");
  const std::string path = dir.File("alerts.jsonl");
  CHECK(Deliver(adapter, io, Message(path, R"({"n":1})")).outcome == DeliveryOutcome::kDelivered);
  CHECK(Deliver(adapter, io, Message(path, R"({"n":2})")).outcome == DeliveryOutcome::kDelivered);
  CHECK(testing::ReadFile(path) == "{\"n\":1}\n{\"n\":2}\n");
}

TEST_CASE("FileAdapter uses the default path when the channel names none") {
  testing::TempDir dir;
  boost::asio::io_context io;
  FileAdapter adapter(io, {.default_path = dir.File("default.jsonl"), .fsync = false});
  CHECK(Deliver(adapter, io, Message("", "{}")).outcome == DeliveryOutcome::kDelivered);
  CHECK(testing::ReadFile(dir.File("default.jsonl")) == "{}\n");
}

TEST_CASE("FileAdapter reports a path it cannot open as retryable") {
  testing::TempDir dir;
  boost::asio::io_context io;
  FileAdapter adapter(io, {});
  Outcome result = Deliver(adapter, io, Message(dir.File("missing/dir/a.jsonl"), "{}"));
  CHECK(result.outcome == DeliveryOutcome::kRetryable);
  CHECK(result.why.code() == Status::Code::kIOError);
}

TEST_CASE("FileAdapter refuses for good what can never be a JSON line") {
  testing::TempDir dir;
  boost::asio::io_context io;
  FileAdapter adapter(io, {});
  SECTION("no path at all") {
    CHECK(Deliver(adapter, io, Message("", "{}")).outcome == DeliveryOutcome::kPermanent);
  }
  SECTION("a payload of several lines") {
    const std::string path = dir.File("a.jsonl");
    CHECK(Deliver(adapter, io, Message(path, "{\n}")).outcome == DeliveryOutcome::kPermanent);
    CHECK(testing::ReadFile(path).empty());
  }
}

}  // namespace
}  // namespace amparo

#include <string>

#include <catch2/catch.hpp>

#include "daemon/event/event_codec.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

TEST_CASE("PeekOrigin reads the origin of a valid event") {
  const auto origin =
      PeekOrigin(testing::ReadFile(testing::SourcePath("config/samples/01-apprehension.json")));
  CHECK(origin == EventOrigin{"inm-chp-2026-000418", "MX", "INM"});
}

TEST_CASE("PeekOrigin reads the origin of an event that DecodeEvent refuses") {
  const std::string payload =
      R"({"event_id": "e-7", "type": "nonsense", "authority": {"country": "Mexico", "agency": "INM"}})";
  CHECK_FALSE(DecodeEvent(payload).ok());
  CHECK(PeekOrigin(payload) == EventOrigin{"e-7", "Mexico", "INM"});
}

TEST_CASE("PeekOrigin returns nothing for what it cannot read") {
  CHECK(PeekOrigin("") == EventOrigin{});
  CHECK(PeekOrigin("{\"event_id\": \"e-1\"") == EventOrigin{});
  CHECK(PeekOrigin("[\"e-1\"]") == EventOrigin{});
  CHECK(PeekOrigin("{\"event_id\": \"e-1\xFF\"}") == EventOrigin{});
  CHECK(PeekOrigin(R"({"event_id": 7, "authority": "INM"})") == EventOrigin{});
}

TEST_CASE("PeekOrigin keeps only values that are safe as a topic segment") {
  const auto peek = [](const std::string& id) {
    return PeekOrigin(R"({"event_id": ")" + id + R"(", "authority": {"country": "MX"}})");
  };
  CHECK(peek("ok-1").event_id == "ok-1");
  CHECK(peek(std::string(64, 'e')).event_id == std::string(64, 'e'));
  CHECK_FALSE(peek(std::string(65, 'e')).event_id.has_value());
  CHECK_FALSE(peek("a/b").event_id.has_value());
  CHECK_FALSE(peek("a+").event_id.has_value());
  CHECK_FALSE(peek("#").event_id.has_value());
  CHECK_FALSE(peek("").event_id.has_value());
  CHECK_FALSE(peek("a\\u0000b").event_id.has_value());
  CHECK_FALSE(peek("a\\nb").event_id.has_value());
  CHECK(peek("a/b").country == "MX");
  CHECK_FALSE(peek("a/b").agency.has_value());
}

}  // namespace
}  // namespace amparo

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
  // "Mexico" is not a country code: the receipt goes by the topic instead.
  CHECK(PeekOrigin(payload) == EventOrigin{"e-7", std::nullopt, "INM"});
}

TEST_CASE("PeekOrigin returns nothing for what it cannot read") {
  CHECK(PeekOrigin("") == EventOrigin{});
  CHECK(PeekOrigin("{\"event_id\": \"e-1\"") == EventOrigin{});
  CHECK(PeekOrigin("[\"e-1\"]") == EventOrigin{});
  CHECK(PeekOrigin("{\"event_id\": \"e-1\xFF\"}") == EventOrigin{});
  CHECK(PeekOrigin(R"({"event_id": 7, "authority": "INM"})") == EventOrigin{});
}

TEST_CASE("PeekOrigin keeps only a country code, an agency that is a topic level, a quotable id") {
  const auto peek = [](const std::string& id, const std::string& agency = "INM") {
    return PeekOrigin(R"({"event_id": ")" + id +
                      R"(", "authority": {"country": "MX", "agency": ")" + agency + R"("}})");
  };
  // The event id is quoted in the receipt's JSON, never put in a topic.
  CHECK(peek("ok-1").event_id == "ok-1");
  CHECK(peek("a/b+#").event_id == "a/b+#");
  CHECK(peek(std::string(128, 'e')).event_id == std::string(128, 'e'));
  CHECK_FALSE(peek(std::string(129, 'e')).event_id.has_value());
  CHECK_FALSE(peek("").event_id.has_value());
  CHECK_FALSE(peek("a\\u0000b").event_id.has_value());
  CHECK_FALSE(peek("a\nb").event_id.has_value());
  // The agency names a topic level (core/topic_segment.h).
  CHECK(peek("e", "CBP-USBP").agency == "CBP-USBP");
  for (const std::string bad : {"a/b", "a+", "#", "", "a b", "a\\u0000b"}) {
    INFO(bad);
    CHECK_FALSE(peek("e", bad).agency.has_value());
    CHECK(peek("e", bad).country == "MX");
  }
  CHECK_FALSE(peek("e", std::string(65, 'a')).agency.has_value());
  CHECK_FALSE(
      PeekOrigin(R"({"authority": {"country": "M+", "agency": "INM"}})").country.has_value());
}

}  // namespace
}  // namespace amparo

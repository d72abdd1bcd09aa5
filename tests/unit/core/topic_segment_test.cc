#include "daemon/core/topic_segment.h"

#include <string>

#include <catch2/catch.hpp>

namespace amparo {
namespace {

TEST_CASE("a topic level is 1 to 64 bytes of letters, digits, dash, underscore and dot") {
  CHECK(IsTopicSegment("MX"));
  CHECK(IsTopicSegment("CBP-USBP"));
  CHECK(IsTopicSegment("mx.dif_chiapas-1"));
  CHECK(IsTopicSegment(std::string(64, 'a')));
  CHECK_FALSE(IsTopicSegment(""));
  CHECK_FALSE(IsTopicSegment(std::string(65, 'a')));
  for (const std::string bad : {"a+b", "#", "a/b", "a b", "a\tb", "ñ", "a$b"}) {
    INFO(bad);
    CHECK_FALSE(IsTopicSegment(bad));
  }
  CHECK_FALSE(IsTopicSegment(std::string("a\0b", 3)));
}

}  // namespace
}  // namespace amparo

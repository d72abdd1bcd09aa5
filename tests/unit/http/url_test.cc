#include "daemon/http/url.h"

#include <catch2/catch.hpp>

namespace amparo {
namespace {

TEST_CASE("PercentDecode decodes escapes and '+', and refuses a broken escape") {
  CHECK(PercentDecode("a%20b+c%2Fd") == "a b c/d");
  CHECK(PercentDecode("%C3%B1") == "\xC3\xB1");
  CHECK(PercentDecode("") == "");
  CHECK_FALSE(PercentDecode("%2").has_value());
  CHECK_FALSE(PercentDecode("%zz").has_value());
  CHECK_FALSE(PercentDecode("100%").has_value());
}

TEST_CASE("ParseQuery reads a query or a form body, and refuses a malformed one") {
  auto q = ParseQuery("by=Ana+L%C3%B3pez&note=&flag&&token=abc%3D");
  REQUIRE(q.has_value());
  CHECK(q->at("by") == "Ana L\xC3\xB3pez");
  CHECK(q->at("note").empty());
  CHECK(q->at("flag").empty());
  CHECK(q->at("token") == "abc=");
  CHECK(q->size() == 4);
  CHECK(ParseQuery("a=1&a=2")->at("a") == "2");
  CHECK(ParseQuery("")->empty());
  CHECK_FALSE(ParseQuery("a=%G1").has_value());
}

}  // namespace
}  // namespace amparo

#include "daemon/core/json_writer.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/core/hex.h"
#include "daemon/core/utf8.h"

namespace amparo {
namespace {

// What nlohmann::json writes for `value`, as the payloads were dumped before
// the writer: the reference the writer must match byte for byte.
std::string NlohmannDump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `s` as hex, to name the bytes of a failing case.
std::string Bytes(std::string_view s) {
  return LowerHex({reinterpret_cast<const unsigned char*>(s.data()), s.size()});
}

std::string Written(std::string_view s) {
  JsonWriter w;
  w.String(s);
  return std::move(w).Take();
}

TEST_CASE("JsonWriter: objects and arrays with commas only between members", "[json_writer]") {
  JsonWriter w;
  w.BeginObject()
      .Key("a")
      .BeginArray()
      .Int(1)
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .Null()
      .EndArray()
      .Key("b")
      .Bool(true)
      .Key("c")
      .Raw(R"({"x":[false]})")
      .Key("d")
      .String("e")
      .EndObject();
  const std::string text = std::move(w).Take();
  CHECK(text == R"({"a":[1,{},[],null],"b":true,"c":{"x":[false]},"d":"e"})");
  // The same document, built and dumped by nlohmann, has the same bytes.
  CHECK(NlohmannDump(nlohmann::json::parse(text)) == text);
}

TEST_CASE("JsonWriter: integers as nlohmann writes them", "[json_writer]") {
  for (const int64_t n : {int64_t{0}, int64_t{-1}, int64_t{72}, std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max()}) {
    JsonWriter w;
    w.Int(n);
    const std::string text = std::move(w).Take();
    CHECK(text == NlohmannDump(n));
  }
}

TEST_CASE("JsonWriter: strings escaped as nlohmann escapes them", "[json_writer]") {
  std::vector<std::string> cases = {
      "",
      "plain ascii",
      R"(quote " and backslash \ and slash /)",
      "Niña en Tapachula, Chiapas — 72 h",
      "emoji \xF0\x9F\x98\x80 and \x7F (DEL is not escaped)",
      // Invalid UTF-8: replaced by U+FFFD, as nlohmann replaces it.
      "overlong \xC0\x80 slash",
      "surrogate \xED\xA0\x80 half",
      "past U+10FFFF \xF4\x90\x80\x80",
      "lone continuation \x80 byte",
      "truncated \xE2\x82",
      "truncated at the end \xF0\x9F\x98",
      "lead then ascii \xC3x",
      "\xFF\xFE",
  };
  for (int c = 0; c < 0x20; ++c) cases.push_back(std::string("control ") + static_cast<char>(c));
  for (const std::string& s : cases) {
    INFO("bytes " << Bytes(s));
    CHECK(Written(s) == NlohmannDump(s));
  }
}

TEST_CASE("JsonWriter: random byte strings written as nlohmann writes them", "[json_writer]") {
  // Bytes drawn mostly from the edges of the UTF-8 ranges, where an
  // escaping or validation mistake would show.
  const std::vector<unsigned char> interesting = {
      0x00, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, 0x20, 0x22, 0x2F, 0x5C, 0x41,
      0x7E, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
      0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  // A fixed seed on purpose: a failure reproduces, and names its bytes.
  std::mt19937 random(20261208);  // NOLINT(cert-msc32-c,cert-msc51-cpp)
  std::uniform_int_distribution<std::size_t> length(0, 10);
  std::uniform_int_distribution<std::size_t> pick(0, interesting.size() - 1);
  std::vector<std::string> differing;  // as hex, the first few
  int invalid = 0;                     // strings that took the replacement path
  for (int i = 0; i < 50000; ++i) {
    std::string s;
    const std::size_t n = length(random);
    for (std::size_t k = 0; k < n; ++k) s += static_cast<char>(interesting[pick(random)]);
    if (FindInvalidUtf8(s)) ++invalid;
    if (Written(s) != NlohmannDump(s) && differing.size() < 5) differing.push_back(Bytes(s));
  }
  CHECK(differing.empty());
  // Both paths were walked: well-formed strings, escaped by the writer, and
  // invalid ones, replaced by nlohmann.
  CHECK(invalid > 1000);
  CHECK(invalid < 49000);
}

TEST_CASE("JsonWriter: an array of strings", "[json_writer]") {
  JsonWriter w;
  w.BeginObject().Key("none").Strings({}).Key("two").Strings({"a", "b\"c"}).EndObject();
  const std::string text = std::move(w).Take();
  CHECK(text == R"({"none":[],"two":["a","b\"c"]})");
}

TEST_CASE("FindInvalidUtf8 names the first byte that starts no well-formed sequence",
          "[json_writer]") {
  CHECK_FALSE(FindInvalidUtf8(""));
  CHECK_FALSE(FindInvalidUtf8("Niña \xF0\x9F\x98\x80"));
  CHECK(FindInvalidUtf8("ab\xC0\x80") == 2u);        // overlong
  CHECK(FindInvalidUtf8("a\xED\xA0\x80") == 1u);     // surrogate
  CHECK(FindInvalidUtf8("\xF4\x90\x80\x80") == 0u);  // past U+10FFFF
  CHECK(FindInvalidUtf8("abc\xE2\x82") == 3u);       // cut short
  CHECK(FindInvalidUtf8("\xC3\xA9\x80") == 2u);      // a lone continuation byte
}

}  // namespace
}  // namespace amparo

#include "daemon/core/ack_token.h"

#include <string>

#include <catch2/catch.hpp>

namespace amparo {
namespace {

const std::string kKey(32, 'k');

TEST_CASE("Ack token is the documented HMAC, computed independently") {
  // Python: hmac.new(b"k"*32, b"amparo-ack-v1\0alert-7\x002\0dif-chiapas",
  //                  hashlib.sha256).hexdigest()[:32]
  CHECK(AckToken(kKey, "alert-7", 2, "dif-chiapas") == "042f8830e073cf0a4bfef5dbe0f372ef");
}

TEST_CASE("Ack token binds the alert, the version, the agency and the key") {
  const std::string token = AckToken(kKey, "alert-7", 2, "dif-chiapas");
  CHECK(AckTokenMatches(kKey, "alert-7", 2, "dif-chiapas", token));
  CHECK_FALSE(AckTokenMatches(kKey, "alert-8", 2, "dif-chiapas", token));
  CHECK_FALSE(AckTokenMatches(kKey, "alert-7", 3, "dif-chiapas", token));
  CHECK_FALSE(AckTokenMatches(kKey, "alert-7", 2, "consulate-gt-tapachula", token));
  CHECK_FALSE(AckTokenMatches(std::string(32, 'x'), "alert-7", 2, "dif-chiapas", token));
  CHECK_FALSE(AckTokenMatches(kKey, "alert-7", 2, "dif-chiapas", token.substr(0, 31)));
  CHECK_FALSE(AckTokenMatches(kKey, "alert-7", 2, "dif-chiapas", ""));
  // The NUL separators keep "a"+"b-c" apart from "a-b"+"c".
  CHECK(AckToken(kKey, "a", 1, "b-c") != AckToken(kKey, "a-", 1, "b-c"));
}

}  // namespace
}  // namespace amparo

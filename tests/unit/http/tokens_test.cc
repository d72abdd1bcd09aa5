#include "daemon/http/tokens.h"

#include <catch2/catch.hpp>

#include "daemon/http/http_server.h"

namespace amparo {
namespace {

Instant At(int64_t ms) { return Instant(Duration(ms)); }

const std::string kToken = "0123456789abcdef0123456789abcdef";
const std::string kOther = "fedcba9876543210fedcba9876543210";

TEST_CASE(
    "TokenTable: each token is bound to its agency, and unknown and expired ones are told apart") {
  Result<TokenTable> table =
      TokenTable::Parse("# comment\n\n" + std::string("gt-consulate ") + kToken +
                            "\r\nduty-officer " + kOther + " 1970-01-01T00:00:10Z\n",
                        "tokens");
  REQUIRE(table.ok());
  CHECK(table->size() == 2);
  TokenCheck valid = table->Check(kToken, At(0));
  CHECK(valid.outcome == TokenCheck::Outcome::kValid);
  CHECK(valid.agency_id == "gt-consulate");
  CHECK(table->Check(kOther, At(9'999)).outcome == TokenCheck::Outcome::kValid);
  TokenCheck expired = table->Check(kOther, At(10'000));
  CHECK(expired.outcome == TokenCheck::Outcome::kExpired);
  CHECK(expired.agency_id == "duty-officer");
  CHECK(table->Check("nope", At(0)).outcome == TokenCheck::Outcome::kUnknown);
  CHECK(table->Check(kToken + "x", At(0)).outcome == TokenCheck::Outcome::kUnknown);
  CHECK(table->Check("", At(0)).outcome == TokenCheck::Outcome::kUnknown);
}

TEST_CASE("TokenTable: a malformed file is refused at its line") {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"gt-consulate short\n", "tokens:1: token must be at least 32"},
      {"bad/agency " + kToken + "\n", "tokens:1: agency id"},
      {"a " + kToken + "\nb " + kToken + "\n", "tokens:2: token listed twice"},
      {"a " + kToken + " yesterday\n", "tokens:1: expiry"},
      {"a " + kToken + " 2030-01-01T00:00:00Z extra\n", "tokens:1: expected"},
      {"lonely-agency\n", "tokens:1: token must be"}};
  for (const auto& [text, message] : bad) {
    Result<TokenTable> table = TokenTable::Parse(text, "tokens");
    INFO(text);
    REQUIRE_FALSE(table.ok());
    CHECK(table.status().code() == Status::Code::kInvalidArgument);
    CHECK(table.status().message().rfind(message, 0) == 0);
  }
}

TEST_CASE("ParseListen takes HOST:PORT with an IP host") {
  CHECK(ParseListen("127.0.0.1:8080", {}).value().port == 8080);
  CHECK(ParseListen("[::1]:0", {}).value().host == "::1");
  CHECK_FALSE(ParseListen("localhost:8080", {}).ok());
  CHECK_FALSE(ParseListen("127.0.0.1", {}).ok());
  CHECK_FALSE(ParseListen("127.0.0.1:99999", {}).ok());
  CHECK_FALSE(ParseListen("127.0.0.1:80x", {}).ok());
  CHECK_FALSE(ParseListen(":80", {}).ok());
}

}  // namespace
}  // namespace amparo

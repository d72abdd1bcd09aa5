#include "daemon/delivery/ack_handler.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using nlohmann::json;
using testing::At;

struct HandlerFixture {
  testing::StoreFixture f;
  FakeClock clock{At(60'000)};
  std::unique_ptr<AckStore> store;
  std::unique_ptr<AckHandler> handler;
  std::string alert_id;

  HandlerFixture() {
    ProcessingCommit commit = testing::MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
    commit.alerts.push_back(testing::MakeAlert("rule-a", "consulate-gt", "ev-1"));
    alert_id = f.store().CommitProcessing(commit).value().alerts.at(0).alert.alert_id;
    store = AckStore::Create(f.db(), "duty-officer").value();
    handler = std::make_unique<AckHandler>(*store, clock);
  }
  json Body() const {
    return {{"alert_id", alert_id}, {"version", 1}, {"by", "officer 7"}, {"note", "taken"}};
  }
};

TEST_CASE("AckHandler: an MQTT ack is stored and answered with a receipt on the agency's topic") {
  HandlerFixture x;
  Result<AckReceipt> r = x.handler->HandleMqtt("rcm/v1/acks/consulate-gt", x.Body().dump());
  REQUIRE(r.ok());
  CHECK(r->result.outcome == AckOutcome::kAccepted);
  CHECK(r->topic == "rcm/v1/ack-receipts/consulate-gt");
  const json receipt = json::parse(r->payload);
  CHECK(receipt["status"] == "accepted");
  CHECK(receipt["alert_id"] == x.alert_id);
  CHECK(x.f.Count("acks WHERE via = 'mqtt' AND by = 'officer 7'") == 1);

  Result<AckReceipt> again = x.handler->HandleMqtt("rcm/v1/acks/consulate-gt", x.Body().dump());
  REQUIRE(again.ok());
  CHECK(json::parse(again->payload)["status"] == "duplicate");
  CHECK(x.f.Count("acks") == 1);
}

TEST_CASE("AckHandler: malformed MQTT acks are refused with a reason and stored") {
  HandlerFixture x;
  json typo = x.Body();
  typo.erase("version");
  typo["versoin"] = 1;
  json at_bad = x.Body();
  at_bad["at"] = "yesterday";
  json wrong_type = x.Body();
  wrong_type["version"] = "1";
  const std::vector<std::pair<std::string, std::string>> payloads = {
      {"not json", "{{"},
      {"not an object", "[1]"},
      {"unknown key", typo.dump()},
      {"bad at", at_bad.dump()},
      {"version as text", wrong_type.dump()},
      {"too large", std::string(kMaxAckBytes + 1, ' ')}};
  for (const auto& [name, payload] : payloads) {
    SECTION(name) {
      Result<AckReceipt> r = x.handler->HandleMqtt("rcm/v1/acks/consulate-gt", payload);
      REQUIRE(r.ok());
      CHECK(r->result.outcome == AckOutcome::kRefused);
      const json receipt = json::parse(r->payload);
      CHECK(receipt["status"] == "refused");
      CHECK(receipt.contains("reason"));
      CHECK(x.f.Count("refused_acks WHERE agency_id = 'consulate-gt'") == 1);
      CHECK(x.f.Count("acks") == 0);
    }
  }
}

TEST_CASE("AckHandler: an ack on a topic that names no agency is refused without a receipt") {
  HandlerFixture x;
  Result<AckReceipt> r = x.handler->HandleMqtt("rcm/v1/acks/bad agency!", x.Body().dump());
  REQUIRE(r.ok());
  CHECK(r->result.outcome == AckOutcome::kRefused);
  CHECK(r->topic.empty());
  CHECK(x.f.Count("refused_acks") == 1);
}

TEST_CASE(
    "AckHandler: an HTTP ack takes the alert from the path, and refuses a body naming another") {
  HandlerFixture x;
  json body = x.Body();
  body.erase("alert_id");
  Result<AckResult> ok = x.handler->HandleHttp(x.alert_id, "consulate-gt", body.dump());
  REQUIRE(ok.ok());
  CHECK(ok->outcome == AckOutcome::kAccepted);
  CHECK(ok->latency == Duration(55'000));

  json other = x.Body();
  other["alert_id"] = "ffff";
  other["idempotency_key"] = "k";
  Result<AckResult> refused = x.handler->HandleHttp(x.alert_id, "consulate-gt", other.dump());
  REQUIRE(refused.ok());
  CHECK(refused->outcome == AckOutcome::kRefused);
  CHECK(x.f.Count("refused_acks WHERE via = 'http'") == 1);
}

TEST_CASE("IsAgencyId accepts directory ids only") {
  CHECK(IsAgencyId("gt-consulate-tapachula"));
  CHECK(IsAgencyId("duty_officer"));
  CHECK_FALSE(IsAgencyId(""));
  CHECK_FALSE(IsAgencyId("a/b"));
  CHECK_FALSE(IsAgencyId("+"));
  CHECK_FALSE(IsAgencyId(std::string(65, 'a')));
}

}  // namespace
}  // namespace amparo

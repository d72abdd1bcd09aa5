#include "daemon/delivery/payload_builder.h"

#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/event/rfc3339.h"
#include "daemon/store/escalation_store.h"
#include "tests/unit/delivery/pipeline_fixture.h"

namespace amparo {
namespace {

using testing::GtChildAtBorderPost;
using testing::PipelineFixture;

constexpr const char* kConsularRule = "int-2-vccr-37b-consular-notification";

// The outbox row of the consular alert to the GT consulate in Tapachula.
int64_t ConsularDelivery(PipelineFixture& f) {
  return std::stoll(
      f.Text("SELECT d.id FROM deliveries d JOIN alerts a USING (alert_id) WHERE a.rule_id = '" +
             std::string(kConsularRule) + "' AND d.agency_id = 'gt-consulate-tapachula'"));
}

TEST_CASE("A consular delivery still waiting when the child claims asylum carries no whereabouts",
          "[payload]") {
  PipelineFixture f;
  const Event apprehension = GtChildAtBorderPost();
  f.clock().Set(apprehension.occurred_at.utc + std::chrono::minutes(1));
  f.Store(apprehension);
  REQUIRE(f.Process() == 1);
  const int64_t waiting = ConsularDelivery(f);
  // Built now, before any claim: the consular profile sees the place.
  const nlohmann::json before = f.PayloadOfDelivery(waiting);
  CHECK(before.at("event").at("location").at("admin1") == "MX-CHP");

  // The delivery has not gone out (a broker down, a retry) when the child
  // claims asylum.
  Event claim = apprehension;
  claim.event_id += "-claim";
  claim.type = EventType::kCaseUpdate;
  claim.occurred_at.utc += std::chrono::hours(1);
  claim.subject.flags.push_back(SubjectFlag::kAsylumClaim);
  f.Store(claim);
  REQUIRE(f.Process() == 1);

  // The same row, built when it is finally sent: no place, no facility.
  const nlohmann::json after = f.PayloadOfDelivery(waiting);
  INFO(after.dump(2));
  CHECK(after.at("alert_id") == before.at("alert_id"));
  CHECK_FALSE(after.at("event").contains("location"));
  const std::string text = after.dump();
  for (const std::string place : {"MX-CHP", "Tapachula", "CIUDAD-HIDALGO"}) {
    INFO(place);
    CHECK(text.find(place) == std::string::npos);
  }
}

TEST_CASE("An escalated delivery is built for the agency escalated to, not copied", "[payload]") {
  PipelineFixture f;
  const Event event = GtChildAtBorderPost();
  f.clock().Set(event.occurred_at.utc + std::chrono::minutes(1));
  f.Store(event);
  REQUIRE(f.Process() == 1);
  const int64_t dead = ConsularDelivery(f);
  const nlohmann::json original = f.PayloadOfDelivery(dead);
  CHECK(original.at("language") == "es");
  CHECK(original.at("event").at("subject").contains("birth_date"));

  OutboxStore& outbox = f.store().outbox();
  REQUIRE(outbox.FailOver(dead, "gone", std::nullopt, f.clock().Now()).ok());
  // An English-speaking oversight body: its language, its (minimal) profile.
  Result<std::optional<int64_t>> escalation =
      outbox.Escalate(dead, "us-hhs-otip", {"file", "/tmp/otip.jsonl"}, f.clock().Now());
  REQUIRE(escalation.ok());
  REQUIRE(escalation->has_value());

  const nlohmann::json escalated = f.PayloadOfDelivery(**escalation);
  INFO(escalated.dump(2));
  CHECK(escalated.at("alert_id") == original.at("alert_id"));
  CHECK(escalated.at("recipient").at("agency") == "us-hhs-otip");
  CHECK(escalated.at("recipient").at("role") == "escalation");
  CHECK(escalated.at("recipient").at("disclosure") == "oversight_minimal");
  CHECK(escalated.at("language") == "en");
  CHECK(escalated.at("title") == testing::FindRule(f.rules(), kConsularRule).title.at("en"));
  CHECK(escalated.at("acknowledge").at("mqtt_topic") == "rcm/v1/acks/us-hhs-otip");
  // oversight_minimal: no birth date, no place within the state.
  CHECK_FALSE(escalated.at("event").at("subject").contains("birth_date"));
  CHECK_FALSE(escalated.at("event").at("location").contains("place"));
}

TEST_CASE("An alert escalated for want of an ack names the alert below it", "[payload]") {
  PipelineFixture f;
  const Event event = GtChildAtBorderPost();
  f.clock().Set(event.occurred_at.utc + std::chrono::minutes(1));
  f.Store(event);
  REQUIRE(f.Process() == 1);
  const std::string below =
      f.Text("SELECT alert_id FROM alerts WHERE rule_id = '" + std::string(kConsularRule) +
             "' AND agency_id = 'gt-consulate-tapachula'");
  Result<std::unique_ptr<EscalationStore>> escalations = EscalationStore::Create(f.db());
  REQUIRE(escalations.ok());
  Result<std::vector<TimedOutAlert>> timed_out =
      (*escalations)->TimedOut(event.occurred_at.utc + std::chrono::hours(48), 10);
  REQUIRE(timed_out.ok());
  const TimedOutAlert* from = nullptr;
  for (const TimedOutAlert& t : *timed_out) {
    if (t.alert_id == below) from = &t;
  }
  REQUIRE(from != nullptr);
  const RuleDef& rule = testing::FindRule(f.rules(), kConsularRule);
  const EscalatedAlert to{.alert_id = "esc-1",
                          .agency_id = "gt-minex",
                          .role = "escalation",
                          .deadline = std::nullopt,
                          .escalates_to = std::nullopt,
                          .about = {.kind = "escalation",
                                    .rule = kConsularRule,
                                    .severity = Severity::kCritical,
                                    .title = rule.title,
                                    .summary = rule.summary,
                                    .legal_basis = rule.legal_basis,
                                    .deadline = std::nullopt},
                          .channel = {"mqtt", ""}};
  const EscalationStep step{
      .from = from, .to = to, .reason = "ack_timeout", .now = f.clock().Now()};
  Result<std::vector<EscalationOutcome>> outcome =
      (*escalations)->CommitAll({step}, f.store().outbox());
  REQUIRE(outcome.ok());
  REQUIRE(outcome->at(0).delivery.has_value());

  // The fixture also checks the payload's bytes (key order, no whitespace).
  const nlohmann::json payload = f.PayloadOfDelivery(*outcome->at(0).delivery);
  INFO(payload.dump(2));
  CHECK(payload.at("alert_id") == "esc-1");
  CHECK(payload.at("kind") == "escalation");
  CHECK(payload.at("recipient").at("agency") == "gt-minex");
  CHECK(payload.at("deadline").is_null());
  const nlohmann::json& rung = payload.at("escalated_from");
  CHECK(rung.at("alert_id") == below);
  CHECK(rung.at("agency") == "gt-consulate-tapachula");
  CHECK(rung.at("deadline") == FormatUtc(from->deadline));
  CHECK(rung.at("reason") == "not acknowledged by its deadline");
}

TEST_CASE("A payload whose alert is gone is NotFound", "[payload]") {
  PipelineFixture f;
  Delivery row;
  row.alert_id = "no-such-alert";
  row.agency_id = "gt-consulate-tapachula";
  CHECK(f.payloads().Build(row).status().code() == Status::Code::kNotFound);
}

}  // namespace
}  // namespace amparo

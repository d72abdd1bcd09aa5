// A claim of asylum or fear of return that arrives after the consulates were
// alerted (issue 16, item 2): the pipeline, on a real SQLite file, cancels
// what still waits for the child's state and tells the duty officer what had
// already gone out.
#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/delivery/withheld_agencies.h"
#include "daemon/event/rfc3339.h"
#include "tests/unit/delivery/pipeline_fixture.h"

namespace amparo {
namespace {

using testing::GtChildAtBorderPost;
using testing::PipelineFixture;

constexpr const char* kLateClaimRule = "int-3-protection-claim-after-consular-alert";

int64_t DeliveryOf(PipelineFixture& f, const std::string& agency) {
  return std::stoll(
      f.Text("SELECT d.id FROM deliveries d JOIN alerts a USING (alert_id) WHERE a.agency_id = '" +
             agency + "' AND d.agency_id = '" + agency + "'"));
}

TEST_CASE(
    "Claim after consular alerts: pending and escalated deliveries to the child's states are "
    "cancelled, recorded, and listed to the duty officer with what went out",
    "[pipeline][cancel]") {
  PipelineFixture f;
  // A Guatemalan and Salvadoran girl alone in Chiapas: both consulates.
  Event first = GtChildAtBorderPost();
  first.subject.nationalities = {"GT", "SV"};
  f.clock().Set(first.occurred_at.utc);
  f.Store(first);
  REQUIRE(f.Process() == 1);
  const int64_t gt = DeliveryOf(f, "gt-consulate-tapachula");
  const int64_t sv = DeliveryOf(f, "sv-consulate-tapachula");
  const int64_t dif = DeliveryOf(f, "mx-dif-chiapas");
  const Instant now = f.clock().Now();
  // El Salvador's consulate got its alert. Guatemala's never answered: its
  // row died and escalated to the foreign ministry, which is retrying.
  REQUIRE(f.store().outbox().MarkDelivered(sv, now).ok());
  Result<FailOverResult> dead = f.store().outbox().FailOver(gt, "down", std::nullopt, now);
  REQUIRE(dead.ok());
  REQUIRE(dead->dead);
  Result<std::optional<int64_t>> minex =
      f.store().outbox().Escalate(gt, "gt-minex", ChannelTarget{.type = "mqtt"}, now);
  REQUIRE(minex.ok());
  REQUIRE(minex->has_value());
  REQUIRE(f.store().outbox().MarkAttemptFailed(**minex, "timeout", now).ok());

  // Three hours later she claims asylum.
  Event claim = first;
  claim.event_id = first.event_id + "-claim";
  claim.type = EventType::kDetention;
  claim.occurred_at.utc += std::chrono::hours(3);
  claim.subject.flags.push_back(SubjectFlag::kAsylumClaim);
  f.clock().Set(claim.occurred_at.utc);
  f.Store(claim);
  REQUIRE(f.Process() == 1);

  // Nothing waits any more for Guatemala or El Salvador.
  CHECK(f.Count("deliveries WHERE state = 'pending' AND (agency_id LIKE 'gt-%' OR agency_id LIKE "
                "'sv-%')") == 0);
  CHECK(f.Text("SELECT state FROM deliveries WHERE id = " + std::to_string(**minex)) ==
        "cancelled");
  // What happened stays as it happened: delivered, dead.
  CHECK(f.Text("SELECT state FROM deliveries WHERE id = " + std::to_string(sv)) == "delivered");
  CHECK(f.Text("SELECT state FROM deliveries WHERE id = " + std::to_string(gt)) == "dead");
  // Mexico's child welfare is not the child's state: still on its way.
  CHECK(f.Text("SELECT state FROM deliveries WHERE id = " + std::to_string(dif)) == "pending");
  CHECK(f.Text("SELECT state FROM alerts WHERE agency_id = 'mx-dif-chiapas' AND rule_id = "
               "'mx-2-ppnna-notification'") == "open");
  // The consular alerts are closed: nobody escalates them for want of an ack.
  CHECK(f.Count("alerts WHERE agency_id IN ('gt-consulate-tapachula', "
                "'sv-consulate-tapachula') AND state = 'closed'") == 2);
  // Each cancellation is recorded with its reason and the event that caused it.
  CHECK(f.Text("SELECT reason FROM delivery_cancellations WHERE delivery_id = " +
               std::to_string(**minex)) == kClaimCancelsReason);
  CHECK(f.TextSet("SELECT DISTINCT event_id FROM delivery_cancellations") ==
        std::set<std::string>{claim.event_id});
  CHECK(f.TextSet("SELECT agency_id FROM delivery_cancellations WHERE delivery_id IS NULL") ==
        std::set<std::string>{"gt-consulate-tapachula", "sv-consulate-tapachula"});
  CHECK(f.pipeline().counters().cancelled == 1);

  // The duty officer learns what had gone out, and what was stopped.
  const std::string late = f.Text("SELECT alert_id FROM alerts WHERE rule_id = '" +
                                  std::string(kLateClaimRule) + "' AND agency_id = 'duty-officer'");
  const nlohmann::json duty = f.PayloadOfAlert(late);
  INFO(duty.dump(2));
  REQUIRE(duty.contains("withheld_state_deliveries"));
  const nlohmann::json& list = duty["withheld_state_deliveries"];
  REQUIRE(list.size() == 2);
  CHECK(list[0]["agency"] == "sv-consulate-tapachula");
  CHECK(list[0]["state"] == "delivered");
  CHECK(list[0]["rule"] == "int-2-vccr-37b-consular-notification");
  CHECK(list[0]["delivered_at"] == FormatUtc(first.occurred_at.utc));
  CHECK(list[1]["agency"] == "gt-minex");
  CHECK(list[1]["state"] == "cancelled");
  CHECK(list[1]["reason"] == kClaimCancelsReason);
  // Child welfare of the place gets the alert, not the delivery log.
  const std::string late_dif =
      f.Text("SELECT alert_id FROM alerts WHERE rule_id = '" + std::string(kLateClaimRule) +
             "' AND agency_id = 'mx-dif-chiapas'");
  CHECK_FALSE(f.PayloadOfAlert(late_dif).contains("withheld_state_deliveries"));

  // A delivery the adapter confirms after it was cancelled did go out: the
  // record says so, and the duty officer's list with it.
  REQUIRE(f.store().outbox().MarkDelivered(**minex, f.clock().Now()).ok());
  const nlohmann::json again = f.PayloadOfAlert(late);
  REQUIRE(again["withheld_state_deliveries"].size() == 2);
  CHECK(again["withheld_state_deliveries"][1]["state"] == "delivered");
}

TEST_CASE("Without a claim nothing is cancelled and the duty officer gets no delivery log",
          "[pipeline][cancel]") {
  PipelineFixture f;
  const Event first = GtChildAtBorderPost();
  f.clock().Set(first.occurred_at.utc);
  f.Store(first);
  REQUIRE(f.Process() == 1);
  Event later = first;
  later.event_id = first.event_id + "-det";
  later.type = EventType::kDetention;
  later.occurred_at.utc += std::chrono::hours(3);
  later.subject.flags.push_back(SubjectFlag::kPregnant);
  f.clock().Set(later.occurred_at.utc);
  f.Store(later);
  REQUIRE(f.Process() == 1);
  CHECK(f.Count("deliveries WHERE state = 'cancelled'") == 0);
  CHECK(f.Count("delivery_cancellations") == 0);
  CHECK(f.Count("alerts WHERE agency_id = 'gt-consulate-tapachula' AND state = 'open'") == 1);
  CHECK(f.pipeline().counters().cancelled == 0);
}

}  // namespace
}  // namespace amparo

#include "daemon/store/cancellation_store.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;
using testing::StoreFixture;

// An alert of `subject` to `agency`, escalated from `from` (or not), with one
// delivery row in `state`.
void AddAlert(StoreFixture& f, const std::string& id, const std::string& subject,
              const std::string& agency, const std::string& from, const std::string& state) {
  const std::string escalated_from = from.empty() ? "NULL" : "'" + from + "'";
  REQUIRE(f.db()
              .Execute("INSERT INTO alerts(alert_id, rule_id, subject_key, agency_id, role, "
                       "opening_event_id, last_event_id, severity, version, created_at_ms, "
                       "updated_at_ms, escalated_from) VALUES ('" +
                       id + "', 'rule-" + id + "', '" + subject + "', '" + agency +
                       "', 'consulate', 'ev-1', 'ev-1', 'high', 1, 1000, 1000, " + escalated_from +
                       ");"
                       "INSERT INTO deliveries(alert_id, version, agency_id, channel_index, "
                       "channel_type, target, state, next_attempt_at_ms, created_at_ms, "
                       "idempotency_key, delivered_at_ms) VALUES ('" +
                       id + "', 1, '" + agency + "', 0, 'mqtt', '', '" + state +
                       "', 1000, 1000, '" + id + ":1', " +
                       (state == "delivered" ? "1500" : "NULL") + ")")
              .ok());
}

bool Guatemalan(std::string_view agency) { return agency.rfind("gt-", 0) == 0; }

TEST_CASE("CancelWithheld follows escalations rung by rung and touches nothing else",
          "[cancellation_store]") {
  StoreFixture f;
  AddAlert(f, "a1", "subj", "gt-consulate", "", "dead");
  AddAlert(f, "a2", "subj", "gt-minex", "a1", "pending");        // ack-timeout escalation
  AddAlert(f, "a3", "subj", "duty-officer", "a2", "pending");    // and the next rung
  AddAlert(f, "a4", "subj", "mx-dif", "", "pending");            // not the child's state
  AddAlert(f, "a5", "subj", "gt-consulate-2", "", "delivered");  // already went out
  AddAlert(f, "b1", "other", "gt-consulate", "", "pending");     // another child
  CancellationStore& store = f.store().cancellations();

  Result<CancelOutcome> out = store.CancelWithheld("subj", Guatemalan, "why", "ev-9", At(5000));
  INFO(out.status().ToString());
  REQUIRE(out.ok());
  CHECK(out->deliveries.size() == 2);
  CHECK(out->alerts.size() == 4);  // a1, a2, a3, a5
  CHECK(f.Count("deliveries WHERE state = 'cancelled'") == 2);
  CHECK(f.Count("deliveries WHERE alert_id IN ('a2', 'a3') AND state = 'cancelled' AND "
                "last_error = 'cancelled: why'") == 2);
  CHECK(f.Count("deliveries WHERE alert_id = 'a4' AND state = 'pending'") == 1);
  CHECK(f.Count("deliveries WHERE alert_id = 'b1' AND state = 'pending'") == 1);
  CHECK(f.Count("deliveries WHERE alert_id = 'a5' AND state = 'delivered'") == 1);
  CHECK(f.Count("alerts WHERE state = 'closed'") == 4);
  CHECK(f.Count("alerts WHERE alert_id IN ('a4', 'b1') AND state = 'open'") == 2);
  CHECK(f.Count("delivery_cancellations WHERE reason = 'why' AND event_id = 'ev-9' AND at_ms = "
                "5000 AND subject_key = 'subj'") == 6);

  SECTION("a second claim finds nothing left to cancel") {
    Result<CancelOutcome> again =
        store.CancelWithheld("subj", Guatemalan, "why", "ev-10", At(6000));
    REQUIRE(again.ok());
    CHECK(again->deliveries.empty());
    CHECK(again->alerts.empty());
    CHECK(f.Count("delivery_cancellations") == 6);
  }

  SECTION("Withheld lists what reached the state and what was cancelled, oldest first") {
    Result<std::vector<WithheldDelivery>> list = store.Withheld("subj", Guatemalan);
    REQUIRE(list.ok());
    REQUIRE(list->size() == 3);
    CHECK((*list)[0].alert_id == "a2");
    CHECK((*list)[0].state == "cancelled");
    CHECK((*list)[0].reason == "why");
    CHECK((*list)[0].cancelled_at == At(5000));
    CHECK((*list)[1].alert_id == "a3");
    CHECK((*list)[2].alert_id == "a5");
    CHECK((*list)[2].state == "delivered");
    CHECK((*list)[2].delivered_at == At(1500));
    CHECK((*list)[2].rule_id == "rule-a5");
  }
}

TEST_CASE("Withheld finds each delivery's cancellation by its index, not a temporary one") {
  StoreFixture f;
  const std::string steps = testing::QueryPlan(f.db(), CancellationStore::WithheldSql());
  INFO(steps);
  CHECK(steps.find("USING INDEX delivery_cancellations_by_delivery") != std::string::npos);
  CHECK(steps.find("AUTOMATIC") == std::string::npos);
}

}  // namespace
}  // namespace amparo

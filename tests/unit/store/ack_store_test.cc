#include "daemon/store/ack_store.h"

#include <catch2/catch.hpp>

#include "daemon/store/alert_query.h"
#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;
using testing::MakeAlert;
using testing::MakeCommit;

// A store with one open alert of rule-a to consulate-gt, created at 5 s.
struct AckFixture {
  testing::StoreFixture f;
  std::unique_ptr<AckStore> acks;
  std::string alert_id;

  AckFixture() {
    ProcessingCommit commit = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
    commit.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
    Result<CommitOutcome> outcome = f.store().CommitProcessing(commit);
    REQUIRE(outcome.ok());
    alert_id = outcome->alerts.at(0).alert.alert_id;
    auto created = AckStore::Create(f.db(), "duty-officer");
    REQUIRE(created.ok());
    acks = std::move(created).value();
  }

  AckRequest Ack(std::string agency = "consulate-gt") const {
    return AckRequest{.alert_id = alert_id,
                      .version = 1,
                      .idempotency_key = "",
                      .agency_id = std::move(agency),
                      .by = "officer 7",
                      .note = "on my way",
                      .at = std::nullopt,
                      .via = "mqtt"};
  }
  std::string State() {
    return f.store().alerts().Get(alert_id).value().state == AlertState::kOpen ? "open" : "taken";
  }
};

TEST_CASE("AckStore: an ack by the recipient is stored and acknowledges the alert, once") {
  AckFixture x;
  Result<AckResult> first = x.acks->Record(x.Ack(), "{raw}", At(65'000));
  REQUIRE(first.ok());
  CHECK(first->outcome == AckOutcome::kAccepted);
  CHECK(first->state_changed);
  REQUIRE(first->latency.has_value());
  CHECK(*first->latency == Duration(60'000));
  CHECK(x.State() == "taken");
  CHECK(x.f.Count("acks") == 1);

  // The same ack again (a redelivery): recognised, nothing new stored.
  Result<AckResult> again = x.acks->Record(x.Ack(), "{raw}", At(70'000));
  REQUIRE(again.ok());
  CHECK(again->outcome == AckOutcome::kDuplicate);
  CHECK(x.f.Count("acks") == 1);
  CHECK(x.f.Count("refused_acks") == 0);

  Result<std::vector<AckRow>> rows = x.acks->ForAlert(x.alert_id);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK(rows->at(0).by == "officer 7");
  CHECK(rows->at(0).idempotency_key == "version:1");
  CHECK(rows->at(0).at == At(65'000));
}

TEST_CASE("AckStore: a second person's ack is kept but changes no state") {
  AckFixture x;
  REQUIRE(x.acks->Record(x.Ack(), "", At(10'000)).value().state_changed);
  AckRequest other = x.Ack();
  other.idempotency_key = "k-2";
  Result<AckResult> second = x.acks->Record(other, "", At(11'000));
  REQUIRE(second.ok());
  CHECK(second->outcome == AckOutcome::kAccepted);
  CHECK_FALSE(second->state_changed);
  CHECK(x.f.Count("acks") == 2);
}

TEST_CASE("AckStore: refused acks are stored with their reason, and the alert stays open") {
  AckFixture x;
  struct Case {
    std::string name;
    AckRequest ack;
    std::string code;
  };
  AckRequest unknown = x.Ack();
  unknown.alert_id = "0000";
  AckRequest stranger = x.Ack("mx-dif-chiapas");
  AckRequest future = x.Ack();
  future.version = 9;
  AckRequest anonymous = x.Ack();
  anonymous.by = "";
  AckRequest keyless = x.Ack();
  keyless.version.reset();
  const std::vector<Case> cases = {{"unknown alert", unknown, "unknown_alert"},
                                   {"not a recipient", stranger, "not_recipient"},
                                   {"unknown version", future, "unknown_version"},
                                   {"no by", anonymous, "malformed"},
                                   {"no version nor key", keyless, "malformed"}};
  int64_t stored = 0;
  for (const Case& c : cases) {
    SECTION(c.name) {
      Result<AckResult> r = x.acks->Record(c.ack, "raw-" + c.name, At(9000));
      REQUIRE(r.ok());
      CHECK(r->outcome == AckOutcome::kRefused);
      REQUIRE(r->refusal.has_value());
      CHECK(r->refusal->code == c.code);
      ++stored;
      auto refused = x.acks->RecentRefused(10);
      REQUIRE(refused.ok());
      REQUIRE(refused->size() == 1);
      CHECK(refused->at(0).reason_code == c.code);
      CHECK(refused->at(0).raw == "raw-" + c.name);
      CHECK(refused->at(0).via == "mqtt");
      CHECK(x.f.Count("acks") == 0);
      CHECK(x.State() == "open");
    }
  }
}

TEST_CASE(
    "AckStore: the duty officer may acknowledge any alert, and so may an escalation's agency too") {
  AckFixture x;
  SECTION("duty officer") {
    Result<AckResult> r = x.acks->Record(x.Ack("duty-officer"), "", At(9000));
    REQUIRE(r.ok());
    CHECK(r->outcome == AckOutcome::kAccepted);
  }
  SECTION("an agency a delivery went to") {
    REQUIRE(x.f.db()
                .Execute("INSERT INTO deliveries(alert_id, version, agency_id, channel_index,"
                         " channel_type, target, next_attempt_at_ms, created_at_ms,"
                         " idempotency_key) VALUES ('" +
                         x.alert_id + "', 1, 'ombudsman-mx', 0, 'mqtt', '', 0, 0, 'k')")
                .ok());
    Result<AckResult> r = x.acks->Record(x.Ack("ombudsman-mx"), "", At(9000));
    REQUIRE(r.ok());
    CHECK(r->outcome == AckOutcome::kAccepted);
  }
}

TEST_CASE("AckStore::Refuse keeps what could not be parsed") {
  AckFixture x;
  Result<AckResult> r =
      x.acks->Refuse("http", "", "", {"malformed", "not valid JSON"}, "{{{", At(1000));
  REQUIRE(r.ok());
  CHECK(r->outcome == AckOutcome::kRefused);
  CHECK(x.f.Count("refused_acks WHERE alert_id IS NULL AND CAST(raw AS TEXT) = '{{{'") == 1);
}

TEST_CASE("AlertQuery: an agency sees only its own alerts, the duty officer all") {
  AckFixture x;
  AlertQuery query(x.f.db());
  AlertFilter mine{.visible_to = "consulate-gt"};
  CHECK(query.List(mine).value().size() == 1);
  AlertFilter theirs{.visible_to = "mx-dif-chiapas"};
  CHECK(query.List(theirs).value().empty());
  CHECK(query.List(AlertFilter{}).value().size() == 1);
  CHECK(query.Get(x.alert_id, std::string("mx-dif-chiapas")).status().code() ==
        Status::Code::kNotFound);
  CHECK(query.Get(x.alert_id, std::nullopt).ok());
  AlertFilter bad{.state = "maybe"};
  CHECK(query.List(bad).status().code() == Status::Code::kInvalidArgument);
  AlertFilter due{.due_before = At(1000)};
  CHECK(query.List(due).value().empty());
  REQUIRE(x.acks->Record(x.Ack(), "", At(9000)).ok());
  CHECK(query.List(AlertFilter{}).value().empty());  // Only open alerts by default.
  AlertFilter any{.state = "any"};
  CHECK(query.List(any).value().size() == 1);
}

}  // namespace
}  // namespace amparo

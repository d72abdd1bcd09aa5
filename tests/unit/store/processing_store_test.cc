#include "daemon/store/processing_store.h"

#include <catch2/catch.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;
using testing::MakeAlert;
using testing::MakeCommit;

ClockOp StartClock(const std::string& id) {
  ClockOp op;
  op.clock_id = id;
  op.op = ClockOp::Op::kStart;
  op.key = "case-1";
  op.started_at = At(1000);
  op.warn_at = At(1000 + 48 * 3'600'000LL);
  op.due_at = At(1000 + 72 * 3'600'000LL);
  op.roles = {"child_welfare"};
  return op;
}

CommitOutcome CommitOrFail(ProcessingStore& store, const ProcessingCommit& commit) {
  Result<CommitOutcome> outcome = store.CommitProcessing(commit);
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  return std::move(outcome).value();
}

TEST_CASE("CommitProcessing writes the case, the alert, its first delivery and the clocks") {
  testing::StoreFixture f;
  const int64_t row = f.AddEvent("ev-1");
  ProcessingCommit commit = MakeCommit(row, "ev-1", At(5000));
  commit.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
  commit.clocks.push_back(StartClock("us-transfer-72h"));

  CommitOutcome outcome = CommitOrFail(f.store(), commit);
  CHECK_FALSE(outcome.already_processed);
  CHECK(outcome.clocks_started == 1);
  REQUIRE(outcome.alerts.size() == 1);
  const CommittedAlert& alert = outcome.alerts[0];
  CHECK(alert.alert.alert_id == DeriveAlertId("rule-a", "subj", "consulate-gt", "ev-1"));
  CHECK(alert.alert.version == 1);
  CHECK(alert.alert.opened);

  Result<Delivery> delivery = f.store().outbox().Get(alert.delivery_id);
  REQUIRE(delivery.ok());
  CHECK(delivery->state == DeliveryState::kPending);
  CHECK(delivery->channel_index == 0);
  CHECK(delivery->channel == ChannelTarget{"mqtt", ""});
  CHECK(delivery->next_attempt_at == At(5000));
  CHECK(delivery->idempotency_key == alert.alert.alert_id + ":1");

  Result<AlertRecord> stored = f.store().alerts().Get(alert.alert.alert_id);
  REQUIRE(stored.ok());
  CHECK(stored->state == AlertState::kOpen);
  CHECK(stored->severity == "critical");
  CHECK(stored->opening_event_id == "ev-1");
  CHECK(stored->last_event_id == "ev-1");
  CHECK(stored->escalates_to == "ombudsman-mx");

  CHECK(f.store().cases().LoadCase("subj")->events == 1);
  CHECK(f.store().clocks().Running()->size() == 1);
  CHECK(f.events().Counts()->processed == 1);
  CHECK(f.events().Counts()->pending == 0);
}

TEST_CASE("CommitProcessing is all or nothing: a failing later statement leaves no trace") {
  testing::StoreFixture f;
  const int64_t row = f.AddEvent("ev-1");
  ProcessingCommit commit = MakeCommit(row, "ev-1", At(5000));
  commit.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
  commit.clocks.push_back(StartClock("us-transfer-72h"));

  SECTION("the outbox insert fails") {
    REQUIRE(f.db()
                .Execute("CREATE TRIGGER fail BEFORE INSERT ON deliveries"
                         " BEGIN SELECT RAISE(ABORT, 'injected'); END")
                .ok());
  }
  SECTION("the last clock fails") {
    REQUIRE(f.db()
                .Execute("CREATE TRIGGER fail BEFORE INSERT ON clocks"
                         " BEGIN SELECT RAISE(ABORT, 'injected'); END")
                .ok());
  }
  Result<CommitOutcome> outcome = f.store().CommitProcessing(commit);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().message().find("injected") != std::string::npos);

  CHECK(f.Count("alerts") == 0);
  CHECK(f.Count("deliveries") == 0);
  CHECK(f.Count("clocks") == 0);
  CHECK(f.Count("cases") == 0);
  CHECK(f.events().Counts()->pending == 1);
  CHECK(f.store().cases().LoadCase("subj")->events == 0);

  // The same commit succeeds once the fault is gone: the event was not lost.
  REQUIRE(f.db().Execute("DROP TRIGGER fail").ok());
  CHECK(CommitOrFail(f.store(), commit).alerts.size() == 1);
  CHECK(f.events().Counts()->processed == 1);
}

TEST_CASE("A later event updates the open alert instead of opening another") {
  testing::StoreFixture f;
  ProcessingCommit first = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
  first.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
  const std::string alert_id = CommitOrFail(f.store(), first).alerts[0].alert.alert_id;

  ProcessingCommit second = MakeCommit(f.AddEvent("ev-2"), "ev-2", At(9000));
  AlertChange change = MakeAlert("rule-a", "consulate-gt", "ev-2", "v2");
  change.deadline = At(99'000'000);  // Later than the first: the first stays.
  second.alerts.push_back(change);
  CommitOutcome outcome = CommitOrFail(f.store(), second);

  REQUIRE(outcome.alerts.size() == 1);
  CHECK(outcome.alerts[0].alert.alert_id == alert_id);
  CHECK(outcome.alerts[0].alert.version == 2);
  CHECK_FALSE(outcome.alerts[0].alert.opened);
  CHECK(f.Count("alerts") == 1);
  CHECK(f.Count("deliveries") == 2);

  AlertRecord alert = f.store().alerts().Get(alert_id).value();
  CHECK(alert.version == 2);
  CHECK(alert.opening_event_id == "ev-1");
  CHECK(alert.last_event_id == "ev-2");
  // What it is about now, in every language, for the payloads built at send time.
  CHECK(alert.about.title == LocalizedText{{"en", "v2"}, {"es", "v2 (es)"}});
  CHECK(alert.about.legal_basis == std::vector<std::string>{"VCCR art. 37(b)"});
  CHECK(alert.deadline == At(7'200'000));
  CHECK(alert.updated_at == At(9000));

  Delivery delivery = f.store().outbox().Get(outcome.alerts[0].delivery_id).value();
  CHECK(delivery.version == 2);
  CHECK(delivery.idempotency_key == alert_id + ":2");
}

TEST_CASE("The same commit twice writes nothing the second time") {
  testing::StoreFixture f;
  ProcessingCommit commit = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
  commit.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
  commit.clocks.push_back(StartClock("us-transfer-72h"));
  CHECK_FALSE(CommitOrFail(f.store(), commit).already_processed);

  CommitOutcome again = CommitOrFail(f.store(), commit);
  CHECK(again.already_processed);
  CHECK(again.alerts.empty());
  CHECK(f.Count("alerts") == 1);
  CHECK(f.Count("deliveries") == 1);
  CHECK(f.Count("clocks") == 1);
}

TEST_CASE("The alerts table refuses a second open alert for the same rule, subject and agency") {
  testing::StoreFixture f;
  ProcessingCommit commit = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
  commit.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
  CommitOrFail(f.store(), commit);

  Status status = f.db().Execute(
      "INSERT INTO alerts(alert_id, rule_id, subject_key, agency_id, role, opening_event_id,"
      " last_event_id, severity, version, created_at_ms, updated_at_ms, about)"
      " VALUES ('other', 'rule-a', 'subj', 'consulate-gt', 'consulate', 'ev-9', 'ev-9',"
      " 'high', 1, 0, 0, '{}')");
  CHECK_FALSE(status.ok());
  CHECK(status.message().find("UNIQUE") != std::string::npos);
}

TEST_CASE("After an acknowledgement a later event opens a new alert") {
  testing::StoreFixture f;
  ProcessingCommit first = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
  first.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
  const std::string first_id = CommitOrFail(f.store(), first).alerts[0].alert.alert_id;
  REQUIRE(f.store()
              .alerts()
              .RecordAck({.alert_id = first_id,
                          .agency_id = "consulate-gt",
                          .at = At(6000),
                          .by = "duty",
                          .note = "",
                          .via = "http"})
              .ok());

  ProcessingCommit second = MakeCommit(f.AddEvent("ev-2"), "ev-2", At(9000));
  second.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-2"));
  CommitOutcome outcome = CommitOrFail(f.store(), second);
  REQUIRE(outcome.alerts.size() == 1);
  CHECK(outcome.alerts[0].alert.opened);
  CHECK(outcome.alerts[0].alert.alert_id ==
        DeriveAlertId("rule-a", "subj", "consulate-gt", "ev-2"));
  CHECK(f.Count("alerts") == 2);
}

TEST_CASE("CommitProcessing refuses an alert without channels and writes nothing") {
  testing::StoreFixture f;
  ProcessingCommit commit = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
  commit.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
  commit.alerts.back().channels.clear();
  Result<CommitOutcome> outcome = f.store().CommitProcessing(commit);
  CHECK(outcome.status().code() == Status::Code::kInvalidArgument);
  CHECK(f.events().Counts()->pending == 1);
  CHECK(f.Count("cases") == 0);
}

TEST_CASE("CommitProcessing reports an unknown event row") {
  testing::StoreFixture f;
  Result<CommitOutcome> outcome = f.store().CommitProcessing(MakeCommit(42, "ev-x", At(1)));
  CHECK(outcome.status().code() == Status::Code::kNotFound);
  CHECK(f.Count("cases") == 0);
}

TEST_CASE("CommitProcessing stops a running clock") {
  testing::StoreFixture f;
  ProcessingCommit first = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
  first.clocks.push_back(StartClock("us-transfer-72h"));
  CommitOrFail(f.store(), first);

  ProcessingCommit second = MakeCommit(f.AddEvent("ev-2"), "ev-2", At(9000));
  ClockOp stop = StartClock("us-transfer-72h");
  stop.op = ClockOp::Op::kStop;
  second.clocks.push_back(stop);
  CommitOutcome outcome = CommitOrFail(f.store(), second);
  CHECK(outcome.clocks_stopped == 1);
  CHECK(f.store().clocks().Running()->empty());
}

}  // namespace
}  // namespace amparo

#include "daemon/store/escalation_store.h"

#include <catch2/catch.hpp>

#include "daemon/store/ack_store.h"
#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;

// One open alert to consulate-gt; MakeAlert's deadline is 7200 s.
struct EscalationFixture {
  testing::StoreFixture f;
  std::unique_ptr<EscalationStore> store;
  std::string alert_id;

  EscalationFixture() {
    ProcessingCommit commit = testing::MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
    commit.alerts.push_back(testing::MakeAlert("rule-a", "consulate-gt", "ev-1"));
    alert_id = f.store().CommitProcessing(commit).value().alerts.at(0).alert.alert_id;
    store = EscalationStore::Create(f.db()).value();
  }

  EscalatedAlert To(const std::string& agency) const {
    return EscalatedAlert{.alert_id = "esc-" + agency,
                          .agency_id = agency,
                          .role = "escalation",
                          .deadline = At(20'000'000),
                          .escalates_to = std::nullopt,
                          .about = {.kind = "escalation",
                                    .rule = "rule-a",
                                    .severity = Severity::kCritical,
                                    .title = {{"en", "escalated"}},
                                    .summary = {},
                                    .legal_basis = {},
                                    .deadline = At(20'000'000)},
                          .channel = {"mqtt", ""}};
  }
};

// Commits `step` alone (a batch of one); returns its outcome.
Result<EscalationOutcome> CommitOne(EscalationFixture& x, const EscalationStep& step) {
  Result<std::vector<EscalationOutcome>> outcomes =
      x.store->CommitAll({step}, x.f.store().outbox());
  if (!outcomes.ok()) return outcomes.status();
  REQUIRE(outcomes->size() == 1);
  return outcomes->front();
}

TEST_CASE("EscalationStore: an alert times out at its deadline, not before") {
  EscalationFixture x;
  CHECK(x.store->NextTimeout().value() == At(7'200'000));
  CHECK(x.store->TimedOut(At(7'199'999), 10).value().empty());
  REQUIRE(x.store->TimedOut(At(7'200'000), 10).value().size() == 1);
}

TEST_CASE("EscalationStore: one step opens the next agency's alert with a delivery, once") {
  EscalationFixture x;
  const std::vector<TimedOutAlert> due = x.store->TimedOut(At(7'200'000), 10).value();
  REQUIRE(due.size() == 1);
  EscalationStep step{
      .from = &due[0], .to = x.To("gt-minex"), .reason = "ack_timeout", .now = At(7'200'001)};
  Result<EscalationOutcome> outcome = CommitOne(x, step);
  REQUIRE(outcome.ok());
  CHECK(outcome->escalated);
  CHECK(outcome->to_alert_id == "esc-gt-minex");
  CHECK(outcome->delivery.has_value());
  CHECK(x.f.Count("alerts WHERE alert_id = 'esc-gt-minex' AND escalated_from = '" + x.alert_id +
                  "' AND state = 'open'") == 1);
  CHECK(x.f.Count("deliveries WHERE alert_id = 'esc-gt-minex' AND agency_id = 'gt-minex'") == 1);
  CHECK(x.f.Count("escalations") == 1);
  // The original is escalated: it never times out again. The new one will.
  CHECK(x.store->TimedOut(At(7'300'000), 10).value().empty());
  CHECK(x.store->NextTimeout().value() == At(20'000'000));
  // A second commit of the same step (a replay) changes nothing.
  Result<EscalationOutcome> again = CommitOne(x, step);
  REQUIRE(again.ok());
  CHECK_FALSE(again->escalated);
  CHECK(x.f.Count("escalations") == 1);
}

TEST_CASE("EscalationStore: an alert acknowledged before the step is not escalated") {
  EscalationFixture x;
  const std::vector<TimedOutAlert> due = x.store->TimedOut(At(7'200'000), 10).value();
  REQUIRE(due.size() == 1);
  auto acks = AckStore::Create(x.f.db(), "duty-officer").value();
  REQUIRE(acks->Record({.alert_id = x.alert_id,
                        .version = 1,
                        .idempotency_key = "",
                        .agency_id = "consulate-gt",
                        .by = "officer",
                        .note = "",
                        .at = std::nullopt,
                        .via = "http"},
                       "", At(7'200'000))
              .ok());
  EscalationStep step{
      .from = &due[0], .to = x.To("gt-minex"), .reason = "ack_timeout", .now = At(7'200'001)};
  Result<EscalationOutcome> outcome = CommitOne(x, step);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->escalated);
  CHECK(x.f.Count("escalations") == 0);
  CHECK(x.f.Count("alerts WHERE alert_id = 'esc-gt-minex'") == 0);
  CHECK(x.store->NextTimeout().value() == std::nullopt);
}

// Escalates the one alert timed out at `at` to `agency`, one millisecond
// later, and returns the id of the alert it timed out.
std::string EscalateOne(EscalationFixture& x, Instant at, const std::string& agency) {
  const std::vector<TimedOutAlert> due = x.store->TimedOut(at, 10).value();
  REQUIRE(due.size() == 1);
  REQUIRE(CommitOne(x, {.from = &due[0],
                        .to = x.To(agency),
                        .reason = "ack_timeout",
                        .now = at + std::chrono::milliseconds(1)})
              .value()
              .escalated);
  return due[0].alert_id;
}

// Escalate the fixture's alert to gt-minex, then that one to the duty officer.
// Returns the ids of the three rungs, first to last.
std::vector<std::string> ThreeRungs(EscalationFixture& x) {
  REQUIRE(EscalateOne(x, At(7'200'000), "gt-minex") == x.alert_id);
  REQUIRE(EscalateOne(x, At(20'000'000), "duty-officer") == "esc-gt-minex");
  return {x.alert_id, "esc-gt-minex", "esc-duty-officer"};
}

AckRequest AckBy(const std::string& alert_id, const std::string& agency) {
  return {.alert_id = alert_id,
          .version = 1,
          .idempotency_key = "",
          .agency_id = agency,
          .by = "officer",
          .note = "",
          .at = std::nullopt,
          .via = "mqtt"};
}

TEST_CASE("EscalationStore: an ack of the last rung acknowledges every rung below it") {
  EscalationFixture x;
  const std::vector<std::string> rungs = ThreeRungs(x);
  CHECK(x.f.Count("alerts WHERE state = 'open'") == 3);
  auto acks = AckStore::Create(x.f.db(), "duty-officer").value();
  Result<AckResult> acked = acks->Record(AckBy(rungs[2], "duty-officer"), "", At(20'000'100));
  REQUIRE(acked.ok());
  CHECK(acked->outcome == AckOutcome::kAccepted);
  CHECK(x.f.Count("alerts WHERE state = 'acknowledged'") == 3);
  // One ack row: the person who acted; the rungs below are closed by it.
  CHECK(x.f.Count("acks") == 1);
  CHECK(x.store->NextTimeout().value() == std::nullopt);
}

TEST_CASE("EscalationStore: a late ack of the first rung stops the ladder above it") {
  EscalationFixture x;
  REQUIRE(EscalateOne(x, At(7'200'000), "gt-minex") == x.alert_id);
  REQUIRE(x.store->NextTimeout().value() == At(20'000'000));
  auto acks = AckStore::Create(x.f.db(), "duty-officer").value();
  REQUIRE(acks->Record(AckBy(x.alert_id, "consulate-gt"), "", At(7'300'000)).ok());
  CHECK(x.f.Count("alerts WHERE alert_id = 'esc-gt-minex' AND state = 'acknowledged'") == 1);
  // The escalated rung no longer times out: nobody is paged for a taken case.
  CHECK(x.store->NextTimeout().value() == std::nullopt);
  CHECK(x.store->TimedOut(At(30'000'000), 10).value().empty());
}

TEST_CASE("EscalationStore: an ack of one ladder leaves other alerts open") {
  EscalationFixture x;
  const std::vector<std::string> rungs = ThreeRungs(x);
  ProcessingCommit other = testing::MakeCommit(x.f.AddEvent("ev-2"), "ev-2", At(6000));
  other.alerts.push_back(testing::MakeAlert("rule-b", "consulate-gt", "ev-2"));
  const std::string other_id =
      x.f.store().CommitProcessing(other).value().alerts.at(0).alert.alert_id;
  auto acks = AckStore::Create(x.f.db(), "duty-officer").value();
  REQUIRE(acks->Record(AckBy(rungs[1], "gt-minex"), "", At(20'000'100)).ok());
  CHECK(x.f.Count("alerts WHERE state = 'acknowledged'") == 3);
  CHECK(x.f.Count("alerts WHERE alert_id = '" + other_id + "' AND state = 'open'") == 1);
}

TEST_CASE("EscalationStore: an alert raised already past its deadline never times out") {
  testing::StoreFixture f;
  ProcessingCommit commit = testing::MakeCommit(f.AddEvent("ev-1"), "ev-1", At(8'000'000));
  commit.alerts.push_back(testing::MakeAlert("clock:due", "mx-dif", "ev-1"));  // Due 7200 s.
  REQUIRE(f.store().CommitProcessing(commit).ok());
  auto store = EscalationStore::Create(f.db()).value();
  CHECK(store->NextTimeout().value() == std::nullopt);
  CHECK(store->TimedOut(At(9'000'000), 10).value().empty());
}

TEST_CASE("EscalationStore: the end of the ladder is recorded without a target") {
  EscalationFixture x;
  const std::vector<TimedOutAlert> due = x.store->TimedOut(At(7'200'000), 10).value();
  REQUIRE(due.size() == 1);
  EscalationStep step{
      .from = &due[0], .to = std::nullopt, .reason = "ack_timeout", .now = At(7'200'001)};
  Result<EscalationOutcome> outcome = CommitOne(x, step);
  REQUIRE(outcome.ok());
  CHECK(outcome->escalated);
  CHECK(outcome->to_alert_id.empty());
  CHECK(x.f.Count("escalations WHERE to_alert_id IS NULL AND to_agency IS NULL") == 1);
  CHECK(x.store->TimedOut(At(9'000'000), 10).value().empty());
}

// Adds an open alert of `rule` to consulate-gt, with the fixture's deadline.
void AddAlert(EscalationFixture& x, const std::string& event_id, const std::string& rule) {
  ProcessingCommit commit = testing::MakeCommit(x.f.AddEvent(event_id), event_id, At(5000));
  commit.alerts.push_back(testing::MakeAlert(rule, "consulate-gt", event_id));
  REQUIRE(x.f.store().CommitProcessing(commit).ok());
}

TEST_CASE("EscalationStore: a batch of steps writes what each step would write alone") {
  EscalationFixture x;
  AddAlert(x, "ev-2", "rule-b");
  AddAlert(x, "ev-3", "rule-c");
  const std::vector<TimedOutAlert> due = x.store->TimedOut(At(7'200'000), 10).value();
  REQUIRE(due.size() == 3);
  std::vector<EscalationStep> steps;
  for (size_t i = 0; i < due.size(); ++i) {
    EscalatedAlert to = x.To("gt-minex");
    to.alert_id += "-" + std::to_string(i);
    // The last rung ends the ladder: a step without a target, in the same batch.
    steps.push_back({.from = &due[i],
                     .to = i < 2 ? std::optional(to) : std::nullopt,
                     .reason = "ack_timeout",
                     .now = At(7'200'001)});
  }
  const int64_t before = x.f.Count("audit");
  Result<std::vector<EscalationOutcome>> outcomes = x.store->CommitAll(steps, x.f.store().outbox());
  REQUIRE(outcomes.ok());
  REQUIRE(outcomes->size() == 3);
  CHECK((*outcomes)[0].escalated);
  CHECK((*outcomes)[0].to_alert_id == "esc-gt-minex-0");
  CHECK((*outcomes)[1].to_alert_id == "esc-gt-minex-1");
  CHECK((*outcomes)[2].escalated);
  CHECK((*outcomes)[2].to_alert_id.empty());
  CHECK(x.f.Count("escalations") == 3);
  CHECK(x.f.Count("deliveries WHERE agency_id = 'gt-minex'") == 2);
  CHECK(x.f.Count("audit") == before + 3);
  CHECK(x.store->TimedOut(At(7'300'000), 10).value().empty());
  // A replay of the batch writes nothing.
  Result<std::vector<EscalationOutcome>> again = x.store->CommitAll(steps, x.f.store().outbox());
  REQUIRE(again.ok());
  for (const EscalationOutcome& outcome : *again) CHECK_FALSE(outcome.escalated);
  CHECK(x.f.Count("escalations") == 3);
}

TEST_CASE("EscalationStore: a batch with a step that fails writes none of its steps") {
  EscalationFixture x;
  AddAlert(x, "ev-2", "rule-b");
  const std::vector<TimedOutAlert> due = x.store->TimedOut(At(7'200'000), 10).value();
  REQUIRE(due.size() == 2);
  // Both steps open an alert with the same id for the same agency, under
  // other rules: the second insert breaks the alerts' primary key.
  const std::vector<EscalationStep> steps = {
      {.from = &due[0], .to = x.To("gt-minex"), .reason = "ack_timeout", .now = At(7'200'001)},
      {.from = &due[1], .to = x.To("gt-minex"), .reason = "ack_timeout", .now = At(7'200'001)}};
  Result<std::vector<EscalationOutcome>> outcomes = x.store->CommitAll(steps, x.f.store().outbox());
  REQUIRE_FALSE(outcomes.ok());
  CHECK(x.f.Count("escalations") == 0);
  CHECK(x.f.Count("alerts WHERE alert_id = 'esc-gt-minex'") == 0);
  CHECK(x.f.Count("deliveries WHERE agency_id = 'gt-minex'") == 0);
  // Both alerts are still timed out, for the next pass to try again.
  CHECK(x.store->TimedOut(At(7'200'000), 10).value().size() == 2);
  CHECK(x.store->CommitAll({}, x.f.store().outbox()).value().empty());
}

TEST_CASE("EscalationStore: a batch with a step that names no alert is refused, whole") {
  EscalationFixture x;
  const std::vector<TimedOutAlert> due = x.store->TimedOut(At(7'200'000), 10).value();
  REQUIRE(due.size() == 1);
  const std::vector<EscalationStep> steps = {
      {.from = &due[0], .to = x.To("gt-minex"), .reason = "ack_timeout", .now = At(7'200'001)},
      {.from = nullptr, .to = x.To("gt-pgn"), .reason = "ack_timeout", .now = At(7'200'001)}};
  Result<std::vector<EscalationOutcome>> outcomes = x.store->CommitAll(steps, x.f.store().outbox());
  CHECK(outcomes.status().code() == Status::Code::kInvalidArgument);
  CHECK(x.f.Count("escalations") == 0);
  CHECK(x.store->TimedOut(At(7'200'000), 10).value().size() == 1);
}

}  // namespace
}  // namespace amparo

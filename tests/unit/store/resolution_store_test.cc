#include "daemon/store/resolution_store.h"

#include <catch2/catch.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;

ClockOp StartClock(const std::string& clock_id) {
  return ClockOp{.clock_id = clock_id,
                 .op = ClockOp::Op::kStart,
                 .key = "subj",
                 .started_at = At(1000),
                 .warn_at = std::nullopt,
                 .due_at = At(100'000),
                 .roles = {"child_welfare"},
                 .severity = Severity::kHigh,
                 .legal_basis = {"LGDNNA art. 98"},
                 .title = {{"en", "channel to DIF"}}};
}

// The expiry alert of `clock_id` for the fixture's subject, as the clock
// watcher builds it (routing/decide.cc).
AlertChange DueAlert(const std::string& clock_id, const std::string& event_id) {
  AlertChange change = testing::MakeAlert(clock_id + ":due", "mx-dif", event_id);
  change.about.kind = "clock_due";
  change.about.clock = ClockDeadline{.clock_id = clock_id,
                                     .started_at = At(1000),
                                     .due_at = At(100'000),
                                     .originating_alerts = {}};
  return change;
}

TEST_CASE("ResolutionStore reads the unclosed clock alerts' index, not every stopped clock") {
  testing::StoreFixture f;
  const std::string steps = testing::QueryPlan(f.db(), ResolutionStore::ResolvableSql());
  INFO(steps);
  CHECK(steps.find("INDEX alerts_unclosed_clock") != std::string::npos);
  CHECK(steps.find("SCAN c\n") == std::string::npos);
  CHECK(steps.find("SCAN clocks") == std::string::npos);
}

TEST_CASE(
    "A clock's expiry names its deadline and the obligation's alerts, and its stop resolves it") {
  testing::StoreFixture f;
  ProcessingCommit start = testing::MakeCommit(f.AddEvent("ev-1"), "ev-1", At(1000));
  start.alerts.push_back(testing::MakeAlert("rule-a", "consulate-gt", "ev-1"));
  start.alerts.push_back(testing::MakeAlert("rule-b", "mx-dif", "ev-1"));
  start.clocks.push_back(StartClock("dif"));
  Result<CommitOutcome> started = f.store().CommitProcessing(start);
  REQUIRE(started.ok());
  std::vector<std::string> raised;
  for (const CommittedAlert& a : started->alerts) raised.push_back(a.alert.alert_id);
  std::sort(raised.begin(), raised.end());

  ClockFiringCommit firing{.clock_id = "dif",
                           .key = "subj",
                           .subject_key = "subj",
                           .event_id = "ev-1",
                           .due = true,
                           .alerts = {DueAlert("dif", "ev-1")},
                           .now = At(100'000)};
  Result<CommitOutcome> fired = f.store().CommitClockFiring(firing);
  REQUIRE(fired.ok());
  REQUIRE(fired->alerts.size() == 1);
  const std::string due_id = fired->alerts[0].alert.alert_id;
  Result<AlertRecord> due = f.store().alerts().Get(due_id);
  REQUIRE(due.ok());
  REQUIRE(due->about.clock.has_value());
  CHECK(due->about.clock->clock_id == "dif");
  CHECK(due->about.clock->due_at == At(100'000));
  CHECK(due->about.clock->originating_alerts == raised);
  // A second firing of the same expiry writes nothing.
  CHECK(f.store().CommitClockFiring(firing)->alerts.empty());

  auto store = ResolutionStore::Create(f.db()).value();
  CHECK(store->Resolvable(10).value().empty());  // The clock still runs.

  ProcessingCommit stop = testing::MakeCommit(f.AddEvent("ev-2"), "ev-2", At(200'000));
  stop.clocks.push_back(ClockOp{.clock_id = "dif", .op = ClockOp::Op::kStop, .key = "subj"});
  REQUIRE(f.store().CommitProcessing(stop).ok());
  const std::vector<ResolvableAlert> resolvable = store->Resolvable(10).value();
  REQUIRE(resolvable.size() == 1);  // The clock's alert, not the rules'.
  CHECK(resolvable[0].alert_id == due_id);
  CHECK(resolvable[0].clock_id == "dif");
  CHECK(resolvable[0].stopped_at == At(200'000));
  REQUIRE(store->Resolve(resolvable[0], {"mqtt", ""}, At(200'001), f.store().outbox()).value());
  CHECK(store->Resolvable(10).value().empty());
  CHECK(f.Count("alerts WHERE alert_id = '" + due_id + "' AND state = 'closed'") == 1);
}

}  // namespace
}  // namespace amparo

#include "daemon/engine/evaluator.h"

#include <catch2/catch.hpp>

#include "daemon/engine/clock_table.h"
#include "tests/unit/engine/engine_test_util.h"

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using testing::ChildEvent;
using testing::LoadRules;

const char* const kRules = R"yaml(rules:
  - id: child-in-custody
    title: {en: T, es: T}
    legal_basis: [B]
    when: event.type in ["apprehension", "detention"] && subject.minor
    severity: critical
    notify: [consulate, child_welfare]
    ack_within: 2h
  - id: guardian
    title: {en: T, es: T}
    legal_basis: [VCCR art. 37(b)]
    when: subject.minor
    severity: high
    notify: [consulate]
  - id: disabled
    title: {en: T, es: T}
    legal_basis: [B]
    when: "true"
    severity: info
    notify: [duty_officer]
    enabled: false
clocks:
  - id: transfer-72h
    title: {en: T, es: T}
    legal_basis: [8 USC 1232(b)(3)]
    start: event.type == "apprehension" && subject.minor
    stop: event.type == "transfer" && transfer.to.kind == "child_welfare" || event.type == "release"
    key: subject.id
    warn: 48h
    due: 72h
    notify: [child_welfare, consulate]
    severity: critical
  - id: holding-72h
    title: {en: T, es: T}
    legal_basis: [TEDS]
    start: event.type == "apprehension"
    stop: event.type == "release"
    key: subject.id
    anchor: custody.start
    due: 72h
    notify: [ombudsman]
    severity: high
inhibit:
  - id: no-consul-when-fleeing
    when: '"asylum_claim" in subject.flags'
    recipients: [consulate]
    reason: fleeing
    rules: [child-in-custody, transfer-72h]
)yaml";

std::vector<std::string> Ids(const Decisions& d) {
  std::vector<std::string> ids;
  for (const FiredRule& r : d.rules) ids.push_back(r.id);
  return ids;
}

TEST_CASE("rules fire in rule-set order, disabled rules never") {
  auto set = LoadRules({kRules});
  const Event e = ChildEvent();
  const Decisions d = Evaluate(*set, e, {});
  CHECK(d.event_id == "ev-1");
  CHECK(Ids(d) == std::vector<std::string>{"child-in-custody", "guardian"});
  const FiredRule& r = d.rules[0];
  CHECK(r.severity == Severity::kCritical);
  CHECK(r.roles == std::vector<std::string>{"consulate", "child_welfare"});
  CHECK(r.ack_within == 2h);
  CHECK(r.legal_basis == std::vector<std::string>{"B"});
  CHECK(r.title.at("en") == "T");
  CHECK(d.inhibited.empty());
}

TEST_CASE("inhibition removes a role and records it") {
  auto set = LoadRules({kRules});
  Event e = ChildEvent();
  e.subject.flags = {SubjectFlag::kAsylumClaim};
  const Decisions d = Evaluate(*set, e, {});
  REQUIRE(d.rules.size() == 2);
  CHECK(d.rules[0].roles == std::vector<std::string>{"child_welfare"});
  CHECK(d.rules[1].roles == std::vector<std::string>{"consulate"});  // not in the inhibit's rules
  REQUIRE(d.clocks.size() == 2);
  CHECK(d.clocks[0].roles == std::vector<std::string>{"child_welfare"});
  CHECK(d.inhibited == std::vector<Inhibition>{
                           {"no-consul-when-fleeing", "child-in-custody", "consulate", "fleeing"},
                           {"no-consul-when-fleeing", "transfer-72h", "consulate", "fleeing"}});
}

TEST_CASE("clock ops: start with warn and due, anchor, stop") {
  auto set = LoadRules({kRules});
  Event e = ChildEvent();
  SECTION("start at occurred_at, or at custody.start for that anchor") {
    e.custody.emplace().start = Timestamp{e.occurred_at.utc - 5h, -360};
    const Decisions d = Evaluate(*set, e, {});
    REQUIRE(d.clocks.size() == 2);
    const ClockOp& t = d.clocks[0];
    CHECK(t.clock_id == "transfer-72h");
    CHECK(t.op == ClockOp::Op::kStart);
    CHECK(t.key == "case-1");
    CHECK(t.started_at == e.occurred_at.utc);
    CHECK(t.warn_at == e.occurred_at.utc + 48h);
    CHECK(t.due_at == e.occurred_at.utc + 72h);
    CHECK(t.severity == Severity::kCritical);
    const ClockOp& h = d.clocks[1];
    CHECK(h.started_at == e.occurred_at.utc - 5h);
    CHECK_FALSE(h.warn_at);
    CHECK(h.due_at == e.occurred_at.utc + 67h);
  }
  SECTION("custody.start anchor without custody.start falls back to occurred_at") {
    CHECK(Evaluate(*set, e, {}).clocks[1].started_at == e.occurred_at.utc);
  }
  SECTION("a transfer to child welfare stops; to migration does not") {
    e.type = EventType::kTransfer;
    e.transfer =
        Transfer{TransferTarget{"ORR", TransferKind::kMigration, std::nullopt, std::nullopt}};
    CHECK(Evaluate(*set, e, {}).clocks.empty());
    e.transfer->to.kind = TransferKind::kChildWelfare;
    const Decisions d = Evaluate(*set, e, {});
    REQUIRE(d.clocks.size() == 1);
    CHECK(d.clocks[0].op == ClockOp::Op::kStop);
    CHECK(d.clocks[0].key == "case-1");
    CHECK(d.clocks[0].roles.empty());
  }
}

TEST_CASE("custody.start anchor: an age assessment in custody counts from the custody's start") {
  auto set = LoadRules({R"(
clocks:
  - id: holding
    title: {en: T, es: T}
    legal_basis: [TEDS]
    start: event.type in ["apprehension", "age_assessment"] && subject.minor
    stop: event.type == "release"
    key: subject.id
    anchor: custody.start
    due: 72h
    notify: [ombudsman]
    severity: high
)"});
  Event booked = ChildEvent();
  booked.subject.age = Age{20, AgeBasis::kDocument};  // booked as an adult: no clock
  const std::vector<std::string> none;
  CaseSnapshot c = AdvanceCase({}, booked, none);
  REQUIRE(c.custody_since == booked.occurred_at.utc);

  Event assessed = ChildEvent(EventType::kAgeAssessment);
  assessed.occurred_at.utc = booked.occurred_at.utc + 10h;
  SECTION("in custody: from the booking") {
    const Decisions d = Evaluate(*set, assessed, c);
    REQUIRE(d.clocks.size() == 1);
    CHECK(d.clocks[0].started_at == booked.occurred_at.utc);
    CHECK(d.clocks[0].due_at == booked.occurred_at.utc + 72h);
  }
  SECTION("released since: from the assessment") {
    Event released = ChildEvent(EventType::kRelease);
    c = AdvanceCase(c, released, none);
    CHECK_FALSE(c.custody_since.has_value());
    CHECK(Evaluate(*set, assessed, c).clocks[0].started_at == assessed.occurred_at.utc);
  }
  SECTION(
      "a new apprehension months later without custody.start: from itself, never the old "
      "booking") {
    c = AdvanceCase(c, ChildEvent(EventType::kRelease), none);
    Event again = ChildEvent();
    again.occurred_at.utc = booked.occurred_at.utc + std::chrono::hours(24 * 120);
    const Decisions d = Evaluate(*set, again, c);
    REQUIRE(d.clocks.size() == 1);
    CHECK(d.clocks[0].started_at == again.occurred_at.utc);
    c = AdvanceCase(c, again, none);
    CHECK(c.custody_since == again.occurred_at.utc);
    CHECK(c.first_custody_at == booked.occurred_at.utc);
  }
}

TEST_CASE("DueClockFirings: due by now and not fired yet, 71h59m is not due, 72h is") {
  const Instant t0 = ChildEvent().occurred_at.utc;
  std::vector<RunningClock> clocks = {{.clock_id = "transfer-72h",
                                       .key = "case-1",
                                       .started_at = t0,
                                       .warn_at = t0 + 48h,
                                       .due_at = t0 + 72h,
                                       .warned = false,
                                       .expired = false,
                                       .roles = {"child_welfare"},
                                       .event_id = "ev-1"}};
  CHECK(DueClockFirings(clocks, t0 + 47h + 59min).empty());
  CHECK(DueClockFirings(clocks, t0 + 48h) ==
        std::vector<ClockFiring>{{ClockFiring::Kind::kWarn, "transfer-72h", "case-1", t0 + 48h}});
  clocks[0].warned = true;
  CHECK(DueClockFirings(clocks, t0 + 71h + 59min).empty());
  CHECK(DueClockFirings(clocks, t0 + 72h) ==
        std::vector<ClockFiring>{{ClockFiring::Kind::kDue, "transfer-72h", "case-1", t0 + 72h}});
  clocks[0].expired = true;
  CHECK(DueClockFirings(clocks, t0 + 100h).empty());
  // Down past both instants: the warning, then the expiry, at their own instants.
  clocks[0].warned = clocks[0].expired = false;
  CHECK(DueClockFirings(clocks, t0 + 100h) ==
        std::vector<ClockFiring>{{ClockFiring::Kind::kWarn, "transfer-72h", "case-1", t0 + 48h},
                                 {ClockFiring::Kind::kDue, "transfer-72h", "case-1", t0 + 72h}});
  // An expiry makes its warning moot.
  clocks[0].expired = true;
  CHECK(DueClockFirings(clocks, t0 + 100h).empty());
}

TEST_CASE("ClockTable starts once per key, stops, and warns and expires once") {
  auto set = LoadRules({kRules});
  ClockTable table;
  Event e = ChildEvent();
  const Instant t0 = e.occurred_at.utc;
  auto changes = table.Apply(Evaluate(*set, e, {}).clocks, e.event_id);
  CHECK(changes.started == std::vector<std::string>{"transfer-72h", "holding-72h"});
  CHECK(table.Apply(Evaluate(*set, e, {}).clocks).started.empty());  // already running
  REQUIRE(table.Find("transfer-72h", e.subject.id) != nullptr);
  CHECK(table.Find("transfer-72h", e.subject.id)->event_id == e.event_id);
  CHECK(table.Advance(t0 + 49h).size() == 1);
  CHECK(table.running()[0].warned);
  CHECK(table.Advance(t0 + 49h).empty());      // the warning is not repeated
  CHECK(table.Advance(t0 + 80h).size() == 2);  // both expire
  CHECK(table.Advance(t0 + 90h).empty());      // and run on, overdue, without firing again
  e.type = EventType::kRelease;
  changes = table.Apply(Evaluate(*set, e, {}).clocks);
  CHECK(changes.stopped == std::vector<std::string>{"transfer-72h", "holding-72h"});
  CHECK(table.running().empty());
  CHECK(table.Apply(Evaluate(*set, e, {}).clocks).stopped.empty());  // nothing left to stop
}

}  // namespace
}  // namespace amparo

// CaseLinks (issue 16 item 1): pseudonyms of one child linked to one case,
// cases merged, a cycle of links, and a link to a case nobody knows.
#include "daemon/store/case_links.h"

#include <catch2/catch.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;
using testing::MakeAlert;

CaseRecord Case(const std::string& key, std::vector<SubjectFlag> flags, int64_t last_ms,
                std::vector<std::string> roles = {}) {
  return CaseRecord{.subject_key = key,
                    .state = {.events = 1,
                              .status = "in_custody",
                              .flags = std::move(flags),
                              .alerted_roles = std::move(roles)},
                    .last_event_at = At(last_ms),
                    .country = "MX",
                    .admin1 = "MX-CHP",
                    .facility_type = "shelter"};
}

ClockOp Clock(const std::string& id, const std::string& key, int64_t started_ms) {
  return ClockOp{.clock_id = id,
                 .op = ClockOp::Op::kStart,
                 .key = key,
                 .started_at = At(started_ms),
                 .due_at = At(started_ms + 100'000),
                 .roles = {"child_welfare"}};
}

// Plans and applies the link of an event of `subject` naming `linked`.
CaseLinkPlan Link(testing::StoreFixture& f, const std::string& subject, const LinkedKeys& linked) {
  Result<CaseLinkPlan> plan = f.store().links().Plan(subject, linked);
  INFO(plan.status().ToString());
  REQUIRE(plan.ok());
  Result<Transaction> tx = Transaction::Begin(f.db());
  REQUIRE(tx.ok());
  Status applied = f.store().links().Apply(*plan, "ev", At(9000));
  INFO(applied.ToString());
  REQUIRE(applied.ok());
  REQUIRE(tx->Commit().ok());
  return *plan;
}

TEST_CASE("A new pseudonym naming a known case joins it and reads its flags", "[store][links]") {
  testing::StoreFixture f;
  REQUIRE(f.store().cases().WriteCase(Case("A", {SubjectFlag::kAsylumClaim}, 1000), At(1)).ok());
  const CaseLinkPlan plan = Link(f, "B", {.previous = {"A"}});
  CHECK(plan.case_key == "A");
  CHECK(plan.snapshot.key == "A");
  CHECK(plan.snapshot.flags == std::vector{SubjectFlag::kAsylumClaim});
  CHECK(plan.aliases == std::vector<std::string>{"B"});
  CHECK(plan.absorbed.empty());
  CHECK(plan.unknown.empty());
  // From now on B reads A's case, with or without the link repeated.
  CHECK(f.store().links().CaseKeyOf("B").value() == "A");
  CaseSnapshot b = f.store().cases().LoadCase("B").value();
  CHECK(b.key == "A");
  CHECK(b.flags == std::vector{SubjectFlag::kAsylumClaim});
  CHECK_FALSE(f.store().links().Plan("B", {}).value().changes());
  CHECK_FALSE(f.store().links().Plan("B", {.previous = {"A"}}).value().changes());
}

TEST_CASE("A previous id nobody knows is recorded and merges nothing, its events join later",
          "[store][links]") {
  testing::StoreFixture f;
  const CaseLinkPlan plan = Link(f, "B", {.previous = {"X"}});
  CHECK(plan.case_key == "B");
  CHECK(plan.unknown == std::vector<std::string>{"X"});
  CHECK(plan.absorbed.empty());
  CHECK(plan.snapshot.events == 0);
  CHECK(f.store().links().CaseKeyOf("X").value() == "B");
  // The first authority's event arrives late: it is B's case.
  REQUIRE(f.store().cases().WriteCase(Case("B", {SubjectFlag::kFearOfReturn}, 1000), At(1)).ok());
  CHECK(f.store().links().Plan("X", {}).value().case_key == "B");
  CHECK(f.store().cases().LoadCase("X").value().flags == std::vector{SubjectFlag::kFearOfReturn});
}

TEST_CASE("A transfer naming the receiving case links it forward", "[store][links]") {
  testing::StoreFixture f;
  REQUIRE(f.store().cases().WriteCase(Case("A", {SubjectFlag::kAsylumClaim}, 1000), At(1)).ok());
  const CaseLinkPlan plan = Link(f, "A", {.receiving = {"R"}});
  CHECK(plan.case_key == "A");
  CHECK(plan.aliases == std::vector<std::string>{"R"});
  CHECK(f.store().cases().LoadCase("R").value().flags == std::vector{SubjectFlag::kAsylumClaim});
}

TEST_CASE("A cycle of links keeps one case and changes nothing", "[store][links]") {
  testing::StoreFixture f;
  REQUIRE(f.store().cases().WriteCase(Case("A", {}, 1000), At(1)).ok());
  Link(f, "A", {.previous = {"B"}});  // A says it was B (unknown): B -> A
  REQUIRE(f.store().cases().WriteCase(Case("C", {}, 2000), At(1)).ok());
  Link(f, "C", {.previous = {"B"}});  // C says it was B: A's case, C merged into it
  CHECK(f.store().links().CaseKeyOf("C").value() == "A");
  // And B, A and C now name each other: nothing to do, no alias of a case key.
  for (const auto& [subject, previous] : std::vector<std::pair<std::string, std::string>>{
           {"B", "A"}, {"B", "C"}, {"A", "C"}, {"C", "A"}}) {
    Result<CaseLinkPlan> plan = f.store().links().Plan(subject, {.previous = {previous}});
    REQUIRE(plan.ok());
    CHECK(plan->case_key == "A");
    CHECK_FALSE(plan->changes());
  }
  CHECK(f.Count("case_aliases WHERE subject_key = 'A'") == 0);
  CHECK(f.Count("case_aliases WHERE case_key != 'A'") == 0);
  CHECK(f.Count("cases") == 1);
}

TEST_CASE("Merging two cases with state unites flags and moves alerts, clocks and cancellations",
          "[store][links]") {
  testing::StoreFixture f;
  ProcessingStore& s = f.store();
  // A: the first authority's case, a claim, an open consular alert and a clock.
  REQUIRE(
      s.cases().WriteCase(Case("A", {SubjectFlag::kAsylumClaim}, 1000, {"consulate"}), At(1)).ok());
  REQUIRE(
      s.alerts().OpenOrUpdate(MakeAlert("r-consul", "gt-consulate", "a1"), "A", "a1", At(1)).ok());
  REQUIRE(s.alerts().OpenOrUpdate(MakeAlert("r-both", "mx-dif", "a1"), "A", "a1", At(1)).ok());
  REQUIRE(s.clocks().Start(Clock("c-both", "A", 1000), "A", "a1").ok());
  REQUIRE(s.clocks().Start(Clock("c-later", "A", 5000), "A", "a1").ok());
  // B: the second authority's case before it knew of A; a later event of B
  // names A. B has its own alerts (one duplicating A's) and clocks.
  REQUIRE(s.cases()
              .WriteCase(Case("B", {SubjectFlag::kPregnant}, 3000, {"child_welfare"}), At(1))
              .ok());
  REQUIRE(s.alerts().OpenOrUpdate(MakeAlert("r-b", "mx-dif", "b1"), "B", "b1", At(2)).ok());
  REQUIRE(s.alerts().OpenOrUpdate(MakeAlert("r-both", "mx-dif", "b1"), "B", "b1", At(2)).ok());
  REQUIRE(s.clocks().Start(Clock("c-both", "B", 2000), "B", "b1").ok());
  REQUIRE(s.clocks().Start(Clock("c-later", "B", 3000), "B", "b1").ok());
  REQUIRE(s.clocks().Start(Clock("c-b", "B", 3000), "B", "b1").ok());
  REQUIRE(s.clocks().Start(Clock("rt-x", "return-event-1", 3000), "B", "b1").ok());

  const CaseLinkPlan plan = Link(f, "B", {.previous = {"A"}});
  CHECK(plan.case_key == "A");
  CHECK(plan.absorbed == std::vector<std::string>{"B"});
  CHECK(plan.snapshot.flags == std::vector{SubjectFlag::kAsylumClaim, SubjectFlag::kPregnant});
  CHECK(plan.snapshot.alerted_roles == std::vector<std::string>{"consulate", "child_welfare"});
  CHECK(plan.snapshot.events == 2);

  CHECK(f.Count("cases") == 1);
  CHECK(f.Count("cases WHERE subject_key = 'A'") == 1);
  // B's alerts moved, except the open duplicate of A's r-both (one open
  // alert per rule, case and agency), which B's key still reaches.
  CHECK(f.Count("alerts WHERE subject_key = 'A'") == 3);
  CHECK(f.Count("alerts WHERE subject_key = 'B' AND rule_id = 'r-both'") == 1);
  // Clocks: the one started first of each pair runs on, under A's key.
  CHECK(f.Count("clocks WHERE state = 'running' AND key = 'A'") == 3);
  CHECK(
      f.Count("clocks WHERE state = 'running' AND clock_id = 'c-both' AND started_at_ms = 1000") ==
      1);
  CHECK(
      f.Count("clocks WHERE state = 'running' AND clock_id = 'c-later' AND started_at_ms = 3000") ==
      1);
  CHECK(f.Count("clocks WHERE state = 'running' AND clock_id = 'c-b' AND key = 'A'") == 1);
  CHECK(f.Count("clocks WHERE state = 'stopped'") == 2);
  // A clock keyed by something else (a return's event id) keeps its key.
  CHECK(
      f.Count("clocks WHERE clock_id = 'rt-x' AND key = 'return-event-1' AND subject_key = 'A'") ==
      1);
  CHECK(f.Count("clocks WHERE subject_key = 'B'") == 0);
  // A cancellation for the merged case reaches B's leftover alert too.
  Result<CancelOutcome> cancelled = s.cancellations().CancelWithheld(
      "A", [](std::string_view agency) { return agency == "mx-dif"; }, "test", "ev", At(9500));
  REQUIRE(cancelled.ok());
  CHECK(cancelled->alerts.size() == 3);
  CHECK(f.Count("alerts WHERE agency_id = 'mx-dif' AND state = 'open'") == 0);
  CHECK(f.Count("delivery_cancellations WHERE subject_key = 'A'") == 3);
}

TEST_CASE("The kept case is the first named one with state", "[store][links]") {
  testing::StoreFixture f;
  // The new pseudonym's case is older: it is kept, the named one merged in.
  REQUIRE(f.store().cases().WriteCase(Case("B", {}, 1000), At(1)).ok());
  REQUIRE(f.store().cases().WriteCase(Case("A", {SubjectFlag::kAsylumClaim}, 2000), At(1)).ok());
  REQUIRE(f.store().links().Plan("B", {.previous = {"A"}}).value().case_key == "A");
  const CaseLinkPlan plan = Link(f, "B", {.previous = {"A"}});
  CHECK(plan.absorbed == std::vector<std::string>{"B"});
  CHECK(plan.snapshot.status == "in_custody");
  CHECK(plan.snapshot.flags == std::vector{SubjectFlag::kAsylumClaim});
  CHECK(f.Count("case_aliases WHERE subject_key = 'B' AND case_key = 'A'") == 1);
}

TEST_CASE("Clocks keyed by subject.id before case linking take their case key at start",
          "[store][links]") {
  testing::StoreFixture f;
  const SubjectHasher hasher("a-deployment-key-of-at-least-32-bytes!!");
  const std::string key = hasher.Hash("INM-CHP-NNA-2026-0193");
  ClockStore& clocks = f.store().clocks();
  REQUIRE(clocks.Start(Clock("c-old", "INM-CHP-NNA-2026-0193", 1000), key, "e1").ok());
  REQUIRE(clocks.Start(Clock("rt-x", "return-event-1", 1000), key, "e1").ok());
  REQUIRE(clocks.Start(Clock("c-new", key, 1000), key, "e1").ok());
  CHECK(clocks.AdoptCaseKeys(hasher).value() == 1);
  CHECK(f.Count("clocks WHERE clock_id = 'c-old' AND key = '" + key + "'") == 1);
  CHECK(f.Count("clocks WHERE key = 'INM-CHP-NNA-2026-0193'") == 0);
  CHECK(f.Count("clocks WHERE clock_id = 'rt-x' AND key = 'return-event-1'") == 1);
  CHECK(clocks.AdoptCaseKeys(hasher).value() == 0);
}

}  // namespace
}  // namespace amparo

// Case linking through the pipeline (issue 16 item 1): a claim of asylum made
// to the first authority still withholds the consulate when another authority
// reports the child under a new pseudonym, and the cases share their clocks.
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/delivery/pipeline_fixture.h"

namespace amparo {
namespace {

using testing::GtChildAtBorderPost;
using testing::PipelineFixture;

constexpr const char* kConsulate = "gt-consulate-tapachula";
constexpr const char* kWithheldNotice = "int-3-consular-notification-withheld";

// A Guatemalan girl alone, apprehended by INM in Chiapas under pseudonym A,
// who claims asylum to INM at once.
Event ClaimToInm() {
  Event e = GtChildAtBorderPost();
  e.subject.flags = {SubjectFlag::kAsylumClaim};
  return e;
}

// The same girl, taken over by Chiapas's child-welfare system and reported
// in custody under its own pseudonym B, `hours` after `first`, without the flag.
Event SameChildUnderNewPseudonym(const Event& first, int hours) {
  Event e = first;
  e.event_id = "dif-chp-2026-0042";
  e.type = EventType::kDetention;
  e.authority = {"MX", "DIF-CHP", std::nullopt};
  e.location.facility = Facility{"DIF-CHP-CAS-TAPACHULA", FacilityType::kChildWelfareCentre};
  e.subject.id = "DIF-CHP-NNA-2026-0042";
  e.subject.flags.clear();
  e.occurred_at.utc += std::chrono::hours(hours);
  return e;
}

void Run(PipelineFixture& f, const Event& e) {
  f.clock().Set(e.occurred_at.utc);
  f.Store(e);
  REQUIRE(f.Process() == 1);
}

int64_t ConsularAlerts(PipelineFixture& f) {
  return f.Count("alerts WHERE agency_id = '" + std::string(kConsulate) + "'");
}

TEST_CASE("Unlinked, a new pseudonym starts an empty case and the consulate is alerted",
          "[pipeline][links]") {
  // What case linking fixes: the same events without the link.
  PipelineFixture f;
  const Event first = ClaimToInm();
  Run(f, first);
  CHECK(ConsularAlerts(f) == 0);
  Run(f, SameChildUnderNewPseudonym(first, 6));
  CHECK(ConsularAlerts(f) == 1);
}

TEST_CASE(
    "A claim to the first authority withholds the consulate after a new pseudonym "
    "(subject.previous_ids)",
    "[pipeline][links]") {
  PipelineFixture f;
  const Event first = ClaimToInm();
  Run(f, first);
  REQUIRE(ConsularAlerts(f) == 0);
  const int64_t notices = f.Count(std::string("alerts WHERE rule_id = '") + kWithheldNotice + "'");
  REQUIRE(notices > 0);

  Event second = SameChildUnderNewPseudonym(first, 6);
  second.subject.previous_ids = {first.subject.id};
  Run(f, second);
  CHECK(ConsularAlerts(f) == 0);
  CHECK(f.Count("alerts WHERE agency_id LIKE 'gt-%'") == 0);
  // One case, under the first pseudonym's key; the new one is its alias.
  const std::string a = PipelineFixture::SubjectKey(first);
  const std::string b = PipelineFixture::SubjectKey(second);
  CHECK(f.Count("cases") == 1);
  CHECK(f.Text("SELECT events FROM cases WHERE subject_key = '" + a + "'") == "2");
  CHECK(f.Text("SELECT case_key FROM case_aliases WHERE subject_key = '" + b + "'") == a);
  CHECK(f.Count("alerts WHERE subject_key = '" + b + "'") == 0);
  // The duty officer is told the consular notification is held.
  CHECK(f.Count(std::string("alerts WHERE rule_id = '") + kWithheldNotice +
                "' AND agency_id = 'duty-officer' AND last_event_id = '" + second.event_id + "'") ==
        1);
  // Logs and the audit chain carry keys only, never the pseudonyms.
  CHECK(f.Count("audit WHERE kind = 'case_linked' AND detail LIKE '%" + b + "%'") == 1);
  CHECK(f.Count("audit WHERE detail LIKE '%" + first.subject.id + "%'") == 0);
  CHECK(f.Count("audit WHERE detail LIKE '%" + second.subject.id + "%'") == 0);
}

TEST_CASE("A transfer naming the receiving agency's case carries the claim to that case",
          "[pipeline][links]") {
  PipelineFixture f;
  const Event first = ClaimToInm();
  Run(f, first);
  Event transfer = first;
  transfer.event_id = first.event_id + "-transfer";
  transfer.type = EventType::kTransfer;
  transfer.subject.flags.clear();
  transfer.occurred_at.utc += std::chrono::hours(2);
  transfer.transfer = Transfer{TransferTarget{"DIF-CHP", TransferKind::kChildWelfare, std::nullopt,
                                              "DIF-CHP-NNA-2026-0042"}};
  Run(f, transfer);
  // The receiving agency reports her under its number, naming nothing.
  Run(f, SameChildUnderNewPseudonym(first, 6));
  CHECK(ConsularAlerts(f) == 0);
  CHECK(f.Count("cases") == 1);
}

TEST_CASE("A previous id nobody knows is accepted and merges nothing, the late events join",
          "[pipeline][links]") {
  PipelineFixture f;
  const Event first = ClaimToInm();
  Event second = SameChildUnderNewPseudonym(first, 6);
  second.subject.previous_ids = {first.subject.id};
  // The second authority's event arrives first: nothing to merge yet, and
  // the consulate is alerted (nobody has claimed anything).
  Run(f, second);
  CHECK(ConsularAlerts(f) == 1);
  CHECK(f.Count("cases") == 1);
  // The first authority's claim arrives late: it joins the case, and the
  // claim cancels what still waits for the consulate.
  Event late = first;
  late.occurred_at = second.occurred_at;
  late.occurred_at.utc += std::chrono::hours(1);
  Run(f, late);
  CHECK(f.Count("cases") == 1);
  CHECK(f.Count("alerts WHERE agency_id = '" + std::string(kConsulate) + "' AND state = 'open'") ==
        0);
  CHECK(f.Count("delivery_cancellations WHERE agency_id = '" + std::string(kConsulate) + "'") > 0);
}

TEST_CASE("Linked cases share clocks: the new authority's transfer stops the first one's clock",
          "[pipeline][links]") {
  PipelineFixture f;
  const Event first = GtChildAtBorderPost();
  Run(f, first);
  REQUIRE(f.Count("clocks WHERE clock_id = 'mx-2-4-dif-channelling' AND state = 'running'") == 1);
  Event handover = SameChildUnderNewPseudonym(first, 3);
  handover.authority = {"MX", "SSPC", std::nullopt};
  handover.type = EventType::kTransfer;
  handover.subject.id = "SSPC-CHP-2026-118";
  handover.subject.previous_ids = {first.subject.id};
  handover.transfer =
      Transfer{TransferTarget{"DIF-CHP", TransferKind::kChildWelfare, std::nullopt, std::nullopt}};
  Run(f, handover);
  CHECK(f.Count("clocks WHERE clock_id = 'mx-2-4-dif-channelling' AND state = 'running'") == 0);
  f.clock().Set(first.occurred_at.utc + std::chrono::hours(30));
  f.FireDue();
  CHECK(f.Count("alerts WHERE rule_id LIKE 'mx-2-4-dif-channelling%'") == 0);
}

}  // namespace
}  // namespace amparo

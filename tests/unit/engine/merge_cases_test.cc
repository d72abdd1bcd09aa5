// MergeCases (issue 16 item 1): two cases that turn out to be one child.
#include <chrono>

#include <catch2/catch.hpp>
#include <date/date.h>

#include "daemon/engine/case_snapshot.h"

namespace amparo {
namespace {

Instant Day(int d) { return Instant(date::sys_days(date::year{2026} / 3 / d)); }

TEST_CASE("MergeCases unites what protects the child and keeps the newer status",
          "[engine][links]") {
  CaseSnapshot older{.key = "A",
                     .first_custody_at = Day(2),
                     .custody_since = Day(2),
                     .events = 3,
                     .status = "transferred",
                     .flags = {SubjectFlag::kAsylumClaim},
                     .alerted_roles = {"child_welfare"},
                     .tvpra_screening = ScreeningOutcome::kScreenedIn,
                     .restitution_plan = false,
                     .born_not_before = date::sys_days(date::year{2010} / 8 / 14),
                     .born_not_after = date::sys_days(date::year{2010} / 8 / 14)};
  CaseSnapshot newer{.key = "B",
                     .first_custody_at = Day(5),
                     .custody_since = Day(5),
                     .events = 1,
                     .status = "in_custody",
                     .flags = {SubjectFlag::kPregnant, SubjectFlag::kAsylumClaim},
                     .alerted_roles = {"child_welfare", "consulate"},
                     .tvpra_screening = ScreeningOutcome::kScreenedOut,
                     .restitution_plan = true,
                     .born_not_before = date::sys_days(date::year{2007} / 3 / 6),
                     .born_not_after = date::sys_days(date::year{2008} / 3 / 5)};
  const CaseSnapshot merged = MergeCases(older, newer);
  CHECK(merged.key == "A");
  CHECK(merged.first_custody_at == Day(2));
  CHECK(merged.custody_since == Day(5));
  CHECK(merged.events == 4);
  CHECK(merged.status == "in_custody");
  CHECK(merged.flags ==
        std::vector<SubjectFlag>{SubjectFlag::kAsylumClaim, SubjectFlag::kPregnant});
  CHECK(merged.alerted_roles == std::vector<std::string>{"child_welfare", "consulate"});
  CHECK(merged.tvpra_screening == ScreeningOutcome::kScreenedIn);  // final
  CHECK(merged.restitution_plan);
  // A passport of a 15-year-old and a declared 18: the evidence disagrees.
  REQUIRE(merged.born_not_before);
  REQUIRE(merged.born_not_after);
  CHECK(*merged.born_not_before > *merged.born_not_after);

  // The other way round: the newer case keeps its claim too, and an empty
  // newer case changes nothing but the key.
  CHECK(MergeCases(newer, older).flags.size() == 2);
  CaseSnapshot empty;
  CaseSnapshot same = MergeCases(older, empty);
  CHECK(same == older);
}

}  // namespace
}  // namespace amparo

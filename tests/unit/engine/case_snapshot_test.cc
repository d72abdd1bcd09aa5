// AdvanceCase: what the case remembers of each event (case_snapshot.h).
#include "daemon/engine/case_snapshot.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/unit/engine/engine_test_util.h"

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using testing::ChildEvent;

const std::vector<std::string> kNoRoles;

// The case after `events`, in order, from an empty case; no roles alerted.
CaseSnapshot After(const std::vector<Event>& events) {
  CaseSnapshot c;
  for (const Event& e : events) c = AdvanceCase(c, e, kNoRoles);
  return c;
}

Event Screened(ScreeningAnswer victim, ScreeningAnswer fear, ScreeningAnswer independent) {
  Event e = ChildEvent(EventType::kCaseUpdate);
  e.tvpra_screening = TvpraScreening{victim, fear, independent};
  return e;
}

Event ScreenedIn() {
  return Screened(ScreeningAnswer::kNo, ScreeningAnswer::kYes, ScreeningAnswer::kYes);
}
Event ScreenedOut() {
  return Screened(ScreeningAnswer::kNo, ScreeningAnswer::kNo, ScreeningAnswer::kYes);
}
Event Pending() {
  return Screened(ScreeningAnswer::kNo, ScreeningAnswer::kPending, ScreeningAnswer::kYes);
}

TEST_CASE("AdvanceCase: the status each event type leaves") {
  const std::pair<EventType, const char*> cases[] = {
      {EventType::kApprehension, "in_custody"}, {EventType::kDetention, "in_custody"},
      {EventType::kTransfer, "transferred"},    {EventType::kRelease, "released"},
      {EventType::kReturn, "returned"},         {EventType::kReception, "received"},
  };
  for (const auto& [type, status] : cases) {
    INFO(ToString(type));
    CHECK(AdvanceCase({}, ChildEvent(type), kNoRoles).status == status);
    CaseSnapshot before;
    before.status = "released";
    CHECK(AdvanceCase(before, ChildEvent(type), kNoRoles).status == status);
  }
  SECTION("age assessments and case updates keep the status") {
    CaseSnapshot before;
    before.status = "transferred";
    CHECK(AdvanceCase(before, ChildEvent(EventType::kAgeAssessment), kNoRoles).status ==
          "transferred");
    CHECK(AdvanceCase(before, ChildEvent(EventType::kCaseUpdate), kNoRoles).status ==
          "transferred");
    CHECK(AdvanceCase({}, ChildEvent(EventType::kCaseUpdate), kNoRoles).status.empty());
  }
  SECTION("a sequence") {
    const CaseSnapshot c =
        After({ChildEvent(EventType::kApprehension), ChildEvent(EventType::kCaseUpdate),
               ChildEvent(EventType::kTransfer)});
    CHECK(c.status == "transferred");
    CHECK(c.events == 3);
  }
}

TEST_CASE("AdvanceCase counts events and leaves the case before it unchanged") {
  CaseSnapshot before;
  before.events = 4;
  before.status = "in_custody";
  const CaseSnapshot copy = before;
  const CaseSnapshot after = AdvanceCase(before, ChildEvent(EventType::kCaseUpdate), kNoRoles);
  CHECK(after.events == 5);
  CHECK(before == copy);
}

TEST_CASE("AdvanceCase adds flags and roles once, in the order first seen") {
  Event first = ChildEvent();
  first.subject.flags = {SubjectFlag::kFearOfReturn, SubjectFlag::kPregnant};
  Event second = ChildEvent(EventType::kCaseUpdate);
  second.subject.flags = {SubjectFlag::kAsylumClaim, SubjectFlag::kFearOfReturn};
  const std::vector<std::string> roles1 = {"consulate", "child_welfare"};
  const std::vector<std::string> roles2 = {"child_welfare", "ombudsman", "ombudsman"};
  CaseSnapshot c = AdvanceCase({}, first, roles1);
  c = AdvanceCase(c, second, roles2);
  CHECK(c.flags ==
        std::vector{SubjectFlag::kFearOfReturn, SubjectFlag::kPregnant, SubjectFlag::kAsylumClaim});
  CHECK(c.alerted_roles == std::vector<std::string>{"consulate", "child_welfare", "ombudsman"});
  // An event without flags or roles forgets nothing.
  c = AdvanceCase(c, ChildEvent(EventType::kRelease), kNoRoles);
  CHECK(c.flags.size() == 3);
  CHECK(c.alerted_roles.size() == 3);
}

TEST_CASE("AdvanceCase sets first_custody_at on the first custody event only") {
  Event update = ChildEvent(EventType::kCaseUpdate);
  Event transfer = ChildEvent(EventType::kTransfer);
  Event apprehension = ChildEvent(EventType::kApprehension);
  apprehension.occurred_at.utc += 1h;
  Event detention = ChildEvent(EventType::kDetention);
  detention.occurred_at.utc += 5h;

  SECTION("events that are not custody events do not set it") {
    const CaseSnapshot c =
        After({update, transfer, ChildEvent(EventType::kRelease), ChildEvent(EventType::kReturn),
               ChildEvent(EventType::kAgeAssessment)});
    CHECK_FALSE(c.first_custody_at.has_value());
  }
  SECTION("the first apprehension sets it; a later detention keeps it") {
    const CaseSnapshot c = After({update, apprehension, detention});
    CHECK(c.first_custody_at == apprehension.occurred_at.utc);
  }
  SECTION("a detention can be the first") {
    CHECK(After({detention, apprehension}).first_custody_at == detention.occurred_at.utc);
  }
  SECTION("occurred_at, not custody.start, even when custody.start is earlier") {
    apprehension.custody.emplace().start = Timestamp{apprehension.occurred_at.utc - 3h, -360};
    CHECK(After({apprehension}).first_custody_at == apprehension.occurred_at.utc);
  }
  SECTION("a value from the store is kept") {
    CaseSnapshot before;
    before.first_custody_at = apprehension.occurred_at.utc - 48h;
    CHECK(AdvanceCase(before, detention, kNoRoles).first_custody_at == before.first_custody_at);
  }
}

TEST_CASE("AdvanceCase: custody_since starts with each custody spell and ends with it") {
  Event apprehension = ChildEvent(EventType::kApprehension);
  Event detention = ChildEvent(EventType::kDetention);
  detention.occurred_at.utc = apprehension.occurred_at.utc + 5h;
  CaseSnapshot c = After({apprehension});
  CHECK(c.custody_since == apprehension.occurred_at.utc);
  // A second custody event of the same spell does not move it.
  c = AdvanceCase(c, detention, kNoRoles);
  CHECK(c.custody_since == apprehension.occurred_at.utc);
  // custody.start, when the authority sends it, is the start.
  Event with_start = ChildEvent(EventType::kDetention);
  with_start.custody.emplace().start = Timestamp{apprehension.occurred_at.utc - 3h, -360};
  CHECK(After({with_start}).custody_since == apprehension.occurred_at.utc - 3h);
  // A release or a return ends it; a transfer or a case update does not.
  CHECK(AdvanceCase(c, ChildEvent(EventType::kTransfer), kNoRoles).custody_since ==
        apprehension.occurred_at.utc);
  CHECK(AdvanceCase(c, ChildEvent(EventType::kCaseUpdate), kNoRoles).custody_since ==
        apprehension.occurred_at.utc);
  CHECK_FALSE(AdvanceCase(c, ChildEvent(EventType::kRelease), kNoRoles).custody_since);
  CHECK_FALSE(AdvanceCase(c, ChildEvent(EventType::kReturn), kNoRoles).custody_since);
}

TEST_CASE("AdvanceCase keeps the latest TVPRA screening, except that screened_in is final") {
  SECTION("absent until an event carries a screening") {
    CHECK_FALSE(
        After({ChildEvent(), ChildEvent(EventType::kCaseUpdate)}).tvpra_screening.has_value());
  }
  SECTION("an event without a screening keeps the last outcome") {
    CHECK(After({ScreenedOut(), ChildEvent(EventType::kReturn)}).tvpra_screening ==
          ScreeningOutcome::kScreenedOut);
  }
  SECTION("pending, then screened out: the latest wins") {
    CHECK(After({Pending()}).tvpra_screening == ScreeningOutcome::kPending);
    CHECK(After({Pending(), ScreenedOut()}).tvpra_screening == ScreeningOutcome::kScreenedOut);
  }
  SECTION("screened out, then pending again: the latest wins") {
    CHECK(After({ScreenedOut(), Pending()}).tvpra_screening == ScreeningOutcome::kPending);
  }
  SECTION("screened out, then screened in") {
    CHECK(After({ScreenedOut(), ScreenedIn()}).tvpra_screening == ScreeningOutcome::kScreenedIn);
  }
  SECTION("screened in is final: a later screened out or pending cannot undo it") {
    CHECK(After({ScreenedIn(), ScreenedOut()}).tvpra_screening == ScreeningOutcome::kScreenedIn);
    CHECK(After({Pending(), ScreenedIn(), Pending(), ScreenedOut()}).tvpra_screening ==
          ScreeningOutcome::kScreenedIn);
    CaseSnapshot before;  // As loaded from the store.
    before.tvpra_screening = ScreeningOutcome::kScreenedIn;
    CHECK(AdvanceCase(before, ScreenedOut(), kNoRoles).tvpra_screening ==
          ScreeningOutcome::kScreenedIn);
  }
}

TEST_CASE("AdvanceCase remembers a restitution plan for good") {
  Event plan = ChildEvent(EventType::kCaseUpdate);
  plan.procedure = Procedure{"PRD-CHP-2026-0031"};
  Event empty_procedure = ChildEvent(EventType::kCaseUpdate);
  empty_procedure.procedure = Procedure{};
  CHECK_FALSE(After({ChildEvent()}).restitution_plan);
  CHECK_FALSE(After({empty_procedure}).restitution_plan);
  CHECK(After({plan}).restitution_plan);
  CHECK(After({plan, empty_procedure, ChildEvent(EventType::kReturn)}).restitution_plan);
  CaseSnapshot before;  // As loaded from the store.
  before.restitution_plan = true;
  CHECK(AdvanceCase(before, empty_procedure, kNoRoles).restitution_plan);
}

TEST_CASE("AgeEvidenceOf: the birth dates each piece of age evidence allows") {
  using namespace date::literals;  // NOLINT(google-build-using-namespace)
  Event e = ChildEvent();          // 2 March 2026, declared 15.
  SECTION("a declared age: born between one day after 16 years and exactly 15 years before") {
    CHECK(AgeEvidenceOf(e) == BirthBounds{date::sys_days(2010_y / date::March / 3),
                                          date::sys_days(2011_y / date::March / 2)});
  }
  SECTION("an exact birth date: that day; with the age too, the tighter of both") {
    e.subject.birth_date = 2010_y / date::June / 1;
    CHECK(AgeEvidenceOf(e) == BirthBounds{date::sys_days(2010_y / date::June / 1),
                                          date::sys_days(2010_y / date::June / 1)});
  }
  SECTION("a birth date known to the month or year: the whole month or year") {
    e.subject.age.reset();
    e.subject.birth_date = 2009_y / date::July / 14;
    e.subject.birth_date_precision = BirthDatePrecision::kMonth;
    CHECK(AgeEvidenceOf(e) == BirthBounds{date::sys_days(2009_y / date::July / 1),
                                          date::sys_days(2009_y / date::July / 31)});
    e.subject.birth_date_precision = BirthDatePrecision::kYear;
    CHECK(AgeEvidenceOf(e) == BirthBounds{date::sys_days(2009_y / date::January / 1),
                                          date::sys_days(2009_y / date::December / 31)});
  }
  SECTION("an estimated birth date and an age of unknown basis are no evidence") {
    e.subject.age = Age{15, AgeBasis::kUnknown};
    e.subject.birth_date = 2009_y / date::July / 14;
    e.subject.birth_date_precision = BirthDatePrecision::kEstimated;
    CHECK(AgeEvidenceOf(e) == BirthBounds{});
  }
}

TEST_CASE("AdvanceCase keeps the age evidence until an age assessment replaces it") {
  using namespace date::literals;  // NOLINT(google-build-using-namespace)
  Event declared = ChildEvent();   // declared 15 on 2 March 2026
  Event document = ChildEvent(EventType::kCaseUpdate);
  document.subject.birth_date = 2006_y / date::January / 10;
  document.subject.age = Age{20, AgeBasis::kDocument};
  const CaseSnapshot c = After({declared, document});
  CHECK(c.born_not_before == date::sys_days(2010_y / date::March / 3));
  CHECK(c.born_not_after == date::sys_days(2006_y / date::January / 10));
  SECTION("an age_assessment with basis assessment starts over from its own evidence") {
    Event assessed = ChildEvent(EventType::kAgeAssessment);
    assessed.subject.age = Age{16, AgeBasis::kAssessment};
    const CaseSnapshot after = AdvanceCase(c, assessed, kNoRoles);
    CHECK(after.born_not_before == date::sys_days(2009_y / date::March / 3));
    CHECK(after.born_not_after == date::sys_days(2010_y / date::March / 2));
  }
  SECTION("an age_assessment by radiographs alone does not: it only adds its evidence (US-5)") {
    for (AgeMethod method : {AgeMethod::kDentalXray, AgeMethod::kSkeletalXray}) {
      Event xray = ChildEvent(EventType::kAgeAssessment);
      xray.subject.age = Age{16, AgeBasis::kAssessment, method};
      const CaseSnapshot after = AdvanceCase(c, xray, kNoRoles);
      CHECK(after.born_not_before == date::sys_days(2010_y / date::March / 3));
      CHECK(after.born_not_after == date::sys_days(2006_y / date::January / 10));
    }
    Event multiple = ChildEvent(EventType::kAgeAssessment);
    multiple.subject.age = Age{16, AgeBasis::kAssessment, AgeMethod::kMultipleEvidence};
    CHECK(AdvanceCase(c, multiple, kNoRoles).born_not_after ==
          date::sys_days(2010_y / date::March / 2));
  }
  SECTION("an age_assessment that only repeats a declared age does not") {
    Event repeated = ChildEvent(EventType::kAgeAssessment);
    CHECK(AdvanceCase(c, repeated, kNoRoles).born_not_after ==
          date::sys_days(2006_y / date::January / 10));
  }
}

}  // namespace
}  // namespace amparo

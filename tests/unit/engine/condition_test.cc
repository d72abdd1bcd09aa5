// Condition semantics, above all for absent values (condition.h).
#include "daemon/engine/condition.h"

#include <catch2/catch.hpp>

#include "daemon/engine/expr_compiler.h"
#include "tests/unit/engine/engine_test_util.h"

namespace amparo {
namespace {

using testing::ChildEvent;

// Compiles `text` (REQUIREs success) and evaluates it on `e` in `snapshot`.
bool Holds(const std::string& text, const Event& e, const CaseSnapshot& snapshot = {}) {
  Condition c;
  std::vector<ExprError> errors;
  std::vector<ParamDef> params(1);
  params[0].name = "limit";
  params[0].kind = ParamDef::Kind::kInt;
  params[0].number = 72;
  const bool compiled = CompileCondition(text, params, &c, &errors);
  INFO(text << ": " << (errors.empty() ? "" : errors[0].message));
  REQUIRE(compiled);
  CHECK(c.text() == text);
  const DerivedFacts facts = ComputeDerivedFacts(e, snapshot, EngineOptions{});
  return c.Evaluate({e, facts, snapshot});
}

TEST_CASE("comparisons, precedence and literals") {
  const Event e = ChildEvent();
  CHECK(Holds("event.type == \"apprehension\"", e));
  CHECK(Holds("\"apprehension\" == event.type", e));
  CHECK_FALSE(Holds("event.type != \"apprehension\"", e));
  CHECK(Holds("subject.age_years >= 15 && subject.age_years < 16", e));
  CHECK(Holds("15 <= subject.age_years", e));
}

TEST_CASE("precedence: ! over comparisons over && over ||") {
  const Event e = ChildEvent();
  CHECK(Holds("true || false && false", e));
  CHECK_FALSE(Holds("(true || false) && false", e));
  CHECK(Holds("!false && true", e));
  // `!a == b` is `(!a) == b`, and a condition is not a comparison operand.
  Condition c;
  std::vector<ExprError> errors;
  CHECK_FALSE(CompileCondition("!subject.tender_age == true", {}, &c, &errors));
  CHECK(errors.at(0).offset == 0);
  CHECK(Holds("!(subject.tender_age == true)", e));
  CHECK(Holds("event.type in [\"detention\", \"apprehension\"] && subject.minor", e));
  CHECK(Holds("location.country == authority.country", e));
}

TEST_CASE("dual nationality with in") {
  Event e = ChildEvent();
  e.subject.nationalities = {"HN", "GT"};
  CHECK(Holds("\"GT\" in subject.nationalities", e));
  CHECK(Holds("\"HN\" in subject.nationalities", e));
  CHECK_FALSE(Holds("\"SV\" in subject.nationalities", e));
  CHECK_FALSE(Holds("location.country in subject.nationalities", e));
  e.location.country = "GT";
  CHECK(Holds("location.country in subject.nationalities", e));
}

TEST_CASE("enum lists: flags, companions, case flags and alerted roles") {
  Event e = ChildEvent();
  e.subject.flags = {SubjectFlag::kFearOfReturn};
  e.subject.companions = {{Relation::kUnrelatedAdult}};
  CaseSnapshot snapshot;
  snapshot.flags = {SubjectFlag::kAsylumClaim};
  snapshot.alerted_roles = {"consulate"};
  CHECK(Holds("\"fear_of_return\" in subject.flags", e));
  CHECK_FALSE(Holds("\"asylum_claim\" in subject.flags", e));
  CHECK(Holds("\"asylum_claim\" in case.flags", e, snapshot));
  CHECK(Holds("\"unrelated_adult\" in subject.companion_relations", e));
  CHECK(Holds("\"consulate\" in case.alerted_roles", e, snapshot));
  CHECK_FALSE(Holds("\"child_welfare\" in case.alerted_roles", e, snapshot));
  CHECK(Holds("custody.hours < $limit", e));
}

TEST_CASE("absent values") {
  Event e = ChildEvent();  // no facility, no office, no transfer, no custody facts
  SECTION("a comparison with an absent field is false, for == and != alike") {
    CHECK_FALSE(Holds("location.facility.type == \"border_post\"", e));
    CHECK_FALSE(Holds("location.facility.type != \"border_post\"", e));
    CHECK_FALSE(Holds("authority.office == \"x\"", e));
    CHECK_FALSE(Holds("authority.office != \"x\"", e));
    CHECK_FALSE(Holds("transfer.to.kind != \"child_welfare\"", e));
  }
  SECTION("ordering with an absent int is false both ways") {
    e.subject.age.reset();
    CHECK_FALSE(Holds("subject.age_years < 18", e));
    CHECK_FALSE(Holds("subject.age_years >= 18", e));
    CHECK_FALSE(Holds("subject.age_years == subject.age_years", e));
  }
  SECTION("! of such a comparison is therefore true") {
    CHECK(Holds("!(location.facility.type == \"border_post\")", e));
    CHECK(Holds("!(location.facility.type != \"border_post\")", e));
  }
  SECTION("the idiom for 'absent or different'") {
    CHECK(Holds("!has(authority.office) || authority.office != \"x\"", e));
    e.authority.office = "x";
    CHECK_FALSE(Holds("!has(authority.office) || authority.office != \"x\"", e));
  }
  SECTION("in with an absent needle is false") {
    CHECK_FALSE(Holds("location.facility.type in [\"border_post\", \"police\"]", e));
    CHECK_FALSE(Holds("return.to_country in subject.nationalities", e));
  }
  SECTION("in an empty list is false; has(list) is false for an empty list") {
    CHECK_FALSE(Holds("\"asylum_claim\" in subject.flags", e));
    CHECK_FALSE(Holds("event.id in []", e));
    CHECK_FALSE(Holds("has(subject.flags)", e));
    CHECK_FALSE(Holds("\"consulate\" in case.alerted_roles", e));
  }
  SECTION("an absent optional bool on its own is false, and its ! true") {
    CHECK_FALSE(Holds("custody.with_unrelated_adults", e));
    CHECK(Holds("!custody.with_unrelated_adults", e));
    e.custody.emplace().with_unrelated_adults = true;
    CHECK(Holds("custody.with_unrelated_adults", e));
  }
  SECTION("has() tests presence") {
    CHECK_FALSE(Holds("has(location.facility.type)", e));
    CHECK_FALSE(Holds("has(case.first_custody_at)", e));
    CHECK_FALSE(Holds("has(case.status)", e));
    CHECK(Holds("has(subject.age_years)", e));
    e.location.facility = Facility{"f1", FacilityType::kMigrationStation};
    CHECK(Holds("has(location.facility.type)", e));
    CHECK(Holds("location.facility.type == \"migration_station\"", e));
    CaseSnapshot snapshot;
    snapshot.first_custody_at = e.occurred_at.utc;
    CHECK(Holds("has(case.first_custody_at)", e, snapshot));
  }
}

TEST_CASE("nesting is limited, && chains are not") {
  Condition c;
  std::vector<ExprError> errors;
  const std::string deep = std::string(64, '(') + "true" + std::string(64, ')');
  CHECK(CompileCondition(deep, {}, &c, &errors));
  const std::string too_deep = std::string(65, '(') + "true" + std::string(65, ')');
  CHECK_FALSE(CompileCondition(too_deep, {}, &c, &errors));
  std::string chain = "true";
  for (int i = 0; i < 10000; ++i) chain += " && true";
  CHECK(CompileCondition(chain, {}, &c, &errors));
}

}  // namespace
}  // namespace amparo

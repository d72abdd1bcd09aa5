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

// The first error of compiling `text`; "" when it compiles.
std::string CompileError(const std::string& text) {
  Condition c;
  std::vector<ExprError> errors;
  if (CompileCondition(text, {}, &c, &errors)) return "";
  REQUIRE_FALSE(errors.empty());
  return errors[0].message;
}

TEST_CASE("protection facts: TVPRA screening, consular request, custody, procedure") {
  Event e = ChildEvent();
  e.subject.nationalities = {"MX"};
  SECTION("all absent: comparisons are false, has() is false") {
    CHECK_FALSE(Holds("tvpra_screening.outcome == \"screened_out\"", e));
    CHECK_FALSE(Holds("tvpra_screening.outcome != \"screened_out\"", e));
    CHECK_FALSE(Holds("has(tvpra_screening.outcome)", e));
    CHECK_FALSE(Holds("has(tvpra_screening.credible_fear)", e));
    CHECK_FALSE(Holds("consular_notification.requested_by_child == \"yes\"", e));
    CHECK_FALSE(Holds("has(consular_notification.requested_by_child)", e));
    CHECK_FALSE(Holds("custody.kind == \"housed\"", e));
    CHECK_FALSE(Holds("has(custody.detention_review_at)", e));
    CHECK_FALSE(Holds("has(procedure.restitution_plan_id)", e));
    CHECK_FALSE(Holds("has(subject.birth_date_precision)", e));
    CHECK_FALSE(Holds("has(case.tvpra_screening)", e));
    CHECK_FALSE(Holds("case.restitution_plan", e));
  }
  SECTION("a screened-out screening") {
    e.tvpra_screening =
        TvpraScreening{ScreeningAnswer::kNo, ScreeningAnswer::kNo, ScreeningAnswer::kYes};
    CHECK(Holds("tvpra_screening.outcome == \"screened_out\"", e));
    CHECK(Holds("tvpra_screening.outcome in [\"screened_out\", \"pending\"]", e));
    CHECK(Holds("tvpra_screening.trafficking_victim == \"no\"", e));
    CHECK(Holds("tvpra_screening.credible_fear == \"no\"", e));
    CHECK(Holds("tvpra_screening.independent_decision == \"yes\"", e));
  }
  SECTION("a pending screening, then one screened in") {
    e.tvpra_screening = TvpraScreening{};
    CHECK(Holds("tvpra_screening.outcome == \"pending\"", e));
    e.tvpra_screening->credible_fear = ScreeningAnswer::kYes;
    CHECK(Holds("tvpra_screening.outcome == \"screened_in\"", e));
    CHECK(Holds("tvpra_screening.credible_fear == \"yes\"", e));
  }
  SECTION("the case's screening and restitution plan") {
    CaseSnapshot snapshot;
    snapshot.tvpra_screening = ScreeningOutcome::kScreenedIn;
    snapshot.restitution_plan = true;
    CHECK(Holds("case.tvpra_screening == \"screened_in\"", e, snapshot));
    CHECK(Holds("has(case.tvpra_screening)", e, snapshot));
    CHECK(Holds("case.restitution_plan", e, snapshot));
    CHECK_FALSE(Holds("!case.restitution_plan", e, snapshot));
  }
  SECTION("consular request") {
    e.consular_notification = ConsularNotification{ConsularRequest::kYes};
    CHECK(Holds("consular_notification.requested_by_child == \"yes\"", e));
    e.consular_notification->requested_by_child = ConsularRequest::kNotAsked;
    CHECK(Holds("consular_notification.requested_by_child == \"not_asked\"", e));
  }
  SECTION("custody kind and detention review") {
    e.custody.emplace().kind = CustodyKind::kHoused;
    CHECK(Holds("custody.kind == \"housed\"", e));
    CHECK_FALSE(Holds("custody.kind == \"detained\"", e));
    CHECK_FALSE(Holds("has(custody.detention_review_at)", e));
    e.custody->detention_review_at = e.occurred_at;
    CHECK(Holds("has(custody.detention_review_at)", e));
  }
  SECTION("restitution plan") {
    e.procedure = Procedure{};
    CHECK_FALSE(Holds("has(procedure.restitution_plan_id)", e));
    e.procedure->restitution_plan_id = "PRD-1";
    CHECK(Holds("has(procedure.restitution_plan_id)", e));
    CHECK(Holds("procedure.restitution_plan_id == \"PRD-1\"", e));
  }
  SECTION("birth-date precision: exact by default when there is a birth date") {
    e.subject.birth_date = date::year{2010} / 1 / 1;
    CHECK(Holds("subject.birth_date_precision == \"exact\"", e));
    e.subject.birth_date_precision = BirthDatePrecision::kYear;
    CHECK(Holds("subject.birth_date_precision in [\"month\", \"year\"]", e));
    CHECK(Holds("subject.age_doubtful", e));
  }
}

TEST_CASE("local hour and weekday of the event and the return") {
  Event e = ChildEvent();  // Monday 2 March 2026, 10:00 -06:00.
  CHECK(Holds("event.local_hour == 10", e));
  CHECK(Holds("event.local_weekday == \"monday\"", e));
  CHECK_FALSE(Holds("event.local_weekday in [\"saturday\", \"sunday\"]", e));
  CHECK_FALSE(Holds("has(return.local_hour)", e));
  CHECK_FALSE(Holds("return.local_weekday == \"monday\"", e));
  e.occurred_at = testing::LocalTime(date::year{2026} / 3 / 1, std::chrono::hours(22), -360);
  CHECK(Holds("event.local_weekday in [\"saturday\", \"sunday\"]", e));
  CHECK(Holds("event.local_hour >= 22 || event.local_hour < 6", e));
  e.return_ = Return{"HN", std::nullopt,
                     testing::LocalTime(date::year{2026} / 3 / 7, std::chrono::hours(5), -300)};
  CHECK(Holds("return.local_weekday == \"saturday\"", e));
  CHECK(Holds("return.local_hour < 6", e));
}

TEST_CASE("typos in the values of the new fields are compile errors") {
  CHECK_THAT(CompileError("tvpra_screening.outcome == \"screened-out\""),
             Catch::StartsWith("unknown screening outcome \"screened-out\"; expected one of "
                               "pending, screened_in, screened_out"));
  CHECK_THAT(CompileError("case.tvpra_screening == \"screened in\""),
             Catch::StartsWith("unknown screening outcome \"screened in\""));
  CHECK_THAT(CompileError("event.local_weekday in [\"sat\", \"sunday\"]"),
             Catch::StartsWith("unknown weekday \"sat\"; expected one of monday, tuesday, "
                               "wednesday, thursday, friday, saturday, sunday"));
  CHECK_THAT(CompileError("return.local_weekday == \"Sunday\""),
             Catch::StartsWith("unknown weekday \"Sunday\""));
  CHECK_THAT(CompileError("tvpra_screening.credible_fear == \"true\""),
             Catch::StartsWith("unknown screening answer \"true\""));
  CHECK_THAT(CompileError("consular_notification.requested_by_child == \"not-asked\""),
             Catch::StartsWith("unknown consular request \"not-asked\""));
  CHECK_THAT(CompileError("custody.kind == \"detention\""),
             Catch::StartsWith("unknown custody kind \"detention\""));
  CHECK_THAT(CompileError("subject.birth_date_precision == \"approximate\""),
             Catch::StartsWith("unknown birth date precision \"approximate\""));
  CHECK_THAT(CompileError("event.local_hour == \"22\""),
             Catch::StartsWith("cannot compare event.local_hour (int)"));
  CHECK_THAT(CompileError("tvpra.outcome == \"screened_in\""),
             Catch::StartsWith("unknown field \"tvpra.outcome\""));
  CHECK(CompileError("case.tvpra_screening in [\"screened_in\", \"pending\"]").empty());
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

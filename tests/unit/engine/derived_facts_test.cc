#include "daemon/engine/derived_facts.h"

#include <catch2/catch.hpp>

#include "tests/unit/engine/engine_test_util.h"

namespace amparo {
namespace {

using namespace date::literals;        // NOLINT(google-build-using-namespace)
using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using testing::ChildEvent;
using testing::LocalTime;

DerivedFacts Facts(const Event& e, const CaseSnapshot& snapshot = {}) {
  return ComputeDerivedFacts(e, snapshot, EngineOptions{});
}

TEST_CASE("presumption of minority") {
  Event e = ChildEvent();
  SECTION("no birth date and no age: minor, age absent, doubtful, not tender") {
    e.subject.age.reset();
    const DerivedFacts f = Facts(e);
    CHECK_FALSE(f.age_years);
    CHECK(f.age_doubtful);
    CHECK(f.minor);
    CHECK_FALSE(f.tender_age);
  }
  SECTION("declared 17: minor") {
    e.subject.age = Age{17, AgeBasis::kDeclared};
    CHECK(Facts(e).minor);
  }
  SECTION("declared 19 without a document: minor within the margin of 2") {
    e.subject.age = Age{19, AgeBasis::kDeclared};
    CHECK(Facts(e).age_doubtful);
    CHECK(Facts(e).minor);
  }
  SECTION("assessed 20: beyond the margin") {
    e.subject.age = Age{20, AgeBasis::kAssessment};
    CHECK_FALSE(Facts(e).minor);
  }
  SECTION("documented 19: not minor") {
    e.subject.age = Age{19, AgeBasis::kDocument};
    CHECK_FALSE(Facts(e).age_doubtful);
    CHECK_FALSE(Facts(e).minor);
  }
  SECTION("the margin is an option") {
    e.subject.age = Age{19, AgeBasis::kDeclared};
    EngineOptions options;
    options.doubtful_margin_years = 1;
    CHECK_FALSE(ComputeDerivedFacts(e, {}, options).minor);
  }
}

TEST_CASE("age on the 18th birthday follows the local date of the event") {
  Event e = ChildEvent();
  e.subject.age.reset();
  e.subject.birth_date = 2008_y / date::March / 2;
  SECTION("01 March 23:30 local, already 2 March in UTC: still 17, minor") {
    e.occurred_at = LocalTime(2026_y / date::March / 1, 23h + 30min, -360);
    const DerivedFacts f = Facts(e);
    CHECK(f.age_years == 17);
    CHECK(f.minor);
  }
  SECTION("02 March 00:10 local: 18, not minor (a birth date is not doubtful)") {
    e.occurred_at = LocalTime(2026_y / date::March / 2, 10min, -360);
    const DerivedFacts f = Facts(e);
    CHECK(f.age_years == 18);
    CHECK_FALSE(f.age_doubtful);
    CHECK_FALSE(f.minor);
  }
  SECTION("02 March 08:00 local east of UTC, still 1 March in UTC: already 18") {
    e.occurred_at = LocalTime(2026_y / date::March / 2, 8h, 600);
    CHECK(Facts(e).age_years == 18);
  }
  SECTION("a birth date wins over a declared age") {
    e.subject.age = Age{12, AgeBasis::kDeclared};
    e.occurred_at = LocalTime(2026_y / date::March / 2, 10min, -360);
    CHECK(Facts(e).age_years == 18);
  }
}

TEST_CASE("tender age") {
  Event e = ChildEvent();
  e.subject.age = Age{12, AgeBasis::kDeclared};
  CHECK(Facts(e).tender_age);
  e.subject.age = Age{13, AgeBasis::kDeclared};
  CHECK_FALSE(Facts(e).tender_age);
  EngineOptions options;
  options.tender_age_below = 14;
  CHECK(ComputeDerivedFacts(e, {}, options).tender_age);
}

TEST_CASE("custody hours count from the first custody event") {
  Event e = ChildEvent(EventType::kTransfer);
  CHECK_FALSE(Facts(e).custody_hours);
  CaseSnapshot snapshot;
  snapshot.first_custody_at = e.occurred_at.utc - 71h - 59min;
  CHECK(Facts(e, snapshot).custody_hours == 71);
  snapshot.first_custody_at = e.occurred_at.utc - 72h;
  CHECK(Facts(e, snapshot).custody_hours == 72);
  CHECK(Facts(ChildEvent(EventType::kApprehension)).custody_hours == 0);
  CHECK(Facts(ChildEvent(EventType::kDetention)).custody_hours == 0);
}

}  // namespace
}  // namespace amparo

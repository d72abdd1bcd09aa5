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

TEST_CASE("unaccompanied or separated trusts the companion list over \"accompanied\"") {
  Event e = ChildEvent();
  const auto uasc = [&](Accompaniment a, std::vector<Relation> companions) {
    e.subject.accompaniment = a;
    e.subject.companions.clear();
    for (Relation r : companions) e.subject.companions.push_back({r});
    return Facts(e).unaccompanied_or_separated;
  };
  CHECK(uasc(Accompaniment::kUnaccompanied, {}));
  CHECK(uasc(Accompaniment::kSeparated, {Relation::kRelative}));
  CHECK(uasc(Accompaniment::kUnknown, {}));
  // "accompanied" with no companion listed: taken at its word.
  CHECK_FALSE(uasc(Accompaniment::kAccompanied, {}));
  CHECK_FALSE(uasc(Accompaniment::kAccompanied, {Relation::kParent}));
  CHECK_FALSE(
      uasc(Accompaniment::kAccompanied, {Relation::kUnrelatedAdult, Relation::kLegalGuardian}));
  // ... but not over a list with no parent or legal guardian in it.
  CHECK(uasc(Accompaniment::kAccompanied, {Relation::kRelative}));
  CHECK(uasc(Accompaniment::kAccompanied, {Relation::kUnrelatedAdult}));
  CHECK(uasc(Accompaniment::kAccompanied, {Relation::kSiblingMinor}));
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

// An event on `day` at 10:00 -06:00 of a subject born on `birth` with
// `precision`, and no declared age.
Event BornOn(date::year_month_day birth, std::optional<BirthDatePrecision> precision,
             date::year_month_day day) {
  Event e = ChildEvent();
  e.subject.age.reset();
  e.subject.birth_date = birth;
  e.subject.birth_date_precision = precision;
  e.occurred_at = LocalTime(day, 10h, -360);
  return e;
}

TEST_CASE("a birth date known to the month counts from the last day of the month") {
  SECTION("born March 2008 (month), on 15 March 2026: counts from 31 March, 17, minor") {
    const DerivedFacts f = Facts(
        BornOn(2008_y / date::March / 1, BirthDatePrecision::kMonth, 2026_y / date::March / 15));
    CHECK(f.age_years == 17);
    CHECK(f.age_doubtful);
    CHECK(f.minor);
  }
  SECTION("the same date given as exact: 18, not doubtful, not minor") {
    const DerivedFacts f = Facts(
        BornOn(2008_y / date::March / 1, BirthDatePrecision::kExact, 2026_y / date::March / 15));
    CHECK(f.age_years == 18);
    CHECK_FALSE(f.age_doubtful);
    CHECK_FALSE(f.minor);
  }
  SECTION("no precision is exact") {
    const DerivedFacts f =
        Facts(BornOn(2008_y / date::March / 1, std::nullopt, 2026_y / date::March / 15));
    CHECK(f.age_years == 18);
    CHECK_FALSE(f.age_doubtful);
  }
  SECTION("on 31 March 2026, the last day of the month, the month-precision age is 18") {
    const DerivedFacts f = Facts(
        BornOn(2008_y / date::March / 1, BirthDatePrecision::kMonth, 2026_y / date::March / 31));
    CHECK(f.age_years == 18);
    CHECK(f.age_doubtful);
  }
  SECTION("any day of the month stands for the month") {
    const DerivedFacts f = Facts(
        BornOn(2008_y / date::March / 17, BirthDatePrecision::kMonth, 2026_y / date::March / 30));
    CHECK(f.age_years == 17);
  }
  SECTION("February of a leap year ends on the 29th") {
    const Event e =
        BornOn(2008_y / date::February / 1, BirthDatePrecision::kMonth, 2026_y / date::March / 1);
    CHECK(Facts(e).age_years == 18);  // 29 Feb 2008 counts from 1 March in 2026.
    const Event before = BornOn(2008_y / date::February / 1, BirthDatePrecision::kMonth,
                                2026_y / date::February / 28);
    CHECK(Facts(before).age_years == 17);
  }
}

TEST_CASE("a birth date known to the year counts from 31 December") {
  const auto birth = 2008_y / date::January / 1;
  CHECK(Facts(BornOn(birth, BirthDatePrecision::kYear, 2026_y / date::December / 30)).age_years ==
        17);
  CHECK(Facts(BornOn(birth, BirthDatePrecision::kYear, 2026_y / date::December / 31)).age_years ==
        18);
  CHECK(Facts(BornOn(birth, BirthDatePrecision::kExact, 2026_y / date::January / 1)).age_years ==
        18);
  const DerivedFacts f = Facts(BornOn(birth, BirthDatePrecision::kYear, 2026_y / date::March / 2));
  CHECK(f.age_years == 17);
  CHECK(f.age_doubtful);
  CHECK(f.minor);
}

TEST_CASE("an estimated birth date counts from that date but is doubtful") {
  SECTION("19 by an estimated date: minor within the default margin of 2") {
    const DerivedFacts f = Facts(BornOn(2007_y / date::January / 10, BirthDatePrecision::kEstimated,
                                        2026_y / date::March / 2));
    CHECK(f.age_years == 19);
    CHECK(f.age_doubtful);
    CHECK(f.minor);
  }
  SECTION("21 by an estimated date: beyond the margin") {
    const DerivedFacts f = Facts(BornOn(2005_y / date::January / 10, BirthDatePrecision::kEstimated,
                                        2026_y / date::March / 2));
    CHECK(f.age_years == 21);
    CHECK(f.age_doubtful);
    CHECK_FALSE(f.minor);
  }
  SECTION("19 by an exact date: not minor") {
    const DerivedFacts f = Facts(
        BornOn(2007_y / date::January / 10, BirthDatePrecision::kExact, 2026_y / date::March / 2));
    CHECK(f.age_years == 19);
    CHECK_FALSE(f.age_doubtful);
    CHECK_FALSE(f.minor);
  }
  SECTION("an estimated date is not moved: the birthday itself counts") {
    CHECK(Facts(BornOn(2008_y / date::March / 2, BirthDatePrecision::kEstimated,
                       2026_y / date::March / 2))
              .age_years == 18);
  }
  SECTION("a document-based age makes an estimated birth date certain enough") {
    Event e = BornOn(2007_y / date::January / 10, BirthDatePrecision::kEstimated,
                     2026_y / date::March / 2);
    e.subject.age = Age{19, AgeBasis::kDocument};
    CHECK_FALSE(Facts(e).age_doubtful);
  }
}

TEST_CASE("a youngest plausible birth date after the event clamps the age to 0") {
  SECTION("born this month (month precision), before its last day") {
    const DerivedFacts f = Facts(
        BornOn(2026_y / date::March / 1, BirthDatePrecision::kMonth, 2026_y / date::March / 15));
    CHECK(f.age_years == 0);
    CHECK(f.minor);
    CHECK(f.tender_age);
  }
  SECTION("born this year (year precision)") {
    CHECK(Facts(BornOn(2026_y / date::January / 1, BirthDatePrecision::kYear,
                       2026_y / date::March / 2))
              .age_years == 0);
  }
  SECTION("born last year (year precision), early this year: 0 without clamping") {
    CHECK(Facts(BornOn(2025_y / date::January / 1, BirthDatePrecision::kYear,
                       2026_y / date::January / 2))
              .age_years == 0);
  }
}

TEST_CASE("local hour and weekday of the event, at its offset") {
  Event e = ChildEvent();  // Monday 2 March 2026, 10:00 -06:00.
  DerivedFacts f = Facts(e);
  CHECK(f.local_hour == 10);
  CHECK(f.local_weekday == 1);
  CHECK_FALSE(f.return_local_hour.has_value());
  CHECK_FALSE(f.return_local_weekday.has_value());
  // Sunday 1 March 22:30 at -06:00 is already Monday 04:30 in UTC.
  e.occurred_at = LocalTime(2026_y / date::March / 1, 22h + 30min, -360);
  f = Facts(e);
  CHECK(f.local_hour == 22);
  CHECK(f.local_weekday == 7);
}

TEST_CASE("local hour and weekday of the return") {
  Event e = ChildEvent(EventType::kReturn);
  e.occurred_at = LocalTime(2026_y / date::March / 6, 14h, -360);  // Friday 14:00 -06:00.
  SECTION("of return.scheduled_at, at its own offset") {
    // Saturday 7 March 05:30 at -05:00 is still Saturday 04:30 at -06:00;
    // the scheduled time is read at the offset it was written with.
    e.return_ = Return{"MX", std::nullopt, LocalTime(2026_y / date::March / 7, 5h + 30min, -300)};
    const DerivedFacts f = Facts(e);
    CHECK(f.return_local_hour == 5);
    CHECK(f.return_local_weekday == 6);
    CHECK(f.local_hour == 14);
    CHECK(f.local_weekday == 5);
  }
  SECTION("a scheduled time whose UTC day differs from its local day") {
    // Saturday 7 March 23:00 at -06:00 is Sunday 05:00 in UTC.
    e.return_ = Return{"MX", std::nullopt, LocalTime(2026_y / date::March / 7, 23h, -360)};
    const DerivedFacts f = Facts(e);
    CHECK(f.return_local_hour == 23);
    CHECK(f.return_local_weekday == 6);
  }
  SECTION("without scheduled_at: of occurred_at") {
    e.return_ = Return{"MX", std::nullopt, std::nullopt};
    const DerivedFacts f = Facts(e);
    CHECK(f.return_local_hour == 14);
    CHECK(f.return_local_weekday == 5);
  }
  SECTION("a return block on another event type counts too") {
    e.type = EventType::kCaseUpdate;
    e.return_ = Return{"MX", std::nullopt, std::nullopt};
    CHECK(Facts(e).return_local_weekday == 5);
  }
}

TEST_CASE("conflicting age evidence keeps the presumption of minority") {
  Event e = ChildEvent();  // 2 March 2026, declared 15
  SECTION("declared 15, a document that makes the subject 19: conflict, minor, doubtful") {
    e.subject.birth_date = 2007_y / date::January / 10;
    const DerivedFacts f = Facts(e);
    CHECK(f.age_years == 19);
    CHECK(f.age_conflict);
    CHECK(f.age_doubtful);
    CHECK(f.minor);
    CHECK_FALSE(f.case_age_conflict);
    // Without the declared age the same document makes an adult.
    e.subject.age.reset();
    CHECK_FALSE(Facts(e).age_conflict);
    CHECK_FALSE(Facts(e).minor);
  }
  SECTION("the reverse: declared 22, a birth date of a 15-year-old") {
    e.subject.age = Age{22, AgeBasis::kDeclared};
    e.subject.birth_date = 2010_y / date::November / 20;
    CHECK(Facts(e).age_conflict);
    CHECK(Facts(e).minor);
  }
  SECTION("an age by document beside the birth date is the same document: no conflict") {
    e.subject.birth_date = 2008_y / date::March / 2;  // 18 today
    e.subject.age = Age{17, AgeBasis::kDocument};     // written before the birthday
    CHECK_FALSE(Facts(e).age_conflict);
    CHECK_FALSE(Facts(e).minor);
  }
  SECTION("evidence that disagrees but agrees on minority, or on adulthood, is no conflict") {
    e.subject.birth_date = 2008_y / date::June / 1;  // 17
    CHECK_FALSE(Facts(e).age_conflict);
    e.subject.birth_date = 1996_y / date::January / 1;  // 30
    e.subject.age = Age{25, AgeBasis::kDeclared};
    CHECK_FALSE(Facts(e).age_conflict);
    CHECK_FALSE(Facts(e).minor);
  }
  SECTION("across events: the case's evidence against this event's") {
    CaseSnapshot before;  // declared 15 on 2 March 2026
    const BirthBounds declared = AgeEvidenceOf(e);
    before.born_not_before = declared.not_before;
    before.born_not_after = declared.not_after;
    Event later = ChildEvent(EventType::kCaseUpdate);
    later.subject.age = Age{19, AgeBasis::kDocument};
    const DerivedFacts f = Facts(later, before);
    CHECK(f.age_conflict);
    CHECK(f.minor);
    CHECK_FALSE(f.case_age_conflict);
    // An age assessment decides: its own evidence only.
    later.type = EventType::kAgeAssessment;
    later.subject.age = Age{21, AgeBasis::kAssessment};
    CHECK_FALSE(Facts(later, before).age_conflict);
    CHECK_FALSE(Facts(later, before).minor);
  }
  SECTION("a 17-year-old who turns 18 between two events is no conflict") {
    CaseSnapshot before;
    e.subject.age = Age{17, AgeBasis::kDeclared};
    const BirthBounds declared = AgeEvidenceOf(e);  // born 3 Mar 2008 .. 2 Mar 2009
    before.born_not_before = declared.not_before;
    before.born_not_after = declared.not_after;
    Event later = ChildEvent(EventType::kCaseUpdate);
    later.occurred_at = testing::LocalTime(2027_y / date::March / 2, 10h, -360);
    later.subject.age.reset();
    later.subject.birth_date = 2008_y / date::December / 1;  // 18 by then
    CHECK_FALSE(Facts(later, before).age_conflict);
  }
}

}  // namespace
}  // namespace amparo

namespace amparo {
namespace {

// The presumption of minority (DOMAIN.md MX-5): an age the authority does not
// know is a minor's, whether it sends {basis: unknown} or no age at all.
TEST_CASE("an unknown age without years is presumed a minor's") {
  Event e = ChildEvent();
  e.subject.birth_date.reset();
  Age unknown;
  unknown.basis = AgeBasis::kUnknown;
  e.subject.age = unknown;
  const DerivedFacts f = Facts(e);
  CHECK_FALSE(f.age_years);
  CHECK(f.age_doubtful);
  CHECK(f.minor);
  CHECK_FALSE(f.age_conflict);
}

}  // namespace
}  // namespace amparo

#include "daemon/engine/derived_facts.h"

#include <algorithm>
#include <chrono>

namespace amparo {

namespace {

// Whole years from `birth` to `on`.
int YearsBetween(const date::year_month_day& birth, const date::year_month_day& on) {
  int years = static_cast<int>(on.year()) - static_cast<int>(birth.year());
  if (on.month() < birth.month() || (on.month() == birth.month() && on.day() < birth.day())) {
    --years;
  }
  return years;
}

// The latest birth date `birth` may stand for at `precision`: the last day of
// its month or year when only those are known.
date::year_month_day YoungestBirthDate(const date::year_month_day& birth,
                                       std::optional<BirthDatePrecision> precision) {
  switch (precision.value_or(BirthDatePrecision::kExact)) {
    case BirthDatePrecision::kMonth:
      return date::year_month_day_last{birth.year(), date::month_day_last{birth.month()}};
    case BirthDatePrecision::kYear:
      return birth.year() / date::December / 31;
    case BirthDatePrecision::kExact:
    case BirthDatePrecision::kEstimated:
      return birth;
  }
  return birth;
}

// True when `bounds` say both "certainly under minor_age" and "certainly of
// age" on `today`.
bool Conflicts(const BirthBounds& bounds, const date::year_month_day& today, int minor_age) {
  if (!bounds.not_before || !bounds.not_after) return false;
  const date::year_month_day oldest{*bounds.not_before};
  const date::year_month_day youngest{*bounds.not_after};
  return YearsBetween(oldest, today) < minor_age && YearsBetween(youngest, today) >= minor_age;
}

}  // namespace

bool IsCustodyEvent(EventType type) {
  return type == EventType::kApprehension || type == EventType::kDetention;
}

DerivedFacts ComputeDerivedFacts(const Event& event, const CaseSnapshot& snapshot,
                                 const EngineOptions& options) {
  DerivedFacts facts;
  const Subject& subject = event.subject;
  const date::year_month_day today = event.occurred_at.LocalDate();
  bool exact_birth_date = false;
  if (subject.birth_date) {
    const date::year_month_day birth =
        std::min(YoungestBirthDate(*subject.birth_date, subject.birth_date_precision), today);
    facts.age_years = YearsBetween(birth, today);
    exact_birth_date = subject.birth_date_precision.value_or(BirthDatePrecision::kExact) ==
                       BirthDatePrecision::kExact;
  } else if (subject.age && subject.age->years) {
    facts.age_years = *subject.age->years;
  }
  facts.age_doubtful =
      !exact_birth_date && !(subject.age && subject.age->basis == AgeBasis::kDocument);
  if (!facts.age_years) {
    facts.minor = true;
    facts.tender_age = false;
  } else {
    const int age = *facts.age_years;
    facts.minor = age < options.minor_age ||
                  (facts.age_doubtful && age < options.minor_age + options.doubtful_margin_years);
    facts.tender_age = age < options.tender_age_below;
  }
  facts.age_conflict = Conflicts(AgeEvidenceAfter(snapshot, event), today, options.minor_age);
  facts.case_age_conflict =
      Conflicts({snapshot.born_not_before, snapshot.born_not_after}, today, options.minor_age);
  if (facts.age_conflict) {
    facts.age_doubtful = true;
    facts.minor = true;
  }
  std::optional<Instant> first = snapshot.first_custody_at;
  if (!first && IsCustodyEvent(event.type)) first = event.occurred_at.utc;
  if (first) {
    facts.custody_hours =
        std::chrono::floor<std::chrono::hours>(event.occurred_at.utc - *first).count();
  }
  const auto& companions = subject.companions;
  const bool with_parent_or_guardian =
      std::any_of(companions.begin(), companions.end(), [](const Companion& c) {
        return c.relation == Relation::kParent || c.relation == Relation::kLegalGuardian;
      });
  facts.unaccompanied_or_separated = subject.accompaniment != Accompaniment::kAccompanied ||
                                     (!companions.empty() && !with_parent_or_guardian);
  facts.local_hour = event.occurred_at.LocalHour();
  facts.local_weekday = event.occurred_at.LocalIsoWeekday();
  if (event.return_) {
    const Timestamp& when = event.return_->scheduled_at.value_or(event.occurred_at);
    facts.return_local_hour = when.LocalHour();
    facts.return_local_weekday = when.LocalIsoWeekday();
  }
  return facts;
}

}  // namespace amparo

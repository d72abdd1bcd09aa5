#include "daemon/engine/derived_facts.h"

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

}  // namespace

bool IsCustodyEvent(EventType type) {
  return type == EventType::kApprehension || type == EventType::kDetention;
}

DerivedFacts ComputeDerivedFacts(const Event& event, const CaseSnapshot& snapshot,
                                 const EngineOptions& options) {
  DerivedFacts facts;
  const Subject& subject = event.subject;
  if (subject.birth_date) {
    facts.age_years = YearsBetween(*subject.birth_date, event.occurred_at.LocalDate());
  } else if (subject.age) {
    facts.age_years = subject.age->years;
  }
  facts.age_doubtful =
      !subject.birth_date && !(subject.age && subject.age->basis == AgeBasis::kDocument);
  if (!facts.age_years) {
    facts.minor = true;
    facts.tender_age = false;
  } else {
    const int age = *facts.age_years;
    facts.minor = age < options.minor_age ||
                  (facts.age_doubtful && age < options.minor_age + options.doubtful_margin_years);
    facts.tender_age = age < options.tender_age_below;
  }
  std::optional<Instant> first = snapshot.first_custody_at;
  if (!first && IsCustodyEvent(event.type)) first = event.occurred_at.utc;
  if (first) {
    facts.custody_hours =
        std::chrono::floor<std::chrono::hours>(event.occurred_at.utc - *first).count();
  }
  return facts;
}

}  // namespace amparo

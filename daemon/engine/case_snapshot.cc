#include "daemon/engine/case_snapshot.h"

#include <algorithm>

#include "daemon/engine/derived_facts.h"

namespace amparo {

namespace {

// The case status an event leaves behind.
std::string StatusAfter(EventType type, const std::string& before) {
  switch (type) {
    case EventType::kApprehension:
    case EventType::kDetention:
      return "in_custody";
    case EventType::kTransfer:
      return "transferred";
    case EventType::kRelease:
      return "released";
    case EventType::kReturn:
      return "returned";
    case EventType::kReception:
      return "received";
    case EventType::kAgeAssessment:
    case EventType::kCaseUpdate:
      return before;
  }
  return before;
}

template <typename T>
void AddOnce(std::vector<T>* list, const T& value) {
  if (std::find(list->begin(), list->end(), value) == list->end()) list->push_back(value);
}

// `years` whole years before `day`; 29 February becomes 28 February.
date::sys_days YearsBefore(const date::year_month_day& day, int years) {
  date::year_month_day back{day.year() - date::years(years), day.month(), day.day()};
  if (!back.ok()) back = date::year_month_day_last{back.year(), date::month_day_last{back.month()}};
  return date::sys_days(back);
}

// The tighter of two bounds: the later lower bound, the earlier upper bound.
void Tighten(BirthBounds* bounds, const BirthBounds& more) {
  if (more.not_before && (!bounds->not_before || *more.not_before > *bounds->not_before)) {
    bounds->not_before = more.not_before;
  }
  if (more.not_after && (!bounds->not_after || *more.not_after < *bounds->not_after)) {
    bounds->not_after = more.not_after;
  }
}

}  // namespace

BirthBounds AgeEvidenceOf(const Event& event) {
  BirthBounds bounds;
  const Subject& s = event.subject;
  if (s.birth_date) {
    const date::year_month_day& d = *s.birth_date;
    switch (s.birth_date_precision.value_or(BirthDatePrecision::kExact)) {
      case BirthDatePrecision::kExact:
        bounds = {date::sys_days(d), date::sys_days(d)};
        break;
      case BirthDatePrecision::kMonth:
        bounds = {
            date::sys_days(d.year() / d.month() / 1),
            date::sys_days(date::year_month_day_last{d.year(), date::month_day_last{d.month()}})};
        break;
      case BirthDatePrecision::kYear:
        bounds = {date::sys_days(d.year() / date::January / 1),
                  date::sys_days(d.year() / date::December / 31)};
        break;
      case BirthDatePrecision::kEstimated:
        break;
    }
  }
  // An age "by document" beside a birth date comes from the same document,
  // and the date is the more precise: it is not a second piece of evidence
  // (a stale age.years on the 18th birthday is no conflict).
  const bool same_document =
      s.birth_date && s.age && s.age->basis == AgeBasis::kDocument &&
      s.birth_date_precision.value_or(BirthDatePrecision::kExact) != BirthDatePrecision::kEstimated;
  if (s.age && s.age->years && s.age->basis != AgeBasis::kUnknown && !same_document) {
    const date::year_month_day today = event.occurred_at.LocalDate();
    Tighten(&bounds, {YearsBefore(today, *s.age->years + 1) + date::days(1),
                      YearsBefore(today, *s.age->years)});
  }
  return bounds;
}

BirthBounds AgeEvidenceAfter(const CaseSnapshot& before, const Event& event) {
  // Radiographs may not be the only basis of an age determination (US-5, 8
  // USC 1232(b)(4)): an assessment by them alone adds its evidence but does
  // not replace the earlier evidence, so a conflict with it keeps the
  // presumption of minority.
  const std::optional<AgeMethod> method =
      event.subject.age ? event.subject.age->method : std::nullopt;
  const bool radiographs_only =
      method == AgeMethod::kDentalXray || method == AgeMethod::kSkeletalXray;
  const bool determination = event.type == EventType::kAgeAssessment && event.subject.age &&
                             event.subject.age->basis == AgeBasis::kAssessment && !radiographs_only;
  BirthBounds bounds;
  if (!determination) bounds = {before.born_not_before, before.born_not_after};
  Tighten(&bounds, AgeEvidenceOf(event));
  return bounds;
}

std::vector<SubjectFlag> FlagsAfter(const CaseSnapshot& before, const Event& event) {
  std::vector<SubjectFlag> flags = before.flags;
  for (SubjectFlag flag : event.subject.flags) AddOnce(&flags, flag);
  if (event.tvpra_screening && event.tvpra_screening->credible_fear == ScreeningAnswer::kYes) {
    AddOnce(&flags, SubjectFlag::kFearOfReturn);
  }
  return flags;
}

CaseSnapshot MergeCases(const CaseSnapshot& older, const CaseSnapshot& newer) {
  CaseSnapshot merged = older;
  if (newer.first_custody_at &&
      (!merged.first_custody_at || *newer.first_custody_at < *merged.first_custody_at)) {
    merged.first_custody_at = newer.first_custody_at;
  }
  merged.custody_since = newer.status.empty() ? older.custody_since : newer.custody_since;
  merged.events = older.events + newer.events;
  if (!newer.status.empty()) merged.status = newer.status;
  for (SubjectFlag flag : newer.flags) AddOnce(&merged.flags, flag);
  for (const std::string& role : newer.alerted_roles) AddOnce(&merged.alerted_roles, role);
  if (older.tvpra_screening != ScreeningOutcome::kScreenedIn && newer.tvpra_screening) {
    merged.tvpra_screening = newer.tvpra_screening;
  }
  merged.restitution_plan = older.restitution_plan || newer.restitution_plan;
  BirthBounds bounds{older.born_not_before, older.born_not_after};
  Tighten(&bounds, {newer.born_not_before, newer.born_not_after});
  merged.born_not_before = bounds.not_before;
  merged.born_not_after = bounds.not_after;
  return merged;
}

CaseSnapshot AdvanceCase(const CaseSnapshot& before, const Event& event,
                         std::span<const std::string> alerted_roles) {
  CaseSnapshot after = before;
  if (!after.first_custody_at && IsCustodyEvent(event.type)) {
    after.first_custody_at = event.occurred_at.utc;
  }
  if (IsCustodyEvent(event.type) && before.status != "in_custody") {
    after.custody_since =
        event.custody && event.custody->start ? event.custody->start->utc : event.occurred_at.utc;
  } else if (event.type == EventType::kRelease || event.type == EventType::kReturn) {
    after.custody_since.reset();
  }
  ++after.events;
  after.status = StatusAfter(event.type, before.status);
  after.flags = FlagsAfter(before, event);
  for (const std::string& role : alerted_roles) AddOnce(&after.alerted_roles, role);
  if (event.tvpra_screening && after.tvpra_screening != ScreeningOutcome::kScreenedIn) {
    after.tvpra_screening = event.tvpra_screening->Outcome();
  }
  if (event.procedure && event.procedure->restitution_plan_id) after.restitution_plan = true;
  const BirthBounds bounds = AgeEvidenceAfter(before, event);
  after.born_not_before = bounds.not_before;
  after.born_not_after = bounds.not_after;
  return after;
}

}  // namespace amparo

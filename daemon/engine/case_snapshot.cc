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

}  // namespace

std::vector<SubjectFlag> FlagsAfter(const CaseSnapshot& before, const Event& event) {
  std::vector<SubjectFlag> flags = before.flags;
  for (SubjectFlag flag : event.subject.flags) AddOnce(&flags, flag);
  if (event.tvpra_screening && event.tvpra_screening->credible_fear == ScreeningAnswer::kYes) {
    AddOnce(&flags, SubjectFlag::kFearOfReturn);
  }
  return flags;
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
  return after;
}

}  // namespace amparo

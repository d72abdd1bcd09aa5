// Fuzz target: RuleSet::Load must never crash on any rule file, must explain
// every refusal, and whatever loads must evaluate a few fixed events in
// bounded time (conditions are compiled, nesting is limited).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "daemon/engine/evaluator.h"
#include "daemon/engine/rule_set.h"

namespace {

// An unaccompanied child, a documented adult with flags, and a transfer.
std::vector<amparo::Event> FixedEvents() {
  using namespace amparo;  // NOLINT(google-build-using-namespace)
  Event child;
  child.event_id = "e1";
  child.occurred_at = {Instant(std::chrono::hours(494000)), -360};
  child.authority = {"US", "CBP-USBP", std::nullopt};
  child.location = {"US", "US-TX", "El Paso", Facility{"f", FacilityType::kBorderPost}};
  child.subject.id = "s1";
  child.subject.nationalities = {"HN", "GT"};
  child.subject.accompaniment = Accompaniment::kUnaccompanied;
  child.subject.age = Age{15, AgeBasis::kDeclared};
  Event adult = child;
  adult.type = EventType::kDetention;
  adult.subject.age = Age{30, AgeBasis::kDocument};
  adult.subject.flags = {SubjectFlag::kAsylumClaim};
  adult.custody.emplace();
  adult.custody->start = child.occurred_at;
  adult.custody->with_unrelated_adults = true;
  Event transfer = child;
  transfer.type = EventType::kTransfer;
  transfer.transfer =
      Transfer{TransferTarget{"ORR", TransferKind::kChildWelfare, std::nullopt, std::nullopt}};
  return {child, adult, transfer};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<amparo::Event> events = FixedEvents();
  const std::string text(reinterpret_cast<const char*>(data), size);
  amparo::Diagnostics diags;
  auto rules = amparo::RuleSet::Load({{"fuzz.yaml", text}}, {}, &diags);
  if (!rules.ok()) {
    if (diags.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  amparo::CaseSnapshot snapshot;
  snapshot.first_custody_at = events[0].occurred_at.utc;
  snapshot.alerted_roles = {"consulate"};
  for (const amparo::Event& e : events) {
    const amparo::Decisions d = amparo::Evaluate(**rules, e, snapshot);
    if (d.rules.size() > (*rules)->rules().size()) std::abort();
  }
  return 0;
}

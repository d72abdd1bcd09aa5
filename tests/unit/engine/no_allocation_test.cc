// Evaluating compiled conditions allocates nothing: counted by replacing the
// global operator new of this test binary.
#include <cstdlib>
#include <new>

#include <catch2/catch.hpp>

#include "daemon/engine/derived_facts.h"
#include "tests/unit/engine/engine_test_util.h"

namespace {
int g_allocations = 0;
}  // namespace

// The whole (non-aligned) family is replaced, so that memory from one is
// never released by another's counterpart (AddressSanitizer checks that).
void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace amparo {
namespace {

TEST_CASE("evaluating conditions does not allocate") {
  auto set = testing::LoadRules({R"yaml(rules:
  - id: r
    title: {en: T, es: T}
    legal_basis: [B]
    when: >
      event.type in ["apprehension", "detention"] && subject.minor
      && ("GT" in subject.nationalities || location.country == authority.country)
      && !("asylum_claim" in subject.flags) && "consulate" in case.alerted_roles
      && has(custody.hours) && custody.hours < 72 && subject.id != "x"
    severity: high
    notify: [consulate]
)yaml"});
  Event e = testing::ChildEvent();
  e.subject.nationalities = {"HN", "GT"};
  CaseSnapshot snapshot;
  snapshot.alerted_roles = {"child_welfare", "consulate"};
  const Condition& when = set->rules()[0].when;
  const int before = g_allocations;
  const DerivedFacts facts = ComputeDerivedFacts(e, snapshot, set->options());
  bool holds = false;
  for (int i = 0; i < 100; ++i) holds = when.Evaluate({e, facts, snapshot});
  const int allocations = g_allocations - before;
  CHECK(holds);
  CHECK(allocations == 0);
}

}  // namespace
}  // namespace amparo

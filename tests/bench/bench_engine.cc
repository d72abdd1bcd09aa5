// Benchmark of the rule engine on the sample rule set
// (tests/data/rules/sample), against a BASELINE measured in the same run: a
// hand-written C++ function that computes the same conditions directly.
//
// Three figures over ~100k events held in memory (30% unaccompanied or
// separated minors of GT/HN/SV/NI/MX, the rest adults or accompanied):
//   baseline    hand-written conditions -> a bit set of what holds
//   conditions  the compiled conditions of the rule set -> the same bit set
//   Evaluate    the full engine call, building Decisions (ids, roles, titles)
// The first two must agree on every event; the program exits 1 if not.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "daemon/engine/derived_facts.h"
#include "daemon/engine/evaluator.h"
#include "daemon/engine/rule_set.h"

namespace amparo {
namespace {

constexpr int kEvents = 100000;
constexpr int kPasses = 5;

struct Input {
  Event event;
  CaseSnapshot snapshot;
};

template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& items) {
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

bool Chance(std::mt19937& rng, double p) { return std::bernoulli_distribution(p)(rng); }

std::vector<Input> MakeInputs() {
  std::mt19937 rng(20260302);
  const std::vector<std::string> child_nations = {"GT", "HN", "SV", "NI", "MX"};
  const std::vector<std::string> adult_nations = {"GT", "HN", "SV", "NI", "MX", "VE",
                                                  "CU", "HT", "CO", "EC", "IN", "CN"};
  const std::vector<EventType> types = {EventType::kApprehension, EventType::kApprehension,
                                        EventType::kDetention,    EventType::kTransfer,
                                        EventType::kRelease,      EventType::kReturn,
                                        EventType::kCaseUpdate};
  struct Place {
    const char* country;
    const char* admin1;
    const char* agency;
  };
  const std::vector<Place> places = {{"US", "US-TX", "CBP-USBP"},
                                     {"US", "US-AZ", "CBP-OFO"},
                                     {"MX", "MX-CHP", "INM"},
                                     {"MX", "MX-TAM", "INM"},
                                     {"GT", "GT-SM", "IGM"}};
  std::vector<Input> inputs(kEvents);
  for (int i = 0; i < kEvents; ++i) {
    Input& in = inputs[i];
    Event& e = in.event;
    const Place& place = Pick(rng, places);
    const bool child = Chance(rng, 0.30);
    e.event_id = "ev-" + std::to_string(i);
    e.type = Pick(rng, types);
    e.occurred_at = {Instant(std::chrono::hours(494000 + i % 5000)), -360};
    e.authority = {place.country, place.agency, std::nullopt};
    e.location = {place.country, place.admin1, std::nullopt, std::nullopt};
    if (Chance(rng, 0.3)) {
      e.location.facility =
          Facility{"f", Pick(rng, std::vector<FacilityType>{
                                      FacilityType::kBorderPost, FacilityType::kMigrationStation,
                                      FacilityType::kAdultDetention, FacilityType::kShelter})};
    }
    e.subject.id = "s-" + std::to_string(i);
    e.subject.nationalities = {child ? Pick(rng, child_nations) : Pick(rng, adult_nations)};
    if (Chance(rng, 0.05)) e.subject.nationalities.push_back("GT");
    if (child) {
      e.subject.accompaniment =
          Chance(rng, 0.7) ? Accompaniment::kUnaccompanied : Accompaniment::kSeparated;
      e.subject.age = Age{std::uniform_int_distribution<int>(4, 17)(rng), AgeBasis::kDeclared};
    } else {
      const bool accompanied_minor = Chance(rng, 0.3);
      e.subject.accompaniment = Accompaniment::kAccompanied;
      e.subject.age = accompanied_minor
                          ? Age{std::uniform_int_distribution<int>(1, 17)(rng), AgeBasis::kDocument}
                          : Age{std::uniform_int_distribution<int>(18, 60)(rng),
                                Chance(rng, 0.5) ? AgeBasis::kDocument : AgeBasis::kDeclared};
    }
    if (Chance(rng, 0.10)) e.subject.flags.push_back(SubjectFlag::kAsylumClaim);
    if (Chance(rng, 0.05)) e.subject.flags.push_back(SubjectFlag::kTraffickingIndicators);
    if (Chance(rng, 0.05)) e.custody.emplace().with_unrelated_adults = true;
    if (e.type == EventType::kTransfer) {
      e.transfer = Transfer{TransferTarget{
          "X", Chance(rng, 0.5) ? TransferKind::kChildWelfare : TransferKind::kMigration,
          std::nullopt, std::nullopt}};
    }
    if (e.type == EventType::kReturn) {
      e.return_.emplace();
      e.return_->to_country = e.subject.nationalities[0];
    }
    if (Chance(rng, 0.5)) {
      in.snapshot.first_custody_at =
          e.occurred_at.utc - std::chrono::hours(std::uniform_int_distribution<int>(0, 100)(rng));
      in.snapshot.events = 1;
    }
  }
  return inputs;
}

bool Has(const std::vector<SubjectFlag>& flags, SubjectFlag f) {
  return std::find(flags.begin(), flags.end(), f) != flags.end();
}

// The BASELINE: the sample rule set's conditions written by hand, in the
// order of RuleSet::rules(), clocks() (start, stop) and inhibits().
uint32_t Baseline(const Event& e, const DerivedFacts& f, const CaseSnapshot& c) {
  using A = Accompaniment;
  const bool custody_event = e.type == EventType::kApprehension || e.type == EventType::kDetention;
  const bool us = e.location.country == "US";
  const bool mx = e.location.country == "MX";
  const auto facility = [&e](FacilityType t) {
    return e.location.facility && e.location.facility->type == t;
  };
  const bool to_child_welfare = e.type == EventType::kTransfer && e.transfer &&
                                e.transfer->to.kind == TransferKind::kChildWelfare;
  const A acc = e.subject.accompaniment;
  const bool conditions[] = {
      custody_event && f.minor && acc != A::kAccompanied,
      f.minor && (acc == A::kUnaccompanied || acc == A::kSeparated) &&
          (custody_event || e.type == EventType::kTransfer),
      f.minor && Has(e.subject.flags, SubjectFlag::kTraffickingIndicators),
      f.minor && ((e.custody && e.custody->with_unrelated_adults.value_or(false)) ||
                  facility(FacilityType::kAdultDetention)),
      e.type == EventType::kReturn && f.minor,
      mx && f.minor && facility(FacilityType::kMigrationStation),
      mx && custody_event && f.minor,
      us && custody_event && f.minor &&
          (acc == A::kUnaccompanied || acc == A::kSeparated || acc == A::kUnknown),
      us && f.tender_age && e.type == EventType::kApprehension,
      us && f.minor && f.custody_hours && *f.custody_hours >= 72 && e.type != EventType::kTransfer,
      mx && custody_event && f.minor,  // mx-dif-channel-24h start
      to_child_welfare,                // stop
      e.type == EventType::kApprehension && us && f.minor && acc == A::kUnaccompanied,
      to_child_welfare || e.type == EventType::kRelease || e.type == EventType::kReturn,
      Has(e.subject.flags, SubjectFlag::kAsylumClaim) ||
          Has(e.subject.flags, SubjectFlag::kFearOfReturn) ||
          Has(c.flags, SubjectFlag::kAsylumClaim),
  };
  uint32_t bits = 0;
  for (std::size_t i = 0; i < std::size(conditions); ++i) bits |= uint32_t{conditions[i]} << i;
  return bits;
}

// The same bit set from the rule set's compiled conditions.
uint32_t Engine(const RuleSet& rules, const FieldContext& ctx) {
  uint32_t bits = 0;
  int i = 0;
  for (const RuleDef& r : rules.rules()) bits |= uint32_t{r.when.Evaluate(ctx)} << i++;
  for (const ClockDef& c : rules.clocks()) {
    bits |= uint32_t{c.start.Evaluate(ctx)} << i++;
    bits |= uint32_t{c.stop.Evaluate(ctx)} << i++;
  }
  for (const InhibitDef& h : rules.inhibits()) bits |= uint32_t{h.when.Evaluate(ctx)} << i++;
  return bits;
}

std::vector<RuleSource> SampleRules() {
  std::vector<RuleSource> out;
  for (const char* name : {"00-params", "international", "mexico", "united-states"}) {
    const std::string path =
        std::string(AMPARO_SOURCE_DIR) + "/tests/data/rules/sample/" + name + ".yaml";
    std::ifstream in(path);
    out.push_back({path, std::string(std::istreambuf_iterator<char>(in), {})});
  }
  return out;
}

// Runs `body` over all inputs kPasses times; returns the best ns per event.
template <typename F>
double BestNsPerEvent(const std::vector<Input>& inputs, F body, uint64_t* checksum) {
  double best = 1e300;
  for (int pass = 0; pass < kPasses; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    for (const Input& in : inputs) *checksum += body(in);
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / static_cast<double>(inputs.size()));
  }
  return best;
}

int Run() {
  Diagnostics diags;
  auto rules = RuleSet::Load(SampleRules(), {}, &diags);
  if (!rules.ok()) {
    std::fprintf(stderr, "%s", diags.ToString().c_str());
    return 1;
  }
  const RuleSet& set = **rules;
  const std::vector<Input> inputs = MakeInputs();
  const EngineOptions options;
  int mismatches = 0;
  for (const Input& in : inputs) {
    const DerivedFacts f = ComputeDerivedFacts(in.event, in.snapshot, options);
    if (Baseline(in.event, f, in.snapshot) != Engine(set, {in.event, f, in.snapshot})) {
      ++mismatches;
    }
  }
  uint64_t checksum = 0;
  const double baseline = BestNsPerEvent(
      inputs,
      [&](const Input& in) {
        const DerivedFacts f = ComputeDerivedFacts(in.event, in.snapshot, options);
        return Baseline(in.event, f, in.snapshot);
      },
      &checksum);
  const double conditions = BestNsPerEvent(
      inputs,
      [&](const Input& in) {
        const DerivedFacts f = ComputeDerivedFacts(in.event, in.snapshot, options);
        return Engine(set, {in.event, f, in.snapshot});
      },
      &checksum);
  const double evaluate = BestNsPerEvent(
      inputs,
      [&](const Input& in) {
        const Decisions d = Evaluate(set, in.event, in.snapshot);
        return d.rules.size() + d.clocks.size() + d.inhibited.size();
      },
      &checksum);
  std::printf(
      "bench_engine: %d events, sample rule set (%zu rules, %zu clocks, %zu inhibits), "
      "best of %d passes\n",
      kEvents, set.rules().size(), set.clocks().size(), set.inhibits().size(), kPasses);
  const auto line = [](const char* what, double ns) {
    std::printf("  %-34s %9.1f ns/eval %12.0f evaluations/s\n", what, ns, 1e9 / ns);
  };
  line("BASELINE hand-written conditions", baseline);
  line("engine compiled conditions", conditions);
  line("engine Evaluate() with Decisions", evaluate);
  std::printf(
      "  conditions / baseline: %.2fx; disagreements with the baseline: %d (checksum %llu)\n",
      conditions / baseline, mismatches, static_cast<unsigned long long>(checksum));
  std::printf(
      "reproduce: cmake -S . -B build/engine-release -DCMAKE_BUILD_TYPE=Release && "
      "cmake --build build/engine-release --target bench_engine && "
      "build/engine-release/tests/bench/bench_engine\n");
  return mismatches == 0 ? 0 : 1;
}

}  // namespace
}  // namespace amparo

int main() { return amparo::Run(); }

#include "daemon/ctl/test_coverage.h"

#include <algorithm>
#include <array>
#include <span>

namespace amparo {

namespace {

std::size_t EnabledRules(const RuleSet& rules) {
  return static_cast<std::size_t>(std::count_if(rules.rules().begin(), rules.rules().end(),
                                                [](const RuleDef& r) { return r.enabled; }));
}

}  // namespace

TestCoverage::TestCoverage(const RuleSet& rules) {
  for (const RuleDef& r : rules.rules()) {
    if (r.enabled) rule_ids_.push_back(r.id);
  }
  for (const ClockDef& c : rules.clocks()) clock_ids_.push_back(c.id);
}

void TestCoverage::Mark(const std::optional<ExpectedIds>& ids, unsigned seen) {
  if (!ids) return;
  for (const std::string& id : ids->ids) seen_[id] |= seen;
}

void TestCoverage::MarkAllBut(const std::vector<std::string>& ids, const ExpectedIds& listed,
                              unsigned seen) {
  for (const std::string& id : ids) {
    if (std::find(listed.ids.begin(), listed.ids.end(), id) == listed.ids.end()) {
      seen_[id] |= seen;
    }
  }
}

void TestCoverage::Add(const RuleTest& test) {
  for (const RuleTestStep& step : test.steps) {
    const StepExpectation& e = step.expect;
    Mark(e.fired, kFires);
    Mark(e.fired_exactly, kFires);
    Mark(e.not_fired, kNotFires);
    if (e.fired_exactly) MarkAllBut(rule_ids_, *e.fired_exactly, kNotFires);
    Mark(e.clocks_started, kStarts);
    if (e.clocks_started) MarkAllBut(clock_ids_, *e.clocks_started, kNotStarts);
    Mark(e.clocks_due, kEnds);
    Mark(e.clocks_warned, kEnds);
    Mark(e.clocks_stopped, kEnds);
  }
}

std::vector<CoverageGap> TestCoverage::Gaps() const {
  struct Need {
    unsigned seen;
    const char* missing;
  };
  static constexpr std::array<Need, 2> kRuleNeeds = {{
      {kFires, "no step expects it to fire"},
      {kNotFires, "no step expects it not to fire"},
  }};
  static constexpr std::array<Need, 3> kClockNeeds = {{
      {kStarts, "no step expects it to start"},
      {kEnds, "no step expects it due, warned or stopped"},
      {kNotStarts, "no step expects it not to start"},
  }};
  std::vector<CoverageGap> gaps;
  const auto check = [this, &gaps](CoverageGap::Kind kind, const std::vector<std::string>& ids,
                                   std::span<const Need> needs) {
    for (const std::string& id : ids) {
      const auto it = seen_.find(id);
      const unsigned seen = it == seen_.end() ? 0 : it->second;
      CoverageGap gap{kind, id, {}};
      for (const Need& need : needs) {
        if ((seen & need.seen) == 0) gap.missing.emplace_back(need.missing);
      }
      if (!gap.missing.empty()) gaps.push_back(std::move(gap));
    }
  };
  check(CoverageGap::Kind::kRule, rule_ids_, kRuleNeeds);
  check(CoverageGap::Kind::kClock, clock_ids_, kClockNeeds);
  return gaps;
}

std::string CoverageReport(const RuleSet& rules, const std::vector<CoverageGap>& gaps) {
  const std::size_t rule_count = EnabledRules(rules);
  const std::size_t clock_count = rules.clocks().size();
  if (gaps.empty()) {
    return "coverage: all " + std::to_string(rule_count) + " rules and " +
           std::to_string(clock_count) + " clocks covered\n";
  }
  const auto rule_gaps =
      static_cast<std::size_t>(std::count_if(gaps.begin(), gaps.end(), [](const CoverageGap& g) {
        return g.kind == CoverageGap::Kind::kRule;
      }));
  std::string out = "coverage: " + std::to_string(rule_gaps) + " of " + std::to_string(rule_count) +
                    " rules and " + std::to_string(gaps.size() - rule_gaps) + " of " +
                    std::to_string(clock_count) + " clocks not covered\n";
  for (const CoverageGap& gap : gaps) {
    out += std::string("  ") + (gap.kind == CoverageGap::Kind::kRule ? "rule " : "clock ") +
           gap.id + ": ";
    for (std::size_t i = 0; i < gap.missing.size(); ++i) {
      out += (i > 0 ? "; " : "") + gap.missing[i];
    }
    out += "\n";
  }
  return out;
}

}  // namespace amparo

// Coverage of a rule set by its rule tests, for
// `amparoctl test --require-coverage`: has every rule and clock been tested
// both ways?
//
// A rule is covered when some step expects it to fire (listed in `fired` or
// `fired_exactly`) and some step expects it not to fire (listed in
// `not_fired`, or left out of a `fired_exactly`). A clock is covered when
// some step expects it to start (listed in `clocks_started`), some step
// expects it to end one way or another (listed in `clocks_due`,
// `clocks_warned` or `clocks_stopped`), and some step expects it not to start
// (left out of a `clocks_started`). Disabled rules are not counted: they
// cannot fire.
#ifndef AMPARO_DAEMON_CTL_TEST_COVERAGE_H_
#define AMPARO_DAEMON_CTL_TEST_COVERAGE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/ctl/rule_test_file.h"
#include "daemon/engine/rule_set.h"

namespace amparo {

// What a rule or clock lacks.
struct CoverageGap {
  enum class Kind { kRule, kClock };
  Kind kind = Kind::kRule;
  std::string id;
  std::vector<std::string> missing;  // "no step expects it to fire", ...
};

// The expectations that rule tests make of one rule set's rules and clocks.
class TestCoverage {
 public:
  explicit TestCoverage(const RuleSet& rules);

  // Counts every expectation of `test`. Call it only for tests that passed:
  // the expectations of a failing test prove nothing.
  void Add(const RuleTest& test);

  // The rules, then the clocks, that are not covered, in rule-set order.
  std::vector<CoverageGap> Gaps() const;

 private:
  enum Seen : unsigned {
    kFires = 1,
    kNotFires = 2,
    kStarts = 4,
    kEnds = 8,  // due, warned or stopped
    kNotStarts = 16,
  };
  void Mark(const std::optional<ExpectedIds>& ids, unsigned seen);
  void MarkAllBut(const std::vector<std::string>& ids, const ExpectedIds& listed, unsigned seen);

  std::vector<std::string> rule_ids_;   // enabled rules
  std::vector<std::string> clock_ids_;  // every clock
  std::map<std::string, unsigned> seen_;
};

// The coverage section of `amparoctl test --require-coverage`: with no gaps,
// one line "coverage: all N rules and M clocks covered"; else the line
// "coverage: N of R rules and M of C clocks not covered" and one line per gap,
// "  rule ID: what; what". Counts are of `rules` (enabled rules).
std::string CoverageReport(const RuleSet& rules, const std::vector<CoverageGap>& gaps);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_TEST_COVERAGE_H_

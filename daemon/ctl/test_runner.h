// The rule-test runner behind `amparoctl test`: runs rule-test files
// (rule_test_file.h) against a rule set on one simulated case each, and
// reports what differed from the expectations.
//
// The runner drives the daemon's own decisions with virtual time, so a
// passing test is a statement about what amparod does:
//  * A step first advances virtual time to its `at`. Every warning and expiry
//    due by then fires as the daemon's clock watcher fires it
//    (DueClockFirings, then DecideClockFiring on the case as it stands, at
//    the firing's instant): these are the step's clocks_warned and
//    clocks_due, the inhibitions they apply and the agencies they alert.
//  * Then the step's event, if any, is decided as the daemon's pipeline
//    decides it (Decide, at the step's virtual time): fired rules, clock
//    starts and stops (ClockTable applies them as the store does),
//    inhibitions, and the agencies its rules alert.
// A step's `recipients` are every agency alerted at that step, by its event's
// rules and by the clocks that warned or fell due (a clock alerts when it
// fires, not in the step that starts it). Each subject (subject.id) has its
// own case, advanced by Decide.
//
// A test with `params:` or `options:` runs against the rule set loaded again
// with them (RulesForTest), as amparod loads it with its config's `rules:`.
#ifndef AMPARO_DAEMON_CTL_TEST_RUNNER_H_
#define AMPARO_DAEMON_CTL_TEST_RUNNER_H_

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/core/yaml_reader.h"
#include "daemon/ctl/rule_test_file.h"
#include "daemon/engine/engine_options.h"
#include "daemon/engine/rule_set.h"
#include "daemon/routing/directory.h"

namespace amparo {

// One difference between what a step expected and what happened.
struct TestFailure {
  SourcePos pos;         // the step, or the expectation item
  std::string what;      // "step 3 (at 72h): clocks_due"
  std::string expected;  // "[us-transfer-72h]"
  std::string got;       // "[]"

  // "file:line: what\n    expected: ...\n    got:      ...\n" (no expected/got
  // lines when both are empty).
  std::string ToString() const;
};

struct RuleTestResult {
  std::string path;
  std::string name;
  std::vector<Diagnostic> errors;     // the file itself is bad
  std::vector<TestFailure> failures;  // the rules did not do what it expected
  bool passed() const { return errors.empty() && failures.empty(); }
};

// Runs one parsed test against `rules` and, when `directory` is not null,
// routes every event through it with `unrouted` as the last resort
// (REQUIRES: directory->Check(unrouted).ok()). A test that expects
// recipients without a directory, or names an agency the directory lacks,
// has errors. Pure.
RuleTestResult RunRuleTest(const RuleSet& rules, const RuleTest& test,
                           const Directory* directory = nullptr,
                           const std::string& unrouted = "duty-officer");

// The rule set `test` runs against: `rules` itself when the test sets no
// params or options; else `sources` (what `rules` was loaded from) loaded
// again with rules->options() changed by the test's params (as
// EngineOptions::param_overrides) and options. Returns nullptr after adding
// the test's mistakes to *errors: a parameter no rule file defines (at its
// name, with a "did you mean" hint), a value not of the parameter's kind (at
// the value), tender_age_below above minor_age, and values the rules do not
// load with (at the test's first override, with the rule loader's message).
// Pure.
std::shared_ptr<const RuleSet> RulesForTest(const std::vector<RuleSource>& sources,
                                            std::shared_ptr<const RuleSet> rules,
                                            const RuleTest& test, std::vector<Diagnostic>* errors);

struct TestCommandOptions {
  std::string rules_dir = "rules";
  std::string tests_dir = "rules/tests";
  EngineOptions engine;
  std::string directory_dir;              // empty: no routing
  std::string unrouted = "duty-officer";  // the last-resort agency id
  bool require_coverage = false;          // report coverage; a gap fails (test_coverage.h)
};

// `amparoctl test`: loads the rules, runs TESTS_DIR/*.yaml, prints PASS/FAIL
// per file with every failure, and the closing line "N passed, M failed".
// With a directory, loads it too (its mistakes fail every test file). With
// require_coverage, then prints the coverage section (CoverageReport) of the
// files that passed.
// Returns the exit code: 0 when all passed (and, with require_coverage,
// every rule and clock is covered), 1 otherwise.
int RunTestCommand(const TestCommandOptions& options, std::ostream& out);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_TEST_RUNNER_H_

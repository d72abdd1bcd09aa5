// The rule-test runner behind `amparoctl test`: runs rule-test files
// (rule_test_file.h) against a rule set on one simulated case each, and
// reports what differed from the expectations.
//
// Each test file is one case. Its CaseSnapshot starts empty and is updated by
// every event: first_custody_at on the first apprehension or detention,
// events, flags seen, and alerted_roles (the roles of the fired rules, after
// inhibition). Its legal clocks live in a ClockTable. A step first advances
// virtual time to its `at` (warnings and expiries in (previous at, at] are
// the step's clocks_warned and clocks_due), then applies its event, if any.
#ifndef AMPARO_DAEMON_CTL_TEST_RUNNER_H_
#define AMPARO_DAEMON_CTL_TEST_RUNNER_H_

#include <ostream>
#include <string>
#include <vector>

#include "daemon/core/yaml_reader.h"
#include "daemon/ctl/rule_test_file.h"
#include "daemon/engine/engine_options.h"
#include "daemon/engine/rule_set.h"

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

// Runs one parsed test against `rules`. Pure.
RuleTestResult RunRuleTest(const RuleSet& rules, const RuleTest& test);

struct TestCommandOptions {
  std::string rules_dir = "rules";
  std::string tests_dir = "rules/tests";
  EngineOptions engine;
};

// `amparoctl test`: loads the rules, runs TESTS_DIR/*.yaml, prints PASS/FAIL
// per file with every failure, and the closing line "N passed, M failed".
// Returns the exit code: 0 when all passed, 1 on any failure or load error.
int RunTestCommand(const TestCommandOptions& options, std::ostream& out);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_TEST_RUNNER_H_

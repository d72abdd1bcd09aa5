// The rule-test file format of `amparoctl test` (rules/tests/README.md): a
// simulated case, as a sequence of steps at relative times, each with an
// optional event and the decisions expected of it.
#ifndef AMPARO_DAEMON_CTL_RULE_TEST_FILE_H_
#define AMPARO_DAEMON_CTL_RULE_TEST_FILE_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/yaml_reader.h"
#include "daemon/event/event.h"

namespace amparo {

// A list of ids in an expectation, with where each was written.
struct ExpectedIds {
  std::vector<std::string> ids;
  std::vector<SourcePos> positions;
};

// An expected inhibition: `role` withheld from rule or clock `rule`.
struct ExpectedInhibition {
  std::string rule;
  std::string role;
  SourcePos pos;
};

// The `expect:` of one step. An absent list is not checked.
struct StepExpectation {
  std::optional<ExpectedIds> fired;          // each fires; others may too
  std::optional<ExpectedIds> not_fired;      // none fires
  std::optional<ExpectedIds> fired_exactly;  // exactly these fire
  // Exactly these clocks (by id) start, stop, warn, fall due in the step.
  std::optional<ExpectedIds> clocks_started;
  std::optional<ExpectedIds> clocks_stopped;
  std::optional<ExpectedIds> clocks_warned;
  std::optional<ExpectedIds> clocks_due;
  std::optional<std::vector<ExpectedInhibition>> inhibited;      // each is recorded
  std::optional<std::vector<ExpectedInhibition>> not_inhibited;  // none is recorded
  // Agencies (by directory id) that receive, or do not receive, an alert of a
  // rule fired by the step's event. Need a directory.
  std::optional<ExpectedIds> recipients;      // each receives one
  std::optional<ExpectedIds> not_recipients;  // none receives one
};

struct RuleTestStep {
  SourcePos pos;  // of the step
  Duration at{0};
  std::string at_text;                  // as written, e.g. "71h59m"
  std::optional<nlohmann::json> event;  // the patch merged onto `base`
  StepExpectation expect;
};

// A `params:` entry: the value of a rule-file parameter for this test, as
// written ("20d", "24"). Whether the parameter exists and the value has its
// kind is checked against the rule set (test_runner.h RulesForTest).
struct ParamOverride {
  std::string name;
  std::string value;
  SourcePos name_pos;
  SourcePos value_pos;
};

// An `options:` entry: an engine option (engine_options.h) for this test,
// within the range amparod.yaml's `rules:` accepts for it.
struct OptionOverride {
  std::string name;  // minor_age, doubtful_margin_years or tender_age_below
  int value = 0;
  SourcePos pos;  // of the value
};

struct RuleTest {
  std::string path;
  std::string name;
  Timestamp start;
  nlohmann::json base = nlohmann::json::object();
  std::vector<ParamOverride> params;    // `params:`, in file order
  std::vector<OptionOverride> options;  // `options:`, in file order
  std::vector<RuleTestStep> steps;

  // True when the test runs against a rule set reloaded with its own
  // params or options.
  bool has_overrides() const { return !params.empty() || !options.empty(); }
};

// Parses one rule-test file. Adds every mistake to *diags and returns
// InvalidArgument, or the test.
Result<RuleTest> ParseRuleTest(const std::string& path, const std::string& text,
                               Diagnostics* diags);

// Converts YAML to JSON: plain scalars true/false, null/~ and integers become
// JSON booleans, null and numbers; quoted scalars and everything else, strings.
nlohmann::json YamlToJson(const YAML::Node& node);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_RULE_TEST_FILE_H_

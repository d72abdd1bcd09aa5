#include "daemon/ctl/test_runner.h"

#include <sstream>

#include <catch2/catch.hpp>

#include "daemon/ctl/rule_files.h"
#include "tests/unit/ctl/ctl_test_util.h"

namespace amparo {
namespace {

using testing::CtlData;
using testing::Relative;
using testing::RulesData;

TestCommandOptions Options(const std::string& rules_dir, const std::string& tests_dir,
                           const std::string& directory_dir = "") {
  TestCommandOptions options;
  options.rules_dir = rules_dir;
  options.tests_dir = tests_dir;
  options.directory_dir = directory_dir;
  return options;
}

// `amparoctl test --rules sample --directory tests/data/ctl/directory TESTS`.
std::string RunRoutedTests(const std::string& tests, int* code,
                           const std::string& directory = CtlData("directory")) {
  std::ostringstream out;
  *code = RunTestCommand(Options(RulesData("sample"), CtlData(tests), directory), out);
  return Relative(out.str());
}

// `amparoctl test --rules sample tests/data/ctl/TESTS`.
std::string RunSampleTests(const std::string& tests, int* code) {
  std::ostringstream out;
  *code = RunTestCommand(Options(RulesData("sample"), CtlData(tests)), out);
  return Relative(out.str());
}

std::string RunTests(const std::string& rules, const std::string& tests, int* code) {
  std::ostringstream out;
  *code = RunTestCommand(Options(RulesData(rules), RulesData(tests)), out);
  return Relative(out.str());
}

TEST_CASE("test: the sample rule tests pass") {
  int code = -1;
  const std::string out = RunTests("sample", "sample-tests", &code);
  CHECK(code == 0);
  CHECK(out ==
        "PASS tests/data/rules/sample-tests/asylum-inhibits-consulate.yaml: A child who claims "
        "asylum is never reported to the consulate\n"
        "PASS tests/data/rules/sample-tests/documented-adult.yaml: A documented adult triggers "
        "nothing; a birth date decides at the local date\n"
        "PASS tests/data/rules/sample-tests/us-transfer-72h.yaml: US 72-hour transfer clock fires "
        "at 72h and not before\n"
        "PASS tests/data/rules/sample-tests/us-transfer-stops-clock.yaml: A transfer to ORR stops "
        "the 72-hour clock; nothing falls due after\n"
        "4 passed, 0 failed\n");
}

TEST_CASE("test: failures print a diff with the step's file:line") {
  int code = -1;
  const std::string out = RunTests("sample", "failing-tests", &code);
  CHECK(code == 1);
  const std::string d = "tests/data/rules/failing-tests/";
  CHECK(
      out ==
      "FAIL " + d +
          "bad-file.yaml\n"
          "  " +
          d +
          "bad-file.yaml:2:8: start: has no UTC offset (Z or +hh:mm)\n"
          "  " +
          d +
          "bad-file.yaml:4:9: steps[0].at: \"1x\" has unknown unit \"x\"; units are ms, "
          "s, m, h, d\n"
          "  " +
          d +
          "bad-file.yaml:5:50: steps[0].expect.colour: unknown key (hint: known keys "
          "here: clocks_due, clocks_started, clocks_stopped, clocks_warned, fired, "
          "fired_exactly, inhibited, not_fired, not_inhibited, not_recipients, "
          "recipients)\n"
          "FAIL " +
          d +
          "invalid-event.yaml: An event that is not a valid event\n"
          "  " +
          d +
          "invalid-event.yaml:10:5: step 1 (at 0h): invalid event: location.admin1: "
          "\"MX-CHP\" is not a subdivision of location.country \"US\"\n"
          "FAIL " +
          d +
          "unknown-names.yaml: Expectations naming rules, clocks and roles that do "
          "not exist\n"
          "  " +
          d +
          "unknown-names.yaml:6:15: unknown rule \"us-orr-referal-48h\" (hint: did you "
          "mean us-orr-referral-48h?)\n"
          "  " +
          d +
          "unknown-names.yaml:7:20: unknown clock \"us-transfer-27h\" (hint: did you "
          "mean us-transfer-72h?)\n"
          "  " +
          d +
          "unknown-names.yaml:8:19: unknown role \"consul\"\n"
          "FAIL " +
          d +
          "wrong-expectations.yaml: Expectations that the sample rules do not meet\n"
          "  " +
          d +
          "wrong-expectations.yaml:10: step 1 (at 0h): fired\n"
          "    expected: all of [mx-no-child-in-station]\n"
          "    got:      [unaccompanied-child-in-custody, us-orr-referral-48h, vccr-37b-guardian]\n"
          "  " +
          d +
          "wrong-expectations.yaml:10: step 1 (at 0h): clocks_started\n"
          "    expected: []\n"
          "    got:      [us-transfer-72h]\n"
          "  " +
          d +
          "wrong-expectations.yaml:10: step 1 (at 0h): inhibited\n"
          "    expected: all of [vccr-37b-guardian: consulate]\n"
          "    got:      []\n"
          "  " +
          d +
          "wrong-expectations.yaml:16: step 2 (at 71h): clocks_due\n"
          "    expected: [us-transfer-72h]\n"
          "    got:      []\n"
          "0 passed, 4 failed\n");
}

TEST_CASE("test: rules that do not load fail every test file") {
  int code = -1;
  const std::string out = RunTests("broken", "sample-tests", &code);
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.find("the rules do not load; no test ran\n0 passed, 4 failed\n") != std::string::npos);
}

TEST_CASE("RunRuleTest returns structured failures") {
  Diagnostics diags;
  auto rules = RuleSet::Load(*ReadRuleFiles(RulesData("sample")), {}, &diags);
  REQUIRE(rules.ok());
  const std::string path = RulesData("failing-tests/wrong-expectations.yaml");
  auto test = ParseRuleTest(path, *ReadTextFile(path), &diags);
  REQUIRE(test.ok());
  const RuleTestResult result = RunRuleTest(**rules, *test);
  CHECK_FALSE(result.passed());
  CHECK(result.errors.empty());
  REQUIRE(result.failures.size() == 4);
  CHECK(result.failures[3].pos.line == 16);
  CHECK(result.failures[3].what == "step 2 (at 71h): clocks_due");
  CHECK(result.failures[3].expected == "[us-transfer-72h]");
  CHECK(result.failures[3].got == "[]");
}

TEST_CASE("test --directory: recipient expectations pass") {
  int code = -1;
  const std::string out = RunRoutedTests("tests-pass", &code);
  CHECK(out ==
        "PASS tests/data/ctl/tests-pass/tapachula-recipients.yaml: A Guatemalan girl in "
        "Tapachula reaches her consulate and DIF Chiapas; once she claims asylum, never the "
        "consulate\n"
        "1 passed, 0 failed\n");
  CHECK(code == 0);
}

TEST_CASE("test --directory: clock firings are decided as the daemon decides them") {
  // Warnings and expiries alert the clock's roles, with the inhibits judged
  // on the case when the clock fires (a claim made since withholds the
  // consulate): what amparod's clock watcher does (routing/decide.h).
  std::ostringstream out;
  const int code = RunTestCommand(
      Options(CtlData("clock-firing-rules"), CtlData("clock-firing-tests"), CtlData("directory")),
      out);
  INFO(out.str());
  CHECK(code == 0);
  CHECK(out.str().find("1 passed, 0 failed\n") != std::string::npos);
}

TEST_CASE("test --directory: recipient failures print a diff, unknown agencies a hint") {
  int code = -1;
  const std::string out = RunRoutedTests("tests-fail", &code);
  CHECK(code == 1);
  const std::string d = "tests/data/ctl/tests-fail/";
  CHECK(out ==
        "FAIL " + d +
            "unknown-agency.yaml: A recipient expectation naming an agency the directory lacks\n"
            "  " +
            d +
            "unknown-agency.yaml:13:20: unknown agency \"gt-consulate-tapachla\" (hint: did you "
            "mean gt-consulate-tapachula?)\n"
            "  " +
            d +
            "unknown-agency.yaml:14:24: unknown agency \"unhcr-mexico\" (hint: agency ids are "
            "the ids of the agencies in the --directory files)\n"
            "FAIL " +
            d +
            "wrong-recipients.yaml: Recipient expectations that the sample rules and the test "
            "directory do not meet\n"
            "  " +
            d +
            "wrong-recipients.yaml:10: step 1 (at 0h): recipients\n"
            "    expected: all of [gt-consulate-tapachula, mx-dif-chiapas]\n"
            "    got:      [mx-dif-chiapas]\n"
            "  " +
            d +
            "wrong-recipients.yaml:10: step 1 (at 0h): not_recipients\n"
            "    expected: none of [mx-dif-chiapas]\n"
            "    got:      [mx-dif-chiapas]\n"
            "0 passed, 2 failed\n");
}

TEST_CASE("test: recipient expectations without --directory are a test error") {
  std::ostringstream s;
  const int code = RunTestCommand(Options(RulesData("sample"), CtlData("tests-pass")), s);
  CHECK(code == 1);
  CHECK(Relative(s.str()) ==
        "FAIL tests/data/ctl/tests-pass/tapachula-recipients.yaml: A Guatemalan girl in "
        "Tapachula reaches her consulate and DIF Chiapas; once she claims asylum, never the "
        "consulate\n"
        "  tests/data/ctl/tests-pass/tapachula-recipients.yaml:13:20: recipients need "
        "--directory (hint: run amparoctl test --directory config/directory ...)\n"
        "0 passed, 1 failed\n");
}

TEST_CASE("test --directory: a directory that does not load runs no test") {
  int code = -1;
  const std::string out =
      RunRoutedTests("tests-pass", &code, std::string(AMPARO_SOURCE_DIR) + "/tests/data/nowhere");
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.rfind("tests/data/nowhere:1:1: directory: ", 0) == 0);
  CHECK(out.find("the directory does not load; no test ran\n0 passed, 1 failed\n") !=
        std::string::npos);
}

TEST_CASE("test --directory: the sample tests still pass with routing") {
  std::ostringstream s;
  CHECK(RunTestCommand(
            Options(RulesData("sample"), RulesData("sample-tests"), CtlData("directory")), s) == 0);
}

TEST_CASE("test: params and options reload the rules for that test only") {
  int code = -1;
  const std::string out = RunSampleTests("tests-overrides", &code);
  CHECK(out ==
        "PASS tests/data/ctl/tests-overrides/a-holding-limit-24h.yaml: With cbp_holding_hours 24 "
        "and tender_age_below 16, a boy of 15 is of tender age and over the limit at 24h\n"
        "PASS tests/data/ctl/tests-overrides/b-defaults.yaml: Without overrides the next file "
        "runs on the defaults again\n"
        "2 passed, 0 failed\n");
  CHECK(code == 0);
}

TEST_CASE("test: unknown params and options, and values of the wrong kind, are test errors") {
  int code = -1;
  const std::string out = RunSampleTests("tests-overrides-bad", &code);
  CHECK(code == 1);
  const std::string d = "tests/data/ctl/tests-overrides-bad/";
  CHECK(out ==
        "FAIL " + d +
            "bad-params.yaml: Parameters that do not exist or have a value of the wrong kind\n"
            "  " +
            d +
            "bad-params.yaml:4:3: params.cbp_holding_hour: no rule file defines this parameter "
            "(hint: did you mean cbp_holding_hours?)\n"
            "  " +
            d +
            "bad-params.yaml:5:31: params.immediate_notification_sla: must be a duration such "
            "as \"20d\", got \"24\"\n"
            "  " +
            d +
            "bad-params.yaml:6:22: params.cbp_holding_hours: must be an integer, got \"2d\"\n"
            "  " +
            d +
            "bad-params.yaml:7:30: params.consular_notification_sla: \"1x\" has unknown unit "
            "\"x\"; units are ms, s, m, h, d\n"
            "FAIL " +
            d +
            "bad-syntax.yaml\n"
            "  " +
            d +
            "bad-syntax.yaml:3:29: params.cbp_holding_hours: must be a duration such as \"20d\" "
            "or an integer\n"
            "  " +
            d +
            "bad-syntax.yaml:5:3: options.minor_agee: unknown option (hint: did you mean "
            "minor_age?)\n"
            "  " +
            d +
            "bad-syntax.yaml:6:21: options.tender_age_below: must be an integer\n"
            "  " +
            d +
            "bad-syntax.yaml:7:26: options.doubtful_margin_years: must be between 0 and 5, got "
            "9\n"
            "  " +
            d +
            "bad-syntax.yaml:8:3: options.colour: unknown option (hint: the options are "
            "minor_age, doubtful_margin_years, tender_age_below)\n"
            "FAIL " +
            d +
            "tender-above-minor.yaml: A tender age above the age of majority\n"
            "  " +
            d +
            "tender-above-minor.yaml:3:44: options.tender_age_below: must not exceed minor_age "
            "(16), got 17\n"
            "FAIL " +
            d +
            "zero-sla.yaml: A value of the right kind that the rules refuse\n"
            "  " +
            d +
            "zero-sla.yaml:3:10: with this test's params and options the rules do not load: "
            "tests/data/rules/sample/international.yaml:22:17: rules[1].ack_within: must be "
            "longer than 0s\n"
            "0 passed, 4 failed\n");
}

TEST_CASE("RulesForTest returns the same rule set when a test overrides nothing") {
  Result<std::vector<RuleSource>> sources = ReadRuleFiles(RulesData("sample"));
  REQUIRE(sources.ok());
  Diagnostics diags;
  auto rules = RuleSet::Load(*sources, {}, &diags);
  REQUIRE(rules.ok());
  RuleTest test;
  std::vector<Diagnostic> errors;
  CHECK(RulesForTest(*sources, *rules, test, &errors) == *rules);
  test.options.push_back({"tender_age_below", 16, {}});
  test.params.push_back({"cbp_holding_hours", "24", {}, {}});
  const std::shared_ptr<const RuleSet> reloaded = RulesForTest(*sources, *rules, test, &errors);
  CHECK(errors.empty());
  REQUIRE(reloaded);
  CHECK(reloaded != *rules);
  CHECK(reloaded->options().tender_age_below == 16);
  CHECK(FindParam(reloaded->params(), "cbp_holding_hours")->number == 24);
  CHECK(FindParam((*rules)->params(), "cbp_holding_hours")->number == 72);
}

TEST_CASE("YamlToJson keeps quoted scalars as strings") {
  const YAML::Node node = YAML::Load("{a: 15, b: \"15\", c: true, d: 'true', e: ~, f: [GT], g: x}");
  CHECK(YamlToJson(node).dump() ==
        R"({"a":15,"b":"15","c":true,"d":"true","e":null,"f":["GT"],"g":"x"})");
}

}  // namespace
}  // namespace amparo

namespace amparo {
namespace {

// Issue 12: a test file without steps aborted amparoctl with an uncaught
// exception, and a key written twice was read silently (the first won).
TEST_CASE("test: a file without steps and a file with a repeated key fail with file:line:col") {
  int code = -1;
  const std::string out = RunSampleTests("tests-malformed", &code);
  CHECK(code == 1);
  const std::string d = "tests/data/ctl/tests-malformed/";
  CHECK(out == "FAIL " + d + "a-no-steps.yaml\n" +                           //
                   "  " + d + "a-no-steps.yaml:1:1: steps: is required\n" +  //
                   "FAIL " + d + "b-duplicate-keys.yaml\n" +                 //
                   "  " + d + "b-duplicate-keys.yaml:6:3: base.type: duplicate key\n" +
                   "0 passed, 2 failed\n");
}

}  // namespace
}  // namespace amparo

#include "daemon/ctl/test_coverage.h"

#include <sstream>

#include <catch2/catch.hpp>

#include "daemon/ctl/rule_files.h"
#include "daemon/ctl/test_runner.h"
#include "tests/unit/ctl/ctl_test_util.h"

namespace amparo {
namespace {

using testing::CtlData;
using testing::Relative;
using testing::RulesData;

// tests/data/ctl/coverage-rules: child-in-custody, the disabled retired-rule,
// and the clock transfer-72h.
std::shared_ptr<const RuleSet> Rules() {
  Diagnostics diags;
  auto rules = LoadRuleFolder(CtlData("coverage-rules"), EngineOptions{}, &diags);
  INFO(diags.ToString());
  REQUIRE(rules.ok());
  return *rules;
}

// A test whose steps have the expectations `expects` (YAML flow mappings).
RuleTest Test(const std::vector<std::string>& expects) {
  std::string text = "name: t\nstart: 2026-03-02T10:00:00-06:00\nsteps:\n";
  for (const std::string& e : expects) text += "  - at: 0h\n    expect: " + e + "\n";
  Diagnostics diags;
  auto test = ParseRuleTest("t.yaml", text, &diags);
  INFO(diags.ToString());
  REQUIRE(test.ok());
  return *test;
}

TEST_CASE("coverage: nothing expected, everything missing, disabled rules not counted") {
  const auto rules = Rules();
  TestCoverage coverage(*rules);
  coverage.Add(Test({"{}"}));
  const std::vector<CoverageGap> gaps = coverage.Gaps();
  REQUIRE(gaps.size() == 2);
  CHECK(gaps[0].kind == CoverageGap::Kind::kRule);
  CHECK(gaps[0].id == "child-in-custody");
  CHECK(gaps[1].kind == CoverageGap::Kind::kClock);
  CHECK(CoverageReport(*rules, gaps) ==
        "coverage: 1 of 1 rules and 1 of 1 clocks not covered\n"
        "  rule child-in-custody: no step expects it to fire; no step expects it not to fire\n"
        "  clock transfer-72h: no step expects it to start; no step expects it due, warned or "
        "stopped; no step expects it not to start\n");
}

TEST_CASE("coverage: fired and not_fired, started, due and an empty clocks_started cover all") {
  const auto rules = Rules();
  TestCoverage coverage(*rules);
  coverage.Add(Test({"{fired: [child-in-custody], clocks_started: [transfer-72h]}",
                     "{not_fired: [child-in-custody], clocks_started: []}",
                     "{clocks_due: [transfer-72h]}"}));
  CHECK(coverage.Gaps().empty());
  CHECK(CoverageReport(*rules, coverage.Gaps()) == "coverage: all 1 rules and 1 clocks covered\n");
}

TEST_CASE("coverage: fired_exactly covers both ways, warned and stopped count as an end") {
  const auto rules = Rules();
  SECTION("fired_exactly lists it, and an empty fired_exactly leaves it out") {
    TestCoverage coverage(*rules);
    coverage.Add(Test({"{fired_exactly: [child-in-custody]}", "{fired_exactly: []}"}));
    const std::vector<CoverageGap> gaps = coverage.Gaps();
    REQUIRE(gaps.size() == 1);
    CHECK(gaps[0].id == "transfer-72h");
  }
  SECTION("one fired_exactly alone covers only firing") {
    TestCoverage coverage(*rules);
    coverage.Add(Test({"{fired_exactly: [child-in-custody]}"}));
    REQUIRE(coverage.Gaps().size() == 2);
    CHECK(coverage.Gaps()[0].missing == std::vector<std::string>{"no step expects it not to fire"});
  }
  for (const char* end : {"clocks_warned", "clocks_stopped", "clocks_due"}) {
    TestCoverage coverage(*rules);
    coverage.Add(Test({"{clocks_started: [transfer-72h]}", "{clocks_started: []}",
                       std::string("{") + end + ": [transfer-72h]}"}));
    const std::vector<CoverageGap> gaps = coverage.Gaps();
    REQUIRE(gaps.size() == 1);
    CHECK(gaps[0].id == "child-in-custody");
  }
}

TEST_CASE("coverage: a clocks_started that lists the clock is not a 'does not start'") {
  const auto rules = Rules();
  TestCoverage coverage(*rules);
  coverage.Add(Test({"{clocks_started: [transfer-72h], clocks_due: [transfer-72h]}"}));
  const std::vector<CoverageGap> gaps = coverage.Gaps();
  REQUIRE(gaps.size() == 2);
  CHECK(gaps[1].missing == std::vector<std::string>{"no step expects it not to start"});
}

TestCommandOptions Options(const std::string& tests_dir) {
  TestCommandOptions options;
  options.rules_dir = RulesData("sample");
  options.tests_dir = tests_dir;
  options.require_coverage = true;
  return options;
}

TEST_CASE("test --require-coverage: the sample tests leave gaps, and that fails") {
  std::ostringstream out;
  CHECK(RunTestCommand(Options(RulesData("sample-tests")), out) == 1);
  const std::string text = Relative(out.str());
  INFO(text);
  // Each sample test passes, but none makes these rules fire.
  CHECK(text.substr(text.find("4 passed")) ==
        "4 passed, 0 failed\n"
        "coverage: 3 of 10 rules and 0 of 2 clocks not covered\n"
        "  rule trafficking-indicators: no step expects it to fire\n"
        "  rule child-with-unrelated-adults: no step expects it to fire\n"
        "  rule child-return: no step expects it to fire\n");
}

TEST_CASE("test --require-coverage: expectations of failing files do not count") {
  std::ostringstream out;
  CHECK(RunTestCommand(Options(RulesData("failing-tests")), out) == 1);
  const std::string text = Relative(out.str());
  // wrong-expectations.yaml expects mx-no-child-in-station to fire and
  // us-transfer-72h to fall due, but fails.
  CHECK(text.find("0 passed, 4 failed\ncoverage: 10 of 10 rules and 2 of 2 clocks not covered\n") !=
        std::string::npos);
}

TEST_CASE("test --require-coverage: a fully covered rule set passes with one summary line") {
  std::ostringstream out;
  TestCommandOptions options = Options(CtlData("coverage-tests"));
  options.rules_dir = CtlData("coverage-rules");
  CHECK(RunTestCommand(options, out) == 0);
  CHECK(Relative(out.str()) ==
        "PASS tests/data/ctl/coverage-tests/both-ways.yaml: Every rule and clock, both ways\n"
        "1 passed, 0 failed\n"
        "coverage: all 1 rules and 1 clocks covered\n");
}

TEST_CASE("test without --require-coverage prints no coverage") {
  std::ostringstream out;
  TestCommandOptions options = Options(RulesData("sample-tests"));
  options.require_coverage = false;
  CHECK(RunTestCommand(options, out) == 0);
  CHECK(out.str().find("coverage") == std::string::npos);
}

}  // namespace
}  // namespace amparo

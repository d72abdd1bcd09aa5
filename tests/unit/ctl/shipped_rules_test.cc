// The house conventions of the shipped rule set (rules/README.md,
// "Conventions"), checked on the rules themselves so that a new rule cannot
// quietly break them. What the rules DO is proven by rules/tests/.
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "daemon/ctl/rule_files.h"
#include "tests/unit/ctl/ctl_test_util.h"

namespace amparo {
namespace {

using testing::SourceFile;

std::shared_ptr<const RuleSet> ShippedRules() {
  Diagnostics diags;
  auto rules = LoadRuleFolder(SourceFile("rules"), EngineOptions{}, &diags);
  INFO(diags.ToString());
  REQUIRE(rules.ok());
  return *rules;
}

bool Mentions(const Condition& c, const std::string& text) {
  return c.text().find(text) != std::string::npos;
}

bool IsCanadian(const SourcePos& pos, const Condition& c) {
  return pos.file.ends_with("ca.yaml") || Mentions(c, "location.country == \"CA\"");
}

TEST_CASE("shipped rules: a child is subject.minor, never an age comparison") {
  const auto rules = ShippedRules();
  for (const RuleDef& r : rules->rules()) {
    INFO(r.id << ": " << r.when.text());
    CHECK_FALSE(Mentions(r.when, "age_years"));
    CHECK_FALSE(Mentions(r.when, "age.years"));
    // Every rule is about a child, or a tender-age child (a subset).
    CHECK((Mentions(r.when, "subject.minor") || Mentions(r.when, "subject.tender_age")));
  }
  for (const ClockDef& c : rules->clocks()) {
    INFO(c.id << ": " << c.start.text());
    CHECK_FALSE(Mentions(c.start, "age_years"));
    CHECK_FALSE(Mentions(c.start, "age.years"));
    CHECK(Mentions(c.start, "subject.minor"));
  }
}

TEST_CASE("shipped rules: Canadian rules and clocks have a French title") {
  const auto rules = ShippedRules();
  int canadian = 0;
  for (const RuleDef& r : rules->rules()) {
    if (!IsCanadian(r.pos, r.when)) continue;
    ++canadian;
    INFO(r.id);
    CHECK(r.title.count("fr") == 1);
  }
  for (const ClockDef& c : rules->clocks()) {
    if (!IsCanadian(c.pos, c.start)) continue;
    ++canadian;
    INFO(c.id);
    CHECK(c.title.count("fr") == 1);
  }
  // ca-1, ca-2, ca-3 (48 h, 7 d, 30 d even and odd): a renamed file must not skip the check.
  CHECK(canadian == 6);
}

TEST_CASE("shipped rules: every rule states its evidence and cites a DOMAIN-graded source") {
  const auto rules = ShippedRules();
  for (const RuleDef& r : rules->rules()) {
    INFO(r.id << ": " << r.evidence);
    CHECK_FALSE(r.legal_basis.empty());
    const bool graded = r.evidence.find("[V]") != std::string::npos ||
                        r.evidence.find("[S]") != std::string::npos ||
                        r.evidence.find("[U]") != std::string::npos;
    CHECK(graded);
  }
}

TEST_CASE("shipped rules: the state a child fears is told nothing, by any rule") {
  const auto rules = ShippedRules();
  bool found = false;
  for (const InhibitDef& inhibit : rules->inhibits()) {
    if (inhibit.id != "int-3-withhold-consulate-asylum-or-fear") continue;
    found = true;
    CHECK(inhibit.rules.empty());  // applies to every rule and clock
    CHECK(inhibit.recipients == std::vector<std::string>{"consulate", "receiving_consulate",
                                                         "receiving_child_welfare",
                                                         "receiving_anti_trafficking"});
    // Every role that names an organ of the child's state or of the country
    // of return, in any rule or clock, is one the inhibit withholds.
    auto withheld = [&](const std::string& role) {
      return std::find(inhibit.recipients.begin(), inhibit.recipients.end(), role) !=
             inhibit.recipients.end();
    };
    for (const RuleDef& r : rules->rules()) {
      for (const std::string& role : r.notify) {
        INFO(r.id << " notifies " << role);
        if (role == "consulate" || role.starts_with("receiving_")) CHECK(withheld(role));
      }
    }
    for (const ClockDef& c : rules->clocks()) {
      for (const std::string& role : c.notify) {
        INFO(c.id << " notifies " << role);
        if (role == "consulate" || role.starts_with("receiving_")) CHECK(withheld(role));
      }
    }
    CHECK(Mentions(inhibit.when, "case.flags"));  // an earlier claim keeps protecting
    CHECK(Mentions(inhibit.when, "tvpra_screening.credible_fear"));  // a finding of fear too
  }
  CHECK(found);
}

TEST_CASE("shipped rules: every parameter says why it has its value") {
  const auto rules = ShippedRules();
  for (const ParamDef& p : rules->params()) {
    INFO(p.name << ": " << p.description);
    const bool explained = p.description.find("olicy choice") != std::string::npos ||
                           p.description.find("[S]") != std::string::npos;
    CHECK(explained);
  }
}

}  // namespace
}  // namespace amparo

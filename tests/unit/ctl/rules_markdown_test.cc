#include "daemon/ctl/rules_markdown.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daemon/ctl/rule_files.h"
#include "daemon/engine/schema.h"
#include "tests/unit/ctl/ctl_test_util.h"

namespace amparo {
namespace {

using testing::RulesData;

std::shared_ptr<const RuleSet> LoadDir(const std::string& dir) {
  Result<std::vector<RuleSource>> sources = ReadRuleFiles(dir);
  REQUIRE(sources.ok());
  Diagnostics diags;
  auto rules = RuleSet::Load(*sources, EngineOptions{}, &diags);
  INFO(diags.ToString());
  REQUIRE(rules.ok());
  return *rules;
}

std::shared_ptr<const RuleSet> LoadText(const std::string& path, const std::string& text) {
  Diagnostics diags;
  auto rules = RuleSet::Load({{path, text}}, EngineOptions{}, &diags);
  INFO(diags.ToString());
  REQUIRE(rules.ok());
  return *rules;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The index of the row whose id cell is `id`, or -1.
int RowOf(const std::vector<std::string>& lines, const std::string& id) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("| `" + id + "` |") != std::string::npos) return static_cast<int>(i);
  }
  return -1;
}

TEST_CASE("rules markdown: one table, rules then clocks then inhibits, by file then id") {
  const std::vector<std::string> lines = Lines(RulesMarkdown(*LoadDir(RulesData("sample"))));
  REQUIRE(lines.size() >= 2);
  CHECK(lines[0] ==
        "| kind | file | id | obligation | legal basis | severity | deadline | notify | "
        "inhibited by |");
  CHECK(lines[1] == "|---|---|---|---|---|---|---|---|---|");
  // The sample: 10 rules, 2 clocks, 1 inhibit.
  CHECK(lines.size() == 2 + 10 + 2 + 1);

  // international.yaml < mexico.yaml < united-states.yaml; ids sorted inside a file.
  const std::vector<std::string> order = {
      "child-return",           "child-with-unrelated-adults",
      "trafficking-indicators", "unaccompanied-child-in-custody",
      "vccr-37b-guardian",      "mx-no-child-in-station",
      "mx-ppnna-notification",  "us-holding-over-limit",
      "us-orr-referral-48h",    "us-tender-age",
      "mx-dif-channel-24h",     "us-transfer-72h",
      "no-consul-when-fleeing"};
  for (std::size_t i = 0; i < order.size(); ++i) {
    INFO(order[i]);
    CHECK(RowOf(lines, order[i]) == static_cast<int>(i + 2));
  }
}

TEST_CASE("rules markdown: a rule row shows its ack deadline, roles and inhibitions") {
  const std::vector<std::string> lines = Lines(RulesMarkdown(*LoadDir(RulesData("sample"))));
  const int vccr = RowOf(lines, "vccr-37b-guardian");
  REQUIRE(vccr >= 0);
  CHECK(lines[vccr] ==
        "| rule | international.yaml | `vccr-37b-guardian` | Guardianship appears in the interest "
        "of a foreign minor: notify the consulate | VCCR art. 37(b); CNA Manual, 5th ed. 2018 | "
        "high | ack $consular_notification_sla (1d) | consulate | no-consul-when-fleeing: "
        "consulate |");
  // Literal ack, no role the inhibit withholds.
  const int orr = RowOf(lines, "us-orr-referral-48h");
  REQUIRE(orr >= 0);
  CHECK(lines[orr] ==
        "| rule | united-states.yaml | `us-orr-referral-48h` | Refer the unaccompanied child to "
        "ORR | 8 USC 1232(b)(2) | high | ack 48h | child_welfare | — |");
  // No ack_within at all.
  const int unrelated = RowOf(lines, "child-with-unrelated-adults");
  REQUIRE(unrelated >= 0);
  CHECK(lines[unrelated].find("| critical | — | child_welfare, ombudsman | — |") !=
        std::string::npos);
}

TEST_CASE("rules markdown: clock and inhibit rows") {
  const std::vector<std::string> lines = Lines(RulesMarkdown(*LoadDir(RulesData("sample"))));
  const int clock = RowOf(lines, "us-transfer-72h");
  REQUIRE(clock >= 0);
  CHECK(lines[clock] ==
        "| clock | united-states.yaml | `us-transfer-72h` | Transfer to ORR within 72 hours | "
        "8 USC 1232(b)(3) | critical | warn 48h, due 72h | child_welfare, ombudsman | — |");
  const int inhibit = RowOf(lines, "no-consul-when-fleeing");
  REQUIRE(inhibit >= 0);
  CHECK(lines[inhibit] ==
        "| inhibit | international.yaml | `no-consul-when-fleeing` | the state the child may be "
        "fleeing is never told where the child is (CRC GC6; LM art. 69-IV) | — | — | — | "
        "withholds consulate | applies to all |");
}

TEST_CASE(
    "rules markdown: cells are one line with | escaped, anchors, disabled rules, "
    "restricted inhibits") {
  const auto rules = LoadText("dir/x.yaml", R"(
params:
  sla: {value: 90m, description: "policy choice"}
rules:
  - id: b-rule
    title: {en: "A | B", es: "A | B"}
    legal_basis: ["Art. 1 | 2"]
    when: >-
      subject.minor
      && event.type == "apprehension"
    severity: info
    notify: [consulate, duty_officer]
    ack_within: $sla
  - id: a-rule
    title:
      en: >-
        first line
        second   line
      es: "x"
    legal_basis: ["L"]
    when: subject.minor
    severity: warning
    notify: [child_welfare]
    enabled: false
clocks:
  - id: c-clock
    title: {en: "C", es: "C"}
    legal_basis: ["L"]
    start: subject.minor
    stop: event.type == "release"
    key: subject.id
    anchor: custody.start
    due: 2d
    notify: [consulate]
    severity: high
inhibit:
  - id: only-b
    when: '"asylum_claim" in subject.flags'
    recipients: [consulate]
    reason: "reason | with pipe"
    rules: [b-rule]
)");
  const std::vector<std::string> lines = Lines(RulesMarkdown(*rules));
  REQUIRE(lines.size() == 2 + 2 + 1 + 1);
  CHECK(lines[2] ==
        "| rule | x.yaml | `a-rule` (disabled) | first line second line | L | warning | — | "
        "child_welfare | — |");
  CHECK(lines[3] ==
        "| rule | x.yaml | `b-rule` | A \\| B | Art. 1 \\| 2 | info | ack $sla (1h30m) | "
        "consulate, duty_officer | only-b: consulate |");
  CHECK(lines[4] ==
        "| clock | x.yaml | `c-clock` | C | L | high | due 2d from custody.start | consulate | "
        "— |");
  CHECK(lines[5] ==
        "| inhibit | x.yaml | `only-b` | reason \\| with pipe | — | — | — | withholds consulate | "
        "applies to b-rule |");
}

TEST_CASE("rules --markdown: a folder that cannot be read is an error saying why") {
  RulesCommandOptions options;
  options.rules_dir = "/nonexistent/amparo-rules";
  options.markdown = true;
  std::ostringstream out;
  CHECK(RunRulesCommand(options, out) == 78);  // EX_CONFIG
  CHECK(out.str().rfind("/nonexistent/amparo-rules: ", 0) == 0);
}

// The table rows of FieldsMarkdown(): the lines that start with "| `".
std::vector<std::string> FieldRows() {
  std::vector<std::string> rows;
  for (const std::string& line : Lines(FieldsMarkdown())) {
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  return rows;
}

TEST_CASE("rules --fields: one row per schema field, in schema order, under one header") {
  const std::vector<std::string> lines = Lines(FieldsMarkdown());
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0] == "# Condition fields");
  const auto header =
      std::find(lines.begin(), lines.end(), "| field | type | optional | meaning | values |");
  REQUIRE(header != lines.end());
  CHECK(*(header + 1) == "|---|---|---|---|---|");
  const std::vector<std::string> rows = FieldRows();
  REQUIRE(rows.size() == AllFields().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].rfind("| `" + std::string(AllFields()[i].path) + "` | ", 0) == 0);
  }
  // The table is the end of the document.
  CHECK(lines.back() == rows.back());
}

TEST_CASE("rules --fields: types, optional, and the values of enumerated fields") {
  const std::vector<std::string> rows = FieldRows();
  const auto row = [&rows](const std::string& path) {
    for (const std::string& r : rows) {
      if (r.rfind("| `" + path + "` |", 0) == 0) return r;
    }
    return std::string();
  };
  CHECK(row("event.type") ==
        "| `event.type` | event type | no | the event type | `apprehension`, `detention`, "
        "`transfer`, `release`, `return`, `age_assessment`, `case_update`, `reception` |");
  CHECK(row("subject.age_years") ==
        "| `subject.age_years` | int | yes | derived: age in years at the local date of the event "
        "| — |");
  CHECK(row("subject.nationalities") ==
        "| `subject.nationalities` | list<string> | no (may be empty) | ISO 3166-1 alpha-2 codes "
        "| — |");
  CHECK(row("event.local_weekday")
            .find("| `monday`, `tuesday`, `wednesday`, `thursday`, "
                  "`friday`, `saturday`, `sunday` |") != std::string::npos);
  CHECK(row("case.alerted_roles").find("| list<role> | no (may be empty) |") != std::string::npos);
  CHECK(row("case.alerted_roles").find("`consulate`") != std::string::npos);
}

TEST_CASE("rules: exactly one of --markdown and --fields") {
  RulesCommandOptions options;
  options.rules_dir = "/nonexistent/amparo-rules";  // --fields reads no rules
  options.fields = true;
  std::ostringstream out;
  CHECK(RunRulesCommand(options, out) == 0);
  CHECK(out.str() == FieldsMarkdown());
  for (bool markdown : {false, true}) {
    options.fields = markdown;
    options.markdown = markdown;
    std::ostringstream refused;
    CHECK(RunRulesCommand(options, refused) == 64);  // EX_USAGE
    CHECK(refused.str() ==
          "amparoctl rules: say --markdown (the rule table) or --fields (the condition fields)\n");
  }
}

}  // namespace
}  // namespace amparo

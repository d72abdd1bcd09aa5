// Bad rule files: every mistake is reported with its exact file:line:col.
#include <catch2/catch.hpp>

#include "daemon/engine/rule_set.h"

namespace amparo {
namespace {

// A one-rule file whose condition starts at line 5, column 11.
std::string RuleWhen(const std::string& when) {
  return "rules:\n"
         "  - id: r1\n"
         "    title: {en: T, es: T}\n"
         "    legal_basis: [B]\n"
         "    when: " +
         when +
         "\n"
         "    severity: high\n"
         "    notify: [consulate]\n";
}

// A one-rule file with `line` replacing line `n` (2..7) of RuleWhen("subject.minor").
std::string RuleWithLine(int n, const std::string& line) {
  std::string lines[] = {"rules:",
                         "  - id: r1",
                         "    title: {en: T, es: T}",
                         "    legal_basis: [B]",
                         "    when: subject.minor",
                         "    severity: high",
                         "    notify: [consulate]"};
  lines[n - 1] = line;
  std::string out;
  for (const std::string& l : lines) {
    if (!l.empty()) out += l + "\n";
  }
  return out;
}

// A one-clock file; `extra` lines are appended to the clock.
std::string Clock(const std::string& key, const std::string& warn, const std::string& due,
                  const std::string& extra = "") {
  return "clocks:\n"
         "  - id: c1\n"
         "    title: {en: T, es: T}\n"
         "    legal_basis: [B]\n"
         "    start: event.type == \"apprehension\"\n"
         "    stop: event.type == \"transfer\"\n"
         "    key: " +
         key + "\n" + (warn.empty() ? "" : "    warn: " + warn + "\n") +
         (due.empty() ? "" : "    due: " + due + "\n") +
         "    notify: [child_welfare]\n"
         "    severity: high\n" +
         extra;
}

const std::string kEventTypes =
    "apprehension, detention, transfer, release, return, age_assessment, case_update, reception";
const std::string kRoleList =
    "consulate, child_welfare, receiving_child_welfare, receiving_consulate, ombudsman, "
    "migration, anti_trafficking, receiving_anti_trafficking, unhcr, duty_officer, "
    "refugee_agency";

struct Case {
  const char* name;
  std::vector<std::string> files;  // a.yaml, b.yaml, ...
  std::string expected;            // every diagnostic, one per line
  std::map<std::string, std::string> overrides = {};
};

std::vector<Case> Cases() {
  return {
      // Conditions: types and names.
      {"unknown enum value",
       {RuleWhen("event.type == \"aprehension\"")},
       "a.yaml:5:25: rules[0].when: unknown event type \"aprehension\"; expected one of " +
           kEventTypes + " (hint: did you mean \"apprehension\"?)"},
      {"int field compared with a string",
       {RuleWhen("subject.age_years == \"15\"")},
       "a.yaml:5:32: rules[0].when: cannot compare subject.age_years (int) with \"15\" (string)"},
      {"unknown field with hint",
       {RuleWhen("subject.ag_years < 18")},
       "a.yaml:5:11: rules[0].when: unknown field \"subject.ag_years\" (hint: did you mean "
       "subject.age_years?)"},
      {"unknown field without hint",
       {RuleWhen("weather.rain")},
       "a.yaml:5:11: rules[0].when: unknown field \"weather.rain\""},
      {"&& on a string",
       {RuleWhen("subject.minor && subject.id")},
       "a.yaml:5:28: rules[0].when: subject.id is a string, not a condition (hint: compare it, "
       "e.g. subject.id == ...)"},
      {"in on a non-list",
       {RuleWhen("'\"GT\" in subject.id'")},
       "a.yaml:5:20: rules[0].when: \"in\" needs a list on its right; subject.id is a string"},
      {"in with a list on the left",
       {RuleWhen("subject.nationalities in [\"GT\"]")},
       "a.yaml:5:11: rules[0].when: the left side of \"in\" must be a single value, not a list"},
      {"in with mismatched item type",
       {RuleWhen("subject.age_years in subject.nationalities")},
       "a.yaml:5:11: rules[0].when: cannot look for subject.age_years (int) in "
       "subject.nationalities (list<string>)"},
      {"unknown flag in a list field",
       {RuleWhen("'\"asylum_clam\" in subject.flags'")},
       "a.yaml:5:12: rules[0].when: unknown subject flag \"asylum_clam\"; expected one of "
       "asylum_claim, fear_of_return, trafficking_indicators, pregnant, disability, "
       "medical_need, parent_minor (hint: did you mean \"asylum_claim\"?)"},
      {"unknown value in a list literal",
       {RuleWhen("subject.accompaniment in [\"unaccompanied\", \"seperated\"]")},
       "a.yaml:5:54: rules[0].when: unknown accompaniment \"seperated\"; expected one of "
       "unaccompanied, separated, accompanied, unknown (hint: did you mean \"separated\"?)"},
      {"typo in a derived screening outcome",
       {RuleWhen("tvpra_screening.outcome == \"screened-out\"")},
       "a.yaml:5:38: rules[0].when: unknown screening outcome \"screened-out\"; expected one of "
       "pending, screened_in, screened_out (hint: did you mean \"screened_out\"?)"},
      {"abbreviated weekday",
       {RuleWhen("event.local_weekday in [\"sat\", \"sunday\"]")},
       "a.yaml:5:35: rules[0].when: unknown weekday \"sat\"; expected one of monday, tuesday, "
       "wednesday, thursday, friday, saturday, sunday"},
      {"list item of the wrong type",
       {RuleWhen("subject.age_years in [15, \"16\"]")},
       "a.yaml:5:37: rules[0].when: cannot compare subject.age_years (int) with \"16\" (string)"},
      {"== on a list field",
       {RuleWhen("subject.nationalities == \"GT\"")},
       "a.yaml:5:11: rules[0].when: cannot use == on a list (subject.nationalities) (hint: use "
       "\"in\" to test membership)"},
      {"ordering an enum",
       {RuleWhen("event.type < \"transfer\"")},
       "a.yaml:5:11: rules[0].when: \"<\" orders integers only, not event.type (event type)"},
      {"unknown field inside has()",
       {RuleWhen("has(subject.age.yeras)")},
       "a.yaml:5:15: rules[0].when: unknown field \"subject.age.yeras\" (hint: did you mean "
       "subject.age.years?)"},
      {"instant compared",
       {RuleWhen("case.first_custody_at == 3")},
       "a.yaml:5:11: rules[0].when: case.first_custody_at can only be used with has()"},
      {"an int as a condition",
       {RuleWhen("subject.minor || 15")},
       "a.yaml:5:28: rules[0].when: a condition must be true or false, not 15"},
      {"a list as a condition",
       {RuleWhen("'[\"a\"]'")},
       "a.yaml:5:12: rules[0].when: a condition must be true or false, not a list (hint: use "
       "\"in\" to test membership)"},
      {"comparison of conditions",
       {RuleWhen("(subject.minor && true) == true")},
       "a.yaml:5:11: rules[0].when: the operands of \"==\" must be fields or literals, not a "
       "condition (hint: compare conditions with && and ||)"},
      {"two errors in one condition",
       {RuleWhen("subject.agee_years < 3 && event.type == \"relase\"")},
       "a.yaml:5:11: rules[0].when: unknown field \"subject.agee_years\" (hint: did you mean "
       "subject.age_years?)\n"
       "a.yaml:5:51: rules[0].when: unknown event type \"relase\"; expected one of " +
           kEventTypes + " (hint: did you mean \"release\"?)"},
      {"unknown $param",
       {RuleWhen("custody.hours >= $max_hours")},
       "a.yaml:5:28: rules[0].when: unknown parameter $max_hours"},
      {"duration $param in a condition",
       {"params: {sla: {value: 1h, description: d}}\n" + RuleWhen("custody.hours > $sla")},
       "a.yaml:6:27: rules[0].when: $sla is a duration; conditions compare integers"},
      // Conditions: syntax.
      {"dangling &&",
       {RuleWhen("subject.minor &&")},
       "a.yaml:5:27: rules[0].when: expected a value, a field or \"(\" but found the end of the "
       "condition"},
      {"unclosed parenthesis",
       {RuleWhen("(subject.minor")},
       "a.yaml:5:25: rules[0].when: expected \")\" but found the end of the condition"},
      {"single &",
       {RuleWhen("subject.minor & subject.tender_age")},
       "a.yaml:5:25: rules[0].when: unexpected character \"&\" (hint: did you mean \"&&\"?)"},
      {"single =",
       {RuleWhen("event.type = \"apprehension\"")},
       "a.yaml:5:22: rules[0].when: unexpected character \"=\" (hint: did you mean \"==\"?)"},
      {"unterminated string",
       {RuleWhen("event.id == \"abc")},
       "a.yaml:5:23: rules[0].when: unterminated string"},
      {"chained comparison",
       {RuleWhen("subject.age_years < 18 < 20")},
       "a.yaml:5:34: rules[0].when: comparisons do not chain (hint: join them with &&)"},
      {"two conditions side by side",
       {RuleWhen("subject.minor subject.tender_age")},
       "a.yaml:5:25: rules[0].when: unexpected \"subject\" after a complete condition (hint: join "
       "conditions with && or ||)"},
      {"too deep",
       {RuleWhen("'" + std::string(65, '!') + "subject.minor'")},
       "a.yaml:5:76: rules[0].when: the condition nests deeper than 64 levels"},
      {"bad list",
       {RuleWhen("event.id in [\"a\" \"b\"]")},
       "a.yaml:5:28: rules[0].when: expected \",\" or \"]\" but found \"\"b\"\""},
      {"field in a list literal",
       {RuleWhen("event.id in [subject.id]")},
       "a.yaml:5:24: rules[0].when: expected a literal list item (a string, integer, true or "
       "false) but found \"subject\""},
      {"has without a path",
       {RuleWhen("has(1)")},
       "a.yaml:5:11: rules[0].when: has() takes a field path, e.g. has(subject.age_years)"},
      {"duration literal in a condition",
       {RuleWhen("custody.hours > 72h")},
       "a.yaml:5:27: rules[0].when: malformed number (hint: durations are not values in "
       "conditions; compare hours, e.g. custody.hours >= 72)"},
      // Positions inside quoted and block scalars.
      {"double-quoted scalar with escapes",
       {RuleWhen("\"event.type == \\\"aprehension\\\"\"")},
       "a.yaml:5:26: rules[0].when: unknown event type \"aprehension\"; expected one of " +
           kEventTypes + " (hint: did you mean \"apprehension\"?)"},
      {"single-quoted scalar with ''",
       {RuleWhen("'\"it''s\" == event.id && subject.age_yeras'")},
       "a.yaml:5:35: rules[0].when: unknown field \"subject.age_yeras\" (hint: did you mean "
       "subject.age_years?)"},
      {"unknown escape in a single-quoted scalar",
       {RuleWhen("'\"x\\q\" == event.id'")},
       "a.yaml:5:14: rules[0].when: unknown escape in a string (hint: use \\\" or \\\\)"},
      {"literal block scalar",
       {RuleWhen("|\n      subject.minor &&\n        event.type == \"aprehensio\"")},
       "a.yaml:7:23: rules[0].when: unknown event type \"aprehensio\"; expected one of " +
           kEventTypes + " (hint: did you mean \"apprehension\"?)"},
      {"folded block scalar",
       {RuleWhen(">\n      subject.minor\n      && subject.agee_years < 3")},
       "a.yaml:7:10: rules[0].when: unknown field \"subject.agee_years\" (hint: did you mean "
       "subject.age_years?)"},
      {"condition that is not a string",
       {RuleWhen("[subject.minor]")},
       "a.yaml:5:11: rules[0].when: must be a condition, written as a string"},
      // Rule fields.
      {"bad severity",
       {RuleWithLine(6, "    severity: urgent")},
       "a.yaml:6:15: rules[0].severity: \"urgent\" is not one of info, warning, high, critical"},
      {"missing legal_basis",
       {RuleWithLine(4, "")},
       "a.yaml:2:5: rules[0].legal_basis: is required"},
      {"empty legal_basis",
       {RuleWithLine(4, "    legal_basis: []")},
       "a.yaml:4:18: rules[0].legal_basis: must cite at least one legal basis"},
      {"missing es title",
       {RuleWithLine(3, "    title: {en: T}")},
       "a.yaml:3:12: rules[0].title.es: is required"},
      {"unknown title language",
       {RuleWithLine(3, "    title: {en: T, es: T, pt: T}")},
       "a.yaml:3:27: rules[0].title.pt: unknown key (hint: known keys here: en, es, fr)"},
      {"missing title", {RuleWithLine(3, "")}, "a.yaml:2:5: rules[0].title: is required"},
      {"duplicate ids across files",
       {RuleWhen("subject.minor"), RuleWhen("subject.minor")},
       "b.yaml:2:9: rules[0].id: duplicate id \"r1\"; first defined at a.yaml:2:9"},
      {"id not kebab-case",
       {RuleWithLine(2, "  - id: R_1")},
       "a.yaml:2:9: rules[0].id: \"R_1\" is not kebab-case (hint: use lowercase letters, digits "
       "and single dashes, e.g. us-transfer-72h)"},
      {"unknown role",
       {RuleWithLine(7, "    notify: [child_welfare, consulat]")},
       "a.yaml:7:29: rules[0].notify[1]: unknown role \"consulat\"; expected one of " + kRoleList +
           " (hint: did you mean consulate?)"},
      {"no roles",
       {RuleWithLine(7, "    notify: []")},
       "a.yaml:7:13: rules[0].notify: must name at least one role"},
      {"notify not a list",
       {RuleWithLine(7, "    notify: consulate")},
       "a.yaml:7:13: rules[0].notify: must be a list, e.g. [a, b]"},
      {"unknown key in a rule",
       {RuleWhen("subject.minor") + "    colour: red\n"},
       "a.yaml:8:5: rules[0].colour: unknown key (hint: known keys here: ack_within, enabled, "
       "evidence, id, legal_basis, notify, severity, summary, title, when)"},
      {"unknown top-level section",
       {"rule: []\n"},
       "a.yaml:1:1: rule: unknown key (hint: known keys here: clocks, inhibit, params, rules)"},
      {"rules not a list", {"rules: {id: x}\n"}, "a.yaml:1:8: rules: must be a list"},
      {"rule not a mapping",
       {"rules: [x]\n"},
       "a.yaml:1:9: rules[0]: must be a mapping of keys to values"},
      {"bad ack_within",
       {RuleWhen("subject.minor") + "    ack_within: 2x\n"},
       "a.yaml:8:17: rules[0].ack_within: \"2x\" has unknown unit \"x\"; units are ms, s, m, h, d"},
      {"zero ack_within",
       {RuleWhen("subject.minor") + "    ack_within: 0s\n"},
       "a.yaml:8:17: rules[0].ack_within: must be longer than 0s"},
      {"unknown $param in ack_within",
       {"params: {sla: {value: 1h, description: d}}\n" + RuleWhen("subject.minor") +
        "    ack_within: $slaa\n"},
       "a.yaml:9:17: rules[0].ack_within: unknown parameter $slaa (hint: did you mean sla?)"},
      {"integer $param as a duration",
       {"params: {n: {value: 3, description: d}}\n" + RuleWhen("subject.minor") +
        "    ack_within: $n\n"},
       "a.yaml:9:17: rules[0].ack_within: $n is an integer, not a duration"},
      {"enabled not a bool",
       {RuleWhen("subject.minor") + "    enabled: maybe\n"},
       "a.yaml:8:14: rules[0].enabled: must be true or false"},
      {"summary without es",
       {RuleWhen("subject.minor") + "    summary: {en: S}\n"},
       "a.yaml:8:14: rules[0].summary.es: is required"},
      // Clocks.
      {"warn not shorter than due",
       {Clock("subject.id", "72h", "72h")},
       "a.yaml:8:11: clocks[0].warn: must be shorter than due (72h)"},
      {"missing due", {Clock("subject.id", "", "")}, "a.yaml:2:5: clocks[0].due: is required"},
      {"unknown key field",
       {Clock("subject.idd", "", "72h")},
       "a.yaml:7:10: clocks[0].key: unknown field \"subject.idd\" (hint: did you mean "
       "subject.id?)"},
      {"key field not a string",
       {Clock("subject.age_years", "", "72h")},
       "a.yaml:7:10: clocks[0].key: must be a string field; subject.age_years is int"},
      {"bad anchor",
       {Clock("subject.id", "", "72h", "    anchor: custody\n")},
       "a.yaml:11:13: clocks[0].anchor: \"custody\" is not one of occurred_at, custody.start, "
       "custody.detention_review_at"},
      {"warn ≥ due after a parameter",
       {"params: {due: {value: 24h, description: d}}\n" + Clock("subject.id", "48h", "$due")},
       "a.yaml:9:11: clocks[0].warn: must be shorter than due ($due)"},
      // Inhibit.
      {"inhibit of an unknown rule",
       {RuleWhen("subject.minor") + "inhibit:\n"
                                    "  - id: i1\n"
                                    "    when: \"\\\"asylum_claim\\\" in subject.flags\"\n"
                                    "    recipients: [consulate]\n"
                                    "    reason: fleeing\n"
                                    "    rules: [r2]\n"},
       "a.yaml:13:13: inhibit[0].rules[0]: unknown rule or clock \"r2\" (hint: did you mean "
       "\"r1\"?)"},
      {"inhibit without reason",
       {"inhibit:\n"
        "  - id: i1\n"
        "    when: subject.minor\n"
        "    recipients: [consulate]\n"},
       "a.yaml:2:5: inhibit[0].reason: is required"},
      // Parameters.
      {"bad parameter value",
       {"params: {sla: {value: soon, description: d}}\n"},
       "a.yaml:1:23: params.sla.value: \"soon\" is not a duration; write e.g. \"2h\", \"30m\", "
       "\"1h30m\""},
      {"parameter without description",
       {"params: {sla: {value: 1h}}\n"},
       "a.yaml:1:15: params.sla.description: is required"},
      {"duplicate parameter across files",
       {"params: {sla: {value: 1h, description: d}}\n",
        "params:\n  sla: {value: 2h, description: d}\n"},
       "b.yaml:2:3: params.sla: duplicate parameter; first defined at a.yaml:1:10"},
      {"override of an unknown parameter",
       {"params: {sla: {value: 1h, description: d}}\n"},
       "param_overrides:1:1: param_overrides.slb: no rule file defines this parameter (hint: did "
       "you mean sla?)",
       {{"slb", "2h"}}},
      {"override of the wrong kind",
       {"params: {sla: {value: 1h, description: d}}\n"},
       "a.yaml:1:10: params.sla: override \"3\" is not a duration",
       {{"sla", "3"}}},
      // YAML itself.
      {"YAML syntax error",
       {"rules: [\n  - id: x\n"},
       "a.yaml:2:3: YAML syntax error: illegal block entry"},
  };
}

TEST_CASE("bad rule files report every error at its position") {
  const std::vector<Case> cases = Cases();
  CHECK(cases.size() >= 45);
  for (const Case& c : cases) {
    SECTION(c.name) {
      std::vector<RuleSource> sources;
      for (std::size_t i = 0; i < c.files.size(); ++i) {
        sources.push_back({std::string(1, static_cast<char>('a' + i)) + ".yaml", c.files[i]});
      }
      EngineOptions options;
      options.param_overrides = c.overrides;
      Diagnostics diags;
      auto set = RuleSet::Load(sources, options, &diags);
      CHECK_FALSE(set.ok());
      CHECK(diags.ToString() == c.expected + "\n");
    }
  }
}

TEST_CASE("Load reports the number of errors and keeps earlier diagnostics") {
  Diagnostics diags;
  diags.Add({"config.yaml", 1, 1}, "earlier");
  auto set =
      RuleSet::Load({{"a.yaml", RuleWhen("subject.agee && event.type == \"x\"")}}, {}, &diags);
  REQUIRE_FALSE(set.ok());
  CHECK(set.status().message() == "2 errors in the rule files");
  CHECK(diags.size() == 3);
}

}  // namespace
}  // namespace amparo

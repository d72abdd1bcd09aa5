#include "daemon/ctl/check_command.h"

#include <algorithm>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/unit/ctl/ctl_test_util.h"

namespace amparo {
namespace {

using testing::CtlData;
using testing::Relative;
using testing::RulesData;
using testing::SourceFile;

std::string Check(const CheckOptions& options, int* code) {
  std::ostringstream out;
  *code = RunCheck(options, out);
  return Relative(out.str());
}

TEST_CASE("check: the sample rule set is clean") {
  int code = -1;
  const std::string out = Check({RulesData("sample"), "", ""}, &code);
  CHECK(code == 0);
  CHECK(out == "4 rule files: 10 rules, 2 clocks, 1 inhibits, 3 params: OK\n");
}

TEST_CASE("check: every error in every broken file, in one run") {
  int code = -1;
  const std::string out = Check({RulesData("broken"), "", ""}, &code);
  CHECK(code == 78);  // EX_CONFIG
  const std::string d = "tests/data/rules/broken/";
  CHECK(out ==
        d +
            "a-conditions.yaml:6:25: rules[0].when: unknown event type \"aprehension\"; expected "
            "one of apprehension, detention, transfer, release, return, age_assessment, "
            "case_update, reception (hint: did you mean \"apprehension\"?)\n" +
            d +
            "a-conditions.yaml:12:33: rules[1].when: cannot compare subject.age_years (int) with "
            "\"15\" (string)\n" +
            d +
            "a-conditions.yaml:20:50: rules[2].when: unknown accompaniment \"seperated\"; expected "
            "one of unaccompanied, separated, accompanied, unknown (hint: did you mean "
            "\"separated\"?)\n" +
            d +
            "a-conditions.yaml:26:57: rules[3].when: expected \")\" but found the end of the "
            "condition\n" +
            d + "b-fields.yaml:3:9: rules[0].id: duplicate id \"typo-in-enum\"; first defined at " +
            d + "a-conditions.yaml:3:9\n" + d +
            "b-fields.yaml:4:12: rules[0].title.es: is required\n" + d +
            "b-fields.yaml:5:18: rules[0].legal_basis: must cite at least one legal basis\n" + d +
            "b-fields.yaml:7:15: rules[0].severity: \"urgent\" is not one of info, warning, high, "
            "critical\n" +
            d +
            "b-fields.yaml:8:14: rules[0].notify[0]: unknown role \"consulat\"; expected one of "
            "consulate, child_welfare, receiving_child_welfare, receiving_consulate, ombudsman, "
            "migration, anti_trafficking, receiving_anti_trafficking, unhcr, duty_officer, "
            "refugee_agency (hint: "
            "did you mean consulate?)\n" +
            d +
            "b-fields.yaml:9:9: rules[1].id: \"Not_Kebab\" is not kebab-case (hint: use lowercase "
            "letters, digits and single dashes, e.g. us-transfer-72h)\n" +
            d +
            "b-fields.yaml:10:27: rules[1].title.de: unknown key (hint: known keys here: en, es, "
            "fr)\n" +
            d +
            "b-fields.yaml:12:11: rules[1].when: unknown field \"subject.ag_years\" (hint: did you "
            "mean subject.age_years?)\n" +
            d + "b-fields.yaml:15:17: rules[1].ack_within: unknown parameter $unknown_sla\n" + d +
            "c-clocks.yaml:9:10: clocks[0].key: unknown field \"subject.idd\" (hint: did you mean "
            "subject.id?)\n" +
            d + "c-clocks.yaml:10:11: clocks[0].warn: must be shorter than due (72h)\n" + d +
            "c-clocks.yaml:19:23: inhibit[0].rules[1]: unknown rule or clock \"typo-in-enm\" "
            "(hint: did you mean \"typo-in-enum\"?)\n" +
            d + "d-yaml.yaml:4:1: YAML syntax error: end of map flow not found\n" + "17 errors\n");
}

TEST_CASE("check: a missing rule folder is an error") {
  int code = -1;
  const std::string out = Check({RulesData("no-such-folder"), "", ""}, &code);
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.rfind("tests/data/rules/no-such-folder:1:1: rules: ", 0) == 0);
  CHECK(out.find("\n1 error\n") != std::string::npos);
}

TEST_CASE("check --directory: a clean directory") {
  int code = -1;
  const std::string out = Check({RulesData("sample"), CtlData("directory"), ""}, &code);
  CHECK(code == 0);
  CHECK(out ==
        "4 rule files: 10 rules, 2 clocks, 1 inhibits, 3 params: OK\n"
        "directory tests/data/ctl/directory: 2 files, 5 agencies: OK\n");
}

TEST_CASE("check --directory: every diagnostic of a bad directory, in one run") {
  int code = -1;
  const std::string out =
      Check({RulesData("sample"), SourceFile("tests/data/directory/bad"), ""}, &code);
  CHECK(code == 78);  // EX_CONFIG
  const std::string d = "tests/data/directory/bad/";
  CHECK(out.find(d + "bad_tz.yaml:12:17: agencies[0].hours.tz: unknown time zone "
                     "\"America/Darien\" (hint: use an IANA name such as America/Panama)\n") !=
        std::string::npos);
  CHECK(out.find(d + "yaml_syntax.yaml:") != std::string::npos);
  CHECK(out.find(d + "unknown_channel_type.yaml:") != std::string::npos);
  // The closing count matches the lines above it; the rules are not summed up.
  const std::size_t lines = static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n'));
  CHECK(out.find("\n" + std::to_string(lines - 1) + " errors\n") != std::string::npos);
  CHECK(out.find("OK") == std::string::npos);
}

TEST_CASE("check --config: an smtp channel without a relay, at its position") {
  int code = -1;
  const std::string out = Check({"", "", CtlData("amparod-smtp-no-relay.yaml")}, &code);
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.find("tests/data/ctl/directory-smtp/agencies.yaml:") != std::string::npos);
  CHECK(out.find(": agencies[3].channels[1].type: an smtp channel needs a relay: set smtp.url "
                 "(and smtp.from) in amparod.yaml\n") != std::string::npos);
  // With a relay the same directory is fine.
  const std::string ok = Check({"", "", CtlData("amparod-smtp.yaml")}, &code);
  INFO(ok);
  CHECK(code == 0);
}

TEST_CASE("check --directory: a missing folder is an error") {
  int code = -1;
  const std::string out = Check({RulesData("sample"), CtlData("no-such-folder"), ""}, &code);
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.rfind("tests/data/ctl/no-such-folder:1:1: directory: ", 0) == 0);
  CHECK(out.find("\n1 error\n") != std::string::npos);
}

TEST_CASE("check --config: the config's rules and directory, checked together") {
  int code = -1;
  const std::string out = Check({"", "", CtlData("amparod.yaml")}, &code);
  CHECK(code == 0);
  CHECK(out ==
        "config tests/data/ctl/amparod.yaml: OK\n"
        "4 rule files: 10 rules, 2 clocks, 1 inhibits, 3 params: OK\n"
        "directory tests/data/ctl/directory: 2 files, 5 agencies: OK (unrouted: duty-officer)\n");
}

TEST_CASE("check --config: an unrouted agency the directory lacks") {
  int code = -1;
  const std::string out = Check({"", "", CtlData("unknown-unrouted.yaml")}, &code);
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.rfind("tests/data/ctl/directory:1:1: directory.unrouted: ", 0) == 0);
  CHECK(out.find("duty-oficer") != std::string::npos);
  CHECK(out.find("\n1 error\n") != std::string::npos);
}

TEST_CASE("check --config: every mistake of a broken config") {
  int code = -1;
  const std::string out = Check({"", "", CtlData("broken.yaml")}, &code);
  CHECK(code == 78);  // EX_CONFIG
  const std::string f = "tests/data/ctl/broken.yaml";
  CHECK(out.find(f + ":4:14: rules.minor_age: must be an integer\n") != std::string::npos);
  CHECK(out.find(f + ":7:3: directory.colour: unknown key") != std::string::npos);
  CHECK(out.find("\n2 errors\n") != std::string::npos);
}

TEST_CASE("check --config: a missing config file is an error") {
  int code = -1;
  const std::string out = Check({"", "", CtlData("no-such.yaml")}, &code);
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.rfind("cannot read config file tests/data/ctl/no-such.yaml: ", 0) == 0);
  CHECK(out.find("\n1 error\n") != std::string::npos);
}

TEST_CASE("check --config --rules: the folder given replaces the config's") {
  int code = -1;
  const std::string out = Check({RulesData("broken"), "", CtlData("amparod.yaml")}, &code);
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.find("tests/data/rules/broken/a-conditions.yaml:6:25: ") != std::string::npos);
  CHECK(out.find("\n17 errors\n") != std::string::npos);
}

TEST_CASE("check --config --directory: the folder given replaces the config's") {
  int code = -1;
  const std::string out =
      Check({"", SourceFile("tests/data/directory/bad"), CtlData("amparod.yaml")}, &code);
  CHECK(code == 78);  // EX_CONFIG
  CHECK(out.find("tests/data/directory/bad/bad_tz.yaml:12:17: ") != std::string::npos);
}

}  // namespace
}  // namespace amparo

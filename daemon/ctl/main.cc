// amparoctl: check rule files, the directory and the config, run rule tests
// (and measure their coverage), show what the rules decide for an event and
// who receives it, print the rule set or the condition fields as tables, and
// write the anonymized compliance report.
// Thin: the commands live in daemon/ctl/*.cc.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "daemon/core/exit_codes.h"
#include "daemon/ctl/check_command.h"
#include "daemon/ctl/report_command.h"
#include "daemon/ctl/route_command.h"
#include "daemon/ctl/rules_markdown.h"
#include "daemon/ctl/store_commands.h"
#include "daemon/ctl/test_runner.h"

namespace {

int Main(int argc, char** argv) {
  CLI::App cli{
      "amparoctl: check, test and dry-run the amparo rule set; verify the audit chain; purge"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", std::string("amparoctl ") + AMPARO_VERSION);

  amparo::CheckOptions check;
  CLI::App* check_cmd = cli.add_subcommand("check", "validate the rules, directory and config");
  check_cmd->add_option("--rules", check.rules_dir,
                        "rule folder (*.yaml); default rules, or the config's rules.dir");
  check_cmd->add_option(
      "--directory", check.directory_dir,
      "agency directory folder (*.yaml); with --config default its directory.dir");
  check_cmd->add_option("--config", check.config_file,
                        "daemon config file; checks its rules and directory together");

  amparo::TestCommandOptions test;
  CLI::App* test_cmd = cli.add_subcommand("test", "run the rule tests in TESTDIR/*.yaml");
  test_cmd->add_option("--rules", test.rules_dir, "rule folder (*.yaml)")->capture_default_str();
  test_cmd->add_option("--directory", test.directory_dir,
                       "agency directory folder: needed by recipients expectations");
  test_cmd->add_option("--unrouted", test.unrouted, "the unrouted duty officer's agency id")
      ->capture_default_str();
  test_cmd->add_flag("--require-coverage", test.require_coverage,
                     "report which rules and clocks no passing test covers both ways; fail if any");
  test_cmd->add_option("TESTDIR", test.tests_dir, "rule-test folder")->required();

  amparo::RouteOptions route;
  CLI::App* route_cmd =
      cli.add_subcommand("route", "show what the rules decide for one event, and who receives it");
  route_cmd->add_option("--rules", route.rules_dir, "rule folder (*.yaml)")->capture_default_str();
  route_cmd->add_option("--directory", route.directory_dir,
                        "agency directory folder: resolve the recipients");
  route_cmd->add_option("--unrouted", route.unrouted, "the unrouted duty officer's agency id")
      ->capture_default_str();
  route_cmd->add_flag("--json", route.json, "print one JSON object");
  route_cmd
      ->add_flag("--show-payload", route.show_payload,
                 "show the amparo.alert.v1 payload each recipient would get")
      ->needs(route_cmd->get_option("--directory"));
  route_cmd->add_option("--at", route.at,
                        "when the alert goes out, RFC 3339 (office hours are judged then); "
                        "default: the event's occurred_at");
  route_cmd->add_option("EVENT", route.event_file, "event JSON file")->required();

  amparo::RulesCommandOptions rules;
  CLI::App* rules_cmd =
      cli.add_subcommand("rules", "print the rule set, or the fields conditions may use");
  rules_cmd->add_option("--rules", rules.rules_dir, "rule folder (*.yaml)")->capture_default_str();
  CLI::Option* markdown =
      rules_cmd->add_flag("--markdown", rules.markdown, "as one Markdown table");
  rules_cmd
      ->add_flag("--fields", rules.fields,
                 "the fields conditions may use, as Markdown (rules/FIELDS.md); ignores --rules")
      ->excludes(markdown);

  amparo::ReportOptions report;
  CLI::App* report_cmd = cli.add_subcommand(
      "report", "anonymized compliance report over a period: CSV, JSON and an SVG chart");
  report_cmd->add_option("--db", report.db, "the store (SQLite file)")->required();
  report_cmd->add_option("--from", report.from, "start, YYYY-MM-DD or RFC 3339 (inclusive)")
      ->required();
  report_cmd->add_option("--to", report.to, "end, YYYY-MM-DD or RFC 3339 (exclusive)")->required();
  report_cmd
      ->add_option("--directory", report.directory_dir,
                   "agency directory folder: the state each agency belongs to")
      ->required();
  report_cmd->add_option("--as-of", report.as_of,
                         "judge deadlines at this instant (default now): later ones are pending");
  report_cmd->add_option("--k", report.k, "withhold cells of fewer children than this (>= 5)")
      ->capture_default_str();
  report_cmd->add_option("--csv", report.csv, "write the CSV here");
  report_cmd->add_option("--json", report.json, "write the JSON here");
  report_cmd->add_option("--svg", report.svg, "write the chart (SVG) here");

  amparo::AuditVerifyOptions audit;
  CLI::App* audit_cmd = cli.add_subcommand("audit", "the audit hash chain of a daemon's database");
  audit_cmd->require_subcommand(1);
  CLI::App* verify_cmd = audit_cmd->add_subcommand(
      "verify", "check every link of the chain; name the first broken row (exit 1)");
  verify_cmd->add_option("--db", audit.db_path, "the daemon's SQLite file")->required();

  amparo::PurgeCommandOptions purge;
  CLI::App* purge_cmd = cli.add_subcommand(
      "purge", "purge personal data older than the retention, as the daemon does hourly");
  purge_cmd->add_option("--db", purge.db_path, "the daemon's SQLite file")->required();
  purge_cmd->add_flag("--dry-run", purge.dry_run, "list what would be purged; change nothing");
  purge_cmd->add_option("--now", purge.now, "RFC 3339 instant to count the retention back from");
  CLI::Option* retention = purge_cmd->add_option(
      "--retention", purge.retention, "e.g. 365d; default the config's privacy.retention, or 365d");
  purge_cmd->add_option("--config", purge.config_file, "daemon config: its privacy.retention")
      ->excludes(retention);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage mistake 64 (EX_USAGE), not
    // CLI11's own codes (106, 107, 109...).
    return cli.exit(e) == 0 ? amparo::kExitOk : amparo::kExitUsage;
  }
  if (report_cmd->parsed()) return amparo::RunReport(report, std::cout, std::cerr);
  if (check_cmd->parsed()) return amparo::RunCheck(check, std::cout);
  if (test_cmd->parsed()) return amparo::RunTestCommand(test, std::cout);
  if (rules_cmd->parsed()) return amparo::RunRulesCommand(rules, std::cout);
  if (verify_cmd->parsed()) return amparo::RunAuditVerify(audit, std::cout);
  if (purge_cmd->parsed()) return amparo::RunPurge(purge, std::cout);
  return amparo::RunRoute(route, std::cout);
}

}  // namespace

// No exception leaves main: an unexpected one is an internal error, 70.
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "amparoctl: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "amparoctl: internal error\n";
  }
  return amparo::kExitSoftware;
}

// amparoctl: check rule files, run rule tests, and show what the rules decide
// for an event. Thin: the commands live in daemon/ctl/*_command.cc.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "daemon/ctl/check_command.h"
#include "daemon/ctl/route_command.h"
#include "daemon/ctl/test_runner.h"

int main(int argc, char** argv) {
  CLI::App cli{"amparoctl: check, test and dry-run the amparo rule set"};
  cli.require_subcommand(1);

  amparo::CheckOptions check;
  CLI::App* check_cmd = cli.add_subcommand("check", "validate the rules (and directory, config)");
  check_cmd->add_option("--rules", check.rules_dir, "rule folder (*.yaml)")->capture_default_str();
  check_cmd->add_option("--directory", check.directory_dir, "agency directory folder");
  check_cmd->add_option("--config", check.config_file, "daemon config file");

  amparo::TestCommandOptions test;
  CLI::App* test_cmd = cli.add_subcommand("test", "run the rule tests in TESTDIR/*.yaml");
  test_cmd->add_option("--rules", test.rules_dir, "rule folder (*.yaml)")->capture_default_str();
  test_cmd->add_option("TESTDIR", test.tests_dir, "rule-test folder")->required();

  amparo::RouteOptions route;
  CLI::App* route_cmd = cli.add_subcommand("route", "show what the rules decide for one event");
  route_cmd->add_option("--rules", route.rules_dir, "rule folder (*.yaml)")->capture_default_str();
  route_cmd->add_flag("--json", route.json, "print one JSON object");
  route_cmd->add_option("EVENT", route.event_file, "event JSON file")->required();

  CLI11_PARSE(cli, argc, argv);
  if (check_cmd->parsed()) return amparo::RunCheck(check, std::cout);
  if (test_cmd->parsed()) return amparo::RunTestCommand(test, std::cout);
  return amparo::RunRoute(route, std::cout);
}

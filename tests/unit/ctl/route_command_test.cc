#include "daemon/ctl/route_command.h"

#include <sstream>

#include <catch2/catch.hpp>

#include "tests/unit/ctl/ctl_test_util.h"

namespace amparo {
namespace {

using testing::Relative;
using testing::RulesData;

int Route(bool json, const std::string& event, std::string* out) {
  std::ostringstream s;
  RouteOptions options;
  options.rules_dir = RulesData("sample");
  options.event_file = event;
  options.json = json;
  const int code = RunRoute(options, s);
  *out = Relative(s.str());
  return code;
}

TEST_CASE("route --json prints exactly one JSON object") {
  std::string out;
  REQUIRE(Route(true, RulesData("events/asylum-apprehension.json"), &out) == 0);
  const std::string reason =
      "the state the child may be fleeing is never told where the child is (CRC GC6; LM art. "
      "69-IV)";
  const nlohmann::json expected = {
      {"event_id", "cbp-rgv-2026-0042"},
      {"rules",
       {{{"id", "unaccompanied-child-in-custody"},
         {"severity", "critical"},
         {"roles", {"child_welfare"}},
         {"legal_basis", {"VCCR art. 37(b)", "Ley de Migración (MX) art. 112"}}},
        {{"id", "vccr-37b-guardian"},
         {"severity", "high"},
         {"roles", nlohmann::json::array()},
         {"legal_basis", {"VCCR art. 37(b)", "CNA Manual, 5th ed. 2018"}}},
        {{"id", "us-orr-referral-48h"},
         {"severity", "high"},
         {"roles", {"child_welfare"}},
         {"legal_basis", {"8 USC 1232(b)(2)"}}},
        {{"id", "us-tender-age"},
         {"severity", "high"},
         {"roles", {"child_welfare", "duty_officer"}},
         {"legal_basis", {"ORR practice (not statute)"}}}}},
      {"clocks",
       {{{"id", "us-transfer-72h"},
         {"op", "start"},
         {"key", "case-42"},
         {"warn_at", "2026-03-04T16:00:00Z"},
         {"due_at", "2026-03-05T16:00:00Z"}}}},
      {"inhibited",
       {{{"rule", "unaccompanied-child-in-custody"}, {"role", "consulate"}, {"reason", reason}},
        {{"rule", "vccr-37b-guardian"}, {"role", "consulate"}, {"reason", reason}}}}};
  CHECK(out.back() == '\n');
  CHECK(nlohmann::json::parse(out) == expected);
  CHECK(out.rfind("{\"event_id\":", 0) == 0);
}

TEST_CASE("route prints the decisions for people") {
  std::string out;
  REQUIRE(Route(false, RulesData("events/asylum-apprehension.json"), &out) == 0);
  CHECK(out.find("  vccr-37b-guardian [high] -> (nobody)\n") != std::string::npos);
  CHECK(out.find("  start us-transfer-72h key case-42 warn 2026-03-04T16:00:00Z due "
                 "2026-03-05T16:00:00Z -> child_welfare, ombudsman\n") != std::string::npos);
  CHECK(out.find("  consulate withheld from vccr-37b-guardian by no-consul-when-fleeing: ") !=
        std::string::npos);
}

TEST_CASE("route refuses an invalid event with its reason") {
  std::string out;
  CHECK(Route(true, RulesData("sample/00-params.yaml"), &out) == 1);
  CHECK(out.find("invalid event: ") != std::string::npos);
}

}  // namespace
}  // namespace amparo

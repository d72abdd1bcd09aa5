#include "daemon/ctl/route_command.h"

#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "daemon/ctl/rule_files.h"
#include "daemon/event/event_codec.h"
#include "tests/unit/ctl/ctl_test_util.h"

namespace amparo {
namespace {

using testing::CtlData;
using testing::Relative;
using testing::RulesData;

// `amparoctl route --rules sample --directory tests/data/ctl/directory EVENT`.
int RouteWithDirectory(const std::string& event, bool json, bool show_payload, std::string* out,
                       const std::string& unrouted = "duty-officer") {
  std::ostringstream s;
  RouteOptions options;
  options.rules_dir = RulesData("sample");
  options.directory_dir = CtlData("directory");
  options.unrouted = unrouted;
  options.event_file = CtlData("events/" + event);
  options.json = json;
  options.show_payload = show_payload;
  const int code = RunRoute(options, s);
  *out = Relative(s.str());
  return code;
}

// The recipients of `json` for `agency`.
std::vector<nlohmann::json> RecipientsOf(const nlohmann::json& json, const std::string& agency) {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& r : json.at("recipients")) {
    if (r.at("agency") == agency) out.push_back(r);
  }
  return out;
}

bool HasFlag(const nlohmann::json& payload, const std::string& flag) {
  const nlohmann::json& subject = payload.at("event").at("subject");
  if (!subject.contains("flags")) return false;
  for (const nlohmann::json& f : subject.at("flags")) {
    if (f == flag) return true;
  }
  return false;
}

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
  CHECK(Route(true, RulesData("sample/00-params.yaml"), &out) == 65);  // EX_DATAERR
  CHECK(out.find("invalid event: ") != std::string::npos);
}

TEST_CASE("route without --directory adds no routing") {
  std::string out;
  REQUIRE(Route(true, RulesData("events/asylum-apprehension.json"), &out) == 0);
  const nlohmann::json json = nlohmann::json::parse(out);
  CHECK_FALSE(json.contains("recipients"));
  CHECK_FALSE(json.contains("unrouted"));
}

TEST_CASE("route --directory --json: recipients with their primary channel, and unrouted") {
  std::string out;
  REQUIRE(RouteWithDirectory("gt-child-tapachula.json", true, false, &out) == 0);
  const nlohmann::json json = nlohmann::json::parse(out);
  // "recipients" and "unrouted" come after the decisions.
  CHECK(out.find("\"inhibited\":") < out.find("\"recipients\":"));
  CHECK(out.find("\"recipients\":") < out.find("\"unrouted\":"));
  const nlohmann::json consulate = {
      {"agency", "gt-consulate-tapachula"},
      {"kind", "consulate"},
      {"country", "GT"},
      {"role", "consulate"},
      {"rule", "vccr-37b-guardian"},
      {"channel", {{"type", "mqtt"}, {"target", "rcm/v1/alerts/gt-consulate-tapachula"}}}};
  const auto to_consulate = RecipientsOf(json, "gt-consulate-tapachula");
  REQUIRE(to_consulate.size() == 2);  // unaccompanied-child-in-custody, vccr-37b-guardian
  CHECK(to_consulate[0].at("rule") == "unaccompanied-child-in-custody");
  CHECK(to_consulate[1] == consulate);
  const auto to_dif = RecipientsOf(json, "mx-dif-chiapas");
  std::vector<std::string> dif_rules;
  for (const nlohmann::json& r : to_dif) dif_rules.push_back(r.at("rule"));
  CHECK(dif_rules == std::vector<std::string>{"unaccompanied-child-in-custody",
                                              "mx-no-child-in-station", "mx-ppnna-notification",
                                              "mx-dif-channel-24h"});
  CHECK(RecipientsOf(json, "us-orr").empty());
  for (const nlohmann::json& r : json.at("recipients")) CHECK_FALSE(r.contains("payload"));
  // The test directory has no ombudsman: that role goes to the duty officer.
  REQUIRE(json.at("unrouted").size() == 2);
  CHECK(json.at("unrouted")[0].at("rule") == "mx-no-child-in-station");
  CHECK(json.at("unrouted")[0].at("role") == "ombudsman");
  CHECK(json.at("unrouted")[1].at("rule") == "mx-dif-channel-24h");
  CHECK_FALSE(json.at("unrouted")[0].at("reason").get<std::string>().empty());
  CHECK(RecipientsOf(json, "duty-officer").size() == 2);
}

TEST_CASE("route --show-payload: asylum keeps the consulate out, child welfare sees the flag") {
  std::string out;
  REQUIRE(RouteWithDirectory("gt-child-tapachula-asylum.json", true, true, &out) == 0);
  const nlohmann::json json = nlohmann::json::parse(out);
  for (const nlohmann::json& r : json.at("recipients")) {
    CHECK(r.at("kind") != "consulate");
    CHECK(r.at("agency") != "gt-minex");
  }
  const auto to_dif = RecipientsOf(json, "mx-dif-chiapas");
  REQUIRE(to_dif.size() == 4);
  const nlohmann::json& ppnna = to_dif[2];
  REQUIRE(ppnna.at("rule") == "mx-ppnna-notification");
  REQUIRE(ppnna.contains("payload"));
  const nlohmann::json& payload = ppnna.at("payload");
  CHECK(payload.at("schema") == "amparo.alert.v1");
  CHECK(payload.at("alert_id") == "dry-run");
  CHECK(payload.at("version") == 1);
  CHECK(payload.at("kind") == "rule");
  CHECK(payload.at("rule") == "mx-ppnna-notification");
  CHECK(payload.at("recipient") == nlohmann::json{{"agency", "mx-dif-chiapas"},
                                                  {"role", "child_welfare"},
                                                  {"disclosure", "child_welfare_full"},
                                                  {"time_zone", nullptr}});
  CHECK(payload.at("event").at("location").at("facility").at("id") == "INM-CHP-EM-SIGLO-XXI");
  CHECK(HasFlag(payload, "asylum_claim"));
  // The clock alerts when it warns or falls due, not now.
  CHECK(to_dif[3].at("rule") == "mx-dif-channel-24h");
  CHECK_FALSE(to_dif[3].contains("payload"));
}

TEST_CASE("route --show-payload: the consulate sees the place but not the facility") {
  std::string out;
  REQUIRE(RouteWithDirectory("gt-child-tapachula.json", true, true, &out) == 0);
  const nlohmann::json json = nlohmann::json::parse(out);
  const auto to_consulate = RecipientsOf(json, "gt-consulate-tapachula");
  REQUIRE(to_consulate.size() == 2);
  const nlohmann::json& event = to_consulate[1].at("payload").at("event");
  CHECK(event.at("location") ==
        nlohmann::json{{"country", "MX"}, {"admin1", "MX-CHP"}, {"place", "Tapachula"}});
  // vccr-37b-guardian: ack within $consular_notification_sla (24h) of 13:40Z.
  CHECK(to_consulate[1].at("payload").at("deadline") == "2026-03-03T13:40:00Z");
}

TEST_CASE("DryRunPayload: the consulate of a child who claims asylum sees no location") {
  Diagnostics diags;
  auto directory = LoadDirectoryFolder(CtlData("directory"), &diags);
  REQUIRE(directory.ok());
  Result<Event> event =
      DecodeEvent(*ReadTextFile(CtlData("events/gt-child-tapachula-asylum.json")));
  REQUIRE(event.ok());
  EventDecision decision;
  decision.disclosed = *event;
  decision.facts.age_years = 15;
  PlannedAlert planned;
  planned.about = {.kind = "rule",
                   .rule = "consular-rule",
                   .severity = Severity::kHigh,
                   .title = {{"en", "Notify the consulate"}},
                   .summary = {},
                   .legal_basis = {"VCCR art. 37(b)"},
                   .deadline = std::nullopt};
  Recipient& consulate = planned.recipient;
  consulate.rule = "consular-rule";
  consulate.role = "consulate";
  consulate.agency_id = "gt-consulate-tapachula";
  consulate.kind = AgencyKind::kConsulate;
  consulate.country = "GT";
  consulate.language = "en";
  consulate.disclosure = "consular";
  const nlohmann::json payload = DryRunPayload(decision, planned, **directory);
  CHECK(payload.at("alert_id") == "dry-run");
  CHECK(payload.at("deadline").is_null());
  CHECK_FALSE(payload.at("event").contains("location"));
  // Nor anything that traces her to the authority holding her (issue 16):
  // its case number, the authority, the publisher's event id.
  CHECK_FALSE(payload.at("event").at("subject").contains("id"));
  CHECK_FALSE(payload.at("event").contains("authority"));
  CHECK(payload.at("event_id").is_null());
  CHECK(payload.at("event").at("subject").at("nationalities") == nlohmann::json::array({"GT"}));
}

TEST_CASE("route --at judges office hours when the alert goes out, as the daemon does") {
  // A Haitian boy in Darién on a Tuesday at 10:00: the court is on duty; at
  // --at Saturday 10:00 SENNIAF acts. The shipped rules and directory.
  const auto route = [](const std::string& at) {
    std::ostringstream s;
    RouteOptions options;
    options.rules_dir = testing::SourceFile("rules");
    options.directory_dir = testing::SourceFile("config/directory");
    options.event_file = CtlData("events/ht-child-darien.json");
    options.at = at;
    options.json = true;
    REQUIRE(RunRoute(options, s) == 0);
    std::set<std::string> child_welfare;
    const nlohmann::json json = nlohmann::json::parse(s.str());
    for (const auto& r : json.at("recipients")) {
      if (r.at("role") == "child_welfare") child_welfare.insert(r.at("agency"));
    }
    return child_welfare;
  };
  CHECK(route("") == std::set<std::string>{"pa-juzgado-darien"});
  CHECK(route("2026-03-03T14:59:00Z") == std::set<std::string>{"pa-juzgado-darien"});
  CHECK(route("2026-03-07T10:00:00-05:00") == std::set<std::string>{"pa-senniaf"});
  CHECK(route("2026-03-03T22:00:00Z") == std::set<std::string>{"pa-senniaf"});
  // A public holiday of Panama's calendar (3 November, a Tuesday in 2026):
  // SENNIAF even at 10:00; a working Wednesday after it, the court.
  CHECK(route("2026-11-03T10:00:00-05:00") == std::set<std::string>{"pa-senniaf"});
  CHECK(route("2026-11-11T10:00:00-05:00") == std::set<std::string>{"pa-juzgado-darien"});

  std::ostringstream bad;
  RouteOptions options;
  options.rules_dir = testing::SourceFile("rules");
  options.event_file = CtlData("events/ht-child-darien.json");
  options.at = "tuesday";
  CHECK(RunRoute(options, bad) == 64);  // EX_USAGE
  CHECK(bad.str().rfind("--at tuesday: ", 0) == 0);
}

TEST_CASE("route --directory prints recipients and unrouted roles for people") {
  std::string out;
  REQUIRE(RouteWithDirectory("gt-child-tapachula.json", false, false, &out) == 0);
  CHECK(out.find("recipients:\n  gt-consulate-tapachula (consulate, GT) <- "
                 "unaccompanied-child-in-custody as consulate via mqtt "
                 "rcm/v1/alerts/gt-consulate-tapachula\n") != std::string::npos);
  CHECK(out.find("  mx-dif-chiapas (child_welfare, MX) <- clock mx-dif-channel-24h as "
                 "child_welfare via mqtt rcm/v1/alerts/mx-dif-chiapas\n") != std::string::npos);
  CHECK(out.find("unrouted:\n  ombudsman of mx-no-child-in-station: ") != std::string::npos);
}

TEST_CASE("route --show-payload prints each payload under its recipient") {
  std::string out;
  REQUIRE(RouteWithDirectory("gt-child-tapachula-asylum.json", false, true, &out) == 0);
  CHECK(out.find("      \"alert_id\": \"dry-run\",\n") != std::string::npos);
  CHECK(out.find("      (no payload now: the clock alerts when it warns or falls due)\n") !=
        std::string::npos);
  CHECK(out.find("gt-consulate-tapachula") == std::string::npos);
}

TEST_CASE("route refuses an unrouted agency the directory lacks") {
  std::string out;
  CHECK(RouteWithDirectory("gt-child-tapachula.json", true, false, &out, "nobody") ==
        78);  // EX_CONFIG
  CHECK(out.rfind("--unrouted nobody: ", 0) == 0);
}

}  // namespace
}  // namespace amparo

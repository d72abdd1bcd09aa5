// 07-report: the anonymized compliance report from a real store. A real
// amparod on the fixture Mosquitto takes events for seven Guatemalan and two
// Honduran children in Chiapas (with names and birth dates) and one
// malformed event; three of the Guatemalan consulate's alerts are
// acknowledged over MQTT. Then `amparoctl report` over the store: the
// figures match the store, every cell of fewer than five children is
// withheld, and no name, birth date, subject id, subject hash or event id
// appears in the CSV, the JSON or the chart. A bad period is a usage error.
#include <algorithm>
#include <random>
#include <set>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include "tests/integration/amparod_process.h"
#include "tests/integration/mqtt_test_client.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

std::string Day(std::chrono::hours offset) {
  const auto t = std::chrono::floor<date::days>(std::chrono::system_clock::now() + offset);
  return date::format("%F", t);
}

json Child(const std::string& event_id, const std::string& subject_id, const std::string& given,
           const std::string& nationality) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return {{"schema", "amparo.event.v1"},
          {"event_id", event_id},
          {"type", "apprehension"},
          {"occurred_at", date::format("%FT%TZ", now)},
          {"authority", {{"country", "MX"}, {"agency", "INM"}}},
          {"location",
           {{"country", "MX"},
            {"admin1", "MX-CHP"},
            {"place", "Tapachula"},
            {"facility", {{"id", "mx-chp-bp-1"}, {"type", "border_post"}}}}},
          {"subject",
           {{"id", subject_id},
            {"name", {{"given", given}, {"family", "Zapeta"}}},
            {"birth_date", "2010-08-14"},
            {"age", {{"years", 15}, {"basis", "document"}}},
            {"sex", "F"},
            {"nationalities", {nationality}},
            {"accompaniment", "unaccompanied"}}}};
}

int RunReportCli(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv = {AMPAROCTL_PATH, "report"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, output);
}

TEST_CASE("report: amparoctl report over a real store withholds small cells and names no child") {
  TempDir dir;
  const int port = FixtureBrokerPort();
  const std::string run = std::to_string(std::random_device{}());
  AmparodProcess daemon(dir, port);
  REQUIRE(daemon.Start());
  MqttTestClient client(port, "report-test-" + run);
  client.Subscribe("rcm/v1/alerts/#");

  std::vector<json> events;
  for (int i = 0; i < 7; ++i) {
    events.push_back(Child("report-" + run + "-gt-" + std::to_string(i),
                           "GT-CASE-" + run + "-" + std::to_string(i),
                           "Rosalinda" + std::to_string(i), "GT"));
  }
  for (int i = 0; i < 2; ++i) {
    events.push_back(Child("report-" + run + "-hn-" + std::to_string(i),
                           "HN-CASE-" + run + "-" + std::to_string(i),
                           "Yessenia" + std::to_string(i), "HN"));
  }
  for (const json& e : events) REQUIRE(client.Publish("rcm/v1/events/MX/INM", e.dump()));
  REQUIRE(client.Publish("rcm/v1/events/MX/INM", "{not json"));
  const std::string db = daemon.db_path();
  REQUIRE(WaitUntil(
      [&] {
        return QueryInt(db, "SELECT COUNT(*) FROM events WHERE state = 'processed'") == 9 &&
               QueryInt(db, "SELECT COUNT(*) FROM dead_letters") == 1;
      },
      30s));
  const std::string consulate = "gt-consulate-tapachula";
  REQUIRE(WaitUntil(
      [&] {
        return QueryInt(db, "SELECT COUNT(*) FROM deliveries WHERE agency_id = '" + consulate +
                                "' AND state = 'delivered'") == 7;
      },
      30s));
  const std::vector<std::string> gt_alerts = QueryStrings(
      db, "SELECT alert_id FROM alerts WHERE agency_id = '" + consulate + "' ORDER BY alert_id");
  REQUIRE(gt_alerts.size() == 7);
  for (int i = 0; i < 3; ++i) {
    const json ack = {{"alert_id", gt_alerts[i]}, {"version", 1}, {"by", "cónsul de guardia"}};
    REQUIRE(client.Publish("rcm/v1/acks/" + consulate, ack.dump()));
  }
  REQUIRE(WaitUntil([&] { return QueryInt(db, "SELECT COUNT(*) FROM acks") == 3; }, 30s));
  REQUIRE(daemon.Terminate() == 0);

  const std::string directory = std::string(AMPARO_SOURCE_DIR) + "/config/directory";
  std::string output;
  const int rc = RunReportCli(
      {"--db", db, "--directory", directory, "--from", Day(-24h), "--to", Day(48h), "--csv",
       dir.File("report.csv"), "--json", dir.File("report.json"), "--svg", dir.File("report.svg")},
      &output);
  INFO(output);
  REQUIRE(rc == 0);
  const std::string csv = ReadFile(dir.File("report.csv"));
  const std::string text = ReadFile(dir.File("report.json"));
  const std::string svg = ReadFile(dir.File("report.svg"));

  // No personal field, nor anything that points at one child.
  std::vector<std::string> personal = {"Rosalinda", "Yessenia", "Zapeta",       "2010-08-14",
                                       "GT-CASE-",  "HN-CASE-", "report-" + run};
  for (const std::string& key : QueryStrings(db, "SELECT DISTINCT subject_key FROM alerts")) {
    personal.push_back(key);
  }
  for (const std::string& p : personal) {
    INFO(p);
    CHECK(csv.find(p) == std::string::npos);
    CHECK(text.find(p) == std::string::npos);
    CHECK(svg.find(p) == std::string::npos);
  }

  // Each agency's total: published with the store's figures at five children
  // or more, withheld under five.
  const json report = json::parse(text);
  std::set<std::string> seen;
  for (const json& cell : report["agencies"]) {
    const std::string agency = cell["agency"];
    seen.insert(agency);
    const long long children = QueryInt(
        db, "SELECT COUNT(DISTINCT subject_key) FROM alerts WHERE agency_id = '" + agency + "'");
    INFO(agency << " has " << children << " children");
    CHECK(cell["suppressed"] == (children < 5));
    if (children < 5) {
      CHECK(cell["children"].is_null());
      CHECK(cell["alerts"].is_null());
      CHECK(cell["deadlines"]["met"].is_null());
    } else {
      CHECK(cell["children"] == children);
    }
  }
  CHECK(seen.size() ==
        static_cast<size_t>(QueryInt(db, "SELECT COUNT(DISTINCT agency_id) FROM alerts")));
  CHECK(seen.contains("hn-consulate-tapachula"));  // Two children: withheld.
  const json gt = *std::find_if(report["agencies"].begin(), report["agencies"].end(),
                                [&](const json& c) { return c["agency"] == consulate; });
  CHECK(gt["state"] == "GT");
  CHECK(gt["children"] == 7);
  CHECK(gt["deadlines"]["met"] == 3);
  CHECK(gt["deadlines"]["pending"] == 4);
  CHECK(gt["deadlines"]["missed"] == 0);
  CHECK(!gt["event_to_delivery"]["median_minutes"].is_null());
  CHECK(!gt["event_to_ack"]["p90_minutes"].is_null());
  for (const json& cell : report["rules"])
    CHECK((cell["suppressed"].get<bool>() || cell["children"].get<int>() >= 5));
  REQUIRE(report["dead_letters"].size() == 1);
  CHECK(report["dead_letters"][0]["state"] == "MX");
  CHECK(report["dead_letters"][0]["suppressed"] == true);
  CHECK(svg.find(consulate + " (GT)") != std::string::npos);
  CHECK(csv.find("agency,GT," + consulate + ",,,false,7,7,") != std::string::npos);

  // Bad periods and a k under five are usage errors (64); a missing store is 66.
  output.clear();
  CHECK(RunReportCli({"--db", db, "--directory", directory, "--from", Day(0h), "--to", Day(-24h)},
                     &output) == 64);
  CHECK(output.find("the period is empty") != std::string::npos);
  CHECK(RunReportCli({"--db", db, "--directory", directory, "--from", "yesterday", "--to", Day(0h)},
                     &output) == 64);
  CHECK(RunReportCli({"--db", db, "--directory", directory, "--from", Day(-24h), "--to", Day(0h),
                      "--k", "3"},
                     &output) == 64);
  CHECK(RunReportCli({"--db", dir.File("nothing.db"), "--directory", directory, "--from", Day(-24h),
                      "--to", Day(0h)},
                     &output) == 66);
}

}  // namespace
}  // namespace amparo::testing

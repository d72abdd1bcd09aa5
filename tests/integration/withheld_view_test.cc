// 03-withheld-view: the code-level safeguard on its own. amparod runs a copy
// of the shipped rules WITHOUT the asylum inhibit, so the consulate and the
// child welfare of the state a child who claims asylum may be fleeing do get
// alerts; every field of what reaches them over a real Mosquitto must still
// say nothing of where the child is: no authority, no place, no local
// offset, no subject id or event id that traces the child.
#include <filesystem>
#include <functional>
#include <random>
#include <regex>
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

// The shipped rule files copied to `to`, international.yaml cut before its
// `inhibit:` section. Fails the test if there is no inhibit to cut.
void CopyRulesWithoutInhibit(const std::filesystem::path& to) {
  std::filesystem::create_directories(to);
  const std::filesystem::path from = std::filesystem::path(AMPARO_SOURCE_DIR) / "rules";
  for (const auto& entry : std::filesystem::directory_iterator(from)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    std::string text = ReadFile(entry.path());
    if (entry.path().filename() == "international.yaml") {
      const size_t cut = text.find("\ninhibit:");
      REQUIRE(cut != std::string::npos);
      text.resize(cut + 1);
    }
    REQUIRE(text.find("\ninhibit:") == std::string::npos);
    WriteFile(to / entry.path().filename(), text);
  }
}

std::string ChiapasTime(std::chrono::hours from_now) {
  const auto local = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                              from_now - std::chrono::hours(6));
  return date::format("%FT%T-06:00", local);
}

// A Guatemalan girl alone who claims asylum, held in Tapachula by INM.
json Claimant(const std::string& event_id, const std::string& subject_id) {
  return {{"schema", "amparo.event.v1"},
          {"event_id", event_id},
          {"type", "apprehension"},
          {"occurred_at", ChiapasTime(0h)},
          {"authority", {{"country", "MX"}, {"agency", "INM"}, {"office", "Tapachula"}}},
          {"location",
           {{"country", "MX"},
            {"admin1", "MX-CHP"},
            {"place", "Tapachula"},
            {"facility", {{"id", "mx-chp-bp-7"}, {"type", "border_post"}}}}},
          {"subject",
           {{"id", subject_id},
            {"age", {{"years", 15}, {"basis", "declared"}}},
            {"sex", "F"},
            {"nationalities", {"GT"}},
            {"languages", {"es"}},
            {"accompaniment", "unaccompanied"},
            {"flags", {"asylum_claim"}}}}};
}

// Calls `visit` with the path and value of every string in `j`.
void EachString(const json& j, const std::string& path,
                const std::function<void(const std::string&, const std::string&)>& visit) {
  if (j.is_string()) {
    visit(path, j.get<std::string>());
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) EachString(value, path + "." + key, visit);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      EachString(j[i], path + "[" + std::to_string(i) + "]", visit);
  }
}

// Checks every field of an alert to an agency of the child's state.
void CheckWithheld(const json& alert, const std::string& subject_id, const std::string& event_id) {
  INFO(alert.dump(2));
  const std::set<std::string> top = {
      "schema", "alert_id", "version", "kind", "rule", "severity", "language", "title", "summary",
      "legal_basis", "deadline", "event_id", "recipient", "event", "acknowledge", "escalated_from",
      // A clock alert's deadline: its id (the rule's prefix), UTC
      // times and the opaque ids of the obligation's alerts,
      // each string checked below like every other.
      "clock"};
  for (const auto& [key, value] : alert.items()) {
    INFO(key);
    CHECK(top.count(key) == 1);
  }
  CHECK(alert["event_id"].is_null());
  const json& event = alert["event"];
  for (const auto& [key, value] : event.items()) {
    INFO("event." << key);
    // Not authority, location, transfer nor reintegration.
    CHECK(std::set<std::string>{"type", "occurred_at", "subject", "return", "release"}.count(key) ==
          1);
  }
  if (event.contains("subject")) {
    CHECK_FALSE(event["subject"].contains("id"));
    for (const auto& flag : event["subject"].value("flags", json::array())) {
      CHECK(flag != "asylum_claim");
      CHECK(flag != "fear_of_return");
    }
  }
  if (event.contains("return")) CHECK_FALSE(event["return"].contains("port"));
  // Every time in UTC, and no string anywhere names the place, the authority
  // or the case. The recipient's own id and acknowledgement topic name the
  // recipient, which it knows.
  const std::regex rfc3339(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)");
  const std::regex offset(R"([+-]\d\d:\d\d$)");
  EachString(alert, "", [&](const std::string& path, const std::string& value) {
    if (path == ".recipient.agency" || path.rfind(".acknowledge.", 0) == 0) return;
    INFO(path << " = " << value);
    if (std::regex_search(value, rfc3339)) {
      CHECK(value.back() == 'Z');
      CHECK_FALSE(std::regex_search(value, offset));
    }
    for (const std::string& secret :
         {std::string("Tapachula"), std::string("MX-CHP"), std::string("Chiapas"),
          std::string("INM"), std::string("mx-chp-bp-7"), subject_id, event_id}) {
      CHECK(value.find(secret) == std::string::npos);
    }
    CHECK(value != "MX");
  });
}

TEST_CASE(
    "without the asylum inhibit, the child's state still learns nothing of where she is: "
    "every field of its alerts") {
  TempDir dir;
  CopyRulesWithoutInhibit(dir.File("rules-no-inhibit"));
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port, {.rules_dir = dir.File("rules-no-inhibit")});
  const std::string run = std::to_string(std::random_device{}());
  MqttTestClient client(port, "withheld-test-" + run);
  client.Subscribe("rcm/v1/alerts/#");
  REQUIRE(daemon.Start());
  const std::string db = daemon.db_path();

  // Held 80 hours ago, returned to Guatemala 73 hours ago: the return's
  // 72-hour reception clock (rt-reunification-or-care, for the receiving
  // child welfare) is overdue as soon as the return is processed, so its
  // alerts are raised by the clock watcher, after the events.
  const std::string subject_id = "case-withheld-" + run;
  const std::string custody_id = "inm-chp-" + run + "-1";
  const std::string return_id = "inm-chp-" + run + "-2";
  json custody = Claimant(custody_id, subject_id);
  custody["occurred_at"] = ChiapasTime(-80h);
  json back = Claimant(return_id, subject_id);
  back["type"] = "return";
  back["occurred_at"] = ChiapasTime(-73h);
  back["return"] = {
      {"to_country", "GT"}, {"port", "Tecún Umán"}, {"scheduled_at", ChiapasTime(-73h)}};
  for (const json& e : {custody, back}) {
    REQUIRE(client.Publish("rcm/v1/events/MX/INM", e.dump()));
    const std::string id = e["event_id"];
    REQUIRE(WaitUntil(
        [&] {
          return QueryInt(db, "SELECT COUNT(*) FROM events WHERE event_id = '" + id +
                                  "' AND state = 'processed'") == 1;
        },
        20s));
  }
  // Without the inhibit the rules do address Guatemala: its consulate (art.
  // 37(b), the return) and its child welfare (the return, the reception
  // clock). That is the mistake the code must survive. What the events
  // themselves raised for Guatemala was cancelled in their own transaction
  // (the claim cancels every delivery to the child's state still waiting).
  const std::string gt =
      "FROM deliveries d JOIN alerts a ON a.alert_id = d.alert_id WHERE "
      "a.agency_id LIKE 'gt-%'";
  REQUIRE(QueryInt(db, "SELECT COUNT(*) " + gt + " AND a.rule_id NOT LIKE 'rt-%'") >= 2);
  CHECK(QueryInt(db, "SELECT COUNT(*) " + gt +
                         " AND a.rule_id NOT LIKE 'rt-%' AND d.state != "
                         "'cancelled'") == 0);
  // The clock's alerts, raised later, do go out: through the view alone.
  REQUIRE(WaitUntil(
      [&] {
        return QueryInt(db, "SELECT COUNT(*) " + gt +
                                " AND a.rule_id LIKE 'rt-%' AND d.state "
                                "= 'delivered'") >= 1;
      },
      20s));
  std::vector<json> to_guatemala;
  REQUIRE(WaitUntil(
      [&] {
        to_guatemala.clear();
        for (const auto& m : client.Received()) {
          if (m.topic.rfind("rcm/v1/alerts/gt-", 0) == 0)
            to_guatemala.push_back(json::parse(m.payload));
        }
        return !to_guatemala.empty();
      },
      10s));
  bool reception = false;
  for (const json& alert : to_guatemala) {
    reception =
        reception || (alert["recipient"]["agency"] == "gt-sbs" &&
                      alert["rule"].get<std::string>().rfind("rt-reunification-or-care", 0) == 0);
    CheckWithheld(alert, subject_id, custody_id);
    CheckWithheld(alert, subject_id, return_id);
    // The view still says what Guatemala must act on: a child of its own,
    // returned to it, and when.
    CHECK(alert["event"]["type"] == "return");
    CHECK(alert["event"]["return"]["to_country"] == "GT");
    CHECK(alert["event"]["subject"]["nationalities"] == json::array({"GT"}));
  }
  CHECK(reception);

  // Control: Mexico's child welfare, an organ of the state the child is in,
  // sees the place, the authority, the case and the local time.
  bool control = false;
  REQUIRE(WaitUntil(
      [&] {
        for (const auto& m : client.Received()) {
          if (m.topic != "rcm/v1/alerts/mx-dif-chiapas") continue;
          const json alert = json::parse(m.payload);
          if (alert["event_id"] != custody_id) continue;
          control = alert["event"]["location"]["place"] == "Tapachula" &&
                    alert["event"]["authority"]["agency"] == "INM" &&
                    alert["event"]["subject"]["id"] == subject_id &&
                    alert["event"]["occurred_at"] == custody["occurred_at"];
          if (control) return true;
        }
        return false;
      },
      10s));
  CHECK(control);
  CHECK(daemon.Terminate() == 0);
}

}  // namespace
}  // namespace amparo::testing

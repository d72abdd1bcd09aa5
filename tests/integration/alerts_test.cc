// 02-alerts: an event in, the right agencies alerted over a real Mosquitto,
// with the shipped rules (rules/) and sample directory (config/directory/).
#include <map>
#include <random>
#include <set>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include "daemon/core/keyed_hash.h"
#include "daemon/event/event_codec.h"
#include "daemon/store/event_store.h"
#include "tests/integration/amparod_process.h"
#include "tests/integration/mqtt_test_client.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

const std::string kTopic = "rcm/v1/events/MX/INM";

std::string RunId() { return std::to_string(std::random_device{}()); }

// `ago` before now, as Chiapas writes it (UTC-06:00). Events in these tests
// happen now, so that no legal clock is already overdue when they arrive.
std::string ChiapasTime(std::chrono::hours ago = std::chrono::hours(0)) {
  const auto local = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                              ago - std::chrono::hours(6));
  return date::format("%FT%T-06:00", local);
}

// A 15-year-old Guatemalan girl alone, apprehended at a border post in
// Tapachula, Chiapas.
json GuatemalanChild(const std::string& event_id, const std::string& subject_id) {
  return {{"schema", "amparo.event.v1"},
          {"event_id", event_id},
          {"type", "apprehension"},
          {"occurred_at", ChiapasTime()},
          {"authority", {{"country", "MX"}, {"agency", "INM"}}},
          {"location",
           {{"country", "MX"},
            {"admin1", "MX-CHP"},
            {"place", "Tapachula"},
            {"facility", {{"id", "mx-chp-bp-1"}, {"type", "border_post"}}}}},
          {"subject",
           {{"id", subject_id},
            {"age", {{"years", 15}, {"basis", "declared"}}},
            {"sex", "F"},
            {"nationalities", {"GT"}},
            {"accompaniment", "unaccompanied"}}}};
}

// Alerts received, keyed by agency (the last topic level), for one subject.
std::map<std::string, std::vector<json>> AlertsFor(MqttTestClient& client,
                                                   const std::string& event_prefix) {
  std::map<std::string, std::vector<json>> by_agency;
  for (const auto& m : client.Received()) {
    if (m.topic.rfind("rcm/v1/alerts/", 0) != 0) continue;
    json alert = json::parse(m.payload);
    if (alert.value("event_id", "").rfind(event_prefix, 0) != 0) continue;
    by_agency[m.topic.substr(std::string("rcm/v1/alerts/").size())].push_back(alert);
  }
  return by_agency;
}

std::set<std::string> Agencies(const std::map<std::string, std::vector<json>>& by_agency) {
  std::set<std::string> out;
  for (const auto& [agency, alerts] : by_agency) out.insert(agency);
  return out;
}

struct Harness {
  TempDir dir;
  int port = FixtureBrokerPort();
  AmparodProcess daemon{dir, port};
  std::string run = RunId();
  MqttTestClient client{port, "alerts-test-" + run};

  Harness() {
    client.Subscribe("rcm/v1/alerts/#");
    client.Subscribe("rcm/v1/receipts/#");
    REQUIRE(daemon.Start());
  }
  // Publishes and waits until the daemon has processed the event.
  // Publishes on the topic of the event's own authority (a payload naming
  // another authority than its topic's is a dead letter).
  void Publish(const json& event) {
    const std::string topic = "rcm/v1/events/" + event["authority"]["country"].get<std::string>() +
                              "/" + event["authority"]["agency"].get<std::string>();
    REQUIRE(client.Publish(topic, event.dump()));
    const std::string id = event["event_id"];
    REQUIRE(WaitUntil(
        [&] {
          return QueryInt(daemon.db_path(), "SELECT COUNT(*) FROM events WHERE event_id = '" + id +
                                                "' AND state = 'processed'") == 1;
        },
        20s));
  }
  // Waits until every delivery row is delivered, then a little for stragglers.
  void AwaitDeliveries() {
    REQUIRE(WaitUntil(
        [&] {
          return QueryInt(daemon.db_path(),
                          "SELECT COUNT(*) FROM deliveries WHERE state != 'delivered'") == 0;
        },
        20s));
  }
};

TEST_CASE(
    "a Guatemalan child alone in Tapachula: her consulate and Chiapas child welfare, "
    "no one else") {
  Harness h;
  h.Publish(GuatemalanChild("gt-" + h.run + "-1", "case-gt-" + h.run));
  h.AwaitDeliveries();
  REQUIRE(WaitUntil([&] { return AlertsFor(h.client, "gt-" + h.run).size() >= 2; }, 10s));
  const auto alerts = AlertsFor(h.client, "gt-" + h.run);
  CHECK(Agencies(alerts) == std::set<std::string>{"gt-consulate-tapachula", "mx-dif-chiapas"});
  const json& consular = alerts.at("gt-consulate-tapachula").front();
  CHECK(consular["schema"] == "amparo.alert.v1");
  CHECK(consular["language"] == "es");
  CHECK(consular["event"]["location"]["admin1"] == "MX-CHP");
  CHECK(consular["recipient"]["role"] == "consulate");
  CHECK_FALSE(consular["legal_basis"].empty());
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE("the same child claiming asylum: the consulate learns nothing, child welfare does") {
  Harness h;
  json event = GuatemalanChild("asy-" + h.run + "-1", "case-asy-" + h.run);
  event["subject"]["flags"] = {"asylum_claim"};
  h.Publish(event);
  h.AwaitDeliveries();
  REQUIRE(
      WaitUntil([&] { return AlertsFor(h.client, "asy-" + h.run).count("mx-dif-chiapas"); }, 10s));
  const auto alerts = AlertsFor(h.client, "asy-" + h.run);
  CHECK(alerts.count("gt-consulate-tapachula") == 0);
  CHECK(alerts.count("gt-minex") == 0);
  bool flagged = false;
  for (const json& a : alerts.at("mx-dif-chiapas")) {
    for (const auto& f : a["event"]["subject"].value("flags", json::array())) {
      if (f == "asylum_claim") flagged = true;
    }
  }
  CHECK(flagged);
  CHECK(QueryInt(h.daemon.db_path(), "SELECT COUNT(*) FROM alerts WHERE agency_id LIKE 'gt-%'") ==
        0);
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE("the return of a girl who fears return: nothing reaches the state she flees") {
  Harness h;
  json back = GuatemalanChild("fear-" + h.run, "case-fear-" + h.run);
  back["type"] = "return";
  back["subject"]["nationalities"] = {"SV"};
  back["subject"]["flags"] = {"fear_of_return"};
  back["return"] = {{"to_country", "SV"}, {"port", "Frontera La Hachadura"}};
  h.Publish(back);
  h.AwaitDeliveries();
  REQUIRE(WaitUntil([&] { return AlertsFor(h.client, "fear-" + h.run).count("duty-officer") == 1; },
                    10s));
  const auto alerts = AlertsFor(h.client, "fear-" + h.run);
  for (const char* salvadoran : {"sv-conapina", "sv-consulate-tapachula", "sv-rree"}) {
    INFO(salvadoran);
    CHECK(alerts.count(salvadoran) == 0);
  }
  CHECK(QueryInt(h.daemon.db_path(), "SELECT COUNT(*) FROM alerts WHERE agency_id LIKE 'sv-%'") ==
        0);
  // The duty officer sees the return, and why it must stop.
  bool told = false;
  for (const json& a : alerts.at("duty-officer")) {
    if (a["rule"] == "return-of-child-who-fears-return") {
      told = a["event"]["return"]["port"] == "Frontera La Hachadura";
    }
  }
  CHECK(told);
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE("an adult, and a child with her mother in Texas: no alert") {
  Harness h;
  json adult = GuatemalanChild("adult-" + h.run, "case-adult-" + h.run);
  adult["subject"]["age"] = {{"years", 34}, {"basis", "document"}};
  adult["subject"]["accompaniment"] = "accompanied";
  h.Publish(adult);
  json with_mother = GuatemalanChild("mother-" + h.run, "case-mother-" + h.run);
  with_mother["authority"] = {{"country", "US"}, {"agency", "CBP-USBP"}};
  with_mother["location"] = {{"country", "US"},
                             {"admin1", "US-TX"},
                             {"facility", {{"id", "rgv-1"}, {"type", "border_post"}}}};
  with_mother["subject"]["accompaniment"] = "accompanied";
  with_mother["subject"]["companions"] = {{{"relation", "parent"}}};
  h.Publish(with_mother);
  CHECK(QueryInt(h.daemon.db_path(), "SELECT COUNT(*) FROM alerts") == 0);
  CHECK(QueryInt(h.daemon.db_path(), "SELECT COUNT(*) FROM deliveries") == 0);
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE(
    "a child with her mother in Mexico: only the Procuraduría, as LM art. 112 requires "
    "for every child, and never her consulate") {
  Harness h;
  json with_mother = GuatemalanChild("mxmother-" + h.run, "case-mxmother-" + h.run);
  with_mother["subject"]["accompaniment"] = "accompanied";
  with_mother["subject"]["companions"] = {{{"relation", "parent"}}};
  h.Publish(with_mother);
  h.AwaitDeliveries();
  REQUIRE(WaitUntil([&] { return !AlertsFor(h.client, "mxmother-" + h.run).empty(); }, 10s));
  CHECK(Agencies(AlertsFor(h.client, "mxmother-" + h.run)) ==
        std::set<std::string>{"mx-dif-chiapas"});
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE("the same event twice, and again after a restart: one alert per recipient") {
  Harness h;
  const json event = GuatemalanChild("dup-" + h.run, "case-dup-" + h.run);
  h.Publish(event);
  REQUIRE(h.client.Publish(kTopic, event.dump()));
  h.AwaitDeliveries();
  REQUIRE(h.daemon.Terminate() == 0);
  REQUIRE(h.daemon.Start());
  REQUIRE(h.client.Publish(kTopic, event.dump()));
  REQUIRE(WaitUntil(
      [&] {
        return QueryInt(h.daemon.db_path(),
                        "SELECT value FROM counters WHERE name = 'duplicates'") == 2;
      },
      20s));
  h.AwaitDeliveries();
  CHECK(QueryInt(h.daemon.db_path(), "SELECT COUNT(*) FROM alerts") == 2);
  CHECK(QueryInt(h.daemon.db_path(), "SELECT COUNT(*) FROM deliveries") == 2);
  const auto alerts = AlertsFor(h.client, "dup-" + h.run);
  CHECK(alerts.at("gt-consulate-tapachula").size() == 1);
  CHECK(alerts.at("mx-dif-chiapas").size() == 1);
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE("killed after storing but before processing: the event is processed at restart") {
  TempDir dir;
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port);
  const std::string run = RunId();
  MqttTestClient client(port, "killed-test-" + run);
  client.Subscribe("rcm/v1/alerts/#");
  REQUIRE(daemon.Start());
  REQUIRE(daemon.Terminate() == 0);  // migrations done; now the daemon is down

  // The state SIGKILL leaves between the ingest commit and the pipeline's:
  // the event row is there, pending.
  const std::string payload = GuatemalanChild("pend-" + run, "case-pend-" + run).dump();
  auto store = EventStore::Open({daemon.db_path(), Durability::kProcess});
  REQUIRE(store.ok());
  auto event = DecodeEvent(payload);
  REQUIRE(event.ok());
  const std::string body = EncodeEvent(*event);
  const Instant now = SystemClock().Now();
  const std::string subject_key =
      SubjectHasher(ReadFile(dir.File("deployment.key"))).Hash(event->subject.id);
  REQUIRE((*store)
              ->InsertEvent({event->event_id, kTopic, "apprehension", subject_key, body,
                             event->occurred_at.utc, now})
              .ok());
  store->reset();

  REQUIRE(daemon.Start());
  REQUIRE(WaitUntil([&] { return AlertsFor(client, "pend-" + run).size() == 2; }, 20s));
  CHECK(QueryInt(daemon.db_path(), "SELECT COUNT(*) FROM events WHERE state = 'pending'") == 0);
  CHECK(daemon.Terminate() == 0);
}

TEST_CASE("killed between a send and its confirmation: sent again with the same alert id") {
  Harness h;
  h.Publish(GuatemalanChild("resend-" + h.run, "case-resend-" + h.run));
  h.AwaitDeliveries();
  REQUIRE(WaitUntil([&] { return AlertsFor(h.client, "resend-" + h.run).size() == 2; }, 10s));
  const std::string first_id =
      AlertsFor(h.client, "resend-" + h.run).at("gt-consulate-tapachula").front()["alert_id"];
  h.daemon.Kill();
  // What a SIGKILL after the PUBACK but before MarkDelivered leaves behind.
  std::string out;
  REQUIRE(RunCommand({"sqlite3", h.daemon.db_path(),
                      "UPDATE deliveries SET state = 'pending', delivered_at_ms = NULL "
                      "WHERE agency_id = 'gt-consulate-tapachula'"},
                     &out) == 0);
  REQUIRE(h.daemon.Start());
  REQUIRE(WaitUntil(
      [&] {
        auto a = AlertsFor(h.client, "resend-" + h.run);
        return a.count("gt-consulate-tapachula") && a.at("gt-consulate-tapachula").size() == 2;
      },
      20s));
  const auto alerts = AlertsFor(h.client, "resend-" + h.run).at("gt-consulate-tapachula");
  CHECK(alerts[1]["alert_id"] == first_id);  // the receiver can drop the repeat
  CHECK(alerts[1]["version"] == alerts[0]["version"]);
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE("a Nicaraguan child in Tapachula: the consular district follows the post's closing") {
  Harness h;
  json before = GuatemalanChild("ni-before-" + h.run, "case-ni-a-" + h.run);
  before["subject"]["nationalities"] = {"NI"};
  before["occurred_at"] = "2024-01-19T10:00:00-06:00";
  h.Publish(before);
  json after = GuatemalanChild("ni-after-" + h.run, "case-ni-b-" + h.run);
  after["subject"]["nationalities"] = {"NI"};
  after["occurred_at"] = "2024-01-21T10:00:00-06:00";
  h.Publish(after);
  h.AwaitDeliveries();
  REQUIRE(WaitUntil(
      [&] {
        return !AlertsFor(h.client, "ni-before-" + h.run).empty() &&
               !AlertsFor(h.client, "ni-after-" + h.run).empty();
      },
      10s));
  const auto before_agencies = Agencies(AlertsFor(h.client, "ni-before-" + h.run));
  const auto after_agencies = Agencies(AlertsFor(h.client, "ni-after-" + h.run));
  CHECK(before_agencies.count("ni-consulate-tapachula") == 1);
  CHECK(before_agencies.count("ni-consulate-mexico-city") == 0);
  CHECK(after_agencies.count("ni-consulate-tapachula") == 0);
  CHECK(after_agencies.count("ni-consulate-mexico-city") == 1);
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE("a legal clock past its due time alerts at once, one stopped in time never fires") {
  Harness h;
  // Channelled to DIF within the SLA: the transfer stops the clock.
  json in_time = GuatemalanChild("clk-ok-" + h.run, "case-clk-ok-" + h.run);
  h.Publish(in_time);
  json transfer = in_time;
  transfer["event_id"] = "clk-ok-" + h.run + "-transfer";
  transfer["type"] = "transfer";
  transfer["transfer"] = {{"to", {{"agency", "DIF Chiapas"}, {"kind", "child_welfare"}}}};
  h.Publish(transfer);
  // Apprehended 30 hours ago and never channelled: the 24-hour SLA is past.
  json overdue = GuatemalanChild("clk-late-" + h.run, "case-clk-late-" + h.run);
  overdue["occurred_at"] = ChiapasTime(std::chrono::hours(30));
  h.Publish(overdue);

  auto clock_alerts = [&](const std::string& prefix, const std::string& kind) {
    std::set<std::string> agencies;
    for (const auto& [agency, alerts] : AlertsFor(h.client, prefix)) {
      for (const json& a : alerts) {
        if (a["kind"] == kind && a["rule"] == "mx-2-4-dif-channelling:due") agencies.insert(agency);
      }
    }
    return agencies;
  };
  REQUIRE(WaitUntil([&] { return clock_alerts("clk-late-", "clock_due").size() >= 3; }, 20s));
  CHECK(clock_alerts("clk-late-" + h.run, "clock_due") ==
        std::set<std::string>{"mx-dif-chiapas", "mx-cndh", "duty-officer"});
  CHECK(clock_alerts("clk-ok-" + h.run, "clock_due").empty());
  // Each says which deadline, and links to the alerts the apprehension raised.
  const std::vector<std::string> raised = QueryStrings(
      h.daemon.db_path(), "SELECT alert_id FROM alerts WHERE opening_event_id = 'clk-late-" +
                              h.run + "' AND rule_id NOT LIKE '%:%' ORDER BY alert_id");
  REQUIRE_FALSE(raised.empty());
  int linked = 0;
  for (const auto& [agency, alerts] : AlertsFor(h.client, "clk-late-" + h.run)) {
    for (const json& a : alerts) {
      if (a["kind"] != "clock_due") continue;
      INFO(a.dump());
      CHECK(a["clock"]["id"] == "mx-2-4-dif-channelling");
      CHECK(a["clock"]["due_at"] == a["deadline"]);
      CHECK(a["clock"]["originating_alerts"].get<std::vector<std::string>>() == raised);
      ++linked;
    }
  }
  CHECK(linked >= 3);
  CHECK(QueryInt(h.daemon.db_path(),
                 "SELECT COUNT(*) FROM clocks WHERE clock_id = 'mx-2-4-dif-channelling' "
                 "AND state = 'stopped'") == 1);
  CHECK(h.daemon.Terminate() == 0);
}

TEST_CASE(
    "a restitution plan reported before a restart clears the return after it, and a return with "
    "no plan on record is critical") {
  Harness h;
  // The Procuraduría's plan for one girl, reported on a case_update.
  json plan = GuatemalanChild("plan-" + h.run + "-1", "case-plan-" + h.run);
  plan["type"] = "case_update";
  plan["procedure"] = {{"restitution_plan_id", "PPNNA-CHP/PRD/2026/0099"}};
  h.Publish(plan);
  CHECK(QueryInt(h.daemon.db_path(), "SELECT COUNT(*) FROM cases WHERE restitution_plan = 1") == 1);
  // The case fact lives in the store: a restart does not forget it.
  REQUIRE(h.daemon.Terminate() == 0);
  REQUIRE(h.daemon.Start());

  json back = GuatemalanChild("plan-" + h.run + "-2", "case-plan-" + h.run);
  back["type"] = "return";
  back["return"] = {{"to_country", "GT"}, {"port", "Puente Rodolfo Robles, Tecún Umán"}};
  h.Publish(back);
  json no_plan = GuatemalanChild("noplan-" + h.run, "case-noplan-" + h.run);
  no_plan["type"] = "return";
  no_plan["return"] = {{"to_country", "GT"}};
  h.Publish(no_plan);
  h.AwaitDeliveries();

  auto rules_for = [&](const std::string& prefix) {
    std::map<std::string, std::set<std::string>> by_rule;
    for (const auto& [agency, alerts] : AlertsFor(h.client, prefix)) {
      for (const json& a : alerts) by_rule[a["rule"]].insert(agency);
    }
    return by_rule;
  };
  REQUIRE(WaitUntil(
      [&] {
        return rules_for("plan-" + h.run).count("return-notify-receiving-child-welfare") &&
               rules_for("noplan-" + h.run).count("mx-3-7-return-without-restitution-plan") &&
               rules_for("noplan-" + h.run)["mx-3-7-return-without-restitution-plan"].size() == 3;
      },
      20s));
  const auto with_plan = rules_for("plan-" + h.run);
  CHECK(with_plan.count("mx-3-7-return-without-restitution-plan") == 0);
  CHECK(with_plan.at("return-notify-receiving-child-welfare") == std::set<std::string>{"gt-sbs"});
  CHECK(rules_for("noplan-" + h.run).at("mx-3-7-return-without-restitution-plan") ==
        std::set<std::string>{"mx-dif-chiapas", "mx-cndh", "duty-officer"});
  CHECK(QueryInt(h.daemon.db_path(),
                 "SELECT COUNT(*) FROM alerts WHERE rule_id = "
                 "'mx-3-7-return-without-restitution-plan' AND severity = 'critical'") == 3);
  CHECK(h.daemon.Terminate() == 0);
}

}  // namespace
}  // namespace amparo::testing

// 03-case-linking (issue 16 item 1): a real amparod on a real SQLite file and
// Mosquitto. A Guatemalan girl alone claims asylum to INM in Tapachula under
// INM's case number; INM hands her to Chiapas's DIF, which reports her under
// its own number naming INM's (subject.previous_ids). Guatemala's consulate
// gets nothing that carries her whereabouts; the duty officer is told the
// consular notification is held. Then the bad cases: a previous number that
// names no known case, a malformed previous_ids (a dead letter naming the
// field), and a cycle of links.
#include <random>
#include <string>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include "tests/integration/amparod_process.h"
#include "tests/integration/mqtt_test_client.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

std::string ChiapasTime(std::chrono::seconds later) {
  const auto local = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                              later - std::chrono::hours(6));
  return date::format("%FT%T-06:00", local);
}

json Girl(const std::string& event_id, const std::string& agency, const std::string& subject_id,
          std::chrono::seconds later) {
  return {{"schema", "amparo.event.v1"},
          {"event_id", event_id},
          {"type", "apprehension"},
          {"occurred_at", ChiapasTime(later)},
          {"authority", {{"country", "MX"}, {"agency", agency}}},
          {"location",
           {{"country", "MX"},
            {"admin1", "MX-CHP"},
            {"place", "Tapachula"},
            {"facility", {{"id", "mx-chp-bp-3"}, {"type", "border_post"}}}}},
          {"subject",
           {{"id", subject_id},
            {"age", {{"years", 14}, {"basis", "declared"}}},
            {"sex", "F"},
            {"nationalities", {"GT"}},
            {"accompaniment", "unaccompanied"}}}};
}

class LinkingRun {
 public:
  LinkingRun()
      : port_(FixtureBrokerPort()),
        daemon_(dir_, port_),
        run_(std::to_string(std::random_device{}())),
        client_(port_, "case-linking-" + run_) {
    client_.Subscribe("rcm/v1/alerts/#");
    client_.Subscribe("rcm/v1/receipts/#");
    REQUIRE(daemon_.Start());
  }

  // Publishes `event` on its authority's topic.
  void PublishOnly(const json& event) {
    const std::string topic = "rcm/v1/events/MX/" + event["authority"]["agency"].get<std::string>();
    REQUIRE(client_.Publish(topic, event.dump()));
  }

  // Publishes `event` on its authority's topic and waits until it is processed.
  void Publish(const json& event) {
    PublishOnly(event);
    const std::string id = event["event_id"];
    REQUIRE(WaitUntil(
        [&] {
          return QueryInt(db(), "SELECT COUNT(*) FROM events WHERE event_id = '" + id +
                                    "' AND state = 'processed'") == 1;
        },
        20s));
  }

  // The alerts published to `agency` so far, parsed.
  std::vector<json> AlertsTo(const std::string& agency) {
    std::vector<json> out;
    for (const auto& m : client_.Received()) {
      if (m.topic == "rcm/v1/alerts/" + agency) out.push_back(json::parse(m.payload));
    }
    return out;
  }

  // The receipt of `event_id`, once it arrives.
  json Receipt(const std::string& event_id) {
    json found;
    REQUIRE(WaitUntil(
        [&] {
          for (const auto& m : client_.Received()) {
            if (m.topic.rfind("rcm/v1/receipts/", 0) != 0) continue;
            for (const json& r : json::parse(m.payload)) {
              if (r["event_id"] == event_id) {
                found = r;
                return true;
              }
            }
          }
          return false;
        },
        10s));
    return found;
  }

  std::string db() const { return daemon_.db_path(); }
  const std::string& run() const { return run_; }
  AmparodProcess& daemon() { return daemon_; }

 private:
  TempDir dir_;
  int port_;
  AmparodProcess daemon_;
  std::string run_;
  MqttTestClient client_;
};

TEST_CASE(
    "case linking: a claim made to INM still withholds the consulate when DIF reports the girl "
    "under its own number naming INM's") {
  LinkingRun r;
  const std::string inm_id = "INM-CHP-NNA-" + r.run();
  const std::string dif_id = "DIF-CHP-NNA-" + r.run();
  json claim = Girl("link-" + r.run() + "-1", "INM", inm_id, 0s);
  claim["subject"]["flags"] = {"asylum_claim"};
  r.Publish(claim);

  json transfer = Girl("link-" + r.run() + "-2", "INM", inm_id, 1s);
  transfer["type"] = "transfer";
  transfer["transfer"] = {{"to", {{"agency", "DIF-CHP"}, {"kind", "child_welfare"}}}};
  r.Publish(transfer);

  // DIF's report: its own number, no flags, naming INM's case.
  json dif = Girl("link-" + r.run() + "-3", "DIF-CHP", dif_id, 2s);
  dif["type"] = "detention";
  dif["location"]["facility"] = {{"id", "DIF-CHP-CAS-TAPACHULA"}, {"type", "child_welfare_centre"}};
  dif["subject"]["previous_ids"] = {inm_id};
  r.Publish(dif);

  // The duty officer is told, for DIF's event, that the notification is held.
  REQUIRE(WaitUntil(
      [&] {
        for (const json& a : r.AlertsTo("duty-officer")) {
          if (a["rule"] == "int-3-consular-notification-withheld" &&
              a["event_id"] == dif["event_id"]) {
            return true;
          }
        }
        return false;
      },
      10s));
  // Guatemala got nothing: no alert row, no message to any of its agencies.
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM alerts WHERE agency_id LIKE 'gt-%'") == 0);
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM deliveries WHERE agency_id LIKE 'gt-%'") == 0);
  for (const char* gt : {"gt-consulate-tapachula", "gt-minex"}) CHECK(r.AlertsTo(gt).empty());
  // One case; DIF's number is an alias of INM's.
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM cases") == 1);
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM case_aliases") == 1);
  CHECK(QueryInt(r.db(), "SELECT events FROM cases") == 3);
  // No pseudonym in the log or the link table.
  const std::string log = r.daemon().Log();
  CHECK(log.find(inm_id) == std::string::npos);
  CHECK(log.find(dif_id) == std::string::npos);
  CHECK(r.daemon().LogCount("linked to case=") == 1);
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM case_aliases WHERE subject_key LIKE '%" + r.run() +
                             "%' OR case_key LIKE '%" + r.run() + "%'") == 0);
  CHECK(r.daemon().Terminate() == 0);
}

TEST_CASE(
    "case linking: an unknown previous number is accepted and merges nothing, a malformed "
    "previous_ids is a dead letter naming the field, a cycle changes nothing") {
  LinkingRun r;
  const std::string a = "INM-CHP-NNA-A-" + r.run();
  const std::string b = "DIF-CHP-NNA-B-" + r.run();

  // A names B, which nobody knows yet: stored, one case, B recorded.
  json first = Girl("cycle-" + r.run() + "-1", "INM", a, 0s);
  first["subject"]["previous_ids"] = {b};
  r.Publish(first);
  CHECK(r.Receipt(first["event_id"])["status"] == "stored");
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM cases") == 1);
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM case_aliases") == 1);

  // B names A: a cycle. Nothing new is linked or merged.
  json second = Girl("cycle-" + r.run() + "-2", "DIF-CHP", b, 1s);
  second["type"] = "detention";
  second["subject"]["previous_ids"] = {a};
  r.Publish(second);
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM cases") == 1);
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM case_aliases") == 1);
  CHECK(QueryInt(r.db(), "SELECT events FROM cases") == 2);
  CHECK(r.daemon().LogCount("linked to case=") == 1);

  // A malformed list: a dead letter whose reason names the field.
  json bad = Girl("cycle-" + r.run() + "-3", "DIF-CHP", b, 2s);
  bad["subject"]["previous_ids"] = {a, 42};
  r.PublishOnly(bad);
  const json receipt = r.Receipt(bad["event_id"]);
  CHECK(receipt["status"] == "dead_letter");
  CHECK(receipt["reason"] == "subject.previous_ids[1]: expected a string, got number");
  json self = Girl("cycle-" + r.run() + "-4", "DIF-CHP", b, 2s);
  self["subject"]["previous_ids"] = {b};
  r.PublishOnly(self);
  CHECK(r.Receipt(self["event_id"])["reason"] ==
        "subject.previous_ids[0]: is subject.id itself; a case cannot succeed itself");
  CHECK(QueryInt(r.db(),
                 "SELECT COUNT(*) FROM dead_letters WHERE reason LIKE "
                 "'subject.previous_ids%'") == 2);
  CHECK(QueryInt(r.db(), "SELECT COUNT(*) FROM case_aliases") == 1);
  CHECK(r.daemon().Terminate() == 0);
}

}  // namespace
}  // namespace amparo::testing

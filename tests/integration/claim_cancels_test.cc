// 03-claim-cancels: a real amparod on a real SQLite file and Mosquitto. A
// Guatemalan and Salvadoran girl alone in Tapachula: El Salvador's consulate
// gets its alert at once; Guatemala's cannot be reached (its channel is a
// file in a folder that does not exist) and keeps retrying. She then claims
// asylum: Guatemala's delivery is cancelled and never goes out, even once
// the channel works again, and the duty officer is told what El Salvador
// had already received.
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include "tests/integration/amparod_process.h"
#include "tests/integration/mqtt_test_client.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

// The sample directory copied to `to`, Guatemala's consulate in Tapachula
// reached through a JSON-lines file at `channel_file`.
void CopyDirectoryWithFileChannel(const std::filesystem::path& to,
                                  const std::string& channel_file) {
  const std::filesystem::path from = std::filesystem::path(AMPARO_SOURCE_DIR) / "config/directory";
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  std::string gt = ReadFile(to / "gt.yaml");
  const size_t agency = gt.find("id: gt-consulate-tapachula");
  REQUIRE(agency != std::string::npos);
  const std::string mqtt = "channels: [{type: mqtt}]";
  const size_t channels = gt.find(mqtt, agency);
  REQUIRE(channels != std::string::npos);
  gt.replace(channels, mqtt.size(), "channels: [{type: file, path: \"" + channel_file + "\"}]");
  WriteFile(to / "gt.yaml", gt);
}

std::string ChiapasTime(std::chrono::seconds later) {
  const auto local = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                              later - std::chrono::hours(6));
  return date::format("%FT%T-06:00", local);
}

json Girl(const std::string& event_id, const std::string& subject_id) {
  return {{"schema", "amparo.event.v1"},
          {"event_id", event_id},
          {"type", "apprehension"},
          {"occurred_at", ChiapasTime(0s)},
          {"authority", {{"country", "MX"}, {"agency", "INM"}}},
          {"location",
           {{"country", "MX"},
            {"admin1", "MX-CHP"},
            {"place", "Tapachula"},
            {"facility", {{"id", "mx-chp-bp-3"}, {"type", "border_post"}}}}},
          {"subject",
           {{"id", subject_id},
            {"age", {{"years", 14}, {"basis", "declared"}}},
            {"sex", "F"},
            {"nationalities", {"GT", "SV"}},
            {"accompaniment", "unaccompanied"}}}};
}

TEST_CASE(
    "a claim after consular alerts cancels Guatemala's retrying delivery for good and tells the "
    "duty officer what El Salvador received") {
  TempDir dir;
  const std::string down = dir.File("down");  // does not exist yet
  const std::string channel_file = down + "/gt-consulate.jsonl";
  CopyDirectoryWithFileChannel(dir.File("directory"), channel_file);
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port, {.directory_dir = dir.File("directory")});
  const std::string run = std::to_string(std::random_device{}());
  MqttTestClient client(port, "claim-cancels-" + run);
  client.Subscribe("rcm/v1/alerts/#");
  REQUIRE(daemon.Start());
  const std::string db = daemon.db_path();

  auto publish = [&](const json& event) {
    REQUIRE(client.Publish("rcm/v1/events/MX/INM", event.dump()));
    const std::string id = event["event_id"];
    REQUIRE(WaitUntil(
        [&] {
          return QueryInt(db, "SELECT COUNT(*) FROM events WHERE event_id = '" + id +
                                  "' AND state = 'processed'") == 1;
        },
        20s));
  };
  const std::string subject = "case-cancel-" + run;
  publish(Girl("cancel-" + run + "-1", subject));
  const std::string gt_rows =
      "SELECT COUNT(*) FROM deliveries WHERE agency_id = 'gt-consulate-tapachula'";
  // El Salvador's consulate has it; Guatemala's is retrying.
  REQUIRE(WaitUntil(
      [&] {
        return QueryInt(db,
                        "SELECT COUNT(*) FROM deliveries WHERE agency_id = "
                        "'sv-consulate-tapachula' AND state = 'delivered'") == 1 &&
               QueryInt(db, gt_rows + " AND state = 'pending' AND attempts >= 2") == 1;
      },
      20s));

  json claim = Girl("cancel-" + run + "-2", subject);
  claim["type"] = "detention";
  claim["occurred_at"] = ChiapasTime(1s);
  claim["subject"]["flags"] = {"asylum_claim"};
  publish(claim);

  CHECK(QueryInt(db, gt_rows + " AND state = 'pending'") == 0);
  CHECK(QueryInt(db, gt_rows + " AND state = 'cancelled'") == 1);
  CHECK(QueryInt(db,
                 "SELECT COUNT(*) FROM delivery_cancellations c JOIN deliveries d ON "
                 "d.id = c.delivery_id WHERE d.agency_id = 'gt-consulate-tapachula' AND "
                 "c.event_id = 'cancel-" +
                     run + "-2' AND c.reason LIKE 'the child claims asylum%'") == 1);
  CHECK(QueryInt(db,
                 "SELECT COUNT(*) FROM alerts WHERE agency_id IN ('gt-consulate-tapachula', "
                 "'sv-consulate-tapachula') AND state = 'closed'") == 2);

  // The duty officer's alert lists what reached the child's states.
  json listed;
  REQUIRE(WaitUntil(
      [&] {
        for (const auto& m : client.Received()) {
          if (m.topic != "rcm/v1/alerts/duty-officer") continue;
          const json alert = json::parse(m.payload);
          if (alert["rule"] == "int-3-protection-claim-after-consular-alert" &&
              alert.contains("withheld_state_deliveries")) {
            listed = alert["withheld_state_deliveries"];
            return true;
          }
        }
        return false;
      },
      10s));
  INFO(listed.dump(2));
  REQUIRE(listed.size() == 2);
  std::map<std::string, std::string> state_by_agency;
  for (const json& row : listed) state_by_agency[row["agency"]] = row["state"];
  CHECK(state_by_agency ==
        std::map<std::string, std::string>{{"sv-consulate-tapachula", "delivered"},
                                           {"gt-consulate-tapachula", "cancelled"}});

  // The channel works again: nothing goes out to Guatemala any more.
  std::filesystem::create_directories(down);
  std::this_thread::sleep_for(3s);  // three times delivery.retry_max
  CHECK_FALSE(std::filesystem::exists(channel_file));
  CHECK(QueryInt(db, gt_rows + " AND state = 'delivered'") == 0);
  CHECK(daemon.Terminate() == 0);
}

}  // namespace
}  // namespace amparo::testing

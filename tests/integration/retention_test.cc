// Retention through a real amparod (issue 12, item 2): the daemon's own
// timer purges personal data once it is older than privacy.retention.
//
// The store is made old, not the clock: amparod takes three messages (an
// adult with a name and a birth date, a child alone who opens alerts, and a
// malformed payload), stops, and the test moves every reception time back
// 400 days in the SQLite file. After a restart the retention timer (first run
// 10 s after start) purges what is old and closed: the adult's name and birth
// date, the dead letter's raw bytes. The child's case is still open (her
// alerts wait for an acknowledgement), so her event keeps its data. The audit
// chain still verifies and counts one purge record per purged row.
#include <random>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include "tests/integration/amparod_process.h"
#include "tests/integration/mqtt_test_client.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

const std::string kTopic = "rcm/v1/events/MX/INM";

json Person(const std::string& event_id, int years, const std::string& accompaniment) {
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
           {{"id", "case-" + event_id},
            {"name", {{"given", "Marisol"}, {"family", "Quiej"}}},
            {"birth_date", years >= 18 ? "1990-03-02" : "2011-03-02"},
            {"age", {{"years", years}, {"basis", "document"}}},
            {"sex", "F"},
            {"nationalities", {"GT"}},
            {"accompaniment", accompaniment}}}};
}

TEST_CASE(
    "retention: the daemon's timer purges old personal data of closed cases and dead letters, "
    "keeps open cases, and the audit chain still verifies") {
  TempDir dir;
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port);
  REQUIRE(daemon.Start());
  const std::string run = std::to_string(std::random_device{}());
  MqttTestClient client(port, "retention-publisher-" + run);
  client.Subscribe("rcm/v1/receipts/#");

  const std::string adult = "ret-adult-" + run;
  const std::string child = "ret-child-" + run;
  REQUIRE(client.Publish(kTopic, Person(adult, 35, "accompanied").dump()));
  REQUIRE(client.Publish(kTopic, Person(child, 14, "unaccompanied").dump()));
  REQUIRE(client.Publish(kTopic, R"({"event_id": "ret-bad-)" + run + R"(", "name": "Marisol)"));

  const std::string db = daemon.db_path();
  REQUIRE(WaitUntil(
      [&] {
        return QueryInt(db, "SELECT COUNT(*) FROM events") == 2 &&
               QueryInt(db, "SELECT COUNT(*) FROM dead_letters") == 1 &&
               QueryInt(db,
                        "SELECT COUNT(*) FROM alerts WHERE opening_event_id = '" + child + "'") > 0;
      },
      20s));
  REQUIRE(daemon.Terminate() == 0);

  // Everything was received 400 days ago.
  constexpr long long kShiftMs = 400LL * 24 * 3600 * 1000;
  std::string out;
  REQUIRE(RunCommand(
              {"sqlite3", db,
               "UPDATE events SET received_at_ms = received_at_ms - " + std::to_string(kShiftMs) +
                   "; UPDATE dead_letters SET received_at_ms = received_at_ms - " +
                   std::to_string(kShiftMs) + ";"},
              &out) == 0);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM events WHERE body LIKE '%Marisol%'") == 2);

  // A dry run lists what the timer is about to purge, and changes nothing.
  out.clear();
  CHECK(RunCommand({AMPAROCTL_PATH, "purge", "--db", db, "--retention", "365d", "--dry-run"},
                   &out) == 0);
  INFO(out);
  CHECK(out.find(adult) != std::string::npos);
  CHECK(out.find(child) == std::string::npos);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM events WHERE purged_at_ms IS NOT NULL") == 0);

  REQUIRE(daemon.Start());
  REQUIRE(WaitUntil([&] { return daemon.LogCount("retention: purged personal data") > 0; }, 40s));
  CHECK(daemon.LogCount("retention: purged personal data of 1 events, 1 dead letters, 0 refused "
                        "acks") == 1);
  REQUIRE(daemon.Terminate() == 0);

  // The adult's case is closed: name and birth date are gone, her case
  // number is replaced by the keyed hash, the row stays for the counts.
  const auto adult_body =
      json::parse(QueryStrings(db, "SELECT body FROM events WHERE event_id = '" + adult + "'")[0]);
  CHECK_FALSE(adult_body["subject"].contains("name"));
  CHECK_FALSE(adult_body["subject"].contains("birth_date"));
  CHECK(adult_body["subject"]["id"] != "case-" + adult);
  CHECK(adult_body["event_id"] == adult);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM events WHERE purged_at_ms IS NOT NULL") == 1);
  // The child's alerts are open: her data stays until her case is closed.
  const auto child_body =
      json::parse(QueryStrings(db, "SELECT body FROM events WHERE event_id = '" + child + "'")[0]);
  CHECK(child_body["subject"]["name"]["given"] == "Marisol");
  // The dead letter keeps its row and reason, not its bytes.
  CHECK(QueryInt(db, "SELECT length(raw) FROM dead_letters") == 0);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM dead_letters WHERE purged_at_ms IS NOT NULL") == 1);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM events WHERE body LIKE '%Marisol%'") == 1);

  CHECK(QueryInt(db, "SELECT COUNT(*) FROM audit WHERE kind = 'personal_data_purged'") == 2);
  out.clear();
  CHECK(RunCommand({AMPAROCTL_PATH, "audit", "verify", "--db", db}, &out) == 0);
  CHECK(out.rfind("audit chain OK: ", 0) == 0);
}

}  // namespace
}  // namespace amparo::testing

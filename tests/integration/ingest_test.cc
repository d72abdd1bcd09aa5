// 01-ingest: events through a real Mosquitto into a real SQLite file.
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include "tests/integration/amparod_process.h"
#include "tests/integration/mqtt_test_client.h"
#include "tests/support/process.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

// Now, in UTC: events happen now so that no legal clock is already overdue.
std::string UtcNow() {
  return date::format("%FT%TZ",
                      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

// A valid apprehension event of a Guatemalan 15-year-old in Tapachula.
std::string ValidEvent(const std::string& event_id) {
  nlohmann::json e = {
      {"schema", "amparo.event.v1"},
      {"event_id", event_id},
      {"type", "apprehension"},
      {"occurred_at", UtcNow()},
      {"authority", {{"country", "MX"}, {"agency", "INM"}, {"office", "Tapachula"}}},
      {"location",
       {{"country", "MX"},
        {"admin1", "MX-CHP"},
        {"place", "Tapachula"},
        {"facility", {{"id", "mx-chp-bp-1"}, {"type", "border_post"}}}}},
      {"subject",
       {{"id", "case-" + event_id},
        {"age", {{"years", 15}, {"basis", "declared"}}},
        {"sex", "F"},
        {"nationalities", {"GT"}},
        {"languages", {"es", "mam"}},
        {"accompaniment", "unaccompanied"}}}};
  return e.dump();
}

const std::string kTopic = "rcm/v1/events/MX/INM";

TEST_CASE(
    "valid, malformed and repeated events: each stored once, refused with a reason, "
    "and receipted") {
  TempDir dir;
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port);
  REQUIRE(daemon.Start());

  MqttTestClient client(port, "ingest-test-publisher");
  client.Subscribe("rcm/v1/receipts/#");
  client.Subscribe("rcm/v1/deadletter/#");

  const std::string run = std::to_string(std::random_device{}());
  std::vector<std::string> valid;
  for (int i = 0; i < 20; ++i) valid.push_back("ing-" + run + "-" + std::to_string(i));
  for (const auto& id : valid) REQUIRE(client.Publish(kTopic, ValidEvent(id)));
  // Repeats of the first five: acknowledged, counted, not stored again.
  for (int i = 0; i < 5; ++i) REQUIRE(client.Publish(kTopic, ValidEvent(valid[i])));
  // Malformed: not JSON; a return without to_country; a bad nationality.
  REQUIRE(client.Publish(kTopic, "{not json"));
  nlohmann::json bad_return = nlohmann::json::parse(ValidEvent("bad-ret-" + run));
  bad_return["type"] = "return";
  REQUIRE(client.Publish(kTopic, bad_return.dump()));
  nlohmann::json bad_nat = nlohmann::json::parse(ValidEvent("bad-nat-" + run));
  bad_nat["subject"]["nationalities"] = {"Guatemala"};
  REQUIRE(client.Publish("rcm/v1/events/GT/IGM", bad_nat.dump()));

  // 20 stored + 5 duplicates + 3 dead letters = 28 receipts, in coalesced
  // arrays; count the items.
  auto receipt_items = [&] {
    std::vector<nlohmann::json> items;
    for (const auto& m : client.Received()) {
      if (m.topic.rfind("rcm/v1/receipts/", 0) != 0) continue;
      for (const auto& item : nlohmann::json::parse(m.payload)) items.push_back(item);
    }
    return items;
  };
  REQUIRE(WaitUntil([&] { return receipt_items().size() >= 28; }, 20s));
  const auto items = receipt_items();
  CHECK(items.size() == 28);
  int stored = 0;
  int duplicates = 0;
  int dead = 0;
  for (const auto& item : items) {
    const std::string status = item["status"];
    if (status == "stored") ++stored;
    if (status == "duplicate") ++duplicates;
    if (status == "dead_letter") ++dead;
  }
  CHECK(stored == 20);
  CHECK(duplicates == 5);
  CHECK(dead == 3);

  // The store holds each valid event once and each refusal with its reason.
  const std::string db = daemon.db_path();
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM events WHERE event_id LIKE 'ing-" + run + "-%'") == 20);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM dead_letters") == 3);
  const auto reasons = QueryStrings(db, "SELECT reason FROM dead_letters ORDER BY id");
  REQUIRE(reasons.size() == 3);
  CHECK(reasons[0].rfind("payload is not JSON: ", 0) == 0);
  CHECK(reasons[1] == "return: required for a return event");
  CHECK(reasons[2] == "subject.nationalities[0]: \"Guatemala\" is not an ISO 3166-1 alpha-2 code");
  CHECK(QueryInt(db, "SELECT value FROM counters WHERE name = 'duplicates'") == 5);

  // Dead letters are published by the topic they came on (the broker's ACL
  // ties it to the publisher), not where the payload says it came from.
  REQUIRE(client.WaitForCount("rcm/v1/deadletter/", 3, 10s));
  CHECK(client.Count("rcm/v1/deadletter/MX/INM") == 2);
  CHECK(client.Count("rcm/v1/deadletter/GT/IGM") == 1);  // the bad-nat payload says MX/INM

  // The log holds no personal data: not the subject ids, not the place.
  const std::string log = daemon.Log();
  CHECK(log.find("case-ing-") == std::string::npos);
  CHECK(daemon.Terminate() == 0);
}

// Issue 12, through a real broker and a real amparod: a payload claiming
// another authority than its topic's, a subdivision iso-codes does not list,
// and a child whose age nobody knows.
TEST_CASE(
    "authority not the topic's and unknown subdivisions are dead letters, unknown age is not") {
  TempDir dir;
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port);
  REQUIRE(daemon.Start());
  MqttTestClient client(port, "ingest-issue12-publisher");
  client.Subscribe("rcm/v1/receipts/#");
  client.Subscribe("rcm/v1/deadletter/#");

  const std::string run = std::to_string(std::random_device{}());
  nlohmann::json forged = nlohmann::json::parse(ValidEvent("forged-" + run));
  forged["authority"] = {{"country", "US"}, {"agency", "CBP-USBP"}};
  REQUIRE(client.Publish(kTopic, forged.dump()));
  nlohmann::json zzz = nlohmann::json::parse(ValidEvent("zzz-" + run));
  zzz["location"]["admin1"] = "MX-ZZZ";
  REQUIRE(client.Publish(kTopic, zzz.dump()));
  nlohmann::json unknown_age = nlohmann::json::parse(ValidEvent("unknown-age-" + run));
  unknown_age["subject"]["age"] = {{"basis", "unknown"}};
  REQUIRE(client.Publish(kTopic, unknown_age.dump()));
  nlohmann::json no_age = nlohmann::json::parse(ValidEvent("no-age-" + run));
  no_age["subject"].erase("age");
  REQUIRE(client.Publish(kTopic, no_age.dump()));

  auto status_of = [&](const std::string& id) -> std::string {
    for (const auto& m : client.Received()) {
      if (m.topic.rfind("rcm/v1/receipts/", 0) != 0) continue;
      for (const auto& item : nlohmann::json::parse(m.payload)) {
        if (item.value("event_id", "") == id)
          return m.topic + " " + item["status"].get<std::string>();
      }
    }
    return "";
  };
  REQUIRE(WaitUntil([&] { return !status_of("no-age-" + run).empty(); }, 20s));
  REQUIRE(WaitUntil([&] { return !status_of("forged-" + run).empty(); }, 10s));
  // The forged event's receipt goes to the publisher's own topic, never to US.
  CHECK(status_of("forged-" + run) == "rcm/v1/receipts/MX/INM dead_letter");
  CHECK(status_of("zzz-" + run) == "rcm/v1/receipts/MX/INM dead_letter");
  CHECK(status_of("unknown-age-" + run) == "rcm/v1/receipts/MX/INM stored");
  CHECK(status_of("no-age-" + run) == "rcm/v1/receipts/MX/INM stored");
  CHECK(client.Count("rcm/v1/receipts/US") == 0);
  CHECK(client.Count("rcm/v1/deadletter/US") == 0);

  const std::string db = daemon.db_path();
  const auto reasons = QueryStrings(db, "SELECT reason FROM dead_letters ORDER BY id");
  REQUIRE(reasons.size() == 2);
  CHECK(reasons[0] ==
        "authority.country: \"US\" does not match the topic rcm/v1/events/MX/INM (country \"MX\")");
  CHECK(reasons[1] == "location.admin1: \"MX-ZZZ\" is not an ISO 3166-2 subdivision code");
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM events WHERE event_id IN ('unknown-age-" + run +
                         "', 'no-age-" + run + "')") == 2);
  // Both children are presumed minors: the unaccompanied-child rules fire for them.
  REQUIRE(WaitUntil(
      [&] {
        return QueryInt(
                   db,
                   "SELECT COUNT(DISTINCT opening_event_id) FROM alerts WHERE opening_event_id IN "
                   "('unknown-age-" +
                       run + "', 'no-age-" + run + "')") == 2;
      },
      20s));
  CHECK(daemon.Terminate() == 0);

  // The audit chain: a record per event stored, dead letter and alert raised,
  // each in the same transaction; `amparoctl audit verify` finds it whole,
  // then names the row an edit, a deletion and a reordering broke.
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM audit WHERE kind = 'event_stored'") == 2);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM audit WHERE kind = 'dead_letter'") == 2);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM audit WHERE kind = 'alert_raised'") ==
        QueryInt(db, "SELECT COUNT(*) FROM alerts"));
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM audit WHERE detail LIKE '%case-%'") == 0);
  std::string out;
  CHECK(RunCommand({AMPAROCTL_PATH, "audit", "verify", "--db", db}, &out) == 0);
  CHECK(out.rfind("audit chain OK: ", 0) == 0);
  const long long middle = QueryInt(db, "SELECT MIN(seq) + 2 FROM audit");
  std::string ignored;
  REQUIRE(RunCommand({"sqlite3", db,
                      "UPDATE audit SET ref = 'forged' WHERE seq = " + std::to_string(middle)},
                     &ignored) == 0);
  out.clear();
  CHECK(RunCommand({AMPAROCTL_PATH, "audit", "verify", "--db", db}, &out) == 1);
  CHECK(out == "audit chain BROKEN at seq " + std::to_string(middle) +
                   ": hash does not match the record's content: the record was changed\n");
}

TEST_CASE("a SIGHUP reload is an audit record in the chain") {
  TempDir dir;
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port);
  REQUIRE(daemon.Start());
  MqttTestClient client(port, "ingest-reload-publisher");
  const std::string run = std::to_string(std::random_device{}());
  REQUIRE(client.Publish(kTopic, ValidEvent("reload-" + run)));
  const std::string db = daemon.db_path();
  REQUIRE(WaitUntil(
      [&] { return QueryInt(db, "SELECT COUNT(*) FROM audit WHERE kind = 'event_stored'") == 1; },
      20s));
  daemon.Signal(SIGHUP);
  REQUIRE(WaitUntil(
      [&] { return QueryInt(db, "SELECT COUNT(*) FROM audit WHERE kind = 'config_reload'") == 1; },
      20s));
  CHECK(QueryStrings(db,
                     "SELECT json_extract(detail, '$.result') FROM audit WHERE kind = "
                     "'config_reload'") == std::vector<std::string>{"applied"});
  CHECK(daemon.Terminate() == 0);
  std::string out;
  CHECK(RunCommand({AMPAROCTL_PATH, "audit", "verify", "--db", db}, &out) == 0);
  CHECK(out.rfind("audit chain OK: ", 0) == 0);
}

TEST_CASE("agencies that cannot be topic levels are dead letters and the stream goes on") {
  TempDir dir;
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port);
  REQUIRE(daemon.Start());
  MqttTestClient client(port, "ingest-segments-publisher");
  client.Subscribe("rcm/v1/receipts/#");
  client.Subscribe("rcm/v1/deadletter/#");

  // Each would make the broker drop amparod's connection if it became a level
  // of a topic amparod publishes to: wildcards, a separator, a NUL, 65 KB.
  const std::string run = std::to_string(std::random_device{}());
  const std::vector<std::string> bad_agencies = {"INM+X", "#", "INM/X", std::string("IN\0M", 4),
                                                 std::string(65 * 1024, 'A')};
  int n = 0;
  for (const std::string& agency : bad_agencies) {
    nlohmann::json event =
        nlohmann::json::parse(ValidEvent("seg-bad-" + run + "-" + std::to_string(n++)));
    event["authority"]["agency"] = agency;
    REQUIRE(client.Publish(kTopic, event.dump()));
  }
  nlohmann::json bad_country = nlohmann::json::parse(ValidEvent("seg-bad-country-" + run));
  bad_country["authority"]["country"] = "M+";
  REQUIRE(client.Publish(kTopic, bad_country.dump()));
  // Then valid events: each must still be stored and receipted.
  std::vector<std::string> valid;
  for (int i = 0; i < 10; ++i) valid.push_back("seg-ok-" + run + "-" + std::to_string(i));
  for (const auto& id : valid) REQUIRE(client.Publish(kTopic, ValidEvent(id)));

  auto receipted = [&](const std::string& status) {
    std::set<std::string> ids;
    for (const auto& m : client.Received()) {
      if (m.topic != "rcm/v1/receipts/MX/INM") continue;
      for (const auto& item : nlohmann::json::parse(m.payload)) {
        if (item["status"] == status && item["event_id"].is_string()) ids.insert(item["event_id"]);
      }
    }
    return ids;
  };
  REQUIRE(WaitUntil([&] { return receipted("stored").size() == valid.size(); }, 20s));
  REQUIRE(
      WaitUntil([&] { return receipted("dead_letter").size() == bad_agencies.size() + 1; }, 10s));
  CHECK(client.Count("rcm/v1/deadletter/MX/INM") == bad_agencies.size() + 1);
  for (const auto& m : client.Received()) {
    INFO(m.topic.substr(0, 80));
    CHECK((m.topic.rfind("rcm/v1/receipts/MX/INM", 0) == 0 ||
           m.topic.rfind("rcm/v1/deadletter/MX/INM", 0) == 0));
  }
  const std::string db = daemon.db_path();
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM events WHERE event_id LIKE 'seg-ok-" + run + "-%'") ==
        static_cast<long long>(valid.size()));
  // The 65 KB one is refused for its size before its agency is read.
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM dead_letters WHERE reason LIKE 'authority.agency: %'") ==
        static_cast<long long>(bad_agencies.size() - 1));
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM dead_letters WHERE reason LIKE 'payload is %'") == 1);
  // One connection throughout: the broker never dropped the daemon.
  CHECK(daemon.LogCount("mqtt: subscribed to") == 1);
  CHECK(daemon.Terminate() == 0);
}

TEST_CASE("SIGKILL mid-stream: every acknowledged event is stored exactly once after restart") {
  TempDir dir;
  const int port = FixtureBrokerPort();
  AmparodProcess daemon(dir, port);
  REQUIRE(daemon.Start());

  const std::string run = std::to_string(std::random_device{}());
  constexpr int kEvents = 1500;
  std::atomic<int> acked{0};
  std::vector<std::string> acked_ids;
  std::mutex mu;
  std::thread publisher([&] {
    MqttTestClient client(port, "kill-test-publisher-" + run);
    for (int i = 0; i < kEvents; ++i) {
      const std::string id = "kill-" + run + "-" + std::to_string(i);
      if (client.Publish(kTopic, ValidEvent(id))) {
        std::lock_guard<std::mutex> lock(mu);
        acked_ids.push_back(id);
        ++acked;
      }
    }
  });

  // Kill the daemon three times while the stream runs, at varying points.
  std::mt19937 rng(std::random_device{}());
  for (int kill = 0; kill < 3; ++kill) {
    const int target = (kill + 1) * kEvents / 4 + static_cast<int>(rng() % 100);
    REQUIRE(WaitUntil([&] { return acked.load() >= target; }, 60s));
    daemon.Kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    REQUIRE(daemon.Start());
  }
  publisher.join();
  REQUIRE(acked_ids.size() == kEvents);

  const std::string db = daemon.db_path();
  const std::string like = "event_id LIKE 'kill-" + run + "-%'";
  REQUIRE(WaitUntil(
      [&] { return QueryInt(db, "SELECT COUNT(*) FROM events WHERE " + like) == kEvents; }, 60s));
  // UNIQUE(event_id) makes a second row impossible; check what is there is
  // exactly the acknowledged set.
  const auto stored = QueryStrings(db, "SELECT event_id FROM events WHERE " + like);
  std::set<std::string> stored_set(stored.begin(), stored.end());
  std::set<std::string> acked_set(acked_ids.begin(), acked_ids.end());
  CHECK(stored_set == acked_set);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM dead_letters") == 0);
  CHECK(QueryStrings(db, "PRAGMA integrity_check") == std::vector<std::string>{"ok"});
  CHECK(daemon.Terminate() == 0);
}

}  // namespace
}  // namespace amparo::testing

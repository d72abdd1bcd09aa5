#include "daemon/ingest/ingest_handler.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/event/event.h"
#include "daemon/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

using testing::ReadFile;
using testing::SourcePath;
using testing::TempDir;

struct Fixture {
  TempDir dir;
  FakeClock clock{Instant{std::chrono::milliseconds(1'700'000'000'000)}};
  std::unique_ptr<IngestHandler> handler;

  explicit Fixture(size_t max_payload = kMaxEventBytes,
                   AuthorityTopicCheck check = AuthorityTopicCheck::kMatch) {
    auto store = EventStore::Open({dir.File("amparo.db"), Durability::kProcess});
    REQUIRE(store.ok());
    handler = std::make_unique<IngestHandler>(
        std::move(store).value(), SubjectHasher(std::string(32, 'k')), clock, max_payload, check);
  }
  // A second connection, to look at what was committed.
  std::unique_ptr<EventStore> Inspect() {
    auto store = EventStore::Open({dir.File("amparo.db"), Durability::kProcess});
    REQUIRE(store.ok());
    return std::move(store).value();
  }
};

const std::string kTopic = "rcm/v1/events/MX/INM";

TEST_CASE("a valid event is committed before Handle returns, then recognised as a duplicate") {
  Fixture f;
  const std::string payload = ReadFile(SourcePath("config/samples/01-apprehension.json"));
  auto first = f.handler->Handle(kTopic, payload);
  REQUIRE(first.ok());
  CHECK(first->outcome == IngestResult::Outcome::kStored);
  CHECK(first->country == "MX");
  CHECK(first->agency == "INM");
  CHECK_FALSE(first->event_id.empty());

  auto inspect = f.Inspect();
  auto pending = inspect->PendingEvents(10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].event_id == first->event_id);
  CHECK((*pending)[0].topic == kTopic);
  CHECK((*pending)[0].type == "apprehension");
  // The subject appears only as a 12-hex keyed hash.
  CHECK((*pending)[0].subject_key.size() == 12);

  auto again = f.handler->Handle(kTopic, payload);
  REQUIRE(again.ok());
  CHECK(again->outcome == IngestResult::Outcome::kDuplicate);
  CHECK(*inspect->Counter("duplicates") == 1);
  CHECK(inspect->PendingEvents(10)->size() == 1);
}

TEST_CASE("a malformed payload becomes a dead letter with its reason and raw bytes") {
  Fixture f;
  auto result = f.handler->Handle(kTopic, "{\"schema\": \"amparo.event.v1\", ");
  REQUIRE(result.ok());
  CHECK(result->outcome == IngestResult::Outcome::kDeadLetter);
  CHECK_FALSE(result->reason.empty());
  CHECK(result->raw == "{\"schema\": \"amparo.event.v1\", ");
  // Not parsable: the receipt goes by the topic's segments.
  CHECK(result->country == "MX");
  CHECK(result->agency == "INM");

  auto letters = f.Inspect()->DeadLetters(10);
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 1);
  CHECK((*letters)[0].reason == result->reason);
  CHECK((*letters)[0].raw == "{\"schema\": \"amparo.event.v1\", ");
  CHECK((*letters)[0].topic == kTopic);
}

TEST_CASE("a payload over the limit is refused by size before it is parsed") {
  Fixture f(1024);
  auto result = f.handler->Handle(kTopic, std::string(2000, ' '));
  REQUIRE(result.ok());
  CHECK(result->outcome == IngestResult::Outcome::kDeadLetter);
  CHECK(result->reason == "payload is 2000 bytes; the limit is 1024");
}

TEST_CASE("receipt topics come from safe topic segments only") {
  CHECK(TopicOrigin("rcm/v1/events/MX/INM") == std::pair<std::string, std::string>{"MX", "INM"});
  CHECK(TopicOrigin("rcm/v1/events/US/CBP-USBP/rgv") ==
        std::pair<std::string, std::string>{"US", "CBP-USBP"});
  CHECK(TopicOrigin("other/MX/INM") == std::pair<std::string, std::string>{});
  CHECK(TopicOrigin("rcm/v1/events/MX") == std::pair<std::string, std::string>{});
  CHECK(TopicOrigin("rcm/v1/events/M X/INM") == std::pair<std::string, std::string>{});
  CHECK(TopicOrigin("rcm/v1/events/MX/INM+X") == std::pair<std::string, std::string>{});
}

TEST_CASE("an event whose agency cannot be a topic level is a dead letter addressed by its topic") {
  Fixture f;
  const nlohmann::json sample =
      nlohmann::json::parse(ReadFile(SourcePath("config/samples/01-apprehension.json")));
  int n = 0;
  for (const std::string& agency : {std::string("INM+X"), std::string("#"), std::string("a/b"),
                                    std::string("IN\0M", 4), std::string(65, 'A')}) {
    nlohmann::json event = sample;
    event["event_id"] = "bad-agency-" + std::to_string(++n);
    event["authority"]["agency"] = agency;
    auto result = f.handler->Handle(kTopic, event.dump());
    REQUIRE(result.ok());
    CHECK(result->outcome == IngestResult::Outcome::kDeadLetter);
    CHECK(result->reason.rfind("authority.agency: ", 0) == 0);
    // Addressed by the topic it came on, never by the payload's bytes.
    CHECK(result->country == "MX");
    CHECK(result->agency == "INM");
  }
}

// Issue 12: broker ACLs say who may publish on a topic, not who wrote the
// payload, so a payload claiming another authority is refused.
TEST_CASE("an event whose authority is not its topic's is a dead letter naming the field") {
  Fixture f;
  nlohmann::json event =
      nlohmann::json::parse(ReadFile(SourcePath("config/samples/01-apprehension.json")));
  event["authority"] = {{"country", "US"}, {"agency", "CBP-USBP"}};
  event["event_id"] = "claims-cbp";
  auto result = f.handler->Handle(kTopic, event.dump());
  REQUIRE(result.ok());
  CHECK(result->outcome == IngestResult::Outcome::kDeadLetter);
  CHECK(result->reason ==
        "authority.country: \"US\" does not match the topic rcm/v1/events/MX/INM (country \"MX\")");
  // The receipt and the dead letter go to the topic's publisher, not to the
  // authority the payload names.
  CHECK(result->country == "MX");
  CHECK(result->agency == "INM");
  CHECK(result->event_id == "claims-cbp");

  event["authority"] = {{"country", "MX"}, {"agency", "COMAR"}};
  event["event_id"] = "claims-comar";
  result = f.handler->Handle(kTopic, event.dump());
  REQUIRE(result.ok());
  CHECK(result->outcome == IngestResult::Outcome::kDeadLetter);
  CHECK(
      result->reason ==
      "authority.agency: \"COMAR\" does not match the topic rcm/v1/events/MX/INM (agency \"INM\")");

  // Kept, with the reason, and nothing stored as an event.
  auto inspect = f.Inspect();
  CHECK(inspect->DeadLetters(10)->size() == 2);
  CHECK(inspect->PendingEvents(10)->empty());
}

TEST_CASE("an event on a topic that names no authority is a dead letter") {
  Fixture f;
  const std::string payload = ReadFile(SourcePath("config/samples/01-apprehension.json"));
  auto result = f.handler->Handle("rcm/v1/events/MX", payload);
  REQUIRE(result.ok());
  CHECK(result->outcome == IngestResult::Outcome::kDeadLetter);
  CHECK(result->reason ==
        "topic: rcm/v1/events/MX does not name the authority; events are accepted on "
        "rcm/v1/events/MX/INM");
}

TEST_CASE("levels after the agency pass by default and are refused when exact") {
  const std::string payload = ReadFile(SourcePath("config/samples/01-apprehension.json"));
  {
    Fixture f;
    auto result = f.handler->Handle("rcm/v1/events/MX/INM/Tapachula", payload);
    REQUIRE(result.ok());
    CHECK(result->outcome == IngestResult::Outcome::kStored);
  }
  {
    Fixture f(kMaxEventBytes, AuthorityTopicCheck::kExact);
    auto result = f.handler->Handle("rcm/v1/events/MX/INM/Tapachula", payload);
    REQUIRE(result.ok());
    CHECK(result->outcome == IngestResult::Outcome::kDeadLetter);
    CHECK(result->reason ==
          "topic: rcm/v1/events/MX/INM/Tapachula has levels after the agency; events are accepted "
          "on rcm/v1/events/MX/INM (ingest.authority_topic: exact)");
    result = f.handler->Handle(kTopic, payload);
    REQUIRE(result.ok());
    CHECK(result->outcome == IngestResult::Outcome::kStored);
  }
}

}  // namespace
}  // namespace amparo

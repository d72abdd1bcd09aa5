// Case linking fields (issue 16 item 1): subject.previous_ids and
// transfer.to.case_id, accepted, written back, and refused with a reason that
// names the field.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/event/event_codec.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

using Json = nlohmann::ordered_json;

Json Sample(const std::string& name) {
  return Json::parse(testing::ReadFile(testing::SourcePath("config/samples/" + name)));
}

std::string Reason(const Json& payload) {
  Result<Event> event = DecodeEvent(payload.dump());
  REQUIRE_FALSE(event.ok());
  CHECK(event.status().code() == Status::Code::kInvalidArgument);
  return event.status().message();
}

TEST_CASE("subject.previous_ids and transfer.to.case_id are read and written back",
          "[event][links]") {
  Json j = Sample("03-transfer.json");
  j["subject"]["previous_ids"] = Json::array({"INM-CHP-NNA-2026-0193", "COMAR-2026-77"});
  j["transfer"]["to"]["case_id"] = "ORR-UC-2026-123";
  Result<Event> event = DecodeEvent(j.dump());
  INFO(event.status().ToString());
  REQUIRE(event.ok());
  CHECK(event->subject.previous_ids ==
        std::vector<std::string>{"INM-CHP-NNA-2026-0193", "COMAR-2026-77"});
  REQUIRE(event->transfer);
  CHECK(event->transfer->to.case_id == "ORR-UC-2026-123");
  Result<Event> again = DecodeEvent(EncodeEvent(*event));
  REQUIRE(again.ok());
  CHECK(*again == *event);

  // Optional: the samples carry neither, and an empty list links nothing.
  Result<Event> plain = DecodeEvent(Sample("03-transfer.json").dump());
  REQUIRE(plain.ok());
  CHECK(plain->subject.previous_ids.empty());
  CHECK_FALSE(plain->transfer->to.case_id);
  j["subject"]["previous_ids"] = Json::array();
  CHECK(DecodeEvent(j.dump()).ok());
}

TEST_CASE("A malformed subject.previous_ids is a dead letter naming the field", "[event][links]") {
  Json j = Sample("01-apprehension.json");
  const std::string own = j["subject"]["id"];
  j["subject"]["previous_ids"] = "INM-1";
  CHECK(Reason(j) == "subject.previous_ids: expected an array, got string");
  j["subject"]["previous_ids"] = Json::array({"INM-1", 7});
  CHECK(Reason(j) == "subject.previous_ids[1]: expected a string, got number");
  j["subject"]["previous_ids"] = Json::array({""});
  CHECK(Reason(j) == "subject.previous_ids[0]: must not be empty");
  j["subject"]["previous_ids"] = Json::array({"INM-1", "INM-1"});
  CHECK(Reason(j) == "subject.previous_ids[1]: \"INM-1\" is listed twice");
  j["subject"]["previous_ids"] = Json::array({"INM-1", own});
  CHECK(Reason(j) == "subject.previous_ids[1]: is subject.id itself; a case cannot succeed itself");
  Json many = Json::array();
  for (int i = 0; i < 17; ++i) many.push_back("ID-" + std::to_string(i));
  j["subject"]["previous_ids"] = many;
  CHECK(Reason(j) == "subject.previous_ids: lists 17 ids; the limit is 16");
  many.erase(many.end() - 1);
  j["subject"]["previous_ids"] = many;
  CHECK(DecodeEvent(j.dump()).ok());
  j["subject"]["previous_ids"] = Json::array({std::string(257, 'x')});
  CHECK(Reason(j) == "subject.previous_ids[0]: is 257 bytes long; the limit is 256");
}

TEST_CASE("A transfer naming its own subject as the receiving case is a dead letter",
          "[event][links]") {
  Json j = Sample("03-transfer.json");
  j["transfer"]["to"]["case_id"] = j["subject"]["id"];
  CHECK(Reason(j) == "transfer.to.case_id: is subject.id itself; name the receiving agency's case");
  j["transfer"]["to"]["case_id"] = 12;
  CHECK(Reason(j) == "transfer.to.case_id: expected a string, got number");
}

}  // namespace
}  // namespace amparo

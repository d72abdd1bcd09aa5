// What a dead letter contributes to the compliance report: its topic's
// country and its reason's class, and nothing of its payload.
#include "daemon/store/report_query.h"

#include <catch2/catch.hpp>

namespace amparo {
namespace {

TEST_CASE("ReportQuery: a dead letter's state comes from its topic, or ??") {
  CHECK(TopicCountry("rcm/v1/events/MX/INM") == "MX");
  CHECK(TopicCountry("rcm/v1/events/GT") == "GT");
  CHECK(TopicCountry("rcm/v1/events/mx/INM") == "??");
  CHECK(TopicCountry("rcm/v1/events/MEX/INM") == "??");
  CHECK(TopicCountry("other/MX/INM") == "??");
}

TEST_CASE("ReportQuery: a reason's class is its field path, never a value") {
  CHECK(ReasonClass("subject.birth_date: not a date: \"2010-13-01\"") == "subject.birth_date");
  CHECK(ReasonClass("location.country: \"XX\" is not an ISO 3166-1 code") == "location.country");
  CHECK(ReasonClass("not JSON: syntax error at byte 3") == "not JSON");
  CHECK(ReasonClass("\"Maria\" is unexpected") == "other");
  CHECK(ReasonClass("") == "other");
}

}  // namespace
}  // namespace amparo

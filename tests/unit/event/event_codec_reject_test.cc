// Malformed payloads, each with the exact reason a publisher gets back.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/event/event_codec.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

using Json = nlohmann::ordered_json;

struct Rejection {
  std::string payload;
  std::string reason;
};

// The apprehension sample: a valid event that the cases below break.
Json Apprehension() {
  return Json::parse(testing::ReadFile(testing::SourcePath("config/samples/01-apprehension.json")));
}

// The apprehension sample with the value at JSON pointer `pointer` set to `value`.
std::string With(const std::string& pointer, const Json& value) {
  Json j = Apprehension();
  j[Json::json_pointer(pointer)] = value;
  return j.dump();
}

// The apprehension sample without the member at JSON pointer `pointer`.
std::string Without(const std::string& pointer) {
  Json j = Apprehension();
  const Json::json_pointer p(pointer);
  j[p.parent_pointer()].erase(p.back());
  return j.dump();
}

// The apprehension sample with `edit` applied.
template <typename Edit>
std::string Edited(Edit edit) {
  Json j = Apprehension();
  edit(j);
  return j.dump();
}

// The return sample with `edit` applied.
template <typename Edit>
std::string Return(Edit edit) {
  Json j = Json::parse(testing::ReadFile(testing::SourcePath("config/samples/05-return.json")));
  edit(j);
  return j.dump();
}

void CheckRejections(const std::vector<Rejection>& cases) {
  for (const Rejection& c : cases) {
    INFO("payload: " << c.payload.substr(0, 200));
    const auto event = DecodeEvent(c.payload);
    REQUIRE_FALSE(event.ok());
    CHECK(event.status().code() == Status::Code::kInvalidArgument);
    CHECK(event.status().message() == c.reason);
  }
}

TEST_CASE("DecodeEvent refuses payloads that are too large or not UTF-8") {
  const std::string valid = Apprehension().dump();
  CheckRejections({
      {std::string(70000, ' '), "payload is 70000 bytes; the limit is 65536"},
      {valid + std::string(kMaxEventBytes + 1 - valid.size(), ' '),
       "payload is 65537 bytes; the limit is 65536"},
      {"{\"event_id\": \"a\xFF\"}", "payload is not valid UTF-8 (byte 15)"},
      {"{\"event_id\": \"\xC0\xAF\"}", "payload is not valid UTF-8 (byte 14)"},  // Overlong '/'.
      {"{\"event_id\": \"\xE0\x80\xAF\"}", "payload is not valid UTF-8 (byte 14)"},  // Overlong.
      {"{\"event_id\": \"\xED\xA0\x80\"}", "payload is not valid UTF-8 (byte 14)"},  // Surrogate.
      {"{\"event_id\": \"\xF4\x90\x80\x80\"}", "payload is not valid UTF-8 (byte 14)"},  // >10FFFF.
      {"{\"event_id\": \"\xE2\x82", "payload is not valid UTF-8 (byte 14)"},  // Cut short.
  });
  // A payload of exactly the limit is not refused for its size.
  const std::string padded = valid + std::string(kMaxEventBytes - valid.size(), ' ');
  CHECK(DecodeEvent(padded).ok());
}

TEST_CASE("DecodeEvent refuses what is not one JSON object") {
  const std::string valid = Apprehension().dump();
  CheckRejections({
      {"",
       "payload is not JSON: parse error at line 1, column 1: syntax error while parsing "
       "value - unexpected end of input; expected '[', '{', or a literal"},
      {"not json",
       "payload is not JSON: parse error at line 1, column 2: syntax error while "
       "parsing value - invalid literal"},
      {R"({"schema": "amparo.event.v1", "event_id": "inm-chp)",
       "payload is not JSON: parse error at line 1, column 51: syntax error while parsing value - "
       "invalid string: missing closing quote"},
      {valid + "x", "payload is not JSON: parse error at line 1, column " +
                        std::to_string(valid.size() + 1) +
                        ": syntax error while parsing value - invalid literal"},
      {R"({"schema": "amparo.event.v1",})",
       "payload is not JSON: parse error at line 1, column 30: syntax error while parsing object "
       "key - unexpected '}'; expected string literal"},
      {"[]", "payload is not a JSON object (got array)"},
      {"\"amparo.event.v1\"", "payload is not a JSON object (got string)"},
      {R"({"schema": "amparo.event.v1", "subject": {"sex": "F", "sex": "M"}})",
       "subject.sex: duplicate key"},
      {R"({"a": [{"b": 1}, {"c": 1, "c": 2}]})", "a[1].c: duplicate key"},
  });
}

TEST_CASE("DecodeEvent refuses a missing or foreign schema") {
  CheckRejections({
      {Without("/schema"), "schema: required field missing"},
      {With("/schema", 1), "schema: expected a string, got number"},
      {With("/schema", "amparo.event.v2"),
       "schema: \"amparo.event.v2\" is not supported; expected \"amparo.event.v1\""},
  });
}

TEST_CASE("DecodeEvent names each required field that is missing") {
  const char* required[] = {"event_id",
                            "type",
                            "occurred_at",
                            "authority",
                            "authority.country",
                            "authority.agency",
                            "location",
                            "location.country",
                            "location.admin1",
                            "subject",
                            "subject.id",
                            "subject.nationalities",
                            "subject.accompaniment"};
  std::vector<Rejection> cases;
  for (std::string path : required) {
    std::string pointer = "/" + path;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    cases.push_back({Without(pointer), path + ": required field missing"});
  }
  CheckRejections(cases);
}

TEST_CASE("DecodeEvent refuses wrong JSON types") {
  CheckRejections({
      {With("/event_id", 418), "event_id: expected a string, got number"},
      {With("/authority", "INM"), "authority: expected an object, got string"},
      {With("/subject/nationalities", "GT"),
       "subject.nationalities: expected an array, got string"},
      {With("/subject/age/years", "15"), "subject.age.years: expected an integer, got string"},
      {With("/subject/age/years", 15.5), "subject.age.years: expected an integer, got number"},
      {With("/custody/with_unrelated_adults", "yes"),
       "custody.with_unrelated_adults: expected a boolean, got string"},
      {With("/location/place", nullptr), "location.place: expected a string, got null"},
      {With("/subject/flags", Json::array({1})), "subject.flags[0]: expected a string, got number"},
  });
}

TEST_CASE("DecodeEvent lists the allowed values of an unknown enum value") {
  CheckRejections({
      {With("/type", "aprehension"),
       "type: \"aprehension\" is not one of apprehension, detention, transfer, release, return, "
       "age_assessment, case_update, reception"},
      {With("/location/facility/type", "jail"),
       "location.facility.type: \"jail\" is not one of border_post, migration_station, police, "
       "shelter, child_welfare_centre, adult_detention, family_unit, hospital, provisional_stay"},
      {With("/subject/sex", "f"), "subject.sex: \"f\" is not one of F, M, X, unknown"},
      {With("/subject/flags", Json::array({"asylum"})),
       "subject.flags[0]: \"asylum\" is not one of asylum_claim, fear_of_return, "
       "trafficking_indicators, pregnant, disability, medical_need, parent_minor"},
  });
}

TEST_CASE("DecodeEvent refuses bad timestamps and dates") {
  CheckRejections({
      {With("/occurred_at", "2026-13-01T00:00:00Z"),
       "occurred_at: \"2026-13-01T00:00:00Z\" is not an RFC 3339 timestamp with offset"},
      {With("/occurred_at", "2026-02-30T10:00:00-06:00"),
       "occurred_at: \"2026-02-30T10:00:00-06:00\" is not an RFC 3339 timestamp with offset"},
      {With("/occurred_at", "2026-03-02T07:40:00"),
       "occurred_at: \"2026-03-02T07:40:00\" is not an RFC 3339 timestamp with offset"},
      {With("/custody/start", "2026-03-02T25:00:00Z"),
       "custody.start: \"2026-03-02T25:00:00Z\" is not an RFC 3339 timestamp with offset"},
      {With("/subject/birth_date", "2010-02-30"),
       "subject.birth_date: \"2010-02-30\" is not a valid date (YYYY-MM-DD)"},
      {With("/subject/birth_date", "14/08/2010"),
       "subject.birth_date: \"14/08/2010\" is not a valid date (YYYY-MM-DD)"},
      {With("/subject/birth_date", "2026-03-03"),
       "subject.birth_date: 2026-03-03 is after occurred_at (2026-03-02)"},
  });
}

TEST_CASE("DecodeEvent refuses country, subdivision and language codes of the wrong shape") {
  CheckRejections({
      {With("/subject/nationalities", Json::array({"Guatemala"})),
       "subject.nationalities[0]: \"Guatemala\" is not an ISO 3166-1 alpha-2 code"},
      {With("/authority/country", "mx"),
       "authority.country: \"mx\" is not an ISO 3166-1 alpha-2 code"},
      {With("/subject/habitual_residence", "GTM"),
       "subject.habitual_residence: \"GTM\" is not an ISO 3166-1 alpha-2 code"},
      // Unassigned codes too, as the directory refuses them (core/iso3166.h).
      {With("/subject/nationalities", Json::array({"ZZ"})),
       "subject.nationalities[0]: \"ZZ\" is not an ISO 3166-1 alpha-2 code"},
      {With("/location/admin1", "Chiapas"),
       "location.admin1: \"Chiapas\" is not an ISO 3166-2 subdivision code"},
      {With("/location/admin1", "MX-CHPS"),
       "location.admin1: \"MX-CHPS\" is not an ISO 3166-2 subdivision code"},
      // The right shape but no such subdivision (issue 12): it used to pass
      // and route to the national fallbacks.
      {With("/location/admin1", "MX-ZZZ"),
       "location.admin1: \"MX-ZZZ\" is not an ISO 3166-2 subdivision code"},
      {With("/location/admin1", "MX-9"),
       "location.admin1: \"MX-9\" is not an ISO 3166-2 subdivision code"},
      {With("/location/admin1", "GT-QZ"),
       "location.admin1: \"GT-QZ\" is not a subdivision of location.country \"MX\""},
      {With("/subject/languages", Json::array({"Spanish"})),
       "subject.languages[0]: \"Spanish\" is not an ISO 639 language code (BCP 47)"},
      {With("/subject/nationalities", Json::array({std::string(100, 'G')})),
       "subject.nationalities[0]: \"" + std::string(64, 'G') +
           "\"... is not an ISO 3166-1 alpha-2 code"},
  });
}

TEST_CASE("DecodeEvent refuses impossible ages and empty nationalities") {
  CheckRejections({
      {With("/subject/age/years", 200), "subject.age.years: 200 is out of range 0..130"},
      {With("/subject/age/years", -1), "subject.age.years: -1 is out of range 0..130"},
      {With("/subject/nationalities", Json::array()),
       "subject.nationalities: must list at least one nationality"},
  });
}

TEST_CASE("DecodeEvent refuses unknown fields at any level") {
  CheckRejections({
      {With("/subject/nickname", "la pequeña"), "subject.nickname: unknown field"},
      {With("/priority", "high"), "priority: unknown field"},
      {With("/location/facility/capacity", 900), "location.facility.capacity: unknown field"},
      {With("/subject/age/months", 3), "subject.age.months: unknown field"},
      {With("/subject/" + std::string(600, 'k'), 1), "subject." + std::string(504, 'k') + "..."},
  });
}

TEST_CASE("DecodeEvent refuses empty, overlong and control-character strings") {
  CheckRejections({
      {With("/event_id", ""), "event_id: must not be empty"},
      {With("/event_id", std::string(129, 'e')), "event_id: is 129 bytes long; the limit is 128"},
      {With("/authority/office", std::string(257, 'o')),
       "authority.office: is 257 bytes long; the limit is 256"},
      {With("/subject/id", "INM\t0193"), "subject.id: must not contain control characters"},
  });
  CHECK(DecodeEvent(With("/event_id", std::string(128, 'e'))).ok());
  CHECK(DecodeEvent(With("/authority/office", std::string(256, 'o'))).ok());
}

TEST_CASE("DecodeEvent refuses repeated flags, nationalities and languages") {
  CheckRejections({
      {With("/subject/flags", Json::array({"pregnant", "asylum_claim", "pregnant"})),
       "subject.flags[2]: \"pregnant\" is listed twice"},
      {With("/subject/nationalities", Json::array({"GT", "GT"})),
       "subject.nationalities[1]: \"GT\" is listed twice"},
      {With("/subject/languages", Json::array({"es", "es"})),
       "subject.languages[1]: \"es\" is listed twice"},
  });
}

TEST_CASE("DecodeEvent refuses transfer and return events without their blocks") {
  CheckRejections({
      {Return([](Json& j) { j["return"].erase("to_country"); }),
       "return.to_country: required field missing"},
      {Return([](Json& j) { j.erase("return"); }), "return: required for a return event"},
      {With("/type", "transfer"), "transfer: required for a transfer event"},
      {With("/transfer", Json::object()), "transfer.to: required field missing"},
      {With("/transfer/to", {{"agency", "DIF Chiapas"}}),
       "transfer.to.kind: required field missing"},
      {With("/transfer/to", {{"kind", "child_welfare"}}),
       "transfer.to.agency: required field missing"},
      {With("/return", {{"port", "Talismán"}}), "return.to_country: required field missing"},
  });
}

TEST_CASE("DecodeEvent validates transfer and return blocks on other event types") {
  CHECK(DecodeEvent(With("/return", {{"to_country", "GT"}})).ok());
  CHECK(DecodeEvent(With("/transfer/to", {{"agency", "DIF Chiapas"}, {"kind", "child_welfare"}}))
            .ok());
  CheckRejections({
      {With("/return", {{"to_country", "Guatemala"}}),
       "return.to_country: \"Guatemala\" is not an ISO 3166-1 alpha-2 code"},
  });
}

TEST_CASE("DecodeEvent accepts the edges of the valid range") {
  CHECK(DecodeEvent(With("/subject/age/years", 0)).ok());
  CHECK(DecodeEvent(With("/subject/age/years", 130)).ok());
  CHECK(DecodeEvent(With("/subject/birth_date", "2026-03-02")).ok());  // Born that day.
  CHECK(DecodeEvent(With("/subject/languages", Json::array())).ok());
  CHECK(DecodeEvent(With("/custody", Json::object())).ok());
  CHECK(DecodeEvent(With("/location/admin1", "MX-CMX")).ok());
}

TEST_CASE("DecodeEvent reads an age of -0 as 0") {
  std::string minus_zero = With("/subject/age/years", 0);
  minus_zero.replace(minus_zero.find("\"years\":0"), 9, "\"years\":-0");
  const auto event = DecodeEvent(minus_zero);
  REQUIRE(event.ok());
  CHECK(event->subject.age->years == 0);
}

TEST_CASE("DecodeEvent reports the problem of the highest precedence") {
  Json j = Apprehension();
  j["subject"]["nickname"] = "x";       // Unknown field.
  j["subject"]["age"]["years"] = 200;   // Age.
  j["location"]["admin1"] = "Chiapas";  // Admin1.
  j["authority"].erase("agency");       // Missing: reported.
  j["occurred_at"] = "yesterday";       // Timestamp.
  CheckRejections({{j.dump(), "authority.agency: required field missing"}});
  j["authority"]["agency"] = "INM";
  CheckRejections(
      {{j.dump(), "occurred_at: \"yesterday\" is not an RFC 3339 timestamp with offset"}});
}

// ---------------------------------------------------------------------------
// The optional protection facts: birth-date precision, custody kind and
// review, consular notification, TVPRA screening, procedure.

const Json kScreening = {
    {"trafficking_victim", "no"}, {"credible_fear", "no"}, {"independent_decision", "yes"}};

TEST_CASE("DecodeEvent accepts each optional protection fact on the apprehension sample") {
  CHECK(DecodeEvent(With("/subject/birth_date_precision", "estimated")).ok());
  CHECK(DecodeEvent(With("/custody/kind", "housed")).ok());
  CHECK(DecodeEvent(With("/custody/detention_review_at", "2026-03-02T09:00:00-06:00")).ok());
  CHECK(DecodeEvent(With("/consular_notification", {{"requested_by_child", "not_asked"}})).ok());
  CHECK(DecodeEvent(With("/tvpra_screening", kScreening)).ok());
  CHECK(DecodeEvent(With("/procedure", {{"restitution_plan_id", "PRD-CHP-2026-0031"}})).ok());
  CHECK(DecodeEvent(With("/procedure", Json::object())).ok());
  CHECK(DecodeEvent(With("/procedure/restitution_plan_id", std::string(256, 'p'))).ok());
}

TEST_CASE("DecodeEvent lists the allowed values of each new enum") {
  CheckRejections({
      {With("/subject/birth_date_precision", "approximate"),
       "subject.birth_date_precision: \"approximate\" is not one of exact, month, year, "
       "estimated"},
      {With("/subject/birth_date_precision", "Month"),
       "subject.birth_date_precision: \"Month\" is not one of exact, month, year, estimated"},
      {With("/custody/kind", "jailed"), "custody.kind: \"jailed\" is not one of detained, housed"},
      {With("/consular_notification", {{"requested_by_child", "not asked"}}),
       "consular_notification.requested_by_child: \"not asked\" is not one of yes, no, "
       "not_asked"},
      {With("/tvpra_screening", {{"trafficking_victim", "unknown"},
                                 {"credible_fear", "no"},
                                 {"independent_decision", "yes"}}),
       "tvpra_screening.trafficking_victim: \"unknown\" is not one of yes, no, pending"},
      {With("/tvpra_screening", {{"trafficking_victim", "no"},
                                 {"credible_fear", "YES"},
                                 {"independent_decision", "yes"}}),
       "tvpra_screening.credible_fear: \"YES\" is not one of yes, no, pending"},
      {With("/tvpra_screening", {{"trafficking_victim", "no"},
                                 {"credible_fear", "no"},
                                 {"independent_decision", "screened_out"}}),
       "tvpra_screening.independent_decision: \"screened_out\" is not one of yes, no, pending"},
  });
}

TEST_CASE("DecodeEvent refuses wrong JSON types in the new fields") {
  CheckRejections({
      {With("/subject/birth_date_precision", 1),
       "subject.birth_date_precision: expected a string, got number"},
      {With("/custody/kind", true), "custody.kind: expected a string, got boolean"},
      {With("/custody/detention_review_at", 1772467200),
       "custody.detention_review_at: expected a string, got number"},
      {With("/consular_notification", {{"requested_by_child", true}}),
       "consular_notification.requested_by_child: expected a string, got boolean"},
      {With("/procedure", {{"restitution_plan_id", 31}}),
       "procedure.restitution_plan_id: expected a string, got number"},
      {With("/tvpra_screening", {{"trafficking_victim", "no"},
                                 {"credible_fear", nullptr},
                                 {"independent_decision", "yes"}}),
       "tvpra_screening.credible_fear: expected a string, got null"},
  });
}

TEST_CASE("DecodeEvent refuses new blocks that are not objects") {
  CheckRejections({
      {With("/consular_notification", "yes"),
       "consular_notification: expected an object, got string"},
      {With("/consular_notification", true),
       "consular_notification: expected an object, got boolean"},
      {With("/tvpra_screening", Json::array({"no", "no", "yes"})),
       "tvpra_screening: expected an object, got array"},
      {With("/tvpra_screening", nullptr), "tvpra_screening: expected an object, got null"},
      {With("/procedure", "PRD-CHP-2026-0031"), "procedure: expected an object, got string"},
      {With("/procedure", 7), "procedure: expected an object, got number"},
      {With("/custody", Json::array()), "custody: expected an object, got array"},
  });
}

TEST_CASE("DecodeEvent names each required member missing from a new block") {
  CheckRejections({
      {With("/consular_notification", Json::object()),
       "consular_notification.requested_by_child: required field missing"},
      {With("/tvpra_screening", Json::object()),
       "tvpra_screening.trafficking_victim: required field missing"},
  });
  std::vector<Rejection> cases;
  for (const char* member : {"trafficking_victim", "credible_fear", "independent_decision"}) {
    Json screening = kScreening;
    screening.erase(member);
    cases.push_back({With("/tvpra_screening", screening),
                     "tvpra_screening." + std::string(member) + ": required field missing"});
  }
  CheckRejections(cases);
}

TEST_CASE("DecodeEvent refuses unknown members in each new block") {
  Json screening = kScreening;
  screening["form"] = "CBP-93";
  CheckRejections({
      {With("/custody/reviewed_by", "IRB"), "custody.reviewed_by: unknown field"},
      {With("/consular_notification", {{"requested_by_child", "yes"}, {"notified_at", "x"}}),
       "consular_notification.notified_at: unknown field"},
      {With("/tvpra_screening", screening), "tvpra_screening.form: unknown field"},
      {With("/procedure", {{"plan_id", "PRD-1"}}), "procedure.plan_id: unknown field"},
      {With("/subject/birth_date_accuracy", "month"), "subject.birth_date_accuracy: unknown field"},
      {With("/screening", kScreening), "screening: unknown field"},
  });
}

TEST_CASE("DecodeEvent refuses a bad detention review timestamp") {
  CheckRejections({
      {With("/custody/detention_review_at", "2026-03-02"),
       "custody.detention_review_at: \"2026-03-02\" is not an RFC 3339 timestamp with offset"},
      {With("/custody/detention_review_at", "2026-03-02T09:00:00"),
       "custody.detention_review_at: \"2026-03-02T09:00:00\" is not an RFC 3339 timestamp with "
       "offset"},
      {With("/custody/detention_review_at", "2026-02-29T09:00:00Z"),
       "custody.detention_review_at: \"2026-02-29T09:00:00Z\" is not an RFC 3339 timestamp with "
       "offset"},
  });
}

TEST_CASE("DecodeEvent refuses an empty, overlong or control-character restitution plan id") {
  CheckRejections({
      {With("/procedure", {{"restitution_plan_id", ""}}),
       "procedure.restitution_plan_id: must not be empty"},
      {With("/procedure", {{"restitution_plan_id", std::string(257, 'p')}}),
       "procedure.restitution_plan_id: is 257 bytes long; the limit is 256"},
      {With("/procedure", {{"restitution_plan_id", "PRD\n1"}}),
       "procedure.restitution_plan_id: must not contain control characters"},
  });
}

TEST_CASE("DecodeEvent refuses a birth-date precision without a birth date") {
  const std::string precision_alone = Edited([](Json& j) {
    j["subject"].erase("birth_date");
    j["subject"]["birth_date_precision"] = "year";
  });
  CheckRejections({
      {precision_alone, "subject.birth_date_precision: requires subject.birth_date"},
  });
  SECTION("the check ranks with the other consistency checks (row 18 of the README)") {
    // Below an unknown field (16) and a string rule (17) ...
    CheckRejections({
        {Edited([](Json& j) {
           j["subject"].erase("birth_date");
           j["subject"]["birth_date_precision"] = "year";
           j["subject"]["nickname"] = "x";
         }),
         "subject.nickname: unknown field"},
        {Edited([](Json& j) {
           j["subject"].erase("birth_date");
           j["subject"]["birth_date_precision"] = "year";
           j["event_id"] = "";
         }),
         "event_id: must not be empty"},
        // ... above a repeated value (19) ...
        {Edited([](Json& j) {
           j["subject"].erase("birth_date");
           j["subject"]["birth_date_precision"] = "year";
           j["subject"]["flags"] = {"pregnant", "pregnant"};
         }),
         "subject.birth_date_precision: requires subject.birth_date"},
        // ... and, of two consistency problems, the subject's comes first: it is read
        // before the event's blocks are checked against its type.
        {Edited([](Json& j) {
           j["type"] = "transfer";
           j["subject"].erase("birth_date");
           j["subject"]["birth_date_precision"] = "year";
         }),
         "subject.birth_date_precision: requires subject.birth_date"},
        // A precision that is not a known value is an enum problem (9).
        {Edited([](Json& j) {
           j["subject"].erase("birth_date");
           j["subject"]["birth_date_precision"] = "decade";
         }),
         "subject.birth_date_precision: \"decade\" is not one of exact, month, year, estimated"},
    });
  }
  SECTION("a birth date that is present but invalid is reported as such") {
    CheckRejections({{Edited([](Json& j) {
                        j["subject"]["birth_date"] = "2010-02-30";
                        j["subject"]["birth_date_precision"] = "month";
                      }),
                      "subject.birth_date: \"2010-02-30\" is not a valid date (YYYY-MM-DD)"}});
  }
}

TEST_CASE("DecodeEvent reads and refuses the release and reintegration blocks") {
  CHECK(DecodeEvent(With("/release", {{"to", "sponsor"}})).ok());
  CHECK(DecodeEvent(With("/release", {{"to", "child_welfare"}, {"by", "migration"}})).ok());
  CHECK(DecodeEvent(With("/reintegration", {{"return_event_id", "inm-chp-2026-000603"},
                                            {"care", "alternative_care"},
                                            {"plan_id", "PRI-1"},
                                            {"follow_up_visit", 20}}))
            .ok());
  CHECK(DecodeEvent(With("/reintegration/return_event_id", std::string(128, 'r'))).ok());
  CheckRejections({
      {With("/type", "reception"), "reintegration: required for a reception event"},
      {With("/release", Json::object()), "release.to: required field missing"},
      {With("/release", {{"to", "aunt"}}),
       "release.to: \"aunt\" is not one of child_welfare, parent_or_guardian, relative, sponsor, "
       "own_recognizance, other"},
      {With("/release", {{"to", "sponsor"}, {"by", "court"}}),
       "release.by: \"court\" is not one of child_welfare, migration, police, shelter"},
      {With("/release", {{"to", "sponsor"}, {"when", "now"}}), "release.when: unknown field"},
      {With("/reintegration", {{"care", "family"}}),
       "reintegration.return_event_id: required field missing"},
      {With("/reintegration", {{"return_event_id", "r-1"}, {"care", "foster"}}),
       "reintegration.care: \"foster\" is not one of family, alternative_care"},
      {With("/reintegration", {{"return_event_id", "r-1"}, {"follow_up_visit", 0}}),
       "reintegration.follow_up_visit: 0 is out of range 1..20"},
      {With("/reintegration", {{"return_event_id", "r-1"}, {"follow_up_visit", 21}}),
       "reintegration.follow_up_visit: 21 is out of range 1..20"},
      {With("/reintegration", {{"return_event_id", "r-1"}, {"follow_up_visit", "1"}}),
       "reintegration.follow_up_visit: expected an integer, got string"},
      {With("/reintegration", {{"return_event_id", std::string(129, 'r')}}),
       "reintegration.return_event_id: is 129 bytes long; the limit is 128"},
  });
}

}  // namespace
}  // namespace amparo

namespace amparo {
namespace {

// Issue 12: an authority that honestly does not know a child's age must not
// lose the event; the presumption of minority applies downstream.
TEST_CASE("DecodeEvent accepts an unknown age without years, and no age at all") {
  SECTION("age {basis: unknown} without years") {
    const std::string payload = With("/subject/age", Json{{"basis", "unknown"}});
    const auto event = DecodeEvent(payload);
    REQUIRE(event.ok());
    REQUIRE(event->subject.age);
    CHECK(event->subject.age->basis == AgeBasis::kUnknown);
    CHECK_FALSE(event->subject.age->years);
    // The canonical form keeps it so, and reads back equal.
    const std::string canonical = EncodeEvent(*event);
    CHECK(canonical.find(R"("age":{"basis":"unknown"})") != std::string::npos);
    const auto again = DecodeEvent(canonical);
    REQUIRE(again.ok());
    CHECK(*again == *event);
  }
  SECTION("age {years, basis: unknown} keeps the years") {
    const auto event = DecodeEvent(With("/subject/age", Json{{"years", 15}, {"basis", "unknown"}}));
    REQUIRE(event.ok());
    CHECK(event->subject.age->years == 15);
  }
  SECTION("no age and no birth date") {
    const auto event = DecodeEvent(Edited([](Json& j) {
      j["subject"].erase("age");
      j["subject"].erase("birth_date");
    }));
    REQUIRE(event.ok());
    CHECK_FALSE(event->subject.age);
    CHECK_FALSE(event->subject.birth_date);
  }
}

TEST_CASE("DecodeEvent still wants the years of an age that has a basis") {
  CheckRejections({
      {With("/subject/age", Json{{"basis", "declared"}}),
       "subject.age.years: required field missing"},
      {With("/subject/age", Json{{"basis", "document"}}),
       "subject.age.years: required field missing"},
      {With("/subject/age", Json{{"years", 15}}), "subject.age.basis: required field missing"},
  });
}

// ---------------------------------------------------------------------------
// The limbs of issue 16 item 5: companions' custody status (MX-1), the age
// assessment method (US-5), the protection measure (MX-4), who was available
// at a release (US-7), the guardian (INT-5), the detention review number
// (CA-3). All optional: the samples without them are read as before.

TEST_CASE("DecodeEvent accepts each limb field and round-trips it") {
  const std::vector<std::string> payloads = {
      With("/subject/companions", {{{"relation", "parent"}, {"custody_status", "separated"}}}),
      Edited([](Json& j) {
        j["type"] = "age_assessment";
        j["subject"]["age"] = {{"years", 17}, {"basis", "assessment"}, {"method", "dental_xray"}};
      }),
      With("/procedure", {{"protection_measure", "requested"}}),
      With("/release", {{"to", "sponsor"}, {"available", {"relative", "sponsor"}}}),
      With("/guardian", {{"appointed", false}}),
      With("/guardian", {{"appointed", true}, {"appointed_at", "2026-03-03T10:00:00-06:00"}}),
      Edited([](Json& j) {
        j["custody"]["detention_review_at"] = "2026-03-02T09:00:00-06:00";
        j["custody"]["detention_review_number"] = 999;
      }),
  };
  for (const std::string& payload : payloads) {
    INFO(payload);
    const auto event = DecodeEvent(payload);
    REQUIRE(event.ok());
    const auto again = DecodeEvent(EncodeEvent(*event));
    REQUIRE(again.ok());
    CHECK(*again == *event);
  }
}

TEST_CASE("DecodeEvent refuses bad values of the limb fields with a precise reason") {
  CheckRejections({
      {With("/subject/companions", {{{"relation", "parent"}, {"custody_status", "apart"}}}),
       "subject.companions[0].custody_status: \"apart\" is not one of same_facility, separated, "
       "prosecuted, released"},
      {With("/subject/age/method", "xray"),
       "subject.age.method: \"xray\" is not one of interview, documents, dental_xray, "
       "skeletal_xray, multiple_evidence"},
      {With("/subject/age/method", "interview"),
       "subject.age.method: requires subject.age.basis \"assessment\""},
      {With("/procedure", {{"protection_measure", "pending"}}),
       "procedure.protection_measure: \"pending\" is not one of issued, requested, none"},
      {With("/release", {{"to", "sponsor"}, {"available", "relative"}}),
       "release.available: expected an array, got string"},
      {With("/release", {{"to", "sponsor"}, {"available", {"relative", "aunt"}}}),
       "release.available[1]: \"aunt\" is not one of child_welfare, parent_or_guardian, relative, "
       "sponsor, own_recognizance, other"},
      {With("/release", {{"to", "sponsor"}, {"available", {"relative", "relative"}}}),
       "release.available[1]: \"relative\" is listed twice"},
      {With("/guardian", Json::object()), "guardian.appointed: required field missing"},
      {With("/guardian", {{"appointed", "no"}}),
       "guardian.appointed: expected a boolean, got string"},
      {With("/guardian", {{"appointed", false}, {"appointed_at", "2026-03-03T10:00:00-06:00"}}),
       "guardian.appointed_at: requires guardian.appointed true"},
      {With("/guardian", {{"appointed", true}, {"appointed_at", "2026-03-03"}}),
       "guardian.appointed_at: \"2026-03-03\" is not an RFC 3339 timestamp with offset"},
      {With("/guardian", {{"appointed", true}, {"by", "court"}}), "guardian.by: unknown field"},
      {With("/custody/detention_review_number", 1),
       "custody.detention_review_number: requires custody.detention_review_at"},
      {Edited([](Json& j) {
         j["custody"]["detention_review_at"] = "2026-03-02T09:00:00-06:00";
         j["custody"]["detention_review_number"] = 0;
       }),
       "custody.detention_review_number: 0 is out of range 1..999"},
      {Edited([](Json& j) {
         j["custody"]["detention_review_at"] = "2026-03-02T09:00:00-06:00";
         j["custody"]["detention_review_number"] = "2";
       }),
       "custody.detention_review_number: expected an integer, got string"},
  });
}

}  // namespace
}  // namespace amparo

#include "daemon/event/event_codec.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daemon/event/rfc3339.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

struct Sample {
  std::string file;
  EventType type;
};

// One complete example per event type; README.md shows the same files.
const std::vector<Sample>& ValidSamples() {
  static const std::vector<Sample> samples = {
      {"01-apprehension.json", EventType::kApprehension},
      {"02-detention.json", EventType::kDetention},
      {"03-transfer.json", EventType::kTransfer},
      {"04-release.json", EventType::kRelease},
      {"05-return.json", EventType::kReturn},
      {"06-age_assessment.json", EventType::kAgeAssessment},
      {"07-case_update.json", EventType::kCaseUpdate},
  };
  return samples;
}

std::string LoadSample(const std::string& file) {
  return testing::ReadFile(testing::SourcePath("config/samples/" + file));
}

TEST_CASE("DecodeEvent accepts one complete sample of every event type") {
  for (const Sample& sample : ValidSamples()) {
    INFO(sample.file);
    const auto event = DecodeEvent(LoadSample(sample.file));
    REQUIRE(event.ok());
    CHECK(event->type == sample.type);
  }
  CHECK(ValidSamples().size() == AllNames<EventType>().size());
}

TEST_CASE("The contract reference shows every sample verbatim") {
  const std::string readme = testing::ReadFile(testing::SourcePath("daemon/event/README.md"));
  for (const Sample& sample : ValidSamples()) {
    INFO(sample.file);
    CHECK(readme.find(LoadSample(sample.file)) != std::string::npos);
  }
}

TEST_CASE("DecodeEvent reads every field of the apprehension sample") {
  const auto e = DecodeEvent(LoadSample("01-apprehension.json"));
  REQUIRE(e.ok());
  CHECK(e->schema == "amparo.event.v1");
  CHECK(e->event_id == "inm-chp-2026-000418");
  CHECK(e->occurred_at == *ParseRfc3339("2026-03-02T07:40:00-06:00"));
  CHECK(e->authority == Authority{"MX", "INM", "Oficina de Representación en Chiapas"});
  CHECK(e->location == Location{"MX", "MX-CHP", "Tapachula",
                                Facility{"INM-CHP-EM-SIGLO-XXI", FacilityType::kMigrationStation}});
  const Subject& s = e->subject;
  CHECK(s.id == "INM-CHP-NNA-2026-0193");
  CHECK_FALSE(s.name.has_value());
  CHECK(s.birth_date == date::year{2010} / 8 / 14);
  CHECK(s.age == Age{15, AgeBasis::kDocument});
  CHECK(s.sex == Sex::kF);
  CHECK(s.nationalities == std::vector<std::string>{"GT"});
  CHECK(s.languages == std::vector<std::string>{"es", "mam"});
  CHECK(s.accompaniment == Accompaniment::kUnaccompanied);
  CHECK(s.companions.empty());
  CHECK(s.flags.empty());
  CHECK(s.habitual_residence == "GT");
  CHECK_FALSE(e->transfer.has_value());
  CHECK_FALSE(e->return_.has_value());
  REQUIRE(e->custody.has_value());
  CHECK(e->custody->start == *ParseRfc3339("2026-03-02T07:40:00-06:00"));
  CHECK(e->custody->with_unrelated_adults == true);
}

TEST_CASE("DecodeEvent reads transfer, return, name, companions and flags") {
  const auto transfer = DecodeEvent(LoadSample("03-transfer.json"));
  REQUIRE(transfer.ok());
  REQUIRE(transfer->transfer.has_value());
  CHECK(transfer->transfer->to ==
        TransferTarget{"HHS-ORR", TransferKind::kChildWelfare,
                       Facility{"ORR-TX-SHELTER-0417", FacilityType::kShelter}});

  const auto back = DecodeEvent(LoadSample("05-return.json"));
  REQUIRE(back.ok());
  CHECK(back->return_ ==
        Return{"SV", "Frontera La Hachadura", *ParseRfc3339("2026-03-10T06:00:00-06:00")});

  const auto update = DecodeEvent(LoadSample("07-case_update.json"));
  REQUIRE(update.ok());
  CHECK(update->subject.name == PersonName{"Ixchel", "Ejemplo"});
  CHECK(update->subject.flags ==
        std::vector<SubjectFlag>{SubjectFlag::kAsylumClaim, SubjectFlag::kTraffickingIndicators});

  const auto assessment = DecodeEvent(LoadSample("06-age_assessment.json"));
  REQUIRE(assessment.ok());
  CHECK(assessment->subject.companions ==
        std::vector<Companion>{{Relation::kUnrelatedAdult}, {Relation::kUnrelatedAdult}});
  CHECK(assessment->occurred_at == *ParseRfc3339("2026-03-07T10:45:30.250-05:00"));
}

TEST_CASE("The duplicate sample is the apprehension sample again") {
  const auto original = DecodeEvent(LoadSample("01-apprehension.json"));
  const auto again = DecodeEvent(LoadSample("90-duplicate-of-01-apprehension.json"));
  REQUIRE(original.ok());
  REQUIRE(again.ok());
  CHECK(*again == *original);
}

TEST_CASE("The bad samples for the demo are refused with their reasons") {
  const std::pair<const char*, const char*> bad[] = {
      {"91-bad-country-code.json",
       "subject.nationalities[0]: \"Guatemala\" is not an ISO 3166-1 alpha-2 code"},
      {"92-bad-return-without-to-country.json", "return.to_country: required field missing"},
      {"93-bad-not-json.json",
       "payload is not JSON: parse error at line 13, column 3: syntax error while parsing object "
       "key - unexpected end of input; expected string literal"},
      {"94-bad-admin1-other-country.json",
       "location.admin1: \"GT-QZ\" is not a subdivision of location.country \"MX\""},
      {"95-bad-unknown-field.json", "subject.nickname: unknown field"},
  };
  for (const auto& [file, reason] : bad) {
    INFO(file);
    const auto event = DecodeEvent(LoadSample(file));
    REQUIRE_FALSE(event.ok());
    CHECK(event.status().code() == Status::Code::kInvalidArgument);
    CHECK(event.status().message() == reason);
  }
}

TEST_CASE("EncodeEvent round-trips every sample") {
  for (const Sample& sample : ValidSamples()) {
    INFO(sample.file);
    const auto event = DecodeEvent(LoadSample(sample.file));
    REQUIRE(event.ok());
    const std::string canonical = EncodeEvent(*event);
    const auto again = DecodeEvent(canonical);
    REQUIRE(again.ok());
    CHECK(*again == *event);
    CHECK(EncodeEvent(*again) == canonical);
  }
}

TEST_CASE("EncodeEvent writes keys in contract order and omits what is absent") {
  const auto event = DecodeEvent(LoadSample("03-transfer.json"));
  REQUIRE(event.ok());
  CHECK(EncodeEvent(*event) ==
        R"({"schema":"amparo.event.v1","event_id":"usbp-rgv-2026-031-00913","type":"transfer",)"
        R"("occurred_at":"2026-03-06T14:30:00-06:00","authority":{"country":"US",)"
        R"("agency":"CBP-USBP","office":"Rio Grande Valley Sector"},"location":{"country":"US",)"
        R"("admin1":"US-TX","place":"McAllen","facility":{"id":"USBP-RGV-MCS",)"
        R"("type":"border_post"}},"subject":{"id":"RGV-2026-UC-004417","age":{"years":12,)"
        R"("basis":"declared"},"sex":"M","nationalities":["HN"],"accompaniment":"separated"},)"
        R"("transfer":{"to":{"agency":"HHS-ORR","kind":"child_welfare",)"
        R"("facility":{"id":"ORR-TX-SHELTER-0417","type":"shelter"}}}})");
}

TEST_CASE("EncodeEvent round-trips a minimal event built in code") {
  Event e;
  e.event_id = "e-1";
  e.occurred_at = *ParseRfc3339("2026-03-02T07:40:00.007+01:00");
  e.authority = {"GT", "IGM", std::nullopt};
  e.location = {"GT", "GT-QZ", std::nullopt, std::nullopt};
  e.subject.id = "s-1";
  e.subject.nationalities = {"HN"};
  e.custody = Custody{};
  const auto again = DecodeEvent(EncodeEvent(e));
  REQUIRE(again.ok());
  CHECK(*again == e);
}

}  // namespace
}  // namespace amparo

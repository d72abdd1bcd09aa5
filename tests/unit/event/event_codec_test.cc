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
      {"09-reception.json", EventType::kReception},
  };
  return samples;
}

// Samples beyond one per type, also shown in README.md.
const std::vector<Sample>& MoreSamples() {
  static const std::vector<Sample> samples = {
      {"08-case_update-tvpra.json", EventType::kCaseUpdate},
      {"10-case_update-reintegration.json", EventType::kCaseUpdate},
      {"11-release-to-sponsor.json", EventType::kRelease},
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

TEST_CASE("DecodeEvent accepts the further samples") {
  for (const Sample& sample : MoreSamples()) {
    INFO(sample.file);
    const auto event = DecodeEvent(LoadSample(sample.file));
    REQUIRE(event.ok());
    CHECK(event->type == sample.type);
  }
}

TEST_CASE("The contract reference shows every sample verbatim") {
  const std::string readme = testing::ReadFile(testing::SourcePath("daemon/event/README.md"));
  for (const auto* samples : {&ValidSamples(), &MoreSamples()}) {
    for (const Sample& sample : *samples) {
      INFO(sample.file);
      CHECK(readme.find("`config/samples/" + sample.file + "`") != std::string::npos);
      CHECK(readme.find(LoadSample(sample.file)) != std::string::npos);
    }
  }
}

TEST_CASE("DecodeEvent reads the reception, reintegration and release samples") {
  const auto reception = DecodeEvent(LoadSample("09-reception.json"));
  REQUIRE(reception.ok());
  REQUIRE(reception->reintegration.has_value());
  CHECK(*reception->reintegration == Reintegration{"inm-chp-2026-000603", {}, {}, {}});
  const auto update = DecodeEvent(LoadSample("10-case_update-reintegration.json"));
  REQUIRE(update.ok());
  REQUIRE(update->reintegration.has_value());
  CHECK(*update->reintegration ==
        Reintegration{
            "inm-chp-2026-000603", ReintegrationCare::kFamily, "CONAPINA-PRI-2026-0387", {}});
  const auto release = DecodeEvent(LoadSample("11-release-to-sponsor.json"));
  REQUIRE(release.ok());
  CHECK(release->release == Release{ReleaseTo::kSponsor, {}});
  // Both blocks survive a round trip through EncodeEvent.
  Event e = *update;
  e.reintegration->follow_up_visit = 2;
  e.release = Release{ReleaseTo::kChildWelfare, TransferKind::kMigration};
  const auto again = DecodeEvent(EncodeEvent(e));
  REQUIRE(again.ok());
  CHECK(*again == e);
}

TEST_CASE("DecodeEvent reads the protection facts of the TVPRA sample") {
  const auto e = DecodeEvent(LoadSample("08-case_update-tvpra.json"));
  REQUIRE(e.ok());
  CHECK(e->subject.nationalities == std::vector<std::string>{"MX"});
  CHECK(e->subject.birth_date == date::year{2009} / 7 / 1);
  CHECK(e->subject.birth_date_precision == BirthDatePrecision::kMonth);
  REQUIRE(e->custody.has_value());
  CHECK(e->custody->kind == CustodyKind::kDetained);
  CHECK_FALSE(e->custody->detention_review_at.has_value());
  CHECK(e->consular_notification == ConsularNotification{ConsularRequest::kYes});
  REQUIRE(e->tvpra_screening.has_value());
  CHECK(*e->tvpra_screening ==
        TvpraScreening{ScreeningAnswer::kNo, ScreeningAnswer::kNo, ScreeningAnswer::kYes});
  CHECK(e->tvpra_screening->Outcome() == ScreeningOutcome::kScreenedOut);  // As README says.
  CHECK_FALSE(e->procedure.has_value());
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
                       Facility{"ORR-TX-SHELTER-0417", FacilityType::kShelter}, std::nullopt});

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
  std::vector<Sample> samples = ValidSamples();
  samples.insert(samples.end(), MoreSamples().begin(), MoreSamples().end());
  for (const Sample& sample : samples) {
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

// An event with every optional protection fact of the contract.
Event WithEveryProtectionFact() {
  Event e;
  e.event_id = "cbp-rgv-2026-0042";
  e.type = EventType::kCaseUpdate;
  e.occurred_at = *ParseRfc3339("2026-03-05T09:15:00-06:00");
  e.authority = {"US", "CBP-USBP", std::nullopt};
  e.location = {"US", "US-TX", std::nullopt, std::nullopt};
  e.subject.id = "RGV-2026-UC-005120";
  e.subject.birth_date = date::year{2010} / 5 / 1;
  e.subject.birth_date_precision = BirthDatePrecision::kMonth;
  e.subject.nationalities = {"MX"};
  e.subject.accompaniment = Accompaniment::kUnaccompanied;
  e.return_ = Return{"MX", "Hidalgo", *ParseRfc3339("2026-03-06T22:30:00-05:00")};
  e.custody = Custody{*ParseRfc3339("2026-03-04T21:50:00-06:00"), false, CustodyKind::kHoused,
                      *ParseRfc3339("2026-03-05T08:00:00.250-06:00")};
  e.consular_notification = ConsularNotification{ConsularRequest::kNotAsked};
  e.tvpra_screening =
      TvpraScreening{ScreeningAnswer::kNo, ScreeningAnswer::kPending, ScreeningAnswer::kYes};
  e.procedure = Procedure{"PPNNA-TAM-2026-0077"};
  return e;
}

TEST_CASE("DecodeEvent reads every optional protection fact") {
  const auto e = DecodeEvent(R"({"schema":"amparo.event.v1","event_id":"e-1","type":"case_update",
      "occurred_at":"2026-03-05T09:15:00-06:00","authority":{"country":"US","agency":"CBP-USBP"},
      "location":{"country":"US","admin1":"US-TX"},
      "subject":{"id":"s-1","birth_date":"2010-01-01","birth_date_precision":"year",
                 "nationalities":["MX"],"accompaniment":"unaccompanied"},
      "custody":{"kind":"detained","detention_review_at":"2026-03-05T08:00:00Z"},
      "consular_notification":{"requested_by_child":"yes"},
      "tvpra_screening":{"trafficking_victim":"pending","credible_fear":"yes",
                         "independent_decision":"no"},
      "procedure":{"restitution_plan_id":"PRD-1"}})");
  REQUIRE(e.ok());
  CHECK(e->subject.birth_date == date::year{2010} / 1 / 1);
  CHECK(e->subject.birth_date_precision == BirthDatePrecision::kYear);
  REQUIRE(e->custody.has_value());
  CHECK_FALSE(e->custody->start.has_value());
  CHECK_FALSE(e->custody->with_unrelated_adults.has_value());
  CHECK(e->custody->kind == CustodyKind::kDetained);
  CHECK(e->custody->detention_review_at == *ParseRfc3339("2026-03-05T08:00:00Z"));
  CHECK(e->consular_notification == ConsularNotification{ConsularRequest::kYes});
  CHECK(e->tvpra_screening ==
        TvpraScreening{ScreeningAnswer::kPending, ScreeningAnswer::kYes, ScreeningAnswer::kNo});
  CHECK(e->procedure == Procedure{"PRD-1"});
}

TEST_CASE("DecodeEvent leaves the protection facts absent in a v1 event without them") {
  const auto e = DecodeEvent(LoadSample("01-apprehension.json"));
  REQUIRE(e.ok());
  CHECK_FALSE(e->subject.birth_date_precision.has_value());
  CHECK_FALSE(e->custody->kind.has_value());
  CHECK_FALSE(e->custody->detention_review_at.has_value());
  CHECK_FALSE(e->consular_notification.has_value());
  CHECK_FALSE(e->tvpra_screening.has_value());
  CHECK_FALSE(e->procedure.has_value());
}

TEST_CASE("EncodeEvent round-trips every optional protection fact") {
  const Event e = WithEveryProtectionFact();
  const std::string encoded = EncodeEvent(e);
  const auto again = DecodeEvent(encoded);
  INFO(encoded);
  REQUIRE(again.ok());
  CHECK(*again == e);
  CHECK(EncodeEvent(*again) == encoded);
}

TEST_CASE("EncodeEvent writes the protection facts in contract order") {
  const std::string encoded = EncodeEvent(WithEveryProtectionFact());
  CHECK_THAT(encoded, Catch::Contains(R"("birth_date":"2010-05-01","birth_date_precision":"month",)"
                                      R"("sex":"unknown")"));
  CHECK_THAT(encoded,
             Catch::EndsWith(
                 R"("custody":{"start":"2026-03-04T21:50:00-06:00","with_unrelated_adults":false,)"
                 R"("kind":"housed","detention_review_at":"2026-03-05T08:00:00.250-06:00"},)"
                 R"("consular_notification":{"requested_by_child":"not_asked"},)"
                 R"("tvpra_screening":{"trafficking_victim":"no","credible_fear":"pending",)"
                 R"("independent_decision":"yes"},)"
                 R"("procedure":{"restitution_plan_id":"PPNNA-TAM-2026-0077"}})"));
}

TEST_CASE("EncodeEvent writes every block and member in contract order") {
  // Every optional value of every block set (an event the decoder would not
  // all accept: encoding does not validate). The expected text is what the
  // encoder wrote when it still built a nlohmann::ordered_json document; the
  // text is now written directly (core/json_writer.h) and must not change.
  Event e;
  e.event_id = "ev-1";
  e.type = EventType::kCaseUpdate;
  e.occurred_at = *ParseRfc3339("2026-03-05T09:15:00.120-06:00");
  e.authority = {"US", "CBP-USBP", "Office é"};
  e.location = {"US", "US-TX", "McAllen", Facility{"f-1", FacilityType::kShelter}};
  e.subject.id = "s-1";
  e.subject.name = PersonName{"Ana", "López"};
  e.subject.birth_date = date::year{2010} / 5 / 1;
  e.subject.birth_date_precision = BirthDatePrecision::kMonth;
  e.subject.age = Age{15, AgeBasis::kDocument, AgeMethod::kInterview};
  e.subject.sex = Sex::kF;
  e.subject.nationalities = {"MX", "GT"};
  e.subject.languages = {"es", "mam"};
  e.subject.accompaniment = Accompaniment::kUnaccompanied;
  e.subject.companions = {{Relation::kUnrelatedAdult, CompanionCustody::kSeparated},
                          {Relation::kSiblingMinor, std::nullopt}};
  e.subject.flags = {SubjectFlag::kPregnant, SubjectFlag::kAsylumClaim};
  e.subject.habitual_residence = "GT";
  e.subject.previous_ids = {"p-1", "p-2"};
  e.transfer = Transfer{
      {"DIF", TransferKind::kChildWelfare, Facility{"f-2", FacilityType::kShelter}, "case-9"}};
  e.return_ = Return{"MX", "Hidalgo", *ParseRfc3339("2026-03-06T22:30:00-05:00")};
  e.custody = Custody{*ParseRfc3339("2026-03-04T21:50:00-06:00"), true, CustodyKind::kHoused,
                      *ParseRfc3339("2026-03-05T08:00:00.250-06:00"), 3};
  e.consular_notification = ConsularNotification{ConsularRequest::kYes};
  e.tvpra_screening =
      TvpraScreening{ScreeningAnswer::kNo, ScreeningAnswer::kPending, ScreeningAnswer::kYes};
  e.procedure = Procedure{"P-1", ProtectionMeasure::kIssued};
  e.release = Release{ReleaseTo::kSponsor,
                      TransferKind::kMigration,
                      {ReleaseTo::kRelative, ReleaseTo::kChildWelfare}};
  e.reintegration = Reintegration{"r-1", ReintegrationCare::kFamily, "PRI-1", 2};
  e.guardian = Guardian{true, *ParseRfc3339("2026-03-05T10:00:00Z")};
  CHECK(
      EncodeEvent(e) ==
      R"({"schema":"amparo.event.v1","event_id":"ev-1","type":"case_update",)"
      R"("occurred_at":"2026-03-05T09:15:00.120-06:00",)"
      R"("authority":{"country":"US","agency":"CBP-USBP","office":"Office é"},)"
      R"("location":{"country":"US","admin1":"US-TX","place":"McAllen",)"
      R"("facility":{"id":"f-1","type":"shelter"}},)"
      R"("subject":{"id":"s-1","name":{"given":"Ana","family":"López"},)"
      R"("birth_date":"2010-05-01","birth_date_precision":"month",)"
      R"("age":{"years":15,"basis":"document","method":"interview"},"sex":"F",)"
      R"("nationalities":["MX","GT"],"languages":["es","mam"],)"
      R"("accompaniment":"unaccompanied",)"
      R"("companions":[{"relation":"unrelated_adult","custody_status":"separated"},)"
      R"({"relation":"sibling_minor"}],"flags":["pregnant","asylum_claim"],)"
      R"("habitual_residence":"GT","previous_ids":["p-1","p-2"]},)"
      R"("transfer":{"to":{"agency":"DIF","kind":"child_welfare",)"
      R"("facility":{"id":"f-2","type":"shelter"},"case_id":"case-9"}},)"
      R"("return":{"to_country":"MX","port":"Hidalgo",)"
      R"("scheduled_at":"2026-03-06T22:30:00-05:00"},)"
      R"("custody":{"start":"2026-03-04T21:50:00-06:00","with_unrelated_adults":true,)"
      R"("kind":"housed","detention_review_at":"2026-03-05T08:00:00.250-06:00",)"
      R"("detention_review_number":3},"consular_notification":{"requested_by_child":"yes"},)"
      R"("tvpra_screening":{"trafficking_victim":"no","credible_fear":"pending",)"
      R"("independent_decision":"yes"},)"
      R"("procedure":{"restitution_plan_id":"P-1","protection_measure":"issued"},)"
      R"("release":{"to":"sponsor","by":"migration","available":["relative","child_welfare"]},)"
      R"("reintegration":{"return_event_id":"r-1","care":"family","plan_id":"PRI-1",)"
      R"("follow_up_visit":2},"guardian":{"appointed":true,"appointed_at":"2026-03-05T10:00:00Z"}})");
}

TEST_CASE("EncodeEvent round-trips each value of the new enums and an empty procedure") {
  for (BirthDatePrecision p : {BirthDatePrecision::kExact, BirthDatePrecision::kMonth,
                               BirthDatePrecision::kYear, BirthDatePrecision::kEstimated}) {
    Event e = WithEveryProtectionFact();
    e.subject.birth_date_precision = p;
    INFO(ToString(p));
    CHECK(DecodeEvent(EncodeEvent(e)).value() == e);
  }
  for (CustodyKind k : {CustodyKind::kDetained, CustodyKind::kHoused}) {
    Event e = WithEveryProtectionFact();
    e.custody = Custody{};
    e.custody->kind = k;
    INFO(ToString(k));
    CHECK(DecodeEvent(EncodeEvent(e)).value() == e);
  }
  for (ConsularRequest r :
       {ConsularRequest::kYes, ConsularRequest::kNo, ConsularRequest::kNotAsked}) {
    Event e = WithEveryProtectionFact();
    e.consular_notification = ConsularNotification{r};
    INFO(ToString(r));
    CHECK(DecodeEvent(EncodeEvent(e)).value() == e);
  }
  Event e = WithEveryProtectionFact();
  e.procedure = Procedure{};  // "procedure": {} is valid: no step reported yet.
  CHECK_THAT(EncodeEvent(e), Catch::EndsWith(R"("procedure":{}})"));
  CHECK(DecodeEvent(EncodeEvent(e)).value() == e);
}

}  // namespace
}  // namespace amparo

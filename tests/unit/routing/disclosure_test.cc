#include "daemon/routing/disclosure.h"

#include <catch2/catch.hpp>

#include "daemon/event/event_codec.h"
#include "daemon/event/rfc3339.h"
#include "tests/unit/routing/routing_test_util.h"

namespace amparo {
namespace {

using namespace date::literals;  // NOLINT(google-build-using-namespace)
using date::March;
using nlohmann::json;
using testing::Apprehension;
using testing::LocalTime;
using testing::SampleDirectory;

// A detailed event: a Guatemalan girl in a migration station in Tapachula,
// being transferred, with a scheduled return.
Event FullEvent() {
  Event e = Apprehension({"GT"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 30, -360));
  e.location.place = "Tapachula";
  e.location.facility = Facility{"em-siglo-xxi", FacilityType::kMigrationStation};
  e.subject.name = PersonName{"Ana", "López"};
  e.subject.birth_date = 2008_y / March / 1;
  e.subject.sex = Sex::kF;
  e.subject.languages = {"es", "mam"};
  e.subject.companions = {{Relation::kUnrelatedAdult}};
  e.subject.flags = {SubjectFlag::kPregnant};
  e.transfer = Transfer{{"DIF Chiapas", TransferKind::kChildWelfare,
                         Facility{"albergue-tapachula", FacilityType::kShelter}}};
  e.return_ = Return{"GT", "Tecún Umán", LocalTime(2024_y / March / 8, 9, 0, -360)};
  return e;
}

Recipient To(const std::string& agency_id, AgencyKind kind, const std::string& country) {
  Recipient r;
  r.agency_id = agency_id;
  r.kind = kind;
  r.country = country;
  return r;
}

const DisclosureProfile& Profile(const std::string& name) {
  static const auto dir = SampleDirectory();
  return *dir->Profile(name);
}

const Recipient kGtConsul = To("gt-consulate-tapachula", AgencyKind::kConsulate, "GT");

TEST_CASE("The consular profile shows identity, nationality, age and place") {
  const json view = DisclosedView(FullEvent(), 16, kGtConsul, Profile("consular"));
  CHECK(view == json::parse(R"({
    "type": "apprehension",
    "occurred_at": "2024-03-05T10:30:00-06:00",
    "authority": {"country": "MX", "agency": "INM", "office": "Tapachula"},
    "subject": {"id": "case-77", "name": {"given": "Ana", "family": "López"},
                "birth_date": "2008-03-01", "age_years": 16, "sex": "F",
                "nationalities": ["GT"], "languages": ["es", "mam"],
                "accompaniment": "unaccompanied"},
    "location": {"country": "MX", "admin1": "MX-CHP", "place": "Tapachula"},
    "return": {"to_country": "GT", "port": "Tecún Umán",
               "scheduled_at": "2024-03-08T09:00:00-06:00"}
  })"));
}

TEST_CASE("The oversight profile shows ids, ages and flags, no names") {
  const json view = DisclosedView(FullEvent(), 16, To("mx-cndh", AgencyKind::kOmbudsman, "MX"),
                                  Profile("oversight_minimal"));
  CHECK(view["subject"] == json::parse(R"({"id": "case-77", "age_years": 16,
      "accompaniment": "unaccompanied", "flags": ["pregnant"]})"));
  CHECK(view["location"] == json::parse(R"({"country": "MX", "admin1": "MX-CHP"})"));
  CHECK_FALSE(view.contains("transfer"));
  CHECK_FALSE(view.contains("return"));
}

TEST_CASE("The full profile shows everything, and absent values are left out") {
  const Recipient dif = To("mx-dif-chiapas", AgencyKind::kChildWelfare, "MX");
  const json view = DisclosedView(FullEvent(), 16, dif, Profile("child_welfare_full"));
  CHECK(view["location"]["facility"] ==
        json::parse(R"({"id": "em-siglo-xxi", "type": "migration_station"})"));
  CHECK(view["subject"]["companions"] == json::parse(R"([{"relation": "unrelated_adult"}])"));
  CHECK(view["transfer"]["to"]["facility"]["id"] == "albergue-tapachula");
  const Event bare = Apprehension({"GT"}, "MX-CHP", LocalTime(2024_y / March / 5, 0, 0, 0));
  const json minimal = DisclosedView(bare, std::nullopt, dif, Profile("child_welfare_full"));
  CHECK(minimal["occurred_at"] == "2024-03-05T00:00:00Z");
  CHECK_FALSE(minimal["subject"].contains("name"));
  CHECK_FALSE(minimal["subject"].contains("age_years"));
  CHECK_FALSE(minimal.contains("transfer"));
  CHECK_FALSE(minimal.contains("return"));
}

TEST_CASE("A child who fears return: its own state never learns where it is") {
  for (SubjectFlag flag : {SubjectFlag::kAsylumClaim, SubjectFlag::kFearOfReturn}) {
    Event event = FullEvent();
    event.subject.flags.push_back(flag);
    // Every organ of the state the child may be fleeing: consulate, foreign
    // ministry, and its child-welfare authority too.
    for (const Recipient& state : {kGtConsul, To("gt-minex", AgencyKind::kForeignMinistry, "GT"),
                                   To("gt-sbs", AgencyKind::kChildWelfare, "GT")}) {
      INFO(state.agency_id << " with " << ToString(flag));
      CHECK(WithholdsWhereabouts(event, state));
      // Even through the most permissive profile.
      const json view = DisclosedView(event, 16, state, Profile("duty_officer_full"));
      // Every field of the view: no location, facility, transfer, port,
      // authority (an organ of the state the child is in), subject id (the
      // authority's case number), local offset (times in UTC), nor that the
      // child asked for protection; what the child is stays.
      CHECK(view == json::parse(R"({
        "type": "apprehension",
        "occurred_at": "2024-03-05T16:30:00Z",
        "subject": {"name": {"given": "Ana", "family": "López"},
                    "birth_date": "2008-03-01", "age_years": 16, "sex": "F",
                    "nationalities": ["GT"], "languages": ["es", "mam"],
                    "accompaniment": "unaccompanied",
                    "companions": [{"relation": "unrelated_adult"}],
                    "flags": ["pregnant"]},
        "return": {"to_country": "GT", "scheduled_at": "2024-03-08T15:00:00Z"}
      })"));
    }
    // Another state's organs, and amparo's duty officer (whatever its
    // country), still see it all.
    const Recipient mx_consul = To("mx-sre", AgencyKind::kForeignMinistry, "MX");
    const Recipient mx_welfare = To("mx-dif-chiapas", AgencyKind::kChildWelfare, "MX");
    const Recipient duty = To("duty-officer", AgencyKind::kDutyOfficer, "GT");
    for (const Recipient& other : {mx_consul, mx_welfare, duty}) {
      INFO(other.agency_id);
      CHECK_FALSE(WithholdsWhereabouts(event, other));
      const json view = DisclosedView(event, 16, other, Profile("duty_officer_full"));
      CHECK(view["location"]["place"] == "Tapachula");
      CHECK(view["authority"]["office"] == "Tapachula");
      CHECK(view["subject"]["id"] == "case-77");
      CHECK(view["occurred_at"] == "2024-03-05T10:30:00-06:00");
      CHECK(view["subject"]["flags"] == json::array({"pregnant", ToString(flag)}));
    }
  }
}

TEST_CASE("A child inside its own state is no secret from that state's child welfare") {
  Event event = FullEvent();
  event.subject.flags = {SubjectFlag::kFearOfReturn};
  event.location.country = "GT";
  event.location.admin1 = "GT-QZ";
  event.location.place = "Quetzaltenango";
  const Recipient gt_welfare = To("gt-sbs", AgencyKind::kChildWelfare, "GT");
  CHECK_FALSE(WithholdsWhereabouts(event, gt_welfare));
  CHECK(DisclosedView(event, 16, gt_welfare, Profile("duty_officer_full"))["location"]["place"] ==
        "Quetzaltenango");
  // Its foreign ministry and consulates still are not told.
  CHECK(WithholdsWhereabouts(event, To("gt-minex", AgencyKind::kForeignMinistry, "GT")));
  CHECK(WithholdsWhereabouts(event, kGtConsul));
}

TEST_CASE("The hard rule also covers the state of habitual residence and dual nationals") {
  Event event = FullEvent();
  event.subject.flags = {SubjectFlag::kFearOfReturn};
  event.subject.nationalities = {"SV", "GT"};
  CHECK(WithholdsWhereabouts(event, To("sv-rree", AgencyKind::kForeignMinistry, "SV")));
  CHECK(WithholdsWhereabouts(event, kGtConsul));
  event.subject.nationalities = {"NI"};
  event.subject.habitual_residence = "GT";
  CHECK(WithholdsWhereabouts(event, kGtConsul));
  event.subject.flags.clear();
  CHECK_FALSE(WithholdsWhereabouts(event, kGtConsul));
}

TEST_CASE("Titles come in the reader's first language the rule has, else English") {
  const LocalizedText title = {{"en", "Child in custody"}, {"es", "NNA bajo custodia"}};
  CHECK(Localize(title, {"fr", "es"}).language == "es");
  CHECK(Localize(title, {"fr", "es"}).text == "NNA bajo custodia");
  CHECK(Localize(title, {"fr"}).text == "Child in custody");
  CHECK(Localize({{"fr", "Enfant"}, {"es", "NNA"}}, {"en"}).text == "NNA");
  CHECK(Localize({}, {"es"}).language == "en");
  CHECK(Localize({}, {"es"}).text.empty());
}

TEST_CASE(
    "Release and reintegration reach the profiles that allow them, and reintegration is "
    "whereabouts") {
  Event e = FullEvent();
  e.release = Release{ReleaseTo::kSponsor, TransferKind::kMigration};
  e.reintegration = Reintegration{"inm-chp-2024-000603", ReintegrationCare::kFamily, "PRI-1", 1};
  const Recipient dif = To("mx-dif-chiapas", AgencyKind::kChildWelfare, "MX");
  const json full = DisclosedView(e, 16, dif, Profile("child_welfare_full"));
  CHECK(full["release"] == json::parse(R"({"to": "sponsor", "by": "migration"})"));
  CHECK(full["reintegration"] == json::parse(R"({"return_event_id": "inm-chp-2024-000603",
      "care": "family", "plan_id": "PRI-1", "follow_up_visit": 1})"));
  const json consular = DisclosedView(e, 16, kGtConsul, Profile("consular"));
  CHECK_FALSE(consular.contains("release"));
  CHECK_FALSE(consular.contains("reintegration"));
  // A child who fears return: Guatemala's child welfare sees no reintegration.
  e.subject.flags.push_back(SubjectFlag::kFearOfReturn);
  const json withheld = DisclosedView(e, 16, To("gt-sbs", AgencyKind::kChildWelfare, "GT"),
                                      Profile("child_welfare_full"));
  CHECK(withheld.contains("release"));
  CHECK_FALSE(withheld.contains("reintegration"));
}

// Every optional value set, including what no profile may show.
Event EveryField() {
  Event e = FullEvent();
  e.occurred_at.utc += std::chrono::milliseconds(250);  // the view drops it
  e.subject.birth_date_precision = BirthDatePrecision::kYear;
  e.subject.companions = {{Relation::kUnrelatedAdult, CompanionCustody::kSeparated},
                          {Relation::kSiblingMinor, std::nullopt}};
  e.subject.habitual_residence = "GT";
  e.subject.previous_ids = {"case-76"};
  e.transfer->to.case_id = "dif-chp-1";
  e.custody = Custody{.start = e.occurred_at, .with_unrelated_adults = true};
  e.release = Release{ReleaseTo::kSponsor,
                      TransferKind::kMigration,
                      {ReleaseTo::kRelative, ReleaseTo::kChildWelfare}};
  e.reintegration = Reintegration{"inm-chp-2024-000603", ReintegrationCare::kFamily, "PRI-1", 2};
  return e;
}

// Where each field sits in a view: a member of the view, or of its subject
// or location.
std::pair<std::string, std::string> PathOf(DisclosureField field) {
  const std::string name(kDisclosureFieldNames[static_cast<size_t>(field)]);
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return {name, ""};
  const std::string block = name.substr(0, dot);
  const std::string member = name.substr(dot + 1);
  if (block == "event") return {member, ""};
  return {block, member};
}

TEST_CASE("Each field of the view is spelled as in the event's canonical JSON, and alone") {
  const Event e = EveryField();
  const Recipient dif = To("mx-dif-chiapas", AgencyKind::kChildWelfare, "MX");
  REQUIRE_FALSE(WithholdsWhereabouts(e, dif));
  DisclosureProfile everything{.name = "everything", .allowed = {}};
  everything.allowed.set();

  // The oracle: the canonical form, cut to what the view documents.
  const json canonical = json::parse(EncodeEvent(e));
  json expected = {
      {"type", canonical["type"]},           {"occurred_at", FormatRfc3339Seconds(e.occurred_at)},
      {"authority", canonical["authority"]}, {"location", canonical["location"]},
      {"transfer", canonical["transfer"]},   {"return", canonical["return"]},
      {"release", canonical["release"]},     {"reintegration", canonical["reintegration"]},
      {"subject", {{"age_years", 16}}}};
  expected["return"]["scheduled_at"] = FormatRfc3339Seconds(*e.return_->scheduled_at);
  for (const char* member : {"id", "name", "birth_date", "sex", "nationalities", "languages",
                             "accompaniment", "companions", "flags"}) {
    expected["subject"][member] = canonical["subject"][member];
  }
  JsonWriter w;
  WriteDisclosedView(e, 16, dif, everything, w);
  const std::string text = std::move(w).Take();
  const json view = json::parse(text);
  CHECK(view == expected);
  // Key order, no whitespace: the bytes nlohmann writes for the same object.
  CHECK(view.dump(-1, ' ', false, json::error_handler_t::replace) == text);
  for (const char* never : {R"("birth_date_precision":)", R"("age":)", R"("habitual_residence":)",
                            R"("previous_ids":)", R"("custody":)", "case-76"}) {
    INFO(never);
    CHECK(text.find(never) == std::string::npos);
  }

  // One field at a time: that field and nothing else.
  for (size_t i = 0; i < kDisclosureFieldNames.size(); ++i) {
    const auto field = static_cast<DisclosureField>(i);
    INFO(kDisclosureFieldNames[i]);
    DisclosureProfile one{.name = "one", .allowed = {}};
    one.allowed.set(i);
    const auto [block, member] = PathOf(field);
    json alone = json::object();
    if (member.empty()) {
      alone[block] = expected.at(block);
    } else {
      alone[block][member] = expected.at(block).at(member);
    }
    CHECK(DisclosedView(e, 16, dif, one) == alone);
  }
}

}  // namespace
}  // namespace amparo

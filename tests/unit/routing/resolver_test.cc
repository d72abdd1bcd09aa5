#include "daemon/routing/resolver.h"

#include <catch2/catch.hpp>

#include "tests/unit/routing/routing_test_util.h"

namespace amparo {
namespace {

using namespace date::literals;  // NOLINT(google-build-using-namespace)
using date::April;
using date::February;
using date::January;
using date::March;
using date::November;
using testing::Apprehension;
using testing::LoadText;
using testing::LocalTime;
using testing::SampleDirectory;

constexpr int kMexico = -360;  // UTC-06:00
constexpr int kPanama = -300;  // UTC-05:00

// One fired rule "r" notifying `roles`.
Decisions Fire(std::vector<std::string> roles) {
  Decisions d;
  d.event_id = "ev-1";
  FiredRule rule;
  rule.id = "r";
  rule.severity = Severity::kCritical;
  rule.roles = std::move(roles);
  rule.title = {{"en", "Child in custody"}, {"es", "NNA bajo custodia"}};
  d.rules.push_back(std::move(rule));
  return d;
}

// The agency ids of the recipients, in order.
std::vector<std::string> Ids(const Routing& routing) {
  std::vector<std::string> ids;
  for (const Recipient& r : routing.recipients) ids.push_back(r.agency_id);
  return ids;
}

Routing Route(const Event& event, const Decisions& decisions) {
  return Resolve(*SampleDirectory(), decisions, event, event.occurred_at.utc, "duty-officer");
}

using IdList = std::vector<std::string>;

TEST_CASE("A Guatemalan child in Tapachula: the GT consulate there and DIF Chiapas, nobody else") {
  const Event event = Apprehension({"GT"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  const Routing routing = Route(event, Fire({"consulate", "child_welfare"}));
  CHECK(Ids(routing) == IdList{"gt-consulate-tapachula", "mx-dif-chiapas"});
  CHECK(routing.unrouted.empty());
  const Recipient& consul = routing.recipients[0];
  CHECK(consul == Recipient{AlertSource::kRule,
                            "r",
                            "consulate",
                            "gt-consulate-tapachula",
                            AgencyKind::kConsulate,
                            "GT",
                            {{Channel::Type::kMqtt, "rcm/v1/alerts/gt-consulate-tapachula", ""}},
                            "es",
                            "consular"});
  CHECK(routing.recipients[1].role == "child_welfare");
  CHECK(routing.recipients[1].disclosure == "child_welfare_full");
}

TEST_CASE("A dual GT+MX national in Texas gets a consulate of each state") {
  const Event event =
      Apprehension({"GT", "MX"}, "US-TX", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  const Routing routing = Route(event, Fire({"consulate", "child_welfare"}));
  // McAllen outranks Del Rio for Guatemala by priority.
  CHECK(Ids(routing) == IdList{"gt-consulate-mcallen", "mx-consulate-del-rio", "us-orr"});
  CHECK(routing.recipients[2].language == "en");
}

TEST_CASE("Nicaragua's Tapachula district moves to Mexico City on 20 January 2024") {
  auto route_on = [](date::year_month_day day, int hh) {
    return Ids(
        Route(Apprehension({"NI"}, "MX-CHP", LocalTime(day, hh, 0, kMexico)), Fire({"consulate"})));
  };
  CHECK(route_on(2024_y / January / 19, 23) == IdList{"ni-consulate-tapachula"});
  CHECK(route_on(2024_y / January / 20, 0) == IdList{"ni-consulate-mexico-city"});
  CHECK(route_on(2024_y / January / 21, 10) == IdList{"ni-consulate-mexico-city"});
}

TEST_CASE("A nationality with no consulate anywhere goes to its foreign-ministry desk") {
  const Event event = Apprehension({"CR"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  const Routing routing = Route(event, Fire({"consulate"}));
  CHECK(Ids(routing) == IdList{"cr-rree"});
  CHECK(routing.recipients[0].kind == AgencyKind::kForeignMinistry);
  CHECK(routing.unrouted.empty());
}

TEST_CASE("A role that finds nobody goes to the duty officer, with the reason") {
  Event event = Apprehension({"VE"}, "CO-ANT", LocalTime(2024_y / March / 5, 10, 0, -300));
  const Routing routing = Route(event, Fire({"child_welfare", "consulate", "ombudsman"}));
  // Three unrouted roles, one alert to the duty officer.
  CHECK(Ids(routing) == IdList{"duty-officer"});
  CHECK(routing.recipients[0].role == "child_welfare");
  CHECK(routing.unrouted ==
        std::vector<Unrouted>{
            {AlertSource::kRule, "r", "child_welfare",
             "no child_welfare agency for CO-ANT or CO is valid and on duty"},
            {AlertSource::kRule, "r", "consulate",
             "no consulate of VE for CO-ANT or CO and no foreign_ministry desk of VE is valid "
             "and on duty"},
            {AlertSource::kRule, "r", "ombudsman",
             "no ombudsman agency for CO-ANT or CO is valid and on duty"}});
}

TEST_CASE("receiving_child_welfare is the child-welfare authority of the return country") {
  Event event = Apprehension({"HN"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  event.type = EventType::kReturn;
  event.return_ = Return{"HN", "San Pedro Sula", std::nullopt};
  CHECK(Ids(Route(event, Fire({"receiving_child_welfare"}))) == IdList{"hn-senaf"});
  // A consulate of the return country at the place, for the same child, is the
  // same agency as its consulate: one recipient.
  CHECK(Ids(Route(event, Fire({"consulate", "receiving_consulate"}))) ==
        IdList{"hn-consulate-tapachula"});

  event.return_.reset();
  const Routing routing = Route(event, Fire({"receiving_child_welfare"}));
  CHECK(Ids(routing) == IdList{"duty-officer"});
  REQUIRE(routing.unrouted.size() == 1);
  CHECK(routing.unrouted[0].reason == "the event has no return.to_country");
}

TEST_CASE("receiving_anti_trafficking is the anti-trafficking authority of the return country") {
  Event event = Apprehension({"GT"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  event.type = EventType::kReturn;
  event.return_ = Return{"GT", "Tecún Umán", std::nullopt};
  // Not Mexico's FEVIMTRA (anti_trafficking of the place): Guatemala's SVET.
  CHECK(Ids(Route(event, Fire({"receiving_anti_trafficking"}))) == IdList{"gt-svet"});
  CHECK(Ids(Route(event, Fire({"anti_trafficking"}))) == IdList{"mx-fevimtra"});
  event.return_.reset();
  const Routing routing = Route(event, Fire({"receiving_anti_trafficking"}));
  CHECK(Ids(routing) == IdList{"duty-officer"});
  REQUIRE(routing.unrouted.size() == 1);
  CHECK(routing.unrouted[0].reason == "the event has no return.to_country");
}

TEST_CASE(
    "refugee_agency is the refugee authority of the place: COMAR in Mexico, nobody in Texas") {
  const Event in_chiapas =
      Apprehension({"SV"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  CHECK(Ids(Route(in_chiapas, Fire({"refugee_agency"}))) == IdList{"mx-comar"});
  const Event in_texas =
      Apprehension({"SV"}, "US-TX", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  const Routing routing = Route(in_texas, Fire({"refugee_agency"}));
  CHECK(Ids(routing) == IdList{"duty-officer"});
  REQUIRE(routing.unrouted.size() == 1);
  CHECK(routing.unrouted[0].reason ==
        "no refugee_agency agency for US-TX or US is valid and on duty");
}

TEST_CASE("In Darién the court acts on working days 08:00-17:00, SENNIAF otherwise") {
  auto route_at = [](date::year_month_day day, int hh) {
    const Event event = Apprehension({"HT"}, "PA-5", LocalTime(day, hh, 0, kPanama));
    return Ids(Route(event, Fire({"child_welfare"})));
  };
  const auto tuesday = 2024_y / March / 5;
  const auto saturday = 2024_y / March / 9;
  CHECK(route_at(tuesday, 10) == IdList{"pa-juzgado-darien"});
  CHECK(route_at(tuesday, 8) == IdList{"pa-juzgado-darien"});
  CHECK(route_at(tuesday, 17) == IdList{"pa-senniaf"});
  CHECK(route_at(tuesday, 18) == IdList{"pa-senniaf"});
  CHECK(route_at(saturday, 10) == IdList{"pa-senniaf"});
  // Elsewhere in Panama SENNIAF at any hour.
  const Event colon = Apprehension({"HT"}, "PA-3", LocalTime(tuesday, 10, 0, kPanama));
  CHECK(Ids(Route(colon, Fire({"child_welfare"}))) == IdList{"pa-senniaf"});
}

TEST_CASE("In Darién the court is off on Panama's public holidays: SENNIAF takes the alert") {
  auto route_at = [](date::year_month_day day, int hh) {
    const Event event = Apprehension({"HT"}, "PA-5", LocalTime(day, hh, 0, kPanama));
    return Ids(Route(event, Fire({"child_welfare"})));
  };
  // Tuesday 3 November 2026, Separación de Colombia; Tuesday 17 February,
  // martes de Carnaval; Friday 3 April, Good Friday.
  CHECK(route_at(2026_y / November / 3, 10) == IdList{"pa-senniaf"});
  CHECK(route_at(2026_y / February / 17, 10) == IdList{"pa-senniaf"});
  CHECK(route_at(2026_y / April / 3, 9) == IdList{"pa-senniaf"});
  // The working days around them: the court.
  CHECK(route_at(2026_y / November / 11, 10) == IdList{"pa-juzgado-darien"});
  CHECK(route_at(2026_y / February / 19, 10) == IdList{"pa-juzgado-darien"});
  CHECK(route_at(2026_y / April / 2, 16) == IdList{"pa-juzgado-darien"});
}

TEST_CASE("A holiday is a local date: it begins and ends at local midnight in the agency's zone") {
  const auto dir = LoadText(
      "holiday_calendars:\n"
      "  x: [\"2026-11-03\"]\n"
      "  y: [\"2026-11-03\", \"2026-11-05\"]\n"
      "agencies:\n"
      "  - {id: a, kind: child_welfare, country: PA, name: A, serves: [PA], languages: [es],\n"
      "     channels: [{type: mqtt}], disclosure: p,\n"
      "     hours: {tz: America/Panama, days: [mon, tue, wed, thu, fri, sat, sun],\n"
      "             from: \"00:00\", to: \"24:00\", holidays: [x, y]}}\n"
      "disclosure_profiles: {p: [subject.id]}\n");
  const Agency& a = *dir->Find("a");
  REQUIRE(a.hours);
  // Two calendars, one day in both: each day once, sorted.
  CHECK(a.hours->holidays.size() == 2);
  auto at = [](date::year_month_day day, int hh, int mm) {
    return LocalTime(day, hh, mm, kPanama).utc;
  };
  CHECK(a.OnDuty(at(2026_y / November / 2, 23, 59)));
  CHECK_FALSE(a.OnDuty(at(2026_y / November / 3, 0, 0)));
  CHECK_FALSE(a.OnDuty(at(2026_y / November / 3, 23, 59)));
  CHECK(a.OnDuty(at(2026_y / November / 4, 0, 0)));
  CHECK_FALSE(a.OnDuty(at(2026_y / November / 5, 12, 0)));
  // 3 November 01:00 in UTC is still 2 November in Panama (UTC-5).
  CHECK(a.OnDuty(Instant(date::sys_days(2026_y / November / 3) + std::chrono::hours(1))));
}

TEST_CASE("Office hours are judged when the alert goes out, validity on the event's date") {
  const Event event = Apprehension({"NI"}, "PA-5", LocalTime(2024_y / March / 5, 10, 0, kPanama));
  const Instant saturday = LocalTime(2024_y / March / 9, 10, 0, kPanama).utc;
  const Routing routing =
      Resolve(*SampleDirectory(), Fire({"child_welfare"}), event, saturday, "duty-officer");
  CHECK(Ids(routing) == IdList{"pa-senniaf"});
}

TEST_CASE("Started clocks are routed as clock sources, stops are not") {
  const Event event = Apprehension({"GT"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  Decisions d;
  ClockOp start;
  start.clock_id = "mx-canalizacion";
  start.roles = {"child_welfare", "ombudsman"};
  start.title = {{"es", "Canalización"}};
  ClockOp stop;
  stop.clock_id = "other";
  stop.op = ClockOp::Op::kStop;
  stop.roles = {"child_welfare"};
  d.clocks = {start, stop};
  const Routing routing = Route(event, d);
  CHECK(Ids(routing) == IdList{"mx-dif-chiapas", "mx-cndh"});
  CHECK(routing.recipients[0].source == AlertSource::kClock);
  CHECK(routing.recipients[0].rule == "mx-canalizacion");
}

TEST_CASE("Inhibited roles stay withheld, duty_officer and unknown roles") {
  const Event event = Apprehension({"GT"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  Decisions d = Fire({"consulate", "child_welfare", "duty_officer"});
  d.inhibited.push_back({"no-consul-when-fleeing", "r", "consulate", "fear of return"});
  Routing routing = Route(event, d);
  CHECK(Ids(routing) == IdList{"mx-dif-chiapas", "duty-officer"});
  CHECK(routing.unrouted.empty());

  routing = Route(event, Fire({"consul"}));
  CHECK(Ids(routing) == IdList{"duty-officer"});
  REQUIRE(routing.unrouted.size() == 1);
  CHECK(routing.unrouted[0].reason == "unknown role \"consul\"");
}

TEST_CASE("The alert language is the agency's first language that the title has") {
  const Event event = Apprehension({"HT"}, "CA-QC", LocalTime(2024_y / March / 5, 10, 0, -300));
  Decisions d = Fire({"child_welfare"});
  CHECK(Route(event, d).recipients[0].language == "en");
  d.rules[0].title = {{"es", "NNA"}, {"fr", "Enfant"}};
  CHECK(Route(event, d).recipients[0].language == "fr");
}

TEST_CASE("Listed roles replace the kind's, priority and the tie-break by id") {
  auto dir = LoadText(
      "disclosure_profiles: {p: [subject.id]}\n"
      "agencies:\n"
      "  - {id: zz-dif, kind: child_welfare, country: MX, name: Z, serves: [MX-CHP],\n"
      "     languages: [es], channels: [{type: mqtt}], disclosure: p}\n"
      "  - {id: aa-ombud, kind: ombudsman, country: MX, name: A, serves: [MX-CHP],\n"
      "     languages: [es], channels: [{type: mqtt}], disclosure: p,\n"
      "     roles: [child_welfare, duty_officer]}\n"
      "  - {id: mx-dif, kind: child_welfare, country: MX, name: M, serves: [MX], priority: 9,\n"
      "     languages: [es], channels: [{type: mqtt}], disclosure: p}\n"
      "  - {id: duty, kind: duty_officer, country: MX, name: D, languages: [es],\n"
      "     channels: [{type: mqtt}], disclosure: p}\n");
  Event event = Apprehension({"GT"}, "MX-CHP", LocalTime(2024_y / March / 5, 10, 0, kMexico));
  // admin1 beats country whatever the priority; equal priorities go to the
  // smaller id; the ombudsman no longer takes ombudsman; a regional duty
  // officer takes duty_officer in its district (deduplicated).
  Routing routing = Resolve(*dir, Fire({"child_welfare", "ombudsman", "duty_officer"}), event,
                            event.occurred_at.utc, "duty");
  CHECK(Ids(routing) == IdList{"aa-ombud", "duty"});
  CHECK(routing.recipients[0].role == "child_welfare");
  REQUIRE(routing.unrouted.size() == 1);
  CHECK(routing.unrouted[0].role == "ombudsman");

  event.return_ = Return{"MX", std::nullopt, std::nullopt};
  routing = Resolve(*dir, Fire({"receiving_child_welfare"}), event, event.occurred_at.utc, "duty");
  CHECK(Ids(routing) == IdList{"mx-dif"});
}

}  // namespace
}  // namespace amparo

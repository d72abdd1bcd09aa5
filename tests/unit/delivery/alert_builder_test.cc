#include "daemon/delivery/alert_builder.h"

#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/unit/delivery/pipeline_fixture.h"

namespace amparo {
namespace {

using testing::FindRule;
using testing::GtChildAtBorderPost;
using testing::SampleEvent;
using testing::ShippedDirectory;
using testing::ShippedRules;

// The recipient the resolver would make of `agency_id` for `role` of `rule`,
// taken from the shipped directory. `language` is what the resolver would
// have chosen; BuildAlert must follow the agency, not this field.
Recipient RecipientFor(const Directory& directory, const std::string& agency_id,
                       const std::string& role, const std::string& rule,
                       const std::string& language = "en") {
  const Agency* agency = directory.Find(agency_id);
  REQUIRE(agency != nullptr);
  return Recipient{.source = AlertSource::kRule,
                   .rule = rule,
                   .role = role,
                   .agency_id = agency->id,
                   .kind = agency->kind,
                   .country = agency->country,
                   .channels = agency->channels,
                   .language = language,
                   .disclosure = agency->disclosure};
}

// What the rule `id` says, as the pipeline hands it to BuildAlert.
AlertSubject AboutRule(const RuleSet& rules, const std::string& id, Instant deadline) {
  const RuleDef& rule = FindRule(rules, id);
  return AlertSubject{.kind = "rule",
                      .rule = rule.id,
                      .severity = rule.severity,
                      .title = rule.title,
                      .summary = rule.summary,
                      .legal_basis = rule.legal_basis,
                      .deadline = deadline};
}

constexpr const char* kConsularRule = "int-2-vccr-37b-consular-notification";

TEST_CASE("BuildAlert: a consulate never learns where a child who claims asylum is",
          "[alert_builder]") {
  const auto rules = ShippedRules();
  const auto directory = ShippedDirectory();
  Event event = GtChildAtBorderPost();
  const Recipient consulate =
      RecipientFor(*directory, "gt-consulate-tapachula", "consulate", kConsularRule, "es");
  const AlertSubject about = AboutRule(*rules, kConsularRule, event.occurred_at.utc);

  SECTION("without the claim the consular profile shows the place (control)") {
    const nlohmann::json alert = BuildAlert("a-1", 1, about, event, 15, consulate, *directory);
    INFO(alert.dump(2));
    REQUIRE(alert["event"].contains("location"));
    CHECK(alert["event"]["location"]["admin1"] == "MX-CHP");
    CHECK(alert["event"]["location"]["place"] == "Tapachula");
    // The consular profile never includes the facility.
    CHECK_FALSE(alert["event"]["location"].contains("facility"));
    CHECK(alert["event"]["subject"]["id"] == event.subject.id);
    CHECK(alert["event_id"] == event.event_id);
  }

  SECTION("with asylum_claim: no location, no facility, no office") {
    event.subject.flags.push_back(SubjectFlag::kAsylumClaim);
    const nlohmann::json alert = BuildAlert("a-1", 1, about, event, 15, consulate, *directory);
    INFO(alert.dump(2));
    const nlohmann::json& view = alert["event"];
    CHECK_FALSE(view.contains("location"));
    CHECK(alert.dump().find("Tapachula") == std::string::npos);
    CHECK(alert.dump().find("MX-CHP") == std::string::npos);
    CHECK(alert.dump().find("CIUDAD-HIDALGO") == std::string::npos);
    CHECK(alert.dump().find("Oficina de Representación") == std::string::npos);
    // What the profile allows about the child is still there; the
    // authority's case number and event id, which trace the child to the
    // authority that holds it, are not.
    CHECK(view["subject"]["age_years"] == 15);
    CHECK(view["subject"]["nationalities"] == nlohmann::json::array({"GT"}));
    CHECK_FALSE(view["subject"].contains("id"));
    CHECK_FALSE(view.contains("authority"));
    CHECK(alert["event_id"].is_null());
    CHECK(alert.dump().find(event.subject.id) == std::string::npos);
    CHECK(alert.dump().find(event.event_id) == std::string::npos);
  }

  SECTION("fear_of_return withholds the place as well") {
    event.subject.flags.push_back(SubjectFlag::kFearOfReturn);
    const nlohmann::json alert = BuildAlert("a-1", 1, about, event, 15, consulate, *directory);
    INFO(alert.dump(2));
    CHECK_FALSE(alert["event"].contains("location"));
  }

  SECTION("child welfare of the place still sees the facility") {
    event.subject.flags.push_back(SubjectFlag::kAsylumClaim);
    const Recipient dif = RecipientFor(*directory, "mx-dif-chiapas", "child_welfare",
                                       "mx-2-ppnna-notification", "es");
    const nlohmann::json alert =
        BuildAlert("a-2", 1, AboutRule(*rules, "mx-2-ppnna-notification", event.occurred_at.utc),
                   event, 15, dif, *directory);
    INFO(alert.dump(2));
    REQUIRE(alert["event"].contains("location"));
    CHECK(alert["event"]["location"]["facility"]["type"] == "border_post");
  }
}

TEST_CASE("BuildAlert: the language follows the agency's languages", "[alert_builder]") {
  const auto rules = ShippedRules();
  const auto directory = ShippedDirectory();
  const RuleDef& rule = FindRule(*rules, kConsularRule);
  REQUIRE(rule.title.count("es") == 1);
  REQUIRE(rule.title.count("en") == 1);
  REQUIRE(rule.title.at("es") != rule.title.at("en"));
  const Event event = GtChildAtBorderPost();
  const AlertSubject about = AboutRule(*rules, kConsularRule, event.occurred_at.utc);

  SECTION("a Mexican agency reads Spanish") {
    // The recipient's own language field says "en": the agency decides.
    const Recipient dif =
        RecipientFor(*directory, "mx-dif-chiapas", "child_welfare", kConsularRule, "en");
    const nlohmann::json alert = BuildAlert("a-1", 1, about, event, 15, dif, *directory);
    CHECK(alert["language"] == "es");
    CHECK(alert["title"] == rule.title.at("es"));
    CHECK(alert["summary"] == rule.summary.at("es"));
  }

  SECTION("ORR reads English") {
    const Recipient orr = RecipientFor(*directory, "us-orr", "child_welfare", kConsularRule, "es");
    const nlohmann::json alert = BuildAlert("a-1", 1, about, event, 15, orr, *directory);
    CHECK(alert["language"] == "en");
    CHECK(alert["title"] == rule.title.at("en"));
    CHECK(alert["summary"] == rule.summary.at("en"));
  }

  SECTION("an agency missing from the directory falls back on the recipient's language") {
    Recipient gone = RecipientFor(*directory, "mx-dif-chiapas", "child_welfare", kConsularRule);
    gone.agency_id = "no-such-agency";
    gone.language = "es";
    const nlohmann::json alert = BuildAlert("a-1", 1, about, event, 15, gone, *directory);
    CHECK(alert["language"] == "es");
  }
}

TEST_CASE("BuildAlert: envelope, deadline in UTC, legal basis and acknowledgement",
          "[alert_builder]") {
  const auto rules = ShippedRules();
  const auto directory = ShippedDirectory();
  const Event event = SampleEvent("01-apprehension.json");  // 07:40 at -06:00
  REQUIRE(event.occurred_at.offset_minutes == -360);
  const RuleDef& rule = FindRule(*rules, kConsularRule);
  REQUIRE(rule.ack_within.has_value());
  REQUIRE(rule.ack_within->value == std::chrono::hours(24));  // $consular_notification_sla
  const AlertSubject about =
      AboutRule(*rules, kConsularRule, event.occurred_at.utc + rule.ack_within->value);
  const Recipient consulate =
      RecipientFor(*directory, "gt-consulate-tapachula", "consulate", kConsularRule, "es");

  const nlohmann::json alert = BuildAlert("alert-xyz", 3, about, event, 15, consulate, *directory);
  INFO(alert.dump(2));
  CHECK(alert["schema"] == "amparo.alert.v1");
  CHECK(alert["schema"] == kAlertSchemaV1);
  CHECK(alert["alert_id"] == "alert-xyz");
  CHECK(alert["version"] == 3);
  CHECK(alert["kind"] == "rule");
  CHECK(alert["rule"] == kConsularRule);
  CHECK(alert["severity"] == "high");
  CHECK(alert["event_id"] == "inm-chp-2026-000418");
  CHECK(alert["recipient"]["agency"] == "gt-consulate-tapachula");
  CHECK(alert["recipient"]["role"] == "consulate");
  // For e-mails: the profile's name and the local time zone of the deadline.
  CHECK(alert["recipient"]["disclosure"] == consulate.disclosure);
  CHECK(alert["recipient"]["time_zone"] == "America/Mexico_City");
  // 2026-03-02T07:40-06:00 + 24 h, written in UTC.
  CHECK(alert["deadline"] == "2026-03-03T13:40:00Z");
  REQUIRE(alert["legal_basis"].is_array());
  CHECK(alert["legal_basis"] == nlohmann::json(rule.legal_basis));
  CHECK_FALSE(alert["legal_basis"].empty());
  CHECK(alert["acknowledge"]["mqtt_topic"] == "rcm/v1/acks/gt-consulate-tapachula");
  CHECK(alert["acknowledge"]["http"] == "POST /api/v1/alerts/alert-xyz/ack");

  SECTION("no deadline is null") {
    AlertSubject none = about;
    none.deadline.reset();
    const nlohmann::json a = BuildAlert("a", 1, none, event, 15, consulate, *directory);
    REQUIRE(a.contains("deadline"));
    CHECK(a["deadline"].is_null());
  }
}

TEST_CASE("FormatUtc: seconds in UTC, milliseconds dropped", "[alert_builder]") {
  const Instant t = Instant(date::sys_days(date::year{2026} / 3 / 2)) + std::chrono::hours(13) +
                    std::chrono::minutes(40) + std::chrono::milliseconds(250);
  CHECK(FormatUtc(t) == "2026-03-02T13:40:00Z");
  CHECK(FormatUtc(Instant(std::chrono::milliseconds(0))) == "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace amparo

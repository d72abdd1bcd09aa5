// A good rule file loads, and its definitions read back as written.
#include "daemon/engine/rule_set.h"

#include <catch2/catch.hpp>

#include "tests/unit/engine/engine_test_util.h"

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using testing::LoadRules;

const char* const kParams = R"yaml(params:
  immediate_notification_sla:
    value: 1h
    description: "policy choice: the law says immediately"
  holding_hours: {value: 72, description: CBP TEDS 2015}
)yaml";

const char* const kRules = R"yaml(rules:
  - id: unaccompanied-child-in-custody
    title: {en: "Unaccompanied child in custody", es: "NNA no acompañado bajo custodia", fr: "Enfant"}
    legal_basis: ["VCCR art. 37(b)", "Ley de Migración (MX) art. 112"]
    when: event.type in ["apprehension", "detention"] && subject.minor && subject.accompaniment != "accompanied"
    severity: critical
    notify: [consulate, child_welfare]
    ack_within: $immediate_notification_sla
    summary: {en: "S", es: "R"}
    evidence: "[V] LM art. 112"
  - id: long-custody
    title: {en: T, es: T}
    legal_basis: [TEDS]
    when: custody.hours >= $holding_hours
    severity: info
    notify: [ombudsman]
    enabled: false
clocks:
  - id: us-transfer-72h
    title: {en: T, es: T}
    legal_basis: ["8 USC 1232(b)(3)"]
    start: event.type == "apprehension" && subject.minor
    stop: event.type == "transfer"
    key: subject.id
    anchor: custody.start
    warn: 48h
    due: 72h
    notify: [child_welfare, ombudsman]
    severity: critical
inhibit:
  - id: no-consul-when-fleeing
    when: '"asylum_claim" in subject.flags'
    recipients: [consulate]
    reason: the state the child may be fleeing is never told where the child is
    rules: [unaccompanied-child-in-custody]
)yaml";

TEST_CASE("a good rule set loads and its definitions read back") {
  auto set = LoadRules({kParams, kRules});
  REQUIRE(set->rules().size() == 2);
  const RuleDef& r = set->rules()[0];
  CHECK(r.id == "unaccompanied-child-in-custody");
  CHECK(r.title.at("es") == "NNA no acompañado bajo custodia");
  CHECK(r.title.at("fr") == "Enfant");
  CHECK(r.legal_basis ==
        std::vector<std::string>{"VCCR art. 37(b)", "Ley de Migración (MX) art. 112"});
  CHECK(r.when.text() ==
        "event.type in [\"apprehension\", \"detention\"] && subject.minor && "
        "subject.accompaniment != \"accompanied\"");
  CHECK(r.severity == Severity::kCritical);
  CHECK(r.notify == std::vector<std::string>{"consulate", "child_welfare"});
  REQUIRE(r.ack_within);
  CHECK(r.ack_within->value == 1h);
  CHECK(r.ack_within->text == "$immediate_notification_sla");
  CHECK(r.summary.at("en") == "S");
  CHECK(r.evidence == "[V] LM art. 112");
  CHECK(r.enabled);
  CHECK(r.pos.file == "b.yaml");
  CHECK(r.pos.line == 2);
  CHECK(r.pos.col == 9);
  CHECK_FALSE(set->rules()[1].enabled);

  REQUIRE(set->clocks().size() == 1);
  const ClockDef& c = set->clocks()[0];
  CHECK(c.key->path == "subject.id");
  CHECK(c.anchor == ClockDef::Anchor::kCustodyStart);
  CHECK(c.warn->value == 48h);
  CHECK(c.due.value == 72h);
  CHECK(c.due.text == "72h");
  CHECK(c.stop.text() == "event.type == \"transfer\"");

  REQUIRE(set->inhibits().size() == 1);
  CHECK(set->inhibits()[0].recipients == std::vector<std::string>{"consulate"});
  CHECK(set->inhibits()[0].rules == std::vector<std::string>{"unaccompanied-child-in-custody"});

  REQUIRE(set->params().size() == 2);
  CHECK(set->params()[0].name == "immediate_notification_sla");
  CHECK(set->params()[0].description == "policy choice: the law says immediately");
  CHECK(set->params()[1].kind == ParamDef::Kind::kInt);
  CHECK(set->params()[1].number == 72);
}

TEST_CASE("parameter overrides replace values, and are validated") {
  EngineOptions options;
  options.param_overrides = {{"immediate_notification_sla", "30m"}, {"holding_hours", "48"}};
  auto set = LoadRules({kParams, kRules}, options);
  CHECK(set->rules()[0].ack_within->value == 30min);
  CHECK(set->params()[0].overridden);
  CHECK(set->params()[1].number == 48);
  CHECK_FALSE(set->params()[1].description.empty());
}

TEST_CASE("an empty file and a file of comments load") {
  auto set = LoadRules({"", "# nothing yet\n"});
  CHECK(set->rules().empty());
}

}  // namespace
}  // namespace amparo

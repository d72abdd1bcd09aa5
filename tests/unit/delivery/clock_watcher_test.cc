#include "daemon/delivery/clock_watcher.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/delivery/alert_builder.h"
#include "tests/unit/delivery/pipeline_fixture.h"

namespace amparo {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::FindClock;
using testing::GtChildAtBorderPost;
using testing::PipelineFixture;
using testing::UsUnaccompaniedApprehension;
using Strings = std::set<std::string>;

constexpr const char* kDifClock = "mx-2-4-dif-channelling";
constexpr const char* kOrrClock = "us-2-orr-transfer-72h";

std::string Warning(const std::string& clock) { return clock + ":warning"; }
std::string Due(const std::string& clock) { return clock + ":due"; }

// The clock row of `clock_id`, as the store has it (running or not).
struct ClockRow {
  std::string state;
  bool warned = false;
  bool expired = false;
};

ClockRow ReadClock(PipelineFixture& f, const std::string& clock_id) {
  const std::string where = " FROM clocks WHERE clock_id = '" + clock_id + "'";
  return ClockRow{.state = f.Text("SELECT state" + where),
                  .warned = f.Text("SELECT warned" + where) == "1",
                  .expired = f.Text("SELECT expired" + where) == "1"};
}

// The agencies the shipped directory gives the MX clock's roles for a child
// in Chiapas: the state DIF, the CNDH and the duty officer.
const Strings kChiapasClockAgencies{"mx-dif-chiapas", "mx-cndh", "duty-officer"};

TEST_CASE("ClockWatcher: the DIF channelling clock warns, then falls due, once each",
          "[clock_watcher]") {
  PipelineFixture f;
  const Event event = GtChildAtBorderPost();
  const ClockDef& def = FindClock(f.rules(), kDifClock);
  REQUIRE(def.warn.has_value());
  const Duration warn = def.warn->value;  // $mx_dif_channel_warn
  const Duration due = def.due.value;     // $mx_dif_channel_sla
  // The definition really uses the parameters of rules/params.yaml.
  CHECK(warn == testing::Param(f.rules(), "mx_dif_channel_warn"));
  CHECK(due == testing::Param(f.rules(), "mx_dif_channel_sla"));
  REQUIRE(warn < due);
  REQUIRE(warn > minutes(1));
  REQUIRE(due - warn > minutes(1));

  const Instant t0 = event.occurred_at.utc;
  f.clock().Set(t0);
  f.Store(event);
  REQUIRE(f.Process() == 1);
  const int64_t rule_alerts = f.Count("alerts");
  int nudged = 0;
  f.watcher().OnDeliveries([&] { ++nudged; });

  f.clock().Set(t0 + warn - minutes(1));
  CHECK(f.FireDue() == 0);
  CHECK(f.Count("alerts") == rule_alerts);
  CHECK_FALSE(ReadClock(f, kDifClock).warned);

  f.clock().Set(t0 + warn);
  CHECK(f.FireDue() == 1);
  CHECK(f.TextSet("SELECT agency_id FROM alerts WHERE rule_id = '" + Warning(kDifClock) + "'") ==
        kChiapasClockAgencies);
  for (const nlohmann::json& payload : f.Payloads(Warning(kDifClock))) {
    INFO(payload.dump(2));
    CHECK(payload["kind"] == "clock_warning");
    CHECK(payload["rule"] == Warning(kDifClock));
    CHECK(payload["severity"] == SeverityName(def.severity));
    CHECK(payload["deadline"] == FormatUtc(t0 + due));
    CHECK(payload["legal_basis"] == nlohmann::json(def.legal_basis));
    CHECK(payload["event_id"] == event.event_id);
  }
  CHECK(f.Count("deliveries d JOIN alerts a USING (alert_id) WHERE a.rule_id = '" +
                Warning(kDifClock) + "' AND d.state = 'pending'") == 3);
  CHECK(ReadClock(f, kDifClock).warned);
  CHECK_FALSE(ReadClock(f, kDifClock).expired);
  CHECK(f.watcher().counters().warnings == 1);
  CHECK(nudged == 1);

  f.clock().Set(t0 + due - minutes(1));
  CHECK(f.FireDue() == 0);
  CHECK(f.Count("alerts WHERE rule_id = '" + Due(kDifClock) + "'") == 0);
  CHECK(f.Count("alerts WHERE rule_id = '" + Warning(kDifClock) + "' AND version > 1") == 0);

  f.clock().Set(t0 + due);
  CHECK(f.FireDue() == 1);
  CHECK(f.TextSet("SELECT agency_id FROM alerts WHERE rule_id = '" + Due(kDifClock) + "'") ==
        kChiapasClockAgencies);
  CHECK(f.TextSet("SELECT severity FROM alerts WHERE rule_id = '" + Due(kDifClock) + "'") ==
        Strings{"critical"});
  for (const nlohmann::json& payload : f.Payloads(Due(kDifClock))) {
    INFO(payload.dump(2));
    CHECK(payload["kind"] == "clock_due");
    CHECK(payload["severity"] == "critical");
    CHECK(payload["deadline"] == FormatUtc(t0 + due));
  }
  CHECK(ReadClock(f, kDifClock).expired);
  CHECK(f.watcher().counters().expiries == 1);
  CHECK(nudged == 2);

  // Idempotent: nothing fires twice, now or later.
  const int64_t alerts = f.Count("alerts");
  const int64_t deliveries = f.Count("deliveries");
  CHECK(f.FireDue() == 0);
  f.clock().Advance(hours(100));
  CHECK(f.FireDue() == 0);
  CHECK(f.Count("alerts") == alerts);
  CHECK(f.Count("alerts WHERE version > 1") == 0);
  CHECK(f.Count("deliveries") == deliveries);
  CHECK(f.watcher().counters().warnings == 1);
  CHECK(f.watcher().counters().expiries == 1);
}

TEST_CASE("ClockWatcher: after downtime past the deadline, warning and expiry fire at once",
          "[clock_watcher]") {
  PipelineFixture f;
  const Event event = GtChildAtBorderPost();
  const ClockDef& def = FindClock(f.rules(), kDifClock);
  f.clock().Set(event.occurred_at.utc);
  f.Store(event);
  REQUIRE(f.Process() == 1);

  f.clock().Set(event.occurred_at.utc + def.due.value + hours(5));
  CHECK(f.FireDue() == 2);
  CHECK(f.Count("alerts WHERE rule_id = '" + Warning(kDifClock) + "'") == 3);
  CHECK(f.Count("alerts WHERE rule_id = '" + Due(kDifClock) + "'") == 3);
  CHECK(ReadClock(f, kDifClock).warned);
  CHECK(ReadClock(f, kDifClock).expired);
  CHECK(f.FireDue() == 0);
}

TEST_CASE("ClockWatcher: more clocks due than one batch all fire in one FireDue",
          "[clock_watcher]") {
  PipelineFixture f;
  f.SetWatcherBatch(2);
  const ClockDef& def = FindClock(f.rules(), kDifClock);
  Event event = GtChildAtBorderPost();
  const Instant t0 = event.occurred_at.utc;
  f.clock().Set(t0);
  constexpr int kChildren = 5;
  for (int i = 0; i < kChildren; ++i) {
    event.event_id = "batch-ev-" + std::to_string(i);
    event.subject.id = "batch-child-" + std::to_string(i);
    f.Store(event);
  }
  REQUIRE(f.Process() == kChildren);
  REQUIRE(f.Count("clocks WHERE clock_id = '" + std::string(kDifClock) + "'") == kChildren);

  // Down past the deadline: each clock warns and falls due, two clocks a read.
  f.clock().Set(t0 + def.due.value + hours(1));
  CHECK(f.FireDue() == 2 * kChildren);
  CHECK(f.Count("clocks WHERE clock_id = '" + std::string(kDifClock) +
                "' AND warned = 1 AND expired = 1") == kChildren);
  CHECK(f.Count("alerts WHERE rule_id = '" + Due(kDifClock) + "'") == 3 * kChildren);
  CHECK(f.FireDue() == 0);
}

TEST_CASE("ClockWatcher: a transfer to child welfare before the deadline stops the clock",
          "[clock_watcher]") {
  PipelineFixture f;
  const Event event = GtChildAtBorderPost();
  const ClockDef& def = FindClock(f.rules(), kDifClock);
  REQUIRE(def.warn.has_value());
  const Instant t0 = event.occurred_at.utc;
  f.clock().Set(t0);
  f.Store(event);
  REQUIRE(f.Process() == 1);

  // Channelled to DIF half-way to the warning.
  Event transfer = event;
  transfer.event_id = event.event_id + "-tr";
  transfer.type = EventType::kTransfer;
  transfer.occurred_at.utc = t0 + def.warn->value / 2;
  transfer.custody.reset();
  transfer.transfer = Transfer{TransferTarget{
      "DIF-CHIAPAS", TransferKind::kChildWelfare,
      Facility{"DIF-CHP-CAS-TAPACHULA", FacilityType::kChildWelfareCentre}, std::nullopt}};
  f.clock().Set(transfer.occurred_at.utc);
  f.Store(transfer);
  int clocks_changed = 0;
  f.pipeline().OnClocksChanged([&] { ++clocks_changed; });
  REQUIRE(f.Process() == 1);
  CHECK(clocks_changed == 1);
  CHECK(ReadClock(f, kDifClock).state == "stopped");

  const int64_t alerts = f.Count("alerts");
  f.clock().Set(t0 + def.warn->value);
  CHECK(f.FireDue() == 0);
  f.clock().Set(t0 + def.due.value);
  CHECK(f.FireDue() == 0);
  f.clock().Advance(hours(48));
  CHECK(f.FireDue() == 0);
  CHECK(f.Count("alerts") == alerts);
  CHECK(f.Count("alerts WHERE rule_id LIKE '" + std::string(kDifClock) + ":%'") == 0);
  CHECK(f.watcher().counters().warnings == 0);
  CHECK(f.watcher().counters().expiries == 0);
  auto next = f.store().clocks().NextDueAt();
  REQUIRE(next.ok());
  CHECK_FALSE(next->has_value());
}

TEST_CASE("ClockWatcher: a stop after the warning still prevents the expiry", "[clock_watcher]") {
  PipelineFixture f;
  const Event event = GtChildAtBorderPost();
  const ClockDef& def = FindClock(f.rules(), kDifClock);
  const Instant t0 = event.occurred_at.utc;
  f.clock().Set(t0);
  f.Store(event);
  REQUIRE(f.Process() == 1);
  f.clock().Set(t0 + def.warn->value);
  REQUIRE(f.FireDue() == 1);

  Event release = event;
  release.event_id = event.event_id + "-rel";
  release.type = EventType::kRelease;
  release.occurred_at.utc = t0 + def.warn->value + minutes(30);
  release.custody.reset();
  f.clock().Set(release.occurred_at.utc);
  f.Store(release);
  REQUIRE(f.Process() == 1);

  f.clock().Set(t0 + def.due.value);
  CHECK(f.FireDue() == 0);
  CHECK(f.Count("alerts WHERE rule_id = '" + Due(kDifClock) + "'") == 0);
}

TEST_CASE("ClockWatcher: a US unaccompanied child falls due at exactly 72 h, not at 71h59m",
          "[clock_watcher]") {
  PipelineFixture f;
  const Event event = UsUnaccompaniedApprehension();
  const ClockDef& def = FindClock(f.rules(), kOrrClock);
  REQUIRE(def.due.value == hours(72));  // statutory, 8 USC 1232(b)(3)
  REQUIRE(def.anchor == ClockDef::Anchor::kOccurredAt);
  const Instant t0 = event.occurred_at.utc;
  f.clock().Set(t0);
  f.Store(event);
  REQUIRE(f.Process() == 1);
  REQUIRE(f.Count("clocks WHERE clock_id = '" + std::string(kOrrClock) + "' AND due_at_ms = " +
                  std::to_string((t0 + hours(72)).time_since_epoch().count())) == 1);

  // 71 h 59 min: the warning (48 h) is long past, the transfer is not yet due.
  f.clock().Set(t0 + hours(71) + minutes(59));
  f.FireDue();
  CHECK(ReadClock(f, kOrrClock).warned);
  CHECK_FALSE(ReadClock(f, kOrrClock).expired);
  CHECK(f.Count("alerts WHERE rule_id = '" + Warning(kOrrClock) + "'") > 0);
  CHECK(f.Count("alerts WHERE rule_id = '" + Due(kOrrClock) + "'") == 0);

  // One millisecond before: still not due.
  f.clock().Set(t0 + hours(72) - std::chrono::milliseconds(1));
  f.FireDue();
  CHECK(f.Count("alerts WHERE rule_id = '" + Due(kOrrClock) + "'") == 0);

  // 72 h exactly: due.
  f.clock().Set(t0 + hours(72));
  f.FireDue();
  CHECK(ReadClock(f, kOrrClock).expired);
  const Strings agencies =
      f.TextSet("SELECT agency_id FROM alerts WHERE rule_id = '" + Due(kOrrClock) + "'");
  CHECK(agencies.count("us-orr") == 1);
  CHECK(agencies.count("duty-officer") == 1);
  for (const nlohmann::json& payload : f.Payloads(Due(kOrrClock))) {
    INFO(payload.dump(2));
    CHECK(payload["kind"] == "clock_due");
    CHECK(payload["severity"] == "critical");
    CHECK(payload["deadline"] == FormatUtc(t0 + hours(72)));
  }
  const int64_t due_alerts = f.Count("alerts WHERE rule_id = '" + Due(kOrrClock) + "'");
  f.FireDue();
  CHECK(f.Count("alerts WHERE rule_id = '" + Due(kOrrClock) + "'") == due_alerts);
}

TEST_CASE("ClockWatcher: the loop's timer fires a due clock through Reschedule",
          "[clock_watcher]") {
  PipelineFixture f;
  const Event event = GtChildAtBorderPost();
  const ClockDef& def = FindClock(f.rules(), kDifClock);
  f.clock().Set(event.occurred_at.utc);
  f.Store(event);
  REQUIRE(f.Process() == 1);
  // The fake clock is already past both instants: the timer sleeps 0.
  f.clock().Set(event.occurred_at.utc + def.due.value);
  f.watcher().Reschedule();
  for (int i = 0; i < 100 && f.watcher().counters().expiries == 0; ++i) {
    f.io().run_for(std::chrono::milliseconds(10));
  }
  f.watcher().Stop();
  CHECK(f.watcher().counters().warnings == 1);
  CHECK(f.watcher().counters().expiries == 1);
  CHECK(ReadClock(f, kDifClock).expired);
}

// A deployment's own clock that notifies the consulate (rule files may be
// added per deployment). None of the shipped clocks has the consulate role,
// so this needs one extra rule file.
constexpr const char* kConsularClockRules = R"yaml(
clocks:
  - id: test-consular-follow-up
    title:
      en: "Consular follow-up"
      es: "Seguimiento consular"
    legal_basis: ["VCCR art. 37(b)"]
    start: >-
      location.country == "MX"
      && event.type in ["apprehension", "detention"]
      && subject.minor
    stop: >-
      event.type in ["release", "return"]
    key: subject.id
    due: 24h
    notify: [consulate]
    severity: high
)yaml";

// Regression: the inhibit int-3-withhold-consulate-asylum-or-fear applies to
// a clock's roles when it FIRES, judged on the case as it is then. A child
// who claims asylum after a clock started must not have the consulate told
// where she is when the clock falls due (found by this test; fixed in
// ClockWatcher::Fire and InhibitRoles). Latent with the shipped rules (no
// shipped clock notifies the consulate); reachable with a deployment rule
// file like the one above.
TEST_CASE("ClockWatcher: a clock never tells the consulate after the child claims asylum",
          "[clock_watcher]") {
  PipelineFixture f(std::vector<RuleSource>{{"deployment-consular.yaml", kConsularClockRules}});
  const Event event = GtChildAtBorderPost();
  f.clock().Set(event.occurred_at.utc);
  f.Store(event);
  REQUIRE(f.Process() == 1);
  REQUIRE(f.Count("clocks WHERE clock_id = 'test-consular-follow-up' AND roles LIKE "
                  "'%consulate%'") == 1);

  // The same child (same subject.id) then claims asylum.
  Event update = testing::SampleEvent("07-case_update.json");
  REQUIRE(update.subject.id == event.subject.id);
  REQUIRE(std::find(update.subject.flags.begin(), update.subject.flags.end(),
                    SubjectFlag::kAsylumClaim) != update.subject.flags.end());
  update.occurred_at.utc = event.occurred_at.utc + hours(2);
  f.clock().Set(update.occurred_at.utc);
  f.Store(update);
  REQUIRE(f.Process() == 1);
  REQUIRE(f.Text("SELECT flags FROM cases").find("asylum_claim") != std::string::npos);

  f.clock().Set(event.occurred_at.utc + hours(24));
  f.FireDue();
  for (const std::string& alert_id :
       f.Texts("SELECT alert_id FROM alerts WHERE rule_id LIKE 'test-consular-follow-up%'")) {
    const std::string payload = f.PayloadOfAlert(alert_id).dump();
    INFO(payload);
    CHECK(payload.find("MX-CHP") == std::string::npos);
  }
  CHECK(f.Count("alerts WHERE rule_id LIKE 'test-consular-follow-up%' AND agency_id LIKE "
                "'gt-%'") == 0);
}

// The control of the test above: when the claim is on the starting event,
// the inhibit removes the consulate from the clock's roles and nothing goes
// to the consulate when it fires.
TEST_CASE("ClockWatcher: a clock started after the asylum claim never tells the consulate",
          "[clock_watcher]") {
  PipelineFixture f(std::vector<RuleSource>{{"deployment-consular.yaml", kConsularClockRules}});
  Event event = GtChildAtBorderPost();
  event.subject.flags.push_back(SubjectFlag::kAsylumClaim);
  f.clock().Set(event.occurred_at.utc);
  f.Store(event);
  REQUIRE(f.Process() == 1);
  f.clock().Set(event.occurred_at.utc + hours(24));
  f.FireDue();
  CHECK(f.Count("alerts WHERE agency_id LIKE 'gt-%'") == 0);
}

TEST_CASE("ClockWatcher: without rules or directory FireDue fails and marks nothing",
          "[clock_watcher]") {
  PipelineFixture f;
  const Event event = GtChildAtBorderPost();
  f.clock().Set(event.occurred_at.utc);
  f.Store(event);
  REQUIRE(f.Process() == 1);
  f.watcher().SetDirectory(nullptr);
  f.clock().Advance(hours(100));
  CHECK_FALSE(f.watcher().FireDue().ok());
  CHECK_FALSE(ReadClock(f, kDifClock).warned);
}

}  // namespace
}  // namespace amparo

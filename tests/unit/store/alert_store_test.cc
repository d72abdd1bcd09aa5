#include "daemon/store/alert_store.h"

#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;
using testing::MakeAlert;
using testing::MakeCommit;

TEST_CASE("DeriveAlertId is the first 16 bytes of SHA-256 over the NUL-joined parts, in hex") {
  // python3: hashlib.sha256(b'unaccompanied-child-in-custody\0subj\0consulate-gt-tapachula\0ev-1')
  CHECK(DeriveAlertId("unaccompanied-child-in-custody", "subj", "consulate-gt-tapachula", "ev-1") ==
        "c876b5295da222d4b286e415f2fba67d");
}

TEST_CASE("DeriveAlertId is deterministic and separates its parts") {
  const std::string id = DeriveAlertId("r", "s", "a", "e");
  CHECK(id == DeriveAlertId("r", "s", "a", "e"));
  CHECK(id.size() == 32);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  std::set<std::string> ids = {id,
                               DeriveAlertId("r2", "s", "a", "e"),
                               DeriveAlertId("r", "s2", "a", "e"),
                               DeriveAlertId("r", "s", "a2", "e"),
                               DeriveAlertId("r", "s", "a", "e2"),
                               DeriveAlertId("ab", "c", "a", "e"),
                               DeriveAlertId("a", "bc", "a", "e")};
  CHECK(ids.size() == 7);
}

TEST_CASE("AlertSubjectToJson round-trips, written as nlohmann wrote the same object") {
  AlertSubject rule{.kind = "rule",
                    .rule = "int-2-vccr-37b-consular-notification",
                    .severity = Severity::kHigh,
                    .title = {{"es", "Notificación consular \"urgente\""}, {"en", "Consular"}},
                    .summary = {{"en", "line one\nline two"}},
                    .legal_basis = {"VCCR art. 36(1)(b)", "LM art. 112"},
                    .deadline = At(7'200'000),
                    .clock = std::nullopt};
  AlertSubject clock = rule;
  clock.kind = "clock_due";
  clock.rule = "custody-72h:due";
  clock.deadline.reset();
  clock.summary.clear();
  clock.legal_basis.clear();
  clock.clock = ClockDeadline{.clock_id = "custody-72h",
                              .started_at = At(1000),
                              .due_at = At(259'201'000),
                              .originating_alerts = {"a1", "a2"}};
  for (const AlertSubject& about : {rule, clock}) {
    INFO(about.kind);
    const std::string text = AlertSubjectToJson(about);
    // Members in key order, no whitespace: the stored bytes did not change
    // when the text came to be written directly.
    CHECK(nlohmann::json::parse(text).dump(-1, ' ', false,
                                           nlohmann::json::error_handler_t::replace) == text);
    Result<AlertSubject> back = AlertSubjectFromJson(text);
    REQUIRE(back.ok());
    CHECK(*back == about);
  }
  CHECK(AlertSubjectToJson(rule).find(R"("deadline_ms":7200000)") != std::string::npos);
  CHECK(AlertSubjectToJson(clock).find(R"("deadline_ms":null)") != std::string::npos);
}

TEST_CASE("AlertStore finds the open alert and records an acknowledgement") {
  testing::StoreFixture f;
  ProcessingCommit commit = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(5000));
  commit.alerts.push_back(MakeAlert("rule-a", "consulate-gt", "ev-1"));
  REQUIRE(f.store().CommitProcessing(commit).ok());
  AlertStore& alerts = f.store().alerts();

  Result<std::optional<AlertRecord>> open = alerts.FindOpen("rule-a", "subj", "consulate-gt");
  REQUIRE(open.ok());
  REQUIRE(open->has_value());
  const std::string id = (*open)->alert_id;
  CHECK(alerts.FindOpen("rule-b", "subj", "consulate-gt")->has_value() == false);

  REQUIRE(alerts
              .RecordAck({.alert_id = id,
                          .agency_id = "consulate-gt",
                          .at = At(6000),
                          .by = "officer-7",
                          .note = "on our way",
                          .via = "mqtt"})
              .ok());
  CHECK(alerts.Get(id)->state == AlertState::kAcknowledged);
  CHECK(alerts.Get(id)->updated_at == At(6000));
  CHECK_FALSE(alerts.FindOpen("rule-a", "subj", "consulate-gt")->has_value());
  CHECK(f.Count("acks WHERE by = 'officer-7' AND via = 'mqtt' AND at_ms = 6000") == 1);

  // A second acknowledgement is kept; the alert stays acknowledged.
  REQUIRE(alerts
              .RecordAck({.alert_id = id,
                          .agency_id = "consulate-gt",
                          .at = At(7000),
                          .by = "officer-8",
                          .note = "",
                          .via = "http"})
              .ok());
  CHECK(f.Count("acks") == 2);
}

TEST_CASE("AlertStore reports unknown alerts") {
  testing::StoreFixture f;
  CHECK(f.store().alerts().Get("nope").status().code() == Status::Code::kNotFound);
  Status status = f.store().alerts().RecordAck(
      {.alert_id = "nope", .agency_id = "a", .at = At(1), .by = "x", .note = "", .via = "http"});
  CHECK(status.code() == Status::Code::kNotFound);
  CHECK(f.Count("acks") == 0);
}

TEST_CASE("AlertStore refuses an alert without rule, agency or opening event") {
  testing::StoreFixture f;
  AlertChange change = MakeAlert("rule-a", "consulate-gt", "ev-1");
  SECTION("rule") { change.rule_id.clear(); }
  SECTION("agency") { change.agency_id.clear(); }
  SECTION("opening event") { change.opening_event_id.clear(); }
  Result<AlertVersion> version = f.store().alerts().OpenOrUpdate(change, "subj", "ev-1", At(1));
  CHECK(version.status().code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace amparo

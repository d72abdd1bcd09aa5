// A store on a temporary file, with the repositories of the processing path,
// for the store's unit tests.
#ifndef AMPARO_TESTS_UNIT_STORE_STORE_FIXTURE_H_
#define AMPARO_TESTS_UNIT_STORE_STORE_FIXTURE_H_

#include <memory>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"
#include "tests/support/temp_dir.h"

namespace amparo::testing {

inline Instant At(int64_t ms) { return Instant(Duration(ms)); }

// The detail column of EXPLAIN QUERY PLAN for `sql`, a step a line.
inline std::string QueryPlan(Database& db, std::string_view sql) {
  auto plan = db.Prepare("EXPLAIN QUERY PLAN " + std::string(sql));
  REQUIRE(plan.ok());
  std::string steps;
  while (plan->Step().value()) steps += plan->ColumnText(3) + "\n";
  return steps;
}

class StoreFixture {
 public:
  StoreFixture() {
    auto opened = EventStore::Open({.path = dir_.File("store.db")});
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    events_ = std::move(opened).value();
    auto created = ProcessingStore::Create(events_->db());
    INFO(created.status().ToString());
    REQUIRE(created.ok());
    store_ = std::move(created).value();
  }

  EventStore& events() { return *events_; }
  ProcessingStore& store() { return *store_; }
  Database& db() { return events_->db(); }

  // Stores a pending event of subject "subj" and returns its row id.
  int64_t AddEvent(const std::string& event_id) {
    IncomingEvent event{.event_id = event_id,
                        .topic = "rcm/v1/events/MX/INM",
                        .type = "apprehension",
                        .subject_key = "subj",
                        .body = "{}",
                        .occurred_at = At(1000),
                        .received_at = At(2000)};
    REQUIRE(events_->InsertEvent(event).ok());
    auto pending = events_->PendingEvents(1000);
    REQUIRE(pending.ok());
    for (const StoredEvent& e : *pending) {
      if (e.event_id == event_id) return e.id;
    }
    FAIL("event not pending");
    return 0;
  }

  // Returns SELECT COUNT(*) FROM `table_and_where`.
  int64_t Count(const std::string& table_and_where) {
    auto query = db().Prepare("SELECT COUNT(*) FROM " + table_and_where);
    REQUIRE(query.ok());
    REQUIRE(query->Step().value());
    return query->ColumnInt64(0);
  }

 private:
  TempDir dir_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<ProcessingStore> store_;
};

// An alert of `rule` to `agency` opened by `opening_event`, with two channels.
inline AlertChange MakeAlert(const std::string& rule, const std::string& agency,
                             const std::string& opening_event, const std::string& title = "v1") {
  return AlertChange{.rule_id = rule,
                     .role = "consulate",
                     .agency_id = agency,
                     .opening_event_id = opening_event,
                     .severity = Severity::kCritical,
                     .deadline = At(7'200'000),
                     .about = {.kind = "rule",
                               .rule = rule,
                               .severity = Severity::kCritical,
                               .title = {{"en", title}, {"es", title + " (es)"}},
                               .summary = {},
                               .legal_basis = {"VCCR art. 37(b)"},
                               .deadline = At(7'200'000)},
                     .channels = {{"mqtt", ""}, {"file", "/tmp/x.jsonl"}},
                     .escalates_to = "ombudsman-mx"};
}

// A commit of event `row` / `event_id` of subject "subj" at `now`.
inline ProcessingCommit MakeCommit(int64_t row, const std::string& event_id, Instant now) {
  return ProcessingCommit{.event_row = row,
                          .event_id = event_id,
                          .subject_key = "subj",
                          .case_update = {.subject_key = "subj",
                                          .state = {.first_custody_at = At(1000),
                                                    .custody_since = At(1000),
                                                    .events = 1,
                                                    .status = "in_custody",
                                                    .flags = {SubjectFlag::kAsylumClaim},
                                                    .alerted_roles = {"consulate"},
                                                    .tvpra_screening = std::nullopt,
                                                    .restitution_plan = false},
                                          .last_event_at = At(1000),
                                          .country = "MX",
                                          .admin1 = "MX-CHP",
                                          .facility_type = "migration_station"},
                          .alerts = {},
                          .clocks = {},
                          .now = now,
                          .withheld = {},
                          .cancel_reason = {}};
}

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_UNIT_STORE_STORE_FIXTURE_H_

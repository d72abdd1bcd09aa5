#include "daemon/store/migrations.h"

#include <string>

#include <catch2/catch.hpp>

#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

std::unique_ptr<Database> OpenOrFail(const std::string& path) {
  Result<std::unique_ptr<Database>> db = Database::Open(path, {});
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(db).value();
}

int64_t QueryInt(Database& db, std::string_view sql) {
  Result<Statement> query = db.Prepare(sql);
  INFO(query.status().ToString());
  REQUIRE(query.ok());
  REQUIRE(query->Step().value());
  return query->ColumnInt64(0);
}

bool HasTable(Database& db, const std::string& name) {
  return QueryInt(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                          name + "'") == 1;
}

TEST_CASE("Migrations are numbered 1..N and the latest is the last") {
  const auto all = AllMigrations();
  REQUIRE_FALSE(all.empty());
  CHECK(LatestSchemaVersion() == all.back().version);
  CHECK(LatestSchemaVersion() >= 2);
}

TEST_CASE("RunMigrations builds the whole schema on an empty database") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("a.db"));
  CHECK(SchemaVersion(*db).value() == 0);
  REQUIRE(RunMigrations(*db).ok());
  CHECK(SchemaVersion(*db).value() == LatestSchemaVersion());
  CHECK(QueryInt(*db, "SELECT COUNT(*) FROM schema_version") == LatestSchemaVersion());
  for (const char* table : {"events", "dead_letters", "counters"}) {
    INFO(table);
    CHECK(HasTable(*db, table));
  }
  CHECK(QueryInt(*db, "SELECT COUNT(*) FROM counters") == 3);
}

TEST_CASE("RunMigrations is a no-op on an up-to-date database") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("a.db"));
  REQUIRE(RunMigrations(*db).ok());
  REQUIRE(RunMigrations(*db).ok());
  CHECK(QueryInt(*db, "SELECT COUNT(*) FROM schema_version") == LatestSchemaVersion());
}

TEST_CASE("Opening a version 1 database migrates it to 2 and keeps its data") {
  testing::TempDir dir;
  const std::string path = dir.File("v1.db");
  {
    auto db = OpenOrFail(path);
    REQUIRE(RunMigrations(*db, 1).ok());
    CHECK(SchemaVersion(*db).value() == 1);
    CHECK_FALSE(HasTable(*db, "counters"));
    REQUIRE(db->Execute("INSERT INTO events(event_id, received_at_ms, topic, type, subject_key,"
                        " occurred_at_ms, body) VALUES ('ev-1', 1, 't', 'apprehension', 'k', 0,"
                        " '{}');"
                        "INSERT INTO dead_letters(received_at_ms, topic, reason, raw)"
                        " VALUES (2, 't', 'bad json', x'00ff')")
                .ok());
  }
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = path});
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  CHECK(SchemaVersion((*store)->db()).value() == LatestSchemaVersion());

  Result<std::vector<StoredEvent>> pending = (*store)->PendingEvents(10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].event_id == "ev-1");
  CHECK((*store)->Counter("stored").value() == 1);
  CHECK((*store)->Counter("dead_letters").value() == 1);
  CHECK((*store)->Counter("duplicates").value() == 0);
}

TEST_CASE("Opening a version 3 database migrates its cases to 4 without a screening or plan") {
  testing::TempDir dir;
  const std::string path = dir.File("v3.db");
  {
    auto db = OpenOrFail(path);
    REQUIRE(RunMigrations(*db, 3).ok());
    CHECK(SchemaVersion(*db).value() == 3);
    CHECK(QueryInt(*db,
                   "SELECT COUNT(*) FROM pragma_table_info('cases') WHERE name IN "
                   "('tvpra_screening', 'restitution_plan')") == 0);
    REQUIRE(db->Execute("INSERT INTO cases(subject_key, first_custody_at_ms, last_event_at_ms,"
                        " events, status, flags, alerted_roles, country, admin1, facility_type,"
                        " updated_at_ms) VALUES ('subj', 1000, 3000, 2, 'in_custody',"
                        " '[\"asylum_claim\"]', '[\"consulate\"]', 'MX', 'MX-CHP',"
                        " 'migration_station', 4000)")
                .ok());
  }
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = path});
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  Database& db = (*store)->db();
  CHECK(SchemaVersion(db).value() == LatestSchemaVersion());
  CHECK(LatestSchemaVersion() >= 4);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM schema_version WHERE version = 4") == 1);

  Result<std::unique_ptr<ProcessingStore>> processing = ProcessingStore::Create(db);
  INFO(processing.status().ToString());
  REQUIRE(processing.ok());
  Result<CaseSnapshot> snapshot = (*processing)->cases().LoadCase("subj");
  INFO(snapshot.status().ToString());
  REQUIRE(snapshot.ok());
  CHECK_FALSE(snapshot->tvpra_screening.has_value());
  CHECK_FALSE(snapshot->restitution_plan);
  // What version 3 stored is kept.
  CHECK(snapshot->first_custody_at == Instant(Duration(1000)));
  CHECK(snapshot->events == 2);
  CHECK(snapshot->status == "in_custody");
  CHECK(snapshot->flags == std::vector{SubjectFlag::kAsylumClaim});
  CHECK(snapshot->alerted_roles == std::vector<std::string>{"consulate"});
  // The new column refuses what is not a boolean.
  CHECK_FALSE(db.Execute("UPDATE cases SET restitution_plan = 2").ok());
}

TEST_CASE(
    "Opening a version 6 database keeps what its alerts are about and drops frozen payloads") {
  testing::TempDir dir;
  const std::string path = dir.File("v6.db");
  {
    auto db = OpenOrFail(path);
    REQUIRE(RunMigrations(*db, 6).ok());
    REQUIRE(db->Execute(
                  R"sql(INSERT INTO alerts(alert_id, rule_id, subject_key, agency_id, role,
                    opening_event_id, last_event_id, severity, version, deadline_ms,
                    created_at_ms, updated_at_ms, payload)
                  VALUES ('a1', 'rule-a', 'subj', 'gt-consulate', 'consulate', 'ev-1', 'ev-1',
                    'high', 1, 7200000, 1000, 1000,
                    '{"schema":"amparo.alert.v1","alert_id":"a1","version":1,"kind":"rule",
                      "rule":"rule-a","severity":"high","language":"es","title":"Notificar",
                      "summary":"Resumen","legal_basis":["VCCR art. 37(b)"],
                      "deadline":"1970-01-01T02:00:00Z","event":{"subject":{"id":"X"}}}');
                  INSERT INTO deliveries(alert_id, version, agency_id, channel_index,
                    channel_type, target, next_attempt_at_ms, created_at_ms, idempotency_key,
                    payload)
                  VALUES ('a1', 1, 'gt-consulate', 0, 'mqtt', '', 1000, 1000, 'a1:1',
                    '{"event":{"subject":{"id":"X"}}}');)sql")
                .ok());
  }
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = path});
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  Database& db = (*store)->db();
  CHECK(SchemaVersion(db).value() == LatestSchemaVersion());
  // No frozen body is left anywhere: payloads are built when they are sent.
  CHECK(QueryInt(db,
                 "SELECT COUNT(*) FROM pragma_table_info('deliveries') WHERE name = "
                 "'payload'") == 0);
  CHECK(QueryInt(db, "SELECT COUNT(*) FROM pragma_table_info('alerts') WHERE name = 'payload'") ==
        0);
  Result<std::unique_ptr<ProcessingStore>> processing = ProcessingStore::Create(db);
  REQUIRE(processing.ok());
  Result<AlertRecord> alert = (*processing)->alerts().Get("a1");
  INFO(alert.status().ToString());
  REQUIRE(alert.ok());
  CHECK(alert->about == AlertSubject{.kind = "rule",
                                     .rule = "rule-a",
                                     .severity = Severity::kHigh,
                                     .title = {{"es", "Notificar"}},
                                     .summary = {{"es", "Resumen"}},
                                     .legal_basis = {"VCCR art. 37(b)"},
                                     .deadline = Instant(Duration(7'200'000))});
  Result<Delivery> delivery = (*processing)->outbox().Get(1);
  REQUIRE(delivery.ok());
  CHECK(delivery->idempotency_key == "a1:1");
}

TEST_CASE(
    "Opening a version 9 database keeps its deliveries and refused acks, and lets deliveries be "
    "cancelled") {
  testing::TempDir dir;
  const std::string path = dir.File("v9.db");
  {
    auto db = OpenOrFail(path);
    REQUIRE(RunMigrations(*db, 9).ok());
    REQUIRE(db->Execute(
                  R"sql(INSERT INTO alerts(alert_id, rule_id, subject_key, agency_id, role,
                    opening_event_id, last_event_id, severity, version, created_at_ms,
                    updated_at_ms)
                  VALUES ('a1', 'rule-a', 'subj', 'gt-consulate', 'consulate', 'ev-1', 'ev-1',
                    'high', 1, 1000, 1000);
                  INSERT INTO deliveries(id, alert_id, version, agency_id, channel_index,
                    channel_type, target, state, attempts, next_attempt_at_ms, last_error,
                    created_at_ms, idempotency_key)
                  VALUES (7, 'a1', 1, 'gt-consulate', 0, 'mqtt', '', 'dead', 3, 1000, 'down',
                    1000, 'a1:1');
                  INSERT INTO deliveries(id, alert_id, version, agency_id, channel_index,
                    channel_type, target, next_attempt_at_ms, created_at_ms, idempotency_key,
                    escalated_from)
                  VALUES (8, 'a1', 1, 'gt-minex', 0, 'mqtt', '', 2000, 2000, 'a1:1', 7);
                  INSERT INTO refused_acks(id, received_at_ms, via, agency_id, alert_id,
                    reason_code, reason, raw)
                  VALUES (3, 1500, 'mqtt', 'gt-consulate', 'a1', 'malformed', 'not JSON', 'x');)sql")
                .ok());
    // Version 9 knows no cancelled delivery.
    CHECK_FALSE(db->Execute("UPDATE deliveries SET state = 'cancelled' WHERE id = 8").ok());
  }
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = path});
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  Database& db = (*store)->db();
  CHECK(SchemaVersion(db).value() == LatestSchemaVersion());
  CHECK(HasTable(db, "delivery_cancellations"));
  CHECK_FALSE(HasTable(db, "deliveries_v11"));
  // Migration 10 kept the refused acks, and takes those of e-mail links.
  CHECK_FALSE(HasTable(db, "refused_acks_v10"));
  CHECK(QueryInt(db,
                 "SELECT COUNT(*) FROM refused_acks WHERE id = 3 AND reason_code = "
                 "'malformed' AND raw = 'x'") == 1);
  CHECK(db.Execute("INSERT INTO refused_acks(received_at_ms, via, agency_id, reason_code, reason,"
                   " raw) VALUES (1, 'email-link', 'pa-senniaf', 'bad_link', 'forged', '')")
            .ok());
  Result<std::unique_ptr<ProcessingStore>> processing = ProcessingStore::Create(db);
  REQUIRE(processing.ok());
  Result<Delivery> dead = (*processing)->outbox().Get(7);
  REQUIRE(dead.ok());
  CHECK(dead->state == DeliveryState::kDead);
  CHECK(dead->attempts == 3);
  CHECK(dead->last_error == "down");
  Result<Delivery> escalation = (*processing)->outbox().Get(8);
  REQUIRE(escalation.ok());
  CHECK(escalation->escalated_from == std::optional<int64_t>(7));
  CHECK(escalation->state == DeliveryState::kPending);
  // The rebuilt table keeps its rules: the due index, the foreign keys, the
  // state check, and now the cancelled state.
  CHECK(QueryInt(db,
                 "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                 "'deliveries_due'") == 1);
  CHECK(QueryInt(db,
                 "SELECT COUNT(*) FROM pragma_foreign_key_list('deliveries') WHERE "
                 "\"table\" = 'deliveries'") == 1);
  CHECK_FALSE(db.Execute("UPDATE deliveries SET state = 'lost' WHERE id = 8").ok());
  CHECK_FALSE(db.Execute("UPDATE deliveries SET escalated_from = 99 WHERE id = 8").ok());
  REQUIRE(db.Execute("UPDATE deliveries SET state = 'cancelled' WHERE id = 8").ok());
  CHECK((*processing)->outbox().Get(8)->state == DeliveryState::kCancelled);
  CHECK((*processing)->outbox().Counts()->cancelled == 1);
}

TEST_CASE("A failing migration rolls back entirely and names itself") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("clash.db"));
  REQUIRE(RunMigrations(*db, 1).ok());
  REQUIRE(db->Execute("CREATE TABLE counters (x INTEGER)").ok());  // Clashes with migration 2.

  Status status = RunMigrations(*db);
  CHECK_FALSE(status.ok());
  CHECK(status.message().find("migration 2") != std::string::npos);
  CHECK(status.message().find("already exists") != std::string::npos);
  CHECK(SchemaVersion(*db).value() == 1);
  CHECK(QueryInt(*db,
                 "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                 "'dead_letters_by_received_at'") == 0);
}

TEST_CASE("Opening a database newer than this build is refused") {
  testing::TempDir dir;
  const std::string path = dir.File("future.db");
  {
    auto db = OpenOrFail(path);
    REQUIRE(RunMigrations(*db).ok());
    REQUIRE(
        db->Execute("INSERT INTO schema_version(version, description) VALUES (99, 'future')").ok());
  }
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = path});
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kFailedPrecondition);
  CHECK(store.status().message().find("schema version 99") != std::string::npos);
}

TEST_CASE("RunMigrations rejects an unknown target version") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("a.db"));
  CHECK(RunMigrations(*db, LatestSchemaVersion() + 1).code() == Status::Code::kInvalidArgument);
  CHECK(RunMigrations(*db, -1).code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace amparo

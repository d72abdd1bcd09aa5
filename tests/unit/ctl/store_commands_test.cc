// amparoctl audit verify and purge, on a real SQLite file.
#include "daemon/ctl/store_commands.h"

#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "daemon/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

// A database with one processed event of 2025-01-01 and one dead letter.
std::string MakeDb(const testing::TempDir& dir) {
  const std::string path = dir.File("amparo.db");
  auto store = EventStore::Open({.path = path});
  REQUIRE(store.ok());
  const Instant at(Duration(1'735'689'600'000));  // 2025-01-01T00:00:00Z
  REQUIRE((*store)
              ->InsertEvent({.event_id = "ev-1",
                             .topic = "rcm/v1/events/MX/INM",
                             .type = "apprehension",
                             .subject_key = "aaaaaaaaaaaa",
                             .body = R"({"subject":{"id":"MX-1","name":{"given":"Ana"}}})",
                             .occurred_at = at,
                             .received_at = at})
              .ok());
  REQUIRE((*store)->MarkProcessed(1, at).ok());
  REQUIRE((*store)
              ->InsertDeadLetter("rcm/v1/events/MX/INM", std::nullopt, "payload is not JSON",
                                 "{Ana", at)
              .ok());
  return path;
}

TEST_CASE("audit verify: whole, broken at a row, or no such file") {
  testing::TempDir dir;
  const std::string db = MakeDb(dir);
  std::ostringstream ok;
  CHECK(RunAuditVerify({db}, ok) == 0);
  CHECK(ok.str().rfind("audit chain OK: 2 records, head ", 0) == 0);

  {
    auto store = EventStore::Open({.path = db});
    REQUIRE(store.ok());
    REQUIRE((*store)->db().Execute("DELETE FROM audit WHERE seq = 1").ok());
  }
  std::ostringstream broken;
  CHECK(RunAuditVerify({db}, broken) == 1);
  CHECK(broken.str() ==
        "audit chain BROKEN at seq 2: expected seq 1: 1 record(s) before this one are missing\n");

  std::ostringstream missing;
  CHECK(RunAuditVerify({dir.File("nope.db")}, missing) == 66);
  CHECK(missing.str() == dir.File("nope.db") + ": no such database file\n");
}

TEST_CASE("purge --dry-run lists, purge purges, both counted back from --now") {
  testing::TempDir dir;
  const std::string db = MakeDb(dir);
  std::ostringstream early;
  CHECK(RunPurge({.db_path = db, .now = "2025-12-31T00:00:00Z"}, early) == 0);
  CHECK(early.str() ==
        "purged the personal data of 0 events, 0 dead letters, 0 refused acks older than 365d\n");

  std::ostringstream dry;
  CHECK(RunPurge({.db_path = db, .dry_run = true, .now = "2026-01-02T00:00:00Z"}, dry) == 0);
  CHECK(dry.str() ==
        "would purge events ev-1\n"
        "would purge dead_letters #1\n"
        "dry run: would purge the personal data of 1 events, 1 dead letters, 0 refused acks "
        "older than 365d\n");

  std::ostringstream done;
  CHECK(RunPurge({.db_path = db, .now = "2026-01-02T00:00:00Z", .retention = "400d"}, done) == 0);
  CHECK(done.str() ==
        "purged the personal data of 0 events, 0 dead letters, 0 refused acks older than 400d\n");
  std::ostringstream purged;
  CHECK(RunPurge({.db_path = db, .now = "2026-01-02T00:00:00Z"}, purged) == 0);
  CHECK(purged.str() ==
        "purged events ev-1\n"
        "purged dead_letters #1\n"
        "purged the personal data of 1 events, 1 dead letters, 0 refused acks older than 365d\n");
  auto store = EventStore::Open({.path = db});
  REQUIRE(store.ok());
  CHECK((*(*store)->FindEvent("ev-1"))->body.find("Ana") == std::string::npos);
  std::ostringstream verify;
  CHECK(RunAuditVerify({db}, verify) == 0);
  CHECK(verify.str().rfind("audit chain OK: 4 records", 0) == 0);

  std::ostringstream bad_now;
  CHECK(RunPurge({.db_path = db, .now = "yesterday"}, bad_now) == 64);
  std::ostringstream short_retention;
  CHECK(RunPurge({.db_path = db, .retention = "1h"}, short_retention) == 64);
}

}  // namespace
}  // namespace amparo

// The audit hash chain: what the stores append, and that every kind of
// tampering (an edited, deleted or moved row; a cut-off tail) is detected at
// the row where it happened.
#include "daemon/store/audit_log.h"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

Instant At(int64_t ms) { return Instant(Duration(ms)); }

// A store with five audit records: three events stored (one duplicate, which
// is not a state change), two dead letters.
struct Chain {
  testing::TempDir dir;
  std::unique_ptr<EventStore> store;

  Chain() {
    auto opened = EventStore::Open({.path = dir.File("amparo.db")});
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    for (int i = 1; i <= 3; ++i) {
      const std::string id = "ev-" + std::to_string(i);
      const std::string body =
          R"({"subject":{"name":{"given":"Ana"}},"n":)" + std::to_string(i) + "}";
      REQUIRE(store
                  ->InsertEvent({.event_id = id,
                                 .topic = "rcm/v1/events/MX/INM",
                                 .type = "apprehension",
                                 .subject_key = "a1b2c3d4e5f6",
                                 .body = body,
                                 .occurred_at = At(1000 * i),
                                 .received_at = At(2000 * i)})
                  .ok());
      if (i == 2) {
        REQUIRE(store
                    ->InsertDeadLetter("rcm/v1/events/MX/INM", std::string_view("bad-1"),
                                       "subject.birth_date: \"2010-02-30\" is not a valid date",
                                       R"({"name":"Ana Pérez"})", At(4500))
                    .ok());
      }
    }
    REQUIRE(store
                ->InsertEvent({.event_id = "ev-1",
                               .topic = "rcm/v1/events/MX/INM",
                               .type = "apprehension",
                               .subject_key = "a1b2c3d4e5f6",
                               .body = "{}",
                               .occurred_at = At(1000),
                               .received_at = At(9000)})
                .ok());
    REQUIRE(store
                ->InsertDeadLetter("rcm/v1/events/MX/INM", std::nullopt, "payload is not JSON",
                                   "{oops", At(9500))
                .ok());
  }

  void Sql(const std::string& sql) { REQUIRE(store->db().Execute(sql).ok()); }

  AuditVerification Verify() {
    Result<AuditVerification> v = VerifyAuditChain(store->db());
    REQUIRE(v.ok());
    return *v;
  }
};

TEST_CASE("the stores append one chained record per state change, without personal data") {
  Chain c;
  const AuditVerification v = c.Verify();
  CHECK(v.records == 5);
  CHECK_FALSE(v.broken_seq);
  CHECK(v.head_hash.size() == 64);

  Result<Statement> rows = c.store->db().Prepare(
      "SELECT seq, kind, ref, detail, prev_hash, hash FROM audit ORDER BY seq");
  REQUIRE(rows.ok());
  std::vector<std::string> kinds;
  std::string prev(kAuditGenesis);
  while (*rows->Step()) {
    kinds.push_back(rows->ColumnText(1));
    CHECK(rows->ColumnText(4) == prev);
    prev = rows->ColumnText(5);
    // No name, no raw bytes, no quoted value from a reason.
    const std::string detail = rows->ColumnText(3);
    CHECK(detail.find("Ana") == std::string::npos);
    CHECK(detail.find("2010-02-30") == std::string::npos);
  }
  CHECK(kinds == std::vector<std::string>{"event_stored", "event_stored", "dead_letter",
                                          "event_stored", "dead_letter"});
  // The event's record keeps the SHA-256 of its body, not the body.
  Result<Statement> first = c.store->db().Prepare("SELECT ref, detail FROM audit WHERE seq = 1");
  REQUIRE(first.ok());
  REQUIRE(*first->Step());
  CHECK(first->ColumnText(0) == "ev-1");
  const nlohmann::json detail = nlohmann::json::parse(first->ColumnText(1));
  CHECK(detail["body_sha256"] == Sha256Hex(R"({"subject":{"name":{"given":"Ana"}},"n":1})"));
  CHECK(detail["subject"] == "a1b2c3d4e5f6");
  Result<Statement> dead = c.store->db().Prepare("SELECT detail FROM audit WHERE seq = 3");
  REQUIRE(dead.ok());
  REQUIRE(*dead->Step());
  CHECK(nlohmann::json::parse(dead->ColumnText(0))["field"] == "subject.birth_date");
}

TEST_CASE("Sha256Hex is SHA-256") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("an edited row is detected at that row") {
  Chain c;
  SECTION("its detail") {
    c.Sql(
        "UPDATE audit SET detail = replace(detail, 'a1b2c3d4e5f6', 'ffffffffffff') WHERE seq = 2");
    const AuditVerification v = c.Verify();
    CHECK(v.broken_seq == 2);
    CHECK(v.problem == "hash does not match the record's content: the record was changed");
  }
  SECTION("its time") {
    c.Sql("UPDATE audit SET at_ms = at_ms + 1 WHERE seq = 4");
    CHECK(c.Verify().broken_seq == 4);
  }
  SECTION("its content and its hash, recomputed: the next row's link breaks") {
    c.Sql("UPDATE audit SET kind = 'event_stored' WHERE seq = 3");
    Result<Statement> row = c.store->db().Prepare(
        "SELECT prev_hash, at_ms, kind, ref, detail FROM audit WHERE seq = 3");
    REQUIRE(row.ok());
    REQUIRE(*row->Step());
    const std::string forged =
        AuditRecordHash(row->ColumnText(0), 3, row->ColumnInt64(1), row->ColumnText(2),
                        row->ColumnText(3), row->ColumnText(4));
    row->Reset();
    c.Sql("UPDATE audit SET hash = '" + forged + "' WHERE seq = 3");
    const AuditVerification v = c.Verify();
    CHECK(v.broken_seq == 4);
    CHECK(v.problem ==
          "prev_hash is not the hash of record 3: a record was changed, removed or moved before "
          "this one");
  }
}

TEST_CASE("a deleted row is detected at the row after it") {
  Chain c;
  SECTION("in the middle") {
    c.Sql("DELETE FROM audit WHERE seq = 3");
    const AuditVerification v = c.Verify();
    CHECK(v.broken_seq == 4);
    CHECK(v.problem == "expected seq 3: 1 record(s) before this one are missing");
  }
  SECTION("the first") {
    c.Sql("DELETE FROM audit WHERE seq = 1");
    CHECK(c.Verify().broken_seq == 2);
  }
  SECTION("the newest, which the head still names") {
    c.Sql("DELETE FROM audit WHERE seq = 5");
    const AuditVerification v = c.Verify();
    CHECK(v.broken_seq == 5);
    CHECK(v.problem ==
          "the chain's head is record 5 but the table ends at 4: the newest records are missing");
  }
  SECTION("all of them, but not the head") {
    c.Sql("DELETE FROM audit");
    CHECK(c.Verify().broken_seq == 1);
  }
}

TEST_CASE("reordered rows are detected at the first moved row") {
  Chain c;
  SECTION("two rows swap their places") {
    c.Sql("UPDATE audit SET seq = -2 WHERE seq = 2");
    c.Sql("UPDATE audit SET seq = 2 WHERE seq = 3");
    c.Sql("UPDATE audit SET seq = 3 WHERE seq = -2");
    const AuditVerification v = c.Verify();
    CHECK(v.broken_seq == 2);
    CHECK(v.problem ==
          "prev_hash is not the hash of record 1: a record was changed, removed or moved before "
          "this one");
  }
  SECTION("two rows swap their contents but keep their seq and hashes") {
    c.Sql(
        "UPDATE audit SET (at_ms, kind, ref, detail) = (SELECT a.at_ms, a.kind, a.ref, a.detail "
        "FROM audit a WHERE a.seq = CASE audit.seq WHEN 4 THEN 5 ELSE 4 END) "
        "WHERE seq IN (4, 5)");
    CHECK(c.Verify().broken_seq == 4);
  }
}

TEST_CASE("the chain goes on across connections: both writers append to one chain") {
  Chain c;
  auto second = EventStore::Open({.path = c.dir.File("amparo.db")});
  REQUIRE(second.ok());
  REQUIRE((*second)->InsertDeadLetter("t", std::nullopt, "r: x", "raw", At(10000)).ok());
  REQUIRE(c.store->RecordAudit(audit::kConfigReload, "sighup", R"({"result":"applied"})", At(11000))
              .ok());
  const AuditVerification v = c.Verify();
  CHECK(v.records == 7);
  CHECK_FALSE(v.broken_seq);
}

}  // namespace
}  // namespace amparo

// Retention with virtual time: personal data goes once it is older than the
// retention and its case is closed; counts, keyed hashes and the audit chain
// stay, and the chain still verifies.
#include "daemon/store/retention.h"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/store/audit_log.h"
#include "daemon/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

using std::chrono::hours;
constexpr Duration kRetention = hours(24 * 365);

std::string Body(const std::string& case_number) {
  return R"({"schema":"amparo.event.v1","event_id":"x","subject":{"id":")" + case_number +
         R"(","name":{"given":"Ana","family":"Pérez"},"birth_date":"2010-08-14",)"
         R"("birth_date_precision":"exact","nationalities":["GT"]}})";
}

struct Store {
  testing::TempDir dir;
  FakeClock clock{Instant(Duration(1'700'000'000'000))};
  std::unique_ptr<EventStore> store;

  Store() {
    auto opened = EventStore::Open({.path = dir.File("amparo.db")});
    REQUIRE(opened.ok());
    store = std::move(opened).value();
  }
  // Stores an event of `subject_key` now and marks it processed.
  void Event(const std::string& event_id, const std::string& subject_key) {
    const std::string body = Body("MX-" + event_id);
    REQUIRE(store
                ->InsertEvent({.event_id = event_id,
                               .topic = "rcm/v1/events/MX/INM",
                               .type = "apprehension",
                               .subject_key = subject_key,
                               .body = body,
                               .occurred_at = clock.Now(),
                               .received_at = clock.Now()})
                .ok());
    auto found = store->FindEvent(event_id);
    REQUIRE(found.ok());
    REQUIRE(store->MarkProcessed((*found)->id, clock.Now()).ok());
  }
  std::string BodyOf(const std::string& event_id) {
    auto found = store->FindEvent(event_id);
    REQUIRE(found.ok());
    REQUIRE(*found);
    return (*found)->body;
  }
  PurgeReport Purge(bool dry_run = false) {
    Result<PurgeReport> r = PurgePersonalData(
        store->db(), {.now = clock.Now(), .retention = kRetention, .dry_run = dry_run});
    REQUIRE(r.ok());
    return *r;
  }
  long long Int(const std::string& sql) {
    Result<Statement> q = store->db().Prepare(sql);
    REQUIRE(q.ok());
    REQUIRE(*q->Step());
    return q->ColumnInt64(0);
  }
};

TEST_CASE(
    "personal data goes after the retention, not a day before, and the chain still verifies") {
  Store s;
  s.Event("ev-1", "aaaaaaaaaaaa");
  REQUIRE(s.store
              ->InsertDeadLetter("rcm/v1/events/MX/INM", std::string_view("bad-1"),
                                 "subject.birth_date: \"2010-02-30\" is not a valid date",
                                 R"({"name":"Ana Pérez"})", s.clock.Now())
              .ok());
  const std::string original = s.BodyOf("ev-1");

  s.clock.Advance(kRetention - hours(24));
  PurgeReport early = s.Purge();
  CHECK(early.items.empty());
  CHECK(s.BodyOf("ev-1") == original);

  s.clock.Advance(hours(48));
  SECTION("a dry run lists what would go and changes nothing") {
    PurgeReport dry = s.Purge(/*dry_run=*/true);
    CHECK(dry.items == std::vector<std::string>{"events ev-1", "dead_letters #1"});
    CHECK(s.BodyOf("ev-1") == original);
    CHECK(s.Int("SELECT length(raw) FROM dead_letters") > 0);
    CHECK(s.Int("SELECT COUNT(*) FROM audit WHERE kind = 'personal_data_purged'") == 0);
  }
  SECTION("the purge") {
    PurgeReport done = s.Purge();
    CHECK(done.events == 1);
    CHECK(done.dead_letters == 1);
    const nlohmann::json kept = nlohmann::json::parse(s.BodyOf("ev-1"));
    CHECK_FALSE(kept["subject"].contains("name"));
    CHECK_FALSE(kept["subject"].contains("birth_date"));
    CHECK_FALSE(kept["subject"].contains("birth_date_precision"));
    CHECK(kept["subject"]["id"] == "aaaaaaaaaaaa");  // the keyed hash, not the case number
    CHECK(kept["subject"]["nationalities"] == nlohmann::json::array({"GT"}));
    CHECK(s.Int("SELECT length(raw) FROM dead_letters") == 0);
    Result<Statement> reason = s.store->db().Prepare("SELECT reason FROM dead_letters");
    REQUIRE(*reason->Step());
    CHECK(reason->ColumnText(0) == "subject.birth_date: (purged)");
    reason->Reset();
    // Pseudonymous counts stay.
    CHECK(s.Int("SELECT COUNT(*) FROM events") == 1);
    CHECK(*s.store->Counter("stored") == 1);
    CHECK(*s.store->Counter("dead_letters") == 1);
    // The chain verifies, and proves what was purged: the purge record's
    // hash of the old body is the one recorded when the event was stored.
    Result<AuditVerification> v = VerifyAuditChain(s.store->db());
    REQUIRE(v.ok());
    CHECK_FALSE(v->broken_seq);
    CHECK(v->records == 4);
    Result<Statement> q = s.store->db().Prepare(
        "SELECT (SELECT json_extract(detail, '$.body_sha256') FROM audit WHERE kind = "
        "'event_stored'), (SELECT json_extract(detail, '$.purged_sha256') FROM audit WHERE kind "
        "= 'personal_data_purged' AND ref = 'ev-1')");
    REQUIRE(*q->Step());
    CHECK(q->ColumnText(0) == Sha256Hex(original));
    CHECK(q->ColumnText(1) == Sha256Hex(original));
    q->Reset();
    // Done once: a second run finds nothing.
    CHECK(s.Purge().items.empty());
  }
}

TEST_CASE("a case that is not closed keeps its personal data past the retention") {
  Store s;
  s.Event("running-clock", "bbbbbbbbbbbb");
  REQUIRE(s.store->db()
              .Execute("INSERT INTO clocks(clock_id, key, subject_key, event_id, started_at_ms, "
                       "due_at_ms, roles) VALUES ('us-transfer-72h', 'k', 'bbbbbbbbbbbb', "
                       "'running-clock', 0, 1, '[]')")
              .ok());
  s.Event("old", "cccccccccccc");
  s.clock.Advance(kRetention + hours(24));
  s.Event("recent", "cccccccccccc");  // the same case, still active
  const PurgeReport r = s.Purge();
  CHECK(r.items.empty());
  CHECK(s.BodyOf("old").find("Ana") != std::string::npos);
  CHECK(s.BodyOf("running-clock").find("Ana") != std::string::npos);
  // Once the clock stops and the case is quiet for the retention, it goes.
  REQUIRE(s.store->db().Execute("UPDATE clocks SET state = 'stopped'").ok());
  s.clock.Advance(kRetention + hours(24));
  CHECK(s.Purge().events == 3);
}

TEST_CASE("an event of a linked case number is kept while the case is open (case linking)") {
  Store s;
  // The second authority's number (eeee…) is linked to the first one's
  // case (ffff…), whose clock still runs.
  s.Event("second-authority", "eeeeeeeeeeee");
  s.Event("first-authority", "ffffffffffff");
  REQUIRE(s.store->db()
              .Execute("INSERT INTO case_aliases(subject_key, case_key, event_id, at_ms) "
                       "VALUES ('eeeeeeeeeeee', 'ffffffffffff', 'second-authority', 0);"
                       "INSERT INTO clocks(clock_id, key, subject_key, event_id, started_at_ms, "
                       "due_at_ms, roles) VALUES ('mx-2-4', 'ffffffffffff', 'ffffffffffff', "
                       "'first-authority', 0, 1, '[]')")
              .ok());
  s.clock.Advance(kRetention + hours(24));
  CHECK(s.Purge().items.empty());
  CHECK(s.BodyOf("second-authority").find("Ana") != std::string::npos);
  REQUIRE(s.store->db().Execute("UPDATE clocks SET state = 'stopped'").ok());
  CHECK(s.Purge().events == 2);
}

TEST_CASE("PseudonymousBody drops the other case numbers of the child too") {
  nlohmann::json j = nlohmann::json::parse(Body("MX-1"));
  j["subject"]["previous_ids"] = {"GN-CHP-7781"};
  j["transfer"] = {{"to", {{"agency", "DIF"}, {"kind", "child_welfare"}, {"case_id", "DIF-42"}}}};
  Result<std::string> body = PseudonymousBody(j.dump(), "dddddddddddd");
  REQUIRE(body.ok());
  CHECK(body->find("GN-CHP-7781") == std::string::npos);
  CHECK(body->find("DIF-42") == std::string::npos);
  CHECK(body->find(R"("agency":"DIF")") != std::string::npos);
}

TEST_CASE("PseudonymousBody keeps the event and drops what names the child") {
  Result<std::string> body = PseudonymousBody(Body("MX-1"), "dddddddddddd");
  REQUIRE(body.ok());
  CHECK(body->find("Ana") == std::string::npos);
  CHECK(body->find("2010-08-14") == std::string::npos);
  CHECK(body->find("MX-1") == std::string::npos);
  CHECK(body->find(R"("event_id":"x")") != std::string::npos);
  CHECK_FALSE(PseudonymousBody("[]", "k").ok());
}

}  // namespace
}  // namespace amparo

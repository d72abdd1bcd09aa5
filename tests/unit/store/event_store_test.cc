#include "daemon/store/event_store.h"

#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

Instant At(int64_t ms) { return Instant(Duration(ms)); }

std::unique_ptr<EventStore> OpenOrFail(const std::string& path,
                                       Durability durability = Durability::kProcess) {
  Result<std::unique_ptr<EventStore>> store =
      EventStore::Open({.path = path, .durability = durability});
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

IncomingEvent Event(std::string_view event_id, std::string_view body = R"({"x":1})") {
  return {.event_id = event_id,
          .topic = "rcm/v1/events/MX/INM",
          .type = "apprehension",
          .subject_key = "k1",
          .body = body,
          .occurred_at = At(1000),
          .received_at = At(2000)};
}

IngestOutcome InsertOrFail(EventStore& store, const IncomingEvent& event) {
  Result<IngestOutcome> outcome = store.InsertEvent(event);
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  return *outcome;
}

TEST_CASE("EventStore stores an event as pending with every column intact") {
  testing::TempDir dir;
  auto store = OpenOrFail(dir.File("s.db"));
  CHECK(InsertOrFail(*store, Event("ev-1", R"({"ñ":"é"})")) == IngestOutcome::kStored);

  Result<std::vector<StoredEvent>> pending = store->PendingEvents(10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  const StoredEvent& e = (*pending)[0];
  CHECK(e.id > 0);
  CHECK(e.event_id == "ev-1");
  CHECK(e.topic == "rcm/v1/events/MX/INM");
  CHECK(e.type == "apprehension");
  CHECK(e.subject_key == "k1");
  CHECK(e.occurred_at == At(1000));
  CHECK(e.received_at == At(2000));
  CHECK(e.body == R"({"ñ":"é"})");
  CHECK(e.state == EventState::kPending);
  CHECK(store->Counter("stored").value() == 1);
}

TEST_CASE("EventStore recognises a known event_id as a duplicate and counts it") {
  testing::TempDir dir;
  auto store = OpenOrFail(dir.File("s.db"));
  CHECK(InsertOrFail(*store, Event("ev-1", "first")) == IngestOutcome::kStored);
  CHECK(InsertOrFail(*store, Event("ev-1", "second")) == IngestOutcome::kDuplicate);
  CHECK(InsertOrFail(*store, Event("ev-1", "third")) == IngestOutcome::kDuplicate);

  CHECK(store->Counter("duplicates").value() == 2);
  CHECK(store->Counter("stored").value() == 1);
  Result<std::vector<StoredEvent>> pending = store->PendingEvents(10);
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].body == "first");
  CHECK(store->Counts()->duplicates == 2);
}

TEST_CASE("EventStore rejects an empty event_id") {
  testing::TempDir dir;
  auto store = OpenOrFail(dir.File("s.db"));
  CHECK(store->InsertEvent(Event("")).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("EventStore keeps a dead letter's raw bytes exactly, NUL and invalid UTF-8 included") {
  testing::TempDir dir;
  auto store = OpenOrFail(dir.File("s.db"));
  const std::string raw("{\"a\":\x00\xff\xc3\x28\x80}", 9);
  REQUIRE(
      store->InsertDeadLetter("rcm/v1/events/GT/IGM", std::nullopt, "not JSON", raw, At(5)).ok());
  REQUIRE(
      store
          ->InsertDeadLetter("rcm/v1/events/MX/INM", "ev-9", "return without to_country", "", At(6))
          .ok());

  Result<std::vector<DeadLetter>> letters = store->DeadLetters(10);
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 2);
  const DeadLetter& newest = (*letters)[0];
  CHECK(newest.event_id == std::optional<std::string>("ev-9"));
  CHECK(newest.reason == "return without to_country");
  CHECK(newest.raw.empty());
  const DeadLetter& oldest = (*letters)[1];
  CHECK(oldest.topic == "rcm/v1/events/GT/IGM");
  CHECK_FALSE(oldest.event_id.has_value());
  CHECK(oldest.reason == "not JSON");
  CHECK(oldest.raw == raw);
  CHECK(oldest.raw.size() == 9);
  CHECK(oldest.received_at == At(5));

  CHECK(store->DeadLetters(1)->size() == 1);
  CHECK(store->Counter("dead_letters").value() == 2);
  CHECK(store->Counts()->dead_letters == 2);
}

TEST_CASE("EventStore moves events from pending to processed or failed") {
  testing::TempDir dir;
  auto store = OpenOrFail(dir.File("s.db"));
  for (const char* id : {"a", "b", "c"}) InsertOrFail(*store, Event(id));
  Result<std::vector<StoredEvent>> pending = store->PendingEvents(10);
  REQUIRE(pending->size() == 3);
  CHECK((*pending)[0].event_id == "a");  // Oldest first.
  CHECK((*pending)[2].event_id == "c");

  REQUIRE(store->MarkProcessed((*pending)[0].id, At(3000)).ok());
  REQUIRE(store->MarkFailed((*pending)[1].id, "no rule set", At(3001)).ok());

  Result<std::vector<StoredEvent>> rest = store->PendingEvents(10);
  REQUIRE(rest->size() == 1);
  CHECK((*rest)[0].event_id == "c");
  Result<EventCounts> counts = store->Counts();
  REQUIRE(counts.ok());
  CHECK(counts->pending == 1);
  CHECK(counts->processed == 1);
  CHECK(counts->failed == 1);
  CHECK(counts->dead_letters == 0);
  CHECK(counts->duplicates == 0);
}

TEST_CASE("EventStore reports unknown rows, counters and bad limits") {
  testing::TempDir dir;
  auto store = OpenOrFail(dir.File("s.db"));
  CHECK(store->MarkProcessed(12345, At(0)).code() == Status::Code::kNotFound);
  CHECK(store->MarkFailed(12345, "x", At(0)).code() == Status::Code::kNotFound);
  CHECK(store->Counter("nope").status().code() == Status::Code::kNotFound);
  CHECK(store->PendingEvents(0).status().code() == Status::Code::kInvalidArgument);
  CHECK(store->DeadLetters(-1).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("EventStore returns at most `limit` pending events") {
  testing::TempDir dir;
  auto store = OpenOrFail(dir.File("s.db"));
  for (const char* id : {"a", "b", "c"}) InsertOrFail(*store, Event(id));
  Result<std::vector<StoredEvent>> two = store->PendingEvents(2);
  REQUIRE(two->size() == 2);
  CHECK((*two)[1].event_id == "b");
}

TEST_CASE("EventStore keeps its data across close and reopen") {
  testing::TempDir dir;
  const std::string path = dir.File("s.db");
  OpenOrFail(path)->InsertEvent(Event("kept")).value();
  auto store = OpenOrFail(path);
  CHECK(InsertOrFail(*store, Event("kept")) == IngestOutcome::kDuplicate);
  CHECK(store->PendingEvents(10)->size() == 1);
}

TEST_CASE("EventStore applies the durability setting") {
  testing::TempDir dir;
  auto process = OpenOrFail(dir.File("p.db"), Durability::kProcess);
  CHECK(process->db().SynchronousMode().value() == 1);
  CHECK(process->db().JournalMode().value() == "wal");
  auto power = OpenOrFail(dir.File("f.db"), Durability::kPower);
  CHECK(power->db().SynchronousMode().value() == 2);
  CHECK(power->db().JournalMode().value() == "wal");
}

TEST_CASE("Two EventStores on one file write concurrently from two threads") {
  testing::TempDir dir;
  const std::string path = dir.File("s.db");
  constexpr int kPerThread = 500;
  auto ingest = OpenOrFail(path);
  auto loop = OpenOrFail(path);

  auto writer = [](EventStore* store, std::string prefix, std::vector<Status>* errors) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string id = prefix + std::to_string(i);
      Result<IngestOutcome> outcome = store->InsertEvent(Event(id));
      if (!outcome.ok()) errors->push_back(outcome.status());
      if (i % 50 == 0) {
        Status status = store->InsertDeadLetter("t", id, "bad", "raw", At(i));
        if (!status.ok()) errors->push_back(status);
      }
    }
  };
  std::vector<Status> ingest_errors, loop_errors;
  std::thread a(writer, ingest.get(), "a-", &ingest_errors);
  std::thread b(writer, loop.get(), "b-", &loop_errors);
  a.join();
  b.join();

  for (const Status& s : ingest_errors) FAIL_CHECK(s.ToString());
  for (const Status& s : loop_errors) FAIL_CHECK(s.ToString());
  CHECK(ingest->Counter("stored").value() == 2 * kPerThread);
  CHECK(loop->Counts()->pending == 2 * kPerThread);
  CHECK(loop->Counts()->dead_letters == 2 * kPerThread / 50);
  CHECK(ingest->PendingEvents(10 * kPerThread)->size() == 2 * kPerThread);
}

TEST_CASE("EventStore::Open on an unwritable path is a clear IOError") {
  testing::TempDir dir;
  Result<std::unique_ptr<EventStore>> store =
      EventStore::Open({.path = dir.File("missing/amparo.db")});
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kIOError);
  CHECK(store.status().message().find("missing/amparo.db") != std::string::npos);
}

TEST_CASE("EventStore::Open on a corrupt file is a clear error, not a crash") {
  testing::TempDir dir;
  const std::string path = dir.File("corrupt.db");
  testing::WriteFile(path, std::string(4096, '\x5a') + "not sqlite at all");
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = path});
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kCorruption);
  CHECK(store.status().message().find(path) != std::string::npos);
}

TEST_CASE("EventStore::Open on a damaged database (valid header, garbage pages) is an error") {
  testing::TempDir dir;
  const std::string path = dir.File("damaged.db");
  OpenOrFail(path)->InsertEvent(Event("x")).value();
  std::string bytes = testing::ReadFile(path);
  REQUIRE(bytes.size() > 4096);
  for (size_t i = 100; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  testing::WriteFile(path, bytes);
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = path});
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kCorruption);
}

}  // namespace
}  // namespace amparo

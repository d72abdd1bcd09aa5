#include "daemon/store/database.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

std::unique_ptr<Database> OpenOrFail(const std::string& path, DatabaseOptions options = {}) {
  Result<std::unique_ptr<Database>> db = Database::Open(path, options);
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(db).value();
}

TEST_CASE("Preparer prepares by name and keeps the first failure") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("p.db"));
  REQUIRE(db->Execute("CREATE TABLE t (x INTEGER)").ok());
  struct Statements {
    Statement insert;
    Statement broken;
    Statement count;
  };
  Preparer p(*db);
  Statements s{.insert = p("INSERT INTO t(x) VALUES (?)"),
               .broken = p("SELEKT nonsense"),
               .count = p("SELECT COUNT(*) FROM t")};
  CHECK_FALSE(p.status().ok());
  CHECK(p.status().message().find("SELEKT nonsense") != std::string::npos);

  Preparer good(*db);
  Statements named{.insert = good("INSERT INTO t(x) VALUES (?)"),
                   .broken = good("SELECT 1"),
                   .count = good("SELECT COUNT(*) FROM t")};
  REQUIRE(good.status().ok());
  REQUIRE(named.insert.Bind(7).ok());
  REQUIRE(named.insert.Run().ok());
  REQUIRE(named.count.Step().value());
  CHECK(named.count.ColumnInt64(0) == 1);
}

TEST_CASE("Database::Open applies WAL and the synchronous mode of the durability") {
  testing::TempDir dir;
  auto process = OpenOrFail(dir.File("process.db"), {.durability = Durability::kProcess});
  CHECK(process->JournalMode().value() == "wal");
  CHECK(process->SynchronousMode().value() == 1);  // NORMAL

  auto power = OpenOrFail(dir.File("power.db"), {.durability = Durability::kPower});
  CHECK(power->JournalMode().value() == "wal");
  CHECK(power->SynchronousMode().value() == 2);  // FULL
}

TEST_CASE("Database::Open keeps temporary files (the savepoints' sub-journal) in memory") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("temp.db"));
  Result<Statement> temp_store = db->Prepare("PRAGMA temp_store");
  REQUIRE(temp_store.ok());
  REQUIRE(temp_store->Step().value());
  CHECK(temp_store->ColumnInt64(0) == 2);  // MEMORY
}

TEST_CASE("Database::Open turns foreign keys on") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("fk.db"));
  REQUIRE(db->Execute("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                      "CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))")
              .ok());
  Status status = db->Execute("INSERT INTO child VALUES (42)");
  CHECK(status.code() == Status::Code::kInvalidArgument);
  CHECK(status.message().find("FOREIGN KEY") != std::string::npos);
}

TEST_CASE("Database::Open rejects an empty path and a non-positive busy timeout") {
  testing::TempDir dir;
  CHECK(Database::Open("", {}).status().code() == Status::Code::kInvalidArgument);
  CHECK(Database::Open(dir.File("x.db"), {.busy_timeout_ms = 0}).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE("Database::Open on an unwritable path is a clear IOError") {
  testing::TempDir dir;
  const std::string path = dir.File("no/such/folder/amparo.db");
  Result<std::unique_ptr<Database>> db = Database::Open(path, {});
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kIOError);
  CHECK(db.status().message().find(path) != std::string::npos);
  CHECK(db.status().message().find("unable to open database file") != std::string::npos);
}

TEST_CASE("Database::Open on a file that is not a database is Corruption, not a crash") {
  testing::TempDir dir;
  const std::string path = dir.File("garbage.db");
  std::string garbage(8192, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) % 256);
  testing::WriteFile(path, garbage);

  Result<std::unique_ptr<Database>> db = Database::Open(path, {});
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kCorruption);
  CHECK(db.status().message().find(path) != std::string::npos);
  CHECK(db.status().message().find("not a database") != std::string::npos);
}

TEST_CASE("Statement binds and reads integers, text, blobs and NULL, and is reusable") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("t.db"));
  REQUIRE(db->Execute("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT)").ok());
  Result<Statement> insert = db->Prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
  REQUIRE(insert.ok());
  const std::string bytes(
      "\x00\xff\xfe"
      "abc",
      6);
  for (int64_t i : {int64_t{-1}, int64_t{1} << 40}) {
    REQUIRE(insert->Bind(i, "text", Blob{bytes}, std::optional<std::string_view>()).ok());
    REQUIRE(insert->Run().ok());
    insert->Reset();
  }

  Result<Statement> select = db->Prepare("SELECT i, s, b, n FROM t ORDER BY rowid");
  REQUIRE(select.ok());
  REQUIRE(select->Step().value());
  CHECK(select->ColumnInt64(0) == -1);
  CHECK(select->ColumnText(1) == "text");
  CHECK(select->ColumnBlob(2) == bytes);
  CHECK(select->ColumnIsNull(3));
  CHECK_FALSE(select->ColumnIsNull(2));
  REQUIRE(select->Step().value());
  CHECK(select->ColumnInt64(0) == int64_t{1} << 40);
  CHECK_FALSE(select->Step().value());
}

TEST_CASE("Statement binds empty text and blobs as empty values, not NULL") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("t.db"));
  REQUIRE(db->Execute("CREATE TABLE t (s TEXT NOT NULL, b BLOB NOT NULL)").ok());
  Result<Statement> insert = db->Prepare("INSERT INTO t VALUES (?, ?)");
  REQUIRE(insert.ok());
  REQUIRE(insert->Bind(std::string_view(), Blob{}).ok());
  CHECK(insert->Run().ok());
}

TEST_CASE("Statement errors name the operation and carry SQLite's message") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("t.db"));
  Result<Statement> bad = db->Prepare("SELEKT 1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("prepare `SELEKT 1`") != std::string::npos);
  CHECK(bad.status().message().find("syntax error") != std::string::npos);

  Result<Statement> one = db->Prepare("SELECT ?");
  REQUIRE(one.ok());
  Status status = one->BindInt64(2, 7);
  CHECK(status.code() == Status::Code::kInvalidArgument);
  CHECK(status.message().find("bind parameter 2") != std::string::npos);
}

TEST_CASE("Statement::Run refuses a statement that yields rows") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("t.db"));
  Result<Statement> select = db->Prepare("SELECT 1");
  REQUIRE(select.ok());
  CHECK(select->Run().code() == Status::Code::kInternal);
}

int64_t CountRows(Database& db) {
  Result<Statement> count = db.Prepare("SELECT COUNT(*) FROM t");
  REQUIRE(count.ok());
  REQUIRE(count->Step().value());
  return count->ColumnInt64(0);
}

TEST_CASE("Transaction commits, or rolls back when destroyed uncommitted") {
  testing::TempDir dir;
  auto db = OpenOrFail(dir.File("t.db"));
  REQUIRE(db->Execute("CREATE TABLE t (x INTEGER)").ok());
  {
    Result<Transaction> tx = Transaction::Begin(*db);
    REQUIRE(tx.ok());
    REQUIRE(db->Execute("INSERT INTO t VALUES (1)").ok());
  }
  CHECK(CountRows(*db) == 0);
  {
    Result<Transaction> tx = Transaction::Begin(*db);
    REQUIRE(tx.ok());
    REQUIRE(db->Execute("INSERT INTO t VALUES (1)").ok());
    REQUIRE(tx->Commit().ok());
    CHECK(tx->Commit().code() == Status::Code::kFailedPrecondition);
  }
  CHECK(CountRows(*db) == 1);
}

TEST_CASE("Transaction::Begin waits out another writer, then fails with Unavailable") {
  testing::TempDir dir;
  auto first = OpenOrFail(dir.File("t.db"));
  auto second = OpenOrFail(dir.File("t.db"), {.busy_timeout_ms = 50});
  Result<Transaction> held = Transaction::Begin(*first);
  REQUIRE(held.ok());
  Result<Transaction> blocked = Transaction::Begin(*second);
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.status().code() == Status::Code::kUnavailable);
  CHECK(blocked.status().message().find("BEGIN IMMEDIATE") != std::string::npos);
}

}  // namespace
}  // namespace amparo

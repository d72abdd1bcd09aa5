// A thin RAII wrapper over one sqlite3 connection: Database, Statement and
// Transaction. Every SQLite error becomes a Status that names the operation,
// the database file and SQLite's own message; nothing here throws.
//
// The store always runs in WAL mode with a busy timeout, so that two
// connections (the ingest thread's and the event loop's) may write to the same
// file: a writer that finds the file locked waits instead of failing.
#ifndef AMPARO_DAEMON_STORE_DATABASE_H_
#define AMPARO_DAEMON_STORE_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "daemon/core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace amparo {

// How much a committed transaction survives (DESIGN.md §7).
enum class Durability {
  kProcess,  // WAL + synchronous=NORMAL: survives a crash of the process.
  kPower,    // WAL + synchronous=FULL: survives power loss or an OS crash.
};

struct DatabaseOptions {
  // What a commit must survive.
  Durability durability = Durability::kProcess;
  // How long a statement waits for another connection's lock before it fails
  // with Unavailable. Must be positive.
  int busy_timeout_ms = 5000;
};

// Raw bytes to bind as a BLOB with Statement::Bind(), as opposed to TEXT.
struct Blob {
  std::string_view bytes;
};

// A prepared statement. Bind parameters by 1-based index, Step() through the
// rows, read columns by 0-based index, and Reset() before the next use.
// Move-only; finalized on destruction.
//
// Thread-safety: not thread-safe; used from the thread that owns its Database.
class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  ~Statement() = default;

  // Bind `value` to parameter `index` (1-based). Non-OK if the index is out of range.
  Status BindInt64(int index, int64_t value);
  // Bind a copy of `value` as TEXT. An empty view binds '' (not NULL).
  Status BindText(int index, std::string_view value);
  // Bind a copy of `value` as a BLOB of arbitrary bytes. An empty view binds x'' (not NULL).
  Status BindBlob(int index, std::string_view value);
  // Bind SQL NULL to parameter `index`.
  Status BindNull(int index);
  // Bind `values` to parameters 1, 2, ... in order, stopping at the first error.
  // Each value is an integer, text (anything convertible to std::string_view),
  // std::optional<std::string_view> (NULL when empty) or a Blob.
  template <typename... Values>
  Status Bind(const Values&... values) {
    Status status;
    int index = 0;
    ((status = status.ok() ? BindValue(++index, values) : status), ...);
    return status;
  }

  // Advance to the next row. Returns true if a row is available, false when the
  // statement has finished, and a non-OK status on error.
  Result<bool> Step();
  // Step a statement that yields no rows (INSERT, UPDATE, DDL) to completion.
  Status Run();
  // Reset the statement and clear its bindings, releasing any read snapshot it holds.
  void Reset();

  // Return column `index` (0-based) of the current row. REQUIRES: Step() returned true.
  int64_t ColumnInt64(int index) const;
  // Return column `index` as text (empty for NULL).
  std::string ColumnText(int index) const;
  // Return column `index` as raw bytes (empty for NULL).
  std::string ColumnBlob(int index) const;
  // Return true if column `index` is NULL.
  bool ColumnIsNull(int index) const;

 private:
  friend class Database;
  friend class Preparer;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };

  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Status BindResult(int rc, int index);
  template <typename T>
  Status BindValue(int index, const T& value) {
    if constexpr (std::is_same_v<T, Blob>) {
      return BindBlob(index, value.bytes);
    } else if constexpr (std::is_same_v<T, std::optional<std::string_view>>) {
      return value ? BindText(index, *value) : BindNull(index);
    } else if constexpr (std::is_integral_v<T>) {
      return BindInt64(index, value);
    } else {
      return BindText(index, std::string_view(value));
    }
  }

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// Resets a statement when it leaves scope, so that an early return never leaves
// a statement holding a read snapshot or stale bindings.
class ScopedReset {
 public:
  explicit ScopedReset(Statement& stmt) : stmt_(stmt) {}
  ~ScopedReset() { stmt_.Reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Statement& stmt_;
};

// One open connection to a SQLite file, in WAL mode with foreign keys on.
//
// Thread-safety: a Database and its Statements are used from one thread at a
// time. Several Database objects, on any threads, may open the same file.
class Database {
 public:
  // Open (creating if missing) the database file at `path` and apply `options`:
  // journal_mode=WAL, synchronous per durability, foreign_keys=ON, busy timeout.
  // Returns IOError if the file cannot be opened or created, Corruption if it is
  // not a SQLite database, InvalidArgument for bad options.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Run one or more `;`-separated SQL statements that yield no rows needed by the caller.
  Status Execute(std::string_view sql);
  // Compile one SQL statement for repeated use.
  Result<Statement> Prepare(std::string_view sql);
  // Return the number of rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  // Return PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
  Result<int64_t> SynchronousMode();
  // Return PRAGMA journal_mode, e.g. "wal".
  Result<std::string> JournalMode();
  // Return the path this database was opened with.
  const std::string& path() const { return path_; }
  // Run PRAGMA quick_check over the whole file. OK when SQLite finds nothing
  // wrong; Corruption naming the file and SQLite's first findings otherwise.
  Status CheckIntegrity();

 private:
  friend class Transaction;
  struct Closer {
    void operator()(sqlite3* db) const;
  };

  explicit Database(std::string path);
  Status Configure(const DatabaseOptions& options);
  Status PrepareTransactionStatements();
  Result<Statement> QueryRow(std::string_view sql);
  Result<std::string> QueryText(std::string_view sql);
  bool InTransaction() const;

  std::string path_;
  std::unique_ptr<sqlite3, Closer> db_;
  // Declared after db_ so that they are finalized before the connection closes.
  std::unique_ptr<Statement> begin_;
  std::unique_ptr<Statement> commit_;
  std::unique_ptr<Statement> rollback_;
};

// A write transaction (BEGIN IMMEDIATE): it takes the write lock at once,
// waiting up to the busy timeout, so it never fails half-way on a lock upgrade.
// Rolled back on destruction unless Commit() succeeded.
//
// Thread-safety: used on the thread that owns its Database.
class Transaction {
 public:
  // Begin a write transaction on `db`. REQUIRES: no transaction open on `db`.
  static Result<Transaction> Begin(Database& db);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  // Commit the transaction. Returns FailedPrecondition if already committed.
  // On any other non-OK status the transaction is rolled back
  // when this object is destroyed.
  Status Commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}

  Database* db_;  // Null once committed or moved from.
};

// Prepares a store's statements by name, so each SQL text sits beside the
// member it goes to and nothing is wired by position:
//   Preparer p(db);
//   auto s = std::make_unique<Statements>(Statements{.get = p(kGet), .put = p(kPut)});
//   if (!p.status().ok()) return p.status();
// After the first failure the remaining statements are left empty (unusable);
// status() says why, and the caller must not use any of them.
class Preparer {
 public:
  explicit Preparer(Database& db) : db_(db) {}
  // The prepared `sql`, or an empty statement once anything failed.
  Statement operator()(std::string_view sql);
  // OK if every statement so far was prepared, else the first error.
  const Status& status() const { return status_; }

 private:
  Database& db_;
  Status status_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_DATABASE_H_

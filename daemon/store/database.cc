#include "daemon/store/database.h"

#include <chrono>
#include <cstdint>
#include <thread>
#include <utility>

#include <sqlite3.h>

namespace amparo {
namespace {

Status::Code CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return Status::Code::kIOError;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Code::kCorruption;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Code::kUnavailable;
    case SQLITE_CONSTRAINT:
      return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                 ? Status::Code::kAlreadyExists
                 : Status::Code::kInvalidArgument;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return Status::Code::kInvalidArgument;
    default:
      return Status::Code::kInternal;
  }
}

// Builds "sqlite <operation> on <file>: <sqlite message> (code N)".
Status SqliteError(sqlite3* db, int rc, std::string_view operation) {
  std::string message = "sqlite ";
  message += operation;
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  if (file != nullptr && *file != '\0') {
    message += " on ";
    message += file;
  }
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += " (code " + std::to_string(rc) + ")";
  return Status(CodeFor(rc), std::move(message));
}

Status StatementError(sqlite3_stmt* stmt, int rc, std::string_view verb) {
  std::string operation(verb);
  operation += " `";
  operation += sqlite3_sql(stmt);
  operation += "`";
  return SqliteError(sqlite3_db_handle(stmt), rc, operation);
}

// SQLite's own busy timeout sleeps 1, 2, 5, 10, 15, 20, 25 ms... between
// tries. The two writers here (the ingest's connection and the loop's) hold
// the write lock for well under a millisecond to a few milliseconds, and the
// ingest's commit is on the way to a PUBACK: sleeping 10 ms for a lock freed
// after 0.3 ms stalls the publishers' whole window. So: 50 us pauses for the
// first millisecond, then 200 us up to 20 ms, then 1 ms, until the same
// overall timeout. Stateless: the time waited follows from the attempt count.
int OnBusy(void* timeout_ms, int attempts) {
  constexpr int kShort = 20;   // 20 x 50 us = 1 ms
  constexpr int kMedium = 95;  // 95 x 200 us = 19 ms
  int64_t waited_us = 0;
  int64_t pause_us = 50;
  if (attempts < kShort) {
    waited_us = attempts * 50;
  } else if (attempts < kShort + kMedium) {
    waited_us = kShort * 50 + (attempts - kShort) * 200;
    pause_us = 200;
  } else {
    waited_us = kShort * 50 + kMedium * 200 + int64_t{attempts - kShort - kMedium} * 1000;
    pause_us = 1000;
  }
  if (waited_us >= int64_t{reinterpret_cast<intptr_t>(timeout_ms)} * 1000) return 0;  // BUSY
  std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
  return 1;
}

// SQLite binds NULL for a null pointer; an empty view must bind an empty value.
const char* NonNull(std::string_view value) { return value.data() != nullptr ? value.data() : ""; }

}  // namespace

// ---------------------------------------------------------------- Statement

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Status Statement::BindResult(int rc, int index) {
  if (rc == SQLITE_OK) return Status::OK();
  return StatementError(stmt_.get(), rc, "bind parameter " + std::to_string(index) + " of");
}

Status Statement::BindInt64(int index, int64_t value) {
  return BindResult(sqlite3_bind_int64(stmt_.get(), index, value), index);
}

Status Statement::BindText(int index, std::string_view value) {
  return BindResult(sqlite3_bind_text64(stmt_.get(), index, NonNull(value), value.size(),
                                        SQLITE_TRANSIENT, SQLITE_UTF8),
                    index);
}

Status Statement::BindBlob(int index, std::string_view value) {
  return BindResult(
      sqlite3_bind_blob64(stmt_.get(), index, NonNull(value), value.size(), SQLITE_TRANSIENT),
      index);
}

Status Statement::BindNull(int index) {
  return BindResult(sqlite3_bind_null(stmt_.get(), index), index);
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return StatementError(stmt_.get(), rc, "step");
}

Status Statement::Run() {
  Result<bool> row = Step();
  if (!row.ok()) return row.status();
  if (*row)
    return Status::Internal(std::string("statement yielded a row: ") + sqlite3_sql(stmt_.get()));
  return Status::OK();
}

void Statement::Reset() {
  // sqlite3_reset repeats the last step's error, which Step() already reported.
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int64_t Statement::ColumnInt64(int index) const { return sqlite3_column_int64(stmt_.get(), index); }

std::string Statement::ColumnText(int index) const {
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), index))};
}

std::string Statement::ColumnBlob(int index) const {
  const void* blob = sqlite3_column_blob(stmt_.get(), index);
  if (blob == nullptr) return {};
  return {static_cast<const char*>(blob),
          static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), index))};
}

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

// ----------------------------------------------------------------- Database

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Database::Database(std::string path) : path_(std::move(path)) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const DatabaseOptions& options) {
  if (path.empty()) return Status::InvalidArgument("database path is empty");
  if (options.busy_timeout_ms <= 0) {
    return Status::InvalidArgument("busy_timeout_ms must be positive, got " +
                                   std::to_string(options.busy_timeout_ms));
  }
  std::unique_ptr<Database> db(new Database(path));
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db->db_.reset(raw);
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "open " + path);
  // SQLite opens a file it may not write read-only without a word; the store
  // must take events, so say so now rather than at the first commit.
  if (sqlite3_db_readonly(raw, "main") == 1) {
    return Status::IOError("store " + path + " is read-only (file or file system)");
  }
  Status status = db->Configure(options);
  if (status.ok()) status = db->PrepareTransactionStatements();
  if (!status.ok()) {
    const int code = sqlite3_errcode(raw) & 0xff;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      return Status::Corruption("store " + path + " is damaged: " + status.message() +
                                "; restore it from a backup");
    }
    return status;
  }
  return db;
}

Status Database::CheckIntegrity() {
  Result<Statement> check = Prepare("PRAGMA quick_check(5)");
  std::string findings;
  if (check.ok()) {
    for (;;) {
      Result<bool> row = check->Step();
      if (!row.ok()) {
        findings = row.status().message();
        break;
      }
      if (!*row) break;
      const std::string line = check->ColumnText(0);
      if (line == "ok") return Status::OK();
      if (!findings.empty()) findings += "; ";
      findings += line;
    }
  } else {
    findings = check.status().message();
  }
  return Status::Corruption("store " + path_ + " is damaged: " + findings +
                            "; restore it from a backup");
}

Status Database::Configure(const DatabaseOptions& options) {
  sqlite3_extended_result_codes(db_.get(), 1);
  sqlite3_busy_handler(db_.get(), &OnBusy,
                       reinterpret_cast<void*>(static_cast<intptr_t>(options.busy_timeout_ms)));
  Result<std::string> mode = QueryText("PRAGMA journal_mode=WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return Status::IOError("cannot enable WAL on " + path_ + ": journal_mode is " + *mode);
  }
  Status status = Execute(options.durability == Durability::kPower ? "PRAGMA synchronous=FULL"
                                                                   : "PRAGMA synchronous=NORMAL");
  if (!status.ok()) return status;
  // Temporary files in memory. The one that matters is the sub-journal: a
  // processing round keeps each event in a savepoint, and SQLite saves the
  // original of every page an event changes; past 64 KiB it spilled to a
  // temporary file, a pwrite per page inside the round (10 % of amparod's
  // CPU, tests/bench/README.md). A round's originals are a few hundred kB.
  status = Execute("PRAGMA temp_store=MEMORY");
  if (!status.ok()) return status;
  return Execute("PRAGMA foreign_keys=ON");
}

Status Database::PrepareTransactionStatements() {
  Result<Statement> begin = Prepare("BEGIN IMMEDIATE");
  if (!begin.ok()) return begin.status();
  Result<Statement> commit = Prepare("COMMIT");
  if (!commit.ok()) return commit.status();
  Result<Statement> rollback = Prepare("ROLLBACK");
  if (!rollback.ok()) return rollback.status();
  begin_ = std::make_unique<Statement>(std::move(begin).value());
  commit_ = std::make_unique<Statement>(std::move(commit).value());
  rollback_ = std::make_unique<Statement>(std::move(rollback).value());
  return Status::OK();
}

Status Database::Execute(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::OK();
  return SqliteError(db_.get(), rc, "execute `" + text + "`");
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(db_.get(), rc, "prepare `" + std::string(sql) + "`");
  }
  if (stmt == nullptr)
    return Status::InvalidArgument("no SQL statement in `" + std::string(sql) + "`");
  return Statement(stmt);
}

int64_t Database::Changes() const { return sqlite3_changes64(db_.get()); }

Result<Statement> Database::QueryRow(std::string_view sql) {
  Result<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt;
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("no row from `" + std::string(sql) + "`");
  return stmt;
}

Result<std::string> Database::QueryText(std::string_view sql) {
  Result<Statement> row = QueryRow(sql);
  if (!row.ok()) return row.status();
  return row->ColumnText(0);
}

Result<int64_t> Database::SynchronousMode() {
  Result<Statement> row = QueryRow("PRAGMA synchronous");
  if (!row.ok()) return row.status();
  return row->ColumnInt64(0);
}

Result<std::string> Database::JournalMode() { return QueryText("PRAGMA journal_mode"); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

// -------------------------------------------------------------- Transaction

Result<Transaction> Transaction::Begin(Database& db) {
  ScopedReset reset(*db.begin_);
  Status status = db.begin_->Run();
  if (!status.ok()) return status;
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
  if (db_ == nullptr || !db_->InTransaction()) return;
  ScopedReset reset(*db_->rollback_);
  // A failed ROLLBACK leaves nothing to do: the connection rolls back on close.
  (void)db_->rollback_->Run();
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Status::FailedPrecondition("transaction already committed");
  ScopedReset reset(*db_->commit_);
  Status status = db_->commit_->Run();
  if (status.ok()) db_ = nullptr;
  return status;
}

Statement Preparer::operator()(std::string_view sql) {
  if (!status_.ok()) return Statement(nullptr);
  Result<Statement> statement = db_.Prepare(sql);
  if (!statement.ok()) {
    status_ = statement.status();
    return Statement(nullptr);
  }
  return std::move(statement).value();
}

}  // namespace amparo

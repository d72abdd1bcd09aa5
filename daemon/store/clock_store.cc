#include "daemon/store/clock_store.h"

#include <array>
#include <utility>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kStart = R"sql(
  INSERT INTO clocks(clock_id, key, subject_key, event_id, started_at_ms, warn_at_ms, due_at_ms,
                     roles)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING)sql";
constexpr std::string_view kStop = R"sql(
  UPDATE clocks SET state = 'stopped', stopped_at_ms = ?
  WHERE clock_id = ? AND key = ? AND state = 'running')sql";
constexpr std::string_view kRunning = R"sql(
  SELECT clock_id, key, subject_key, event_id, started_at_ms, warn_at_ms, due_at_ms, state,
         warned, expired, roles, stopped_at_ms
  FROM clocks WHERE state = 'running' ORDER BY due_at_ms, clock_id, key)sql";
constexpr std::string_view kFindRunning = R"sql(
  SELECT clock_id, key, subject_key, event_id, started_at_ms, warn_at_ms, due_at_ms, state,
         warned, expired, roles, stopped_at_ms
  FROM clocks WHERE clock_id = ? AND key = ? AND state = 'running')sql";
constexpr std::string_view kMarkWarned = R"sql(
  UPDATE clocks SET warned = 1 WHERE clock_id = ? AND key = ? AND state = 'running')sql";
constexpr std::string_view kMarkExpired = R"sql(
  UPDATE clocks SET expired = 1 WHERE clock_id = ? AND key = ? AND state = 'running')sql";
// Per running clock: its warning if not given, else its expiry if not given.
// Split in two so that each half is one lookup in its partial index
// (migration 5); the WHERE clauses must match the indexes' word for word.
constexpr std::string_view kNextDueAt = R"sql(
  SELECT MIN(at) FROM (
    SELECT MIN(warn_at_ms) AS at FROM clocks
    WHERE state = 'running' AND warned = 0 AND warn_at_ms IS NOT NULL
    UNION ALL
    SELECT MIN(due_at_ms) FROM clocks
    WHERE state = 'running' AND expired = 0 AND (warned != 0 OR warn_at_ms IS NULL)))sql";

// The running clocks with a warning or an expiry due by ?1, by the same
// partial indexes as kNextDueAt (so the WHERE clauses repeat theirs), the
// earliest firing first, at most ?2. With a warning before its expiry (the
// rule loader refuses any other), these are every clock DueClockFirings
// fires by ?1, without reading the clocks that are not due.
constexpr std::string_view kDueBy = R"sql(
  SELECT clock_id, key, subject_key, event_id, started_at_ms, warn_at_ms, due_at_ms, state,
         warned, expired, roles, stopped_at_ms, warn_at_ms AS first_at FROM clocks
  WHERE state = 'running' AND warned = 0 AND warn_at_ms IS NOT NULL
    AND expired = 0 AND warn_at_ms <= ?1
  UNION ALL
  SELECT clock_id, key, subject_key, event_id, started_at_ms, warn_at_ms, due_at_ms, state,
         warned, expired, roles, stopped_at_ms, due_at_ms AS first_at FROM clocks
  WHERE state = 'running' AND expired = 0 AND (warned != 0 OR warn_at_ms IS NULL)
    AND due_at_ms <= ?1
  ORDER BY first_at, clock_id, key LIMIT ?2)sql";

constexpr std::string_view kAdoptKey = R"sql(
  UPDATE OR IGNORE clocks SET key = subject_key
  WHERE clock_id = ? AND key = ? AND state = 'running')sql";

// Columns in kRunning order.
Result<ClockRecord> ReadClock(const Statement& row) {
  Result<std::vector<std::string>> roles = rows::FromJsonArray(row.ColumnText(10), "clocks.roles");
  if (!roles.ok()) return roles.status();
  return ClockRecord{.clock_id = row.ColumnText(0),
                     .key = row.ColumnText(1),
                     .subject_key = row.ColumnText(2),
                     .event_id = row.ColumnText(3),
                     .started_at = rows::FromMillis(row.ColumnInt64(4)),
                     .warn_at = rows::OptionalInstant(row, 5),
                     .due_at = rows::FromMillis(row.ColumnInt64(6)),
                     .running = row.ColumnText(7) == "running",
                     .warned = row.ColumnInt64(8) != 0,
                     .expired = row.ColumnInt64(9) != 0,
                     .roles = std::move(roles).value(),
                     .stopped_at = rows::OptionalInstant(row, 11)};
}

}  // namespace

// The store's prepared statements, compiled once at Create().
struct ClockStore::Statements {
  Statement start;
  Statement stop;
  Statement running;
  Statement find_running;
  Statement mark_warned;
  Statement mark_expired;
  Statement next_due_at;
  Statement due_by;
};

ClockStore::ClockStore(Database& db, std::unique_ptr<Statements> statements)
    : db_(db), statements_(std::move(statements)) {}

ClockStore::~ClockStore() = default;

RunningClock ToRunningClock(const ClockRecord& record) {
  return {.clock_id = record.clock_id,
          .key = record.key,
          .started_at = record.started_at,
          .warn_at = record.warn_at,
          .due_at = record.due_at,
          .warned = record.warned,
          .expired = record.expired,
          .roles = record.roles,
          .event_id = record.event_id};
}

Result<std::unique_ptr<ClockStore>> ClockStore::Create(Database& db) {
  Preparer p(db);
  auto statements = std::make_unique<Statements>(Statements{.start = p(kStart),
                                                            .stop = p(kStop),
                                                            .running = p(kRunning),
                                                            .find_running = p(kFindRunning),
                                                            .mark_warned = p(kMarkWarned),
                                                            .mark_expired = p(kMarkExpired),
                                                            .next_due_at = p(kNextDueAt),
                                                            .due_by = p(kDueBy)});
  if (!p.status().ok()) return p.status();
  return std::unique_ptr<ClockStore>(new ClockStore(db, std::move(statements)));
}

Result<bool> ClockStore::Start(const ClockOp& op, std::string_view subject_key,
                               std::string_view event_id) {
  if (op.op != ClockOp::Op::kStart) {
    return Status::InvalidArgument("clock " + op.clock_id + ": not a start");
  }
  Statement& insert = statements_->start;
  ScopedReset reset(insert);
  Status status = rows::Bind(insert, op.clock_id, op.key, subject_key, event_id, op.started_at,
                             op.warn_at, op.due_at, rows::ToJsonArray(op.roles));
  if (!status.ok()) return status;
  return RunChanged(insert);
}

Result<bool> ClockStore::Stop(std::string_view clock_id, std::string_view key, Instant at) {
  Statement& update = statements_->stop;
  ScopedReset reset(update);
  Status status = rows::Bind(update, at, clock_id, key);
  if (!status.ok()) return status;
  return RunChanged(update);
}

Result<bool> ClockStore::RunChanged(Statement& statement) {
  Status status = statement.Run();
  if (!status.ok()) return status;
  return db_.Changes() > 0;
}

Result<std::vector<ClockRecord>> ClockStore::Running() {
  Statement& query = statements_->running;
  ScopedReset reset(query);
  return rows::CollectRows<ClockRecord>(query, ReadClock);
}

Result<std::optional<ClockRecord>> ClockStore::FindRunning(std::string_view clock_id,
                                                           std::string_view key) {
  Statement& query = statements_->find_running;
  ScopedReset reset(query);
  if (Status s = rows::Bind(query, clock_id, key); !s.ok()) return s;
  Result<std::vector<ClockRecord>> found = rows::CollectRows<ClockRecord>(query, ReadClock);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<ClockRecord>();
  return std::optional<ClockRecord>(std::move(found->front()));
}

Status ClockStore::MarkWarned(std::string_view clock_id, std::string_view key) {
  return MarkRunning(statements_->mark_warned, clock_id, key);
}

Status ClockStore::MarkExpired(std::string_view clock_id, std::string_view key) {
  return MarkRunning(statements_->mark_expired, clock_id, key);
}

Status ClockStore::MarkRunning(Statement& update, std::string_view clock_id, std::string_view key) {
  ScopedReset reset(update);
  Status status = rows::Bind(update, clock_id, key);
  if (!status.ok()) return status;
  return rows::RunOne(db_, update, "no running clock " + std::string(clock_id) + " for that key");
}

std::string_view ClockStore::NextDueAtSql() { return kNextDueAt; }

std::string_view ClockStore::DueBySql() { return kDueBy; }

Result<std::vector<ClockRecord>> ClockStore::DueBy(Instant now, int limit) {
  Statement& query = statements_->due_by;
  ScopedReset reset(query);
  if (Status s = rows::Bind(query, now, limit); !s.ok()) return s;
  return rows::CollectRows<ClockRecord>(query, ReadClock);
}

Result<std::optional<Instant>> ClockStore::NextDueAt() {
  Statement& query = statements_->next_due_at;
  ScopedReset reset(query);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Instant>();
  return rows::OptionalInstant(query, 0);
}

Result<int> ClockStore::AdoptCaseKeys(const SubjectHasher& hasher) {
  Result<std::vector<ClockRecord>> running = Running();
  if (!running.ok()) return running.status();
  int adopted = 0;
  for (const ClockRecord& r : *running) {
    if (r.key == r.subject_key || hasher.Hash(r.key) != r.subject_key) continue;
    Result<Statement> update = db_.Prepare(kAdoptKey);
    if (!update.ok()) return update.status();
    Status status = rows::Bind(*update, r.clock_id, r.key);
    if (status.ok()) status = update->Run();
    if (!status.ok()) return status;
    adopted += db_.Changes() == 1 ? 1 : 0;
  }
  return adopted;
}

}  // namespace amparo

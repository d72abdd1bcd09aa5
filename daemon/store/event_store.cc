#include "daemon/store/event_store.h"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "daemon/store/migrations.h"

namespace amparo {
namespace {

int64_t ToMillis(Instant t) { return t.time_since_epoch().count(); }

Instant FromMillis(int64_t ms) { return Instant(Duration(ms)); }

Result<EventState> ParseEventState(std::string_view text) {
  if (text == "pending") return EventState::kPending;
  if (text == "processed") return EventState::kProcessed;
  if (text == "failed") return EventState::kFailed;
  return Status::Corruption("unknown event state '" + std::string(text) + "'");
}

Status CheckLimit(int limit) {
  if (limit > 0) return Status::OK();
  return Status::InvalidArgument("limit must be positive, got " + std::to_string(limit));
}

// Columns: id, event_id, topic, type, subject_key, occurred_at_ms, received_at_ms, body, state.
Result<StoredEvent> ReadStoredEvent(const Statement& row) {
  Result<EventState> state = ParseEventState(row.ColumnText(8));
  if (!state.ok()) return state.status();
  return StoredEvent{.id = row.ColumnInt64(0),
                     .event_id = row.ColumnText(1),
                     .topic = row.ColumnText(2),
                     .type = row.ColumnText(3),
                     .subject_key = row.ColumnText(4),
                     .occurred_at = FromMillis(row.ColumnInt64(5)),
                     .received_at = FromMillis(row.ColumnInt64(6)),
                     .body = row.ColumnText(7),
                     .state = *state};
}

// Columns: id, received_at_ms, topic, event_id, reason, raw.
DeadLetter ReadDeadLetter(const Statement& row) {
  return DeadLetter{
      .id = row.ColumnInt64(0),
      .received_at = FromMillis(row.ColumnInt64(1)),
      .topic = row.ColumnText(2),
      .event_id = row.ColumnIsNull(3) ? std::nullopt : std::optional(row.ColumnText(3)),
      .reason = row.ColumnText(4),
      .raw = row.ColumnBlob(5)};
}

// Steps `query` to the end, appending read(row) for each row.
template <typename T, typename Read>
Result<std::vector<T>> CollectRows(Statement& query, Read read) {
  std::vector<T> rows;
  for (;;) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    Result<T> value = read(query);
    if (!value.ok()) return value.status();
    rows.push_back(std::move(value).value());
  }
}

constexpr std::string_view kInsertEvent = R"sql(
  INSERT INTO events(event_id, received_at_ms, topic, type, subject_key, occurred_at_ms, body)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(event_id) DO NOTHING)sql";
constexpr std::string_view kBumpCounter = R"sql(
  INSERT INTO counters(name, value) VALUES (?, 1)
  ON CONFLICT(name) DO UPDATE SET value = value + 1)sql";
constexpr std::string_view kInsertDeadLetter = R"sql(
  INSERT INTO dead_letters(received_at_ms, topic, event_id, reason, raw)
  VALUES (?, ?, ?, ?, ?))sql";
constexpr std::string_view kPendingEvents = R"sql(
  SELECT id, event_id, topic, type, subject_key, occurred_at_ms, received_at_ms, body, state
  FROM events WHERE state = 'pending' ORDER BY id LIMIT ?)sql";
constexpr std::string_view kFindEvent = R"sql(
  SELECT id, event_id, topic, type, subject_key, occurred_at_ms, received_at_ms, body, state
  FROM events WHERE event_id = ?)sql";
constexpr std::string_view kMarkProcessed = R"sql(
  UPDATE events SET state = 'processed', processed_at_ms = ?, error = NULL WHERE id = ?)sql";
constexpr std::string_view kMarkFailed = R"sql(
  UPDATE events SET state = 'failed', processed_at_ms = ?, error = ? WHERE id = ?)sql";
constexpr std::string_view kCounter = "SELECT value FROM counters WHERE name = ?";
constexpr std::string_view kCounts = R"sql(
  SELECT (SELECT COUNT(*) FROM events WHERE state = 'pending'),
         (SELECT COUNT(*) FROM events WHERE state = 'processed'),
         (SELECT COUNT(*) FROM events WHERE state = 'failed'),
         (SELECT COALESCE(SUM(value), 0) FROM counters WHERE name = 'dead_letters'),
         (SELECT COALESCE(SUM(value), 0) FROM counters WHERE name = 'duplicates'))sql";
constexpr std::string_view kDeadLetters = R"sql(
  SELECT id, received_at_ms, topic, event_id, reason, raw
  FROM dead_letters ORDER BY id DESC LIMIT ?)sql";

}  // namespace

// The store's prepared statements, compiled once at Open().
struct EventStore::Statements {
  // Compile every statement on `db`.
  static Result<std::unique_ptr<Statements>> Prepare(Database& db);

  Statement insert_event;
  Statement bump_counter;
  Statement insert_dead_letter;
  Statement pending_events;
  Statement mark_processed;
  Statement mark_failed;
  Statement counter;
  Statement counts;
  Statement dead_letters;
  Statement find_event;
};

Result<std::unique_ptr<EventStore::Statements>> EventStore::Statements::Prepare(Database& db) {
  Preparer p(db);
  auto statements =
      std::make_unique<Statements>(Statements{.insert_event = p(kInsertEvent),
                                              .bump_counter = p(kBumpCounter),
                                              .insert_dead_letter = p(kInsertDeadLetter),
                                              .pending_events = p(kPendingEvents),
                                              .mark_processed = p(kMarkProcessed),
                                              .mark_failed = p(kMarkFailed),
                                              .counter = p(kCounter),
                                              .counts = p(kCounts),
                                              .dead_letters = p(kDeadLetters),
                                              .find_event = p(kFindEvent)});
  if (!p.status().ok()) return p.status();
  return statements;
}

EventStore::EventStore(std::unique_ptr<Database> db, std::unique_ptr<Statements> statements,
                       std::unique_ptr<AuditLog> audit)
    : db_(std::move(db)), statements_(std::move(statements)), audit_(std::move(audit)) {}

EventStore::~EventStore() = default;

Result<std::unique_ptr<EventStore>> EventStore::Open(const StoreOptions& options) {
  Result<std::unique_ptr<Database>> db =
      Database::Open(options.path, DatabaseOptions{.durability = options.durability});
  if (!db.ok()) return db.status();
  Status status = RunMigrations(**db);
  if (!status.ok()) return status;
  Result<std::unique_ptr<Statements>> statements = Statements::Prepare(**db);
  if (!statements.ok()) return statements.status();
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(**db);
  if (!audit.ok()) return audit.status();
  return std::unique_ptr<EventStore>(new EventStore(
      std::move(db).value(), std::move(statements).value(), std::move(audit).value()));
}

Result<IngestOutcome> EventStore::InsertEvent(const IncomingEvent& event) {
  if (event.event_id.empty()) return Status::InvalidArgument("event_id is empty");
  Result<Transaction> tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  Result<bool> stored = InsertEventRow(event);
  if (!stored.ok()) return stored.status();
  Status status = BumpCounter(*stored ? "stored" : "duplicates");
  if (status.ok() && *stored) {
    // No personal data: the keyed subject hash and the body's SHA-256, which
    // outlives the body when retention purges it.
    const nlohmann::json detail = {{"type", event.type},
                                   {"topic", event.topic},
                                   {"subject", event.subject_key},
                                   {"body_sha256", Sha256Hex(event.body)}};
    status = audit_->Append(audit::kEventStored, event.event_id,
                            detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                            event.received_at);
  }
  if (status.ok()) status = tx->Commit();
  if (!status.ok()) return status;
  return *stored ? IngestOutcome::kStored : IngestOutcome::kDuplicate;
}

Status EventStore::RecordAudit(std::string_view kind, std::string_view ref, std::string_view detail,
                               Instant at) {
  Result<Transaction> tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  Status status = audit_->Append(kind, ref, detail, at);
  return status.ok() ? tx->Commit() : status;
}

Status EventStore::ProbeWritable() {
  Result<Transaction> tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  Status status = db_->Execute("UPDATE counters SET value = value WHERE name = 'stored'");
  return status.ok() ? tx->Commit() : status;
}

Result<bool> EventStore::InsertEventRow(const IncomingEvent& event) {
  Statement& insert = statements_->insert_event;
  ScopedReset reset(insert);
  Status status = insert.Bind(event.event_id, ToMillis(event.received_at), event.topic, event.type,
                              event.subject_key, ToMillis(event.occurred_at), event.body);
  if (status.ok()) status = insert.Run();
  if (!status.ok()) return status;
  return db_->Changes() == 1;
}

Status EventStore::BumpCounter(std::string_view name) {
  Statement& bump = statements_->bump_counter;
  ScopedReset reset(bump);
  Status status = bump.Bind(name);
  return status.ok() ? bump.Run() : status;
}

Status EventStore::InsertDeadLetter(std::string_view topic,
                                    std::optional<std::string_view> event_id,
                                    std::string_view reason, std::string_view raw,
                                    Instant received_at) {
  Result<Transaction> tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  Status status = InsertDeadLetterRow(topic, event_id, reason, raw, received_at);
  if (status.ok()) status = BumpCounter("dead_letters");
  if (status.ok()) {
    // The reason may quote what the publisher sent: only its field path.
    const nlohmann::json detail = {{"topic", topic},
                                   {"field", std::string(reason.substr(0, reason.find(':')))},
                                   {"raw_sha256", Sha256Hex(raw)}};
    status = audit_->Append(audit::kDeadLetter, event_id.value_or(""),
                            detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                            received_at);
  }
  return status.ok() ? tx->Commit() : status;
}

Status EventStore::InsertDeadLetterRow(std::string_view topic,
                                       std::optional<std::string_view> event_id,
                                       std::string_view reason, std::string_view raw,
                                       Instant received_at) {
  Statement& insert = statements_->insert_dead_letter;
  ScopedReset reset(insert);
  Status status = insert.Bind(ToMillis(received_at), topic, event_id, reason, Blob{raw});
  return status.ok() ? insert.Run() : status;
}

Result<std::vector<StoredEvent>> EventStore::PendingEvents(int limit) {
  Status status = CheckLimit(limit);
  if (!status.ok()) return status;
  Statement& query = statements_->pending_events;
  ScopedReset reset(query);
  status = query.Bind(limit);
  if (!status.ok()) return status;
  return CollectRows<StoredEvent>(query, ReadStoredEvent);
}

Result<std::optional<StoredEvent>> EventStore::FindEvent(std::string_view event_id) {
  Statement& query = statements_->find_event;
  ScopedReset reset(query);
  Status status = query.Bind(event_id);
  if (!status.ok()) return status;
  Result<std::vector<StoredEvent>> rows = CollectRows<StoredEvent>(query, ReadStoredEvent);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<StoredEvent>();
  return std::optional<StoredEvent>(std::move(rows->front()));
}

Status EventStore::MarkProcessed(int64_t id, Instant at) {
  Statement& update = statements_->mark_processed;
  ScopedReset reset(update);
  Status status = update.Bind(ToMillis(at), id);
  return status.ok() ? UpdateEvent(update, id) : status;
}

Status EventStore::MarkFailed(int64_t id, std::string_view error, Instant at) {
  Statement& update = statements_->mark_failed;
  ScopedReset reset(update);
  Status status = update.Bind(ToMillis(at), error, id);
  return status.ok() ? UpdateEvent(update, id) : status;
}

Status EventStore::UpdateEvent(Statement& update, int64_t id) {
  Status status = update.Run();
  if (!status.ok()) return status;
  if (db_->Changes() == 0) return Status::NotFound("no event row " + std::to_string(id));
  return Status::OK();
}

Result<int64_t> EventStore::Counter(std::string_view name) {
  Statement& query = statements_->counter;
  ScopedReset reset(query);
  Status status = query.Bind(name);
  if (!status.ok()) return status;
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no counter '" + std::string(name) + "'");
  return query.ColumnInt64(0);
}

Result<EventCounts> EventStore::Counts() {
  Statement& query = statements_->counts;
  ScopedReset reset(query);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("event counts query returned no row");
  return EventCounts{.pending = query.ColumnInt64(0),
                     .processed = query.ColumnInt64(1),
                     .failed = query.ColumnInt64(2),
                     .dead_letters = query.ColumnInt64(3),
                     .duplicates = query.ColumnInt64(4)};
}

Result<std::vector<DeadLetter>> EventStore::DeadLetters(int limit) {
  Status status = CheckLimit(limit);
  if (!status.ok()) return status;
  Statement& query = statements_->dead_letters;
  ScopedReset reset(query);
  status = query.Bind(limit);
  if (!status.ok()) return status;
  return CollectRows<DeadLetter>(
      query, [](const Statement& row) -> Result<DeadLetter> { return ReadDeadLetter(row); });
}

}  // namespace amparo

#include "daemon/store/outbox_store.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kColumns = R"sql(
  id, alert_id, version, agency_id, channel_index, channel_type, target, state, attempts,
  next_attempt_at_ms, last_error, created_at_ms, delivered_at_ms, idempotency_key,
  escalated_from)sql";

// The endpoints (type, target) with a pending row, in order, one seek each:
// a loose scan of deliveries_by_endpoint (migration 14), so it costs the
// number of endpoints, not the number of rows. The next endpoint is the next
// target of the same type, else the first of the next type: two seeks that
// jump over an endpoint's rows. (A row-value "(type, target) > (?, ?)" steps
// through them instead: with SQLite 3.40 it costs the endpoint's backlog.)
constexpr std::string_view kFirstEndpoint = R"sql(
  SELECT channel_type, target FROM deliveries WHERE state = 'pending'
  ORDER BY channel_type, target LIMIT 1)sql";
constexpr std::string_view kNextEndpoint = R"sql(
  SELECT channel_type, target FROM (
    SELECT channel_type, target FROM deliveries
    WHERE state = 'pending' AND channel_type = ?1 AND target > ?2 ORDER BY target LIMIT 1)
  UNION ALL
  SELECT channel_type, target FROM (
    SELECT channel_type, target FROM deliveries
    WHERE state = 'pending' AND channel_type > ?1 ORDER BY channel_type, target LIMIT 1)
  LIMIT 1)sql";
// One endpoint's rows due by ?3, earliest first, at most ?4: a range of the
// same index. (Built once, on first use: a static std::string could throw
// before main.)
const std::string& DueForEndpointText() {
  static const std::string sql =
      "SELECT " + std::string(kColumns) +
      " FROM deliveries WHERE state = 'pending' AND channel_type = ?1 AND target = ?2"
      " AND next_attempt_at_ms <= ?3 ORDER BY next_attempt_at_ms, id LIMIT ?4";
  return sql;
}
const std::string& GetText() {
  static const std::string sql =
      "SELECT " + std::string(kColumns) + " FROM deliveries WHERE id = ?";
  return sql;
}
constexpr std::string_view kInsertFirst = R"sql(
  INSERT INTO deliveries(alert_id, version, agency_id, channel_index, channel_type, target,
                         next_attempt_at_ms, created_at_ms, idempotency_key)
  VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?6, ?1 || ':' || ?2)
  RETURNING id)sql";
constexpr std::string_view kNextDueAfter = R"sql(
  SELECT MIN(next_attempt_at_ms) FROM deliveries
  WHERE state = 'pending' AND next_attempt_at_ms > ?)sql";
// A row cancelled while its adapter was sending it (CancellationStore) did
// reach the agency when the adapter confirms it: the record says so (its
// cancellation row stays), so that the duty officer is told what went out.
constexpr std::string_view kMarkDelivered = R"sql(
  UPDATE deliveries SET state = 'delivered', delivered_at_ms = ?
  WHERE id = ? AND state IN ('pending', 'cancelled'))sql";
constexpr std::string_view kMarkAttemptFailed = R"sql(
  UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ?
  WHERE id = ? AND state = 'pending')sql";
constexpr std::string_view kGiveUp = R"sql(
  UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?
  WHERE id = ? AND state = 'pending')sql";
constexpr std::string_view kInsertNextChannel = R"sql(
  INSERT INTO deliveries(alert_id, version, agency_id, channel_index, channel_type, target,
                         next_attempt_at_ms, created_at_ms, idempotency_key, escalated_from)
  SELECT alert_id, version, agency_id, channel_index + 1, ?1, ?2, ?3, ?3, idempotency_key,
         escalated_from
  FROM deliveries WHERE id = ?4
  RETURNING id)sql";
constexpr std::string_view kInsertEscalation = R"sql(
  INSERT INTO deliveries(alert_id, version, agency_id, channel_index, channel_type, target,
                         next_attempt_at_ms, created_at_ms, idempotency_key, escalated_from)
  SELECT alert_id, version, ?1, 0, ?2, ?3, ?4, ?4, idempotency_key, id
  FROM deliveries WHERE id = ?5 AND state = 'dead'
  ON CONFLICT DO NOTHING
  RETURNING id)sql";
constexpr std::string_view kCounts = R"sql(
  SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'delivered'), 0),
         COALESCE(SUM(state = 'failed'), 0), COALESCE(SUM(state = 'dead'), 0),
         COALESCE(SUM(state = 'cancelled'), 0)
  FROM deliveries)sql";

Result<DeliveryState> ParseDeliveryState(std::string_view text) {
  if (text == "pending") return DeliveryState::kPending;
  if (text == "delivered") return DeliveryState::kDelivered;
  if (text == "failed") return DeliveryState::kFailed;
  if (text == "dead") return DeliveryState::kDead;
  if (text == "cancelled") return DeliveryState::kCancelled;
  return Status::Corruption("unknown delivery state '" + std::string(text) + "'");
}

// Columns in kColumns order.
Result<Delivery> ReadDelivery(const Statement& row) {
  Result<DeliveryState> state = ParseDeliveryState(row.ColumnText(7));
  if (!state.ok()) return state.status();
  return Delivery{
      .id = row.ColumnInt64(0),
      .alert_id = row.ColumnText(1),
      .version = static_cast<int>(row.ColumnInt64(2)),
      .agency_id = row.ColumnText(3),
      .channel_index = static_cast<int>(row.ColumnInt64(4)),
      .channel = {.type = row.ColumnText(5), .target = row.ColumnText(6)},
      .state = *state,
      .attempts = static_cast<int>(row.ColumnInt64(8)),
      .next_attempt_at = rows::FromMillis(row.ColumnInt64(9)),
      .last_error = row.ColumnText(10),
      .created_at = rows::FromMillis(row.ColumnInt64(11)),
      .delivered_at = rows::OptionalInstant(row, 12),
      .idempotency_key = row.ColumnText(13),
      .escalated_from = row.ColumnIsNull(14) ? std::nullopt : std::optional(row.ColumnInt64(14))};
}

// Steps an INSERT ... RETURNING id: the new id, or nullopt if nothing was inserted.
Result<std::optional<int64_t>> InsertedId(Statement& insert) {
  Result<bool> row = insert.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional(insert.ColumnInt64(0));
}

}  // namespace

// The store's prepared statements, compiled once at Create().
struct OutboxStore::Statements {
  Statement first_endpoint;
  Statement next_endpoint;
  Statement due_for_endpoint;
  Statement get;
  Statement insert_first;
  Statement next_due_after;
  Statement mark_delivered;
  Statement mark_attempt_failed;
  Statement give_up;
  Statement insert_next_channel;
  Statement insert_escalation;
  Statement counts;
};

OutboxStore::OutboxStore(Database& db, std::unique_ptr<Statements> statements)
    : db_(db), statements_(std::move(statements)) {}

OutboxStore::~OutboxStore() = default;

Result<std::unique_ptr<OutboxStore>> OutboxStore::Create(Database& db) {
  Preparer p(db);
  auto statements =
      std::make_unique<Statements>(Statements{.first_endpoint = p(kFirstEndpoint),
                                              .next_endpoint = p(kNextEndpoint),
                                              .due_for_endpoint = p(DueForEndpointText()),
                                              .get = p(GetText()),
                                              .insert_first = p(kInsertFirst),
                                              .next_due_after = p(kNextDueAfter),
                                              .mark_delivered = p(kMarkDelivered),
                                              .mark_attempt_failed = p(kMarkAttemptFailed),
                                              .give_up = p(kGiveUp),
                                              .insert_next_channel = p(kInsertNextChannel),
                                              .insert_escalation = p(kInsertEscalation),
                                              .counts = p(kCounts)});
  if (!p.status().ok()) return p.status();
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();
  auto store = std::unique_ptr<OutboxStore>(new OutboxStore(db, std::move(statements)));
  store->audit_ = std::move(audit).value();
  return store;
}

Result<int64_t> OutboxStore::InsertFirst(const NewDelivery& delivery, Instant now) {
  Statement& insert = statements_->insert_first;
  ScopedReset reset(insert);
  Status status = rows::Bind(insert, delivery.alert_id, delivery.version, delivery.agency_id,
                             delivery.channel.type, delivery.channel.target, now);
  if (!status.ok()) return status;
  Result<std::optional<int64_t>> id = InsertedId(insert);
  if (!id.ok()) return id.status();
  if (!*id) return Status::Internal("delivery insert returned no id");
  return **id;
}

Result<std::optional<ChannelTarget>> OutboxStore::EndpointAfter(
    const std::optional<ChannelTarget>& after) {
  Statement& query = after ? statements_->next_endpoint : statements_->first_endpoint;
  ScopedReset reset(query);
  if (after) {
    Status status = rows::Bind(query, after->type, after->target);
    if (!status.ok()) return status;
  }
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ChannelTarget>();
  return std::optional(ChannelTarget{.type = query.ColumnText(0), .target = query.ColumnText(1)});
}

Result<std::vector<Delivery>> OutboxStore::DueDeliveries(Instant now, int limit, int per_endpoint,
                                                         const Skip& skip) {
  Status status = rows::CheckLimit(limit);
  if (status.ok()) status = rows::CheckLimit(per_endpoint);
  if (!status.ok()) return status;
  const auto skipped = [&skip](const ChannelTarget& endpoint) {
    return std::ranges::find(skip.channel_types, endpoint.type) != skip.channel_types.end() ||
           std::ranges::find(skip.targets, endpoint) != skip.targets.end();
  };
  std::vector<Delivery> due;
  std::optional<ChannelTarget> endpoint;
  while (true) {
    Result<std::optional<ChannelTarget>> next = EndpointAfter(endpoint);
    if (!next.ok()) return next.status();
    if (!*next) break;
    endpoint = std::move(next).value();
    if (skipped(*endpoint)) continue;
    Statement& query = statements_->due_for_endpoint;
    ScopedReset reset(query);
    status =
        rows::Bind(query, endpoint->type, endpoint->target, now, std::min(per_endpoint, limit));
    if (!status.ok()) return status;
    Result<std::vector<Delivery>> read = rows::CollectRows<Delivery>(query, ReadDelivery);
    if (!read.ok()) return read.status();
    std::ranges::move(*read, std::back_inserter(due));
  }
  std::ranges::sort(due, [](const Delivery& a, const Delivery& b) {
    return std::tie(a.next_attempt_at, a.id) < std::tie(b.next_attempt_at, b.id);
  });
  if (due.size() > static_cast<size_t>(limit)) due.resize(static_cast<size_t>(limit));
  return due;
}

std::string_view OutboxStore::NextEndpointSql() { return kNextEndpoint; }

std::string_view OutboxStore::DueForEndpointSql() { return DueForEndpointText(); }

Result<std::optional<Instant>> OutboxStore::NextDueAfter(Instant after) {
  Statement& query = statements_->next_due_after;
  ScopedReset reset(query);
  Status status = rows::Bind(query, after);
  if (!status.ok()) return status;
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Instant>();
  return rows::OptionalInstant(query, 0);
}

Result<Delivery> OutboxStore::Get(int64_t id) {
  Statement& query = statements_->get;
  ScopedReset reset(query);
  Status status = rows::Bind(query, id);
  if (!status.ok()) return status;
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no delivery " + std::to_string(id));
  return ReadDelivery(query);
}

Status OutboxStore::MarkDelivered(int64_t id, Instant at) {
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  Statement& update = statements_->mark_delivered;
  ScopedReset reset(update);
  Status status = rows::Bind(update, at, id);
  if (status.ok()) status = UpdatePending(update, id);
  if (status.ok()) status = AuditDelivery(id, "delivered", at);
  return status.ok() ? tx->Commit() : status;
}

Status OutboxStore::AuditDelivery(int64_t id, std::string_view result, Instant at) {
  const nlohmann::json detail = {{"delivery_id", id}, {"result", result}};
  return audit_->Append(audit::kDelivery, std::to_string(id), AuditDetail(detail), at);
}

Result<std::vector<int64_t>> OutboxStore::MarkAllDelivered(
    const std::vector<DeliveredRow>& delivered) {
  std::vector<int64_t> not_pending;
  if (delivered.empty()) return not_pending;
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  Statement& update = statements_->mark_delivered;
  for (const DeliveredRow& row : delivered) {
    ScopedReset reset(update);
    Status status = rows::Bind(update, row.at, row.id);
    if (status.ok()) status = update.Run();
    if (!status.ok()) return status;
    if (db_.Changes() == 0) {
      not_pending.push_back(row.id);
    } else if (Status a = AuditDelivery(row.id, "delivered", row.at); !a.ok()) {
      return a;
    }
  }
  Status status = tx->Commit();
  if (!status.ok()) return status;
  return not_pending;
}

Status OutboxStore::MarkAttemptFailed(int64_t id, std::string_view error, Instant next_attempt_at) {
  Statement& update = statements_->mark_attempt_failed;
  ScopedReset reset(update);
  Status status = rows::Bind(update, error, next_attempt_at, id);
  return status.ok() ? UpdatePending(update, id) : status;
}

Status OutboxStore::UpdatePending(Statement& update, int64_t id) {
  return rows::RunOne(db_, update, "no pending delivery " + std::to_string(id));
}

Result<FailOverResult> OutboxStore::FailOver(int64_t id, std::string_view error,
                                             const std::optional<ChannelTarget>& next,
                                             Instant now) {
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  Statement& give_up = statements_->give_up;
  ScopedReset reset_give_up(give_up);
  Status status = rows::Bind(give_up, next ? "failed" : "dead", error, id);
  if (status.ok()) status = UpdatePending(give_up, id);
  if (!status.ok()) return status;
  FailOverResult result;
  result.dead = !next;
  // The error text stays in the outbox row; the chain records the outcome.
  status = AuditDelivery(id, next ? "failed_over" : "dead", now);
  if (!status.ok()) return status;
  if (next) {
    Statement& insert = statements_->insert_next_channel;
    ScopedReset reset_insert(insert);
    status = rows::Bind(insert, next->type, next->target, now, id);
    if (!status.ok()) return status;
    Result<std::optional<int64_t>> inserted = InsertedId(insert);
    if (!inserted.ok()) return inserted.status();
    result.next_delivery_id = *inserted;
  }
  status = tx->Commit();
  if (!status.ok()) return status;
  return result;
}

Result<std::optional<int64_t>> OutboxStore::Escalate(int64_t dead_id, std::string_view agency_id,
                                                     const ChannelTarget& channel, Instant now) {
  Result<Delivery> dead = Get(dead_id);
  if (!dead.ok()) return dead.status();
  if (dead->state != DeliveryState::kDead) {
    return Status::FailedPrecondition("delivery " + std::to_string(dead_id) + " is not dead");
  }
  Statement& insert = statements_->insert_escalation;
  ScopedReset reset(insert);
  Status status = rows::Bind(insert, agency_id, channel.type, channel.target, now, dead_id);
  if (!status.ok()) return status;
  return InsertedId(insert);
}

Result<int64_t> OutboxStore::PendingCount() {
  Result<DeliveryCounts> counts = Counts();
  if (!counts.ok()) return counts.status();
  return counts->pending;
}

Result<DeliveryCounts> OutboxStore::Counts() {
  Statement& query = statements_->counts;
  ScopedReset reset(query);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("delivery counts query returned no row");
  return DeliveryCounts{.pending = query.ColumnInt64(0),
                        .delivered = query.ColumnInt64(1),
                        .failed = query.ColumnInt64(2),
                        .dead = query.ColumnInt64(3),
                        .cancelled = query.ColumnInt64(4)};
}

}  // namespace amparo

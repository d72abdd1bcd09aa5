#include "daemon/store/ack_store.h"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kGetAlert = R"sql(
  SELECT state, version, agency_id, created_at_ms FROM alerts WHERE alert_id = ?)sql";
constexpr std::string_view kWasRecipient = R"sql(
  SELECT 1 FROM deliveries WHERE alert_id = ? AND agency_id = ? LIMIT 1)sql";
constexpr std::string_view kFindAck = R"sql(
  SELECT 1 FROM acks WHERE alert_id = ? AND agency_id = ? AND idempotency_key = ?)sql";
constexpr std::string_view kInsertAck = R"sql(
  INSERT INTO acks(alert_id, agency_id, at_ms, by, note, via, version, idempotency_key,
                   received_at_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?))sql";
constexpr std::string_view kAcknowledge = R"sql(
  UPDATE alerts SET state = 'acknowledged', updated_at_ms = ?
  WHERE alert_id = ? AND state = 'open')sql";
// Every other open rung of the alert's escalation ladder: the alerts it
// escalated, down to the first, and the alerts escalated from any of them.
// Whoever takes one rung has taken the child's case: the rung below must not
// wait on, and the rung above must not escalate, what a person already holds.
constexpr std::string_view kAcknowledgeLadder = R"sql(
  WITH RECURSIVE
    up(id, from_id) AS (
      SELECT alert_id, escalated_from FROM alerts WHERE alert_id = ?2
      UNION
      SELECT a.alert_id, a.escalated_from FROM alerts a JOIN up ON a.alert_id = up.from_id),
    down(id) AS (
      SELECT id FROM up WHERE from_id IS NULL
      UNION
      SELECT a.alert_id FROM alerts a JOIN down ON a.escalated_from = down.id)
  UPDATE alerts SET state = 'acknowledged', updated_at_ms = ?1
  WHERE alert_id IN (SELECT id FROM down) AND alert_id <> ?2 AND state = 'open')sql";
constexpr std::string_view kInsertRefused = R"sql(
  INSERT INTO refused_acks(received_at_ms, via, agency_id, alert_id, reason_code, reason, raw)
  VALUES (?, ?, ?, ?, ?, ?, ?))sql";
constexpr std::string_view kForAlert = R"sql(
  SELECT alert_id, agency_id, at_ms, by, note, via, version, COALESCE(idempotency_key, '')
  FROM acks WHERE alert_id = ? ORDER BY id)sql";
constexpr std::string_view kRecentRefused = R"sql(
  SELECT id, received_at_ms, via, agency_id, COALESCE(alert_id, ''), reason_code, reason, raw
  FROM refused_acks ORDER BY id DESC LIMIT ?)sql";

AckResult Refused(std::string alert_id, AckRefusal refusal) {
  return AckResult{.outcome = AckOutcome::kRefused,
                   .alert_id = std::move(alert_id),
                   .refusal = std::move(refusal),
                   .state_changed = false,
                   .latency = std::nullopt};
}

// The key that makes a repeat recognisable: the sender's, else the version.
std::string IdempotencyKey(const AckRequest& ack) {
  if (!ack.idempotency_key.empty()) return ack.idempotency_key;
  if (ack.version) return "version:" + std::to_string(*ack.version);
  return "";
}

}  // namespace

std::string_view AckOutcomeName(AckOutcome outcome) {
  switch (outcome) {
    case AckOutcome::kAccepted:
      return "accepted";
    case AckOutcome::kDuplicate:
      return "duplicate";
    case AckOutcome::kRefused:
      return "refused";
  }
  return "refused";
}

struct AckStore::Statements {
  Statement get_alert;
  Statement was_recipient;
  Statement find_ack;
  Statement insert_ack;
  Statement acknowledge;
  Statement acknowledge_ladder;
  Statement insert_refused;
  Statement for_alert;
  Statement recent_refused;
};

AckStore::AckStore(Database& db, std::string privileged_agency,
                   std::unique_ptr<Statements> statements)
    : db_(db),
      privileged_agency_(std::move(privileged_agency)),
      statements_(std::move(statements)) {}

AckStore::~AckStore() = default;

Result<std::unique_ptr<AckStore>> AckStore::Create(Database& db, std::string privileged_agency) {
  Preparer p(db);
  auto statements =
      std::make_unique<Statements>(Statements{.get_alert = p(kGetAlert),
                                              .was_recipient = p(kWasRecipient),
                                              .find_ack = p(kFindAck),
                                              .insert_ack = p(kInsertAck),
                                              .acknowledge = p(kAcknowledge),
                                              .acknowledge_ladder = p(kAcknowledgeLadder),
                                              .insert_refused = p(kInsertRefused),
                                              .for_alert = p(kForAlert),
                                              .recent_refused = p(kRecentRefused)});
  if (!p.status().ok()) return p.status();
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();
  auto store = std::unique_ptr<AckStore>(
      new AckStore(db, std::move(privileged_agency), std::move(statements)));
  store->audit_ = std::move(audit).value();
  return store;
}

Result<AckResult> AckStore::Record(const AckRequest& ack, std::string_view raw, Instant now) {
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  Result<AckResult> result = RecordInTransaction(ack, raw, now);
  if (!result.ok()) return result;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return result;
}

Result<AckResult> AckStore::RecordInTransaction(const AckRequest& ack, std::string_view raw,
                                                Instant now) {
  auto refuse = [&](std::string code, std::string reason) -> Result<AckResult> {
    AckRefusal refusal{std::move(code), std::move(reason)};
    if (Status s = InsertRefused(ack.via, ack.agency_id, ack.alert_id, refusal, raw, now);
        !s.ok()) {
      return s;
    }
    return Refused(ack.alert_id, std::move(refusal));
  };
  const std::string key = IdempotencyKey(ack);
  if (ack.alert_id.empty()) return refuse("malformed", "alert_id is missing");
  if (ack.agency_id.empty()) return refuse("malformed", "the acknowledging agency is unknown");
  if (key.empty()) return refuse("malformed", "an ack needs a version or an idempotency_key");
  if (ack.by.empty()) return refuse("malformed", "by (who acknowledged) is missing");

  Statement& get = statements_->get_alert;
  ScopedReset reset_get(get);
  if (Status s = rows::Bind(get, ack.alert_id); !s.ok()) return s;
  Result<bool> found = get.Step();
  if (!found.ok()) return found.status();
  if (!*found) return refuse("unknown_alert", "no alert " + ack.alert_id);
  const std::string state = get.ColumnText(0);
  const int version = static_cast<int>(get.ColumnInt64(1));
  const std::string addressee = get.ColumnText(2);
  const Instant created_at = rows::FromMillis(get.ColumnInt64(3));
  get.Reset();

  if (ack.agency_id != addressee && ack.agency_id != privileged_agency_) {
    Statement& recipient = statements_->was_recipient;
    ScopedReset reset_recipient(recipient);
    if (Status s = rows::Bind(recipient, ack.alert_id, ack.agency_id); !s.ok()) return s;
    Result<bool> was = recipient.Step();
    if (!was.ok()) return was.status();
    if (!*was) {
      return refuse("not_recipient",
                    "agency " + ack.agency_id + " is not a recipient of alert " + ack.alert_id);
    }
  }
  if (ack.version && (*ack.version < 1 || *ack.version > version)) {
    return refuse("unknown_version", "alert " + ack.alert_id + " has no version " +
                                         std::to_string(*ack.version) + " (latest " +
                                         std::to_string(version) + ")");
  }

  Statement& find = statements_->find_ack;
  ScopedReset reset_find(find);
  if (Status s = rows::Bind(find, ack.alert_id, ack.agency_id, key); !s.ok()) return s;
  Result<bool> seen = find.Step();
  if (!seen.ok()) return seen.status();
  if (*seen) {
    return AckResult{.outcome = AckOutcome::kDuplicate,
                     .alert_id = ack.alert_id,
                     .refusal = std::nullopt,
                     .state_changed = false,
                     .latency = std::nullopt};
  }

  Statement& insert = statements_->insert_ack;
  ScopedReset reset_insert(insert);
  const std::optional<int64_t> ack_version =
      ack.version ? std::optional<int64_t>(*ack.version) : std::nullopt;
  Status status = rows::Bind(insert, ack.alert_id, ack.agency_id, ack.at.value_or(now), ack.by,
                             ack.note, ack.via);
  if (status.ok()) {
    status = ack_version ? insert.BindInt64(7, *ack_version) : insert.BindNull(7);
  }
  if (status.ok()) status = insert.BindText(8, key);
  if (status.ok()) status = insert.BindInt64(9, rows::ToMillis(now));
  if (status.ok()) status = insert.Run();
  if (!status.ok()) return status;

  Statement& acknowledge = statements_->acknowledge;
  ScopedReset reset_acknowledge(acknowledge);
  status = rows::Bind(acknowledge, now, ack.alert_id);
  if (status.ok()) status = acknowledge.Run();
  if (!status.ok()) return status;
  const bool changed = db_.Changes() > 0 && state == "open";

  Statement& ladder = statements_->acknowledge_ladder;
  ScopedReset reset_ladder(ladder);
  status = rows::Bind(ladder, now, ack.alert_id);
  if (status.ok()) status = ladder.Run();
  if (!status.ok()) return status;
  const auto other_rungs = db_.Changes();  // The rungs of its ladder it acknowledged too.

  // Who acknowledged (`by`) is a person: not in the audit record.
  const nlohmann::json detail = {{"agency", ack.agency_id},
                                 {"via", ack.via},
                                 {"version", ack_version ? nlohmann::json(*ack_version) : nullptr},
                                 {"state_changed", changed},
                                 {"other_rungs", other_rungs}};
  status = audit_->Append(audit::kAlertAcked, ack.alert_id, AuditDetail(detail), now);
  if (!status.ok()) return status;
  return AckResult{.outcome = AckOutcome::kAccepted,
                   .alert_id = ack.alert_id,
                   .refusal = std::nullopt,
                   .state_changed = changed,
                   .latency = now - created_at};
}

Result<AckResult> AckStore::Refuse(std::string_view via, std::string_view agency_id,
                                   std::string_view alert_id, AckRefusal refusal,
                                   std::string_view raw, Instant now) {
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  if (Status s = InsertRefused(via, agency_id, alert_id, refusal, raw, now); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return Refused(std::string(alert_id), std::move(refusal));
}

Status AckStore::InsertRefused(std::string_view via, std::string_view agency_id,
                               std::string_view alert_id, const AckRefusal& refusal,
                               std::string_view raw, Instant now) {
  Statement& insert = statements_->insert_refused;
  ScopedReset reset(insert);
  const std::optional<std::string> alert =
      alert_id.empty() ? std::nullopt : std::optional<std::string>(alert_id);
  Status status = rows::Bind(insert, now, via, agency_id, alert, refusal.code, refusal.reason);
  if (status.ok()) status = insert.BindBlob(7, raw);
  if (status.ok()) status = insert.Run();
  return status;
}

Result<std::vector<AckRow>> AckStore::ForAlert(std::string_view alert_id) {
  Statement& query = statements_->for_alert;
  ScopedReset reset(query);
  if (Status s = rows::Bind(query, alert_id); !s.ok()) return s;
  return rows::CollectRows<AckRow>(query, [](const Statement& row) -> Result<AckRow> {
    return AckRow{.alert_id = row.ColumnText(0),
                  .agency_id = row.ColumnText(1),
                  .at = rows::FromMillis(row.ColumnInt64(2)),
                  .by = row.ColumnText(3),
                  .note = row.ColumnText(4),
                  .via = row.ColumnText(5),
                  .version = row.ColumnIsNull(6)
                                 ? std::nullopt
                                 : std::optional<int>(static_cast<int>(row.ColumnInt64(6))),
                  .idempotency_key = row.ColumnText(7)};
  });
}

Result<std::vector<RefusedAckRow>> AckStore::RecentRefused(int limit) {
  if (Status s = rows::CheckLimit(limit); !s.ok()) return s;
  Statement& query = statements_->recent_refused;
  ScopedReset reset(query);
  if (Status s = rows::Bind(query, limit); !s.ok()) return s;
  return rows::CollectRows<RefusedAckRow>(query, [](const Statement& row) -> Result<RefusedAckRow> {
    return RefusedAckRow{.id = row.ColumnInt64(0),
                         .received_at = rows::FromMillis(row.ColumnInt64(1)),
                         .via = row.ColumnText(2),
                         .agency_id = row.ColumnText(3),
                         .alert_id = row.ColumnText(4),
                         .reason_code = row.ColumnText(5),
                         .reason = row.ColumnText(6),
                         .raw = row.ColumnBlob(7)};
  });
}

}  // namespace amparo

#include "daemon/store/escalation_store.h"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kNextTimeout = R"sql(
  SELECT MIN(deadline_ms) FROM alerts
  WHERE state = 'open' AND escalated_at_ms IS NULL AND deadline_ms IS NOT NULL
    AND deadline_ms > created_at_ms)sql";
constexpr std::string_view kTimedOut = R"sql(
  SELECT alert_id, rule_id, subject_key, agency_id, role, opening_event_id, last_event_id,
         severity, version, deadline_ms, created_at_ms
  FROM alerts
  WHERE state = 'open' AND escalated_at_ms IS NULL AND deadline_ms IS NOT NULL
    AND deadline_ms > created_at_ms AND deadline_ms <= ?
  ORDER BY deadline_ms, alert_id LIMIT ?)sql";
constexpr std::string_view kMarkEscalated = R"sql(
  UPDATE alerts SET escalated_at_ms = ?1, updated_at_ms = ?1
  WHERE alert_id = ?2 AND state = 'open' AND escalated_at_ms IS NULL)sql";
constexpr std::string_view kFindOpen = R"sql(
  SELECT alert_id FROM alerts
  WHERE rule_id = ? AND subject_key = ? AND agency_id = ? AND state = 'open')sql";
constexpr std::string_view kInsertAlert = R"sql(
  INSERT INTO alerts(alert_id, rule_id, subject_key, agency_id, role, opening_event_id,
                     last_event_id, severity, version, deadline_ms, escalates_to, created_at_ms,
                     updated_at_ms, about, escalated_from)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, ?11, ?12, ?13))sql";
constexpr std::string_view kInsertStep = R"sql(
  INSERT INTO escalations(from_alert_id, to_alert_id, from_agency, to_agency, reason, at_ms)
  VALUES (?, ?, ?, ?, ?, ?))sql";

}  // namespace

struct EscalationStore::Statements {
  Statement next_timeout;
  Statement timed_out;
  Statement mark_escalated;
  Statement find_open;
  Statement insert_alert;
  Statement insert_step;
};

EscalationStore::EscalationStore(Database& db, std::unique_ptr<Statements> statements)
    : db_(db), statements_(std::move(statements)) {}

EscalationStore::~EscalationStore() = default;

Result<std::unique_ptr<EscalationStore>> EscalationStore::Create(Database& db) {
  Preparer p(db);
  auto statements = std::make_unique<Statements>(Statements{.next_timeout = p(kNextTimeout),
                                                            .timed_out = p(kTimedOut),
                                                            .mark_escalated = p(kMarkEscalated),
                                                            .find_open = p(kFindOpen),
                                                            .insert_alert = p(kInsertAlert),
                                                            .insert_step = p(kInsertStep)});
  if (!p.status().ok()) return p.status();
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();
  auto store = std::unique_ptr<EscalationStore>(new EscalationStore(db, std::move(statements)));
  store->audit_ = std::move(audit).value();
  return store;
}

Result<std::optional<Instant>> EscalationStore::NextTimeout() {
  Statement& query = statements_->next_timeout;
  ScopedReset reset(query);
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Instant>();
  return rows::OptionalInstant(query, 0);
}

Result<std::vector<TimedOutAlert>> EscalationStore::TimedOut(Instant now, int limit) {
  if (Status s = rows::CheckLimit(limit); !s.ok()) return s;
  Statement& query = statements_->timed_out;
  ScopedReset reset(query);
  if (Status s = rows::Bind(query, now, limit); !s.ok()) return s;
  return rows::CollectRows<TimedOutAlert>(query, [](const Statement& row) -> Result<TimedOutAlert> {
    return TimedOutAlert{.alert_id = row.ColumnText(0),
                         .rule_id = row.ColumnText(1),
                         .subject_key = row.ColumnText(2),
                         .agency_id = row.ColumnText(3),
                         .role = row.ColumnText(4),
                         .opening_event_id = row.ColumnText(5),
                         .last_event_id = row.ColumnText(6),
                         .severity = row.ColumnText(7),
                         .version = static_cast<int>(row.ColumnInt64(8)),
                         .deadline = rows::FromMillis(row.ColumnInt64(9)),
                         .created_at = rows::FromMillis(row.ColumnInt64(10))};
  });
}

Result<std::vector<EscalationOutcome>> EscalationStore::CommitAll(
    const std::vector<EscalationStep>& steps, OutboxStore& outbox) {
  std::vector<EscalationOutcome> outcomes;
  if (steps.empty()) return outcomes;
  for (const EscalationStep& step : steps) {
    if (step.from == nullptr) return Status::InvalidArgument("escalation without an alert");
  }
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  outcomes.reserve(steps.size());
  for (const EscalationStep& step : steps) {
    Result<EscalationOutcome> outcome = CommitInTransaction(step, outbox);
    if (!outcome.ok()) return outcome.status();  // Rolled back: none of the steps is kept.
    outcomes.push_back(std::move(outcome).value());
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return outcomes;
}

Result<EscalationOutcome> EscalationStore::CommitInTransaction(const EscalationStep& step,
                                                               OutboxStore& outbox) {
  const TimedOutAlert& from = *step.from;
  EscalationOutcome outcome;
  Statement& mark = statements_->mark_escalated;
  ScopedReset reset_mark(mark);
  if (Status s = rows::Bind(mark, step.now, from.alert_id); !s.ok()) return s;
  if (Status s = mark.Run(); !s.ok()) return s;
  if (db_.Changes() == 0) return outcome;  // Acknowledged or escalated meanwhile.
  outcome.escalated = true;

  if (step.to) {
    const EscalatedAlert& to = *step.to;
    Statement& find = statements_->find_open;
    ScopedReset reset_find(find);
    if (Status s = rows::Bind(find, from.rule_id, from.subject_key, to.agency_id); !s.ok()) {
      return s;
    }
    Result<bool> open = find.Step();
    if (!open.ok()) return open.status();
    if (*open) {
      outcome.to_alert_id = find.ColumnText(0);
    } else {
      Statement& insert = statements_->insert_alert;
      ScopedReset reset_insert(insert);
      Status s =
          rows::Bind(insert, to.alert_id, from.rule_id, from.subject_key, to.agency_id, to.role,
                     from.opening_event_id, from.last_event_id, from.severity, to.deadline,
                     to.escalates_to, step.now, AlertSubjectToJson(to.about), from.alert_id);
      if (s.ok()) s = insert.Run();
      if (!s.ok()) return s;
      Result<int64_t> delivery = outbox.InsertFirst(NewDelivery{.alert_id = to.alert_id,
                                                                .version = 1,
                                                                .agency_id = to.agency_id,
                                                                .channel = to.channel},
                                                    step.now);
      if (!delivery.ok()) return delivery.status();
      outcome.to_alert_id = to.alert_id;
      outcome.delivery = *delivery;
    }
  }
  Statement& record = statements_->insert_step;
  ScopedReset reset_record(record);
  const std::optional<std::string> to_alert =
      outcome.to_alert_id.empty() ? std::nullopt : std::optional(outcome.to_alert_id);
  const std::optional<std::string> to_agency =
      step.to ? std::optional(step.to->agency_id) : std::nullopt;
  Status s =
      rows::Bind(record, from.alert_id, to_alert, from.agency_id, to_agency, step.reason, step.now);
  if (s.ok()) s = record.Run();
  if (!s.ok()) return s;
  const nlohmann::json detail = {{"from_agency", from.agency_id},
                                 {"to_alert", to_alert ? nlohmann::json(*to_alert) : nullptr},
                                 {"to_agency", to_agency ? nlohmann::json(*to_agency) : nullptr},
                                 {"subject", from.subject_key},
                                 {"reason", step.reason}};
  s = audit_->Append(audit::kAlertEscalated, from.alert_id, AuditDetail(detail), step.now);
  if (!s.ok()) return s;
  return outcome;
}

}  // namespace amparo

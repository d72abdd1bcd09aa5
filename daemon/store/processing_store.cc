#include "daemon/store/processing_store.h"

#include <algorithm>
#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kEventState = "SELECT state FROM events WHERE id = ?";
constexpr std::string_view kMarkProcessed = R"sql(
  UPDATE events SET state = 'processed', processed_at_ms = ?, error = NULL
  WHERE id = ? AND state = 'pending')sql";

Status CheckCommit(const ProcessingCommit& commit) {
  if (commit.subject_key.empty()) return Status::InvalidArgument("commit subject_key is empty");
  for (const AlertChange& alert : commit.alerts) {
    if (alert.channels.empty()) {
      return Status::InvalidArgument("alert for rule " + alert.rule_id + " to " + alert.agency_id +
                                     " has no channel");
    }
  }
  return Status::OK();
}

}  // namespace

struct ProcessingStore::Statements {
  Statement event_state;
  Statement mark_processed;
  Statement savepoint;
  Statement release;
  Statement rollback_to;
};

ProcessingStore::ProcessingStore(Database& db, std::unique_ptr<Statements> statements,
                                 std::unique_ptr<CaseStore> cases,
                                 std::unique_ptr<AlertStore> alerts,
                                 std::unique_ptr<OutboxStore> outbox,
                                 std::unique_ptr<ClockStore> clocks,
                                 std::unique_ptr<CancellationStore> cancellations)
    : db_(db),
      statements_(std::move(statements)),
      cases_(std::move(cases)),
      alerts_(std::move(alerts)),
      outbox_(std::move(outbox)),
      clocks_(std::move(clocks)),
      cancellations_(std::move(cancellations)) {}

ProcessingStore::~ProcessingStore() = default;

Result<std::unique_ptr<ProcessingStore>> ProcessingStore::Create(Database& db) {
  Preparer p(db);
  auto statements =
      std::make_unique<Statements>(Statements{.event_state = p(kEventState),
                                              .mark_processed = p(kMarkProcessed),
                                              .savepoint = p("SAVEPOINT processing"),
                                              .release = p("RELEASE processing"),
                                              .rollback_to = p("ROLLBACK TO processing")});
  if (!p.status().ok()) return p.status();
  Result<std::unique_ptr<CaseStore>> cases = CaseStore::Create(db);
  if (!cases.ok()) return cases.status();
  Result<std::unique_ptr<AlertStore>> alerts = AlertStore::Create(db);
  if (!alerts.ok()) return alerts.status();
  Result<std::unique_ptr<OutboxStore>> outbox = OutboxStore::Create(db);
  if (!outbox.ok()) return outbox.status();
  Result<std::unique_ptr<ClockStore>> clocks = ClockStore::Create(db);
  if (!clocks.ok()) return clocks.status();
  Result<std::unique_ptr<CancellationStore>> cancellations = CancellationStore::Create(db);
  if (!cancellations.ok()) return cancellations.status();
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();
  auto store = std::unique_ptr<ProcessingStore>(new ProcessingStore(
      db, std::move(statements), std::move(cases).value(), std::move(alerts).value(),
      std::move(outbox).value(), std::move(clocks).value(), std::move(cancellations).value()));
  store->audit_ = std::move(audit).value();
  Result<std::unique_ptr<CaseLinks>> links = CaseLinks::Create(db, *store->cases_);
  if (!links.ok()) return links.status();
  store->links_ = std::move(links).value();
  return store;
}

Status ProcessingStore::BeginRound() {
  if (round_) return Status::FailedPrecondition("a processing round is already open");
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  round_.emplace(std::move(tx).value());
  return Status::OK();
}

Status ProcessingStore::CommitRound() {
  if (!round_) return Status::FailedPrecondition("no processing round is open");
  Status status = round_->Commit();
  round_.reset();  // rolls back if the commit failed
  if (status.ok()) ++commits_;
  return status;
}

void ProcessingStore::AbortRound() { round_.reset(); }

Result<CommitOutcome> ProcessingStore::CommitProcessing(const ProcessingCommit& commit) {
  Status status = CheckCommit(commit);
  if (!status.ok()) return status;
  if (!round_) {
    Result<Transaction> tx = Transaction::Begin(db_);
    if (!tx.ok()) return tx.status();
    Result<CommitOutcome> outcome = WriteProcessing(commit);
    if (!outcome.ok()) return outcome;
    if (status = tx->Commit(); !status.ok()) return status;
    ++commits_;
    return outcome;
  }
  // In a round: a savepoint, so that a failed event leaves nothing behind
  // while the events before it stay in the round.
  {
    ScopedReset reset(statements_->savepoint);
    if (status = statements_->savepoint.Run(); !status.ok()) return status;
  }
  Result<CommitOutcome> outcome = WriteProcessing(commit);
  if (!outcome.ok()) {
    {
      ScopedReset reset(statements_->rollback_to);
      (void)statements_->rollback_to.Run();
    }
    ScopedReset reset(statements_->release);
    (void)statements_->release.Run();
    return outcome;
  }
  ScopedReset reset(statements_->release);
  if (status = statements_->release.Run(); !status.ok()) return status;
  return outcome;
}

Result<CommitOutcome> ProcessingStore::WriteProcessing(const ProcessingCommit& commit) {
  Status status;
  Result<bool> marked = MarkEventProcessed(commit.event_row, commit.now);
  if (!marked.ok()) return marked.status();
  CommitOutcome outcome;
  if (!*marked) {
    outcome.already_processed = true;
    return outcome;
  }
  if (commit.link && commit.link->changes()) status = WriteLink(*commit.link, commit);
  if (status.ok()) status = cases_->WriteCase(commit.case_update, commit.now);
  if (status.ok()) {
    status = WriteAlerts(commit.alerts, commit.subject_key, commit.event_id, commit.now, outcome);
  }
  if (status.ok()) status = WriteClocks(commit, outcome);
  if (status.ok() && commit.withheld) {
    Result<CancelOutcome> cancelled = cancellations_->CancelWithheld(
        commit.subject_key, commit.withheld, commit.cancel_reason, commit.event_id, commit.now);
    if (cancelled.ok()) {
      outcome.cancelled = std::move(cancelled).value();
      // A delivery result like any other: chained in the same transaction.
      for (int64_t delivery : outcome.cancelled.deliveries) {
        if (!status.ok()) break;
        const nlohmann::json detail = {{"result", "cancelled"},
                                       {"subject", commit.subject_key},
                                       {"event_id", commit.event_id}};
        status = audit_->Append(audit::kDelivery, std::to_string(delivery), AuditDetail(detail),
                                commit.now);
      }
    } else {
      status = cancelled.status();
    }
  }
  if (!status.ok()) return status;
  return outcome;
}

// Writes the links of `plan` and records them in the audit chain, keys only.
Status ProcessingStore::WriteLink(const CaseLinkPlan& plan, const ProcessingCommit& commit) {
  Status status = links_->Apply(plan, commit.event_id, commit.now);
  if (!status.ok()) return status;
  const nlohmann::json detail = {{"case", plan.case_key},   {"subject", plan.subject_key},
                                 {"aliases", plan.aliases}, {"merged", plan.absorbed},
                                 {"unknown", plan.unknown}, {"event_id", commit.event_id}};
  return audit_->Append(audit::kCaseLinked, plan.case_key, AuditDetail(detail), commit.now);
}

// Returns true if the event was pending and is now processed, false if it
// was processed before.
Result<bool> ProcessingStore::MarkEventProcessed(int64_t event_row, Instant now) {
  Statement& update = statements_->mark_processed;
  ScopedReset reset_update(update);
  Status status = rows::Bind(update, now, event_row);
  if (status.ok()) status = update.Run();
  if (!status.ok()) return status;
  if (db_.Changes() == 1) return true;
  Statement& query = statements_->event_state;
  ScopedReset reset_query(query);
  status = rows::Bind(query, event_row);
  if (!status.ok()) return status;
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no event row " + std::to_string(event_row));
  if (query.ColumnText(0) == "processed") return false;
  return Status::FailedPrecondition("event row " + std::to_string(event_row) + " is " +
                                    query.ColumnText(0));
}

Result<CommitOutcome> ProcessingStore::CommitClockFiring(const ClockFiringCommit& commit) {
  for (const AlertChange& change : commit.alerts) {
    if (change.channels.empty()) {
      return Status::InvalidArgument("alert " + change.rule_id + " for " + change.agency_id +
                                     " has no channel");
    }
  }
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  Result<std::optional<ClockRecord>> running = clocks_->FindRunning(commit.clock_id, commit.key);
  if (!running.ok()) return running.status();
  CommitOutcome outcome;
  if (!*running || (commit.due ? (*running)->expired : (*running)->warned)) {
    return outcome;  // stopped, or fired before: nothing to do
  }
  // Each alert names the alerts of the obligation whose deadline it is about.
  Result<std::vector<std::string>> originating =
      alerts_->RaisedBy(commit.subject_key, commit.event_id);
  if (!originating.ok()) return originating.status();
  std::vector<AlertChange> alerts = commit.alerts;
  for (AlertChange& change : alerts) {
    if (change.about.clock) change.about.clock->originating_alerts = *originating;
  }
  Status status = WriteAlerts(alerts, commit.subject_key, commit.event_id, commit.now, outcome);
  if (status.ok()) {
    status = commit.due ? clocks_->MarkExpired(commit.clock_id, commit.key)
                        : clocks_->MarkWarned(commit.clock_id, commit.key);
  }
  if (status.ok()) status = tx->Commit();
  if (!status.ok()) return status;
  ++commits_;
  return outcome;
}

Status ProcessingStore::WriteAlerts(const std::vector<AlertChange>& alerts,
                                    const std::string& subject_key, const std::string& event_id,
                                    Instant now, CommitOutcome& outcome) {
  for (const AlertChange& change : alerts) {
    Result<AlertVersion> version = alerts_->OpenOrUpdate(change, subject_key, event_id, now);
    if (!version.ok()) return version.status();
    Result<int64_t> delivery = outbox_->InsertFirst({.alert_id = version->alert_id,
                                                     .version = version->version,
                                                     .agency_id = change.agency_id,
                                                     .channel = change.channels.front()},
                                                    now);
    if (!delivery.ok()) return delivery.status();
    const nlohmann::json detail = {{"rule", change.rule_id},     {"role", change.role},
                                   {"agency", change.agency_id}, {"subject", subject_key},
                                   {"event_id", event_id},       {"version", version->version}};
    Status status = audit_->Append(version->opened ? audit::kAlertRaised : audit::kAlertUpdated,
                                   version->alert_id, AuditDetail(detail), now);
    if (!status.ok()) return status;
    outcome.alerts.push_back({.alert = std::move(version).value(), .delivery_id = *delivery});
  }
  return Status::OK();
}

Status ProcessingStore::WriteClocks(const ProcessingCommit& commit, CommitOutcome& outcome) {
  for (const ClockOp& op : commit.clocks) {
    const bool start = op.op == ClockOp::Op::kStart;
    Result<bool> changed = start ? clocks_->Start(op, commit.subject_key, commit.event_id)
                                 : clocks_->Stop(op.clock_id, op.key, commit.now);
    if (!changed.ok()) return changed.status();
    if (*changed) ++(start ? outcome.clocks_started : outcome.clocks_stopped);
  }
  return Status::OK();
}

}  // namespace amparo

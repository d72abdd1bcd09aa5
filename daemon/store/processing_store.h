// ProcessingStore: everything the pipeline writes for one event, in ONE
// SQLite transaction (DESIGN.md §1: "from there on every state change is one
// SQLite transaction").
//
// CommitProcessing marks the event processed, rewrites its case, opens or
// updates its alerts with one pending outbox row each (the agency's primary
// channel), and starts or stops its legal clocks, all or nothing. After a
// crash the event is either still pending (and is processed again) or fully
// processed; a commit for an event already processed changes nothing.
//
// It also owns the repositories on the same connection, so that the loop
// thread has one place to reach cases, alerts, the outbox and the clocks.
#ifndef AMPARO_DAEMON_STORE_PROCESSING_STORE_H_
#define AMPARO_DAEMON_STORE_PROCESSING_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/engine/decision.h"
#include "daemon/store/alert_store.h"
#include "daemon/store/audit_log.h"
#include "daemon/store/cancellation_store.h"
#include "daemon/store/case_links.h"
#include "daemon/store/case_store.h"
#include "daemon/store/clock_store.h"
#include "daemon/store/database.h"
#include "daemon/store/outbox_store.h"

namespace amparo {

// The outcome of processing one stored event.
struct ProcessingCommit {
  int64_t event_row = 0;    // events.id of the event; marked processed.
  std::string event_id;     // Its event_id; becomes the alerts' last_event_id.
  std::string subject_key;  // Keyed hash of its case (the canonical case key).
  CaseRecord case_update;   // The case after the event.
  // The links and merges of the event's case (CaseLinks::Plan), written
  // before the case row; nullopt or !changes(): nothing to link.
  std::optional<CaseLinkPlan> link;
  std::vector<AlertChange> alerts;  // One per (rule, agency) to notify.
  std::vector<ClockOp> clocks;      // Starts and stops, in order.
  Instant now{};
  // Set when the case carries a claim of asylum or fear of return after the
  // event: the agencies the child's whereabouts are withheld from. Their
  // pending deliveries (and escalations of them) are cancelled with
  // `cancel_reason`, after this commit's alerts are written
  // (CancellationStore::CancelWithheld).
  WithheldAgency withheld;
  std::string cancel_reason;
};

// One alert version written by a commit, and its first delivery.
struct CommittedAlert {
  AlertVersion alert;
  int64_t delivery_id = 0;
};

struct CommitOutcome {
  bool already_processed = false;  // The event was processed before: nothing was written.
  std::vector<CommittedAlert> alerts;
  int clocks_started = 0;
  int clocks_stopped = 0;
  CancelOutcome cancelled;  // What `withheld` cancelled.
};

// A legal clock's warning or expiry: the alerts it raises, and the clock
// marked warned or expired, in one transaction.
struct ClockFiringCommit {
  std::string clock_id;
  std::string key;
  std::string subject_key;
  std::string event_id;  // The event that started the clock; the alerts' last_event_id.
  bool due = false;      // false: the warning; true: the expiry.
  std::vector<AlertChange> alerts;
  Instant now{};
};

// Thread-safety: used from ONE thread (the event loop), the one that owns the
// Database; the repositories it hands out belong to the same thread.
class ProcessingStore {
 public:
  // Create the repositories on `db`. REQUIRES: db migrated and outliving this store.
  static Result<std::unique_ptr<ProcessingStore>> Create(Database& db);

  ProcessingStore(const ProcessingStore&) = delete;
  ProcessingStore& operator=(const ProcessingStore&) = delete;
  ~ProcessingStore();

  // Write `commit` in one transaction; on any error nothing of it is visible
  // and the event stays pending. Returns InvalidArgument for an alert without
  // channels or a commit without subject_key, NotFound for an unknown event
  // row, and the SQLite error otherwise.
  // Inside a round (BeginRound) it is a savepoint of the round's transaction:
  // all or nothing as above, durable when the round commits.
  // REQUIRES: no transaction open on the connection other than a round's.
  Result<CommitOutcome> CommitProcessing(const ProcessingCommit& commit);

  // A round: every CommitProcessing until CommitRound() in ONE transaction
  // (one WAL commit for all the events of a pipeline round, instead of one
  // each). Reads on this connection see the round's writes. A round not
  // committed (an error, or the store destroyed) is rolled back whole.
  // REQUIRES for BeginRound: no transaction open on the connection.
  Status BeginRound();
  Status CommitRound();
  // Rolls back an open round; nothing if none is open.
  void AbortRound();
  // Transactions this store committed (a round counts once). For tests.
  uint64_t commits() const { return commits_; }

  // Write `commit` in one transaction: its alerts (each with its first
  // outbox row) and the clock marked warned or expired. A clock no longer
  // running (stopped meanwhile) gets no alerts: returns an empty outcome.
  Result<CommitOutcome> CommitClockFiring(const ClockFiringCommit& commit);

  CaseStore& cases() { return *cases_; }
  CaseLinks& links() { return *links_; }
  AlertStore& alerts() { return *alerts_; }
  OutboxStore& outbox() { return *outbox_; }
  ClockStore& clocks() { return *clocks_; }
  CancellationStore& cancellations() { return *cancellations_; }

 private:
  struct Statements;

  ProcessingStore(Database& db, std::unique_ptr<Statements> statements,
                  std::unique_ptr<CaseStore> cases, std::unique_ptr<AlertStore> alerts,
                  std::unique_ptr<OutboxStore> outbox, std::unique_ptr<ClockStore> clocks,
                  std::unique_ptr<CancellationStore> cancellations);
  Result<CommitOutcome> WriteProcessing(const ProcessingCommit& commit);
  Result<bool> MarkEventProcessed(int64_t event_row, Instant now);
  Status WriteLink(const CaseLinkPlan& plan, const ProcessingCommit& commit);
  Status WriteAlerts(const std::vector<AlertChange>& alerts, const std::string& subject_key,
                     const std::string& event_id, Instant now, CommitOutcome& outcome);
  Status WriteClocks(const ProcessingCommit& commit, CommitOutcome& outcome);

  Database& db_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<CaseStore> cases_;
  std::unique_ptr<CaseLinks> links_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<OutboxStore> outbox_;
  std::unique_ptr<ClockStore> clocks_;
  std::unique_ptr<CancellationStore> cancellations_;
  std::unique_ptr<AuditLog> audit_;
  std::optional<Transaction> round_;
  uint64_t commits_ = 0;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_PROCESSING_STORE_H_

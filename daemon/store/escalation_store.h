// EscalationStore: the ack-timeout ladder in the store (DESIGN.md §6, issue 9).
//
// An open alert whose deadline (acknowledge by) has passed and that has not
// been escalated yet is "timed out". An alert raised already past its
// deadline (a legal clock's expiry alert, whose deadline is the due time; an
// event reported after its ack_within) never times out: it left nobody time
// to act, and a clock's expiry already alerts the higher levels it names. Escalating it is ONE
// transaction: the alert is marked escalated (so it is never escalated twice, across restarts too),
// a new alert with its own id opens for the next agency of the ladder (escalated_from names the
// original) with its first outbox row, and an escalations row records the step. At the end of the
// ladder (the duty officer timed out) the alert is marked and the step recorded with no target. The
// timer is rebuilt from NextTimeout() at start: nothing of the ladder lives only in memory.
//
// Thread-safety: used from ONE thread, the one that owns its Database.
#ifndef AMPARO_DAEMON_STORE_ESCALATION_STORE_H_
#define AMPARO_DAEMON_STORE_ESCALATION_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/engine/decision.h"
#include "daemon/store/alert_store.h"
#include "daemon/store/audit_log.h"
#include "daemon/store/channel_target.h"
#include "daemon/store/database.h"
#include "daemon/store/outbox_store.h"

namespace amparo {

// An alert whose ack deadline has passed.
struct TimedOutAlert {
  std::string alert_id;
  std::string rule_id;
  std::string subject_key;
  std::string agency_id;
  std::string role;
  std::string opening_event_id;
  std::string last_event_id;
  std::string severity;
  int version = 1;
  Instant deadline{};
  Instant created_at{};
};

// The alert an escalation opens for the next agency.
struct EscalatedAlert {
  std::string alert_id;
  std::string agency_id;
  std::string role;  // "escalation"
  std::optional<Instant> deadline;
  std::optional<std::string> escalates_to;
  AlertSubject about;     // kind "escalation"; the payload is built at send time
  ChannelTarget channel;  // The agency's primary channel.
};

struct EscalationStep {
  const TimedOutAlert* from = nullptr;
  std::optional<EscalatedAlert> to;  // nullopt: the end of the ladder.
  std::string reason;                // e.g. "ack_timeout"
  Instant now{};
};

// What Commit did.
struct EscalationOutcome {
  bool escalated = false;           // false: acknowledged or escalated meanwhile.
  std::string to_alert_id;          // The alert the step opened or found open; "" at the end.
  std::optional<int64_t> delivery;  // The new outbox row, if one was written.
};

class EscalationStore {
 public:
  // REQUIRES: db migrated and outliving this store.
  static Result<std::unique_ptr<EscalationStore>> Create(Database& db);

  EscalationStore(const EscalationStore&) = delete;
  EscalationStore& operator=(const EscalationStore&) = delete;
  ~EscalationStore();

  // The earliest deadline of an open alert not yet escalated, or nullopt.
  Result<std::optional<Instant>> NextTimeout();
  // Open alerts not yet escalated whose deadline is at or before `now`.
  Result<std::vector<TimedOutAlert>> TimedOut(Instant now, int limit);
  // Write every step of `steps` in ONE transaction, in order (the escalator
  // commits a batch of timed-out alerts at once, not one each). Each step is
  // written as the file comment says; a later step sees what the earlier
  // ones wrote. If the next agency already has an open alert of the same
  // rule and subject, the step points at it and no second alert opens. A
  // step whose alert was acknowledged or escalated meanwhile writes nothing.
  // All or nothing: on an error no step is written. Returns one outcome per
  // step. `outbox` must be on the same Database.
  // REQUIRES: no transaction open on the connection.
  Result<std::vector<EscalationOutcome>> CommitAll(const std::vector<EscalationStep>& steps,
                                                   OutboxStore& outbox);

 private:
  struct Statements;
  EscalationStore(Database& db, std::unique_ptr<Statements> statements);
  Result<EscalationOutcome> CommitInTransaction(const EscalationStep& step, OutboxStore& outbox);

  Database& db_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<AuditLog> audit_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_ESCALATION_STORE_H_

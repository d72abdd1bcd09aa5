// Escalator: alerts nobody acknowledged within ack_within climb the ladder
// (DESIGN.md §6, issue 9): the agency's escalates_to, then the duty officer.
//
// Each step is a new alert with its own id, addressed to the next agency
// and built for it by BuildAlert (its language, its disclosure profile; the
// child's flags as the case stands now), with "kind": "escalation" and
// "escalated_from" naming the alert that timed out. It gets a deadline of
// its own (the rule's ack_within from now), so an escalation nobody takes
// escalates again, up to the duty officer; a duty officer's alert that
// times out ends the ladder (recorded, and logged as an error).
//
// The alerts timed out by now are escalated in batches of up to 100, each
// batch ONE transaction (EscalationStore::CommitAll); the logs and counters
// follow its commit.
//
// Everything is in the store (escalation_store.h): the timer is rebuilt from
// it at start, so a kill -9 between a timeout and its escalation only delays
// the escalation to the restart.
//
// Thread-safety: the loop thread only.
#ifndef AMPARO_DAEMON_DELIVERY_ESCALATOR_H_
#define AMPARO_DAEMON_DELIVERY_ESCALATOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/delivery/event_cache.h"
#include "daemon/engine/rule_set.h"
#include "daemon/routing/directory.h"
#include "daemon/store/escalation_store.h"
#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"

namespace amparo {

struct EscalatorCounters {
  uint64_t escalations = 0;  // steps that reached a next agency
  uint64_t ladder_ends = 0;  // timeouts with nobody left to escalate to
};

class Escalator {
 public:
  // `duty_officer`: the last rung (directory.unrouted).
  Escalator(boost::asio::io_context& io, EventStore& events, EventCache& cache,
            ProcessingStore& processing, EscalationStore& escalations, const Clock& clock,
            std::string duty_officer);

  void SetRuleSet(std::shared_ptr<const RuleSet> rules) { rules_ = std::move(rules); }
  void SetDirectory(std::shared_ptr<const Directory> directory) {
    directory_ = std::move(directory);
  }
  // Called after each step that wrote a delivery.
  void OnDeliveries(std::function<void()> callback) { on_deliveries_ = std::move(callback); }

  // Alerts may have opened or been acknowledged: look again at the next deadline.
  void Reschedule();
  // Escalates every alert timed out by now. Returns how many steps were taken.
  Result<int> EscalateDue();
  void Stop();

  const EscalatorCounters& counters() const { return counters_; }

 private:
  // The step for `alert`: its next rung and the alert that opens there, or
  // the end of the ladder. Writes nothing; returns only store errors.
  Result<EscalationStep> StepFor(const TimedOutAlert& alert, Instant now);
  // Counts and logs what a committed step did; sets `wrote_delivery` if it
  // wrote an outbox row.
  void Report(const EscalationStep& step, const EscalationOutcome& outcome, bool& wrote_delivery);

  boost::asio::io_context& io_;
  EventStore& events_;
  EventCache& cache_;
  ProcessingStore& processing_;
  EscalationStore& escalations_;
  const Clock& clock_;
  std::string duty_officer_;
  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const Directory> directory_;
  std::function<void()> on_deliveries_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  EscalatorCounters counters_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_ESCALATOR_H_

// THE decision: what an event, or a legal clock's warning or expiry, makes
// amparo do. One pure function for each, called by the daemon (the pipeline
// and the clock watcher) and by the tools (`amparoctl route`, `amparoctl
// test`), so that a passing rule test is a statement about the daemon.
//
// Event -> derived facts (once) -> fired rules, clock operations and
// inhibitions (engine/) -> recipients (routing/) -> the alerts to raise, and
// the case as it stands after the event.
//
// Which instant things are judged at, the same everywhere:
//  * the rules and clocks: the event itself (occurred_at, its local date and
//    hour);
//  * an agency's validity dates (valid_from/valid_to): the local date of the
//    event, where the child was when it happened;
//  * an agency's office hours: `at`, the instant the alert goes out: for the
//    daemon, when it processes the event or fires the clock; for `amparoctl
//    route`, --at (default occurred_at); for `amparoctl test`, the step's
//    virtual time (and a clock firing's own instant).
//
// Pure: no I/O, no clock reads.
#ifndef AMPARO_DAEMON_ROUTING_DECIDE_H_
#define AMPARO_DAEMON_ROUTING_DECIDE_H_

#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/decision.h"
#include "daemon/engine/derived_facts.h"
#include "daemon/engine/evaluator.h"
#include "daemon/engine/rule_set.h"
#include "daemon/event/event.h"
#include "daemon/routing/directory.h"
#include "daemon/routing/resolver.h"

namespace amparo {

// One alert to raise for one recipient.
struct PlannedAlert {
  AlertSubject about;
  Recipient recipient;
};

// Where to find the agencies; without a directory nothing is routed (the
// tools can decide rules and clocks without one).
struct RoutingContext {
  const Directory* directory = nullptr;
  std::string unrouted_id;  // the duty officer for roles that resolve to nobody
};

// What one event decides.
struct EventDecision {
  DerivedFacts facts;
  Decisions decisions;  // fired rules, clock starts and stops, inhibitions
  Routing routing;  // recipients of the rules and of the clocks started; empty without directory
  // One per (fired rule, agency), in rule order. Clocks alert when they fire.
  std::vector<PlannedAlert> alerts;
  // The case after the event. Its alerted roles are the roles of the fired
  // rules after inhibition, whoever they resolved to.
  CaseSnapshot case_after;
  // The event as recipients may see it: its subject's flags are the case's
  // (FlagsAfter), so a claim made on an earlier event keeps protecting the
  // child's whereabouts (routing/disclosure.h reads them).
  Event disclosed;
};

// Decides `event` of a case that stood at `before`, its alerts going out at `at`.
EventDecision Decide(const RuleSet& rules, const RoutingContext& routing, const Event& event,
                     const CaseSnapshot& before, Instant at);

// What one warning or expiry of a running clock decides.
struct ClockFiringDecision {
  bool defined = false;  // false: the clock left the rule set (a reload); it raises nothing
  // The clock's roles judged on the case NOW: a claim made since it started
  // withholds the consulate.
  std::vector<Inhibition> inhibited;
  Routing routing;
  std::vector<PlannedAlert> alerts;  // one per agency of the clock's remaining roles
  Event disclosed;                   // the starting event with the case's flags now
};

// Decides `firing` of `clock`, which `started_by` started. `now_case` is the
// subject's case as it stands now; the roles are resolved where the child was
// when the clock started, at instant `at`.
ClockFiringDecision DecideClockFiring(const RuleSet& rules, const RoutingContext& routing,
                                      const RunningClock& clock, ClockFiring::Kind firing,
                                      const Event& started_by, const CaseSnapshot& now_case,
                                      Instant at);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ROUTING_DECIDE_H_

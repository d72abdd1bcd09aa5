// Evaluation of a rule set against one event, and the legal clocks' instants.
//
// Pure functions: no I/O, no clock reads. "Now" is an argument.
#ifndef AMPARO_DAEMON_ENGINE_EVALUATOR_H_
#define AMPARO_DAEMON_ENGINE_EVALUATOR_H_

#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/decision.h"
#include "daemon/engine/derived_facts.h"
#include "daemon/engine/rule_set.h"
#include "daemon/event/event.h"

namespace amparo {

// Decides what `event` triggers. Deterministic: rules, clocks and inhibitions
// come out in rule-set order.
//   * Each enabled rule whose `when` holds fires (a FiredRule).
//   * Each clock whose `stop` holds gives a kStop op; otherwise, if its
//     `start` holds, a kStart op anchored at occurred_at (or custody.start),
//     with warn_at and due_at. A clock whose key field is absent is skipped.
//     Whether a clock is already running is the caller's business (see
//     ClockTable).
//   * Each inhibit entry whose `when` holds removes its recipients from the
//     roles of the fired rules and started clocks it applies to, and records
//     one Inhibition per removed role. A rule left without roles still fires.
// `facts` are ComputeDerivedFacts(event, snapshot, rules.options()); callers
// that need them too compute them once and pass them (routing/decide.h).
Decisions Evaluate(const RuleSet& rules, const Event& event, const CaseSnapshot& snapshot,
                   const DerivedFacts& facts);
// As above, computing the derived facts itself.
Decisions Evaluate(const RuleSet& rules, const Event& event, const CaseSnapshot& snapshot);

// Applies the inhibit entries that hold for `event` in `snapshot` (with its
// derived `facts`) to the roles of rule or clock `id`: removes the withheld
// roles from *roles and returns one Inhibition per removed role. For a legal
// clock firing long after it started, pass the case as it is now: a child who
// has claimed asylum since must not have the consulate told.
std::vector<Inhibition> InhibitRoles(const RuleSet& rules, const Event& event,
                                     const CaseSnapshot& snapshot, const DerivedFacts& facts,
                                     const std::string& id, std::vector<std::string>* roles);

// A clock that was started and not stopped: a row of the daemon's `clocks`
// table, or of ClockTable in `amparoctl test`.
struct RunningClock {
  std::string clock_id, key;
  Instant started_at;
  std::optional<Instant> warn_at;
  Instant due_at;
  bool warned = false;   // the warning already fired
  bool expired = false;  // the expiry already fired; the clock runs on, overdue, until stopped
  std::vector<std::string> roles;  // notified at warning and expiry (after inhibition at start)
  std::string event_id;            // the event that started it
};

// A warning or expiry of a running clock.
struct ClockFiring {
  enum class Kind { kWarn, kDue };
  Kind kind;
  std::string clock_id, key;
  Instant at;
  bool operator==(const ClockFiring&) const = default;
};

// The warnings and expiries of `clocks` that are due by `now` and have not
// fired: a warning when warn_at <= now, unless it warned or already expired
// (an expiry makes its warning moot); an expiry when due_at <= now, unless it
// expired. Ordered by instant, then clock id, then key, warnings first. The
// daemon's clock watcher and `amparoctl test` both fire exactly these.
std::vector<ClockFiring> DueClockFirings(const std::vector<RunningClock>& clocks, Instant now);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_EVALUATOR_H_

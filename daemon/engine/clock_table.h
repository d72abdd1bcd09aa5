// The legal clocks running over a sequence of events, kept in memory: what
// `amparoctl test` simulates (the daemon keeps the same table in its store).
//
// Thread-safety: none; one table per simulated case.
#ifndef AMPARO_DAEMON_ENGINE_CLOCK_TABLE_H_
#define AMPARO_DAEMON_ENGINE_CLOCK_TABLE_H_

#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/engine/decision.h"
#include "daemon/engine/evaluator.h"

namespace amparo {

class ClockTable {
 public:
  // The clock ids one Apply() actually started and stopped.
  struct Changes {
    std::vector<std::string> started;
    std::vector<std::string> stopped;
  };

  // Applies the clock ops of one Decisions: starts a clock unless one is
  // already running for its (clock_id, key); stops a running one.
  Changes Apply(const std::vector<ClockOp>& ops);

  // The warnings and expiries in (after, upto] (DueClockFirings); marks the
  // warnings as fired. Expired clocks keep running (overdue) until stopped.
  std::vector<ClockFiring> Advance(Instant after, Instant upto);

  const std::vector<RunningClock>& running() const { return running_; }

 private:
  std::vector<RunningClock>::iterator Find(const std::string& clock_id, const std::string& key);

  std::vector<RunningClock> running_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_CLOCK_TABLE_H_

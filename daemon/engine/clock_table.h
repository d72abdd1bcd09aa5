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

  // Applies the clock ops of `event_id`'s Decisions: starts a clock unless
  // one is already running for its (clock_id, key); stops a running one.
  // (The daemon's store does the same in ProcessingStore::CommitProcessing.)
  Changes Apply(const std::vector<ClockOp>& ops, const std::string& event_id = "");

  // The warnings and expiries due by `now` (DueClockFirings, as the daemon's
  // clock watcher fires them), marked as fired. Expired clocks keep running
  // (overdue) until stopped.
  std::vector<ClockFiring> Advance(Instant now);

  // Two cases became one (case linking): the clocks running under key `from`
  // move to key `to`; of two clocks of one id running under both, the one
  // started first keeps running. (The daemon's store does the same in
  // CaseLinks::Apply.)
  void Rekey(const std::string& from, const std::string& to);

  // The running clock (clock_id, key), or nullptr.
  const RunningClock* Find(const std::string& clock_id, const std::string& key) const;

  const std::vector<RunningClock>& running() const { return running_; }

 private:
  std::vector<RunningClock>::iterator FindMutable(const std::string& clock_id,
                                                  const std::string& key);

  std::vector<RunningClock> running_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_CLOCK_TABLE_H_

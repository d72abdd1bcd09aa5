#include "daemon/engine/clock_table.h"

#include <algorithm>

namespace amparo {

std::vector<RunningClock>::iterator ClockTable::Find(const std::string& clock_id,
                                                     const std::string& key) {
  return std::find_if(running_.begin(), running_.end(), [&](const RunningClock& c) {
    return c.clock_id == clock_id && c.key == key;
  });
}

ClockTable::Changes ClockTable::Apply(const std::vector<ClockOp>& ops) {
  Changes changes;
  for (const ClockOp& op : ops) {
    auto it = Find(op.clock_id, op.key);
    if (op.op == ClockOp::Op::kStop) {
      if (it == running_.end()) continue;
      running_.erase(it);
      changes.stopped.push_back(op.clock_id);
    } else if (it == running_.end()) {
      running_.push_back({op.clock_id, op.key, op.started_at, op.warn_at, op.due_at, false});
      changes.started.push_back(op.clock_id);
    }
  }
  return changes;
}

std::vector<ClockFiring> ClockTable::Advance(Instant after, Instant upto) {
  std::vector<ClockFiring> firings = DueClockFirings(running_, after, upto);
  for (const ClockFiring& f : firings) {
    if (f.kind == ClockFiring::Kind::kWarn) Find(f.clock_id, f.key)->warned = true;
  }
  return firings;
}

}  // namespace amparo

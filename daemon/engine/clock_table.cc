#include "daemon/engine/clock_table.h"

#include <algorithm>

namespace amparo {

std::vector<RunningClock>::iterator ClockTable::FindMutable(const std::string& clock_id,
                                                            const std::string& key) {
  return std::find_if(running_.begin(), running_.end(), [&](const RunningClock& c) {
    return c.clock_id == clock_id && c.key == key;
  });
}

const RunningClock* ClockTable::Find(const std::string& clock_id, const std::string& key) const {
  auto it = std::find_if(running_.begin(), running_.end(), [&](const RunningClock& c) {
    return c.clock_id == clock_id && c.key == key;
  });
  return it == running_.end() ? nullptr : &*it;
}

ClockTable::Changes ClockTable::Apply(const std::vector<ClockOp>& ops,
                                      const std::string& event_id) {
  Changes changes;
  for (const ClockOp& op : ops) {
    auto it = FindMutable(op.clock_id, op.key);
    if (op.op == ClockOp::Op::kStop) {
      if (it == running_.end()) continue;
      running_.erase(it);
      changes.stopped.push_back(op.clock_id);
    } else if (it == running_.end()) {
      running_.push_back({.clock_id = op.clock_id,
                          .key = op.key,
                          .started_at = op.started_at,
                          .warn_at = op.warn_at,
                          .due_at = op.due_at,
                          .roles = op.roles,
                          .event_id = event_id});
      changes.started.push_back(op.clock_id);
    }
  }
  return changes;
}

void ClockTable::Rekey(const std::string& from, const std::string& to) {
  if (from == to) return;
  for (RunningClock& c : running_) {
    if (c.key != from) continue;
    auto other = FindMutable(c.clock_id, to);
    if (other != running_.end() && other->started_at <= c.started_at) {
      c.key.clear();  // the newer duplicate: stopped below
    } else {
      if (other != running_.end()) other->key.clear();
      c.key = to;
    }
  }
  std::erase_if(running_, [](const RunningClock& c) { return c.key.empty(); });
}

std::vector<ClockFiring> ClockTable::Advance(Instant now) {
  std::vector<ClockFiring> firings = DueClockFirings(running_, now);
  for (const ClockFiring& f : firings) {
    auto it = FindMutable(f.clock_id, f.key);
    (f.kind == ClockFiring::Kind::kWarn ? it->warned : it->expired) = true;
  }
  return firings;
}

}  // namespace amparo

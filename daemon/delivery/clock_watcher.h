// The legal clocks' timers: when a running clock reaches its warning or its
// due instant (DueClockFirings), DecideClockFiring (routing/decide.h, as
// `amparoctl test` does) plans the alerts of its roles (kind "clock_warning"
// or "clock_due"), and they are committed with the clock marked, in one
// transaction.
//
// Timers are rebuilt from the store: one steady_timer sleeps until the next
// instant any running clock needs (ClockStore::NextDueAt), then reads only
// the clocks due (ClockStore::DueBy), both through partial indexes. After a
// restart — or after the daemon was down past a deadline — every overdue
// warning and expiry fires at once. A clock stopped meanwhile fires nothing.
//
// Thread-safety: loop thread only.
#ifndef AMPARO_DAEMON_DELIVERY_CLOCK_WATCHER_H_
#define AMPARO_DAEMON_DELIVERY_CLOCK_WATCHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/delivery/event_cache.h"
#include "daemon/engine/evaluator.h"
#include "daemon/engine/rule_set.h"
#include "daemon/routing/directory.h"
#include "daemon/store/clock_store.h"
#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"

namespace amparo {

struct ClockWatcherCounters {
  uint64_t warnings = 0;  // clock warnings that raised alerts
  uint64_t expiries = 0;  // clock expiries that raised alerts
};

class ClockWatcher {
 public:
  // `batch`: how many due clocks FireDue reads at a time.
  ClockWatcher(boost::asio::io_context& io, EventStore& events, ProcessingStore& processing,
               EventCache& cache, const Clock& clock, std::string unrouted_id, int batch = 256);

  void SetRuleSet(std::shared_ptr<const RuleSet> rules) { rules_ = std::move(rules); }
  void SetDirectory(std::shared_ptr<const Directory> directory) {
    directory_ = std::move(directory);
  }
  // Called after each commit that created deliveries.
  void OnDeliveries(std::function<void()> callback) { on_deliveries_ = std::move(callback); }

  // Clocks may have started or stopped: look again at the next instant.
  void Reschedule();
  // Fires every warning and expiry due by now, reading only the clocks
  // that have one due (ClockStore::DueBy). Returns how many fired.
  Result<int> FireDue();
  void Stop();

  const ClockWatcherCounters& counters() const { return counters_; }

 private:
  Status Fire(const RunningClock& clock, const std::string& subject_key, ClockFiring::Kind kind,
              Instant now);

  boost::asio::io_context& io_;
  EventStore& events_;
  ProcessingStore& processing_;
  EventCache& cache_;
  const Clock& clock_;
  std::string unrouted_id_;
  int batch_;
  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const Directory> directory_;
  std::function<void()> on_deliveries_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  ClockWatcherCounters counters_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_CLOCK_WATCHER_H_

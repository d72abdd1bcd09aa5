// ResolvedNotifier: when a legal clock stops (the obligation was met), each
// of its alerts that is not closed gets a "resolved" notice as its last
// version, and is closed (issue 9; resolution_store.h).
//
// The notice carries ids and the clock only, never the child's data, so it
// is the same for every recipient whatever its disclosure profile:
//
//   {"schema": "amparo.alert.v1", "alert_id", "version", "kind": "resolved",
//    "rule": "{clock}:warning", "clock": "{clock}", "resolved_at",
//    "reason": "the legal clock stopped: the obligation was met",
//    "recipient": {"agency"}}
//
// Run after every commit that stopped a clock and once at start.
//
// Thread-safety: the loop thread only.
#ifndef AMPARO_DAEMON_DELIVERY_RESOLVED_NOTIFIER_H_
#define AMPARO_DAEMON_DELIVERY_RESOLVED_NOTIFIER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/routing/directory.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/resolution_store.h"

namespace amparo {

class ResolvedNotifier {
 public:
  // `fallback_agency` (the duty officer) receives the notices of agencies
  // the directory no longer lists.
  ResolvedNotifier(ResolutionStore& store, OutboxStore& outbox, const Clock& clock,
                   std::string fallback_agency)
      : store_(store), outbox_(outbox), clock_(clock), fallback_(std::move(fallback_agency)) {}

  void SetDirectory(std::shared_ptr<const Directory> directory) {
    directory_ = std::move(directory);
  }
  // Called after a run that wrote deliveries.
  void OnDeliveries(std::function<void()> callback) { on_deliveries_ = std::move(callback); }

  // Resolve every alert of a stopped clock. Returns how many were resolved.
  Result<int> ResolveStopped();

  uint64_t resolved() const { return resolved_; }

 private:
  ResolutionStore& store_;
  OutboxStore& outbox_;
  const Clock& clock_;
  std::string fallback_;
  std::shared_ptr<const Directory> directory_;
  std::function<void()> on_deliveries_;
  uint64_t resolved_ = 0;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_RESOLVED_NOTIFIER_H_

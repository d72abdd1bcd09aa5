// The pipeline: a stored event in, its case, alerts, outbox rows and clocks
// out, all or nothing (DESIGN.md §1). Every pending event of a round is
// processed in ONE SQLite transaction, each event in its own savepoint
// (ProcessingStore::BeginRound), so a round costs one commit, not one per
// event.
//
// For each pending event, oldest first: take the decoded event from the
// EventCache (decoded once, by the ingest; decoded again only after a restart
// or an eviction), load the subject's case, Decide (routing/decide.h: the same
// decision `amparoctl route` and `amparoctl test` make), and commit the alerts
// it plans, the clocks it starts and stops and the case it leaves with
// ProcessingStore::CommitProcessing. Payloads are built later, when each
// delivery is sent (payload_builder.h). An event stored but not processed when
// the daemon died is still pending at start and is processed then; an event
// processed twice changes nothing the second time (the commit checks).
//
// Thread-safety: loop thread only. The rule set and directory are swapped
// whole on reload; an event is processed with the pair in force when it
// started.
#ifndef AMPARO_DAEMON_DELIVERY_PIPELINE_H_
#define AMPARO_DAEMON_DELIVERY_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/keyed_hash.h"
#include "daemon/core/status.h"
#include "daemon/delivery/event_cache.h"
#include "daemon/engine/rule_set.h"
#include "daemon/routing/directory.h"
#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"

namespace amparo {

struct PipelineCounters {
  uint64_t processed = 0;  // events committed as processed
  uint64_t failed = 0;     // events that could not be decoded again (marked failed)
  uint64_t alerts_opened = 0;
  uint64_t alerts_updated = 0;
  uint64_t unrouted = 0;      // roles that resolved to nobody (sent to the duty officer)
  uint64_t inhibited = 0;     // roles withheld by an inhibit entry
  uint64_t store_errors = 0;  // commits that failed and will be retried
  uint64_t cancelled = 0;     // deliveries a claim of protection cancelled
  uint64_t linked = 0;        // events that linked or merged cases (case linking)
};

// The subject keys `event` links to its own case: its subject.previous_ids
// and its transfer.to.case_id, each hashed with `hasher` as ingest hashes
// subject.id (store/case_links.h).
LinkedKeys LinkedKeysOf(const Event& event, const SubjectHasher& hasher);

class Pipeline {
 public:
  // `unrouted_id` is the directory's duty officer for roles that resolve to
  // nobody. `hasher` must be the one ingest keys subject ids with: it keys
  // the pseudonyms an event links to its case.
  Pipeline(boost::asio::io_context& io, EventStore& events, ProcessingStore& processing,
           EventCache& cache, const Clock& clock, std::string unrouted_id, SubjectHasher hasher);

  void SetRuleSet(std::shared_ptr<const RuleSet> rules) { rules_ = std::move(rules); }
  void SetDirectory(std::shared_ptr<const Directory> directory) {
    directory_ = std::move(directory);
  }
  // Called after each commit that created deliveries (to nudge the dispatcher).
  void OnDeliveries(std::function<void()> callback) { on_deliveries_ = std::move(callback); }
  // Called after each commit that started or stopped a legal clock.
  void OnClocksChanged(std::function<void()> callback) { on_clocks_changed_ = std::move(callback); }

  // New events were stored: process them soon, on the loop.
  void Notify();
  // Stops processing (at shutdown): pending events stay pending for the next
  // start.
  void Stop();
  // Handles up to `limit` pending events now, in one transaction: each is
  // processed, or marked failed when its stored body no longer decodes.
  // Returns how many were handled (a full batch means more may wait). A
  // store error stops the batch and is returned; the events handled before
  // it are committed.
  Result<int> ProcessPending(int limit);

  const PipelineCounters& counters() const { return counters_; }

 private:
  // What a round changes outside the store, applied once its transaction
  // has committed (a round that fails to commit changes nothing).
  struct Round {
    int handled = 0;
    PipelineCounters counters;
    std::vector<std::function<void()>> logs;
    bool deliveries = false;
    bool clocks_changed = false;
  };

  Status ProcessOne(const StoredEvent& stored, Round& round);
  void ApplyRound(Round& round);
  void Drain();

  boost::asio::io_context& io_;
  EventStore& events_;
  ProcessingStore& processing_;
  EventCache& cache_;
  const Clock& clock_;
  std::string unrouted_id_;
  SubjectHasher hasher_;
  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const Directory> directory_;
  std::function<void()> on_deliveries_;
  std::function<void()> on_clocks_changed_;
  boost::asio::steady_timer retry_timer_;
  bool drain_scheduled_ = false;
  bool stopped_ = false;
  PipelineCounters counters_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_PIPELINE_H_

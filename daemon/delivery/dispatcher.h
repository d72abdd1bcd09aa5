// Dispatcher: drains the outbox through the adapters (DESIGN.md §1, §6).
//
// It loads the due rows of the outbox in bounded batches, builds each row's
// payload for its agency (PayloadFn: at send time, never frozen at commit, so
// an escalation carries what the agency escalated to may see, in its
// language), hands it to the adapter of its channel type, and records the outcome: delivered; a
// failed attempt with the next one scheduled by the retry policy; after the policy's limit (or at
// once for a permanent failure) the agency's next channel; after the last channel the row is dead
// and the alert escalates to the agency's escalates_to (else to the fallback agency, the duty
// officer). A steady timer sleeps until the next row is due; Nudge() wakes it when new rows commit.
//
// At-least-once: the store is the only memory. A row stays 'pending' while it
// is sent, so after a crash between the send and its confirmation Start()
// finds it due and sends it again, with the same idempotency key. A row is
// never sent twice concurrently by one dispatcher (an in-memory in-flight set).
// Fairness: a channel type and an endpoint each have their own cap of sends
// in flight; the rows of a full one wait in the store and are not read (the
// outbox is read one endpoint at a time, a few rows of each), so a slow or
// hanging endpoint delays only its own alerts, and its backlog does not slow
// the reads of the others.
// A confirmation reads the outbox again only when rows wait for a free slot
// (the last pass was held back by a cap or read a full batch); otherwise it
// only has to be recorded, and confirmations are recorded together within
// record_delay. Failures always read the outbox again (a retry or a
// failover changes it).
// Confirmations are recorded once per round: those that arrive together are
// marked delivered in one transaction when the next pass starts (before it
// reads the outbox, so a confirmed row is never sent again), or at Stop().
//
// Logs carry IDs only (delivery, alert, agency), never the payload.
//
// Thread-safety: every method runs on the io_context's one thread, and so do
// the adapters' `done` callbacks.
#ifndef AMPARO_DAEMON_DELIVERY_DISPATCHER_H_
#define AMPARO_DAEMON_DELIVERY_DISPATCHER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/delivery/adapter.h"
#include "daemon/delivery/adapter_set.h"
#include "daemon/delivery/retry_policy.h"
#include "daemon/store/channel_target.h"
#include "daemon/store/outbox_store.h"

namespace amparo {

// Where deliveries go next; the app answers from the routing directory.
struct DeliveryRoutes {
  // Return the agency's channel at `index` (0 = primary), or nullopt past its last.
  std::function<std::optional<ChannelTarget>(const std::string& agency_id, int index)> channel;
  // Return the agency's escalates_to, or nullopt if it has none.
  std::function<std::optional<std::string>(const std::string& agency_id)> escalates_to;
  // Where a dead delivery escalates when its agency has no escalates_to (the
  // duty officer); "" for nowhere.
  std::string fallback_agency;
};

// Builds a delivery's payload when it is sent, for the delivery's agency
// (payload_builder.h). An error is a failed attempt: NotFound (the alert or
// its event is gone) is permanent for the channel, anything else is retried.
using PayloadFn = std::function<Result<std::string>(const Delivery&)>;

struct DispatcherOptions {
  // Rows loaded from the outbox per pass. Must be positive.
  int batch = 64;
  // Sends outstanding at once; further due rows wait for a completion.
  size_t max_in_flight = 256;
  // Sends outstanding at once per channel type, e.g. {"webhook", 16}: what
  // its adapter runs at once (more would only queue inside the adapter, on
  // slots other channels need). A type not named has only max_in_flight.
  std::map<std::string, size_t, std::less<>> max_in_flight_per_channel;
  // Sends outstanding at once to one endpoint (channel type and target), so
  // that an endpoint that hangs (a webhook host that does not answer) holds
  // at most this many slots and the other agencies' alerts still go out.
  size_t max_in_flight_per_target = 8;
  // How long to wait before reading the outbox again after a store error.
  Duration store_retry = std::chrono::seconds(1);
  // How long confirmations may wait to be recorded together when no row
  // waits for a slot. A crash in between resends them (same idempotency key).
  Duration record_delay = std::chrono::milliseconds(20);
};

// Totals since construction, for /metrics.
struct DispatcherCounters {
  uint64_t sent = 0;         // Handed to an adapter.
  uint64_t delivered = 0;    // Confirmed by an adapter.
  uint64_t retried = 0;      // Failed attempts scheduled again on the same channel.
  uint64_t failed_over = 0;  // Channels given up with a next channel to try.
  uint64_t dead = 0;         // Rows given up with no channel left.
  uint64_t escalated = 0;    // Escalation rows created for dead rows.
  uint64_t passes = 0;       // Reads of the outbox.
};

class Dispatcher {
 public:
  // `random` returns a number in [0, 1) for jitter. REQUIRES: the references
  // outlive the dispatcher; `policy` valid (ValidateRetryPolicy); both
  // functions of `routes` and `payload` set.
  Dispatcher(boost::asio::io_context& io, OutboxStore& outbox, AdapterSet& adapters,
             RetryPolicy policy, Clock& clock, std::function<double()> random,
             DeliveryRoutes routes, PayloadFn payload, DispatcherOptions options = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Start draining: every pending row is sent when due. A row that was in
  // flight when a previous run died is due at once (its attempt time has
  // passed); a row waiting for a retry keeps its back-off.
  void Start();
  // Look at the outbox again soon: new rows were committed.
  void Nudge();
  // Stop sending and cancel the timer. Outcomes of sends still in flight are
  // recorded when they arrive; a send with no outcome is redone at the next Start().
  void Stop();

  const DispatcherCounters& counters() const { return counters_; }
  // Return the number of sends waiting for their adapter's outcome.
  size_t in_flight() const { return in_flight_.size(); }

 private:
  void Pump();
  // The channel types and endpoints that are at their cap of sends in flight.
  OutboxStore::Skip Full() const;
  bool HasRoom(const ChannelTarget& channel) const;
  // Whether rows wait for the slot `channel` frees.
  bool RowsWaitFor(const ChannelTarget& channel) const;
  void Send(const Delivery& row);
  void OnDone(const Delivery& row, DeliveryOutcome outcome, const Status& why,
              const DeliveryHint& hint);
  // Marks the confirmed rows delivered, in one transaction. Returns false,
  // keeping them confirmed, when the store refuses.
  bool RecordDelivered();
  // Records the confirmations within record_delay (one timer for many).
  void RecordSoon();
  // Schedules the next attempt after the policy's delay, or after
  // `retry_after` (capped at the policy's max) if that is longer.
  void Retry(const Delivery& row, const Status& why, Instant now,
             std::optional<Duration> retry_after);
  void GiveUpChannel(const Delivery& row, const Status& why, Instant now);
  void Escalate(const Delivery& dead, Instant now);
  void ArmTimer(Duration delay);
  void ArmTimerForNextDue(Instant now);

  boost::asio::io_context& io_;
  OutboxStore& outbox_;
  AdapterSet& adapters_;
  RetryPolicy policy_;
  Clock& clock_;
  std::function<double()> random_;
  DeliveryRoutes routes_;
  PayloadFn payload_;
  DispatcherOptions options_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer record_timer_;
  bool record_armed_ = false;
  // What the last pass left due rows unsent for: any slot (the global cap,
  // or a full batch), or a slot of these channel types and endpoints. A
  // confirmation that frees such a slot reads the outbox again.
  bool waiting_for_any_slot_ = false;
  std::set<std::string, std::less<>> waiting_for_;
  std::set<int64_t> in_flight_;
  // Sends in flight per channel type and per endpoint ("type\ntarget").
  std::map<std::string, size_t, std::less<>> in_flight_per_channel_;
  std::map<std::string, size_t, std::less<>> in_flight_per_target_;
  std::vector<DeliveredRow> delivered_;  // Confirmed, not yet marked in the store.
  DispatcherCounters counters_;
  bool running_ = false;
  bool pump_posted_ = false;
  // Callbacks hold a weak copy, so that an outcome arriving after the
  // dispatcher is gone is dropped (and the row redone at the next start).
  std::shared_ptr<Dispatcher*> self_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_DISPATCHER_H_

// OutboxStore: the `deliveries` table, one row per (alert, version, agency,
// channel) that must reach an agency (DESIGN.md §1, §6).
//
// A row is 'pending' until an adapter confirms it ('delivered'), its channel
// is given up ('failed', and the agency's next channel gets a row of its own)
// or the agency's last channel is given up ('dead', and the dispatcher
// escalates: a row for the escalation agency). Nothing is ever deleted, so the
// table is also the record of every attempt. Every row carries the
// idempotency key "<alert_id>:<version>", which receivers use to drop the
// repeats that at-least-once delivery implies. A row holds no payload: it is
// built when the row is sent, for the row's agency (delivery/).
//
// Which row comes next is the dispatcher's business; the store only records.
#ifndef AMPARO_DAEMON_STORE_OUTBOX_STORE_H_
#define AMPARO_DAEMON_STORE_OUTBOX_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/audit_log.h"
#include "daemon/store/channel_target.h"
#include "daemon/store/database.h"

namespace amparo {

// kCancelled: a pending row that a claim of asylum or fear of return made
// moot, never to be sent (CancellationStore).
enum class DeliveryState { kPending, kDelivered, kFailed, kDead, kCancelled };

struct Delivery {
  int64_t id = 0;
  std::string alert_id;
  int version = 1;
  std::string agency_id;
  int channel_index = 0;  // 0 = the agency's primary channel.
  ChannelTarget channel;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;  // Failed attempts on this row so far.
  Instant next_attempt_at{};
  std::string last_error;  // "" when none.
  Instant created_at{};
  std::optional<Instant> delivered_at;
  std::string idempotency_key;
  std::optional<int64_t> escalated_from;  // The dead row this escalation follows.
};

// The first delivery of an alert version to an agency.
struct NewDelivery {
  std::string alert_id;
  int version = 1;
  std::string agency_id;
  ChannelTarget channel;  // The agency's primary channel.
};

// What FailOver did with a row.
struct FailOverResult {
  std::optional<int64_t> next_delivery_id;  // The next channel's new row, if there was one.
  bool dead = false;                        // No next channel: the row is dead; escalate.
};

// A row an adapter confirmed, and when.
struct DeliveredRow {
  int64_t id = 0;
  Instant at{};
};

struct DeliveryCounts {
  int64_t pending = 0;
  int64_t delivered = 0;
  int64_t failed = 0;
  int64_t dead = 0;
  int64_t cancelled = 0;
};

// Thread-safety: used from ONE thread (the event loop), the one that owns the
// Database it was created on; it holds its own prepared statements.
class OutboxStore {
 public:
  // Compile the statements on `db`. REQUIRES: db migrated and outliving this store.
  static Result<std::unique_ptr<OutboxStore>> Create(Database& db);

  OutboxStore(const OutboxStore&) = delete;
  OutboxStore& operator=(const OutboxStore&) = delete;
  ~OutboxStore();

  // Insert the pending row (channel_index 0) for `delivery`, due at `now`.
  // Meant to run inside the caller's transaction. Returns the new row id, or
  // the SQLite error (a UNIQUE violation if the row exists).
  Result<int64_t> InsertFirst(const NewDelivery& delivery, Instant now);
  // What a pass of the dispatcher does not want now: the channel types, and
  // the endpoints (type and target), that already have as many sends in
  // flight as they may.
  struct Skip {
    std::vector<std::string> channel_types;
    std::vector<ChannelTarget> targets;
  };
  // Return the pending rows due at `now`, earliest first: at most
  // `per_endpoint` of each endpoint (channel type and target) and at most
  // `limit` in all, leaving out the rows of `skip`'s channel types and
  // endpoints. Each endpoint is read on its own, through an index that
  // starts with the endpoint, so a skipped endpoint's backlog is never read:
  // a call costs about (endpoints with pending rows) x log(rows), plus the
  // rows returned. Returns InvalidArgument unless limit > 0 and per_endpoint > 0.
  Result<std::vector<Delivery>> DueDeliveries(Instant now, int limit, int per_endpoint,
                                              const Skip& skip = {});
  // Return the earliest next attempt of a pending row strictly after `after`,
  // or nullopt if there is none.
  Result<std::optional<Instant>> NextDueAfter(Instant after);
  // Return row `id`. Returns NotFound for an unknown id.
  Result<Delivery> Get(int64_t id);
  // Mark pending row `id` delivered at `at`. Returns NotFound unless the row is
  // pending, or cancelled (a row cancelled while in flight that its adapter
  // then confirmed did go out: it is recorded delivered).
  Status MarkDelivered(int64_t id, Instant at);
  // Mark each pending row of `delivered` delivered at its `at`, in ONE transaction
  // (the dispatcher confirms a round of deliveries with one commit, not one
  // each). Returns the ids of the rows that were not pending (unknown, or
  // already delivered, failed or dead), which are left as they are. On any
  // other error nothing is written.
  // REQUIRES: no transaction open on the connection.
  Result<std::vector<int64_t>> MarkAllDelivered(const std::vector<DeliveredRow>& delivered);
  // Count a failed attempt of pending row `id` and schedule the next at
  // `next_attempt_at`. Returns NotFound unless the row is pending.
  Status MarkAttemptFailed(int64_t id, std::string_view error, Instant next_attempt_at);
  // Give up pending row `id`'s channel after a failure `error`, in one
  // transaction: the row becomes 'failed' and a pending row for `next` (the
  // same agency's channel_index + 1) is inserted, due at `now`; with no `next`
  // the row becomes 'dead' instead. Returns NotFound unless the row is pending.
  // REQUIRES: no transaction open on the connection.
  Result<FailOverResult> FailOver(int64_t id, std::string_view error,
                                  const std::optional<ChannelTarget>& next, Instant now);
  // Insert, for dead row `dead_id`, a pending row of the same alert version to
  // `agency_id`'s primary `channel`, due at `now`. Returns the new row id, or
  // nullopt if that agency already has a row for this alert version (an
  // escalation never loops). Returns FailedPrecondition unless the row is dead.
  Result<std::optional<int64_t>> Escalate(int64_t dead_id, std::string_view agency_id,
                                          const ChannelTarget& channel, Instant now);
  // Return the number of pending rows.
  Result<int64_t> PendingCount();
  // Return the number of rows in each state, from one snapshot.
  Result<DeliveryCounts> Counts();

  // The SQL of one step of DueDeliveries' scan of the endpoints, and of its
  // read of one endpoint (for the query-plan tests).
  static std::string_view NextEndpointSql();
  static std::string_view DueForEndpointSql();

 private:
  struct Statements;

  OutboxStore(Database& db, std::unique_ptr<Statements> statements);
  // Appends the audit record of delivery `id`'s result. REQUIRES: a transaction.
  Status AuditDelivery(int64_t id, std::string_view result, Instant at);
  Status UpdatePending(Statement& update, int64_t id);
  // The first endpoint with a pending row after `after` in (type, target)
  // order, the first of all without `after`; nullopt if there is none.
  Result<std::optional<ChannelTarget>> EndpointAfter(const std::optional<ChannelTarget>& after);

  Database& db_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<AuditLog> audit_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_OUTBOX_STORE_H_

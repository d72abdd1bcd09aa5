// CancellationStore: deliveries to the state a child may be fleeing that a
// later claim of asylum or fear of return cancels (issue 16), and the record
// of what had already reached that state (DESIGN.md §7, `deliveries`,
// `delivery_cancellations`).
//
// Which agencies are that state's is routing's business (routing/
// disclosure.h WithholdsWhereabouts): the caller passes it as a predicate on
// agency ids, so the store stays below routing.
#ifndef AMPARO_DAEMON_STORE_CANCELLATION_STORE_H_
#define AMPARO_DAEMON_STORE_CANCELLATION_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/database.h"

namespace amparo {

// True for an agency from which the child's whereabouts are now withheld.
using WithheldAgency = std::function<bool(std::string_view agency_id)>;

// What a cancellation did.
struct CancelOutcome {
  std::vector<int64_t> deliveries;  // Rows moved from 'pending' to 'cancelled'.
  std::vector<std::string> alerts;  // Open alerts closed (no escalation for want of an ack).
};

// One delivery of a subject's alert to an agency the child's whereabouts are
// now withheld from, or that was cancelled for that reason.
struct WithheldDelivery {
  int64_t delivery_id = 0;
  std::string alert_id;
  std::string rule_id;
  std::string agency_id;
  std::string channel_type;
  std::string state;                    // "delivered", or "cancelled".
  std::optional<Instant> delivered_at;  // For "delivered".
  std::optional<Instant> cancelled_at;  // For "cancelled".
  std::string reason;                   // For "cancelled".
};

// Thread-safety: used from ONE thread (the event loop), the one that owns the
// Database it was created on.
class CancellationStore {
 public:
  // Compile the statements on `db`. REQUIRES: db migrated and outliving this store.
  static Result<std::unique_ptr<CancellationStore>> Create(Database& db);

  CancellationStore(const CancellationStore&) = delete;
  CancellationStore& operator=(const CancellationStore&) = delete;
  ~CancellationStore();

  // `subject_key` is a canonical case key: the alerts of every key linked to
  // it (case_aliases) count as its own.
  //
  // Cancels, for subject `subject_key`, every pending delivery of an alert
  // addressed to a `withheld` agency, or escalated (for want of an ack) from
  // such an alert, at any depth, whoever the row is for; and closes those of
  // the alerts that are open, so that nobody escalates them later. Each
  // cancelled row and each closed alert is recorded in
  // delivery_cancellations with `reason` and `event_id`. Meant to run inside
  // the caller's transaction.
  Result<CancelOutcome> CancelWithheld(std::string_view subject_key, const WithheldAgency& withheld,
                                       std::string_view reason, std::string_view event_id,
                                       Instant now);
  // Returns, oldest first, the deliveries of `subject_key`'s alerts that
  // reached a `withheld` agency, and those cancelled by CancelWithheld.
  Result<std::vector<WithheldDelivery>> Withheld(std::string_view subject_key,
                                                 const WithheldAgency& withheld);
  // The SQL of Withheld, for query-plan tests.
  static std::string_view WithheldSql();

 private:
  struct Statements;

  CancellationStore(Database& db, std::unique_ptr<Statements> statements);

  Database& db_;
  std::unique_ptr<Statements> statements_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_CANCELLATION_STORE_H_

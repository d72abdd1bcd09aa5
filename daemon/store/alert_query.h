// AlertQuery: the read side of alerts, deliveries and clocks for the HTTP
// API and /metrics (issue 9). Read-only; it writes nothing.
//
// Visibility: an agency sees an alert addressed to it or one of whose
// deliveries went to it (an escalation); a query without an agency (the duty
// officer) sees every alert.
//
// Thread-safety: used from ONE thread, the one that owns its Database.
#ifndef AMPARO_DAEMON_STORE_ALERT_QUERY_H_
#define AMPARO_DAEMON_STORE_ALERT_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/database.h"

namespace amparo {

struct AlertSummary {
  std::string alert_id;
  std::string rule_id;
  std::string agency_id;
  std::string role;
  std::string severity;
  std::string state;  // open | acknowledged | closed
  int version = 1;
  std::optional<Instant> deadline;
  std::optional<std::string> escalates_to;
  std::string opening_event_id;
  Instant created_at{};
  Instant updated_at{};
};

struct AlertFilter {
  std::optional<std::string> visible_to;  // An agency; nullopt: every alert.
  std::optional<std::string> agency;      // Addressed to this agency.
  std::optional<std::string> severity;
  std::optional<Instant> due_before;  // Only alerts with a deadline before this.
  std::string state = "open";         // open | acknowledged | closed | any
  int limit = 100;                    // 1..1000
};

struct DeliverySummary {
  int64_t id = 0;
  int version = 1;
  std::string agency_id;
  std::string channel_type;
  std::string state;
  int attempts = 0;
  std::string last_error;
  Instant created_at{};
  std::optional<Instant> delivered_at;
  std::optional<int64_t> escalated_from;
};

// A count with up to two labels, for /metrics.
struct LabelledCount {
  std::string first;
  std::string second;
  int64_t count = 0;
};

class AlertQuery {
 public:
  // REQUIRES: db migrated and outliving this query.
  explicit AlertQuery(Database& db) : db_(db) {}

  // Alerts matching `filter`, soonest deadline first, then newest.
  // InvalidArgument for a bad state or limit.
  Result<std::vector<AlertSummary>> List(const AlertFilter& filter);
  // Alert `alert_id` if `visible_to` (nullopt: anyone) may see it; NotFound
  // otherwise, so that an agency cannot probe for other agencies' alerts.
  Result<AlertSummary> Get(std::string_view alert_id, const std::optional<std::string>& visible_to);
  // The deliveries of `alert_id`, oldest first.
  Result<std::vector<DeliverySummary>> Deliveries(std::string_view alert_id);

  // For /metrics: open alerts by (rule, severity).
  Result<std::vector<LabelledCount>> OpenAlertsByRuleAndSeverity();
  // Every alert ever raised by (rule, severity).
  Result<std::vector<LabelledCount>> AlertsByRuleAndSeverity();
  // Deliveries by (channel type, state).
  Result<std::vector<LabelledCount>> DeliveriesByChannelAndState();
  // Dead letters by reason class (the reason up to its first ':').
  Result<std::vector<LabelledCount>> DeadLettersByReasonClass();
  // Refused acks by (via, reason code).
  Result<std::vector<LabelledCount>> RefusedAcksByReason();
  // Events by outcome (stored, duplicates, dead_letters) from the durable counters.
  Result<std::vector<LabelledCount>> EventsByOutcome();
  // Running clocks due before `before`.
  Result<int64_t> ClocksDueBefore(Instant before);
  // The database's size in bytes (page_count * page_size).
  Result<int64_t> StoreBytes();

 private:
  Result<std::vector<LabelledCount>> Counts(std::string_view sql);

  Database& db_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_ALERT_QUERY_H_

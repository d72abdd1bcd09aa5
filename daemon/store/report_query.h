// ReportQuery: what the anonymized compliance report (amparoctl report,
// issue 13) needs from the store, one fact a row. Read-only.
//
// A fact carries the subject only as the store's keyed hash, for counting
// distinct children; the report never prints it. Dead letters carry only the
// country of the topic they came on and their reason class.
//
// Thread-safety: used from ONE thread, the one that owns its Database.
#ifndef AMPARO_DAEMON_STORE_REPORT_QUERY_H_
#define AMPARO_DAEMON_STORE_REPORT_QUERY_H_

#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/database.h"

namespace amparo {

// One alert raised in the period, with what became of it.
struct AlertFact {
  std::string agency_id;
  std::string rule_id;
  std::string child;   // The subject's keyed hash: for counting only, never printed.
  Instant event_at{};  // The opening event's occurred_at (the alert's creation if unknown).
  std::optional<Instant> deadline;
  std::optional<Instant> first_delivered;
  std::optional<Instant> first_ack;
  int escalations = 0;  // Escalation steps taken from this alert.
};

// One dead letter received in the period.
struct DeadLetterFact {
  std::string country;       // From the topic rcm/v1/events/{country}/…; "??" if not a code.
  std::string reason_class;  // The reason up to its first ':' (a field path); "other" if odd.
};

class ReportQuery {
 public:
  // REQUIRES: db migrated and outliving this query.
  explicit ReportQuery(Database& db) : db_(db) {}

  // Alerts whose opening event occurred in [from, to) (the alert's creation
  // when the event is not in the store): the obligations the period raised.
  Result<std::vector<AlertFact>> Alerts(Instant from, Instant to);
  // Dead letters received in [from, to).
  Result<std::vector<DeadLetterFact>> DeadLetters(Instant from, Instant to);

 private:
  Database& db_;
};

// The country segment of an event topic, "??" when it is not two capitals.
std::string TopicCountry(std::string_view topic);
// The class of a dead letter's reason: up to its first ':', if it is a plain
// field path or words (letters, digits, _ . [ ] - and spaces); "other" otherwise.
std::string ReasonClass(std::string_view reason);

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_REPORT_QUERY_H_

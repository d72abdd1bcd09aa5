// AlertStore: the alerts the pipeline raised and their acknowledgements
// (DESIGN.md §6, §7).
//
// An alert is one (rule, subject, agency) obligation. Its id is derived from
// the rule, the subject key, the agency and the event that opened it, so the
// same decision always yields the same id: the id is the receivers'
// idempotency key. While an alert is open, a later event for the same (rule,
// subject, agency) updates it (version + 1, what it is about now) instead of opening a
// second one; a partial UNIQUE index makes a second open alert impossible.
// An alert stores what it is about (AlertSubject, as JSON), not a payload:
// each delivery's payload is built when it is sent (delivery/).
#ifndef AMPARO_DAEMON_STORE_ALERT_STORE_H_
#define AMPARO_DAEMON_STORE_ALERT_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/engine/decision.h"
#include "daemon/store/channel_target.h"
#include "daemon/store/database.h"

namespace amparo {

// Return the alert id: lowercase hex of the first 16 bytes of
// SHA-256(rule_id "\0" subject_key "\0" agency_id "\0" opening_event_id).
std::string DeriveAlertId(std::string_view rule_id, std::string_view subject_key,
                          std::string_view agency_id, std::string_view opening_event_id);

// `about` as the store keeps it (JSON), and back. FromJson returns Corruption
// for text ToJson did not write.
std::string AlertSubjectToJson(const AlertSubject& about);
Result<AlertSubject> AlertSubjectFromJson(std::string_view text);

// An alert to open, or to update if one is open for (rule_id, subject, agency_id).
struct AlertChange {
  std::string rule_id;
  std::string role;  // The role (decision.h kRoles) the agency was resolved for.
  std::string agency_id;
  std::string opening_event_id;  // The event that opens the alert if none is open.
  Severity severity = Severity::kWarning;
  std::optional<Instant> deadline;          // Acknowledge by; an update keeps the earlier one.
  AlertSubject about;                       // What it is about; payloads are built from it.
  std::vector<ChannelTarget> channels;      // The agency's channels, ordered; at least one.
  std::optional<std::string> escalates_to;  // The agency's escalation target, recorded.
};

enum class AlertState { kOpen, kAcknowledged, kClosed };

struct AlertRecord {
  std::string alert_id;
  std::string rule_id;
  std::string subject_key;
  std::string agency_id;
  std::string role;
  std::string opening_event_id;
  std::string last_event_id;
  std::string severity;  // SeverityName() of the last version.
  AlertState state = AlertState::kOpen;
  int version = 1;
  std::optional<Instant> deadline;
  std::optional<std::string> escalates_to;
  Instant created_at{};
  Instant updated_at{};
  AlertSubject about;  // Of the last version; each recipient's payload is built from it.
  std::optional<std::string> escalated_from;  // The alert nobody acknowledged, for an escalation.
};

// What OpenOrUpdate did.
struct AlertVersion {
  std::string alert_id;
  int version = 1;
  bool opened = false;  // True for a new alert, false for an update of an open one.
};

// An acknowledgement of an alert by an agency.
struct Ack {
  std::string alert_id;
  std::string agency_id;
  Instant at{};
  std::string by;    // Who acknowledged, as the agency names them.
  std::string note;  // Free text; may be empty.
  std::string via;   // "mqtt" or "http".
};

// Thread-safety: used from ONE thread, the one that owns the Database it was
// created on; it holds its own prepared statements.
class AlertStore {
 public:
  // Compile the statements on `db`. REQUIRES: db migrated and outliving this store.
  static Result<std::unique_ptr<AlertStore>> Create(Database& db);

  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;
  ~AlertStore();

  // Open the alert for `change` caused by event `event_id` of `subject_key`,
  // or, if one is open for (rule_id, subject_key, agency_id), write its next
  // version. Meant to run inside the caller's transaction. Returns
  // InvalidArgument for an empty rule_id, agency_id or opening_event_id, and
  // the SQLite error (e.g. a UNIQUE violation) otherwise.
  Result<AlertVersion> OpenOrUpdate(const AlertChange& change, std::string_view subject_key,
                                    std::string_view event_id, Instant now);
  // Return the open alert for (rule_id, subject_key, agency_id), or nullopt.
  Result<std::optional<AlertRecord>> FindOpen(std::string_view rule_id,
                                              std::string_view subject_key,
                                              std::string_view agency_id);
  // Return the ids of the rule alerts (not clocks', not escalations) that
  // event `event_id` opened for `subject_key`, in id order.
  Result<std::vector<std::string>> RaisedBy(std::string_view subject_key,
                                            std::string_view event_id);
  // Return alert `alert_id`. Returns NotFound for an unknown id.
  Result<AlertRecord> Get(std::string_view alert_id);
  // Record `ack` and mark the alert acknowledged if it is open, in one
  // transaction. Returns NotFound for an unknown alert.
  // REQUIRES: no transaction open on the connection.
  Status RecordAck(const Ack& ack);

 private:
  struct Statements;

  AlertStore(Database& db, std::unique_ptr<Statements> statements);
  Result<AlertRecord> ReadOne(Statement& query);

  Database& db_;
  std::unique_ptr<Statements> statements_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_ALERT_STORE_H_

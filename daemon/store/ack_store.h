// AckStore: acknowledgements of alerts, accepted or refused (DESIGN.md §6,
// issue 9).
//
// An ack records that a person at an agency took an alert. Record() checks
// it against the alert and, in ONE transaction, either stores it and moves
// the alert from open to acknowledged (which stops its ack timer: the
// escalator only looks at open alerts), recognises a repeat (same alert,
// agency and idempotency key: nothing new is written), or stores it as a
// refused ack with the reason. Nothing is dropped: Refuse() keeps what could
// not even be parsed.
//
// Who may acknowledge: the agency the alert is addressed to, an agency one
// of its deliveries went to (an escalation), or the privileged agency (the
// duty officer), which may acknowledge any alert.
//
// Thread-safety: used from ONE thread, the one that owns its Database. The
// MQTT ack path (Paho's thread) and the HTTP path (the loop) each have their
// own AckStore on their own connection; SQLite serialises the writers.
#ifndef AMPARO_DAEMON_STORE_ACK_STORE_H_
#define AMPARO_DAEMON_STORE_ACK_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/audit_log.h"
#include "daemon/store/database.h"

namespace amparo {

// An acknowledgement as it arrived, already parsed.
struct AckRequest {
  std::string alert_id;
  std::optional<int> version;   // The alert version the person saw.
  std::string idempotency_key;  // Given by the sender; else derived from version.
  std::string agency_id;        // Who acks: the topic's agency or the token's.
  std::string by;               // Who acknowledged, as the agency names them.
  std::string note;             // Free text; may be empty.
  std::optional<Instant> at;    // When, as the sender says; else the receipt time.
  std::string via;              // "mqtt" or "http".
};

enum class AckOutcome {
  kAccepted,   // Stored; the alert is acknowledged (if it was open).
  kDuplicate,  // The same ack was stored before; nothing new written.
  kRefused,    // Stored in refused_acks with the reason.
};

std::string_view AckOutcomeName(AckOutcome outcome);

// Why an ack was refused: a stable code for machines and a sentence for people.
struct AckRefusal {
  std::string code;  // e.g. "unknown_alert", "not_recipient", "malformed", "unknown_version".
  std::string reason;
};

struct AckResult {
  AckOutcome outcome = AckOutcome::kRefused;
  std::string alert_id;
  std::optional<AckRefusal> refusal;  // Set for kRefused.
  bool state_changed = false;         // The alert went from open to acknowledged.
  std::optional<Duration> latency;    // kAccepted: from the alert's creation to the ack.
};

// One stored ack, for the API.
struct AckRow {
  std::string alert_id;
  std::string agency_id;
  Instant at{};
  std::string by;
  std::string note;
  std::string via;
  std::optional<int> version;
  std::string idempotency_key;
};

// One refused ack, for the API and the tests.
struct RefusedAckRow {
  int64_t id = 0;
  Instant received_at{};
  std::string via;
  std::string agency_id;
  std::string alert_id;
  std::string reason_code;
  std::string reason;
  std::string raw;
};

class AckStore {
 public:
  // Compile the statements on `db`. `privileged_agency` (the duty officer)
  // may acknowledge any alert. REQUIRES: db migrated and outliving this store.
  static Result<std::unique_ptr<AckStore>> Create(Database& db, std::string privileged_agency);

  AckStore(const AckStore&) = delete;
  AckStore& operator=(const AckStore&) = delete;
  ~AckStore();

  // Check `ack` and store it, its repeat, or its refusal (with `raw`, the
  // bytes as received), in one transaction. Returns a non-OK status only
  // when nothing could be stored; the caller must then not confirm the ack.
  // REQUIRES: no transaction open on the connection.
  Result<AckResult> Record(const AckRequest& ack, std::string_view raw, Instant now);
  // Store a refused ack that could not be parsed into an AckRequest.
  // `agency_id` and `alert_id` may be empty when unknown.
  Result<AckResult> Refuse(std::string_view via, std::string_view agency_id,
                           std::string_view alert_id, AckRefusal refusal, std::string_view raw,
                           Instant now);

  // Return the acks of `alert_id`, oldest first.
  Result<std::vector<AckRow>> ForAlert(std::string_view alert_id);
  // Return the latest `limit` refused acks, newest first.
  Result<std::vector<RefusedAckRow>> RecentRefused(int limit);

 private:
  struct Statements;

  AckStore(Database& db, std::string privileged_agency, std::unique_ptr<Statements> statements);
  Result<AckResult> RecordInTransaction(const AckRequest& ack, std::string_view raw, Instant now);
  Status InsertRefused(std::string_view via, std::string_view agency_id, std::string_view alert_id,
                       const AckRefusal& refusal, std::string_view raw, Instant now);

  Database& db_;
  std::string privileged_agency_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<AuditLog> audit_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_ACK_STORE_H_

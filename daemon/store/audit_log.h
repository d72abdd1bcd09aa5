// The audit hash chain (DESIGN.md §7): every state change that matters (an
// event stored, a dead letter, an alert raised, escalated, acknowledged or
// resolved, a delivery's result, a config reload, a retention purge) appends
// one record, in the same SQLite transaction as the change itself, whose hash
// is SHA-256 over the previous record's hash and this record's content. A
// record altered, removed or moved breaks the chain at that row, and
// VerifyAuditChain (`amparoctl audit verify`) names the first broken row.
//
// Records hold no personal data: ids, keyed subject hashes, rule and agency
// ids, and SHA-256 hashes of content (an event's body, a dead letter's bytes).
// So the chain still verifies after the retention job purges that content,
// and still proves what the content was.
//
// The head (last seq and hash) is kept in audit_head too, so that removing
// the newest records is detected as well.
//
// Thread-safety: an AuditLog is used from the thread that owns its Database.
#ifndef AMPARO_DAEMON_STORE_AUDIT_LOG_H_
#define AMPARO_DAEMON_STORE_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/database.h"

namespace amparo {

// The kinds of audit records.
namespace audit {
inline constexpr std::string_view kEventStored = "event_stored";
inline constexpr std::string_view kDeadLetter = "dead_letter";
inline constexpr std::string_view kAlertRaised = "alert_raised";
inline constexpr std::string_view kAlertUpdated = "alert_updated";
inline constexpr std::string_view kAlertEscalated = "alert_escalated";
inline constexpr std::string_view kAlertAcked = "alert_acked";
inline constexpr std::string_view kAlertResolved = "alert_resolved";
inline constexpr std::string_view kDelivery = "delivery";
inline constexpr std::string_view kConfigReload = "config_reload";
inline constexpr std::string_view kPersonalDataPurged = "personal_data_purged";
inline constexpr std::string_view kCaseLinked = "case_linked";
}  // namespace audit

// `detail` as the compact JSON an audit record holds (invalid UTF-8 replaced).
std::string AuditDetail(const nlohmann::json& detail);

// SHA-256 of `bytes`, 64 lower-case hex characters.
std::string Sha256Hex(std::string_view bytes);

// The hash of one record: SHA-256 over prev_hash, seq, at_ms, kind, ref and
// detail, each followed by a NUL byte (so no two records' fields run together).
std::string AuditRecordHash(std::string_view prev_hash, int64_t seq, int64_t at_ms,
                            std::string_view kind, std::string_view ref, std::string_view detail);

// The prev_hash of the first record: 64 zeros.
inline constexpr std::string_view kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

class AuditLog {
 public:
  // Prepares the statements on `db` (whose schema has the audit tables).
  static Result<std::unique_ptr<AuditLog>> Create(Database& db);
  ~AuditLog();

  // Appends one record. `detail` is a JSON object without personal data.
  // REQUIRES: a write transaction is open on the database, so that the record
  // commits (or rolls back) with the change it records.
  Status Append(std::string_view kind, std::string_view ref, std::string_view detail, Instant at);

 private:
  struct Statements;
  AuditLog(Database& db, std::unique_ptr<Statements> statements);
  Database& db_;
  std::unique_ptr<Statements> statements_;
};

// What VerifyAuditChain found.
struct AuditVerification {
  int64_t records = 0;  // records read
  // The first broken link: the row (its seq, as stored) and what is wrong.
  // Absent when the chain is whole.
  std::optional<int64_t> broken_seq;
  std::string problem;
  std::string head_hash;  // the last record's hash when whole
};

// Reads the whole chain in seq order and checks each link: seq follows the
// previous one, prev_hash is the previous record's hash, hash matches the
// record's content; and the head matches the last record. Returns a non-OK
// Status only if the database cannot be read.
Result<AuditVerification> VerifyAuditChain(Database& db);

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_AUDIT_LOG_H_

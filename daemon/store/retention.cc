#include "daemon/store/retention.h"

#include <nlohmann/json.hpp>

#include "daemon/store/audit_log.h"
#include "daemon/store/rows.h"

namespace amparo {
namespace {

// Events old enough whose case is closed and quiet for the retention too.
// The case is every subject key linked to the event's (store/case_links.h):
// its canonical key and that key's aliases.
std::string EventsQuery() {
  const std::string canonical =
      "COALESCE((SELECT y.case_key FROM case_aliases y WHERE y.subject_key = e.subject_key), "
      "e.subject_key)";
  const std::string keys =
      "(SELECT x.subject_key FROM case_aliases x WHERE x.case_key = " + canonical +
      " UNION SELECT " + canonical + ")";
  return "SELECT e.id, e.event_id, e.subject_key, e.body FROM events e "
         "WHERE e.purged_at_ms IS NULL AND e.received_at_ms <= ?1 AND e.state != 'pending' "
         "AND NOT EXISTS (SELECT 1 FROM events l WHERE l.subject_key IN " +
         keys +
         " AND l.received_at_ms > ?1) "
         "AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.subject_key IN " +
         keys +
         " AND a.state IN ('open', 'acknowledged')) "
         "AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN alerts a ON a.alert_id = d.alert_id "
         "WHERE a.subject_key IN " +
         keys +
         " AND d.state = 'pending') "
         "AND NOT EXISTS (SELECT 1 FROM clocks c WHERE c.subject_key IN " +
         keys + " AND c.state = 'running') ORDER BY e.id LIMIT ?2";
}
constexpr std::string_view kPurgeEvent =
    "UPDATE events SET body = ?1, purged_at_ms = ?2 WHERE id = ?3";
constexpr std::string_view kDeadLetters = R"sql(
  SELECT id, reason, raw FROM dead_letters
  WHERE purged_at_ms IS NULL AND received_at_ms <= ?1 ORDER BY id LIMIT ?2)sql";
constexpr std::string_view kPurgeDeadLetter =
    "UPDATE dead_letters SET raw = x'', reason = ?1, purged_at_ms = ?2 WHERE id = ?3";
constexpr std::string_view kRefusedAcks = R"sql(
  SELECT id, raw FROM refused_acks
  WHERE purged_at_ms IS NULL AND received_at_ms <= ?1 ORDER BY id LIMIT ?2)sql";
constexpr std::string_view kPurgeRefusedAck =
    "UPDATE refused_acks SET raw = x'', purged_at_ms = ?1 WHERE id = ?2";

}  // namespace

Result<std::string> PseudonymousBody(std::string_view body, std::string_view subject_key) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("subject") || !j["subject"].is_object()) {
    return Status::InvalidArgument("event body without a subject object");
  }
  auto& subject = j["subject"];
  subject.erase("name");
  subject.erase("birth_date");
  subject.erase("birth_date_precision");
  // Other pseudonyms of the child: the links they made live on in case_aliases, as keys.
  subject.erase("previous_ids");
  if (j.contains("transfer") && j["transfer"].is_object() && j["transfer"].contains("to") &&
      j["transfer"]["to"].is_object()) {
    j["transfer"]["to"].erase("case_id");
  }
  subject["id"] = std::string(subject_key);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<PurgeReport> PurgePersonalData(Database& db, const PurgeOptions& options) {
  if (options.limit <= 0) return Status::InvalidArgument("limit must be positive");
  const int64_t cutoff = rows::ToMillis(options.now - options.retention);
  const int64_t now = rows::ToMillis(options.now);
  PurgeReport report;
  Result<Transaction> tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();

  struct EventRow {
    int64_t id;
    std::string event_id, subject_key, body;
  };
  std::vector<EventRow> events;
  {
    Result<Statement> q = db.Prepare(EventsQuery());
    if (!q.ok()) return q.status();
    if (Status s = q->Bind(cutoff, static_cast<int64_t>(options.limit)); !s.ok()) return s;
    for (;;) {
      Result<bool> row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      events.push_back({q->ColumnInt64(0), q->ColumnText(1), q->ColumnText(2), q->ColumnText(3)});
    }
  }
  Result<Statement> purge_event = db.Prepare(kPurgeEvent);
  if (!purge_event.ok()) return purge_event.status();
  for (const EventRow& e : events) {
    report.items.push_back("events " + e.event_id);
    ++report.events;
    if (options.dry_run) continue;
    Result<std::string> kept = PseudonymousBody(e.body, e.subject_key);
    // A body that is not an event object (never written by ingest) is
    // replaced by its subject key alone.
    const std::string body = kept.ok() ? *kept : R"({"subject":{"id":")" + e.subject_key + "\"}}";
    ScopedReset reset(*purge_event);
    Status s = purge_event->Bind(std::string_view(body), now, e.id);
    if (s.ok()) s = purge_event->Run();
    if (!s.ok()) return s;
    const nlohmann::json detail = {{"table", "events"},
                                   {"subject", e.subject_key},
                                   {"purged_sha256", Sha256Hex(e.body)},
                                   {"kept_sha256", Sha256Hex(body)}};
    s = (*audit)->Append(audit::kPersonalDataPurged, e.event_id, AuditDetail(detail), options.now);
    if (!s.ok()) return s;
  }

  struct RawRow {
    int64_t id;
    std::string reason, raw;
  };
  auto collect = [&](std::string_view sql, bool with_reason) -> Result<std::vector<RawRow>> {
    std::vector<RawRow> out;
    Result<Statement> q = db.Prepare(sql);
    if (!q.ok()) return q.status();
    if (Status s = q->Bind(cutoff, static_cast<int64_t>(options.limit)); !s.ok()) return s;
    for (;;) {
      Result<bool> row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      out.push_back(with_reason ? RawRow{q->ColumnInt64(0), q->ColumnText(1), q->ColumnBlob(2)}
                                : RawRow{q->ColumnInt64(0), "", q->ColumnBlob(1)});
    }
  };
  Result<std::vector<RawRow>> letters = collect(kDeadLetters, true);
  if (!letters.ok()) return letters.status();
  Result<Statement> purge_letter = db.Prepare(kPurgeDeadLetter);
  if (!purge_letter.ok()) return purge_letter.status();
  for (const RawRow& r : *letters) {
    report.items.push_back("dead_letters #" + std::to_string(r.id));
    ++report.dead_letters;
    if (options.dry_run) continue;
    // The field path stays; what follows it may quote the publisher's data.
    const std::string field = r.reason.substr(0, r.reason.find(':'));
    const std::string reason = field.size() == r.reason.size() ? r.reason : field + ": (purged)";
    ScopedReset reset(*purge_letter);
    Status s = purge_letter->Bind(std::string_view(reason), now, r.id);
    if (s.ok()) s = purge_letter->Run();
    if (!s.ok()) return s;
    const nlohmann::json detail = {{"table", "dead_letters"},
                                   {"row", r.id},
                                   {"purged_sha256", Sha256Hex(r.raw)},
                                   {"reason_sha256", Sha256Hex(r.reason)}};
    s = (*audit)->Append(audit::kPersonalDataPurged, "dead_letters#" + std::to_string(r.id),
                         AuditDetail(detail), options.now);
    if (!s.ok()) return s;
  }
  Result<std::vector<RawRow>> refused = collect(kRefusedAcks, false);
  if (!refused.ok()) return refused.status();
  Result<Statement> purge_refused = db.Prepare(kPurgeRefusedAck);
  if (!purge_refused.ok()) return purge_refused.status();
  for (const RawRow& r : *refused) {
    report.items.push_back("refused_acks #" + std::to_string(r.id));
    ++report.refused_acks;
    if (options.dry_run) continue;
    ScopedReset reset(*purge_refused);
    Status s = purge_refused->Bind(now, r.id);
    if (s.ok()) s = purge_refused->Run();
    if (!s.ok()) return s;
    const nlohmann::json detail = {
        {"table", "refused_acks"}, {"row", r.id}, {"purged_sha256", Sha256Hex(r.raw)}};
    s = (*audit)->Append(audit::kPersonalDataPurged, "refused_acks#" + std::to_string(r.id),
                         AuditDetail(detail), options.now);
    if (!s.ok()) return s;
  }
  if (options.dry_run) return report;  // the transaction rolls back: nothing changed
  if (Status s = tx->Commit(); !s.ok()) return s;
  return report;
}

}  // namespace amparo

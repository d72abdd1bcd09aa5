#include "daemon/store/report_query.h"

#include "daemon/store/rows.h"

namespace amparo {

namespace {

constexpr std::string_view kAlertFacts = R"sql(
  SELECT a.agency_id, a.rule_id, a.subject_key,
         COALESCE(e.occurred_at_ms, a.created_at_ms), a.deadline_ms,
         (SELECT MIN(d.delivered_at_ms) FROM deliveries d WHERE d.alert_id = a.alert_id),
         (SELECT MIN(k.at_ms) FROM acks k WHERE k.alert_id = a.alert_id),
         (SELECT COUNT(*) FROM escalations s WHERE s.from_alert_id = a.alert_id)
  FROM alerts a LEFT JOIN events e ON e.event_id = a.opening_event_id
  WHERE COALESCE(e.occurred_at_ms, a.created_at_ms) >= ?1
    AND COALESCE(e.occurred_at_ms, a.created_at_ms) < ?2
  ORDER BY a.created_at_ms
)sql";

constexpr std::string_view kDeadLetterFacts = R"sql(
  SELECT topic, reason FROM dead_letters WHERE received_at_ms >= ?1 AND received_at_ms < ?2
)sql";

}  // namespace

Result<std::vector<AlertFact>> ReportQuery::Alerts(Instant from, Instant to) {
  Result<Statement> query = db_.Prepare(kAlertFacts);
  if (!query.ok()) return query.status();
  if (Status s = query->Bind(rows::ToMillis(from), rows::ToMillis(to)); !s.ok()) return s;
  return rows::CollectRows<AlertFact>(*query, [](const Statement& row) -> Result<AlertFact> {
    AlertFact f;
    f.agency_id = row.ColumnText(0);
    f.rule_id = row.ColumnText(1);
    f.child = row.ColumnText(2);
    f.event_at = rows::FromMillis(row.ColumnInt64(3));
    f.deadline = rows::OptionalInstant(row, 4);
    f.first_delivered = rows::OptionalInstant(row, 5);
    f.first_ack = rows::OptionalInstant(row, 6);
    f.escalations = static_cast<int>(row.ColumnInt64(7));
    return f;
  });
}

Result<std::vector<DeadLetterFact>> ReportQuery::DeadLetters(Instant from, Instant to) {
  Result<Statement> query = db_.Prepare(kDeadLetterFacts);
  if (!query.ok()) return query.status();
  if (Status s = query->Bind(rows::ToMillis(from), rows::ToMillis(to)); !s.ok()) return s;
  return rows::CollectRows<DeadLetterFact>(
      *query, [](const Statement& row) -> Result<DeadLetterFact> {
        return DeadLetterFact{TopicCountry(row.ColumnText(0)), ReasonClass(row.ColumnText(1))};
      });
}

std::string TopicCountry(std::string_view topic) {
  constexpr std::string_view kPrefix = "rcm/v1/events/";
  if (!topic.starts_with(kPrefix)) return "??";
  const std::string_view rest = topic.substr(kPrefix.size());
  if (rest.size() < 2 || (rest.size() > 2 && rest[2] != '/')) return "??";
  for (size_t i = 0; i < 2; ++i) {
    if (rest[i] < 'A' || rest[i] > 'Z') return "??";
  }
  return std::string(rest.substr(0, 2));
}

std::string ReasonClass(std::string_view reason) {
  const std::string_view head = reason.substr(0, reason.find(':'));
  if (head.empty() || head.size() > 64) return "other";
  for (const char c : head) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '.' || c == '[' || c == ']' || c == '-' || c == ' ';
    if (!plain) return "other";
  }
  return std::string(head);
}

}  // namespace amparo

#include "daemon/store/alert_query.h"

#include <utility>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kSummaryColumns = R"sql(
  a.alert_id, a.rule_id, a.agency_id, a.role, a.severity, a.state, a.version, a.deadline_ms,
  a.escalates_to, a.opening_event_id, a.created_at_ms, a.updated_at_ms)sql";

// Matches alerts `a` visible to agency ?N.
std::string VisibleTo(int param) {
  const std::string p = "?" + std::to_string(param);
  return "(a.agency_id = " + p +
         " OR EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.alert_id AND d.agency_id = " +
         p + "))";
}

Result<AlertSummary> ReadSummary(const Statement& row) {
  return AlertSummary{
      .alert_id = row.ColumnText(0),
      .rule_id = row.ColumnText(1),
      .agency_id = row.ColumnText(2),
      .role = row.ColumnText(3),
      .severity = row.ColumnText(4),
      .state = row.ColumnText(5),
      .version = static_cast<int>(row.ColumnInt64(6)),
      .deadline = rows::OptionalInstant(row, 7),
      .escalates_to = row.ColumnIsNull(8) ? std::nullopt : std::optional(row.ColumnText(8)),
      .opening_event_id = row.ColumnText(9),
      .created_at = rows::FromMillis(row.ColumnInt64(10)),
      .updated_at = rows::FromMillis(row.ColumnInt64(11))};
}

}  // namespace

Result<std::vector<AlertSummary>> AlertQuery::List(const AlertFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) {
    return Status::InvalidArgument("limit must be 1..1000, got " + std::to_string(filter.limit));
  }
  if (filter.state != "open" && filter.state != "acknowledged" && filter.state != "closed" &&
      filter.state != "any") {
    return Status::InvalidArgument("state must be open, acknowledged, closed or any");
  }
  // Fixed parameter numbers; an absent filter binds NULL and matches all.
  std::string sql = "SELECT " + std::string(kSummaryColumns) + " FROM alerts a WHERE " +
                    "(?1 = 'any' OR a.state = ?1) AND (?2 IS NULL OR " + VisibleTo(2) +
                    ") AND (?3 IS NULL OR a.agency_id = ?3) AND (?4 IS NULL OR a.severity = ?4)" +
                    " AND (?5 IS NULL OR a.deadline_ms < ?5)" +
                    " ORDER BY a.deadline_ms IS NULL, a.deadline_ms, a.created_at_ms DESC" +
                    " LIMIT ?6";
  Result<Statement> query = db_.Prepare(sql);
  if (!query.ok()) return query.status();
  Status status = rows::Bind(*query, filter.state, filter.visible_to, filter.agency,
                             filter.severity, filter.due_before, filter.limit);
  if (!status.ok()) return status;
  return rows::CollectRows<AlertSummary>(*query, ReadSummary);
}

Result<AlertSummary> AlertQuery::Get(std::string_view alert_id,
                                     const std::optional<std::string>& visible_to) {
  std::string sql = "SELECT " + std::string(kSummaryColumns) +
                    " FROM alerts a WHERE a.alert_id = ?1 AND (?2 IS NULL OR " + VisibleTo(2) + ")";
  Result<Statement> query = db_.Prepare(sql);
  if (!query.ok()) return query.status();
  if (Status s = rows::Bind(*query, alert_id, visible_to); !s.ok()) return s;
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no alert " + std::string(alert_id));
  return ReadSummary(*query);
}

Result<std::vector<DeliverySummary>> AlertQuery::Deliveries(std::string_view alert_id) {
  Result<Statement> query = db_.Prepare(R"sql(
    SELECT id, version, agency_id, channel_type, state, attempts, COALESCE(last_error, ''),
           created_at_ms, delivered_at_ms, escalated_from
    FROM deliveries WHERE alert_id = ? ORDER BY id)sql");
  if (!query.ok()) return query.status();
  if (Status s = rows::Bind(*query, alert_id); !s.ok()) return s;
  return rows::CollectRows<DeliverySummary>(
      *query, [](const Statement& row) -> Result<DeliverySummary> {
        return DeliverySummary{.id = row.ColumnInt64(0),
                               .version = static_cast<int>(row.ColumnInt64(1)),
                               .agency_id = row.ColumnText(2),
                               .channel_type = row.ColumnText(3),
                               .state = row.ColumnText(4),
                               .attempts = static_cast<int>(row.ColumnInt64(5)),
                               .last_error = row.ColumnText(6),
                               .created_at = rows::FromMillis(row.ColumnInt64(7)),
                               .delivered_at = rows::OptionalInstant(row, 8),
                               .escalated_from = row.ColumnIsNull(9)
                                                     ? std::nullopt
                                                     : std::optional<int64_t>(row.ColumnInt64(9))};
      });
}

Result<std::vector<LabelledCount>> AlertQuery::Counts(std::string_view sql) {
  Result<Statement> query = db_.Prepare(sql);
  if (!query.ok()) return query.status();
  return rows::CollectRows<LabelledCount>(
      *query, [](const Statement& row) -> Result<LabelledCount> {
        return LabelledCount{row.ColumnText(0), row.ColumnText(1), row.ColumnInt64(2)};
      });
}

Result<std::vector<LabelledCount>> AlertQuery::OpenAlertsByRuleAndSeverity() {
  return Counts(
      "SELECT rule_id, severity, COUNT(*) FROM alerts WHERE state = 'open' GROUP BY 1, 2");
}

Result<std::vector<LabelledCount>> AlertQuery::AlertsByRuleAndSeverity() {
  return Counts("SELECT rule_id, severity, COUNT(*) FROM alerts GROUP BY 1, 2");
}

Result<std::vector<LabelledCount>> AlertQuery::DeliveriesByChannelAndState() {
  return Counts("SELECT channel_type, state, COUNT(*) FROM deliveries GROUP BY 1, 2");
}

Result<std::vector<LabelledCount>> AlertQuery::DeadLettersByReasonClass() {
  return Counts(R"sql(
    SELECT CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1)
                ELSE reason END, '', COUNT(*)
    FROM dead_letters GROUP BY 1)sql");
}

Result<std::vector<LabelledCount>> AlertQuery::RefusedAcksByReason() {
  return Counts("SELECT via, reason_code, COUNT(*) FROM refused_acks GROUP BY 1, 2");
}

Result<std::vector<LabelledCount>> AlertQuery::EventsByOutcome() {
  return Counts("SELECT name, '', value FROM counters ORDER BY name");
}

Result<int64_t> AlertQuery::ClocksDueBefore(Instant before) {
  Result<Statement> query =
      db_.Prepare("SELECT COUNT(*) FROM clocks WHERE state = 'running' AND due_at_ms < ?");
  if (!query.ok()) return query.status();
  if (Status s = rows::Bind(*query, before); !s.ok()) return s;
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return query->ColumnInt64(0);
}

Result<int64_t> AlertQuery::StoreBytes() {
  Result<Statement> query =
      db_.Prepare("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
  if (!query.ok()) return query.status();
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return query->ColumnInt64(0);
}

}  // namespace amparo

#include "daemon/store/cancellation_store.h"

#include <set>
#include <utility>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kSubjectAlerts = R"sql(
  SELECT alert_id, agency_id, escalated_from FROM alerts
  WHERE subject_key = ?1 OR subject_key IN (SELECT subject_key FROM case_aliases WHERE case_key = ?1))sql";
constexpr std::string_view kCancelPending = R"sql(
  UPDATE deliveries SET state = 'cancelled', last_error = ?1
  WHERE alert_id = ?2 AND state = 'pending'
  RETURNING id, agency_id)sql";
constexpr std::string_view kCloseAlert = R"sql(
  UPDATE alerts SET state = 'closed', updated_at_ms = ?1
  WHERE alert_id = ?2 AND state = 'open')sql";
constexpr std::string_view kRecordDelivery = R"sql(
  INSERT INTO delivery_cancellations(delivery_id, alert_id, agency_id, subject_key, event_id,
                                     reason, at_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?))sql";
constexpr std::string_view kRecordAlert = R"sql(
  INSERT INTO delivery_cancellations(delivery_id, alert_id, agency_id, subject_key, event_id,
                                     reason, at_ms)
  VALUES (NULL, ?, ?, ?, ?, ?, ?))sql";
constexpr std::string_view kWithheld = R"sql(
  SELECT d.id, d.alert_id, a.rule_id, d.agency_id, d.channel_type, d.state, d.delivered_at_ms,
         c.at_ms, c.reason
  FROM deliveries d JOIN alerts a ON a.alert_id = d.alert_id
  LEFT JOIN delivery_cancellations c ON c.delivery_id = d.id
  WHERE (a.subject_key = ?1
         OR a.subject_key IN (SELECT subject_key FROM case_aliases WHERE case_key = ?1))
    AND d.state IN ('delivered', 'cancelled')
  ORDER BY d.id)sql";

struct SubjectAlert {
  std::string alert_id;
  std::string agency_id;
  std::optional<std::string> escalated_from;
};

}  // namespace

struct CancellationStore::Statements {
  Statement subject_alerts;
  Statement cancel_pending;
  Statement close_alert;
  Statement record_delivery;
  Statement record_alert;
  Statement withheld;
};

CancellationStore::CancellationStore(Database& db, std::unique_ptr<Statements> statements)
    : db_(db), statements_(std::move(statements)) {}

CancellationStore::~CancellationStore() = default;

Result<std::unique_ptr<CancellationStore>> CancellationStore::Create(Database& db) {
  Preparer p(db);
  auto statements = std::make_unique<Statements>(Statements{.subject_alerts = p(kSubjectAlerts),
                                                            .cancel_pending = p(kCancelPending),
                                                            .close_alert = p(kCloseAlert),
                                                            .record_delivery = p(kRecordDelivery),
                                                            .record_alert = p(kRecordAlert),
                                                            .withheld = p(kWithheld)});
  if (!p.status().ok()) return p.status();
  return std::unique_ptr<CancellationStore>(new CancellationStore(db, std::move(statements)));
}

Result<CancelOutcome> CancellationStore::CancelWithheld(std::string_view subject_key,
                                                        const WithheldAgency& withheld,
                                                        std::string_view reason,
                                                        std::string_view event_id, Instant now) {
  std::vector<SubjectAlert> alerts;
  {
    Statement& query = statements_->subject_alerts;
    ScopedReset reset(query);
    Status status = rows::Bind(query, subject_key);
    if (!status.ok()) return status;
    Result<std::vector<SubjectAlert>> read =
        rows::CollectRows<SubjectAlert>(query, [](const Statement& row) -> Result<SubjectAlert> {
          return SubjectAlert{.alert_id = row.ColumnText(0),
                              .agency_id = row.ColumnText(1),
                              .escalated_from = row.ColumnIsNull(2)
                                                    ? std::nullopt
                                                    : std::optional(row.ColumnText(2))};
        });
    if (!read.ok()) return read.status();
    alerts = std::move(read).value();
  }
  // The alerts to a withheld agency, then whatever was escalated from them,
  // rung by rung (an escalation names the alert it escalates).
  std::set<std::string> cancel;
  for (const SubjectAlert& a : alerts) {
    if (withheld(a.agency_id)) cancel.insert(a.alert_id);
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (const SubjectAlert& a : alerts) {
      if (a.escalated_from && cancel.count(*a.escalated_from) && cancel.insert(a.alert_id).second) {
        grew = true;
      }
    }
  }

  CancelOutcome outcome;
  for (const SubjectAlert& a : alerts) {
    if (!cancel.count(a.alert_id)) continue;
    std::vector<std::pair<int64_t, std::string>> rows_cancelled;
    {
      Statement& update = statements_->cancel_pending;
      ScopedReset reset(update);
      Status status = rows::Bind(update, "cancelled: " + std::string(reason), a.alert_id);
      if (!status.ok()) return status;
      Result<std::vector<std::pair<int64_t, std::string>>> read =
          rows::CollectRows<std::pair<int64_t, std::string>>(
              update, [](const Statement& row) -> Result<std::pair<int64_t, std::string>> {
                return std::pair(row.ColumnInt64(0), row.ColumnText(1));
              });
      if (!read.ok()) return read.status();
      rows_cancelled = std::move(read).value();
    }
    for (const auto& [id, agency] : rows_cancelled) {
      Statement& record = statements_->record_delivery;
      ScopedReset reset(record);
      Status status =
          rows::Bind(record, id, a.alert_id, agency, subject_key, event_id, reason, now);
      if (status.ok()) status = record.Run();
      if (!status.ok()) return status;
      outcome.deliveries.push_back(id);
    }
    Statement& close = statements_->close_alert;
    ScopedReset reset_close(close);
    Status status = rows::Bind(close, now, a.alert_id);
    if (status.ok()) status = close.Run();
    if (!status.ok()) return status;
    if (db_.Changes() == 1) {
      Statement& record = statements_->record_alert;
      ScopedReset reset(record);
      status = rows::Bind(record, a.alert_id, a.agency_id, subject_key, event_id, reason, now);
      if (status.ok()) status = record.Run();
      if (!status.ok()) return status;
      outcome.alerts.push_back(a.alert_id);
    }
  }
  return outcome;
}

std::string_view CancellationStore::WithheldSql() { return kWithheld; }

Result<std::vector<WithheldDelivery>> CancellationStore::Withheld(std::string_view subject_key,
                                                                  const WithheldAgency& withheld) {
  Statement& query = statements_->withheld;
  ScopedReset reset(query);
  Status status = rows::Bind(query, subject_key);
  if (!status.ok()) return status;
  Result<std::vector<WithheldDelivery>> all = rows::CollectRows<WithheldDelivery>(
      query, [](const Statement& row) -> Result<WithheldDelivery> {
        return WithheldDelivery{.delivery_id = row.ColumnInt64(0),
                                .alert_id = row.ColumnText(1),
                                .rule_id = row.ColumnText(2),
                                .agency_id = row.ColumnText(3),
                                .channel_type = row.ColumnText(4),
                                .state = row.ColumnText(5),
                                .delivered_at = rows::OptionalInstant(row, 6),
                                .cancelled_at = rows::OptionalInstant(row, 7),
                                .reason = row.ColumnIsNull(8) ? "" : row.ColumnText(8)};
      });
  if (!all.ok()) return all.status();
  std::vector<WithheldDelivery> out;
  for (WithheldDelivery& d : *all) {
    if (d.state == "cancelled" || withheld(d.agency_id)) out.push_back(std::move(d));
  }
  return out;
}

}  // namespace amparo

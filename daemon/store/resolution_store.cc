#include "daemon/store/resolution_store.h"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

// An alert belongs to a clock run when it is of the same subject, names the
// clock's warning or expiry, and was raised while the run was running.
// Driven from the clock alerts not yet closed (the partial index of
// migration 10, whose WHERE this must match word for word), each joined to
// its clock, so that the stopped clocks piling up over the years are not
// read again at every stop. CROSS JOIN keeps SQLite from choosing the
// opposite order, which it does on a store without statistics.
constexpr std::string_view kResolvable = R"sql(
  SELECT a.alert_id, a.agency_id, a.rule_id, a.version, c.clock_id, c.stopped_at_ms
  FROM alerts a CROSS JOIN clocks c
    ON c.clock_id = substr(a.rule_id, 1, instr(a.rule_id, ':') - 1)
   AND c.subject_key = a.subject_key
   AND a.created_at_ms >= c.started_at_ms AND a.created_at_ms <= c.stopped_at_ms
  WHERE a.state != 'closed' AND (a.rule_id LIKE '%:warning' OR a.rule_id LIKE '%:due')
    AND c.state = 'stopped'
  ORDER BY c.stopped_at_ms, a.alert_id LIMIT ?)sql";
constexpr std::string_view kClose = R"sql(
  UPDATE alerts SET state = 'closed', version = version + 1,
    about = json_set(about, '$.kind', ?1), updated_at_ms = ?2
  WHERE alert_id = ?3 AND state != 'closed' AND version = ?4)sql";

}  // namespace

std::string_view ResolutionStore::ResolvableSql() { return kResolvable; }

struct ResolutionStore::Statements {
  Statement resolvable;
  Statement close;
};

ResolutionStore::ResolutionStore(Database& db, std::unique_ptr<Statements> statements)
    : db_(db), statements_(std::move(statements)) {}

ResolutionStore::~ResolutionStore() = default;

Result<std::unique_ptr<ResolutionStore>> ResolutionStore::Create(Database& db) {
  Preparer p(db);
  auto statements =
      std::make_unique<Statements>(Statements{.resolvable = p(kResolvable), .close = p(kClose)});
  if (!p.status().ok()) return p.status();
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();
  auto store = std::unique_ptr<ResolutionStore>(new ResolutionStore(db, std::move(statements)));
  store->audit_ = std::move(audit).value();
  return store;
}

Result<std::vector<ResolvableAlert>> ResolutionStore::Resolvable(int limit) {
  if (Status s = rows::CheckLimit(limit); !s.ok()) return s;
  Statement& query = statements_->resolvable;
  ScopedReset reset(query);
  if (Status s = rows::Bind(query, limit); !s.ok()) return s;
  return rows::CollectRows<ResolvableAlert>(
      query, [](const Statement& row) -> Result<ResolvableAlert> {
        return ResolvableAlert{.alert_id = row.ColumnText(0),
                               .agency_id = row.ColumnText(1),
                               .rule_id = row.ColumnText(2),
                               .version = static_cast<int>(row.ColumnInt64(3)),
                               .clock_id = row.ColumnText(4),
                               .stopped_at = rows::FromMillis(row.ColumnInt64(5))};
      });
}

Result<bool> ResolutionStore::Resolve(const ResolvableAlert& alert, const ChannelTarget& channel,
                                      Instant now, OutboxStore& outbox) {
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  Statement& close = statements_->close;
  ScopedReset reset(close);
  Status s = rows::Bind(close, std::string_view(kResolvedKind), now, alert.alert_id, alert.version);
  if (s.ok()) s = close.Run();
  if (!s.ok()) return s;
  if (db_.Changes() == 0) return false;
  Result<int64_t> delivery = outbox.InsertFirst(NewDelivery{.alert_id = alert.alert_id,
                                                            .version = alert.version + 1,
                                                            .agency_id = alert.agency_id,
                                                            .channel = channel},
                                                now);
  if (!delivery.ok()) return delivery.status();
  const nlohmann::json detail = {{"agency", alert.agency_id},
                                 {"rule", alert.rule_id},
                                 {"clock", alert.clock_id},
                                 {"version", alert.version + 1}};
  if (Status a = audit_->Append(audit::kAlertResolved, alert.alert_id, AuditDetail(detail), now);
      !a.ok()) {
    return a;
  }
  if (Status c = tx->Commit(); !c.ok()) return c;
  return true;
}

}  // namespace amparo

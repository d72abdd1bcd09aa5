#include "daemon/store/case_links.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kCaseKeyOf = "SELECT case_key FROM case_aliases WHERE subject_key = ?";
constexpr std::string_view kLastEventAt =
    "SELECT last_event_at_ms FROM cases WHERE subject_key = ?";
constexpr std::string_view kUpsertAlias = R"sql(
  INSERT INTO case_aliases(subject_key, case_key, event_id, at_ms) VALUES (?, ?, ?, ?)
  ON CONFLICT(subject_key) DO UPDATE SET
    case_key = excluded.case_key, event_id = excluded.event_id, at_ms = excluded.at_ms)sql";
// ?1 the kept case, ?2 the absorbed one, ?3 now.
constexpr std::string_view kRepointAliases =
    "UPDATE case_aliases SET case_key = ?1 WHERE case_key = ?2";
// An open alert whose (rule, agency) the kept case has open too stays where
// it is (the partial UNIQUE index alerts_one_open); the rest move.
constexpr std::string_view kMoveAlerts =
    "UPDATE OR IGNORE alerts SET subject_key = ?1 WHERE subject_key = ?2";
// Of two clocks of one id running for both cases, the one started first
// keeps running: first stop the kept case's where the absorbed one's is
// older, then the absorbed one's where the kept one still runs.
constexpr std::string_view kStopNewerKept = R"sql(
  UPDATE clocks SET state = 'stopped', stopped_at_ms = ?3
  WHERE key = ?1 AND state = 'running'
    AND EXISTS (SELECT 1 FROM clocks o WHERE o.clock_id = clocks.clock_id AND o.key = ?2
                AND o.state = 'running' AND o.started_at_ms < clocks.started_at_ms))sql";
constexpr std::string_view kStopNewerAbsorbed = R"sql(
  UPDATE clocks SET state = 'stopped', stopped_at_ms = ?3
  WHERE key = ?2 AND state = 'running'
    AND EXISTS (SELECT 1 FROM clocks o WHERE o.clock_id = clocks.clock_id AND o.key = ?1
                AND o.state = 'running'))sql";
// Running clocks keyed by the case (`key: case.key`) take the kept key; the
// stopped ones keep theirs as history.
constexpr std::string_view kRekeyClocks =
    "UPDATE OR IGNORE clocks SET key = ?1 WHERE key = ?2 AND state = 'running'";
constexpr std::string_view kMoveClocks =
    "UPDATE clocks SET subject_key = ?1 WHERE subject_key = ?2";
constexpr std::string_view kMoveCancellations =
    "UPDATE delivery_cancellations SET subject_key = ?1 WHERE subject_key = ?2";
constexpr std::string_view kDeleteCase = "DELETE FROM cases WHERE subject_key = ?";

void AddOnce(std::vector<std::string>* list, const std::string& value) {
  if (std::find(list->begin(), list->end(), value) == list->end()) list->push_back(value);
}

}  // namespace

struct CaseLinks::Statements {
  Statement case_key_of;
  Statement last_event_at;
  Statement upsert_alias;
  Statement repoint_aliases;
  Statement move_alerts;
  Statement stop_newer_kept;
  Statement stop_newer_absorbed;
  Statement rekey_clocks;
  Statement move_clocks;
  Statement move_cancellations;
  Statement delete_case;
};

CaseLinks::CaseLinks(CaseStore& cases, std::unique_ptr<Statements> statements)
    : cases_(cases), statements_(std::move(statements)) {}

CaseLinks::~CaseLinks() = default;

Result<std::unique_ptr<CaseLinks>> CaseLinks::Create(Database& db, CaseStore& cases) {
  Preparer p(db);
  auto statements = std::make_unique<Statements>(Statements{
      .case_key_of = p(kCaseKeyOf),
      .last_event_at = p(kLastEventAt),
      .upsert_alias = p(kUpsertAlias),
      .repoint_aliases = p(kRepointAliases),
      .move_alerts = p(kMoveAlerts),
      .stop_newer_kept = p(kStopNewerKept),
      .stop_newer_absorbed = p(kStopNewerAbsorbed),
      .rekey_clocks = p(kRekeyClocks),
      .move_clocks = p(kMoveClocks),
      .move_cancellations = p(kMoveCancellations),
      .delete_case = p(kDeleteCase),
  });
  if (!p.status().ok()) return p.status();
  return std::unique_ptr<CaseLinks>(new CaseLinks(cases, std::move(statements)));
}

Result<std::string> CaseLinks::CaseKeyOf(std::string_view subject_key) {
  Statement& query = statements_->case_key_of;
  ScopedReset reset(query);
  if (Status s = query.Bind(subject_key); !s.ok()) return s;
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  return *row ? query.ColumnText(0) : std::string(subject_key);
}

Result<std::optional<int64_t>> CaseLinks::LastEventAt(std::string_view case_key) {
  Statement& query = statements_->last_event_at;
  ScopedReset reset(query);
  if (Status s = query.Bind(case_key); !s.ok()) return s;
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(query.ColumnInt64(0));
}

Result<CaseLinkPlan> CaseLinks::Plan(std::string_view subject_key, const LinkedKeys& linked) {
  CaseLinkPlan plan;
  plan.subject_key = std::string(subject_key);
  // Every key the event names, and the canonical case of each, in the order
  // that decides which case is kept: previous cases, its own, the receiving.
  std::vector<std::string> keys;
  for (const std::string& k : linked.previous) AddOnce(&keys, k);
  AddOnce(&keys, plan.subject_key);
  for (const std::string& k : linked.receiving) AddOnce(&keys, k);
  std::vector<std::string> canonical;  // parallel to keys
  std::vector<std::string> candidates;
  for (const std::string& k : keys) {
    Result<std::string> c = CaseKeyOf(k);
    if (!c.ok()) return c.status();
    canonical.push_back(*c);
    AddOnce(&candidates, *c);
  }
  // The candidates with state, and the first of them: the kept case.
  struct Held {
    std::string key;
    int64_t last_event_at;
  };
  std::vector<Held> held;
  for (const std::string& c : candidates) {
    Result<std::optional<int64_t>> last = LastEventAt(c);
    if (!last.ok()) return last.status();
    if (*last) held.push_back({c, **last});
  }
  const auto own = std::find(keys.begin(), keys.end(), plan.subject_key) - keys.begin();
  plan.case_key = held.empty() ? canonical[own] : held.front().key;

  Result<CaseSnapshot> kept = cases_.LoadCase(plan.case_key);
  if (!kept.ok()) return kept.status();
  CaseSnapshot merged = std::move(kept).value();
  int64_t merged_last = held.empty() ? 0 : held.front().last_event_at;
  for (std::size_t i = 1; i < held.size(); ++i) {
    Result<CaseSnapshot> other = cases_.LoadCase(held[i].key);
    if (!other.ok()) return other.status();
    merged = held[i].last_event_at < merged_last ? MergeCases(*other, merged)
                                                 : MergeCases(merged, *other);
    merged_last = std::max(merged_last, held[i].last_event_at);
    plan.absorbed.push_back(held[i].key);
  }
  merged.key = plan.case_key;
  plan.snapshot = std::move(merged);

  for (std::size_t i = 0; i < keys.size(); ++i) {
    const bool has_state =
        std::any_of(held.begin(), held.end(), [&](const Held& h) { return h.key == canonical[i]; });
    if (keys[i] != plan.subject_key && canonical[i] == keys[i] && !has_state) {
      plan.unknown.push_back(keys[i]);
    }
    if (keys[i] != plan.case_key && canonical[i] != plan.case_key) AddOnce(&plan.aliases, keys[i]);
    if (canonical[i] != plan.case_key) AddOnce(&plan.aliases, canonical[i]);
  }
  return plan;
}

Status CaseLinks::Apply(const CaseLinkPlan& plan, std::string_view event_id, Instant now) {
  const int64_t at = rows::ToMillis(now);
  for (const std::string& absorbed : plan.absorbed) {
    for (Statement* s :
         {&statements_->repoint_aliases, &statements_->move_alerts, &statements_->stop_newer_kept,
          &statements_->stop_newer_absorbed, &statements_->rekey_clocks, &statements_->move_clocks,
          &statements_->move_cancellations}) {
      ScopedReset reset(*s);
      const bool with_time =
          s == &statements_->stop_newer_kept || s == &statements_->stop_newer_absorbed;
      Status status = with_time ? rows::Bind(*s, plan.case_key, absorbed, at)
                                : rows::Bind(*s, plan.case_key, absorbed);
      if (status.ok()) status = s->Run();
      if (!status.ok()) return status;
    }
    Statement& remove = statements_->delete_case;
    ScopedReset reset(remove);
    Status status = rows::Bind(remove, absorbed);
    if (status.ok()) status = remove.Run();
    if (!status.ok()) return status;
  }
  for (const std::string& alias : plan.aliases) {
    // A key that was a case of its own until now takes the keys linked to it along.
    Statement& repoint = statements_->repoint_aliases;
    ScopedReset reset_repoint(repoint);
    Status status = rows::Bind(repoint, plan.case_key, alias);
    if (status.ok()) status = repoint.Run();
    Statement& upsert = statements_->upsert_alias;
    ScopedReset reset(upsert);
    if (status.ok()) status = rows::Bind(upsert, alias, plan.case_key, event_id, at);
    if (status.ok()) status = upsert.Run();
    if (!status.ok()) return status;
  }
  return Status::OK();
}

}  // namespace amparo

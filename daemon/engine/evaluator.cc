#include "daemon/engine/evaluator.h"

#include <algorithm>
#include <tuple>

#include "daemon/engine/derived_facts.h"

namespace amparo {

namespace {

// Starts or stops `clock` for the event, if its conditions say so.
std::optional<ClockOp> ClockOpFor(const ClockDef& clock, const FieldContext& ctx) {
  const bool stop = clock.stop.Evaluate(ctx);
  if (!stop && !clock.start.Evaluate(ctx)) return std::nullopt;
  Scalar key;
  if (!clock.key->get(ctx, &key)) return std::nullopt;
  ClockOp op;
  op.clock_id = clock.id;
  op.key = std::string(key.s);
  op.severity = clock.severity;
  op.legal_basis = clock.legal_basis;
  op.title = clock.title;
  if (stop) {
    op.op = ClockOp::Op::kStop;
    return op;
  }
  const Event& event = ctx.event;
  op.op = ClockOp::Op::kStart;
  op.started_at = event.occurred_at.utc;
  if (clock.anchor == ClockDef::Anchor::kCustodyStart) {
    if (event.custody && event.custody->start) {
      op.started_at = event.custody->start->utc;
    } else if (!IsCustodyEvent(event.type) && ctx.snapshot.status == "in_custody" &&
               ctx.snapshot.custody_since) {
      // E.g. an age assessment finds a minor booked as an adult: the holding
      // limits run from that booking, not from the assessment.
      op.started_at = *ctx.snapshot.custody_since;
    }
  }
  if (clock.anchor == ClockDef::Anchor::kDetentionReviewAt && event.custody &&
      event.custody->detention_review_at) {
    op.started_at = event.custody->detention_review_at->utc;
  }
  if (clock.warn) op.warn_at = op.started_at + clock.warn->value;
  op.due_at = op.started_at + clock.due.value;
  op.roles = clock.notify;
  return op;
}

bool AppliesTo(const InhibitDef& inhibit, const std::string& id) {
  return inhibit.rules.empty() ||
         std::find(inhibit.rules.begin(), inhibit.rules.end(), id) != inhibit.rules.end();
}

// Removes the inhibited recipients from `roles` of rule or clock `id`.
void Inhibit(const InhibitDef& inhibit, const std::string& id, std::vector<std::string>* roles,
             std::vector<Inhibition>* out) {
  if (!AppliesTo(inhibit, id)) return;
  for (const std::string& role : inhibit.recipients) {
    auto it = std::find(roles->begin(), roles->end(), role);
    if (it == roles->end()) continue;
    roles->erase(it);
    out->push_back({inhibit.id, id, role, inhibit.reason});
  }
}

}  // namespace

Decisions Evaluate(const RuleSet& rules, const Event& event, const CaseSnapshot& snapshot) {
  return Evaluate(rules, event, snapshot, ComputeDerivedFacts(event, snapshot, rules.options()));
}

Decisions Evaluate(const RuleSet& rules, const Event& event, const CaseSnapshot& snapshot,
                   const DerivedFacts& facts) {
  const FieldContext ctx{event, facts, snapshot};
  Decisions out;
  out.event_id = event.event_id;
  for (const RuleDef& rule : rules.rules()) {
    if (!rule.enabled || !rule.when.Evaluate(ctx)) continue;
    FiredRule fired;
    fired.id = rule.id;
    fired.severity = rule.severity;
    fired.roles = rule.notify;
    if (rule.ack_within) fired.ack_within = rule.ack_within->value;
    fired.legal_basis = rule.legal_basis;
    fired.title = rule.title;
    fired.summary = rule.summary;
    out.rules.push_back(std::move(fired));
  }
  for (const ClockDef& clock : rules.clocks()) {
    if (std::optional<ClockOp> op = ClockOpFor(clock, ctx)) out.clocks.push_back(std::move(*op));
  }
  for (const InhibitDef& inhibit : rules.inhibits()) {
    if (!inhibit.when.Evaluate(ctx)) continue;
    for (FiredRule& fired : out.rules) Inhibit(inhibit, fired.id, &fired.roles, &out.inhibited);
    for (ClockOp& op : out.clocks) Inhibit(inhibit, op.clock_id, &op.roles, &out.inhibited);
  }
  return out;
}

std::vector<Inhibition> InhibitRoles(const RuleSet& rules, const Event& event,
                                     const CaseSnapshot& snapshot, const DerivedFacts& facts,
                                     const std::string& id, std::vector<std::string>* roles) {
  const FieldContext ctx{event, facts, snapshot};
  std::vector<Inhibition> out;
  for (const InhibitDef& inhibit : rules.inhibits()) {
    if (inhibit.when.Evaluate(ctx)) Inhibit(inhibit, id, roles, &out);
  }
  return out;
}

std::vector<ClockFiring> DueClockFirings(const std::vector<RunningClock>& clocks, Instant now) {
  std::vector<ClockFiring> out;
  for (const RunningClock& c : clocks) {
    if (c.expired) continue;
    if (c.warn_at && !c.warned && *c.warn_at <= now) {
      out.push_back({ClockFiring::Kind::kWarn, c.clock_id, c.key, *c.warn_at});
    }
    if (c.due_at <= now) out.push_back({ClockFiring::Kind::kDue, c.clock_id, c.key, c.due_at});
  }
  std::sort(out.begin(), out.end(), [](const ClockFiring& a, const ClockFiring& b) {
    return std::tie(a.at, a.clock_id, a.key, a.kind) < std::tie(b.at, b.clock_id, b.key, b.kind);
  });
  return out;
}

}  // namespace amparo

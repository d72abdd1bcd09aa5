#include "daemon/routing/decide.h"

#include <algorithm>

namespace amparo {

namespace {

// The alerts of the rule recipients of `routing`, one per (rule, agency).
std::vector<PlannedAlert> RuleAlerts(const Decisions& decisions, const Routing& routing,
                                     const Event& event) {
  std::vector<PlannedAlert> out;
  for (const Recipient& recipient : routing.recipients) {
    if (recipient.source != AlertSource::kRule) continue;  // clocks alert when they fire
    auto fired = std::find_if(decisions.rules.begin(), decisions.rules.end(),
                              [&](const FiredRule& r) { return r.id == recipient.rule; });
    if (fired == decisions.rules.end()) continue;
    AlertSubject about{.kind = "rule",
                       .rule = fired->id,
                       .severity = fired->severity,
                       .title = fired->title,
                       .summary = fired->summary,
                       .legal_basis = fired->legal_basis,
                       .deadline = std::nullopt};
    if (fired->ack_within) about.deadline = event.occurred_at.utc + *fired->ack_within;
    out.push_back({std::move(about), recipient});
  }
  return out;
}

}  // namespace

EventDecision Decide(const RuleSet& rules, const RoutingContext& routing, const Event& event,
                     const CaseSnapshot& before, Instant at) {
  EventDecision out;
  out.facts = ComputeDerivedFacts(event, before, rules.options());
  out.decisions = Evaluate(rules, event, before, out.facts);
  if (routing.directory != nullptr) {
    out.routing = Resolve(*routing.directory, out.decisions, event, at, routing.unrouted_id);
    out.alerts = RuleAlerts(out.decisions, out.routing, event);
  }
  std::vector<std::string> alerted_roles;
  for (const FiredRule& rule : out.decisions.rules) {
    alerted_roles.insert(alerted_roles.end(), rule.roles.begin(), rule.roles.end());
  }
  out.case_after = AdvanceCase(before, event, alerted_roles);
  out.disclosed = event;
  out.disclosed.subject.flags = FlagsAfter(before, event);
  return out;
}

ClockFiringDecision DecideClockFiring(const RuleSet& rules, const RoutingContext& routing,
                                      const RunningClock& clock, ClockFiring::Kind firing,
                                      const Event& started_by, const CaseSnapshot& now_case,
                                      Instant at) {
  ClockFiringDecision out;
  out.disclosed = started_by;
  out.disclosed.subject.flags = FlagsAfter(now_case, started_by);
  auto def = std::find_if(rules.clocks().begin(), rules.clocks().end(),
                          [&](const ClockDef& c) { return c.id == clock.clock_id; });
  if (def == rules.clocks().end()) return out;
  out.defined = true;

  const bool due = firing == ClockFiring::Kind::kDue;
  FiredRule as_rule;
  as_rule.id = clock.clock_id + (due ? ":due" : ":warning");
  as_rule.severity = due ? Severity::kCritical : def->severity;
  as_rule.roles = clock.roles;
  as_rule.legal_basis = def->legal_basis;
  as_rule.title = def->title;
  // Judge the child as the case stands now, not as when the clock started.
  const DerivedFacts facts = ComputeDerivedFacts(out.disclosed, now_case, rules.options());
  out.inhibited =
      InhibitRoles(rules, out.disclosed, now_case, facts, clock.clock_id, &as_rule.roles);
  if (routing.directory == nullptr) return out;

  Decisions decisions;
  decisions.event_id = started_by.event_id;
  decisions.rules.push_back(as_rule);
  out.routing = Resolve(*routing.directory, decisions, out.disclosed, at, routing.unrouted_id);
  const AlertSubject about{.kind = due ? "clock_due" : "clock_warning",
                           .rule = as_rule.id,
                           .severity = as_rule.severity,
                           .title = def->title,
                           .summary = {},
                           .legal_basis = def->legal_basis,
                           .deadline = clock.due_at,
                           .clock = ClockDeadline{.clock_id = clock.clock_id,
                                                  .started_at = clock.started_at,
                                                  .due_at = clock.due_at,
                                                  .originating_alerts = {}}};
  for (const Recipient& recipient : out.routing.recipients)
    out.alerts.push_back({about, recipient});
  return out;
}

}  // namespace amparo

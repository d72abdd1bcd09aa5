#include "daemon/ctl/route_command.h"

#include "daemon/ctl/rule_files.h"
#include "daemon/engine/evaluator.h"
#include "daemon/engine/rule_set.h"
#include "daemon/event/event_codec.h"
#include "daemon/event/rfc3339.h"

namespace amparo {

namespace {

std::string Utc(Instant t) { return FormatRfc3339(Timestamp{t, 0}); }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

nlohmann::ordered_json DecisionsJson(const Decisions& decisions) {
  nlohmann::ordered_json out = {{"event_id", decisions.event_id},
                                {"rules", nlohmann::ordered_json::array()},
                                {"clocks", nlohmann::ordered_json::array()},
                                {"inhibited", nlohmann::ordered_json::array()}};
  for (const FiredRule& r : decisions.rules) {
    out["rules"].push_back({{"id", r.id},
                            {"severity", SeverityName(r.severity)},
                            {"roles", r.roles},
                            {"legal_basis", r.legal_basis}});
  }
  for (const ClockOp& c : decisions.clocks) {
    const bool start = c.op == ClockOp::Op::kStart;
    nlohmann::ordered_json clock = {{"id", c.clock_id},
                                    {"op", start ? "start" : "stop"},
                                    {"key", c.key},
                                    {"warn_at", nullptr},
                                    {"due_at", nullptr}};
    if (start && c.warn_at) clock["warn_at"] = Utc(*c.warn_at);
    if (start) clock["due_at"] = Utc(c.due_at);
    out["clocks"].push_back(std::move(clock));
  }
  for (const Inhibition& i : decisions.inhibited) {
    out["inhibited"].push_back({{"rule", i.rule}, {"role", i.role}, {"reason", i.reason}});
  }
  return out;
}

void PrintDecisions(const Decisions& decisions, std::ostream& out) {
  out << "event " << decisions.event_id << "\n";
  out << "rules fired:" << (decisions.rules.empty() ? " none" : "") << "\n";
  for (const FiredRule& r : decisions.rules) {
    out << "  " << r.id << " [" << SeverityName(r.severity) << "] -> "
        << (r.roles.empty() ? "(nobody)" : Join(r.roles)) << "\n"
        << "      " << Join(r.legal_basis) << "\n";
  }
  out << "clocks:" << (decisions.clocks.empty() ? " none" : "") << "\n";
  for (const ClockOp& c : decisions.clocks) {
    if (c.op == ClockOp::Op::kStop) {
      out << "  stop  " << c.clock_id << " key " << c.key << "\n";
      continue;
    }
    out << "  start " << c.clock_id << " key " << c.key;
    if (c.warn_at) out << " warn " << Utc(*c.warn_at);
    out << " due " << Utc(c.due_at) << " -> " << Join(c.roles) << "\n";
  }
  out << "inhibited:" << (decisions.inhibited.empty() ? " none" : "") << "\n";
  for (const Inhibition& i : decisions.inhibited) {
    out << "  " << i.role << " withheld from " << i.rule << " by " << i.inhibit_id << ": "
        << i.reason << "\n";
  }
}

int RunRoute(const RouteOptions& options, std::ostream& out) {
  Result<std::vector<RuleSource>> sources = ReadRuleFiles(options.rules_dir);
  if (!sources.ok()) {
    out << sources.status().message() << "\n";
    return 1;
  }
  Diagnostics diags;
  auto rules = RuleSet::Load(*sources, options.engine, &diags);
  if (!rules.ok()) {
    out << diags.ToString() << rules.status().message() << "\n";
    return 1;
  }
  Result<std::string> text = ReadTextFile(options.event_file);
  if (!text.ok()) {
    out << text.status().message() << "\n";
    return 1;
  }
  Result<Event> event = DecodeEvent(*text);
  if (!event.ok()) {
    out << options.event_file << ": invalid event: " << event.status().message() << "\n";
    return 1;
  }
  const Decisions decisions = Evaluate(**rules, *event, CaseSnapshot{});
  if (options.json) {
    out << DecisionsJson(decisions).dump() << "\n";
  } else {
    PrintDecisions(decisions, out);
  }
  return 0;
}

}  // namespace amparo

#include "daemon/ctl/route_command.h"

#include <algorithm>
#include <sstream>

#include "daemon/core/exit_codes.h"
#include "daemon/ctl/rule_files.h"
#include "daemon/delivery/alert_builder.h"
#include "daemon/engine/rule_set.h"
#include "daemon/event/event_codec.h"
#include "daemon/event/rfc3339.h"

namespace amparo {

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string ChannelText(const Recipient& recipient) {
  if (recipient.channels.empty()) return "(no channel)";
  const Channel& c = recipient.channels.front();
  return std::string(kChannelTypeNames[static_cast<size_t>(c.type)]) + " " + c.target;
}

}  // namespace

nlohmann::json DryRunPayload(const EventDecision& decision, const PlannedAlert& planned,
                             const Directory& directory) {
  return BuildAlert(kDryRunAlertId, kDryRunAlertVersion, planned.about, decision.disclosed,
                    decision.facts.age_years, planned.recipient, directory);
}

namespace {

// The planned alert of rule recipient `r`, or nullptr for a clock's recipient.
const PlannedAlert* PlannedFor(const EventDecision& decision, const Recipient& r) {
  if (r.source != AlertSource::kRule) return nullptr;
  for (const PlannedAlert& planned : decision.alerts) {
    if (planned.recipient == r) return &planned;
  }
  return nullptr;
}

}  // namespace

void AddRoutingJson(const EventDecision& decision, const Directory& directory, bool show_payload,
                    nlohmann::ordered_json* out) {
  const Routing& routing = decision.routing;
  (*out)["recipients"] = nlohmann::ordered_json::array();
  for (const Recipient& r : routing.recipients) {
    nlohmann::ordered_json channel = nullptr;
    if (!r.channels.empty()) {
      channel = {{"type", kChannelTypeNames[static_cast<size_t>(r.channels.front().type)]},
                 {"target", r.channels.front().target}};
    }
    nlohmann::ordered_json item = {{"agency", r.agency_id}, {"kind", AgencyKindName(r.kind)},
                                   {"country", r.country},  {"role", r.role},
                                   {"rule", r.rule},        {"channel", std::move(channel)}};
    if (show_payload) {
      if (const PlannedAlert* planned = PlannedFor(decision, r)) {
        item["payload"] =
            nlohmann::ordered_json::parse(DryRunPayload(decision, *planned, directory).dump());
      }
    }
    (*out)["recipients"].push_back(std::move(item));
  }
  (*out)["unrouted"] = nlohmann::ordered_json::array();
  for (const Unrouted& u : routing.unrouted) {
    (*out)["unrouted"].push_back({{"rule", u.rule}, {"role", u.role}, {"reason", u.reason}});
  }
}

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
    if (start && c.warn_at) clock["warn_at"] = FormatUtc(*c.warn_at);
    if (start) clock["due_at"] = FormatUtc(c.due_at);
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
    if (c.warn_at) out << " warn " << FormatUtc(*c.warn_at);
    out << " due " << FormatUtc(c.due_at) << " -> " << Join(c.roles) << "\n";
  }
  out << "inhibited:" << (decisions.inhibited.empty() ? " none" : "") << "\n";
  for (const Inhibition& i : decisions.inhibited) {
    out << "  " << i.role << " withheld from " << i.rule << " by " << i.inhibit_id << ": "
        << i.reason << "\n";
  }
}

void PrintRouting(const EventDecision& decision, const Directory& directory, bool show_payload,
                  std::ostream& out) {
  const Routing& routing = decision.routing;
  out << "recipients:" << (routing.recipients.empty() ? " none" : "") << "\n";
  for (const Recipient& r : routing.recipients) {
    out << "  " << r.agency_id << " (" << AgencyKindName(r.kind) << ", " << r.country << ") <- "
        << (r.source == AlertSource::kClock ? "clock " : "") << r.rule << " as " << r.role
        << " via " << ChannelText(r) << "\n";
    if (!show_payload) continue;
    if (const PlannedAlert* planned = PlannedFor(decision, r)) {
      std::istringstream lines(DryRunPayload(decision, *planned, directory).dump(2));
      for (std::string line; std::getline(lines, line);) out << "      " << line << "\n";
    } else {
      out << "      (no payload now: the clock alerts when it warns or falls due)\n";
    }
  }
  out << "unrouted:" << (routing.unrouted.empty() ? " none" : "") << "\n";
  for (const Unrouted& u : routing.unrouted) {
    out << "  " << u.role << " of " << u.rule << ": " << u.reason << "\n";
  }
}

int RunRoute(const RouteOptions& options, std::ostream& out) {
  Diagnostics diags;
  auto rules = LoadRuleFolder(options.rules_dir, options.engine, &diags);
  if (!rules.ok()) {
    out << diags.ToString() << rules.status().message() << "\n";
    return kExitConfig;
  }
  std::shared_ptr<const Directory> directory;
  if (!options.directory_dir.empty()) {
    auto loaded = LoadDirectoryFolder(options.directory_dir, &diags);
    if (!loaded.ok() || !diags.empty()) {
      out << diags.ToString() << "the directory " << options.directory_dir << " does not load\n";
      return kExitConfig;
    }
    directory = *loaded;
    if (Status s = directory->Check(options.unrouted); !s.ok()) {
      out << "--unrouted " << options.unrouted << ": " << s.message() << "\n";
      return kExitConfig;
    }
  }
  Result<std::string> text = ReadTextFile(options.event_file);
  if (!text.ok()) {
    out << text.status().message() << "\n";
    return kExitNoInput;
  }
  Result<Event> event = DecodeEvent(*text);
  if (!event.ok()) {
    out << options.event_file << ": invalid event: " << event.status().message() << "\n";
    return kExitDataErr;
  }
  // Office hours are judged when the alert goes out: --at, else as if it
  // went out when the event happened.
  Instant at = event->occurred_at.utc;
  if (!options.at.empty()) {
    Result<Timestamp> parsed = ParseRfc3339(options.at);
    if (!parsed.ok()) {
      out << "--at " << options.at << ": " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    at = parsed->utc;
  }
  const EventDecision decision =
      Decide(**rules, {directory.get(), options.unrouted}, *event, CaseSnapshot{}, at);
  if (options.json) {
    nlohmann::ordered_json json = DecisionsJson(decision.decisions);
    if (directory) AddRoutingJson(decision, *directory, options.show_payload, &json);
    out << json.dump() << "\n";
  } else {
    PrintDecisions(decision.decisions, out);
    if (directory) PrintRouting(decision, *directory, options.show_payload, out);
  }
  return 0;
}

}  // namespace amparo

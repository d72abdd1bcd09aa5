// `amparoctl route EVENT.json`: what the rules decide for one event, on a
// case with no history, and, given the agency directory, who would receive
// it and what each recipient would see: the daemon's own decision
// (routing/decide.h), with office hours judged at --at (default: the event's
// occurred_at, as if the alert went out when the event happened).
#ifndef AMPARO_DAEMON_CTL_ROUTE_COMMAND_H_
#define AMPARO_DAEMON_CTL_ROUTE_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/engine/decision.h"
#include "daemon/engine/engine_options.h"
#include "daemon/event/event.h"
#include "daemon/routing/decide.h"
#include "daemon/routing/directory.h"
#include "daemon/routing/resolver.h"

namespace amparo {

struct RouteOptions {
  std::string rules_dir = "rules";
  std::string directory_dir;              // empty: the rules only, no routing
  std::string unrouted = "duty-officer";  // the last-resort agency
  std::string event_file;
  std::string at;  // RFC 3339; empty: the event's occurred_at
  bool json = false;
  bool show_payload = false;  // each rule recipient's amparo.alert.v1 payload
  EngineOptions engine;
};

// Builds the --json object of `decisions`:
//   {"event_id", "rules": [{"id", "severity", "roles", "legal_basis"}],
//    "clocks": [{"id", "op", "key", "warn_at", "due_at"}],
//    "inhibited": [{"rule", "role", "reason"}]}
// Keys in this order. Instants are RFC 3339 in UTC; warn_at and due_at are null for a stop (and
// warn_at for a clock without warning). RoutingJson adds "recipients" and "unrouted" to it.
nlohmann::ordered_json DecisionsJson(const Decisions& decisions);

// The alert payloads of a dry run: placeholder alert id and version.
inline constexpr const char* kDryRunAlertId = "dry-run";
inline constexpr int kDryRunAlertVersion = 1;

// The amparo.alert.v1 object `planned`'s recipient would receive (BuildAlert,
// alert id "dry-run", version 1), built as the daemon builds it at send time
// from `decision`'s disclosed event and derived age.
nlohmann::json DryRunPayload(const EventDecision& decision, const PlannedAlert& planned,
                             const Directory& directory);

// Adds to `out` (a DecisionsJson object)
//   "recipients": [{"agency", "kind", "country", "role", "rule",
//                   "channel": {"type", "target"}}]   (the primary channel)
//   "unrouted": [{"rule", "role", "reason"}]
// and, with `show_payload`, each rule recipient's "payload" (DryRunPayload).
void AddRoutingJson(const EventDecision& decision, const Directory& directory, bool show_payload,
                    nlohmann::ordered_json* out);

// Writes `decisions` for people: rules fired, clocks, inhibitions with reasons.
void PrintDecisions(const Decisions& decisions, std::ostream& out);

// Writes `decision`'s routing for people: each recipient with its primary
// channel (and, with `show_payload`, its payload), then the unrouted roles
// with reasons.
void PrintRouting(const EventDecision& decision, const Directory& directory, bool show_payload,
                  std::ostream& out);

// Runs the command; returns the exit code (0, or 1 when the rules, the
// directory or the event cannot be read).
int RunRoute(const RouteOptions& options, std::ostream& out);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_ROUTE_COMMAND_H_

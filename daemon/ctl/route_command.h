// `amparoctl route EVENT.json`: what the rules decide for one event, on a
// case with no history.
#ifndef AMPARO_DAEMON_CTL_ROUTE_COMMAND_H_
#define AMPARO_DAEMON_CTL_ROUTE_COMMAND_H_

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/engine/decision.h"
#include "daemon/engine/engine_options.h"

namespace amparo {

struct RouteOptions {
  std::string rules_dir = "rules";
  std::string event_file;
  bool json = false;
  EngineOptions engine;
};

// Builds the --json object of `decisions`:
//   {"event_id", "rules": [{"id", "severity", "roles", "legal_basis"}],
//    "clocks": [{"id", "op", "key", "warn_at", "due_at"}],
//    "inhibited": [{"rule", "role", "reason"}]}
// Keys in this order. Instants are RFC 3339 in UTC; warn_at and due_at are null for a stop (and
// warn_at for a clock without warning). Routing adds "recipients" to it.
nlohmann::ordered_json DecisionsJson(const Decisions& decisions);

// Writes `decisions` for people: rules fired, clocks, inhibitions with reasons.
void PrintDecisions(const Decisions& decisions, std::ostream& out);

// Runs the command; returns the exit code (0, or 1 when the rules or the
// event cannot be read).
int RunRoute(const RouteOptions& options, std::ostream& out);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_ROUTE_COMMAND_H_

// What the rule engine decides about one event: the contract between engine/
// and the layers above it (routing/, delivery/, ctl/).
//
// The engine is pure: Decisions are a function of (rule set, event, case
// snapshot, now). Roles are names ("consulate", "child_welfare", ...) that
// routing/ resolves to agencies; the engine knows no agencies.
#ifndef AMPARO_DAEMON_ENGINE_DECISION_H_
#define AMPARO_DAEMON_ENGINE_DECISION_H_

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"

namespace amparo {

// The roles a rule may notify. routing/ resolves each to agencies (DESIGN §5).
inline constexpr std::array<std::string_view, 11> kRoles = {
    "consulate",                // of each nationality, by consular district
    "child_welfare",            // of location.admin1, else location.country
    "receiving_child_welfare",  // of return.to_country
    "receiving_consulate",      // consulate of the return country at the place (not used yet)
    "ombudsman",
    "migration",
    "anti_trafficking",
    "receiving_anti_trafficking",  // anti-trafficking authority of return.to_country
    "unhcr",
    "duty_officer",
    "refugee_agency",  // the refugee-status authority of the place (COMAR in Mexico)
};

enum class Severity { kInfo, kWarning, kHigh, kCritical };
// The names rules and alerts use, in Severity order.
inline constexpr std::array<std::string_view, 4> kSeverityNames = {"info", "warning", "high",
                                                                   "critical"};
std::string_view SeverityName(Severity s);
// The severity named `name`, or nullopt.
std::optional<Severity> ParseSeverity(std::string_view name);

// Text in several languages, keyed by BCP 47 primary tag ("en", "es", "fr").
using LocalizedText = std::map<std::string, std::string, std::less<>>;

// A rule that fired for the event.
struct FiredRule {
  std::string id;
  Severity severity = Severity::kWarning;
  std::vector<std::string> roles;      // to notify
  std::optional<Duration> ack_within;  // acknowledgement deadline, if any
  std::vector<std::string> legal_basis;
  LocalizedText title;
  LocalizedText summary;  // empty when the rule has none
  bool operator==(const FiredRule&) const = default;
};

// A legal clock started or stopped by the event.
struct ClockOp {
  enum class Op { kStart, kStop };
  std::string clock_id;
  Op op = Op::kStart;
  std::string key;                 // e.g. the subject id: one running clock per (clock_id, key)
  Instant started_at{};            // kStart: the anchor instant
  std::optional<Instant> warn_at;  // kStart only
  Instant due_at{};                // kStart only
  std::vector<std::string> roles;  // kStart: notified on warn and on expiry
  Severity severity = Severity::kWarning;  // of the warn and expiry alerts
  std::vector<std::string> legal_basis;
  LocalizedText title;
  bool operator==(const ClockOp&) const = default;
};

// A role withheld from a rule's recipients by an inhibit entry.
struct Inhibition {
  std::string inhibit_id;
  std::string rule;  // the rule or clock whose recipients lose `role`
  std::string role;
  std::string reason;
  bool operator==(const Inhibition&) const = default;
};

// Which legal deadline a clock's warning or expiry is about.
struct ClockDeadline {
  std::string clock_id;
  Instant started_at{};
  Instant due_at{};
  // The alerts that the event which started the clock raised for the child
  // (the obligation's own alerts); the store fills them in when it commits
  // the firing, since only it knows their ids.
  std::vector<std::string> originating_alerts;
  bool operator==(const ClockDeadline&) const = default;
};

// What one alert is about, whoever receives it: a fired rule, or a legal
// clock's warning or expiry. Each recipient's payload is built from it at
// send time, in that recipient's language and disclosure (delivery/).
struct AlertSubject {
  std::string kind;  // "rule", "clock_warning" or "clock_due"
  std::string rule;  // rule id, or "<clock id>:warning" / "<clock id>:due"
  Severity severity = Severity::kWarning;
  LocalizedText title;
  LocalizedText summary;
  std::vector<std::string> legal_basis;
  std::optional<Instant> deadline;     // acknowledge by (rules) or the clock's due instant
  std::optional<ClockDeadline> clock;  // Set for "clock_warning" and "clock_due".
  bool operator==(const AlertSubject&) const = default;
};

struct Decisions {
  std::string event_id;
  std::vector<FiredRule> rules;
  std::vector<ClockOp> clocks;
  std::vector<Inhibition> inhibited;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_DECISION_H_

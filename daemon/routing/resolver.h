// Routing: turns the roles of the engine's decisions into the agencies
// responsible for this child in this place (DESIGN.md §5).
//
// Resolve is a pure function of its arguments: it reads no clock and no file.
#ifndef AMPARO_DAEMON_ROUTING_RESOLVER_H_
#define AMPARO_DAEMON_ROUTING_RESOLVER_H_

#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/engine/decision.h"
#include "daemon/event/event.h"
#include "daemon/routing/agency.h"
#include "daemon/routing/directory.h"

namespace amparo {

// What made an alert: a fired rule, or a legal clock that started.
enum class AlertSource { kRule, kClock };

// One agency that receives the alert of one rule or clock.
struct Recipient {
  AlertSource source = AlertSource::kRule;
  std::string rule;  // The rule id, or the clock id when source is kClock.
  std::string role;  // The role it was resolved for (the first, if several).
  std::string agency_id;
  AgencyKind kind = AgencyKind::kDutyOfficer;
  std::string country;            // The state the agency belongs to.
  std::vector<Channel> channels;  // Ordered; the first is primary.
  // The language of the alert: the agency's first language that the rule's
  // title is written in, else "en" (see Localize in disclosure.h).
  std::string language;
  std::string disclosure;  // The agency's disclosure profile name.
  bool operator==(const Recipient&) const = default;
};

// A role that resolved to nobody and went to the unrouted duty officer.
struct Unrouted {
  AlertSource source = AlertSource::kRule;
  std::string rule;
  std::string role;
  std::string reason;  // e.g. "no child_welfare agency serves BZ-CY or BZ ..."
  bool operator==(const Unrouted&) const = default;
};

struct Routing {
  // One per (source, rule, agency), in the order of the decisions and roles.
  std::vector<Recipient> recipients;
  std::vector<Unrouted> unrouted;
};

// `agency` as the recipient of `rule`'s alert for `role`: its channels, its
// disclosure profile, and the language of its first language the title is
// written in (Localize). Also used at send time for an escalation target.
Recipient RecipientOf(const Agency& agency, AlertSource source, const std::string& rule,
                      const std::string& role, const LocalizedText& title);

// Resolves every role of every fired rule and started clock in `decisions`
// to agencies of `directory`:
//  * consulate: for each nationality N of the subject, the consulate of N
//    serving location.admin1, else serving location.country, else N's
//    foreign_ministry desk; receiving_consulate likewise for
//    return.to_country;
//  * receiving_child_welfare and receiving_anti_trafficking: the agency
//    taking that role serving return.to_country;
//  * child_welfare, ombudsman, migration, anti_trafficking, unhcr,
//    refugee_agency and duty_officer: the agency taking that role serving location.admin1, else
//    location.country; duty_officer falls back to `unrouted_id` without
//    counting as unrouted.
// A candidate must be valid on the local date of event.occurred_at and on
// duty (within its hours) at `now`, when the alert goes out; among the
// candidates for one place the highest priority wins, then the smallest id.
// A role that finds nobody goes to `unrouted_id` and is listed in
// Routing::unrouted with the reason. Roles listed in decisions.inhibited are
// never resolved.
// REQUIRES: directory.Check(unrouted_id).ok().
Routing Resolve(const Directory& directory, const Decisions& decisions, const Event& event,
                Instant now, const std::string& unrouted_id);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ROUTING_RESOLVER_H_

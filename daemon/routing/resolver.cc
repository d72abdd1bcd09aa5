#include "daemon/routing/resolver.h"

#include <functional>
#include <set>
#include <tuple>
#include <utility>

#include "daemon/routing/disclosure.h"

namespace amparo {
namespace {

struct Context {
  const Directory& directory;
  const Event& event;
  date::sys_days day;  // Validity is judged on the event's local date.
  Instant now;         // Office hours are judged when the alert goes out.
  const Agency* fallback;
};

// An agency for a role, or why there is none.
struct Outcome {
  const Agency* agency = nullptr;
  std::string reason;
};

using Filter = std::function<bool(const Agency&)>;

// The highest-priority (then smallest-id) agency accepted by `accept` that is
// valid and on duty, or nullptr.
const Agency* PickBest(const Context& ctx, const Filter& accept) {
  const Agency* best = nullptr;
  for (const Agency& a : ctx.directory.agencies()) {
    if (!accept(a) || !a.ValidOn(ctx.day) || !a.OnDuty(ctx.now)) continue;
    if (best == nullptr || a.priority > best->priority ||
        (a.priority == best->priority && a.id < best->id)) {
      best = &a;
    }
  }
  return best;
}

// PickBest among the agencies serving the first of `places` that has one.
const Agency* PickByPlace(const Context& ctx, const std::vector<std::string>& places,
                          const Filter& accept) {
  for (const std::string& place : places) {
    if (place.empty()) continue;
    const Agency* best =
        PickBest(ctx, [&](const Agency& a) { return accept(a) && a.Serves(place); });
    if (best != nullptr) return best;
  }
  return nullptr;
}

std::string Places(const std::vector<std::string>& places) {
  std::string out;
  for (const std::string& place : places) {
    if (place.empty()) continue;
    if (!out.empty()) out += " or ";
    out += place;
  }
  return out;
}

// The consulate of `state` for the event's place, else its foreign ministry.
Outcome Consulate(const Context& ctx, const std::string& state) {
  const std::vector<std::string> places = {ctx.event.location.admin1, ctx.event.location.country};
  const Agency* agency = PickByPlace(ctx, places, [&](const Agency& a) {
    return a.kind == AgencyKind::kConsulate && a.country == state;
  });
  if (agency == nullptr) {
    agency = PickBest(ctx, [&](const Agency& a) {
      return a.kind == AgencyKind::kForeignMinistry && a.country == state;
    });
  }
  if (agency != nullptr) return {agency, ""};
  return {nullptr, "no consulate of " + state + " for " + Places(places) +
                       " and no foreign_ministry desk of " + state + " is valid and on duty"};
}

Outcome ByRole(const Context& ctx, const std::string& role,
               const std::vector<std::string>& places) {
  const Agency* agency =
      PickByPlace(ctx, places, [&](const Agency& a) { return a.TakesRole(role); });
  if (agency != nullptr) return {agency, ""};
  return {nullptr, "no " + role + " agency for " + Places(places) + " is valid and on duty"};
}

std::vector<Outcome> ResolveRole(const Context& ctx, const std::string& role) {
  const Event& event = ctx.event;
  const std::vector<std::string> here = {event.location.admin1, event.location.country};
  if (role == "consulate") {
    if (event.subject.nationalities.empty()) return {{nullptr, "the subject has no nationality"}};
    std::vector<Outcome> out;
    for (const std::string& state : event.subject.nationalities) {
      out.push_back(Consulate(ctx, state));
    }
    return out;
  }
  if (role == "receiving_consulate" || role == "receiving_child_welfare" ||
      role == "receiving_anti_trafficking") {
    if (!event.return_) return {{nullptr, "the event has no return.to_country"}};
    const std::string& to = event.return_->to_country;
    return {role == "receiving_consulate" ? Consulate(ctx, to) : ByRole(ctx, role, {to})};
  }
  if (role == "duty_officer") {
    Outcome outcome = ByRole(ctx, role, here);
    if (outcome.agency == nullptr && ctx.fallback != nullptr) return {{ctx.fallback, ""}};
    return {outcome};
  }
  for (std::string_view known : kRoles) {
    if (known == role) return {ByRole(ctx, role, here)};
  }
  return {{nullptr, "unknown role \"" + role + "\""}};
}

}  // namespace

Recipient RecipientOf(const Agency& agency, AlertSource source, const std::string& rule,
                      const std::string& role, const LocalizedText& title) {
  return {.source = source,
          .rule = rule,
          .role = role,
          .agency_id = agency.id,
          .kind = agency.kind,
          .country = agency.country,
          .channels = agency.channels,
          .language = Localize(title, agency.languages).language,
          .disclosure = agency.disclosure};
}

Routing Resolve(const Directory& directory, const Decisions& decisions, const Event& event,
                Instant now, const std::string& unrouted_id) {
  const Context ctx{directory, event, date::sys_days(event.occurred_at.LocalDate()), now,
                    directory.Find(unrouted_id)};
  std::set<std::pair<std::string, std::string>> inhibited;
  for (const Inhibition& inhibition : decisions.inhibited) {
    inhibited.emplace(inhibition.rule, inhibition.role);
  }
  Routing routing;
  std::set<std::tuple<AlertSource, std::string, std::string>> seen;
  auto route = [&](AlertSource source, const std::string& rule, const LocalizedText& title,
                   const std::vector<std::string>& roles) {
    for (const std::string& role : roles) {
      if (inhibited.count({rule, role}) > 0) continue;
      for (const Outcome& outcome : ResolveRole(ctx, role)) {
        const Agency* agency = outcome.agency;
        if (agency == nullptr) {
          routing.unrouted.push_back({source, rule, role, outcome.reason});
          agency = ctx.fallback;
        }
        if (agency == nullptr || !seen.emplace(source, rule, agency->id).second) continue;
        routing.recipients.push_back(RecipientOf(*agency, source, rule, role, title));
      }
    }
  };
  for (const FiredRule& rule : decisions.rules) {
    route(AlertSource::kRule, rule.id, rule.title, rule.roles);
  }
  for (const ClockOp& clock : decisions.clocks) {
    if (clock.op == ClockOp::Op::kStart) {
      route(AlertSource::kClock, clock.clock_id, clock.title, clock.roles);
    }
  }
  return routing;
}

}  // namespace amparo

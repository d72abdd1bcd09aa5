// One agency of the directory (DESIGN.md §5): who it is, which places it
// serves, when it acts, and how it is reached.
//
// Agencies are plain values owned by a Directory; copy them freely.
#ifndef AMPARO_DAEMON_ROUTING_AGENCY_H_
#define AMPARO_DAEMON_ROUTING_AGENCY_H_

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/engine/decision.h"

namespace amparo {

enum class AgencyKind {
  kConsulate,
  kChildWelfare,
  kOmbudsman,
  kMigration,
  kAntiTrafficking,
  kUnhcr,
  kDutyOfficer,
  kForeignMinistry,  // A state's central protection desk: the consulate fallback.
  kRefugeeAgency,    // The refugee-status authority of a state (COMAR in Mexico).
};

// Wire names of AgencyKind, in enum order ("consulate", "child_welfare", ...).
inline constexpr std::array<std::string_view, 9> kAgencyKindNames = {
    "consulate", "child_welfare", "ombudsman",        "migration",     "anti_trafficking",
    "unhcr",     "duty_officer",  "foreign_ministry", "refugee_agency"};

// The wire name of `kind`.
std::string_view AgencyKindName(AgencyKind kind);

// One way to reach an agency. Channels are ordered: the first is primary.
struct Channel {
  enum class Type { kMqtt, kWebhook, kSmtp, kFile };
  Type type = Type::kMqtt;
  // mqtt: the topic ({id} already replaced); webhook: the https:// URL;
  // smtp: the recipient address; file: the JSON-lines file path.
  std::string target;
  std::string secret_file;  // webhook only: the signing secret's file.
  bool operator==(const Channel&) const = default;
};

// Says whether this build can deliver to a channel type ("mqtt", "webhook",
// ...): OK, or the reason it cannot. The caller supplies it (amparod and
// amparoctl pass the adapter registry's CheckChannelType), so routing stays
// free of adapters and a directory naming an unbuilt channel is refused at
// the channel's own file:line:col.
using ChannelTypeCheck = std::function<Status(std::string_view channel_type)>;

// Says whether a webhook's secret file (the path as resolved) can be read:
// OK, or why not. The caller supplies it (amparod and amparoctl read the
// file), so loading the directory itself does no I/O.
using SecretFileCheck = std::function<Status(const std::string& path)>;

// Wire names of Channel::Type, in enum order.
inline constexpr std::array<std::string_view, 4> kChannelTypeNames = {"mqtt", "webhook", "smtp",
                                                                      "file"};

// When an agency acts: on `days`, from `from` to `to` (exclusive) local time
// in `zone`, except on the public holidays of the calendars its `hours` name
// (`holidays:`). Outside these hours another agency takes its role.
struct OfficeHours {
  const date::time_zone* zone = nullptr;  // From date::locate_zone; never null once loaded.
  std::array<bool, 7> days{};             // Indexed by weekday, Sunday = 0.
  std::chrono::minutes from{0};
  std::chrono::minutes to{0};
  // Local dates on which the agency does not act at all: the union of the
  // holiday calendars named by the entry, sorted, without repeats.
  std::vector<date::local_days> holidays;

  // True if `t` falls inside these hours: a listed day, within from..to,
  // and not a holiday (all judged on the local date and time in `zone`).
  bool Contains(Instant t) const;
};

struct Agency {
  std::string id;  // Unique in the directory; [a-z0-9-].
  AgencyKind kind = AgencyKind::kChildWelfare;
  std::string country;  // ISO 3166-1 alpha-2: the state it belongs to.
  // The name by language; a name given as one string is stored under "".
  LocalizedText name;
  // Its district: ISO 3166-2 codes ("MX-CHP") and country codes ("MX").
  std::vector<std::string> serves;
  int priority = 0;  // Among candidates for the same place, the highest wins.
  std::optional<date::sys_days> valid_from;  // Inclusive.
  std::optional<date::sys_days> valid_to;    // Exclusive.
  std::optional<OfficeHours> hours;
  // Its local time zone, for deadlines in e-mails: `tz`, else hours.tz, else
  // null (UTC only).
  const date::time_zone* time_zone = nullptr;
  std::vector<std::string> languages;  // "en", "es", "fr"; the first is preferred.
  std::vector<Channel> channels;       // At least one; the first is primary.
  std::optional<std::string> escalates_to;
  std::string disclosure;  // The name of its disclosure profile.
  // The place-based roles it takes (see TakesRole); set from its kind unless
  // the file lists `roles`.
  std::vector<std::string> roles;

  // True if the agency exists on `day` (valid_from <= day < valid_to).
  bool ValidOn(date::sys_days day) const;
  // True if the agency acts at `t`: always without hours, else within them.
  bool OnDuty(Instant t) const;
  // True if `roles` holds `role`.
  bool TakesRole(std::string_view role) const;
  // True if `serves` lists `code` (a subdivision or a country code) exactly.
  bool Serves(std::string_view code) const;
};

// The roles an agency of `kind` takes when its entry lists no `roles`:
// consulate → consulate; child_welfare → child_welfare and
// receiving_child_welfare; anti_trafficking → anti_trafficking and
// receiving_anti_trafficking; ombudsman, migration, unhcr, duty_officer and
// refugee_agency →
// the role of the same name; foreign_ministry → none (it is
// only the consulate fallback).
std::vector<std::string> DefaultRoles(AgencyKind kind);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ROUTING_AGENCY_H_

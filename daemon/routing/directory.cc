#include "daemon/routing/directory.h"

#include <algorithm>

#include "daemon/routing/agency_reader.h"

namespace amparo {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string FieldList() {
  std::string out;
  for (std::string_view name : kDisclosureFieldNames) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

bool IsProfileName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Reads `disclosure_profiles:` of one file into `profiles`.
void ReadProfiles(const YAML::Node& node, const std::string& file,
                  std::map<std::string, DisclosureProfile, std::less<>>* profiles,
                  Diagnostics* diags) {
  MapReader r(node, "disclosure_profiles", file, diags);
  if (!r.ok() || !node.IsDefined()) return;
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    if (!IsProfileName(name)) {
      r.Error(kv.first, name, "profile names are lower-case letters, digits and '_'");
    } else if (profiles->count(name) > 0) {
      r.Error(kv.first, name, "duplicate disclosure profile");
    }
    std::optional<std::vector<std::string>> fields = r.StringList(name, true);
    if (!fields) continue;
    DisclosureProfile profile{name, {}};
    for (size_t i = 0; i < fields->size(); ++i) {
      std::optional<DisclosureField> field = DisclosureFieldFromName((*fields)[i]);
      if (field) {
        profile.allowed.set(static_cast<size_t>(*field));
      } else {
        r.Error(kv.second[i], name + "[" + std::to_string(i) + "]",
                "unknown field " + Quote((*fields)[i]), "fields are " + FieldList());
      }
    }
    profiles->emplace(name, std::move(profile));
  }
}

// Reads `holiday_calendars:` of one file: name -> list of "YYYY-MM-DD" (the
// public holidays of one country, year after year), into `calendars`.
void ReadHolidayCalendars(const YAML::Node& node, const std::string& file,
                          std::map<std::string, std::vector<date::local_days>>* calendars,
                          Diagnostics* diags) {
  MapReader r(node, "holiday_calendars", file, diags);
  if (!r.ok() || !node.IsDefined()) return;
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    if (!IsProfileName(name)) {
      r.Error(kv.first, name, "calendar names are lower-case letters, digits and '_'");
      continue;
    }
    if (calendars->count(name) > 0) {
      r.Error(kv.first, name, "duplicate holiday calendar");
      continue;
    }
    std::optional<std::vector<std::string>> dates = r.StringList(name, true);
    if (!dates) continue;
    std::vector<date::local_days> days;
    for (size_t i = 0; i < dates->size(); ++i) {
      const std::string key = name + "[" + std::to_string(i) + "]";
      std::optional<date::sys_days> day = ParseDirectoryDate((*dates)[i]);
      if (!day) {
        r.Error(kv.second[i], key, Quote((*dates)[i]) + " is not a date; write YYYY-MM-DD");
        continue;
      }
      const date::local_days local{day->time_since_epoch()};
      if (std::find(days.begin(), days.end(), local) != days.end()) {
        r.Error(kv.second[i], key, Quote((*dates)[i]) + " is listed twice");
        continue;
      }
      days.push_back(local);
    }
    std::sort(days.begin(), days.end());
    calendars->emplace(name, std::move(days));
  }
}

// Gives each agency's hours the days of the calendars it names; an unknown
// calendar is a mistake at the name.
void ResolveHolidays(std::vector<AgencyEntry>* entries,
                     const std::map<std::string, std::vector<date::local_days>>& calendars,
                     Diagnostics* diags) {
  for (AgencyEntry& entry : *entries) {
    std::optional<OfficeHours>& hours = entry.agency.hours;
    for (const auto& [name, pos] : entry.holiday_calendars) {
      auto it = calendars.find(name);
      if (it == calendars.end()) {
        std::string known;
        for (const auto& calendar : calendars)
          known += (known.empty() ? "" : ", ") + calendar.first;
        diags->Add(pos, entry.path + ".hours.holidays: unknown holiday calendar " + Quote(name),
                   known.empty() ? "define it under holiday_calendars: in a directory file"
                                 : "calendars are " + known);
        continue;
      }
      if (!hours) continue;
      hours->holidays.insert(hours->holidays.end(), it->second.begin(), it->second.end());
    }
    if (hours) {
      std::sort(hours->holidays.begin(), hours->holidays.end());
      hours->holidays.erase(std::unique(hours->holidays.begin(), hours->holidays.end()),
                            hours->holidays.end());
    }
  }
}

// True if the validity periods of `a` and `b` share a day.
bool Overlap(const Agency& a, const Agency& b) {
  const bool a_ends_first = a.valid_to && b.valid_from && *a.valid_to <= *b.valid_from;
  const bool b_ends_first = b.valid_to && a.valid_from && *b.valid_to <= *a.valid_from;
  return !a_ends_first && !b_ends_first;
}

// Two agencies of one kind and country must not claim the same place with the
// same priority while both exist: which one acts would depend on their ids.
void CheckClaims(const std::vector<AgencyEntry>& entries, Diagnostics* diags) {
  for (size_t j = 0; j < entries.size(); ++j) {
    const Agency& b = entries[j].agency;
    for (size_t i = 0; i < j; ++i) {
      const Agency& a = entries[i].agency;
      if (a.kind != b.kind || a.country != b.country || a.priority != b.priority ||
          !Overlap(a, b)) {
        continue;
      }
      for (const auto& claim : entries[j].claims) {
        // Not a structured binding: clang 14 (scripts/fuzz) cannot capture one.
        const auto& place = claim.first;
        const auto& pos = claim.second;
        const auto& claims = entries[i].claims;
        if (std::none_of(claims.begin(), claims.end(),
                         [&](const auto& c) { return c.first == place; })) {
          continue;
        }
        diags->Add(pos,
                   entries[j].path + ": agencies " + Quote(a.id) + " and " + Quote(b.id) + " (" +
                       std::string(AgencyKindName(b.kind)) + " of " + b.country + ") both claim " +
                       place + " with priority " + std::to_string(b.priority) +
                       " at overlapping times",
                   "give one a higher priority or make their valid_from/valid_to not overlap");
      }
    }
  }
}

// Reports unknown escalates_to targets and each escalation cycle once, at
// the member of the cycle that comes first in the files.
void CheckEscalation(const std::vector<AgencyEntry>& entries,
                     const std::map<std::string, size_t, std::less<>>& index, Diagnostics* diags) {
  for (size_t start = 0; start < entries.size(); ++start) {
    const AgencyEntry& entry = entries[start];
    if (!entry.agency.escalates_to) continue;
    if (index.count(*entry.agency.escalates_to) == 0) {
      diags->Add(entry.escalates_to_pos,
                 entry.path + ".escalates_to: unknown agency " + Quote(*entry.agency.escalates_to));
      continue;
    }
    std::string chain = entry.agency.id;
    size_t at = start;
    for (size_t steps = 0; steps < entries.size(); ++steps) {
      const std::optional<std::string>& next = entries[at].agency.escalates_to;
      auto it = next ? index.find(*next) : index.end();
      if (it == index.end() || it->second < start) break;  // Ends, or reported from earlier.
      at = it->second;
      chain += " -> " + entries[at].agency.id;
      if (at == start) {
        diags->Add(entry.escalates_to_pos, entry.path + ".escalates_to: escalation cycle " + chain);
        break;
      }
    }
  }
}

}  // namespace

Result<std::shared_ptr<const Directory>> Directory::Load(const std::vector<DirectorySource>& files,
                                                         Diagnostics* diags,
                                                         const ChannelTypeCheck& channel_types,
                                                         const SecretFileCheck& secret_files) {
  const size_t errors_before = diags->size();
  auto dir = std::make_shared<Directory>();
  std::vector<AgencyEntry> entries;
  std::map<std::string, std::vector<date::local_days>> calendars;
  for (const DirectorySource& source : files) {
    std::optional<YAML::Node> doc = ParseYaml(source.text, source.path, diags);
    if (!doc) continue;
    MapReader top(*doc, "", source.path, diags);
    YAML::Node agencies = top.Node("agencies");
    ReadProfiles(top.Node("disclosure_profiles"), source.path, &dir->profiles_, diags);
    ReadHolidayCalendars(top.Node("holiday_calendars"), source.path, &calendars, diags);
    top.Finish();
    if (!agencies.IsDefined() || agencies.IsNull()) continue;
    if (!agencies.IsSequence()) {
      diags->Add(PosOf(agencies, source.path), "agencies: must be a list of agencies");
      continue;
    }
    for (size_t i = 0; i < agencies.size(); ++i) {
      const std::string path = "agencies[" + std::to_string(i) + "]";
      std::optional<AgencyEntry> entry =
          ReadAgency(agencies[i], path, source.path, channel_types, diags, secret_files);
      if (!entry) continue;
      auto [it, inserted] = dir->index_.emplace(entry->agency.id, entries.size());
      if (!inserted) {
        const SourcePos& first = entries[it->second].pos;
        diags->Add(entry->pos, path + ".id: duplicate id " + Quote(entry->agency.id) +
                                   ", first defined at " + first.file + ":" +
                                   std::to_string(first.line) + ":" + std::to_string(first.col));
        continue;
      }
      entries.push_back(std::move(*entry));
    }
  }
  for (const AgencyEntry& entry : entries) {
    const std::string& profile = entry.agency.disclosure;
    if (!profile.empty() && dir->profiles_.count(profile) == 0) {
      diags->Add(entry.disclosure_pos,
                 entry.path + ".disclosure: unknown disclosure profile " + Quote(profile));
    }
  }
  ResolveHolidays(&entries, calendars, diags);
  CheckEscalation(entries, dir->index_, diags);
  CheckClaims(entries, diags);
  if (diags->size() > errors_before) {
    std::string errors;
    for (size_t i = errors_before; i < diags->size(); ++i) {
      errors += diags->items()[i].ToString() + "\n";
    }
    return Status::InvalidArgument(errors);
  }
  for (AgencyEntry& entry : entries) dir->agencies_.push_back(std::move(entry.agency));
  return std::shared_ptr<const Directory>(std::move(dir));
}

Status Directory::Check(std::string_view unrouted_id) const {
  const Agency* agency = Find(unrouted_id);
  const std::string who = "unrouted agency " + Quote(unrouted_id);
  if (agency == nullptr) return Status::NotFound(who + " is not in the directory");
  if (agency->kind != AgencyKind::kDutyOfficer) {
    return Status::FailedPrecondition(who + " is a " + std::string(AgencyKindName(agency->kind)) +
                                      ", not a duty_officer");
  }
  if (agency->hours || agency->valid_from || agency->valid_to) {
    return Status::FailedPrecondition(
        who + " has hours or validity dates; the last resort must be reachable at all times");
  }
  return Status::OK();
}

const Agency* Directory::Find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &agencies_[it->second];
}

const DisclosureProfile* Directory::Profile(std::string_view name) const {
  auto it = profiles_.find(name);
  return it == profiles_.end() ? nullptr : &it->second;
}

}  // namespace amparo

#include "daemon/routing/agency_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <span>

#include "daemon/core/iso3166.h"
#include "daemon/event/rfc3339.h"

namespace amparo {
namespace {

constexpr std::array<std::string_view, 3> kLanguages = {"en", "es", "fr"};
constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
// The roles an entry may list under `roles`.
constexpr std::array<std::string_view, 9> kListableRoles = {
    "child_welfare",    "receiving_child_welfare",    "ombudsman", "migration",
    "anti_trafficking", "receiving_anti_trafficking", "unhcr",     "duty_officer",
    "refugee_agency"};

template <typename List>
std::string Join(const List& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

bool Contains(std::span<const std::string_view> list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// The position of `key` in the entry, or of the entry when the key is absent.
SourcePos PosIn(MapReader& r, std::string_view key, const SourcePos& entry_pos) {
  YAML::Node node = r.Node(key);
  return node.IsDefined() ? PosOf(node, r.file()) : entry_pos;
}

bool IsAgencyId(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Parses "YYYY-MM-DD" strictly, as the event contract does (event/rfc3339.h).
std::optional<date::sys_days> ParseDate(const std::string& text) {
  Result<date::year_month_day> day = ParseIsoDate(text);
  if (!day.ok()) return std::nullopt;
  return date::sys_days{*day};
}

// Parses "HH:MM" (00:00 to 24:00) as minutes since midnight.
std::optional<std::chrono::minutes> ParseClockTime(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int h = 0;
  int m = 0;
  const char* s = text.data();
  if (std::from_chars(s, s + 2, h).ptr != s + 2 || std::from_chars(s + 3, s + 5, m).ptr != s + 5) {
    return std::nullopt;
  }
  if (h < 0 || m < 0 || m > 59 || h * 60 + m > 24 * 60) return std::nullopt;
  return std::chrono::minutes(h * 60 + m);
}

std::optional<date::sys_days> ReadDate(MapReader& r, std::string_view key) {
  std::optional<std::string> text = r.String(key, false);
  if (!text) return std::nullopt;
  std::optional<date::sys_days> day = ParseDate(*text);
  if (!day) r.Error(r.Node(key), key, "\"" + *text + "\" is not a date; write YYYY-MM-DD");
  return day;
}

LocalizedText ReadName(MapReader& r) {
  YAML::Node node = r.Required("name");
  if (!node.IsDefined() || node.IsNull()) return {};
  if (node.IsScalar()) return {{"", node.Scalar()}};
  LocalizedText name;
  MapReader names(node, r.PathOf("name"), r.file(), r.diags());
  for (std::string_view lang : kLanguages) {
    if (std::optional<std::string> text = names.String(lang, false)) name.emplace(lang, *text);
  }
  names.Finish();
  if (names.ok() && node.IsMap() && node.size() == 0) r.Error(node, "name", "must not be empty");
  return name;
}

std::optional<OfficeHours> ReadHours(MapReader& r,
                                     std::vector<std::pair<std::string, SourcePos>>* calendars) {
  YAML::Node node = r.Node("hours");
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  MapReader h(node, r.PathOf("hours"), r.file(), r.diags());
  OfficeHours hours;
  bool good = h.ok();
  if (std::optional<std::string> tz = h.String("tz", true)) {
    try {
      hours.zone = date::locate_zone(*tz);
    } catch (const std::exception&) {
      h.Error(h.Node("tz"), "tz", "unknown time zone \"" + *tz + "\"",
              "use an IANA name such as America/Panama");
    }
  }
  good = good && hours.zone != nullptr;
  std::optional<std::vector<std::string>> days = h.StringList("days", true);
  if (days && days->empty()) h.Error(h.Node("days"), "days", "must list at least one day");
  if (days) {
    for (const std::string& day : *days) {
      auto it = std::find(kDays.begin(), kDays.end(), day);
      if (it == kDays.end()) {
        h.Error(h.Node("days"), "days",
                "\"" + day + "\" is not one of mon, tue, wed, thu, fri, sat, sun");
        good = false;
      } else {
        hours.days[it - kDays.begin()] = true;
      }
    }
  } else {
    good = false;
  }
  bool times = true;
  for (auto [key, field] : {std::pair{"from", &hours.from}, std::pair{"to", &hours.to}}) {
    std::optional<std::string> text = h.String(key, true);
    std::optional<std::chrono::minutes> t = text ? ParseClockTime(*text) : std::nullopt;
    if (text && !t) h.Error(h.Node(key), key, "\"" + *text + "\" is not a time; write HH:MM");
    if (t) *field = *t;
    times = times && t;
  }
  if (times && hours.from >= hours.to) {
    h.Error(h.Node("to"), "to", "must be later than from");
    times = false;
  }
  good = good && times;
  if (auto names = h.StringList("holidays", false)) {
    const YAML::Node list = h.Node("holidays");
    for (size_t i = 0; i < names->size(); ++i) {
      calendars->emplace_back((*names)[i], PosOf(list[i], r.file()));
    }
  }
  h.Finish();
  if (!good) return std::nullopt;
  return hours;
}

// `path` as is when absolute, else next to the directory file `file`.
std::string ResolveNextTo(const std::string& file, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || path.empty()) return path;
  return (std::filesystem::path(file).parent_path() / p).lexically_normal().string();
}

// True for "https://host..."; "http://" only to this machine and only when
// the channel says allow_insecure_loopback.
bool IsAllowedWebhookUrl(const std::string& url, bool insecure_loopback) {
  std::string_view rest = url;
  const bool https = rest.starts_with("https://");
  if (!https && !rest.starts_with("http://")) return false;
  rest.remove_prefix(https ? 8 : 7);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  if (https) return true;
  if (!insecure_loopback) return false;
  const std::string_view host = authority.starts_with("[::1]")
                                    ? authority.substr(0, 5)
                                    : authority.substr(0, authority.find(':'));
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

bool IsMailAddress(const std::string& to) {
  const size_t at = to.find('@');
  return at != std::string::npos && at > 0 && at + 1 < to.size() &&
         to.find('@', at + 1) == std::string::npos &&
         to.find_first_of(" \t<>,;") == std::string::npos;
}

std::optional<Channel> ReadChannel(const YAML::Node& node, const std::string& path,
                                   const std::string& agency_id, const std::string& file,
                                   const ChannelTypeCheck& channel_types,
                                   const SecretFileCheck& secret_files, Diagnostics* diags) {
  MapReader c(node, path, file, diags);
  std::optional<std::string> type =
      c.Enum("type", true, {kChannelTypeNames.begin(), kChannelTypeNames.end()});
  if (type && channel_types) {
    if (Status s = channel_types(*type); !s.ok()) c.Error(c.Node("type"), "type", s.message());
  }
  std::optional<Channel> channel;
  if (type == "mqtt") {
    std::string topic = c.String("topic", false).value_or("rcm/v1/alerts/{id}");
    if (const size_t at = topic.find("{id}"); at != std::string::npos)
      topic.replace(at, 4, agency_id);
    if (topic.empty() || topic.find_first_of("+#") != std::string::npos) {
      c.Error(c.Node("topic"), "topic", "must be a topic without wildcards");
    } else {
      channel = Channel{Channel::Type::kMqtt, topic, ""};
    }
  } else if (type == "webhook") {
    std::optional<std::string> url = c.String("url", true);
    std::optional<std::string> secret = c.String("secret_file", true);
    const bool insecure_loopback = c.Bool("allow_insecure_loopback", false).value_or(false);
    if (secret) {
      *secret = ResolveNextTo(file, *secret);
      if (Status s = secret_files ? secret_files(*secret) : Status::OK(); !s.ok()) {
        c.Error(c.Node("secret_file"), "secret_file", s.message(),
                "a webhook signs with a per-agency secret kept in a file (systemd "
                "LoadCredential=); write it as whsec_<base64 key>");
        secret.reset();
      }
    }
    if (url && !IsAllowedWebhookUrl(*url, insecure_loopback)) {
      c.Error(c.Node("url"), "url", "\"" + *url + "\" must be https://",
              "plain http:// is accepted only to 127.0.0.1 or localhost, and only with "
              "allow_insecure_loopback: true");
    } else if (url && secret) {
      channel = Channel{Channel::Type::kWebhook, *url, *secret};
    }
  } else if (type == "smtp") {
    std::optional<std::string> to = c.String("to", true);
    if (to && !IsMailAddress(*to)) {
      c.Error(c.Node("to"), "to", "\"" + *to + "\" is not a mail address");
    } else if (to) {
      channel = Channel{Channel::Type::kSmtp, *to, ""};
    }
  } else if (type == "file") {
    std::optional<std::string> file_path = c.String("path", true);
    if (file_path) channel = Channel{Channel::Type::kFile, *file_path, ""};
  } else {
    // Without a known type its other keys cannot be judged.
    for (const char* key :
         {"topic", "url", "secret_file", "allow_insecure_loopback", "to", "path"}) {
      c.Node(key);
    }
  }
  c.Finish();
  return channel;
}

std::vector<Channel> ReadChannels(MapReader& r, const std::string& agency_id,
                                  const ChannelTypeCheck& channel_types,
                                  const SecretFileCheck& secret_files) {
  YAML::Node node = r.Required("channels");
  std::vector<Channel> channels;
  if (!node.IsDefined() || node.IsNull()) return channels;
  if (!node.IsSequence() || node.size() == 0) {
    r.Error(node, "channels", "must be a non-empty list of channels");
    return channels;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = r.PathOf("channels") + "[" + std::to_string(i) + "]";
    if (auto channel = ReadChannel(node[i], path, agency_id, r.file(), channel_types, secret_files,
                                   r.diags())) {
      channels.push_back(std::move(*channel));
    }
  }
  return channels;
}

// Reads `serves` and the claims it makes; checks codes and, for kinds that
// act only at home, that every place lies in the agency's country.
void ReadServes(MapReader& r, AgencyEntry* entry) {
  Agency& a = entry->agency;
  const bool home_only = a.kind == AgencyKind::kChildWelfare || a.kind == AgencyKind::kOmbudsman ||
                         a.kind == AgencyKind::kMigration ||
                         a.kind == AgencyKind::kAntiTrafficking ||
                         a.kind == AgencyKind::kRefugeeAgency;
  const bool forbidden = a.kind == AgencyKind::kForeignMinistry;
  const bool required = !forbidden && a.kind != AgencyKind::kDutyOfficer;
  if (forbidden && r.Has("serves")) {
    r.Error(r.Node("serves"), "serves",
            "a foreign_ministry desk acts for its nationals everywhere; remove serves");
    return;
  }
  if (forbidden) {
    if (!a.country.empty()) entry->claims.emplace_back(a.country, PosIn(r, "country", entry->pos));
    return;
  }
  std::optional<std::vector<std::string>> serves = r.StringList("serves", required);
  if (!serves) return;
  YAML::Node node = r.Node("serves");
  if (required && serves->empty()) r.Error(node, "serves", "must list at least one place");
  for (size_t i = 0; i < serves->size(); ++i) {
    const std::string& code = (*serves)[i];
    const std::string key = "serves[" + std::to_string(i) + "]";
    if (!IsCountryCode(code) && !IsSubdivisionCode(code)) {
      r.Error(node[i], key, "\"" + code + "\" is not an ISO 3166-1 country or ISO 3166-2 code");
    } else if (home_only && !a.country.empty() && CountryOf(code) != a.country) {
      r.Error(node[i], key, "\"" + code + "\" lies outside the agency's country " + a.country);
    } else {
      a.serves.push_back(code);
      entry->claims.emplace_back(code, PosOf(node[i], r.file()));
    }
  }
}

}  // namespace

std::optional<date::sys_days> ParseDirectoryDate(const std::string& text) {
  return ParseDate(text);
}

std::optional<AgencyEntry> ReadAgency(const YAML::Node& node, const std::string& path,
                                      const std::string& file,
                                      const ChannelTypeCheck& channel_types, Diagnostics* diags,
                                      const SecretFileCheck& secret_files) {
  MapReader r(node, path, file, diags);
  if (!r.ok()) return std::nullopt;
  AgencyEntry entry;
  entry.path = path;
  entry.pos = PosOf(node, file);
  Agency& a = entry.agency;
  std::optional<std::string> id = r.String("id", true);
  if (id && !IsAgencyId(*id)) {
    r.Error(r.Node("id"), "id", "\"" + *id + "\" must be lower-case letters, digits and '-'");
  }
  std::optional<std::string> kind =
      r.Enum("kind", true, {kAgencyKindNames.begin(), kAgencyKindNames.end()});
  if (kind) {
    a.kind =
        static_cast<AgencyKind>(std::find(kAgencyKindNames.begin(), kAgencyKindNames.end(), *kind) -
                                kAgencyKindNames.begin());
  }
  if (std::optional<std::string> country = r.String("country", true)) {
    if (IsCountryCode(*country)) {
      a.country = *country;
    } else {
      r.Error(r.Node("country"), "country",
              "\"" + *country + "\" is not an ISO 3166-1 alpha-2 country code");
    }
  }
  a.name = ReadName(r);
  if (kind) {
    ReadServes(r, &entry);
  } else {
    r.Node("serves");  // Unreadable without a kind, but not an unknown key.
  }
  a.priority = static_cast<int>(r.Int("priority", false, -1000, 1000).value_or(0));
  a.valid_from = ReadDate(r, "valid_from");
  a.valid_to = ReadDate(r, "valid_to");
  if (a.valid_from && a.valid_to && *a.valid_to <= *a.valid_from) {
    r.Error(r.Node("valid_to"), "valid_to", "must be later than valid_from");
  }
  a.hours = ReadHours(r, &entry.holiday_calendars);
  if (std::optional<std::string> tz = r.String("tz", false)) {
    try {
      a.time_zone = date::locate_zone(*tz);
    } catch (const std::exception&) {
      r.Error(r.Node("tz"), "tz", "unknown time zone \"" + *tz + "\"",
              "use an IANA name such as America/Mexico_City");
    }
  } else if (a.hours) {
    a.time_zone = a.hours->zone;
  }
  if (auto languages = r.StringList("languages", true)) {
    for (const std::string& lang : *languages) {
      if (!Contains(kLanguages, lang)) {
        r.Error(r.Node("languages"), "languages",
                "\"" + lang + "\" is not one of " + Join(kLanguages));
      }
    }
    if (languages->empty()) r.Error(r.Node("languages"), "languages", "must list at least one");
    a.languages = std::move(*languages);
  }
  if (id) a.channels = ReadChannels(r, *id, channel_types, secret_files);
  a.escalates_to = r.String("escalates_to", false);
  entry.escalates_to_pos = PosIn(r, "escalates_to", entry.pos);
  a.disclosure = r.String("disclosure", true).value_or("");
  entry.disclosure_pos = PosIn(r, "disclosure", entry.pos);
  if (auto roles = r.StringList("roles", false)) {
    if (a.kind != AgencyKind::kOmbudsman && a.kind != AgencyKind::kDutyOfficer) {
      r.Error(r.Node("roles"), "roles", "only an ombudsman or a duty_officer may list roles");
    }
    for (const std::string& role : *roles) {
      if (!Contains(kListableRoles, role)) {
        r.Error(r.Node("roles"), "roles", "\"" + role + "\" is not one of " + Join(kListableRoles));
      }
    }
    a.roles = std::move(*roles);
  } else {
    a.roles = DefaultRoles(a.kind);
  }
  r.Finish();
  if (!id || !IsAgencyId(*id)) return std::nullopt;
  a.id = *id;
  return entry;
}

}  // namespace amparo

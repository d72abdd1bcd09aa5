#include "daemon/app/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "daemon/core/duration.h"
#include "daemon/core/keyed_hash.h"
#include "daemon/core/text_files.h"
#include "daemon/core/yaml_reader.h"
#include "daemon/engine/engine_options.h"

namespace amparo {

namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

constexpr size_t kMaxConfigBytes = 1 << 20;
constexpr Duration kUnbounded = Duration::max();

// ---------------------------------------------------------------------------
// Value checks, shared by the file and the command line. Each returns the
// reason a value is wrong, or "" when it is fine.

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::string CheckId(std::string_view id) {
  if (id.empty() || id.size() > 64 || !std::all_of(id.begin(), id.end(), IsIdChar)) {
    return "must be 1 to 64 of A-Z a-z 0-9 _ -, got " + Quoted(id);
  }
  return {};
}

bool IsHostChar(char c) { return IsIdChar(c) || c == '.'; }
bool IsIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// HOST:PORT, where HOST is a name, an IPv4 address or a bracketed IPv6 address.
std::string CheckHostPort(std::string_view text, bool allow_port_zero) {
  const std::string reason = std::string("must be HOST:PORT with PORT ") +
                             (allow_port_zero ? "0" : "1") + "..65535, got " + Quoted(text);
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return reason;
  const std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  const bool host_ok = bracketed
                           ? std::all_of(host.begin() + 1, host.end() - 1, IsIpv6Char)
                           : !host.empty() && std::all_of(host.begin(), host.end(), IsHostChar);
  if (!host_ok || port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), IsDigit)) {
    return reason;
  }
  const int port = std::stoi(std::string(port_text));
  return port <= 65535 && port >= (allow_port_zero ? 0 : 1) ? std::string() : reason;
}

std::string CheckBrokerUri(std::string_view uri) {
  for (std::string_view scheme : {"tcp://", "ssl://"}) {
    if (uri.starts_with(scheme) && CheckHostPort(uri.substr(scheme.size()), false).empty()) {
      return {};
    }
  }
  return "must be tcp://HOST:PORT or ssl://HOST:PORT with PORT 1..65535, got " + Quoted(uri);
}

std::vector<std::string_view> TopicLevels(std::string_view topic) {
  std::vector<std::string_view> levels;
  size_t start = 0;
  for (size_t slash = topic.find('/'); slash != std::string_view::npos;
       slash = topic.find('/', start)) {
    levels.push_back(topic.substr(start, slash - start));
    start = slash + 1;
  }
  levels.push_back(topic.substr(start));
  return levels;
}

std::string CheckTopicFilter(std::string_view filter) {
  if (filter.empty()) return "the topic filter must not be empty";
  if (filter.find('\0') != std::string_view::npos) return "must not contain NUL";
  const std::vector<std::string_view> levels = TopicLevels(filter);
  for (size_t i = 0; i < levels.size(); ++i) {
    const std::string_view level = levels[i];
    if (level.find('#') != std::string_view::npos && (level != "#" || i + 1 != levels.size())) {
      return "\"#\" must be a whole level and the last one, got " + Quoted(filter);
    }
    if (level.find('+') != std::string_view::npos && level != "+") {
      return "\"+\" must be a whole level, got " + Quoted(filter);
    }
  }
  return {};
}

// The filter part of a subscription, without a "$share/GROUP/" prefix.
std::string_view FilterOf(std::string_view subscription) {
  constexpr std::string_view kShare = "$share/";
  if (!subscription.starts_with(kShare)) return subscription;
  const size_t slash = subscription.find('/', kShare.size());
  return slash == std::string_view::npos ? std::string_view() : subscription.substr(slash + 1);
}

std::string CheckSubscription(std::string_view subscription) {
  constexpr std::string_view kShare = "$share/";
  if (subscription.starts_with(kShare)) {
    const std::string_view rest = subscription.substr(kShare.size());
    const std::string_view group = rest.substr(0, rest.find('/'));
    if (group.empty() || group.size() == rest.size() ||
        group.find_first_of("+#") != std::string_view::npos) {
      return "a shared subscription must be $share/GROUP/FILTER with a GROUP free of +, # and /, "
             "got " +
             Quoted(subscription);
    }
  }
  return CheckTopicFilter(FilterOf(subscription));
}

std::string CheckTopicName(std::string_view topic) {
  if (topic.empty() || topic.find_first_of(std::string_view("+#\0", 3)) != std::string_view::npos ||
      topic.front() == '$' || topic.back() == '/') {
    return "must be an MQTT topic without +, #, a leading $ or a trailing /, got " + Quoted(topic);
  }
  return {};
}

bool FilterMatches(std::string_view filter, std::string_view topic) {
  const std::vector<std::string_view> f = TopicLevels(filter);
  const std::vector<std::string_view> t = TopicLevels(topic);
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == "#") return true;
    if (i >= t.size() || (f[i] != "+" && f[i] != t[i])) return false;
  }
  return f.size() == t.size();
}

bool IsParamName(std::string_view name) {
  return !name.empty() && name.front() >= 'a' && name.front() <= 'z' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

std::string CheckNotEmpty(std::string_view s) { return s.empty() ? "must not be empty" : ""; }

std::string CheckPath(std::string_view path) {
  if (path.empty()) return "must not be empty";
  if (path.find('\0') != std::string_view::npos) return "must not contain NUL";
  return {};
}

std::string CheckUriTls(const BrokerConfig& broker) {
  const bool ssl = broker.uri.starts_with("ssl://");
  const TlsConfig& tls = broker.tls;
  if (ssl && !tls.ca_file) return "ssl:// needs broker.tls.ca_file";
  if (!ssl && (tls.ca_file || tls.cert_file || tls.key_file)) {
    return "broker.tls is set but the uri is not ssl://; use ssl:// or remove broker.tls";
  }
  return {};
}

// ---------------------------------------------------------------------------
// Reading the YAML. Each Read* leaves `*out` at its default when the key is
// absent or wrong (after reporting the mistake).

struct Context {
  std::string file;
  std::string base_dir;
  Diagnostics* diags;
};

// yaml-cpp keeps both of two equal keys, and a lookup sees only the first.
void ReportDuplicateKeys(const YAML::Node& node, const std::string& path, const Context& ctx) {
  if (!node.IsDefined() || !node.IsMap()) return;  // IsMap() throws on an absent node.
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : node) {
    if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second) {
      const std::string key_path =
          path.empty() ? kv.first.Scalar() : path + "." + kv.first.Scalar();
      ctx.diags->Add(PosOf(kv.first, ctx.file), key_path + ": duplicate key");
    }
  }
}

// A reader for the mapping at `path`; an absent section reads as empty.
MapReader OpenMap(const YAML::Node& node, const std::string& path, const Context& ctx) {
  ReportDuplicateKeys(node, path, ctx);
  // MapReader would call IsMap() on an absent node, which throws.
  return MapReader(node.IsDefined() ? node : YAML::Node(), path, ctx.file, ctx.diags);
}

// The node of the first of `keys` present, to place a cross-field error.
YAML::Node FirstPresent(MapReader& r, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (r.Has(key)) return r.Node(key);
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

// Out is std::string or std::optional<std::string>.
template <typename Out>
void ReadString(MapReader& r, std::string_view key, std::string (*check)(std::string_view),
                Out* out) {
  std::optional<std::string> value = r.String(key, false);
  if (!value) return;
  if (std::string reason = check(*value); !reason.empty()) {
    r.Error(r.Node(key), key, std::move(reason));
    return;
  }
  *out = std::move(*value);
}

// The path at `key`, resolved against the base folder.
std::optional<std::string> ResolvedPath(MapReader& r, std::string_view key, bool required,
                                        const Context& ctx) {
  std::optional<std::string> value = r.String(key, required);
  if (!value) return std::nullopt;
  if (std::string reason = CheckPath(*value); !reason.empty()) {
    r.Error(r.Node(key), key, std::move(reason));
    return std::nullopt;
  }
  const std::filesystem::path path(*value);
  if (ctx.base_dir.empty() || path.is_absolute()) return value;
  return (std::filesystem::path(ctx.base_dir) / path).lexically_normal().string();
}

// Out is std::string or std::optional<std::string>.
template <typename Out>
void ReadPath(MapReader& r, std::string_view key, const Context& ctx, Out* out) {
  if (std::optional<std::string> path = ResolvedPath(r, key, false, ctx)) *out = std::move(*path);
}

void ReadBool(MapReader& r, std::string_view key, bool* out) {
  if (std::optional<bool> value = r.Bool(key, false)) *out = *value;
}

void ReadInt(MapReader& r, std::string_view key, int min, int max, int* out) {
  if (std::optional<int64_t> value = r.Int(key, false, min, max)) *out = static_cast<int>(*value);
}

std::string FormatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

void ReadNumber(MapReader& r, std::string_view key, double min, double max, double* out) {
  const YAML::Node node = r.Node(key);
  if (!node.IsDefined() || node.IsNull()) return;
  const std::string text = node.IsScalar() ? node.Scalar() : std::string();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!node.IsScalar() || text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    r.Error(node, key, "must be a number");
  } else if (!(value >= min && value <= max)) {  // Also rejects nan.
    r.Error(node, key,
            "must be between " + FormatNumber(min) + " and " + FormatNumber(max) + ", got " + text);
  } else {
    *out = value;
  }
}

void ReadDuration(MapReader& r, std::string_view key, Duration min, Duration max, Duration* out) {
  const std::optional<Duration> value = r.DurationValue(key, false);
  if (!value) return;
  if (*value >= min && *value <= max) {
    *out = *value;
    return;
  }
  const std::string got = ", got " + r.Node(key).Scalar();
  r.Error(r.Node(key), key,
          max == kUnbounded
              ? "must be at least " + FormatDuration(min) + got
              : "must be between " + FormatDuration(min) + " and " + FormatDuration(max) + got);
}

template <typename E>
void ReadEnum(MapReader& r, std::string_view key,
              std::initializer_list<std::pair<std::string_view, E>> names, E* out) {
  std::vector<std::string_view> allowed;
  for (const auto& [name, value] : names) allowed.push_back(name);
  const std::optional<std::string> text = r.Enum(key, false, allowed);
  if (!text) return;
  for (const auto& [name, value] : names) {
    if (name == *text) *out = value;
  }
}

// ---------------------------------------------------------------------------
// Sections. Cross-field checks run only on a section whose values all read
// cleanly, so that one mistake is not reported twice.

void ReadTls(MapReader& r, const Context& ctx, TlsConfig* tls) {
  const size_t errors_before = ctx.diags->size();
  ReadPath(r, "ca_file", ctx, &tls->ca_file);
  ReadPath(r, "cert_file", ctx, &tls->cert_file);
  ReadPath(r, "key_file", ctx, &tls->key_file);
  if (ctx.diags->size() == errors_before &&
      tls->cert_file.has_value() != tls->key_file.has_value()) {
    r.Error(FirstPresent(r, {"cert_file", "key_file"}), tls->cert_file ? "key_file" : "cert_file",
            "is required with broker.tls." + std::string(tls->cert_file ? "cert_file" : "key_file"),
            "a client certificate needs both cert_file and key_file");
  }
  r.Finish();
}

void CheckBroker(MapReader& r, const BrokerConfig& b) {
  if (b.reconnect_min > b.reconnect_max) {
    r.Error(FirstPresent(r, {"reconnect_min", "reconnect_max"}), "reconnect_min",
            "must not exceed broker.reconnect_max (" + FormatDuration(b.reconnect_max) + "), got " +
                FormatDuration(b.reconnect_min));
  }
  if (b.username.has_value() != b.password_file.has_value()) {
    r.Error(FirstPresent(r, {"username", "password_file"}),
            b.username ? "password_file" : "username",
            "is required with broker." + std::string(b.username ? "username" : "password_file"));
  }
  if (std::string reason = CheckUriTls(b); !reason.empty()) {
    r.Error(FirstPresent(r, {"uri", "tls"}), "uri", std::move(reason));
  }
}

void ReadBroker(MapReader& r, const Context& ctx, const std::string& instance, BrokerConfig* b) {
  const size_t errors_before = ctx.diags->size();
  b->client_id = instance;
  ReadString(r, "uri", CheckBrokerUri, &b->uri);
  ReadString(r, "client_id", CheckId, &b->client_id);
  ReadBool(r, "persistent_session", &b->persistent_session);
  ReadString(r, "username", CheckNotEmpty, &b->username);
  ReadPath(r, "password_file", ctx, &b->password_file);
  MapReader tls = OpenMap(r.Node("tls"), r.PathOf("tls"), ctx);
  ReadTls(tls, ctx, &b->tls);
  ReadString(r, "subscription", CheckSubscription, &b->subscription);
  ReadDuration(r, "keep_alive", 1s, 1h, &b->keep_alive);
  if (b->keep_alive % 1s != 0ms) {
    r.Error(r.Node("keep_alive"), "keep_alive",
            "must be whole seconds, got " + r.Node("keep_alive").Scalar());
  }
  ReadDuration(r, "reconnect_min", 100ms, 10min, &b->reconnect_min);
  ReadDuration(r, "reconnect_max", 100ms, 10min, &b->reconnect_max);
  ReadInt(r, "max_buffered_messages", 100, 1000000, &b->max_buffered_messages);
  if (r.Has("qos")) {
    r.Error(r.Node("qos"), "qos", "is not configurable",
            "amparod always uses QoS 1: an event is stored before its PUBACK");
  }
  if (ctx.diags->size() == errors_before) CheckBroker(r, *b);
  r.Finish();
}

void ReadStore(MapReader& r, const Context& ctx, StoreConfig* s) {
  ReadPath(r, "path", ctx, &s->path);
  ReadEnum(r, "durability", {{"process", Durability::kProcess}, {"power", Durability::kPower}},
           &s->durability);
  r.Finish();
}

void ReadIngest(MapReader& r, IngestConfig* in) {
  ReadBool(r, "receipts", &in->receipts);
  ReadDuration(r, "receipt_coalesce", 0ms, 1s, &in->receipt_coalesce);
  ReadString(r, "deadletter_topic_prefix", CheckTopicName, &in->deadletter_topic_prefix);
  ReadString(r, "receipt_topic_prefix", CheckTopicName, &in->receipt_topic_prefix);
  ReadInt(r, "max_payload_bytes", 1024, 65536, &in->max_payload_bytes);
  ReadEnum(r, "authority_topic",
           {{"match", AuthorityTopic::kMatch}, {"exact", AuthorityTopic::kExact}},
           &in->authority_topic);
  r.Finish();
}

void ReadParams(MapReader& r, const Context& ctx, std::map<std::string, std::string>* params) {
  const YAML::Node node = r.Node("params");
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    r.Error(node, "params", "must be a mapping of param names to values");
    return;
  }
  ReportDuplicateKeys(node, r.PathOf("params"), ctx);
  for (const auto& kv : node) {
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    const std::string path = r.PathOf("params") + "." + name;
    if (!IsParamName(name)) {
      ctx.diags->Add(PosOf(kv.first, ctx.file), path + ": a param name must match [a-z][a-z0-9_]*");
    } else if (std::optional<std::string> value =
                   ScalarString(kv.second, path, ctx.file, ctx.diags)) {
      params->emplace(name, *value);
    }
  }
}

void ReadRules(MapReader& r, const Context& ctx, RulesConfig* rules) {
  const size_t errors_before = ctx.diags->size();
  ReadPath(r, "dir", ctx, &rules->dir);
  ReadInt(r, "minor_age", kMinorAgeRange.min, kMinorAgeRange.max, &rules->minor_age);
  ReadInt(r, "doubtful_margin_years", kDoubtfulMarginRange.min, kDoubtfulMarginRange.max,
          &rules->doubtful_margin_years);
  ReadInt(r, "tender_age_below", kTenderAgeRange.min, kTenderAgeRange.max,
          &rules->tender_age_below);
  ReadParams(r, ctx, &rules->params);
  if (ctx.diags->size() == errors_before && rules->tender_age_below > rules->minor_age) {
    r.Error(FirstPresent(r, {"tender_age_below", "minor_age"}), "tender_age_below",
            "must not exceed rules.minor_age (" + std::to_string(rules->minor_age) + "), got " +
                std::to_string(rules->tender_age_below));
  }
  r.Finish();
}

void ReadDirectory(MapReader& r, const Context& ctx, DirectoryConfig* d) {
  ReadPath(r, "dir", ctx, &d->dir);
  ReadString(r, "unrouted", CheckId, &d->unrouted);
  ReadPath(r, "iso_codes_dir", ctx, &d->iso_codes_dir);
  r.Finish();
}

void ReadDelivery(MapReader& r, const Context& ctx, DeliveryConfig* d) {
  const size_t errors_before = ctx.diags->size();
  ReadDuration(r, "retry_initial", 100ms, 1h, &d->retry_initial);
  ReadDuration(r, "retry_max", 100ms, 24h, &d->retry_max);
  ReadNumber(r, "retry_multiplier", 1.1, 10, &d->retry_multiplier);
  ReadInt(r, "max_attempts_per_channel", 1, 100, &d->max_attempts_per_channel);
  ReadInt(r, "max_in_flight_per_target", 1, 256, &d->max_in_flight_per_target);
  ReadNumber(r, "jitter", 0, 1, &d->jitter);
  if (ctx.diags->size() == errors_before && d->retry_initial > d->retry_max) {
    r.Error(FirstPresent(r, {"retry_initial", "retry_max"}), "retry_initial",
            "must not exceed delivery.retry_max (" + FormatDuration(d->retry_max) + "), got " +
                FormatDuration(d->retry_initial));
  }
  r.Finish();
}

// True for "scheme://HOST..." whose host is 127.0.0.1, localhost or [::1].
bool IsLoopbackUrl(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view authority = url.substr(scheme + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.starts_with("[::1]")) return true;
  const std::string_view host = authority.substr(0, authority.find(':'));
  return host == "127.0.0.1" || host == "localhost";
}

std::string CheckPublicBaseUrl(std::string_view url) {
  const bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) return "must start with https://, got " + Quoted(url);
  const std::string_view rest = url.substr(https ? 8 : 7);
  if (rest.empty() || rest.front() == '/' || rest.find_first_of(" ?#@") != std::string_view::npos) {
    return "must be https://HOST[:PORT][/PATH] without query or user, got " + Quoted(url);
  }
  if (!https && !IsLoopbackUrl(url)) {
    return "http:// is allowed only for 127.0.0.1 or localhost; use https://, got " + Quoted(url);
  }
  return {};
}

std::string CheckSmtpUrl(std::string_view url) {
  for (std::string_view scheme : {"smtp://", "smtps://"}) {
    if (!url.starts_with(scheme)) continue;
    std::string_view rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (CheckHostPort(rest, false).empty()) return {};
    if (!rest.empty() && std::all_of(rest.begin(), rest.end(), IsHostChar)) return {};
  }
  return "must be smtp://HOST[:PORT] or smtps://HOST[:PORT], got " + Quoted(url);
}

std::string CheckMailAddress(std::string_view a) {
  const size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() ||
      a.find('@', at + 1) != std::string_view::npos ||
      a.find_first_of(" \t<>,;\"") != std::string_view::npos) {
    return "must be a mail address, got " + Quoted(a);
  }
  return {};
}

void ReadWebhook(MapReader& r, const Context& ctx, WebhookConfig* w) {
  ReadPath(r, "ca_file", ctx, &w->ca_file);
  ReadDuration(r, "timeout", 1s, 5min, &w->timeout);
  ReadDuration(r, "connect_timeout", 1s, 1min, &w->connect_timeout);
  ReadInt(r, "max_in_flight", 1, 256, &w->max_in_flight);
  r.Finish();
}

void ReadSmtp(MapReader& r, const Context& ctx, SmtpConfig* m) {
  const size_t errors_before = ctx.diags->size();
  ReadString(r, "url", CheckSmtpUrl, &m->url);
  ReadEnum(r, "tls",
           {{"starttls", SmtpTlsMode::kStartTls},
            {"implicit", SmtpTlsMode::kImplicit},
            {"none", SmtpTlsMode::kNone}},
           &m->tls);
  ReadString(r, "from", CheckMailAddress, &m->from);
  ReadString(r, "from_name", CheckNotEmpty, &m->from_name);
  ReadString(r, "username", CheckNotEmpty, &m->username);
  ReadPath(r, "password_file", ctx, &m->password_file);
  ReadPath(r, "ca_file", ctx, &m->ca_file);
  ReadDuration(r, "timeout", 1s, 5min, &m->timeout);
  ReadDuration(r, "connect_timeout", 1s, 1min, &m->connect_timeout);
  ReadInt(r, "max_in_flight", 1, 64, &m->max_in_flight);
  if (ctx.diags->size() == errors_before && r.ok()) {
    if (!m->url) {
      if (r.Has("from") || r.Has("username") || r.Has("password_file")) {
        r.Error(FirstPresent(r, {"from", "username", "password_file"}), "url",
                "is required: the relay to send through");
      }
    } else {
      const bool smtps = m->url->starts_with("smtps://");
      if (m->from.empty()) r.Error(r.Node("url"), "from", "is required with smtp.url");
      if (smtps != (m->tls == SmtpTlsMode::kImplicit)) {
        r.Error(FirstPresent(r, {"tls", "url"}), "tls",
                smtps ? "must be implicit for smtps://" : "implicit needs an smtps:// url");
      } else if (m->tls == SmtpTlsMode::kNone && !IsLoopbackUrl(*m->url)) {
        r.Error(FirstPresent(r, {"tls", "url"}), "tls",
                "none is allowed only for a relay on 127.0.0.1 or localhost",
                "mail to agencies crosses networks: use starttls or implicit");
      }
      if (m->username.has_value() != m->password_file.has_value()) {
        r.Error(FirstPresent(r, {"username", "password_file"}),
                m->username ? "password_file" : "username",
                "is required with smtp." + std::string(m->username ? "username" : "password_file"));
      }
    }
  }
  r.Finish();
}

void ReadHttp(MapReader& r, const Context& ctx, HttpConfig* h) {
  ReadBool(r, "enabled", &h->enabled);
  ReadString(
      r, "listen", [](std::string_view s) { return CheckHostPort(s, true); }, &h->listen);
  ReadPath(r, "ack_tokens_file", ctx, &h->ack_tokens_file);
  ReadString(r, "public_base_url", CheckPublicBaseUrl, &h->public_base_url);
  if (r.Has("tls")) {
    MapReader tls = OpenMap(r.Node("tls"), r.PathOf("tls"), ctx);
    const size_t errors_before = ctx.diags->size();
    ReadPath(tls, "cert_file", ctx, &h->tls_cert_file);
    ReadPath(tls, "key_file", ctx, &h->tls_key_file);
    if (ctx.diags->size() == errors_before &&
        h->tls_cert_file.has_value() != h->tls_key_file.has_value()) {
      tls.Error(
          FirstPresent(tls, {"cert_file", "key_file"}), h->tls_cert_file ? "key_file" : "cert_file",
          "is required with http.tls." + std::string(h->tls_cert_file ? "cert_file" : "key_file"),
          "HTTPS needs both the certificate chain and its private key");
    }
    tls.Finish();
  }
  r.Finish();
}

void ReadLogging(MapReader& r, LoggingConfig* l) {
  ReadEnum(r, "format", {{"text", LogFormat::kText}, {"json", LogFormat::kJson}}, &l->format);
  ReadEnum(r, "level",
           {{"trace", LogLevel::kTrace},
            {"debug", LogLevel::kDebug},
            {"info", LogLevel::kInfo},
            {"warn", LogLevel::kWarn},
            {"error", LogLevel::kError}},
           &l->level);
  r.Finish();
}

void ReadPrivacy(MapReader& r, const Context& ctx, PrivacyConfig* p) {
  if (std::optional<std::string> key_file = ResolvedPath(r, "deployment_key_file", true, ctx)) {
    p->deployment_key_file = std::move(*key_file);
  }
  ReadDuration(r, "retention", 24h, kUnbounded, &p->retention);
  r.Finish();
}

// amparod must not subscribe to what it publishes itself.
void CheckOwnTopics(MapReader& broker, MapReader& ingest, const Config& config) {
  const std::string_view filter = FilterOf(config.broker.subscription);
  const std::pair<std::string_view, std::string_view> prefixes[] = {
      {"receipt_topic_prefix", config.ingest.receipt_topic_prefix},
      {"deadletter_topic_prefix", config.ingest.deadletter_topic_prefix},
  };
  for (const auto& [key, prefix] : prefixes) {
    if (!FilterMatches(filter, std::string(prefix) + "/x")) continue;
    const std::string consequence = ", so amparod would read back what it publishes";
    if (ingest.Has(key)) {
      ingest.Error(
          ingest.Node(key), key,
          "is matched by broker.subscription " + Quoted(config.broker.subscription) + consequence);
    } else {
      broker.Error(broker.Node("subscription"), "subscription",
                   "matches ingest." + std::string(key) + " " + Quoted(prefix) + consequence);
    }
  }
}

// Inline secrets are unknown keys; their hint names the *_file key to use.
struct InlineSecret {
  std::string_view path;
  std::string_view file_key;
};
constexpr InlineSecret kInlineSecrets[] = {
    {"broker.password", "broker.password_file"},
    {"broker.tls.key", "broker.tls.key_file"},
    {"http.ack_tokens", "http.ack_tokens_file"},
    {"smtp.password", "smtp.password_file"},
    {"privacy.deployment_key", "privacy.deployment_key_file"},
};

std::string HintFor(const Diagnostic& d) {
  for (const InlineSecret& secret : kInlineSecrets) {
    if (d.message == std::string(secret.path) + ": unknown key") {
      return "secrets never appear in the config; put it in a file (systemd LoadCredential=) and "
             "set " +
             std::string(secret.file_key);
    }
  }
  return d.hint;
}

// The diagnostics in file order, as one Status.
Status ToSortedStatus(const Diagnostics& diags) {
  std::vector<Diagnostic> items = diags.items();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.pos.line, a.pos.col) < std::tie(b.pos.line, b.pos.col);
  });
  Diagnostics sorted;
  for (const Diagnostic& d : items) sorted.Add(d.pos, d.message, HintFor(d));
  return sorted.ToStatus();
}

void ReadConfig(const YAML::Node& doc, const Context& ctx, Config* config) {
  MapReader top = OpenMap(doc, "", ctx);
  if (!top.ok()) return;
  ReadString(top, "instance", CheckId, &config->instance);
  MapReader broker = OpenMap(top.Node("broker"), "broker", ctx);
  ReadBroker(broker, ctx, config->instance, &config->broker);
  MapReader store = OpenMap(top.Node("store"), "store", ctx);
  ReadStore(store, ctx, &config->store);
  MapReader ingest = OpenMap(top.Node("ingest"), "ingest", ctx);
  ReadIngest(ingest, &config->ingest);
  MapReader rules = OpenMap(top.Node("rules"), "rules", ctx);
  ReadRules(rules, ctx, &config->rules);
  MapReader directory = OpenMap(top.Node("directory"), "directory", ctx);
  ReadDirectory(directory, ctx, &config->directory);
  MapReader delivery = OpenMap(top.Node("delivery"), "delivery", ctx);
  ReadDelivery(delivery, ctx, &config->delivery);
  MapReader webhook = OpenMap(top.Node("webhook"), "webhook", ctx);
  ReadWebhook(webhook, ctx, &config->webhook);
  MapReader smtp = OpenMap(top.Node("smtp"), "smtp", ctx);
  ReadSmtp(smtp, ctx, &config->smtp);
  MapReader http = OpenMap(top.Node("http"), "http", ctx);
  ReadHttp(http, ctx, &config->http);
  MapReader logging = OpenMap(top.Node("logging"), "logging", ctx);
  ReadLogging(logging, &config->logging);
  if (!top.Has("privacy")) {
    top.Error(doc, "privacy.deployment_key_file", "is required");
  } else {
    MapReader privacy = OpenMap(top.Node("privacy"), "privacy", ctx);
    ReadPrivacy(privacy, ctx, &config->privacy);
  }
  if (ctx.diags->empty()) CheckOwnTopics(broker, ingest, *config);
  top.Finish();
}

}  // namespace

Result<Config> ParseConfig(const std::string& yaml_text, const std::string& file_name,
                           const std::string& base_dir) {
  Diagnostics diags;
  if (yaml_text.size() > kMaxConfigBytes) {
    diags.Add({file_name, 1, 1}, "the config is larger than 1 MiB");
    return diags.ToStatus();
  }
  std::optional<YAML::Node> doc = ParseYaml(yaml_text, file_name, &diags);
  if (!doc) return diags.ToStatus();
  Config config;
  ReadConfig(*doc, {file_name, base_dir, &diags}, &config);
  if (!diags.empty()) return ToSortedStatus(diags);
  return config;
}

Result<Config> LoadConfigFile(const std::string& path) {
  Result<std::string> text = ReadTextFile(path, "config file");
  if (!text.ok()) return text.status();
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  Result<Config> config = ParseConfig(*text, path, ec ? "" : absolute.parent_path().string());
  if (!config.ok()) return config;
  Result<SubjectHasher> hasher = SubjectHasher::FromKeyFile(config->privacy.deployment_key_file);
  if (!hasher.ok()) {
    return Status::InvalidArgument(
        path + ": privacy.deployment_key_file: " + hasher.status().message() + "\n");
  }
  return config;
}

Status ApplyOverrides(Config* config, std::optional<std::string> broker_uri,
                      std::optional<std::string> db_path) {
  Config updated = *config;
  std::string errors;
  if (broker_uri) {
    updated.broker.uri = std::move(*broker_uri);
    std::string reason = CheckBrokerUri(updated.broker.uri);
    if (reason.empty()) reason = CheckUriTls(updated.broker);
    if (!reason.empty()) errors += "--broker: " + reason + "\n";
  }
  if (db_path) {
    updated.store.path = std::move(*db_path);
    std::string reason = CheckPath(updated.store.path);
    if (!reason.empty()) errors += "--db: " + reason + "\n";
  }
  if (!errors.empty()) return Status::InvalidArgument(errors);
  *config = std::move(updated);
  return Status::OK();
}

}  // namespace amparo

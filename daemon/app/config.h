// The daemon's configuration: one typed struct, read strictly from YAML.
//
// Every field below shows its default. config/amparod.yaml is the documented
// example with every key. Reading is strict (STYLE.md "Configuration"): an
// unknown key, a wrong type or an out-of-range value is an error naming its key
// path at file:line:col; values are rejected, never clipped; all errors are
// reported together. Secrets are never inline: the config names files that hold
// them (systemd LoadCredential=), so `password:` is an unknown key.
//
// Thread-safety: a Config is a value; the functions below are reentrant.
#ifndef AMPARO_DAEMON_APP_CONFIG_H_
#define AMPARO_DAEMON_APP_CONFIG_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "daemon/app/logging.h"
#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/database.h"  // Durability

namespace amparo {

// Paths in a Config are absolute, or relative to the current folder if the
// config text was parsed with an empty base_dir.
struct TlsConfig {
  // CA certificates that sign the broker's certificate. Required for ssl://.
  // Default: none.
  std::optional<std::string> ca_file;
  // Client certificate and its private key, for brokers that authenticate
  // clients by certificate. Set both or neither. Default: none.
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;

  bool operator==(const TlsConfig&) const = default;
};

struct BrokerConfig {
  // tcp://HOST:PORT or ssl://HOST:PORT. Default: "tcp://127.0.0.1:1883".
  std::string uri = "tcp://127.0.0.1:1883";
  // MQTT client id, [A-Za-z0-9_-]{1,64}. Default: the instance id
  // ("amparod-1"), so that two instances never take over each other's session.
  std::string client_id = "amparod-1";
  // Keep the session (subscription and unacknowledged QoS 1 messages) across
  // reconnects. Default: true.
  bool persistent_session = true;
  // Set both or neither; the password is read from password_file.
  // Default: none (anonymous).
  std::optional<std::string> username;
  std::optional<std::string> password_file;
  // Default: none.
  TlsConfig tls;
  // MQTT topic filter, optionally shared: "$share/GROUP/FILTER".
  // Default: "rcm/v1/events/#".
  std::string subscription = "rcm/v1/events/#";
  // Whole seconds, 1s..1h. Default: 30s.
  Duration keep_alive = std::chrono::seconds(30);
  // Reconnect backoff bounds, 100ms..10m, min <= max. Default: 1s and 30s.
  Duration reconnect_min = std::chrono::seconds(1);
  Duration reconnect_max = std::chrono::seconds(30);
  // Paho's outgoing buffer while disconnected, 100..1000000. Default: 10000.
  int max_buffered_messages = 10000;
  // QoS of the subscription and of every publish. Not configurable: the
  // "durable before PUBACK" promise (DESIGN.md §1) needs exactly QoS 1.
  static constexpr int kQos = 1;

  bool operator==(const BrokerConfig&) const = default;
};

struct StoreConfig {
  // The SQLite database file. Default: "/var/lib/amparo/amparo.db".
  std::string path = "/var/lib/amparo/amparo.db";
  // What a commit survives: process (crash) or power (power loss).
  // Default: kProcess.
  Durability durability = Durability::kProcess;

  bool operator==(const StoreConfig&) const = default;
};

// How an event's authority must agree with its topic (ingest_handler.h).
enum class AuthorityTopic { kMatch, kExact };

struct IngestConfig {
  // Publish a receipt for every stored event. Default: true.
  bool receipts = true;
  // Gather receipts for this long into one message, 0..1s; 0 sends one
  // message per event. Default: 20ms.
  Duration receipt_coalesce = std::chrono::milliseconds(20);
  // Topic prefixes (MQTT topic names, no wildcards). Defaults:
  // "rcm/v1/deadletter" and "rcm/v1/receipts".
  std::string deadletter_topic_prefix = "rcm/v1/deadletter";
  std::string receipt_topic_prefix = "rcm/v1/receipts";
  // Larger events go to the dead letters, 1024..65536. Default: 65536.
  int max_payload_bytes = 65536;
  // An event's authority.country and authority.agency must be the topic's
  // {country}/{agency} levels, else it is a dead letter. kMatch allows levels
  // after the agency; kExact (stricter) does not. The check cannot be turned
  // off. Default: kMatch.
  AuthorityTopic authority_topic = AuthorityTopic::kMatch;

  bool operator==(const IngestConfig&) const = default;
};

struct RulesConfig {
  // Folder of rule files (*.yaml). Default: "/etc/amparo/rules".
  std::string dir = "/etc/amparo/rules";
  // Age of majority, 16..21. Default: 18.
  int minor_age = 18;
  // An age estimate within this many years of minor_age counts as doubtful,
  // and a doubtful age is treated as a minor's, 0..5. Default: 2.
  int doubtful_margin_years = 2;
  // Children below this age are of tender age, 1..18, <= minor_age.
  // Default: 13.
  int tender_age_below = 13;
  // Overrides of rule-file params, e.g. {"immediate_notification_sla": "1h"}.
  // Names are [a-z][a-z0-9_]*. Default: empty.
  std::map<std::string, std::string> params;

  bool operator==(const RulesConfig&) const = default;
};

struct DirectoryConfig {
  // Folder of agency files. Default: "/etc/amparo/directory".
  std::string dir = "/etc/amparo/directory";
  // Agency id, [A-Za-z0-9_-]{1,64}, of the duty officer who receives what
  // routes to nobody. Default: "duty-officer".
  std::string unrouted = "duty-officer";
  // Folder of Debian's iso-codes JSON files (iso_3166-1.json, iso_3166-2.json):
  // the country and subdivision codes events and agencies may use. Loaded once
  // at start. Default: "/usr/share/iso-codes/json".
  std::string iso_codes_dir = "/usr/share/iso-codes/json";

  bool operator==(const DirectoryConfig&) const = default;
};

struct DeliveryConfig {
  // Backoff between attempts on one channel: retry_initial (100ms..1h),
  // multiplied by retry_multiplier (1.1..10) up to retry_max (<= 24h), each
  // delay varied by +/- jitter (0..1). Defaults: 5s, 2.0, 10m, 0.2.
  Duration retry_initial = std::chrono::seconds(5);
  Duration retry_max = std::chrono::minutes(10);
  double retry_multiplier = 2.0;
  double jitter = 0.2;
  // Then the channel has failed and the next one is tried, 1..100. Default: 8.
  int max_attempts_per_channel = 8;
  // Sends in flight at once to one endpoint (channel type and target), so
  // that one endpoint that hangs cannot hold back the other agencies'
  // alerts, 1..256. Default: 8. (Per channel type, the cap is the adapter's
  // own max_in_flight.)
  int max_in_flight_per_target = 8;

  bool operator==(const DeliveryConfig&) const = default;
};

struct WebhookConfig {
  // CA certificates (PEM) that sign the agencies' HTTPS endpoints. Default:
  // none (the system store). TLS verification is always on.
  std::optional<std::string> ca_file;
  // Whole request, 1s..5m; connection set-up (TCP and TLS), 1s..1m.
  // Defaults: 10s and 5s.
  Duration timeout = std::chrono::seconds(10);
  Duration connect_timeout = std::chrono::seconds(5);
  // Requests at once, 1..256. Default: 16.
  int max_in_flight = 16;
  bool operator==(const WebhookConfig&) const = default;
};

enum class SmtpTlsMode { kStartTls, kImplicit, kNone };

struct SmtpConfig {
  // The relay: smtp://HOST[:PORT] (tls starttls or none) or smtps://HOST[:PORT]
  // (tls implicit). Default: none, and then a directory naming smtp channels
  // is refused.
  std::optional<std::string> url;
  // starttls (required before MAIL), implicit (smtps://), or none (only to
  // 127.0.0.1 or localhost). Default: starttls.
  SmtpTlsMode tls = SmtpTlsMode::kStartTls;
  // Envelope sender and From address. Required with url.
  std::string from;
  // From display name. Default: "amparo".
  std::string from_name = "amparo";
  // Set both or neither; the password is read from password_file.
  std::optional<std::string> username;
  std::optional<std::string> password_file;
  // CA certificates (PEM) for the relay. Default: none (the system store).
  std::optional<std::string> ca_file;
  // Whole transaction, 1s..5m; connection set-up, 1s..1m. Defaults: 30s, 10s.
  Duration timeout = std::chrono::seconds(30);
  Duration connect_timeout = std::chrono::seconds(10);
  // Mails at once, 1..64. Default: 4.
  int max_in_flight = 4;
  bool operator==(const SmtpConfig&) const = default;
};

struct HttpConfig {
  // Default: true.
  bool enabled = true;
  // HOST:PORT; port 0 picks a free port. Default: "127.0.0.1:8080".
  std::string listen = "127.0.0.1:8080";
  // File of bearer tokens accepted by the ack endpoint. Default: none (the
  // ack endpoint is off).
  std::optional<std::string> ack_tokens_file;
  // How agencies reach this daemon's HTTP API from outside, e.g.
  // "https://amparo.example.org": e-mails link to
  // {public_base_url}/api/v1/alerts/{id}/ack?token=... . https://, or http://
  // to 127.0.0.1 or localhost. Default: none (e-mails carry no link).
  std::optional<std::string> public_base_url;
  // Serve HTTPS with this certificate chain and key (PEM, both or neither;
  // `http.tls: {cert_file, key_file}`). Default: none (plain HTTP, meant for
  // loopback or a TLS reverse proxy).
  std::optional<std::string> tls_cert_file;
  std::optional<std::string> tls_key_file;

  bool operator==(const HttpConfig&) const = default;
};

struct LoggingConfig {
  // Default: kText.
  LogFormat format = LogFormat::kText;
  // Default: kInfo.
  LogLevel level = LogLevel::kInfo;

  bool operator==(const LoggingConfig&) const = default;
};

struct PrivacyConfig {
  // The HMAC key for subject hashes in logs, at least 32 bytes. Required.
  std::string deployment_key_file;
  // Personal data of closed cases is purged after this, >= 1d. Default: 365d.
  Duration retention = std::chrono::hours(24 * 365);

  bool operator==(const PrivacyConfig&) const = default;
};

struct Config {
  // Names this daemon in status topics and metrics, independent of the host
  // name, [A-Za-z0-9_-]{1,64}. Default: "amparod-1".
  std::string instance = "amparod-1";
  BrokerConfig broker;
  StoreConfig store;
  IngestConfig ingest;
  RulesConfig rules;
  DirectoryConfig directory;
  DeliveryConfig delivery;
  WebhookConfig webhook;
  SmtpConfig smtp;
  HttpConfig http;
  LoggingConfig logging;
  PrivacyConfig privacy;

  bool operator==(const Config&) const = default;
};

// Parses config text. Pure: reads no files. `file_name` appears in errors;
// relative paths in the text are resolved against `base_dir`. On error the
// Status is InvalidArgument with one "file:line:col: key.path: reason" line
// per mistake.
Result<Config> ParseConfig(const std::string& yaml_text, const std::string& file_name,
                           const std::string& base_dir);

// Reads and parses the file at `path` (relative paths in it are resolved
// against its folder), then checks the files it names that must exist: the
// deployment key must hold at least 32 bytes.
Result<Config> LoadConfigFile(const std::string& path);

// Applies the --broker and --db command-line overrides, checked as the file's
// values are. On error `config` is unchanged.
Status ApplyOverrides(Config* config, std::optional<std::string> broker_uri,
                      std::optional<std::string> db_path);

}  // namespace amparo

#endif  // AMPARO_DAEMON_APP_CONFIG_H_

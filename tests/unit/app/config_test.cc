#include "daemon/app/config.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using testing::ReadFile;
using testing::SourcePath;
using testing::TempDir;
using testing::WriteFile;

const std::string kKeyLine = "privacy:\n  deployment_key_file: /k\n";

std::vector<std::filesystem::path> YamlFilesIn(const std::string& folder) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath(folder))) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<Config> Parse(const std::string& text) { return ParseConfig(text, "t.yaml", "/base"); }

// The error text of `text`, or "OK".
std::string ErrorsOf(const std::string& text) {
  Result<Config> config = Parse(text);
  return config.ok() ? "OK" : config.status().message();
}

// Adding a case is adding NAME.yaml and NAME.expected (the exact error lines).
TEST_CASE("Every bad config fails with exactly its expected errors") {
  const std::vector<std::filesystem::path> files = YamlFilesIn("tests/data/config/bad");
  CHECK(files.size() >= 20);
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    const std::filesystem::path expected_path =
        std::filesystem::path(path).replace_extension(".expected");
    INFO(name);
    REQUIRE(std::filesystem::exists(expected_path));
    Result<Config> config = ParseConfig(ReadFile(path), name, "/base");
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == Status::Code::kInvalidArgument);
    CHECK(config.status().message() == ReadFile(expected_path));
  }
}

TEST_CASE("Every good config parses") {
  const std::vector<std::filesystem::path> files = YamlFilesIn("tests/data/config/good");
  CHECK(files.size() >= 4);
  for (const auto& path : files) {
    INFO(path.filename().string());
    Result<Config> config = ParseConfig(ReadFile(path), path.filename().string(), "/base");
    INFO(config.status().message());
    CHECK(config.ok());
  }
}

TEST_CASE("A config with only the deployment key takes every default") {
  Result<Config> config = Parse(kKeyLine);
  REQUIRE(config.ok());
  Config expected;
  expected.privacy.deployment_key_file = "/k";
  CHECK(*config == expected);

  const Config& c = *config;
  CHECK(c.instance == "amparod-1");
  CHECK(c.broker.uri == "tcp://127.0.0.1:1883");
  CHECK(c.broker.client_id == "amparod-1");
  CHECK(c.broker.persistent_session);
  CHECK_FALSE(c.broker.username);
  CHECK_FALSE(c.broker.password_file);
  CHECK(c.broker.tls == TlsConfig{});
  CHECK(c.broker.subscription == "rcm/v1/events/#");
  CHECK(c.broker.keep_alive == 30s);
  CHECK(c.broker.reconnect_min == 1s);
  CHECK(c.broker.reconnect_max == 30s);
  CHECK(c.broker.max_buffered_messages == 10000);
  CHECK(BrokerConfig::kQos == 1);
  CHECK(c.store.path == "/var/lib/amparo/amparo.db");
  CHECK(c.store.durability == Durability::kProcess);
  CHECK(c.ingest.receipts);
  CHECK(c.ingest.receipt_coalesce == 20ms);
  CHECK(c.ingest.deadletter_topic_prefix == "rcm/v1/deadletter");
  CHECK(c.ingest.receipt_topic_prefix == "rcm/v1/receipts");
  CHECK(c.ingest.max_payload_bytes == 65536);
  CHECK(c.rules.dir == "/etc/amparo/rules");
  CHECK(c.rules.minor_age == 18);
  CHECK(c.rules.doubtful_margin_years == 2);
  CHECK(c.rules.tender_age_below == 13);
  CHECK(c.rules.params.empty());
  CHECK(c.directory.dir == "/etc/amparo/directory");
  CHECK(c.directory.unrouted == "duty-officer");
  CHECK(c.delivery.retry_initial == 5s);
  CHECK(c.delivery.retry_max == 10min);
  CHECK(c.delivery.retry_multiplier == 2.0);
  CHECK(c.delivery.max_attempts_per_channel == 8);
  CHECK(c.delivery.max_in_flight_per_target == 8);
  CHECK(c.delivery.jitter == 0.2);
  CHECK(c.http.listen == "127.0.0.1:8080");
  CHECK(c.http.enabled);
  CHECK_FALSE(c.http.ack_tokens_file);
  CHECK(c.logging.format == LogFormat::kText);
  CHECK(c.logging.level == LogLevel::kInfo);
  CHECK(c.privacy.retention == 365 * 24h);
}

TEST_CASE("The shipped config parses and sets every key to its default") {
  const std::filesystem::path path = SourcePath("config/amparod.yaml");
  Result<Config> shipped = ParseConfig(ReadFile(path), path.string(), "/etc/amparo");
  INFO(shipped.status().message());
  REQUIRE(shipped.ok());
  Config expected;
  expected.privacy.deployment_key_file = "/run/credentials/amparod.service/deployment.key";
  // The sample directory sends e-mail (pa-senniaf): the shipped config names
  // the host's MTA on loopback as its relay.
  expected.smtp.url = "smtp://127.0.0.1:25";
  expected.smtp.tls = SmtpTlsMode::kNone;
  expected.smtp.from = "alertas@amparo.example.org";
  expected.smtp.from_name = "amparo";
  CHECK(*shipped == expected);
}

TEST_CASE("The full config sets every key and resolves relative paths") {
  const std::filesystem::path path = SourcePath("tests/data/config/good/full.yaml");
  Result<Config> config = ParseConfig(ReadFile(path), "full.yaml", "/srv/amparo/etc");
  REQUIRE(config.ok());
  const Config& c = *config;
  CHECK(c.instance == "amparod-gt-2");
  CHECK(c.broker.uri == "tcp://broker.internal:11883");
  CHECK(c.broker.client_id == "amparod-gt-2-client");
  CHECK_FALSE(c.broker.persistent_session);
  CHECK(c.broker.username == "amparod");
  CHECK(c.broker.password_file == "/srv/amparo/etc/secrets/broker-password");
  CHECK(c.broker.subscription == "rcm/v1/events/gt/+");
  CHECK(c.broker.keep_alive == 1min);
  CHECK(c.broker.reconnect_min == 500ms);
  CHECK(c.broker.reconnect_max == 2min);
  CHECK(c.broker.max_buffered_messages == 50000);
  CHECK(c.store.path == "/srv/amparo/etc/data/amparo.db");
  CHECK(c.store.durability == Durability::kPower);
  CHECK_FALSE(c.ingest.receipts);
  CHECK(c.ingest.receipt_coalesce == 0ms);
  CHECK(c.ingest.deadletter_topic_prefix == "rcm/v1/gt/deadletter");
  CHECK(c.ingest.receipt_topic_prefix == "rcm/v1/gt/receipts");
  CHECK(c.ingest.max_payload_bytes == 32768);
  CHECK(c.rules.dir == "/srv/amparo/etc/rules");
  CHECK(c.rules.minor_age == 21);
  CHECK(c.rules.doubtful_margin_years == 3);
  CHECK(c.rules.tender_age_below == 12);
  CHECK(c.rules.params == std::map<std::string, std::string>{{"consular_notice_within", "24h"},
                                                             {"immediate_notification_sla", "1h"}});
  CHECK(c.directory.dir == "/srv/amparo/directory");
  CHECK(c.directory.unrouted == "gt-duty-officer");
  CHECK(c.delivery.retry_initial == 2s);
  CHECK(c.delivery.retry_max == 1h);
  CHECK(c.delivery.retry_multiplier == 1.5);
  CHECK(c.delivery.max_attempts_per_channel == 12);
  CHECK(c.delivery.max_in_flight_per_target == 3);
  CHECK(c.delivery.jitter == 0.0);
  CHECK(c.http.listen == "[::1]:0");
  CHECK_FALSE(c.http.enabled);
  CHECK(c.http.ack_tokens_file == "/srv/amparo/etc/secrets/ack-tokens");
  CHECK(c.http.public_base_url == "https://amparo.example.org/gt");
  CHECK(c.http.tls_cert_file == "/srv/amparo/etc/pki/https.crt");
  CHECK(c.http.tls_key_file == "/run/credentials/amparod.service/https.key");
  CHECK(c.webhook.ca_file == "/srv/amparo/etc/pki/webhook-ca.pem");
  CHECK(c.webhook.timeout == 20s);
  CHECK(c.webhook.connect_timeout == 2s);
  CHECK(c.webhook.max_in_flight == 8);
  CHECK(c.smtp.url == "smtps://mail.example.org:465");
  CHECK(c.smtp.tls == SmtpTlsMode::kImplicit);
  CHECK(c.smtp.from == "alertas@amparo.example.org");
  CHECK(c.smtp.from_name == "amparo GT");
  CHECK(c.smtp.username == "amparo-gt");
  CHECK(c.smtp.password_file == "/srv/amparo/etc/secrets/smtp-password");
  CHECK(c.smtp.ca_file == "/srv/amparo/etc/pki/smtp-ca.pem");
  CHECK(c.smtp.timeout == 1min);
  CHECK(c.smtp.connect_timeout == 15s);
  CHECK(c.smtp.max_in_flight == 2);
  CHECK(c.logging.format == LogFormat::kJson);
  CHECK(c.logging.level == LogLevel::kDebug);
  CHECK(c.privacy.deployment_key_file == "/srv/amparo/etc/secrets/deployment-key");
  CHECK(c.privacy.retention == 730 * 24h);
}

TEST_CASE("TLS and login settings are read together") {
  const std::filesystem::path path = SourcePath("tests/data/config/good/ssl.yaml");
  Result<Config> config = ParseConfig(ReadFile(path), "ssl.yaml", "/base");
  REQUIRE(config.ok());
  CHECK(config->broker.uri == "ssl://mqtt.rcm.example:8883");
  CHECK(config->broker.tls.ca_file == "/etc/amparo/tls/ca.crt");
  CHECK(config->broker.tls.cert_file == "/etc/amparo/tls/amparod.crt");
  CHECK(config->broker.tls.key_file == "/run/credentials/amparod.service/amparod.key");
  CHECK(config->broker.username == "amparod");
}

TEST_CASE("A shared subscription is accepted and the client id follows the instance") {
  const std::filesystem::path path = SourcePath("tests/data/config/good/shared_subscription.yaml");
  Result<Config> config = ParseConfig(ReadFile(path), "shared.yaml", "/base");
  REQUIRE(config.ok());
  CHECK(config->broker.subscription == "$share/amparo/rcm/v1/events/#");
  CHECK(config->broker.client_id == "amparod-b");
}

TEST_CASE("Range bounds are inclusive") {
  CHECK(ErrorsOf("broker:\n"
                 "  keep_alive: 1s\n"
                 "  reconnect_min: 100ms\n"
                 "  reconnect_max: 100ms\n"
                 "  max_buffered_messages: 100\n"
                 "ingest:\n"
                 "  receipt_coalesce: 1s\n"
                 "  max_payload_bytes: 1024\n"
                 "rules:\n"
                 "  minor_age: 16\n"
                 "  tender_age_below: 16\n"
                 "  doubtful_margin_years: 0\n"
                 "delivery:\n"
                 "  retry_initial: 1h\n"
                 "  retry_max: 1h\n"
                 "  retry_multiplier: 10\n"
                 "  max_attempts_per_channel: 100\n"
                 "  max_in_flight_per_target: 256\n"
                 "  jitter: 1\n"
                 "privacy:\n"
                 "  deployment_key_file: /k\n"
                 "  retention: 1d\n") == "OK");
  CHECK(ErrorsOf("broker:\n  keep_alive: 1h\n  max_buffered_messages: 1000000\n" + kKeyLine) ==
        "OK");
  CHECK(ErrorsOf("delivery:\n  retry_multiplier: 1.1\n  jitter: 0\n" + kKeyLine) == "OK");
  CHECK(ErrorsOf("http:\n  listen: 0.0.0.0:65535\n" + kKeyLine) == "OK");
}

TEST_CASE("Values just outside their range are rejected, not clipped") {
  CHECK(ErrorsOf("broker:\n  keep_alive: 999ms\n" + kKeyLine) ==
        "t.yaml:2:15: broker.keep_alive: must be between 1s and 1h, got 999ms\n");
  CHECK(ErrorsOf("rules:\n  doubtful_margin_years: 6\n" + kKeyLine) ==
        "t.yaml:2:26: rules.doubtful_margin_years: must be between 0 and 5, got 6\n");
  CHECK(ErrorsOf("delivery:\n  retry_multiplier: nan\n" + kKeyLine) ==
        "t.yaml:2:21: delivery.retry_multiplier: must be between 1.1 and 10, got nan\n");
  CHECK(ErrorsOf("delivery:\n  max_in_flight_per_target: 0\n" + kKeyLine) ==
        "t.yaml:2:29: delivery.max_in_flight_per_target: must be between 1 and 256, got 0\n");
  CHECK(ErrorsOf("delivery:\n  retry_max: 25h\n" + kKeyLine) ==
        "t.yaml:2:14: delivery.retry_max: must be between 100ms and 1d, got 25h\n");
  CHECK(
      ErrorsOf("http:\n  listen: 127.0.0.1:65536\n" + kKeyLine) ==
      "t.yaml:2:11: http.listen: must be HOST:PORT with PORT 0..65535, got \"127.0.0.1:65536\"\n");
}

TEST_CASE("Broker URIs and topic filters are checked") {
  for (const char* uri : {"tcp://localhost:1883", "ssl://[::1]:8883", "tcp://10.1.2.3:1"}) {
    INFO(uri);
    CHECK(
        ErrorsOf(std::string("broker:\n  uri: ") + uri + "\n  tls:\n    ca_file: /ca\n" + kKeyLine)
            .find("broker.uri: must be") == std::string::npos);
  }
  for (const char* uri : {"tcp://:1883", "tcp://host:0", "tcp://host:1883/x", "tcp://a b:1",
                          "tcp://host:+1", "ws://host:80", "tcp://[::1:1883"}) {
    INFO(uri);
    CHECK(ErrorsOf(std::string("broker:\n  uri: \"") + uri + "\"\n" + kKeyLine)
              .find("broker.uri: must be tcp://HOST:PORT") != std::string::npos);
  }
  for (const char* filter :
       {"rcm/+/events/#", "$share/g/rcm/v1/events/+", "a//b", "+/events/#", "rcm/v1/events/gt"}) {
    INFO(filter);
    CHECK(ErrorsOf(std::string("broker:\n  subscription: \"") + filter + "\"\n" + kKeyLine) ==
          "OK");
  }
  for (const char* filter : {"", "a/#/b", "a#", "a/b+", "$share/g", "$share/g+/a", "$share/g/"}) {
    INFO(filter);
    CHECK(ErrorsOf(std::string("broker:\n  subscription: \"") + filter + "\"\n" + kKeyLine)
              .find("t.yaml:2:17: broker.subscription: ") == 0);
  }
}

TEST_CASE("Paths are resolved against the base folder") {
  Result<Config> config =
      ParseConfig("store:\n  path: ../data/./a.db\nprivacy:\n  deployment_key_file: key\n",
                  "t.yaml", "/etc/amparo");
  REQUIRE(config.ok());
  CHECK(config->store.path == "/etc/data/a.db");
  CHECK(config->privacy.deployment_key_file == "/etc/amparo/key");

  config = ParseConfig("privacy:\n  deployment_key_file: key\n", "t.yaml", "");
  REQUIRE(config.ok());
  CHECK(config->privacy.deployment_key_file == "key");
}

TEST_CASE("An oversized config is refused before parsing") {
  const std::string huge = kKeyLine + "# " + std::string(1 << 20, 'x') + "\n";
  CHECK(ErrorsOf(huge) == "t.yaml:1:1: the config is larger than 1 MiB\n");
}

TEST_CASE("ApplyOverrides replaces the broker and the database") {
  Config config;
  REQUIRE(ApplyOverrides(&config, "tcp://10.0.0.9:1884", "/tmp/amparo.db").ok());
  CHECK(config.broker.uri == "tcp://10.0.0.9:1884");
  CHECK(config.store.path == "/tmp/amparo.db");

  REQUIRE(ApplyOverrides(&config, std::nullopt, std::nullopt).ok());
  CHECK(config.broker.uri == "tcp://10.0.0.9:1884");
}

TEST_CASE("ApplyOverrides checks as the file does and changes nothing on error") {
  Config config;
  Status status = ApplyOverrides(&config, "mqtt://x:1", "");
  CHECK(status.code() == Status::Code::kInvalidArgument);
  CHECK(status.message() ==
        "--broker: must be tcp://HOST:PORT or ssl://HOST:PORT with PORT 1..65535, got "
        "\"mqtt://x:1\"\n"
        "--db: must not be empty\n");
  CHECK(config == Config{});

  status = ApplyOverrides(&config, "ssl://broker:8883", std::nullopt);
  CHECK(status.message() == "--broker: ssl:// needs broker.tls.ca_file\n");
  CHECK(config == Config{});

  config.broker.tls.ca_file = "/ca";
  CHECK(ApplyOverrides(&config, "ssl://broker:8883", std::nullopt).ok());
  status = ApplyOverrides(&config, "tcp://broker:1883", std::nullopt);
  CHECK(status.message() ==
        "--broker: broker.tls is set but the uri is not ssl://; use ssl:// or remove "
        "broker.tls\n");
  CHECK(config.broker.uri == "ssl://broker:8883");
}

TEST_CASE("LoadConfigFile reports a missing config file") {
  TempDir dir;
  Result<Config> config = LoadConfigFile(dir.File("absent.yaml"));
  CHECK(config.status().code() == Status::Code::kNotFound);
  CHECK(config.status().message() ==
        "cannot read config file " + dir.File("absent.yaml") + ": No such file or directory");
}

TEST_CASE("LoadConfigFile checks the deployment key file") {
  TempDir dir;
  const std::string config_path = dir.File("amparod.yaml");
  WriteFile(config_path, "privacy:\n  deployment_key_file: key\n");

  Result<Config> config = LoadConfigFile(config_path);
  CHECK(config.status().code() == Status::Code::kInvalidArgument);
  CHECK(config.status().message() == config_path + ": privacy.deployment_key_file: cannot read " +
                                         dir.File("key") + ": No such file or directory\n");

  WriteFile(dir.File("key"), std::string(31, 'k'));
  config = LoadConfigFile(config_path);
  CHECK(config.status().message() ==
        config_path + ": privacy.deployment_key_file: " + dir.File("key") +
            " holds 31 bytes; a deployment key needs at least 32 (make one with: head -c 32 "
            "/dev/urandom)\n");

  WriteFile(dir.File("key"), std::string(32, 'k'));
  config = LoadConfigFile(config_path);
  REQUIRE(config.ok());
  CHECK(config->privacy.deployment_key_file == dir.File("key"));
}

TEST_CASE("LoadConfigFile reports parse errors under the file's name") {
  TempDir dir;
  const std::string config_path = dir.File("amparod.yaml");
  WriteFile(config_path, "instance: a b\n");
  Result<Config> config = LoadConfigFile(config_path);
  CHECK(config.status().message() ==
        config_path + ":1:1: privacy.deployment_key_file: is required\n" + config_path +
            ":1:11: instance: must be 1 to 64 of A-Z a-z 0-9 _ -, got \"a b\"\n");
}

}  // namespace
}  // namespace amparo

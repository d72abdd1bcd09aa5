// The dispatcher, the real outbox (SQLite) and the real webhook, SMTP and file
// adapters against real servers on 127.0.0.1: what an agency's endpoint sees
// when it fails for a while, refuses for good, or rejects the recipient.
// Time is real but short: back-off of tens of milliseconds.
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "adapters/file/file_adapter.h"
#include "adapters/smtp/smtp_adapter.h"
#include "adapters/webhook/webhook_adapter.h"
#include "daemon/delivery/dispatcher.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/adapters/loopback_servers.h"
#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using std::chrono::milliseconds;
using testing::Receiver;

constexpr const char* kSecret = "whsec_c2VjcmV0LWtleS1vZi10aGUtdGVzdC1hZ2VuY3ktMDE=";

std::string AlertPayload(int n) {
  return nlohmann::json{{"schema", "amparo.alert.v1"},
                        {"alert_id", "alert-" + std::to_string(n)},
                        {"version", 1},
                        {"severity", "high"},
                        {"language", "en"},
                        {"title", "Test alert " + std::to_string(n)},
                        {"legal_basis", {"VCCR art. 37(b)"}},
                        {"deadline", nullptr},
                        {"recipient", {{"agency", "dif"}, {"disclosure", "p"}}},
                        {"event", nlohmann::json::object()},
                        {"acknowledge", {{"mqtt_topic", "rcm/v1/acks/dif"}}}}
      .dump();
}

// Agencies "dif" (the channel under test) escalating to "omb" (a file).
class Harness {
 public:
  explicit Harness(std::vector<ChannelTarget> dif_channels) {
    channels_ = {{"dif", std::move(dif_channels)}, {"omb", {{"file", dir_.File("omb.jsonl")}}}};
    policy_ = RetryPolicy{.initial = milliseconds(20),
                          .max = milliseconds(80),
                          .multiplier = 2.0,
                          .jitter = 0.2,
                          .max_attempts_per_channel = 20};
  }

  testing::TempDir& dir() { return dir_; }
  AdapterSet& adapters() { return adapters_; }
  boost::asio::io_context& io() { return io_; }

  // Another agency, reached on `channels`, with no escalation.
  void AddAgency(const std::string& agency, std::vector<ChannelTarget> channels) {
    channels_[agency] = std::move(channels);
  }
  void set_options(DispatcherOptions options) { options_ = std::move(options); }

  // Commits `n` alerts to `agency`; returns their delivery ids.
  std::vector<int64_t> Alerts(int n, const std::string& agency = "dif") {
    std::vector<int64_t> ids;
    for (int i = 0; i < n; ++i) {
      const std::string event_id = agency + "-ev-" + std::to_string(i);
      ProcessingCommit commit = testing::MakeCommit(f_.AddEvent(event_id), event_id, clock_.Now());
      AlertChange alert = testing::MakeAlert("rule-a", agency, event_id);
      alert.channels = channels_.at(agency);
      alert.escalates_to = "omb";
      commit.alerts.push_back(alert);
      Result<CommitOutcome> outcome = f_.store().CommitProcessing(commit);
      REQUIRE(outcome.ok());
      ids.push_back(outcome->alerts.at(0).delivery_id);
      // One subject: each event is a new version of the same alert.
      const AlertVersion& version = outcome->alerts.at(0).alert;
      payloads_[version.alert_id + ":" + std::to_string(version.version)] = AlertPayload(i);
    }
    return ids;
  }

  // Runs the dispatcher until no row of the outbox (those of `ids` and the
  // escalations they cause) is pending any more (20 s at most).
  Dispatcher& Run(const std::vector<int64_t>& ids) {
    Start();
    auto settled = [&] {
      for (int64_t id : ids) {
        if (Row(id).state == DeliveryState::kPending) return false;
      }
      return f_.Count("deliveries WHERE state = 'pending'") == 0 && dispatcher_->in_flight() == 0;
    };
    RunUntil(settled);
    dispatcher_->Stop();
    return *dispatcher_;
  }

  // Runs the started dispatcher until `done()` holds (20 s at most).
  template <typename Pred>
  void RunUntil(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      io_.restart();
      io_.run_for(milliseconds(10));
    }
  }

  Dispatcher& Start() {
    DeliveryRoutes routes{
        .channel = [this](const std::string& agency, int index) -> std::optional<ChannelTarget> {
          auto it = channels_.find(agency);
          if (it == channels_.end() || index >= static_cast<int>(it->second.size())) {
            return std::nullopt;
          }
          return it->second[index];
        },
        .escalates_to = [](const std::string& agency) -> std::optional<std::string> {
          if (agency == "dif") return "omb";
          return std::nullopt;
        },
        .fallback_agency = ""};
    // amparod builds payloads at send time (delivery/payload_builder.h); here
    // each alert has its test payload.
    PayloadFn payload = [this](const Delivery& row) -> Result<std::string> {
      auto it = payloads_.find(row.idempotency_key);
      if (it == payloads_.end()) {
        return Status::NotFound("no test payload for " + row.idempotency_key);
      }
      return it->second;
    };
    dispatcher_ = std::make_unique<Dispatcher>(
        io_, f_.store().outbox(), adapters_, policy_, clock_, [] { return 0.5; }, routes, payload,
        options_);
    dispatcher_->Start();
    return *dispatcher_;
  }

  Delivery Row(int64_t id) { return f_.store().outbox().Get(id).value(); }
  int64_t Count(const std::string& table_and_where) { return f_.Count(table_and_where); }

 private:
  testing::TempDir dir_;
  testing::StoreFixture f_;
  boost::asio::io_context io_;
  SystemClock clock_;
  RetryPolicy policy_;
  AdapterSet adapters_;
  std::map<std::string, std::vector<ChannelTarget>> channels_;
  std::map<std::string, std::string> payloads_;  // by idempotency key
  DispatcherOptions options_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

std::unique_ptr<WebhookAdapter> Webhook(boost::asio::io_context& io, const testing::Pki& pki,
                                        const std::string& secret_file) {
  WebhookAdapterOptions options;
  options.ca_file = pki.ca;
  options.timeout = std::chrono::seconds(5);
  options.secret_file = [secret_file](const std::string&, const std::string&) {
    return std::optional<std::string>(secret_file);
  };
  auto adapter = WebhookAdapter::Create(io, std::move(options));
  REQUIRE(adapter.ok());
  return std::move(adapter).value();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

TEST_CASE("A webhook that answers 500 for a while gets each alert exactly once, back-off capped") {
  testing::TempDir pki_dir;
  const testing::Pki pki = testing::MakePki(pki_dir);
  // The first 12 requests fail, asking for an hour's pause: the policy's cap
  // (80 ms) must win, or this test runs out of time.
  Receiver receiver(pki_dir, "webhook", "webhook_receiver.py",
                    {"--secret", kSecret, "--cert", pki.cert, "--key", pki.key, "--fail-first",
                     "12", "--retry-after", "3600"});
  const std::string url = "https://127.0.0.1:" + std::to_string(receiver.port()) + "/hook";
  Harness h(std::vector<ChannelTarget>{{"webhook", url}});
  const std::string secret_file = h.dir().File("dif.secret");
  testing::WriteFile(secret_file, std::string(kSecret) + "\n");
  REQUIRE(h.adapters().Add(Webhook(h.io(), pki, secret_file)).ok());
  const std::vector<int64_t> ids = h.Alerts(5);

  Dispatcher& d = h.Run(ids);
  for (int64_t id : ids) CHECK(h.Row(id).state == DeliveryState::kDelivered);
  CHECK(d.counters().delivered == 5);
  CHECK(d.counters().retried == 12);

  std::map<std::string, int> ok_per_key;
  int failed = 0;
  for (const nlohmann::json& r : receiver.Records()) {
    CHECK(r["verified"] == true);
    if (r["status"] == 200) ++ok_per_key[r["id"].get<std::string>()];
    if (r["status"] == 500) ++failed;
  }
  CHECK(failed == 12);
  REQUIRE(ok_per_key.size() == 5);
  for (int64_t id : ids) CHECK(ok_per_key[h.Row(id).idempotency_key] == 1);
}

// A TCP port on 127.0.0.1 that takes connections (the kernel's backlog) and
// never says a word: a webhook host that hangs.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

TEST_CASE("A webhook host that hangs holds back only its own alerts") {
  testing::TempDir pki_dir;
  const testing::Pki pki = testing::MakePki(pki_dir);
  Receiver receiver(pki_dir, "webhook", "webhook_receiver.py",
                    {"--secret", kSecret, "--cert", pki.cert, "--key", pki.key});
  SilentListener hung;
  const std::string url = "https://127.0.0.1:" + std::to_string(receiver.port()) + "/hook";
  Harness h(std::vector<ChannelTarget>{{"webhook", url}});
  h.AddAgency("hung", {{"webhook", "https://127.0.0.1:" + std::to_string(hung.port()) + "/hook"}});
  const std::string secret_file = h.dir().File("dif.secret");
  testing::WriteFile(secret_file, std::string(kSecret) + "\n");
  // The adapter runs 2 requests at once (the rest queue inside it); the
  // dispatcher keeps at most 2 webhook sends, and 1 per endpoint, in flight.
  WebhookAdapterOptions options;
  options.ca_file = pki.ca;
  options.timeout = std::chrono::seconds(10);
  options.max_in_flight = 2;
  options.secret_file = [secret_file](const std::string&, const std::string&) {
    return std::optional<std::string>(secret_file);
  };
  auto webhook = WebhookAdapter::Create(h.io(), std::move(options));
  REQUIRE(webhook.ok());
  REQUIRE(h.adapters().Add(std::move(webhook).value()).ok());
  h.set_options({.max_in_flight_per_channel = {{"webhook", 2}}, .max_in_flight_per_target = 1});
  // The hung host's alerts are first in the outbox.
  const std::vector<int64_t> hung_ids = h.Alerts(4, "hung");
  const std::vector<int64_t> ids = h.Alerts(3);

  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().delivered == 3; });
  for (int64_t id : ids) CHECK(h.Row(id).state == DeliveryState::kDelivered);
  CHECK(receiver.Records().size() == 3);
  // Without the caps the hung host's four requests would have filled the
  // adapter and the others would have waited out its 10 s timeout behind
  // them: delivered, with the hung ones already failed once. Here the hung
  // host holds one slot, and its other alerts wait in the store untried.
  CHECK(d.in_flight() == 1);
  for (int64_t id : hung_ids) {
    CHECK(h.Row(id).state == DeliveryState::kPending);
    CHECK(h.Row(id).attempts == 0);
  }
  d.Stop();
}

TEST_CASE("A webhook that answers 410 fails over at once and the alert escalates") {
  testing::TempDir pki_dir;
  const testing::Pki pki = testing::MakePki(pki_dir);
  Receiver receiver(pki_dir, "webhook", "webhook_receiver.py",
                    {"--secret", kSecret, "--cert", pki.cert, "--key", pki.key, "--status", "410"});
  const std::string url = "https://127.0.0.1:" + std::to_string(receiver.port()) + "/hook";
  Harness h(std::vector<ChannelTarget>{{"webhook", url}});
  const std::string secret_file = h.dir().File("dif.secret");
  testing::WriteFile(secret_file, std::string(kSecret) + "\n");
  REQUIRE(h.adapters().Add(Webhook(h.io(), pki, secret_file)).ok());
  REQUIRE(h.adapters().Add(std::make_unique<FileAdapter>(h.io(), FileAdapterOptions{})).ok());
  const std::vector<int64_t> ids = h.Alerts(1);

  Dispatcher& d = h.Run(ids);
  CHECK(h.Row(ids[0]).state == DeliveryState::kDead);
  CHECK(h.Row(ids[0]).attempts == 1);  // Permanent: no retry on that channel.
  CHECK(receiver.Records().size() == 1);
  CHECK(d.counters().escalated == 1);
  // Nothing lost: the ombudsman's file holds the alert.
  const std::vector<std::string> lines = Lines(testing::ReadFile(h.dir().File("omb.jsonl")));
  REQUIRE(lines.size() == 1);
  CHECK(nlohmann::json::parse(lines[0])["alert_id"] == "alert-0");
}

TEST_CASE("A relay that rejects the recipient fails over, and the alert escalates") {
  testing::TempDir server_dir;
  Receiver relay(server_dir, "smtp", "smtp_receiver.py", {"--reject", "guardia@"});
  Harness h(std::vector<ChannelTarget>{{"smtp", "guardia@dif.example"}});
  SmtpAdapterOptions options;
  options.url = "smtp://127.0.0.1:" + std::to_string(relay.port());
  options.tls = SmtpTls::kNone;  // Loopback only; TLS is tested in smtp_adapter_test.
  options.from = "alertas@amparo.example.org";
  auto smtp = SmtpAdapter::Create(h.io(), options);
  REQUIRE(smtp.ok());
  REQUIRE(h.adapters().Add(std::move(smtp).value()).ok());
  REQUIRE(h.adapters().Add(std::make_unique<FileAdapter>(h.io(), FileAdapterOptions{})).ok());
  const std::vector<int64_t> ids = h.Alerts(2);

  Dispatcher& d = h.Run(ids);
  for (int64_t id : ids) {
    CHECK(h.Row(id).state == DeliveryState::kDead);
    CHECK(h.Row(id).last_error.find("550") != std::string::npos);
  }
  CHECK(relay.Records().empty());
  CHECK(d.counters().escalated == 2);
  const std::vector<std::string> lines = Lines(testing::ReadFile(h.dir().File("omb.jsonl")));
  std::set<std::string> escalated;
  for (const std::string& line : lines) {
    escalated.insert(nlohmann::json::parse(line)["alert_id"].get<std::string>());
  }
  CHECK(escalated == std::set<std::string>{"alert-0", "alert-1"});
}

}  // namespace
}  // namespace amparo

// broker security: the shipped TLS + ACL setup (config/mosquitto/) on a real
// Mosquitto with client certificates, checked operation by operation.
//
// Every principal connects over TLS with its own certificate (CN = username),
// subscribes to "#" and publishes a probe to every topic of the matrix. A
// write is allowed when the broker answers PUBACK reason 0 and the probe
// reaches a subscriber; denied when it answers 0x87 (Not authorized) and the
// probe reaches nobody. A read is allowed when the principal's "#"
// subscription received the probes of that topic; denied when it received
// none. The expected matrix below is written from the policy (README,
// "Broker security"), not derived from the ACL file, so a wrong ACL line
// fails the test.
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <mqtt/async_client.h>

#include "tests/integration/private_broker.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace amparo::testing {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

// An MQTT v5 client over TLS with a client certificate.
class TlsClient {
 public:
  TlsClient(int port, const std::string& ca, const std::string& cert, const std::string& key,
            const std::string& client_id)
      : client_("ssl://127.0.0.1:" + std::to_string(port), client_id,
                mqtt::create_options(MQTTVERSION_5)) {
    client_.set_message_callback([this](mqtt::const_message_ptr msg) {
      std::lock_guard<std::mutex> lock(mu_);
      received_.emplace_back(msg->get_topic(), msg->get_payload_str());
    });
    auto ssl =
        mqtt::ssl_options_builder().trust_store(ca).enable_server_cert_auth(true).verify(true);
    if (!cert.empty()) ssl.key_store(cert).private_key(key);
    auto opts = mqtt::connect_options_builder()
                    .mqtt_version(MQTTVERSION_5)
                    .clean_start(true)
                    .connect_timeout(5s)
                    .ssl(ssl.finalize())
                    .finalize();
    try {
      client_.connect(opts)->wait_for(10s);
    } catch (const mqtt::exception&) {
      // Refused (at the TLS handshake or by CONNACK): connected() is false.
    }
  }
  ~TlsClient() {
    try {
      if (client_.is_connected()) client_.disconnect()->wait_for(2s);
    } catch (...) {  // NOLINT(bugprone-empty-catch): best effort in a destructor
    }
  }
  bool connected() const { return client_.is_connected(); }
  // The SUBACK reason code (0..2 granted, >= 0x80 refused), -1 if none came.
  int Subscribe(const std::string& filter) {
    try {
      auto tok = client_.subscribe(filter, 1);
      if (!tok->wait_for(10s)) return -1;
      const auto codes = tok->get_subscribe_response().get_reason_codes();
      return codes.empty() ? -1 : static_cast<int>(codes[0]);
    } catch (const mqtt::exception& e) {
      return e.get_reason_code();
    }
  }
  // QoS 1 publish; the PUBACK's reason code (0 success, 0x87 not
  // authorized), -1 if no PUBACK came.
  int Publish(const std::string& topic, const std::string& payload) {
    try {
      auto tok = client_.publish(topic, payload.data(), payload.size(), 1, false);
      if (!tok->wait_for(10s)) return -1;
      return static_cast<int>(tok->get_reason_code());
    } catch (const mqtt::exception& e) {
      return e.get_reason_code();
    }
  }
  std::vector<std::pair<std::string, std::string>> Received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  mqtt::async_client client_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> received_;
};

const std::vector<std::string> kPrincipals = {
    "amparod",       "monitor", "authority-MX-INM", "authority-GT-IGM", "gt-consulate-tapachula",
    "mx-dif-chiapas"};

const std::vector<std::string> kTopics = {
    "rcm/v1/events/MX/INM",
    "rcm/v1/events/GT/IGM",
    "rcm/v1/receipts/MX/INM",
    "rcm/v1/receipts/GT/IGM",
    "rcm/v1/deadletter/MX/INM",
    "rcm/v1/deadletter/GT/IGM",
    "rcm/v1/alerts/gt-consulate-tapachula",
    "rcm/v1/alerts/mx-dif-chiapas",
    "rcm/v1/acks/gt-consulate-tapachula",
    "rcm/v1/acks/mx-dif-chiapas",
    "rcm/v1/ack-receipts/gt-consulate-tapachula",
    "rcm/v1/ack-receipts/mx-dif-chiapas",
    "rcm/v1/status/amparod/test-instance",
};

enum class Op { kRead, kWrite };

// The policy: what each principal may do. Everything else is denied.
const std::set<std::tuple<std::string, Op, std::string>>& Allowed() {
  static const auto* allowed = new std::set<std::tuple<std::string, Op, std::string>>{
      // amparod reads the events and the acks, writes everything it answers.
      {"amparod", Op::kRead, "rcm/v1/events/MX/INM"},
      {"amparod", Op::kRead, "rcm/v1/events/GT/IGM"},
      {"amparod", Op::kRead, "rcm/v1/acks/gt-consulate-tapachula"},
      {"amparod", Op::kRead, "rcm/v1/acks/mx-dif-chiapas"},
      {"amparod", Op::kWrite, "rcm/v1/receipts/MX/INM"},
      {"amparod", Op::kWrite, "rcm/v1/receipts/GT/IGM"},
      {"amparod", Op::kWrite, "rcm/v1/deadletter/MX/INM"},
      {"amparod", Op::kWrite, "rcm/v1/deadletter/GT/IGM"},
      {"amparod", Op::kWrite, "rcm/v1/alerts/gt-consulate-tapachula"},
      {"amparod", Op::kWrite, "rcm/v1/alerts/mx-dif-chiapas"},
      {"amparod", Op::kWrite, "rcm/v1/ack-receipts/gt-consulate-tapachula"},
      {"amparod", Op::kWrite, "rcm/v1/ack-receipts/mx-dif-chiapas"},
      {"amparod", Op::kWrite, "rcm/v1/status/amparod/test-instance"},
      // The operators' monitor reads amparod's status.
      {"monitor", Op::kRead, "rcm/v1/status/amparod/test-instance"},
      // Each authority writes its own events, reads its own receipts and dead letters.
      {"authority-MX-INM", Op::kWrite, "rcm/v1/events/MX/INM"},
      {"authority-MX-INM", Op::kRead, "rcm/v1/receipts/MX/INM"},
      {"authority-MX-INM", Op::kRead, "rcm/v1/deadletter/MX/INM"},
      {"authority-GT-IGM", Op::kWrite, "rcm/v1/events/GT/IGM"},
      {"authority-GT-IGM", Op::kRead, "rcm/v1/receipts/GT/IGM"},
      {"authority-GT-IGM", Op::kRead, "rcm/v1/deadletter/GT/IGM"},
      // Each agency reads its alerts and ack receipts, writes its acks.
      {"gt-consulate-tapachula", Op::kRead, "rcm/v1/alerts/gt-consulate-tapachula"},
      {"gt-consulate-tapachula", Op::kRead, "rcm/v1/ack-receipts/gt-consulate-tapachula"},
      {"gt-consulate-tapachula", Op::kWrite, "rcm/v1/acks/gt-consulate-tapachula"},
      {"mx-dif-chiapas", Op::kRead, "rcm/v1/alerts/mx-dif-chiapas"},
      {"mx-dif-chiapas", Op::kRead, "rcm/v1/ack-receipts/mx-dif-chiapas"},
      {"mx-dif-chiapas", Op::kWrite, "rcm/v1/acks/mx-dif-chiapas"},
  };
  return *allowed;
}

constexpr int kNotAuthorized = 0x87;

TEST_CASE(
    "broker security: the shipped TLS and ACL setup allows exactly the permission matrix "
    "and refuses clients without a certificate of the CA") {
  TempDir dir;
  std::vector<std::string> pki_args = {
      "bash", SourcePath("tests/support/make_test_pki.sh").string(), dir.File("broker/pki")};
  for (const auto& p : kPrincipals) pki_args.push_back(p);
  std::string out;
  REQUIRE(RunCommand(pki_args, &out) == 0);
  // A second CA, unknown to the broker, with a certificate named like amparod.
  REQUIRE(RunCommand({"bash", SourcePath("tests/support/make_test_pki.sh").string(),
                      dir.File("rogue"), "amparod"},
                     &out) == 0);
  PrivateBroker broker(dir, SourcePath("config/mosquitto/mosquitto-tls.conf.in").string());
  const std::string ca = broker.pki() + "/ca.pem";
  const std::string run = std::to_string(std::random_device{}());

  std::map<std::string, std::unique_ptr<TlsClient>> clients;
  for (const auto& p : kPrincipals) {
    clients[p] = std::make_unique<TlsClient>(
        broker.port(), ca, broker.pki() + "/clients/" + p + ".pem",
        broker.pki() + "/clients/" + p + ".key", "sec-" + p + "-" + run);
    INFO(p);
    REQUIRE(clients[p]->connected());
    // "#" is granted; the ACL filters what is delivered, message by message.
    REQUIRE(clients[p]->Subscribe("#") < 0x80);
  }

  int passed = 0;
  int total = 0;
  std::vector<std::string> failures;
  auto record = [&](bool ok, const std::string& what) {
    ++total;
    if (ok) {
      ++passed;
    } else {
      failures.push_back(what);
    }
  };

  // Writes: every principal publishes a unique probe to every topic.
  std::map<std::string, int> puback;  // probe payload -> PUBACK reason code
  std::map<std::string, std::tuple<std::string, std::string>> probe_of;  // payload -> (who, topic)
  for (const auto& p : kPrincipals) {
    for (const auto& t : kTopics) {
      const std::string payload = "probe " + run + " " + p + " " + t;
      puback[payload] = clients[p]->Publish(t, payload);
      probe_of[payload] = {p, t};
    }
  }
  // Wait until every allowed probe has reached every allowed reader, then a
  // little longer so that a wrongly delivered probe would have arrived too.
  auto delivered = [&](const std::string& reader, const std::string& payload) {
    for (const auto& [topic, body] : clients[reader]->Received()) {
      if (body == payload) return true;
    }
    return false;
  };
  WaitUntil(
      [&] {
        for (const auto& [payload, who_topic] : probe_of) {
          const auto& [writer, topic] = who_topic;
          if (!Allowed().count({writer, Op::kWrite, topic})) continue;
          for (const auto& reader : kPrincipals) {
            if (Allowed().count({reader, Op::kRead, topic}) && !delivered(reader, payload)) {
              return false;
            }
          }
        }
        return true;
      },
      20s);
  std::this_thread::sleep_for(1s);

  for (const auto& p : kPrincipals) {
    for (const auto& t : kTopics) {
      // Write (p, t): the PUBACK reason, and whether any subscriber got it.
      const std::string payload = "probe " + run + " " + p + " " + t;
      bool reached_anyone = false;
      for (const auto& reader : kPrincipals)
        reached_anyone = reached_anyone || delivered(reader, payload);
      const bool may_write = Allowed().count({p, Op::kWrite, t}) > 0;
      const int code = puback[payload];
      if (may_write) {
        record(code == 0 && reached_anyone,
               p + " write " + t + ": expected allowed, PUBACK " + std::to_string(code) +
                   (reached_anyone ? ", delivered" : ", not delivered"));
      } else {
        record(code == kNotAuthorized && !reached_anyone,
               p + " write " + t + ": expected denied, PUBACK " + std::to_string(code) +
                   (reached_anyone ? ", delivered" : ", not delivered"));
      }
      // Read (p, t): did p's "#" subscription receive the probes on t?
      size_t got = 0;
      size_t sent = 0;  // probes on t that the broker accepted from someone
      for (const auto& [probe, who_topic] : probe_of) {
        if (std::get<1>(who_topic) != t || puback[probe] != 0) continue;
        ++sent;
        if (delivered(p, probe)) ++got;
      }
      const bool may_read = Allowed().count({p, Op::kRead, t}) > 0;
      if (sent == 0) {
        record(false, p + " read " + t + ": undecidable, nobody could write the topic");
      } else if (may_read) {
        record(got == sent, p + " read " + t + ": expected allowed, received " +
                                std::to_string(got) + "/" + std::to_string(sent));
      } else {
        record(got == 0, p + " read " + t + ": expected denied, received " + std::to_string(got) +
                             "/" + std::to_string(sent));
      }
    }
  }

  // TLS: no certificate, or one from another CA: refused at the handshake.
  {
    TlsClient anonymous(broker.port(), ca, "", "", "sec-nocert-" + run);
    record(!anonymous.connected(), "a client without a certificate connected");
  }
  {
    TlsClient rogue(broker.port(), ca, dir.File("rogue/clients/amparod.pem"),
                    dir.File("rogue/clients/amparod.key"), "sec-rogue-" + run);
    record(!rogue.connected(), "a client with another CA's certificate for CN=amparod connected");
  }

  const size_t expected_total = kPrincipals.size() * kTopics.size() * 2 + 2;
  for (const auto& f : failures) UNSCOPED_INFO(f);
  WARN("permission matrix: " << passed << "/" << total << " operations as the policy says ("
                             << Allowed().size() << " allowed, "
                             << total - 2 - static_cast<int>(Allowed().size())
                             << " denied, 2 refused at TLS)");
  CHECK(failures.empty());
  CHECK(total == static_cast<int>(expected_total));
  CHECK(passed == total);
}

TEST_CASE("broker security: the shipped ACL is what make-acl generates from the directory") {
  std::string generated;
  REQUIRE(RunCommand({SourcePath("config/mosquitto/make-acl").string()}, &generated) == 0);
  CHECK(generated == ReadFile(SourcePath("config/mosquitto/acl")));
}

}  // namespace
}  // namespace amparo::testing

#include "tests/integration/mqtt_test_client.h"

#include <fstream>
#include <stdexcept>

#include "tests/support/process.h"

namespace amparo::testing {

MqttTestClient::MqttTestClient(int port, const std::string& client_id)
    : client_("tcp://127.0.0.1:" + std::to_string(port), client_id) {
  client_.set_message_callback([this](mqtt::const_message_ptr msg) {
    std::lock_guard<std::mutex> lock(mu_);
    received_.push_back({msg->get_topic(), msg->get_payload_str()});
  });
  auto opts = mqtt::connect_options_builder().clean_session(true).finalize();
  client_.connect(opts)->wait();
}

MqttTestClient::~MqttTestClient() {
  try {
    client_.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (...) {  // NOLINT(bugprone-empty-catch): best effort in a destructor
  }
}

void MqttTestClient::Subscribe(const std::string& filter) {
  client_.subscribe(filter, 1)->wait_for(std::chrono::seconds(5));
}

bool MqttTestClient::Publish(const std::string& topic, const std::string& payload) {
  try {
    return client_.publish(topic, payload.data(), payload.size(), 1, false)
        ->wait_for(std::chrono::seconds(10));
  } catch (const mqtt::exception&) {
    return false;
  }
}

std::vector<ReceivedMessage> MqttTestClient::Received() {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

size_t MqttTestClient::Count(const std::string& topic_prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& m : received_) {
    if (m.topic.rfind(topic_prefix, 0) == 0) ++n;
  }
  return n;
}

bool MqttTestClient::WaitForCount(const std::string& topic_prefix, size_t n,
                                  std::chrono::milliseconds timeout) {
  return WaitUntil([&] { return Count(topic_prefix) >= n; }, timeout);
}

int FixtureBrokerPort() {
  std::ifstream in(std::string(AMPARO_BROKER_DIR) + "/port");
  int port = 0;
  if (!(in >> port)) throw std::runtime_error("no broker port file; is the CTest fixture running?");
  return port;
}

}  // namespace amparo::testing

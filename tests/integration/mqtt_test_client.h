// A plain MQTT client for integration tests: publish with PUBACK, collect
// what arrives on subscribed topics.
#ifndef AMPARO_TESTS_INTEGRATION_MQTT_TEST_CLIENT_H_
#define AMPARO_TESTS_INTEGRATION_MQTT_TEST_CLIENT_H_

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <mqtt/async_client.h>

namespace amparo::testing {

struct ReceivedMessage {
  std::string topic;
  std::string payload;
};

class MqttTestClient {
 public:
  // Connects (clean session) to tcp://127.0.0.1:port; throws on failure.
  MqttTestClient(int port, const std::string& client_id);
  ~MqttTestClient();

  // Subscribes at QoS 1 and waits for the SUBACK.
  void Subscribe(const std::string& filter);
  // Publishes at QoS 1 and waits for the PUBACK; false if none came.
  bool Publish(const std::string& topic, const std::string& payload);
  // Copies of everything received so far.
  std::vector<ReceivedMessage> Received();
  // Waits until `n` messages matching `topic_prefix` have arrived.
  bool WaitForCount(const std::string& topic_prefix, size_t n, std::chrono::milliseconds timeout);
  size_t Count(const std::string& topic_prefix);

 private:
  mqtt::async_client client_;
  std::mutex mu_;
  std::vector<ReceivedMessage> received_;
};

// The port of the broker the CTest fixture started.
int FixtureBrokerPort();

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_INTEGRATION_MQTT_TEST_CLIENT_H_

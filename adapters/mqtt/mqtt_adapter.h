// MqttAdapter: publishes alerts at QoS 1 with its own Paho client (DESIGN.md
// §6, channel "mqtt").
//
// The topic is the row's target, else "<topic_prefix>/<agency_id>"
// (rcm/v1/alerts/{agency_id}). The broker's PUBACK is the confirmation: the
// token's success posts kDelivered to the loop. No connection, a publish that
// throws, a token that fails, a full buffer (MQTTASYNC_MAX_BUFFERED_MESSAGES)
// and no PUBACK within publish_timeout are all kRetryable. Nothing here blocks the
// loop waiting for a token: Paho's threads post back.
//
// The client has no persistent session and reconnects by itself. While it is
// disconnected a delivery is kRetryable at once (the dispatcher's back-off does
// the waiting); send_while_disconnected only covers a connection lost between
// that check and the publish. After a timeout the message may still go out
// later: a duplicate with the same idempotency key, which at-least-once allows.
//
// What "delivered" means here: the broker took the message (PUBACK), not that
// any agency client read it. With a persistent session on the agency's side
// the broker keeps it for that client; with none, nobody may ever see it: an
// agency proves receipt only by acknowledging (rcm/v1/acks/{agency_id} or the
// HTTP ack API).
#ifndef AMPARO_ADAPTERS_MQTT_MQTT_ADAPTER_H_
#define AMPARO_ADAPTERS_MQTT_MQTT_ADAPTER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mqtt/async_client.h>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/delivery/adapter.h"

namespace amparo {

struct MqttAdapterOptions {
  // Broker URI, e.g. "tcp://127.0.0.1:1883" or "ssl://broker:8883".
  std::string uri = "tcp://127.0.0.1:1883";
  // Client id; must differ from the ingest client's.
  std::string client_id = "amparod-alerts";
  // Topic when a channel names none: "<topic_prefix>/<agency_id>".
  std::string topic_prefix = "rcm/v1/alerts";
  // Publishes Paho may buffer while disconnected; past it, kRetryable.
  int max_buffered_messages = 1000;
  // How long to wait for a PUBACK before reporting kRetryable. Must be positive.
  Duration publish_timeout = std::chrono::seconds(30);
  // Reconnect back-off bounds; whole seconds, at least 1 s.
  Duration reconnect_min = std::chrono::seconds(1);
  Duration reconnect_max = std::chrono::seconds(60);
  // Login, as the ingest client's: both or neither.
  std::optional<std::string> username;
  std::optional<std::string> password;
  // TLS for ssl:// URIs: the broker's CA (server certificate and host name
  // verified) and an optional client certificate and key.
  std::optional<std::string> ca_file;
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;
};

// Thread-safety: AsyncDeliver and the destructor run on the loop thread;
// Paho's threads only post to the loop.
class MqttAdapter final : public Adapter {
 public:
  // Create the client and start connecting in the background. Returns
  // InvalidArgument for a bad URI or options.
  static Result<std::unique_ptr<MqttAdapter>> Create(boost::asio::io_context& io,
                                                     MqttAdapterOptions options);
  // Disconnects, waiting at most one second.
  ~MqttAdapter() override;
  MqttAdapter(const MqttAdapter&) = delete;
  MqttAdapter& operator=(const MqttAdapter&) = delete;

  std::string_view Name() const override { return "mqtt"; }
  void AsyncDeliver(const OutboundMessage& message, DeliveryDone done) override;

  // Return true while connected to the broker.
  bool connected() const { return client_->is_connected(); }

 private:
  // Turns Paho's callbacks (on Paho's threads) into posts to the loop.
  class Listener final : public mqtt::iaction_listener {
   public:
    Listener(boost::asio::io_context& io, std::weak_ptr<MqttAdapter*> owner, bool connect);
    void on_success(const mqtt::token& token) override;
    void on_failure(const mqtt::token& token) override;

   private:
    boost::asio::io_context& io_;
    std::weak_ptr<MqttAdapter*> owner_;
    bool connect_;  // Listens to connects, else to publishes.
  };

  struct Pending {
    DeliveryDone done;
    std::unique_ptr<boost::asio::steady_timer> timeout;
  };

  MqttAdapter(boost::asio::io_context& io, MqttAdapterOptions options);
  Status StartClient();
  void Connect();
  void OnConnectFailed();
  void Finish(uint64_t seq, DeliveryOutcome outcome, Status why);
  void Reply(DeliveryDone done, DeliveryOutcome outcome, Status why);

  boost::asio::io_context& io_;
  MqttAdapterOptions options_;
  std::shared_ptr<MqttAdapter*> self_;  // Weak copies in posts: dropped once we are gone.
  Listener publish_listener_;
  Listener connect_listener_;
  boost::asio::steady_timer reconnect_timer_;
  Duration reconnect_delay_;
  uint64_t next_seq_ = 0;
  std::map<uint64_t, Pending> pending_;
  mqtt::connect_options connect_options_;
  // Declared last: destroyed first, so Paho stops calling the listeners above.
  std::unique_ptr<mqtt::async_client> client_;
};

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_MQTT_MQTT_ADAPTER_H_

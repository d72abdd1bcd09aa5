// The MQTT side of ingest: one Paho async_client subscribed to the events.
//
// Paho calls the message callback on its own thread; for a QoS 1 message the
// PUBACK goes to the broker only when the callback returns. The callback
// therefore commits the payload through IngestHandler first and only then
// posts the result to the event loop. If the commit fails the process ends
// without acknowledging, so the broker redelivers after the restart.
//
// Nothing is published from inside the callback (it shares a thread with the
// PUBACKs of what we publish, DESIGN.md §1): receipts, dead letters and the
// status topic are published from the loop through Publish().
//
// Reconnecting is done here, not by Paho's automatic reconnect: after a lost
// connection (or a refused connect or subscription) the loop waits a backoff
// (reconnect_min doubling to reconnect_max) and connects a NEW Paho client
// under the same client id, so the broker's persistent session (and what it
// holds for us) carries over but nothing of the old client's state does.
// Paho 1.3.12 could resend a corrupted in-flight message after a broker
// restart on every automatic reconnect, and the broker closed each
// connection as a "malformed packet" until the process restarted (issue 12).
// Nothing is buffered while disconnected: Publish() then fails and the
// caller keeps the message (ReceiptPublisher retries).
//
// Thread-safety: Start/Stop/Publish are called from the loop thread; the
// callbacks run on Paho's threads and only touch the handler and post. A
// callback of a client that has since been replaced is ignored.
#ifndef AMPARO_DAEMON_INGEST_MQTT_INGEST_H_
#define AMPARO_DAEMON_INGEST_MQTT_INGEST_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mqtt/async_client.h>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/ingest/ingest_handler.h"

namespace amparo {

struct MqttOptions {
  std::string uri = "tcp://127.0.0.1:1883";
  std::string client_id = "amparod-1";
  bool persistent_session = true;
  std::optional<std::string> username;
  std::optional<std::string> password;  // the contents of password_file
  std::optional<std::string> ca_file;
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;
  std::string subscription = "rcm/v1/events/#";
  Duration keep_alive = std::chrono::seconds(30);
  Duration reconnect_min = std::chrono::seconds(1);
  Duration reconnect_max = std::chrono::seconds(30);
  int max_buffered_messages = 10000;
  // Retained status topic with a last will: rcm/v1/status/amparod/{instance}.
  std::string status_topic;
};

class MqttIngest {
 public:
  // Called on the loop (posted) after each payload is durable.
  using ResultSink = std::function<void(IngestResult)>;
  // Called on the loop each time the subscription is (re)established.
  using SubscribedSink = std::function<void()>;

  MqttIngest(boost::asio::io_context& io, MqttOptions options, IngestHandler& handler);
  ~MqttIngest();
  MqttIngest(const MqttIngest&) = delete;
  MqttIngest& operator=(const MqttIngest&) = delete;

  // Handles a message of another stream on the same client (acks, say) on
  // Paho's thread. It must make the message durable before it returns OK;
  // a non-OK status ends the process unacknowledged, as for events.
  using StreamHandler = std::function<Status(const std::string& topic, const std::string& payload)>;

  void OnResult(ResultSink sink) { on_result_ = std::move(sink); }
  // Subscribes to `filter` too (on every connect, before the events), and
  // hands messages whose topic starts with `prefix` to `handler` instead of
  // the event handler. REQUIRES: called before Start().
  void AddStream(std::string filter, std::string prefix, StreamHandler handler);
  void OnSubscribed(SubscribedSink sink) { on_subscribed_ = std::move(sink); }

  // Starts connecting; reconnects by itself with backoff (a new client each
  // time). Returns an error only for options Paho refuses outright (a
  // malformed URI, say).
  Status Start();
  // Stops taking events: unsubscribes and disconnects, waiting at most
  // `timeout`. Events in flight are either committed or redelivered later.
  void Stop(Duration timeout);

  // Publishes from the loop. Unavailable while disconnected or when Paho
  // cannot take more (back-pressure: the caller keeps the message and
  // retries).
  Status Publish(const std::string& topic, const std::string& payload, int qos, bool retained);

  bool connected() const;
  bool subscribed() const { return subscribed_.load(); }
  // Paho clients made so far: 1 + the reconnects (for tests and logs).
  int connections_made() const { return connections_made_; }

 private:
  void HandleMessage(const mqtt::const_message_ptr& msg);  // Paho thread
  void HandleConnected(mqtt::async_client& client);        // Paho thread
  mqtt::connect_options BuildConnectOptions() const;
  // Loop thread: makes a new client and connects it; the old one is retired.
  Status Connect();
  // Loop thread: connects again after the backoff, unless `client` is no
  // longer the current one (its news is stale) or we are stopping.
  void ReconnectLater(const mqtt::async_client* client, const std::string& why);
  // Paho thread: posts ReconnectLater for `client` to the loop.
  void PostReconnect(const mqtt::async_client* client, std::string why);

  // Learns whether CONNECT succeeded (Paho thread).
  class ConnectListener final : public mqtt::iaction_listener {
   public:
    explicit ConnectListener(MqttIngest& owner) : owner_(owner) {}
    void on_success(const mqtt::token& tok) override;
    void on_failure(const mqtt::token& tok) override;

   private:
    MqttIngest& owner_;
  };

  // Learns whether a SUBSCRIBE was granted (Paho thread).
  class SubscribeListener final : public mqtt::iaction_listener {
   public:
    explicit SubscribeListener(MqttIngest& owner) : owner_(owner) {}
    void on_success(const mqtt::token& tok) override;
    void on_failure(const mqtt::token& tok) override;

   private:
    MqttIngest& owner_;
  };

  boost::asio::io_context& io_;
  MqttOptions options_;
  IngestHandler& handler_;
  struct Stream {
    std::string filter;
    std::string prefix;
    StreamHandler handler;
  };

  std::unique_ptr<mqtt::async_client> client_;  // the current one (loop thread)
  // Replaced clients, kept a few reconnects longer so that a late callback
  // of theirs never runs on a destroyed client.
  std::deque<std::unique_ptr<mqtt::async_client>> retired_;
  boost::asio::steady_timer reconnect_timer_;
  Duration backoff_{};
  int connections_made_ = 0;
  std::vector<Stream> streams_;
  ResultSink on_result_;
  SubscribedSink on_subscribed_;
  std::atomic<bool> subscribed_{false};
  std::atomic<bool> stopping_{false};
  SubscribeListener subscribe_listener_{*this};
  ConnectListener connect_listener_{*this};
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_INGEST_MQTT_INGEST_H_

#include "daemon/ingest/mqtt_ingest.h"

#include <algorithm>
#include <cstdlib>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace amparo {

namespace {

constexpr int kQos = 1;
// Exit code when an event cannot be made durable: the broker keeps the
// unacknowledged message and redelivers it once systemd restarts us.
constexpr int kExitCannotStore = 75;  // EX_TEMPFAIL

}  // namespace

// How many replaced clients are kept alive (see retired_).
constexpr size_t kRetiredClients = 4;

MqttIngest::MqttIngest(boost::asio::io_context& io, MqttOptions options, IngestHandler& handler)
    : io_(io),
      options_(std::move(options)),
      handler_(handler),
      reconnect_timer_(io),
      backoff_(options_.reconnect_min) {}

MqttIngest::~MqttIngest() {
  if (client_) Stop(std::chrono::seconds(1));
}

mqtt::connect_options MqttIngest::BuildConnectOptions() const {
  auto keep_alive = std::chrono::duration_cast<std::chrono::seconds>(options_.keep_alive);
  auto builder = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_3_1_1)
                     .clean_session(!options_.persistent_session)
                     .keep_alive_interval(keep_alive)
                     .connect_timeout(std::chrono::seconds(10))
                     .max_inflight(100);
  if (options_.username) builder.user_name(*options_.username);
  if (options_.password) builder.password(*options_.password);
  if (options_.ca_file || options_.cert_file) {
    auto ssl = mqtt::ssl_options_builder().enable_server_cert_auth(true).verify(true);
    if (options_.ca_file) ssl.trust_store(*options_.ca_file);
    if (options_.cert_file) ssl.key_store(*options_.cert_file);
    if (options_.key_file) ssl.private_key(*options_.key_file);
    builder.ssl(ssl.finalize());
  }
  if (!options_.status_topic.empty()) {
    builder.will(mqtt::message(options_.status_topic, R"({"state":"offline"})", kQos, true));
  }
  return builder.finalize();
}

Status MqttIngest::Start() {
  if (Status s = Connect(); !s.ok()) return s;
  spdlog::info("mqtt: connecting to {} as {}", options_.uri, options_.client_id);
  return Status::OK();
}

Status MqttIngest::Connect() {
  std::unique_ptr<mqtt::async_client> client;
  try {
    mqtt::create_options create(MQTTVERSION_3_1_1, options_.max_buffered_messages);
    // Nothing waits in Paho while disconnected: a new client replaces this
    // one then, and what it buffered would be lost without a word.
    create.set_send_while_disconnected(false);
    client = std::make_unique<mqtt::async_client>(options_.uri, options_.client_id, create);
    mqtt::async_client* c = client.get();
    c->set_message_callback([this](const mqtt::const_message_ptr& msg) { HandleMessage(msg); });
    c->set_connected_handler([this, c](const std::string&) { HandleConnected(*c); });
    c->set_connection_lost_handler([this, c](const std::string& cause) {
      PostReconnect(c, "connection lost (" + (cause.empty() ? "no cause" : cause) + ")");
    });
  } catch (const mqtt::exception& e) {
    return Status::InvalidArgument(std::string("mqtt: cannot start client: ") + e.what());
  }
  if (client_) {
    retired_.push_back(std::move(client_));
    if (retired_.size() > kRetiredClients) retired_.pop_front();
  }
  client_ = std::move(client);
  ++connections_made_;
  try {
    client_->connect(BuildConnectOptions(), nullptr, connect_listener_);
  } catch (const mqtt::exception& e) {
    spdlog::error("mqtt: connect: {}", e.what());
    ReconnectLater(client_.get(), "connect failed");
  }
  return Status::OK();
}

void MqttIngest::PostReconnect(const mqtt::async_client* client, std::string why) {
  boost::asio::post(io_, [this, client, why = std::move(why)] { ReconnectLater(client, why); });
}

void MqttIngest::ReconnectLater(const mqtt::async_client* client, const std::string& why) {
  if (stopping_ || client != client_.get()) return;
  subscribed_ = false;
  spdlog::warn("mqtt: {}; connecting again in {} ms with a new client", why,
               std::chrono::duration_cast<std::chrono::milliseconds>(backoff_).count());
  reconnect_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    if (Status s = Connect(); !s.ok()) spdlog::error("{}", s.ToString());
  });
}

void MqttIngest::ConnectListener::on_success(const mqtt::token& /*tok*/) {}

void MqttIngest::ConnectListener::on_failure(const mqtt::token& tok) {
  owner_.PostReconnect(dynamic_cast<const mqtt::async_client*>(tok.get_client()),
                       "cannot connect to " + owner_.options_.uri);
}

void MqttIngest::HandleConnected(mqtt::async_client& client) {
  // Mosquitto 2.0.11 does not restore a persistent session's shared
  // subscriptions, so subscribe again on every connect.
  // The other streams first: the broker grants in order, so once the events'
  // SUBACK is in (and READY=1 goes out) every stream is subscribed.
  for (const Stream& stream : streams_) {
    try {
      client.subscribe(stream.filter, kQos);
    } catch (const mqtt::exception& e) {
      spdlog::error("mqtt: subscribe to {} failed: {}", stream.filter, e.what());
    }
  }
  try {
    client.subscribe(options_.subscription, kQos, nullptr, subscribe_listener_);
  } catch (const mqtt::exception& e) {
    spdlog::error("mqtt: subscribe failed: {}", e.what());
  }
}

void MqttIngest::SubscribeListener::on_success(const mqtt::token& /*tok*/) {
  // Paho C reports a SUBACK of 0x80 (refused) through on_failure.
  owner_.subscribed_ = true;
  spdlog::info("mqtt: subscribed to {}", owner_.options_.subscription);
  boost::asio::post(owner_.io_, [&owner = owner_] {
    owner.backoff_ = owner.options_.reconnect_min;
    if (owner.on_subscribed_) owner.on_subscribed_();
  });
}

void MqttIngest::SubscribeListener::on_failure(const mqtt::token& tok) {
  // Without the subscription no event reaches us: say so loudly, drop the
  // connection and connect again later.
  spdlog::error("mqtt: the broker refused the subscription to {}; reconnecting",
                owner_.options_.subscription);
  auto* client = dynamic_cast<mqtt::async_client*>(tok.get_client());
  boost::asio::post(owner_.io_, [&owner = owner_, client] {
    if (owner.stopping_ || client != owner.client_.get()) return;
    try {
      client->disconnect();
    } catch (const mqtt::exception& e) {
      spdlog::warn("mqtt: disconnect: {}", e.what());
    }
    owner.ReconnectLater(client, "subscription refused");
  });
}

void MqttIngest::HandleMessage(const mqtt::const_message_ptr& msg) {
  if (!msg) return;
  const std::string& topic = msg->get_topic();
  const std::string& payload = msg->get_payload_ref().str();
  for (const Stream& stream : streams_) {
    if (!topic.starts_with(stream.prefix)) continue;
    Status status = Status::Internal("not handled");
    try {
      status = stream.handler(topic, payload);
    } catch (const std::exception& e) {
      status = Status::Internal(std::string("exception while storing: ") + e.what());
    }
    if (status.ok()) return;
    spdlog::critical("ingest: cannot store message from {}: {}; exiting without acknowledging",
                     topic, status.ToString());
    spdlog::shutdown();
    std::_Exit(kExitCannotStore);
  }
  Result<IngestResult> result = Status::Internal("not handled");
  try {
    result = handler_.Handle(topic, payload);
  } catch (const std::exception& e) {
    result = Status::Internal(std::string("exception while storing: ") + e.what());
  }
  if (!result.ok()) {
    // Returning would acknowledge an event we do not hold. End the process
    // instead; the broker redelivers it after the restart.
    spdlog::critical("ingest: cannot store message from {}: {}; exiting without acknowledging",
                     topic, result.status().ToString());
    spdlog::shutdown();
    std::_Exit(kExitCannotStore);
  }
  if (on_result_) {
    boost::asio::post(
        io_, [sink = on_result_, r = std::move(result).value()]() mutable { sink(std::move(r)); });
  }
}

void MqttIngest::AddStream(std::string filter, std::string prefix, StreamHandler handler) {
  streams_.push_back(Stream{std::move(filter), std::move(prefix), std::move(handler)});
}

void MqttIngest::Stop(Duration timeout) {
  if (!client_ || stopping_.exchange(true)) return;
  subscribed_ = false;
  reconnect_timer_.cancel();
  try {
    if (client_->is_connected()) {
      if (!options_.status_topic.empty()) {
        client_->publish(options_.status_topic, R"({"state":"stopped"})", kQos, true)
            ->wait_for(timeout);
      }
      client_->disconnect(static_cast<int>(timeout.count()))->wait_for(timeout);
    } else {
      client_->stop_consuming();
    }
  } catch (const mqtt::exception& e) {
    spdlog::warn("mqtt: disconnect: {}", e.what());
  }
}

Status MqttIngest::Publish(const std::string& topic, const std::string& payload, int qos,
                           bool retained) {
  if (!client_) return Status::FailedPrecondition("mqtt: not started");
  try {
    client_->publish(topic, payload.data(), payload.size(), qos, retained);
  } catch (const mqtt::exception& e) {
    if (e.get_return_code() == MQTTASYNC_MAX_BUFFERED_MESSAGES) {
      return Status::Unavailable("mqtt: publish buffer full");
    }
    if (e.get_return_code() == MQTTASYNC_DISCONNECTED) {
      return Status::Unavailable("mqtt: not connected");
    }
    return Status::Unavailable(std::string("mqtt: publish failed: ") + e.what());
  }
  return Status::OK();
}

bool MqttIngest::connected() const { return client_ && client_->is_connected(); }

}  // namespace amparo

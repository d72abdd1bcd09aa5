#include "adapters/mqtt/mqtt_adapter.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace amparo {
namespace {

constexpr int kQos = 1;

void* SeqToContext(uint64_t seq) { return reinterpret_cast<void*>(static_cast<uintptr_t>(seq)); }

uint64_t ContextToSeq(void* context) { return reinterpret_cast<uintptr_t>(context); }

}  // namespace

MqttAdapter::Listener::Listener(boost::asio::io_context& io, std::weak_ptr<MqttAdapter*> owner,
                                bool connect)
    : io_(io), owner_(std::move(owner)), connect_(connect) {}

void MqttAdapter::Listener::on_success(const mqtt::token& token) {
  if (connect_) {
    boost::asio::post(io_, [owner = owner_] {
      if (auto self = owner.lock()) (*self)->reconnect_delay_ = (*self)->options_.reconnect_min;
    });
    return;
  }
  boost::asio::post(io_, [owner = owner_, seq = ContextToSeq(token.get_user_context())] {
    if (auto self = owner.lock()) (*self)->Finish(seq, DeliveryOutcome::kDelivered, Status::OK());
  });
}

void MqttAdapter::Listener::on_failure(const mqtt::token& token) {
  if (connect_) {
    boost::asio::post(io_, [owner = owner_] {
      if (auto self = owner.lock()) (*self)->OnConnectFailed();
    });
    return;
  }
  Status why =
      Status::Unavailable("mqtt: publish failed, code " + std::to_string(token.get_return_code()));
  boost::asio::post(
      io_, [owner = owner_, seq = ContextToSeq(token.get_user_context()), why = std::move(why)] {
        if (auto self = owner.lock()) (*self)->Finish(seq, DeliveryOutcome::kRetryable, why);
      });
}

MqttAdapter::MqttAdapter(boost::asio::io_context& io, MqttAdapterOptions options)
    : io_(io),
      options_(std::move(options)),
      self_(std::make_shared<MqttAdapter*>(this)),
      publish_listener_(io, self_, /*connect=*/false),
      connect_listener_(io, self_, /*connect=*/true),
      reconnect_timer_(io),
      reconnect_delay_(options_.reconnect_min) {}

MqttAdapter::~MqttAdapter() {
  self_.reset();  // Outcomes still in Paho's hands are dropped; the dispatcher redoes them.
  try {
    if (client_ && client_->is_connected()) {
      client_->disconnect(1000)->wait_for(std::chrono::seconds(1));
    }
  } catch (const mqtt::exception& e) {
    spdlog::warn("mqtt adapter: disconnect: {}", e.what());
  }
}

Result<std::unique_ptr<MqttAdapter>> MqttAdapter::Create(boost::asio::io_context& io,
                                                         MqttAdapterOptions options) {
  if (options.publish_timeout.count() <= 0) {
    return Status::InvalidArgument("mqtt adapter: publish_timeout must be positive");
  }
  if (options.max_buffered_messages < 1) {
    return Status::InvalidArgument("mqtt adapter: max_buffered_messages must be >= 1");
  }
  if (options.reconnect_min < std::chrono::seconds(1) ||
      options.reconnect_max < options.reconnect_min) {
    // Paho counts reconnect intervals in whole seconds.
    return Status::InvalidArgument("mqtt adapter: need 1s <= reconnect_min <= reconnect_max");
  }
  std::unique_ptr<MqttAdapter> adapter(new MqttAdapter(io, std::move(options)));
  Status status = adapter->StartClient();
  if (!status.ok()) return status;
  return adapter;
}

Status MqttAdapter::StartClient() {
  try {
    mqtt::create_options create(MQTTVERSION_3_1_1, options_.max_buffered_messages);
    // Publishes made while the broker is away wait in Paho's buffer.
    create.set_send_while_disconnected(true, /*anyTime=*/true);
    client_ = std::make_unique<mqtt::async_client>(options_.uri, options_.client_id, create);
    auto builder =
        mqtt::connect_options_builder()
            .mqtt_version(MQTTVERSION_3_1_1)
            .clean_session(true)
            .connect_timeout(std::chrono::seconds(10))
            .automatic_reconnect(
                std::chrono::duration_cast<std::chrono::seconds>(options_.reconnect_min),
                std::chrono::duration_cast<std::chrono::seconds>(options_.reconnect_max));
    if (options_.username) builder.user_name(*options_.username);
    if (options_.password) builder.password(*options_.password);
    if (options_.ca_file || options_.cert_file) {
      auto ssl = mqtt::ssl_options_builder().enable_server_cert_auth(true).verify(true);
      if (options_.ca_file) ssl.trust_store(*options_.ca_file);
      if (options_.cert_file) ssl.key_store(*options_.cert_file);
      if (options_.key_file) ssl.private_key(*options_.key_file);
      builder.ssl(ssl.finalize());
    }
    connect_options_ = builder.finalize();
  } catch (const mqtt::exception& e) {
    return Status::InvalidArgument(std::string("mqtt adapter: cannot create client: ") + e.what());
  }
  Connect();
  return Status::OK();
}

void MqttAdapter::Connect() {
  try {
    client_->connect(connect_options_, nullptr, connect_listener_);
  } catch (const mqtt::exception& e) {
    spdlog::warn("mqtt adapter: connect: {}", e.what());
    OnConnectFailed();
  }
}

// Paho's automatic reconnect covers a connection that was lost, not a first
// connect that failed: that one is retried here, with back-off.
void MqttAdapter::OnConnectFailed() {
  spdlog::warn("mqtt adapter: cannot connect to {}; retrying in {} ms", options_.uri,
               reconnect_delay_.count());
  reconnect_timer_.expires_after(reconnect_delay_);
  reconnect_delay_ = std::min(reconnect_delay_ * 2, options_.reconnect_max);
  reconnect_timer_.async_wait(
      [owner = std::weak_ptr<MqttAdapter*>(self_)](const boost::system::error_code& ec) {
        if (ec) return;
        if (auto self = owner.lock()) (*self)->Connect();
      });
}

void MqttAdapter::AsyncDeliver(const OutboundMessage& message, DeliveryDone done) {
  const std::string topic =
      message.target.empty() ? options_.topic_prefix + "/" + message.agency_id : message.target;
  if (!client_->is_connected()) {
    // The dispatcher's back-off waits better than Paho's buffer: each retry
    // buffered here would go out as a duplicate on reconnect, and Paho C
    // 1.3.12 leaks what is still buffered when the client is destroyed.
    Reply(std::move(done), DeliveryOutcome::kRetryable,
          Status::Unavailable("mqtt: not connected to " + options_.uri));
    return;
  }
  const uint64_t seq = ++next_seq_;
  try {
    client_->publish(mqtt::make_message(topic, message.payload, kQos, false), SeqToContext(seq),
                     publish_listener_);
  } catch (const mqtt::exception& e) {
    Reply(std::move(done), DeliveryOutcome::kRetryable,
          Status::Unavailable(e.get_return_code() == MQTTASYNC_MAX_BUFFERED_MESSAGES
                                  ? std::string("mqtt: publish buffer full")
                                  : std::string("mqtt: publish: ") + e.what()));
    return;
  }
  // The token's outcome is posted to the loop, which is running this call:
  // it cannot arrive before the entry exists.
  auto timeout = std::make_unique<boost::asio::steady_timer>(io_, options_.publish_timeout);
  timeout->async_wait(
      [owner = std::weak_ptr<MqttAdapter*>(self_), seq](const boost::system::error_code& ec) {
        if (ec) return;
        if (auto self = owner.lock()) {
          (*self)->Finish(seq, DeliveryOutcome::kRetryable,
                          Status::Unavailable("mqtt: no PUBACK in time"));
        }
      });
  pending_.emplace(seq, Pending{std::move(done), std::move(timeout)});
}

void MqttAdapter::Finish(uint64_t seq, DeliveryOutcome outcome, Status why) {
  auto it = pending_.find(seq);
  if (it == pending_.end()) return;  // Already finished: a late PUBACK after a timeout.
  DeliveryDone done = std::move(it->second.done);
  it->second.timeout->cancel();
  pending_.erase(it);
  done(outcome, std::move(why));
}

void MqttAdapter::Reply(DeliveryDone done, DeliveryOutcome outcome, Status why) {
  boost::asio::post(
      io_, [done = std::move(done), outcome, why = std::move(why)] { done(outcome, why); });
}

}  // namespace amparo

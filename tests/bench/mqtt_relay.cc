// mqtt_relay: a zero-work MQTT relay, the floor of what any MQTT middle costs
// (tests/bench/run-e2e, row "relay").
//
// Subscribes to rcm/v1/events/# at QoS 1 and republishes every payload,
// unchanged, to rcm/v1/alerts/relay at QoS 1. As in amparod, the message
// callback only hands the message over; publishing happens on the loop thread
// (STYLE.md B7: publishing from Paho's callback thread stalls the client,
// because that thread also reads the PUBACKs of what it publishes). Like
// amparod it keeps a bounded number of its publishes in flight.
//
// Prints "ready" on stdout once subscribed. Stops on SIGTERM or SIGINT, or
// when the broker connection is lost.
//
// usage: mqtt_relay --port P [--host H] [--window W]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>

#include <mqtt/async_client.h>

#include <unistd.h>

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 1883;
  int window = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--host")
      host = argv[i + 1];
    else if (a == "--port")
      port = std::atoi(argv[i + 1]);
    else if (a == "--window")
      window = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: mqtt_relay --port P [--host H] [--window W]\n");
      return 2;
    }
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);

  const std::string uri = "tcp://" + host + ":" + std::to_string(port);
  // Paho queues a publish until its sender thread writes it; its queue holds
  // max_buffered_messages (100 by default), so size it above the window.
  mqtt::async_client cli(uri, "bench-relay-" + std::to_string(::getpid()),
                         mqtt::create_options(MQTTVERSION_3_1_1, window + 1000));

  std::mutex mu;
  std::condition_variable cv;
  std::deque<mqtt::const_message_ptr> queue;
  long in_flight = 0;
  std::atomic<bool> lost{false};

  struct Callback : mqtt::callback {
    std::mutex* mu;
    std::condition_variable* cv;
    std::deque<mqtt::const_message_ptr>* queue;
    long* in_flight;
    std::atomic<bool>* lost;
    void message_arrived(mqtt::const_message_ptr msg) override {
      {
        std::lock_guard<std::mutex> lock(*mu);
        queue->push_back(std::move(msg));
      }
      cv->notify_one();
    }
    void delivery_complete(mqtt::delivery_token_ptr) override {
      {
        std::lock_guard<std::mutex> lock(*mu);
        --*in_flight;
      }
      cv->notify_one();
    }
    void connection_lost(const std::string&) override {
      *lost = true;
      cv->notify_one();
    }
  } cb;
  cb.mu = &mu;
  cb.cv = &cv;
  cb.queue = &queue;
  cb.in_flight = &in_flight;
  cb.lost = &lost;
  cli.set_callback(cb);

  try {
    auto opts = mqtt::connect_options_builder()
                    .clean_session(true)
                    .keep_alive_interval(std::chrono::seconds(30))
                    .max_inflight(window)
                    .finalize();
    cli.connect(opts)->wait_for(std::chrono::seconds(10));
    cli.subscribe("rcm/v1/events/#", 1)->wait_for(std::chrono::seconds(10));
  } catch (const mqtt::exception& e) {
    std::fprintf(stderr, "mqtt_relay: %s\n", e.what());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);

  const std::string out_topic = "rcm/v1/alerts/relay";
  while (!g_stop && !lost) {
    mqtt::const_message_ptr msg;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(200),
                  [&] { return lost || (!queue.empty() && in_flight < window); });
      if (queue.empty() || in_flight >= window) continue;
      msg = std::move(queue.front());
      queue.pop_front();
      ++in_flight;
    }
    try {
      cli.publish(out_topic, msg->get_payload_ref(), 1, false);
    } catch (const mqtt::exception& e) {
      std::lock_guard<std::mutex> lock(mu);
      --in_flight;
      if (e.get_return_code() == MQTTASYNC_MAX_BUFFERED_MESSAGES) {
        queue.push_front(std::move(msg));  // back-pressure: try again
      } else {
        std::fprintf(stderr, "mqtt_relay: publish: %s\n", e.what());
      }
    }
  }
  try {
    cli.disconnect()->wait_for(std::chrono::seconds(5));
  } catch (const mqtt::exception&) {
  }
  return lost ? 1 : 0;
}

// Receipts and dead letters, published from the event loop.
//
// After a payload is committed the publisher learns of it here and tells
// the authority that sent it: a receipt on rcm/v1/receipts/{country}/{agency}
// and, for a refused payload, the dead letter on
// rcm/v1/deadletter/{country}/{agency} (DESIGN.md §3). Receipts of the last
// `coalesce` milliseconds to one topic go out as one message, so that they do
// not double the daemon's outbound traffic.
//
// Receipt payload: a JSON array of {"event_id", "status", "reason"} objects
// (one element when coalescing is off). Dead letter payload:
// {"schema": "amparo.deadletter.v1", "event_id", "reason", "topic",
//  "payload_base64"}.
//
// Receipts are advisory (the store already holds every outcome): when the
// client cannot take more, they wait and are retried; past `max_pending` the
// oldest are dropped and counted.
//
// Thread-safety: loop thread only.
#ifndef AMPARO_DAEMON_INGEST_RECEIPT_PUBLISHER_H_
#define AMPARO_DAEMON_INGEST_RECEIPT_PUBLISHER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/ingest/ingest_handler.h"

namespace amparo {

struct ReceiptOptions {
  bool receipts = true;
  Duration coalesce = std::chrono::milliseconds(20);
  std::string receipt_topic_prefix = "rcm/v1/receipts";
  std::string deadletter_topic_prefix = "rcm/v1/deadletter";
  size_t max_pending = 100000;
};

class ReceiptPublisher {
 public:
  // Publishes one message at QoS 1; Unavailable means "try again later".
  using PublishFn = std::function<Status(const std::string& topic, const std::string& payload)>;

  ReceiptPublisher(boost::asio::io_context& io, ReceiptOptions options, PublishFn publish);

  // Queues the receipt (and dead letter) for `result`.
  void Add(const IngestResult& result);
  // Publishes everything queued now (used at shutdown and by tests).
  void Flush();
  // Stops retrying (at shutdown, after a last Flush): what could not be sent
  // is dropped and counted; every outcome is in the store anyway.
  void Stop();

  uint64_t dropped() const { return dropped_; }
  size_t pending() const { return pending_count_; }

 private:
  void Enqueue(std::string topic, std::string payload_or_item, bool is_receipt);
  void ArmTimer();

  struct Outgoing {
    std::string topic;
    std::string payload;
  };

  boost::asio::io_context& io_;
  ReceiptOptions options_;
  PublishFn publish_;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  bool stopped_ = false;
  // Receipt items per topic, waiting to be coalesced.
  std::map<std::string, std::vector<std::string>> receipts_;
  // Whole messages (dead letters, coalesced receipts) waiting to be sent.
  std::deque<Outgoing> outgoing_;
  size_t pending_count_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_INGEST_RECEIPT_PUBLISHER_H_

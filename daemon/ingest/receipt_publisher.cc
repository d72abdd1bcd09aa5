#include "daemon/ingest/receipt_publisher.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/core/base64.h"
#include "daemon/core/topic_segment.h"

namespace amparo {

namespace {

// "prefix/country/agency", with "unknown" for a segment we could not read or
// that is not safe as a topic level: one bad payload must never get the
// daemon disconnected for a wildcard or a NUL in a topic it publishes to.
std::string OriginTopic(const std::string& prefix, const IngestResult& r) {
  const auto level = [](const std::string& s) { return IsTopicSegment(s) ? s : "unknown"; };
  return prefix + "/" + level(r.country) + "/" + level(r.agency);
}

}  // namespace

ReceiptPublisher::ReceiptPublisher(boost::asio::io_context& io, ReceiptOptions options,
                                   PublishFn publish)
    : io_(io), options_(std::move(options)), publish_(std::move(publish)), timer_(io) {}

void ReceiptPublisher::Add(const IngestResult& result) {
  if (stopped_) return;
  if (result.outcome == IngestResult::Outcome::kDeadLetter) {
    nlohmann::json dead = {
        {"schema", "amparo.deadletter.v1"},
        {"event_id", result.event_id.empty() ? nullptr : nlohmann::json(result.event_id)},
        {"reason", result.reason},
        {"topic", result.topic},
        {"payload_base64", Base64Encode(result.raw)}};
    Enqueue(OriginTopic(options_.deadletter_topic_prefix, result),
            dead.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), false);
  }
  if (!options_.receipts) return;
  nlohmann::json receipt = {
      {"event_id", result.event_id.empty() ? nullptr : nlohmann::json(result.event_id)},
      {"status", OutcomeName(result.outcome)},
      {"reason", result.reason}};
  Enqueue(OriginTopic(options_.receipt_topic_prefix, result),
          receipt.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), true);
}

void ReceiptPublisher::Enqueue(std::string topic, std::string payload_or_item, bool is_receipt) {
  if (pending_count_ >= options_.max_pending) {
    // Advisory messages only: every outcome is already in the store.
    if (!outgoing_.empty()) {
      outgoing_.pop_front();
      --pending_count_;
      ++dropped_;
    }
  }
  ++pending_count_;
  if (is_receipt) {
    receipts_[std::move(topic)].push_back(std::move(payload_or_item));
  } else {
    outgoing_.push_back({std::move(topic), std::move(payload_or_item)});
  }
  if (options_.coalesce.count() == 0) {
    Flush();
  } else {
    ArmTimer();
  }
}

void ReceiptPublisher::Stop() {
  stopped_ = true;
  timer_.cancel();
  dropped_ += pending_count_;
  pending_count_ = 0;
  receipts_.clear();
  outgoing_.clear();
}

void ReceiptPublisher::ArmTimer() {
  if (timer_armed_ || stopped_) return;
  timer_armed_ = true;
  // With coalescing off the timer only paces retries.
  timer_.expires_after(options_.coalesce.count() > 0 ? options_.coalesce
                                                     : std::chrono::milliseconds(100));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    timer_armed_ = false;
    if (ec) return;  // cancelled at shutdown
    Flush();
    if (pending_count_ > 0) ArmTimer();  // the client was busy: try again
  });
}

void ReceiptPublisher::Flush() {
  for (auto& [topic, items] : receipts_) {
    std::string payload = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) payload += ',';
      payload += items[i];
    }
    payload += ']';
    outgoing_.push_back({topic, std::move(payload)});
    pending_count_ -= items.size();
    ++pending_count_;
  }
  receipts_.clear();
  while (!outgoing_.empty()) {
    Status s = publish_(outgoing_.front().topic, outgoing_.front().payload);
    if (!s.ok()) {
      spdlog::debug("receipts: {} waiting: {}", outgoing_.size(), s.ToString());
      ArmTimer();  // retry later
      return;
    }
    outgoing_.pop_front();
    --pending_count_;
  }
}

}  // namespace amparo

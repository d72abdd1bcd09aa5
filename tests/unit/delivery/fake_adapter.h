// A scripted adapter for dispatcher tests: it answers each delivery with the
// next outcome of its script (then with `then`), posted to the loop like a
// real adapter, or holds the delivery forever when told to (a send in flight
// when the process dies).
#ifndef AMPARO_TESTS_UNIT_DELIVERY_FAKE_ADAPTER_H_
#define AMPARO_TESTS_UNIT_DELIVERY_FAKE_ADAPTER_H_

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "daemon/delivery/adapter.h"

namespace amparo::testing {

class FakeAdapter final : public Adapter {
 public:
  FakeAdapter(boost::asio::io_context& io, std::string name, std::deque<DeliveryOutcome> script,
              DeliveryOutcome then = DeliveryOutcome::kDelivered)
      : io_(io), name_(std::move(name)), script_(std::move(script)), then_(then) {}

  std::string_view Name() const override { return name_; }

  void AsyncDeliver(const OutboundMessage& message, DeliveryDone done) override {
    sent_->push_back(message);
    if (hold_ || (hold_target_ && message.target == *hold_target_)) {
      held_.push_back(std::move(done));
      return;
    }
    DeliveryOutcome outcome = then_;
    if (!script_.empty()) {
      outcome = script_.front();
      script_.pop_front();
    }
    Status why = outcome == DeliveryOutcome::kDelivered ? Status::OK()
                                                        : Status::Unavailable("scripted failure");
    DeliveryHint hint;
    if (outcome == DeliveryOutcome::kRetryable) hint.retry_after = retry_after_;
    boost::asio::post(io_,
                      [done = std::move(done), outcome, why, hint] { done(outcome, why, hint); });
  }

  // Ask for this pause with every retryable outcome from now on (Retry-After).
  void set_retry_after(std::optional<Duration> retry_after) { retry_after_ = retry_after; }

  // Never answer: the deliveries stay in flight.
  void Hold() { hold_ = true; }
  // Never answer deliveries to `target` (an endpoint that hangs); answer the rest.
  void HoldTarget(std::string target) { hold_target_ = std::move(target); }
  // Answer every delivery from now on, as scripted.
  void StopHolding() {
    hold_ = false;
    hold_target_.reset();
  }
  // Answer every held delivery with `outcome` now (posted, as usual).
  void ReleaseHeld(DeliveryOutcome outcome) {
    for (DeliveryDone& done : held_) {
      boost::asio::post(io_, [done = std::move(done), outcome] { done(outcome, Status::OK()); });
    }
    held_.clear();
  }
  // Everything handed over so far; survives the adapter (shared).
  std::shared_ptr<std::vector<OutboundMessage>> sent() const { return sent_; }

 private:
  boost::asio::io_context& io_;
  std::string name_;
  std::deque<DeliveryOutcome> script_;
  DeliveryOutcome then_;
  bool hold_ = false;
  std::optional<std::string> hold_target_;
  std::optional<Duration> retry_after_;
  std::vector<DeliveryDone> held_;
  std::shared_ptr<std::vector<OutboundMessage>> sent_ =
      std::make_shared<std::vector<OutboundMessage>>();
};

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_UNIT_DELIVERY_FAKE_ADAPTER_H_

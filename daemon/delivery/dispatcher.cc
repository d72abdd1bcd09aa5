#include "daemon/delivery/dispatcher.h"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace amparo {
namespace {

std::string TargetKey(const ChannelTarget& channel) { return channel.type + '\n' + channel.target; }

// Decrements `counts[key]`, dropping the entry at zero.
void Release(std::map<std::string, size_t, std::less<>>& counts, const std::string& key) {
  auto it = counts.find(key);
  if (it == counts.end()) return;
  if (--it->second == 0) counts.erase(it);
}

OutboundMessage ToMessage(const Delivery& row, std::string payload) {
  return OutboundMessage{.delivery_id = row.id,
                         .alert_id = row.alert_id,
                         .idempotency_key = row.idempotency_key,
                         .agency_id = row.agency_id,
                         .channel_type = row.channel.type,
                         .target = row.channel.target,
                         .payload = std::move(payload)};
}

}  // namespace

Dispatcher::Dispatcher(boost::asio::io_context& io, OutboxStore& outbox, AdapterSet& adapters,
                       RetryPolicy policy, Clock& clock, std::function<double()> random,
                       DeliveryRoutes routes, PayloadFn payload, DispatcherOptions options)
    : io_(io),
      outbox_(outbox),
      adapters_(adapters),
      policy_(policy),
      clock_(clock),
      random_(std::move(random)),
      routes_(std::move(routes)),
      payload_(std::move(payload)),
      options_(std::move(options)),
      timer_(io),
      record_timer_(io),
      self_(std::make_shared<Dispatcher*>(this)) {}

Dispatcher::~Dispatcher() = default;

void Dispatcher::Start() {
  running_ = true;
  Nudge();
}

void Dispatcher::Nudge() {
  if (!running_ || pump_posted_) return;
  pump_posted_ = true;
  boost::asio::post(io_, [weak = std::weak_ptr<Dispatcher*>(self_)] {
    if (auto self = weak.lock()) {
      (*self)->pump_posted_ = false;
      (*self)->Pump();
    }
  });
}

void Dispatcher::Stop() {
  running_ = false;
  timer_.cancel();
  record_timer_.cancel();
  record_armed_ = false;
  RecordDelivered();
}

void Dispatcher::RecordSoon() {
  if (record_armed_) return;
  record_armed_ = true;
  record_timer_.expires_after(options_.record_delay);
  record_timer_.async_wait(
      [weak = std::weak_ptr<Dispatcher*>(self_)](const boost::system::error_code& ec) {
        if (ec) return;  // Cancelled: stopped, or destroyed.
        auto self = weak.lock();
        if (!self) return;
        Dispatcher& d = **self;
        d.record_armed_ = false;
        // Refused: Pump keeps trying (and sends nothing until they are in).
        if (d.running_ && !d.RecordDelivered()) d.ArmTimer(d.options_.store_retry);
      });
}

void Dispatcher::Pump() {
  if (!running_) return;
  // First what the last round confirmed: those rows are still 'pending' in
  // the store and no longer in flight, so reading before would resend them.
  // If they cannot be recorded, read nothing and try again later.
  if (!RecordDelivered()) {
    ArmTimer(options_.store_retry);
    return;
  }
  const Instant now = clock_.Now();
  // Rows in flight are still pending and due: load past them.
  const int limit = options_.batch + static_cast<int>(in_flight_.size());
  ++counters_.passes;
  OutboxStore::Skip full = Full();
  waiting_for_any_slot_ = false;
  waiting_for_.clear();
  for (const std::string& type : full.channel_types) waiting_for_.insert(type);
  for (const ChannelTarget& target : full.targets) waiting_for_.insert(TargetKey(target));
  // Of each endpoint, its rows in flight (at most the cap) and the free
  // slots' worth, plus one: a row that finds its endpoint full marks the
  // endpoint as waited for, so the completion that frees a slot reads again.
  const int per_endpoint =
      static_cast<int>(std::min(options_.max_in_flight_per_target, options_.max_in_flight)) + 1;
  Result<std::vector<Delivery>> due = outbox_.DueDeliveries(now, limit, per_endpoint, full);
  if (!due.ok()) {
    spdlog::error("dispatcher: reading the outbox: {}", due.status().ToString());
    ArmTimer(options_.store_retry);
    return;
  }
  bool sent = false;
  for (const Delivery& row : *due) {
    if (in_flight_.contains(row.id)) continue;
    if (in_flight_.size() >= options_.max_in_flight) {
      waiting_for_any_slot_ = true;
      break;
    }
    if (!HasRoom(row.channel)) {  // Filled up in this pass: read past it.
      waiting_for_.insert(row.channel.type);
      waiting_for_.insert(TargetKey(row.channel));
      continue;
    }
    Send(row);
    sent = true;
  }
  if (static_cast<int>(due->size()) == limit) waiting_for_any_slot_ = true;
  // A full batch may hide more due rows: read on. Otherwise rows due now but
  // not sent are in flight or wait for a free slot, and a completion pumps
  // again. The timer covers rows due later.
  if (sent && static_cast<int>(due->size()) == limit) Nudge();
  ArmTimerForNextDue(now);
}

OutboxStore::Skip Dispatcher::Full() const {
  OutboxStore::Skip skip;
  for (const auto& [type, cap] : options_.max_in_flight_per_channel) {
    auto it = in_flight_per_channel_.find(type);
    if (it != in_flight_per_channel_.end() && it->second >= cap) skip.channel_types.push_back(type);
  }
  for (const auto& [key, count] : in_flight_per_target_) {
    if (count < options_.max_in_flight_per_target) continue;
    const size_t newline = key.find('\n');
    skip.targets.push_back({key.substr(0, newline), key.substr(newline + 1)});
  }
  return skip;
}

bool Dispatcher::RowsWaitFor(const ChannelTarget& channel) const {
  return waiting_for_any_slot_ || waiting_for_.contains(channel.type) ||
         waiting_for_.contains(TargetKey(channel));
}

bool Dispatcher::HasRoom(const ChannelTarget& channel) const {
  if (auto cap = options_.max_in_flight_per_channel.find(channel.type);
      cap != options_.max_in_flight_per_channel.end()) {
    auto it = in_flight_per_channel_.find(channel.type);
    if (it != in_flight_per_channel_.end() && it->second >= cap->second) return false;
  }
  auto it = in_flight_per_target_.find(TargetKey(channel));
  return it == in_flight_per_target_.end() || it->second < options_.max_in_flight_per_target;
}

void Dispatcher::Send(const Delivery& row) {
  in_flight_.insert(row.id);
  ++in_flight_per_channel_[row.channel.type];
  ++in_flight_per_target_[TargetKey(row.channel)];
  ++counters_.sent;
  DeliveryDone done = [weak = std::weak_ptr<Dispatcher*>(self_), row](
                          DeliveryOutcome outcome, const Status& why, const DeliveryHint& hint) {
    if (auto self = weak.lock()) (*self)->OnDone(row, outcome, why, hint);
  };
  Adapter* adapter = adapters_.Find(row.channel.type);
  if (adapter == nullptr) {
    boost::asio::post(io_, [done = std::move(done), type = row.channel.type] {
      done(DeliveryOutcome::kPermanent,
           Status::FailedPrecondition("no adapter for channel type '" + type + "'"));
    });
    return;
  }
  Result<std::string> payload = payload_(row);
  if (!payload.ok()) {
    const DeliveryOutcome outcome = payload.status().code() == Status::Code::kNotFound
                                        ? DeliveryOutcome::kPermanent
                                        : DeliveryOutcome::kRetryable;
    boost::asio::post(io_, [done = std::move(done), outcome, why = payload.status()] {
      done(outcome, Status(why.code(), "building the payload: " + why.message()));
    });
    return;
  }
  adapter->AsyncDeliver(ToMessage(row, std::move(payload).value()), std::move(done));
}

void Dispatcher::OnDone(const Delivery& row, DeliveryOutcome outcome, const Status& why,
                        const DeliveryHint& hint) {
  in_flight_.erase(row.id);
  Release(in_flight_per_channel_, row.channel.type);
  Release(in_flight_per_target_, TargetKey(row.channel));
  const Instant now = clock_.Now();
  switch (outcome) {
    case DeliveryOutcome::kDelivered:
      spdlog::debug("dispatcher: delivery={} alert={} agency={} delivered", row.id, row.alert_id,
                    row.agency_id);
      delivered_.push_back({.id = row.id, .at = now});
      // Stopped: no pass follows to record it.
      if (!running_) {
        RecordDelivered();
        return;
      }
      // Nothing waits for the freed slot: record it with the others soon,
      // without reading the outbox.
      if (!RowsWaitFor(row.channel)) {
        RecordSoon();
        return;
      }
      break;
    case DeliveryOutcome::kRetryable:
      if (ChannelExhausted(row.attempts + 1, policy_)) {
        GiveUpChannel(row, why, now);
      } else {
        Retry(row, why, now, hint.retry_after);
      }
      break;
    case DeliveryOutcome::kPermanent:
      GiveUpChannel(row, why, now);
      break;
  }
  Nudge();
}

bool Dispatcher::RecordDelivered() {
  if (delivered_.empty()) return true;
  Result<std::vector<int64_t>> not_pending = outbox_.MarkAllDelivered(delivered_);
  if (!not_pending.ok()) {
    // Nothing was written: the rows stay confirmed here and pending in the
    // store, and Pump sends nothing until they are recorded. Should the
    // daemon stop first, they are sent again at restart with the same
    // idempotency key.
    spdlog::error("dispatcher: marking {} deliveries delivered: {}", delivered_.size(),
                  not_pending.status().ToString());
    return false;
  }
  std::vector<DeliveredRow> rows = std::move(delivered_);
  delivered_.clear();
  counters_.delivered += rows.size() - not_pending->size();
  for (int64_t id : *not_pending) {
    spdlog::error("dispatcher: delivery={} marking delivered: no pending delivery {}", id, id);
  }
  return true;
}

void Dispatcher::Retry(const Delivery& row, const Status& why, Instant now,
                       std::optional<Duration> retry_after) {
  const int attempts = row.attempts + 1;
  Duration delay = NextDelay(attempts, policy_, random_());
  // The endpoint asked for a pause (HTTP Retry-After): wait at least that
  // long, but never longer than the policy's cap.
  if (retry_after) delay = std::max(delay, std::min(*retry_after, policy_.max));
  Status status = outbox_.MarkAttemptFailed(row.id, why.ToString(), now + delay);
  if (!status.ok()) {
    spdlog::error("dispatcher: delivery={} recording a failed attempt: {}", row.id,
                  status.ToString());
    return;
  }
  ++counters_.retried;
  spdlog::info(
      "dispatcher: delivery={} alert={} agency={} channel={} attempt {} failed ({}); "
      "next in {} ms",
      row.id, row.alert_id, row.agency_id, row.channel_index, attempts, why.ToString(),
      delay.count());
}

void Dispatcher::GiveUpChannel(const Delivery& row, const Status& why, Instant now) {
  std::optional<ChannelTarget> next = routes_.channel(row.agency_id, row.channel_index + 1);
  Result<FailOverResult> result = outbox_.FailOver(row.id, why.ToString(), next, now);
  if (!result.ok()) {
    spdlog::error("dispatcher: delivery={} failing over: {}", row.id, result.status().ToString());
    return;
  }
  if (!result->dead) {
    ++counters_.failed_over;
    spdlog::warn(
        "dispatcher: delivery={} alert={} agency={} channel {} given up ({}); "
        "failing over to channel {} as delivery={}",
        row.id, row.alert_id, row.agency_id, row.channel_index, why.ToString(),
        row.channel_index + 1, result->next_delivery_id.value_or(0));
    return;
  }
  ++counters_.dead;
  spdlog::warn("dispatcher: delivery={} alert={} agency={} dead after its last channel ({})",
               row.id, row.alert_id, row.agency_id, why.ToString());
  Escalate(row, now);
}

void Dispatcher::Escalate(const Delivery& dead, Instant now) {
  std::optional<std::string> agency = routes_.escalates_to(dead.agency_id);
  if (!agency && !routes_.fallback_agency.empty()) agency = routes_.fallback_agency;
  std::optional<ChannelTarget> channel;
  if (agency) channel = routes_.channel(*agency, 0);
  if (!channel) {
    spdlog::error("dispatcher: alert={} agency={} undeliverable: no escalation target",
                  dead.alert_id, dead.agency_id);
    return;
  }
  Result<std::optional<int64_t>> escalation = outbox_.Escalate(dead.id, *agency, *channel, now);
  if (!escalation.ok()) {
    spdlog::error("dispatcher: delivery={} escalating: {}", dead.id,
                  escalation.status().ToString());
    return;
  }
  if (!*escalation) {
    spdlog::error("dispatcher: alert={} agency={} undeliverable: {} already had it", dead.alert_id,
                  dead.agency_id, *agency);
    return;
  }
  ++counters_.escalated;
  spdlog::warn("dispatcher: alert={} escalated from agency={} to agency={} as delivery={}",
               dead.alert_id, dead.agency_id, *agency, **escalation);
}

void Dispatcher::ArmTimerForNextDue(Instant now) {
  Result<std::optional<Instant>> next = outbox_.NextDueAfter(now);
  if (!next.ok()) {
    spdlog::error("dispatcher: reading the outbox: {}", next.status().ToString());
    ArmTimer(options_.store_retry);
    return;
  }
  if (!*next) {
    timer_.cancel();
    return;
  }
  ArmTimer(std::max(**next - clock_.Now(), Duration(0)));
}

void Dispatcher::ArmTimer(Duration delay) {
  timer_.expires_after(delay);
  timer_.async_wait(
      [weak = std::weak_ptr<Dispatcher*>(self_)](const boost::system::error_code& ec) {
        if (ec) return;  // Cancelled: re-armed, stopped, or destroyed.
        if (auto self = weak.lock()) (*self)->Pump();
      });
}

}  // namespace amparo

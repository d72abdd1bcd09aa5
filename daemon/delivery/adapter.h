// THE plugin interface every delivery channel implements (DESIGN.md §6,
// STYLE.md "The adapter interface").
//
// An adapter knows how to send bytes to one endpoint and how to classify the
// result. It knows nothing of rules, retries, failover or the store: the
// dispatcher owns all of that, as Alertmanager's retry stage does.
#ifndef AMPARO_DAEMON_DELIVERY_ADAPTER_H_
#define AMPARO_DAEMON_DELIVERY_ADAPTER_H_

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"

namespace amparo {

enum class DeliveryOutcome {
  kDelivered,  // The endpoint confirmed it (MQTT PUBACK, HTTP 2xx, SMTP 250, data written).
  kRetryable,  // It may work later on this channel: a timeout, a broker down, a full buffer.
  kPermanent,  // It will not work on this channel: fail over at once.
};

// Name of an outcome, for logs: "delivered", "retryable", "permanent".
std::string_view OutcomeName(DeliveryOutcome outcome);

// One delivery attempt, as the adapter sees it.
struct OutboundMessage {
  int64_t delivery_id = 0;  // The outbox row.
  std::string alert_id;
  std::string idempotency_key;  // "<alert_id>:<version>"; the same on every repeat.
  std::string agency_id;
  std::string channel_type;  // Equals the adapter's Name().
  std::string target;        // Topic, path, URL or address; "" for the adapter's default.
  std::string payload;       // The amparo.alert.v1 JSON.
};

// What an adapter may add to a kRetryable outcome. The dispatcher waits at
// least retry_after (capped at its policy's max) before the next attempt, e.g.
// for an HTTP Retry-After.
struct DeliveryHint {
  std::optional<Duration> retry_after;
};

// Called exactly once per AsyncDeliver, on the io_context. The Status explains
// a non-delivered outcome (OK with kDelivered). Built from a callable taking
// (DeliveryOutcome, Status) or (DeliveryOutcome, Status, DeliveryHint); an
// adapter with no hint calls it with two arguments.
// The callables DeliveryDone is built from: with or without the hint.
template <typename F>
concept DoneWithHint = std::invocable<F&, DeliveryOutcome, Status, DeliveryHint>;
template <typename F>
concept DoneWithoutHint = !DoneWithHint<F> && std::invocable<F&, DeliveryOutcome, Status>;

class DeliveryDone {
 public:
  DeliveryDone() = default;
  // NOLINTBEGIN(google-explicit-constructor): a callback converts implicitly,
  // like std::function.
  template <DoneWithHint F>
  DeliveryDone(F f) : fn_(std::move(f)) {}
  template <DoneWithoutHint F>
  DeliveryDone(F f)
      : fn_([f = std::move(f)](DeliveryOutcome outcome, Status why, const DeliveryHint&) mutable {
          f(outcome, std::move(why));
        }) {}
  // NOLINTEND(google-explicit-constructor)

  void operator()(DeliveryOutcome outcome, Status why, DeliveryHint hint = {}) const {
    fn_(outcome, std::move(why), hint);
  }
  explicit operator bool() const { return static_cast<bool>(fn_); }

 private:
  std::function<void(DeliveryOutcome, Status, const DeliveryHint&)> fn_;
};

// Thread-safety: AsyncDeliver is called on the io_context thread only.
// Implementations post `done` to the io_context, never call it inline from
// AsyncDeliver, and never block the loop waiting for the network.
class Adapter {
 public:
  virtual ~Adapter() = default;
  // Return the channel type this adapter serves, e.g. "mqtt".
  virtual std::string_view Name() const = 0;
  // Start delivering `message`; call `done` exactly once, on the io_context.
  virtual void AsyncDeliver(const OutboundMessage& message, DeliveryDone done) = 0;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_ADAPTER_H_

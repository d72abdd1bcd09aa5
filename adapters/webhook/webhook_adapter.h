// WebhookAdapter: HTTPS POST of the alert JSON, signed per Standard Webhooks
// (DESIGN.md §6, channel "webhook").
//
// The row's target is the URL. Headers: webhook-id = the idempotency key (the
// same on every repeat, so receivers drop duplicates), webhook-timestamp = now
// in Unix seconds, webhook-signature = v1 HMAC-SHA256 with the agency's secret
// (webhook_signature.h), read from its secret file at each send so that a
// rotated secret takes effect without a restart.
//
// What "delivered" means: the receiver answered 2xx. Classification:
//   2xx                                  kDelivered
//   408, 429, 5xx, timeouts, connection  kRetryable (Retry-After passed on as a hint)
//   other 4xx, 3xx (redirects are not    kPermanent: the dispatcher fails over at
//   followed), bad TLS certificate,      once and, after the last channel,
//   unreadable secret, bad URL           escalates
// TLS peer and host verification are always on; ca_file replaces the system
// CA store. Transfers run on a CurlWorker thread; outcomes are posted to the loop.
#ifndef AMPARO_ADAPTERS_WEBHOOK_WEBHOOK_ADAPTER_H_
#define AMPARO_ADAPTERS_WEBHOOK_WEBHOOK_ADAPTER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "adapters/curl/curl_worker.h"
#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/delivery/adapter.h"

namespace amparo {

struct WebhookAdapterOptions {
  // CA certificates (PEM) that sign the receivers' certificates; none: the
  // system store. Default: none.
  std::optional<std::string> ca_file;
  // Whole request, and connection set-up (TCP + TLS). Must be positive.
  Duration timeout = std::chrono::seconds(10);
  Duration connect_timeout = std::chrono::seconds(5);
  // Requests at once. Must be >= 1.
  size_t max_in_flight = 16;
  // The secret file of (agency_id, url), from the directory; nullopt if the
  // agency has no such webhook. Unset: every delivery fails permanently.
  std::function<std::optional<std::string>(const std::string& agency_id, const std::string& url)>
      secret_file;
};

// Thread-safety: AsyncDeliver and the destructor on the loop thread.
class WebhookAdapter final : public Adapter {
 public:
  // Returns InvalidArgument for bad options.
  static Result<std::unique_ptr<WebhookAdapter>> Create(boost::asio::io_context& io,
                                                        WebhookAdapterOptions options);
  std::string_view Name() const override { return "webhook"; }
  void AsyncDeliver(const OutboundMessage& message, DeliveryDone done) override;

 private:
  WebhookAdapter(boost::asio::io_context& io, WebhookAdapterOptions options,
                 std::unique_ptr<CurlWorker> worker);
  void Reply(DeliveryDone done, DeliveryOutcome outcome, Status why);

  boost::asio::io_context& io_;
  WebhookAdapterOptions options_;
  std::unique_ptr<CurlWorker> worker_;  // Destroyed first: no callback outlives the adapter.
};

// The outcome of an HTTP answer `code` (0: no answer, see `curl`), for tests.
DeliveryOutcome ClassifyHttp(long code, CURLcode curl);

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_WEBHOOK_WEBHOOK_ADAPTER_H_

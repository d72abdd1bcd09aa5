#include "adapters/webhook/webhook_adapter.h"

#include <chrono>
#include <utility>

#include <boost/asio/post.hpp>

#include "adapters/webhook/webhook_signature.h"
#include "daemon/core/text_files.h"

namespace amparo {
namespace {

bool IsHttpUrl(const std::string& url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

long long UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DeliveryOutcome ClassifyHttp(long code, CURLcode curl) {
  if (curl != CURLE_OK) {
    switch (curl) {
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_FAILED_INIT:
        return DeliveryOutcome::kPermanent;  // Configuration: waiting will not fix it.
      default:
        return DeliveryOutcome::kRetryable;  // Timeouts, refused connections, resets.
    }
  }
  if (code >= 200 && code < 300) return DeliveryOutcome::kDelivered;
  if (code == 408 || code == 429 || code >= 500) return DeliveryOutcome::kRetryable;
  return DeliveryOutcome::kPermanent;
}

Result<std::unique_ptr<WebhookAdapter>> WebhookAdapter::Create(boost::asio::io_context& io,
                                                               WebhookAdapterOptions options) {
  if (options.timeout.count() <= 0 || options.connect_timeout.count() <= 0) {
    return Status::InvalidArgument("webhook adapter: timeouts must be positive");
  }
  Result<std::unique_ptr<CurlWorker>> worker = CurlWorker::Create(options.max_in_flight);
  if (!worker.ok()) return worker.status();
  return std::unique_ptr<WebhookAdapter>(
      new WebhookAdapter(io, std::move(options), std::move(worker).value()));
}

WebhookAdapter::WebhookAdapter(boost::asio::io_context& io, WebhookAdapterOptions options,
                               std::unique_ptr<CurlWorker> worker)
    : io_(io), options_(std::move(options)), worker_(std::move(worker)) {}

void WebhookAdapter::AsyncDeliver(const OutboundMessage& message, DeliveryDone done) {
  const std::string& url = message.target;
  if (!IsHttpUrl(url)) {
    Reply(std::move(done), DeliveryOutcome::kPermanent,
          Status::InvalidArgument("webhook: the channel has no http(s) URL"));
    return;
  }
  std::optional<std::string> secret_path =
      options_.secret_file ? options_.secret_file(message.agency_id, url) : std::nullopt;
  if (!secret_path) {
    Reply(std::move(done), DeliveryOutcome::kPermanent,
          Status::FailedPrecondition("webhook: agency " + message.agency_id +
                                     " has no webhook secret for this URL"));
    return;
  }
  // A small local file, read on the loop like the file adapter's writes.
  Result<std::string> text = ReadTextFile(*secret_path);
  Result<std::vector<std::string>> keys =
      text.ok() ? ParseWebhookSecrets(*text) : Result<std::vector<std::string>>(text.status());
  if (!keys.ok()) {
    Reply(std::move(done), DeliveryOutcome::kPermanent,
          Status::FailedPrecondition("webhook: secret of agency " + message.agency_id + ": " +
                                     keys.status().message()));
    return;
  }

  auto transfer = std::make_unique<CurlTransfer>();
  CURL* easy = transfer->easy();
  const long long timestamp = UnixNow();
  if (easy != nullptr) {
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (options_.ca_file) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file->c_str());
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "amparod");
    transfer->AddHeader("Content-Type: application/json");
    transfer->AddHeader("Expect:");  // No 100-continue round trip.
    transfer->AddHeader("webhook-id: " + message.idempotency_key);
    transfer->AddHeader("webhook-timestamp: " + std::to_string(timestamp));
    transfer->AddHeader("webhook-signature: " +
                        SignWebhook(*keys, message.idempotency_key, timestamp, message.payload));
    transfer->SetUploadBody(message.payload, /*post=*/true);
  }
  transfer->finished = [io = &io_, done = std::move(done)](CurlTransfer& t,
                                                           CURLcode result) mutable {
    long code = 0;
    if (result == CURLE_OK) curl_easy_getinfo(t.easy(), CURLINFO_RESPONSE_CODE, &code);
    const DeliveryOutcome outcome = ClassifyHttp(code, result);
    Status why;
    DeliveryHint hint;
    if (result != CURLE_OK) {
      why = Status::Unavailable(
          std::string("webhook: ") + curl_easy_strerror(result) +
          (t.error_buffer()[0] != '\0' ? std::string(": ") + t.error_buffer() : std::string()));
    } else if (outcome != DeliveryOutcome::kDelivered) {
      why = Status::Unavailable("webhook: HTTP " + std::to_string(code));
      const long long seconds = RetryAfterSeconds(t.response_headers(), UnixNow());
      if (seconds >= 0 && outcome == DeliveryOutcome::kRetryable) {
        hint.retry_after = std::chrono::seconds(seconds);
      }
    }
    boost::asio::post(*io, [done = std::move(done), outcome, why = std::move(why), hint] {
      done(outcome, why, hint);
    });
  };
  worker_->Submit(std::move(transfer));
}

void WebhookAdapter::Reply(DeliveryDone done, DeliveryOutcome outcome, Status why) {
  boost::asio::post(
      io_, [done = std::move(done), outcome, why = std::move(why)] { done(outcome, why); });
}

}  // namespace amparo

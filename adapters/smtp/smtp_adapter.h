// SmtpAdapter: sends each alert as an e-mail through an SMTP relay with
// libcurl (DESIGN.md §6, channel "smtp"). The row's target is the recipient
// address; the message is rendered from the alert JSON (alert_mail.h).
//
// TLS: smtp://HOST:587 with STARTTLS required (tls: starttls, the default) or
// smtps://HOST:465 (tls: implicit). tls: none is accepted only for a relay on
// 127.0.0.1 or localhost (a local MTA, tests). Peer and host verification are
// always on; ca_file replaces the system CA store. Login with username and
// the password read from a file at start.
//
// What "delivered" means: the relay accepted the message (250 after DATA). It
// is then the relay's to deliver; a bounce comes later, by mail, to `from`.
// Classification: a 5xx reply (e.g. 550 recipient rejected) and TLS or login
// failures are kPermanent (fail over, escalate); 4xx replies, timeouts and
// connection errors are kRetryable.
#ifndef AMPARO_ADAPTERS_SMTP_SMTP_ADAPTER_H_
#define AMPARO_ADAPTERS_SMTP_SMTP_ADAPTER_H_

#include <chrono>
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

enum class SmtpTls { kStartTls, kImplicit, kNone };

struct SmtpAdapterOptions {
  // smtp://HOST[:PORT] (starttls, none) or smtps://HOST[:PORT] (implicit). Required.
  std::string url;
  SmtpTls tls = SmtpTls::kStartTls;
  // Envelope sender and From address, e.g. "alerts@amparo.example.org". Required.
  std::string from;
  std::string from_name = "amparo";
  // Set both or neither.
  std::optional<std::string> username;
  std::optional<std::string> password;
  // CA certificates (PEM) for the relay; none: the system store.
  std::optional<std::string> ca_file;
  // Whole transaction and connection set-up. Must be positive.
  Duration timeout = std::chrono::seconds(30);
  Duration connect_timeout = std::chrono::seconds(10);
  // Mails at once. Must be >= 1.
  size_t max_in_flight = 4;
  // Base of the ack link ("https://amparo.example.org"); "" for no link.
  std::string ack_base_url;
  // The deployment key, for the ack link's token.
  std::string ack_key;
};

// Thread-safety: AsyncDeliver and the destructor on the loop thread.
class SmtpAdapter final : public Adapter {
 public:
  // Returns InvalidArgument for bad options.
  static Result<std::unique_ptr<SmtpAdapter>> Create(boost::asio::io_context& io,
                                                     SmtpAdapterOptions options);
  std::string_view Name() const override { return "smtp"; }
  void AsyncDeliver(const OutboundMessage& message, DeliveryDone done) override;

 private:
  SmtpAdapter(boost::asio::io_context& io, SmtpAdapterOptions options,
              std::unique_ptr<CurlWorker> worker);
  void Reply(DeliveryDone done, DeliveryOutcome outcome, Status why);

  boost::asio::io_context& io_;
  SmtpAdapterOptions options_;
  std::unique_ptr<CurlWorker> worker_;  // Destroyed first: no callback outlives the adapter.
};

// The outcome of an SMTP transaction that ended with `curl` and last reply `code`.
DeliveryOutcome ClassifySmtp(long code, CURLcode curl);

// Return OK if `url` and `tls` agree (smtps:// with implicit, smtp:// with
// starttls or none) and tls none names a loopback host; InvalidArgument
// otherwise.
Status CheckSmtpUrl(const std::string& url, SmtpTls tls);

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_SMTP_SMTP_ADAPTER_H_

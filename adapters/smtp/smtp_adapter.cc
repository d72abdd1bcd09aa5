#include "adapters/smtp/smtp_adapter.h"

#include <utility>

#include <boost/asio/post.hpp>

#include "adapters/smtp/alert_mail.h"

namespace amparo {
namespace {

std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.starts_with("[")) return std::string(rest.substr(0, rest.find(']') + 1));
  return std::string(rest.substr(0, rest.find(':')));
}

bool IsMailAddress(std::string_view to) {
  const size_t at = to.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < to.size() &&
         to.find('@', at + 1) == std::string_view::npos &&
         to.find_first_of(" \t\r\n<>,;") == std::string_view::npos;
}

}  // namespace

Status CheckSmtpUrl(const std::string& url, SmtpTls tls) {
  const bool smtps = url.starts_with("smtps://");
  if (!smtps && !url.starts_with("smtp://")) {
    return Status::InvalidArgument("must start with smtp:// or smtps://");
  }
  const std::string host = HostOf(url);
  if (host.empty()) return Status::InvalidArgument("names no host");
  if (smtps != (tls == SmtpTls::kImplicit)) {
    return Status::InvalidArgument(smtps ? "smtps:// needs tls: implicit"
                                         : "tls: implicit needs smtps://");
  }
  if (tls == SmtpTls::kNone && host != "127.0.0.1" && host != "localhost" && host != "[::1]") {
    return Status::InvalidArgument(
        "tls: none is allowed only for a relay on 127.0.0.1 or localhost");
  }
  return Status::OK();
}

DeliveryOutcome ClassifySmtp(long code, CURLcode curl) {
  if (curl == CURLE_OK) return DeliveryOutcome::kDelivered;
  switch (curl) {
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_FAILED_INIT:
      return DeliveryOutcome::kPermanent;
    default:
      break;
  }
  // A 5xx reply is the server's permanent refusal (RFC 5321 §4.2.1).
  if (code >= 500 && code < 600) return DeliveryOutcome::kPermanent;
  return DeliveryOutcome::kRetryable;
}

Result<std::unique_ptr<SmtpAdapter>> SmtpAdapter::Create(boost::asio::io_context& io,
                                                         SmtpAdapterOptions options) {
  if (Status s = CheckSmtpUrl(options.url, options.tls); !s.ok()) {
    return Status::InvalidArgument("smtp adapter: url " + s.message());
  }
  if (!IsMailAddress(options.from)) {
    return Status::InvalidArgument("smtp adapter: from is not a mail address");
  }
  if (options.username.has_value() != options.password.has_value()) {
    return Status::InvalidArgument("smtp adapter: set both username and password, or neither");
  }
  if (options.timeout.count() <= 0 || options.connect_timeout.count() <= 0) {
    return Status::InvalidArgument("smtp adapter: timeouts must be positive");
  }
  Result<std::unique_ptr<CurlWorker>> worker = CurlWorker::Create(options.max_in_flight);
  if (!worker.ok()) return worker.status();
  return std::unique_ptr<SmtpAdapter>(
      new SmtpAdapter(io, std::move(options), std::move(worker).value()));
}

SmtpAdapter::SmtpAdapter(boost::asio::io_context& io, SmtpAdapterOptions options,
                         std::unique_ptr<CurlWorker> worker)
    : io_(io), options_(std::move(options)), worker_(std::move(worker)) {}

void SmtpAdapter::AsyncDeliver(const OutboundMessage& message, DeliveryDone done) {
  if (!IsMailAddress(message.target)) {
    Reply(std::move(done), DeliveryOutcome::kPermanent,
          Status::InvalidArgument("smtp: the channel has no valid recipient address"));
    return;
  }
  AlertMailContext context{
      .from = options_.from,
      .from_name = options_.from_name,
      .to = message.target,
      .idempotency_key = message.idempotency_key,
      .agency_id = message.agency_id,
      .now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()),
      .ack_base_url = options_.ack_base_url,
      .ack_key = options_.ack_key};
  Result<std::string> mail = RenderAlertMail(message.payload, context);
  if (!mail.ok()) {
    Reply(std::move(done), DeliveryOutcome::kPermanent, mail.status());
    return;
  }
  auto transfer = std::make_unique<CurlTransfer>();
  if (CURL* easy = transfer->easy()) {
    curl_easy_setopt(easy, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    if (options_.tls != SmtpTls::kNone) {
      curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
      if (options_.ca_file) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file->c_str());
    }
    if (options_.username) {
      curl_easy_setopt(easy, CURLOPT_USERNAME, options_.username->c_str());
      curl_easy_setopt(easy, CURLOPT_PASSWORD, options_.password->c_str());
    }
    const std::string mail_from = "<" + options_.from + ">";
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, mail_from.c_str());  // Curl copies strings.
    transfer->AddRecipient("<" + message.target + ">");
    transfer->SetUploadBody(std::move(mail).value(), /*post=*/false);
  }
  transfer->finished = [io = &io_, done = std::move(done)](CurlTransfer& t,
                                                           CURLcode result) mutable {
    long code = 0;
    if (t.easy() != nullptr) curl_easy_getinfo(t.easy(), CURLINFO_RESPONSE_CODE, &code);
    const DeliveryOutcome outcome = ClassifySmtp(code, result);
    Status why;
    if (outcome != DeliveryOutcome::kDelivered) {
      why = Status::Unavailable("smtp: " + std::string(curl_easy_strerror(result)) +
                                (code != 0 ? ", reply " + std::to_string(code) : std::string()));
    }
    boost::asio::post(
        *io, [done = std::move(done), outcome, why = std::move(why)] { done(outcome, why); });
  };
  worker_->Submit(std::move(transfer));
}

void SmtpAdapter::Reply(DeliveryDone done, DeliveryOutcome outcome, Status why) {
  boost::asio::post(
      io_, [done = std::move(done), outcome, why = std::move(why)] { done(outcome, why); });
}

}  // namespace amparo

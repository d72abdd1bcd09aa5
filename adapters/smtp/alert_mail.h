// The e-mail of one alert (DESIGN.md §6, channel "smtp"): an RFC 5322 message
// rendered from the amparo.alert.v1 JSON the recipient would receive, so the
// mail says exactly what the recipient may know (the JSON is already in its
// language and filtered by its disclosure profile).
//
// multipart/alternative, text/plain and text/html (UTF-8, base64), with the
// title, severity, deadline in the recipient's time zone and in UTC, legal
// basis, summary, the disclosed fields (its disclosure profile) and how to
// acknowledge: a link to the HTTP ack API with a one-time token
// (daemon/core/ack_token.h) and the MQTT ack topic. Headings are in the
// alert's language (en, es, fr; others fall back to English).
//
// The Message-ID is derived from the idempotency key and the agency, so a
// retried or re-sent delivery is the same message to mail clients (one
// thread, one message) and to receivers that de-duplicate.
//
// Pure.
#ifndef AMPARO_ADAPTERS_SMTP_ALERT_MAIL_H_
#define AMPARO_ADAPTERS_SMTP_ALERT_MAIL_H_

#include <string>
#include <string_view>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"

namespace amparo {

struct AlertMailContext {
  std::string from;       // Envelope and header From address.
  std::string from_name;  // Display name, e.g. "amparo".
  std::string to;         // The recipient address.
  std::string idempotency_key;
  std::string agency_id;
  Instant now;  // The Date header.
  // "https://amparo.example.org"; "" leaves out the link.
  std::string ack_base_url;
  // The deployment key for the link's token; used only with ack_base_url.
  std::string ack_key;
};

// Return "<hex@domain-of-from>": the Message-ID of this delivery.
std::string AlertMessageId(std::string_view idempotency_key, std::string_view agency_id,
                           std::string_view from);

// Return the whole message, CRLF line ends, ready for SMTP DATA. Returns
// InvalidArgument if `alert_json` is not an amparo.alert.v1 object.
Result<std::string> RenderAlertMail(std::string_view alert_json, const AlertMailContext& context);

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_SMTP_ALERT_MAIL_H_

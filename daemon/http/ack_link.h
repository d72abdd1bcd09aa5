// One-time acknowledgement links of alert e-mails (DESIGN.md §6, issue 9).
//
// An e-mail links to /api/v1/alerts/{id}/ack?token=T, where T is
// AckToken(deployment key, alert_id, version, agency) (core/ack_token.h) of
// the delivery that e-mail carried. The token is the only credential: it
// acknowledges that one alert, as that agency, and nothing else. Opening
// the link (GET) only shows a page asking who is acknowledging, because
// mail scanners and link previews fetch links nobody clicked; the page's
// form POSTs back to the same address, and only that records the ack. A
// second POST is a repeat (the ack is keyed by the version), so a link acts
// once.
//
// The pages are plain HTML in Spanish and English, without scripts or
// styles from anywhere, and say nothing of the child: the e-mail already
// carried what its agency may see.
//
// Pure and reentrant.
#ifndef AMPARO_DAEMON_HTTP_ACK_LINK_H_
#define AMPARO_DAEMON_HTTP_ACK_LINK_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/ack_store.h"
#include "daemon/store/alert_query.h"

namespace amparo {

// The delivery an ack link was made for.
struct AckLinkTarget {
  std::string agency_id;
  int version = 1;
  bool operator==(const AckLinkTarget&) const = default;
};

// The e-mail delivery of `alert_id` (among `deliveries`, its rows) whose
// ack token under `key` is `token`, or nullopt. An empty key or token
// matches nothing.
std::optional<AckLinkTarget> MatchAckLink(std::string_view key, std::string_view alert_id,
                                          std::string_view token,
                                          const std::vector<DeliverySummary>& deliveries);

// The page a valid link opens: what is being acknowledged, and a form
// asking who acknowledges it (by, required) and an optional note.
std::string AckLinkConfirmPage(const AlertSummary& alert, const AckLinkTarget& target);

// The page after the form was sent: accepted, already acknowledged, or refused.
std::string AckLinkResultPage(std::string_view alert_id, const AckResult& result);

// The page of a link that is not (or no longer) valid, or of a form that
// could not be read; `detail` says which, in English.
std::string AckLinkErrorPage(std::string_view detail);

// The headers every ack-link page carries: no scripts, no framing, no
// referrer (the token is in the address), no caching.
inline constexpr std::string_view kAckLinkCsp =
    "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

}  // namespace amparo

#endif  // AMPARO_DAEMON_HTTP_ACK_LINK_H_

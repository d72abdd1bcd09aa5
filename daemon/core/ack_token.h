// One-time acknowledgement tokens for links in alert e-mails (DESIGN.md §6).
//
// token = the first 32 hex characters (128 bits) of
//   HMAC-SHA-256(deployment key, "amparo-ack-v1" NUL alert_id NUL version NUL agency_id)
// The deployment key is the privacy.deployment_key_file's bytes, as they are
// (the key of the subject hashes in keyed_hash.h); the "amparo-ack-v1" prefix
// keeps tokens and subject hashes apart. A token is bound to one version of
// one alert for one agency, so it acknowledges nothing else, and it needs no
// state: whoever holds the key recomputes it. Verifying a presented token (and
// refusing a second use) belongs to the HTTP ack API.
//
// Pure and reentrant.
#ifndef AMPARO_DAEMON_CORE_ACK_TOKEN_H_
#define AMPARO_DAEMON_CORE_ACK_TOKEN_H_

#include <string>
#include <string_view>

namespace amparo {

// Return the ack token of (alert_id, version, agency_id) under `key`.
std::string AckToken(std::string_view key, std::string_view alert_id, int version,
                     std::string_view agency_id);

// Return true if `token` is AckToken(key, alert_id, version, agency_id),
// comparing in constant time.
bool AckTokenMatches(std::string_view key, std::string_view alert_id, int version,
                     std::string_view agency_id, std::string_view token);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_ACK_TOKEN_H_

// Standard base64 (RFC 4648, with padding), for webhook secrets and
// signatures, MIME bodies and dead letters' raw bytes. Pure and reentrant.
#ifndef AMPARO_DAEMON_CORE_BASE64_H_
#define AMPARO_DAEMON_CORE_BASE64_H_

#include <string>
#include <string_view>

#include "daemon/core/status.h"

namespace amparo {

// Return base64 of `bytes`, on one line.
std::string Base64Encode(std::string_view bytes);

// Return the bytes of `text`; InvalidArgument if it is not padded base64.
Result<std::string> Base64Decode(std::string_view text);

// Return base64 of `bytes` in lines of 76 characters, each ending in CRLF
// (RFC 2045 Content-Transfer-Encoding: base64).
std::string Base64Mime(std::string_view bytes);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_BASE64_H_

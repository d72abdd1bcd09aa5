// TokenTable: the bearer tokens of the HTTP API, each bound to one agency
// (http.ack_tokens_file, issue 9).
//
// File format, one token a line; blank lines and lines starting with '#'
// are ignored:
//
//   AGENCY_ID TOKEN [EXPIRES_AT]
//
// AGENCY_ID is a directory agency id ([A-Za-z0-9_-]{1,64}); TOKEN at least
// 32 characters without spaces; EXPIRES_AT an optional RFC 3339 instant
// after which the token is refused as expired. Only SHA-256 digests of the
// tokens are kept in memory, and they are compared in constant time.
//
// Thread-safety: immutable after Load(); safe to share.
#ifndef AMPARO_DAEMON_HTTP_TOKENS_H_
#define AMPARO_DAEMON_HTTP_TOKENS_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"

namespace amparo {

inline constexpr size_t kMinTokenLength = 32;

// What a presented token turned out to be.
struct TokenCheck {
  enum class Outcome { kValid, kUnknown, kExpired };
  Outcome outcome = Outcome::kUnknown;
  std::string agency_id;  // kValid and kExpired: the token's agency.
};

class TokenTable {
 public:
  // Parse `text` (the file's contents); `origin` names it in errors
  // ("file:line: ..."). InvalidArgument for a malformed line or a token
  // listed twice.
  static Result<TokenTable> Parse(std::string_view text, std::string_view origin);
  // Read and parse the file at `path`.
  static Result<TokenTable> Load(const std::string& path);

  // Check `token` at `now`.
  TokenCheck Check(std::string_view token, Instant now) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::array<unsigned char, 32> digest{};
    std::string agency_id;
    std::optional<Instant> expires_at;
  };
  std::vector<Entry> entries_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_HTTP_TOKENS_H_

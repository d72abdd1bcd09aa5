#include "daemon/core/ack_token.h"

#include <openssl/crypto.h>

#include "daemon/core/keyed_hash.h"

namespace amparo {
namespace {

constexpr size_t kTokenHexChars = 32;

}  // namespace

std::string AckToken(std::string_view key, std::string_view alert_id, int version,
                     std::string_view agency_id) {
  std::string data = "amparo-ack-v1";
  data += '\0';
  data += alert_id;
  data += '\0';
  data += std::to_string(version);
  data += '\0';
  data += agency_id;
  return internal::HmacSha256Hex(key, data).substr(0, kTokenHexChars);
}

bool AckTokenMatches(std::string_view key, std::string_view alert_id, int version,
                     std::string_view agency_id, std::string_view token) {
  const std::string expected = AckToken(key, alert_id, version, agency_id);
  return token.size() == expected.size() &&
         CRYPTO_memcmp(token.data(), expected.data(), expected.size()) == 0;
}

}  // namespace amparo

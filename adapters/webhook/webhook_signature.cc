#include "adapters/webhook/webhook_signature.h"

#include <array>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "daemon/core/base64.h"

namespace amparo {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr size_t kMinKeyBytes = 16;

std::string_view Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const size_t last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

}  // namespace

Result<std::vector<std::string>> ParseWebhookSecrets(std::string_view file_text) {
  std::vector<std::string> keys;
  int line_no = 0;
  size_t start = 0;
  while (start <= file_text.size()) {
    size_t end = file_text.find('\n', start);
    if (end == std::string_view::npos) end = file_text.size();
    const std::string_view line = Trim(file_text.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty() || line.starts_with('#')) continue;
    const std::string where = "secret on line " + std::to_string(line_no);
    if (!line.starts_with(kSecretPrefix)) {
      return Status::InvalidArgument(where + " must be written whsec_<base64 key>");
    }
    Result<std::string> key = Base64Decode(line.substr(kSecretPrefix.size()));
    if (!key.ok()) return Status::InvalidArgument(where + ": the key is " + key.status().message());
    if (key->size() < kMinKeyBytes) {
      return Status::InvalidArgument(where + ": the key must hold at least 16 bytes");
    }
    keys.push_back(std::move(key).value());
  }
  if (keys.empty()) return Status::InvalidArgument("the secret file holds no secret");
  return keys;
}

std::string SignWebhook(const std::vector<std::string>& keys, std::string_view id,
                        long long timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  std::string header;
  for (const std::string& key : keys) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac.data(),
         &mac_size);
    if (!header.empty()) header += ' ';
    header += "v1,";
    header += Base64Encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac_size));
  }
  return header;
}

}  // namespace amparo

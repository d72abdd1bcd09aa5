#include "daemon/core/keyed_hash.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "daemon/core/hex.h"

namespace amparo {

namespace {

// A key file larger than this is not a key file.
constexpr std::streamsize kMaxKeyBytes = 4096;

constexpr size_t kHashHexChars = 12;

}  // namespace

namespace internal {

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  // OpenSSL wants non-null pointers even for empty input.
  const char* key_bytes = key.empty() ? "" : key.data();
  const char* data_bytes = data.empty() ? "" : data.data();
  HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data_bytes), data.size(), mac, &mac_len);
  return LowerHex({mac, mac_len});
}

}  // namespace internal

Result<SubjectHasher> SubjectHasher::FromKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message = "cannot read " + path + ": " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(message) : Status::IOError(message);
  }
  std::string key(kMaxKeyBytes + 1, '\0');
  in.read(key.data(), kMaxKeyBytes + 1);
  if (in.bad()) return Status::IOError("cannot read " + path);
  key.resize(static_cast<size_t>(in.gcount()));
  if (key.size() < kMinKeyBytes) {
    return Status::InvalidArgument(
        path + " holds " + std::to_string(key.size()) + " bytes; a deployment key needs at least " +
        std::to_string(kMinKeyBytes) + " (make one with: head -c 32 /dev/urandom)");
  }
  if (key.size() > static_cast<size_t>(kMaxKeyBytes)) {
    return Status::InvalidArgument(path + " holds more than " + std::to_string(kMaxKeyBytes) +
                                   " bytes; is it the deployment key?");
  }
  return SubjectHasher(std::move(key));
}

std::string SubjectHasher::Hash(std::string_view subject_id) const {
  return internal::HmacSha256Hex(key_, subject_id).substr(0, kHashHexChars);
}

}  // namespace amparo

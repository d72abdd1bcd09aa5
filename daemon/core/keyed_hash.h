// Subject hashes: the only form in which a subject may appear in logs.
//
// Rule 5 (DESIGN.md §8): no personal data in logs. A subject id is logged as
// the first 12 hex characters of HMAC-SHA-256(deployment key, subject id):
// stable within a deployment, so an operator can follow one child through the
// logs, and useless to anyone without the key, who cannot test guesses.
//
// Thread-safety: a SubjectHasher is immutable; Hash() may be called from any
// thread.
#ifndef AMPARO_DAEMON_CORE_KEYED_HASH_H_
#define AMPARO_DAEMON_CORE_KEYED_HASH_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/core/status.h"

namespace amparo {

class SubjectHasher {
 public:
  // A deployment key shorter than this is refused.
  static constexpr size_t kMinKeyBytes = 32;

  // Reads the key: every byte of the file at `path`, as it is (no trimming).
  // Fails if the file cannot be read or holds fewer than kMinKeyBytes bytes.
  static Result<SubjectHasher> FromKeyFile(const std::string& path);

  // Uses `key` as it is, whatever its length (FromKeyFile checks the length).
  explicit SubjectHasher(std::string key) : key_(std::move(key)) {}

  // 12 lowercase hex characters (48 bits) identifying `subject_id`.
  std::string Hash(std::string_view subject_id) const;

 private:
  std::string key_;
};

namespace internal {

// HMAC-SHA-256(key, data) as 64 lowercase hex characters. Exposed for tests.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace internal

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_KEYED_HASH_H_

#include "daemon/http/tokens.h"

#include <sstream>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "daemon/core/text_files.h"
#include "daemon/delivery/ack_handler.h"
#include "daemon/event/event.h"
#include "daemon/event/rfc3339.h"

namespace amparo {
namespace {

std::array<unsigned char, 32> Sha256(std::string_view text) {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
}

}  // namespace

Result<TokenTable> TokenTable::Parse(std::string_view text, std::string_view origin) {
  TokenTable table;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto error = [&](const std::string& what) {
      return Status::InvalidArgument(std::string(origin) + ":" + std::to_string(number) + ": " +
                                     what);
    };
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields(line);
    std::string agency;
    std::string token;
    std::string expires;
    std::string extra;
    fields >> agency;
    if (agency.empty() || agency.front() == '#') continue;
    fields >> token >> expires >> extra;
    if (!extra.empty()) return error("expected AGENCY_ID TOKEN [EXPIRES_AT]");
    if (!IsAgencyId(agency)) return error("agency id must be [A-Za-z0-9_-]{1,64}");
    if (token.size() < kMinTokenLength) {
      return error("token must be at least " + std::to_string(kMinTokenLength) + " characters");
    }
    Entry entry{.digest = Sha256(token), .agency_id = agency, .expires_at = std::nullopt};
    if (!expires.empty()) {
      Result<Timestamp> at = ParseRfc3339(expires);
      if (!at.ok()) return error("expiry: " + at.status().message());
      entry.expires_at = at->utc;
    }
    for (const Entry& e : table.entries_) {
      if (e.digest == entry.digest) return error("token listed twice");
    }
    table.entries_.push_back(std::move(entry));
  }
  return table;
}

Result<TokenTable> TokenTable::Load(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

TokenCheck TokenTable::Check(std::string_view token, Instant now) const {
  const std::array<unsigned char, 32> digest = Sha256(token);
  const Entry* match = nullptr;
  // Compare with every entry, so the time taken does not depend on which matched.
  for (const Entry& e : entries_) {
    if (CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) == 0) match = &e;
  }
  if (match == nullptr) return {};
  if (match->expires_at && now >= *match->expires_at) {
    return {TokenCheck::Outcome::kExpired, match->agency_id};
  }
  return {TokenCheck::Outcome::kValid, match->agency_id};
}

}  // namespace amparo

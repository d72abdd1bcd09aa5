// Standard Webhooks signatures (https://www.standardwebhooks.com/, spec
// "Signature scheme"), computed here and checked by an independent Python
// receiver in the tests.
//
// The signed content is "<webhook-id>.<webhook-timestamp>.<body>"; the
// signature is "v1," + base64(HMAC-SHA256(key, content)). A secret is written
// as the spec prints it, "whsec_" + base64(key). A secret file holds one
// secret per line; during a rotation it holds two, and the header carries one
// signature per secret, separated by spaces, so receivers accept either.
//
// Pure and reentrant.
#ifndef AMPARO_ADAPTERS_WEBHOOK_WEBHOOK_SIGNATURE_H_
#define AMPARO_ADAPTERS_WEBHOOK_WEBHOOK_SIGNATURE_H_

#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/status.h"

namespace amparo {

// Return the keys of a secret file's text: one "whsec_<base64>" per non-empty
// line (surrounding blanks, empty lines and "#" comment lines ignored). InvalidArgument, naming the
// line but never its content, for a line in another form or a key under 16 bytes.
Result<std::vector<std::string>> ParseWebhookSecrets(std::string_view file_text);

// Return the webhook-signature header value for `keys` (raw key bytes).
std::string SignWebhook(const std::vector<std::string>& keys, std::string_view id,
                        long long timestamp, std::string_view body);

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_WEBHOOK_WEBHOOK_SIGNATURE_H_

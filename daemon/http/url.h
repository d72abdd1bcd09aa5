// Percent-decoding of request targets and of form bodies
// (application/x-www-form-urlencoded, which is the same syntax).
//
// Pure and reentrant.
#ifndef AMPARO_DAEMON_HTTP_URL_H_
#define AMPARO_DAEMON_HTTP_URL_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace amparo {

// `text` with %XX escapes decoded and '+' read as a space; nullopt for a
// malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

// "a=1&b=x+y" as {a: "1", b: "x y"}; a key without '=' has an empty value, a
// repeated key keeps its last value. nullopt if any part is malformed.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace amparo

#endif  // AMPARO_DAEMON_HTTP_URL_H_

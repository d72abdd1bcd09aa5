// Well-formed UTF-8, as the event contract and JSON text require it.
#ifndef AMPARO_DAEMON_CORE_UTF8_H_
#define AMPARO_DAEMON_CORE_UTF8_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace amparo {

// Offset of the first byte of `s` that does not start a well-formed UTF-8
// sequence (Unicode table 3-7: no overlong forms, surrogates or code points
// above U+10FFFF), or nullopt when all of `s` is well-formed.
std::optional<std::size_t> FindInvalidUtf8(std::string_view s);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_UTF8_H_

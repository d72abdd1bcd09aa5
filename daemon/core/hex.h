// Lower-case hexadecimal, the one way amparo writes bytes as text (keyed
// subject hashes, ack tokens, alert ids).
#ifndef AMPARO_DAEMON_CORE_HEX_H_
#define AMPARO_DAEMON_CORE_HEX_H_

#include <span>
#include <string>

namespace amparo {

// "00ff..." for `bytes`, two characters a byte.
std::string LowerHex(std::span<const unsigned char> bytes);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_HEX_H_

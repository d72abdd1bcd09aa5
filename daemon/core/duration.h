// Durations as people write them in rule and config files: "90s", "30m",
// "2h", "3d", "1h30m", "500ms".
#ifndef AMPARO_DAEMON_CORE_DURATION_H_
#define AMPARO_DAEMON_CORE_DURATION_H_

#include <string>
#include <string_view>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"

namespace amparo {

// Parses a sequence of <integer><unit> with units ms, s, m, h, d (no sign, no
// spaces). Returns InvalidArgument with a one-line reason otherwise.
Result<Duration> ParseDuration(std::string_view text);

// Writes the shortest form ParseDuration reads back, e.g. "72h", "1h30m", "0s".
std::string FormatDuration(Duration d);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_DURATION_H_

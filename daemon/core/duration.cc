#include "daemon/core/duration.h"

#include <cstdint>
#include <limits>

namespace amparo {

namespace {

// Milliseconds in one `unit`, or 0 when the unit is unknown.
int64_t UnitMillis(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60 * 1000;
  if (unit == "h") return 3600 * 1000;
  if (unit == "d") return 24 * 3600 * 1000;
  return 0;
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.empty()) return Status::InvalidArgument("empty duration; write e.g. \"2h\" or \"30m\"");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') {
      return Status::InvalidArgument(quoted +
                                     " is not a duration; write e.g. \"2h\", \"30m\", \"1h30m\"");
    }
    int64_t number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (number > std::numeric_limits<int64_t>::max() / 10 / (24LL * 3600 * 1000)) {
        return Status::InvalidArgument(quoted + " is too long a duration");
      }
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    size_t unit_start = i;
    while (i < text.size() && (text[i] < '0' || text[i] > '9')) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    const int64_t millis = UnitMillis(unit);
    if (millis == 0) {
      return Status::InvalidArgument(
          quoted + " has " +
          (unit.empty() ? std::string("no unit") : "unknown unit \"" + std::string(unit) + "\"") +
          "; units are ms, s, m, h, d");
    }
    if (number > (std::numeric_limits<int64_t>::max() - total) / millis) {
      return Status::InvalidArgument(quoted + " is too long a duration");
    }
    total += number * millis;
  }
  return Duration(total);
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  const struct {
    int64_t millis;
    const char* unit;
  } units[] = {
      {24LL * 3600 * 1000, "d"}, {3600 * 1000, "h"}, {60 * 1000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& u : units) {
    if (ms >= u.millis) {
      out += std::to_string(ms / u.millis) + u.unit;
      ms %= u.millis;
    }
  }
  return out;
}

}  // namespace amparo

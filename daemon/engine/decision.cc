#include "daemon/engine/decision.h"

namespace amparo {

std::string_view SeverityName(Severity s) {
  const auto i = static_cast<std::size_t>(s);
  return i < kSeverityNames.size() ? kSeverityNames[i] : "?";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

}  // namespace amparo

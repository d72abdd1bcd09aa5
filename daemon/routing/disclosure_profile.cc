#include "daemon/routing/disclosure_profile.h"

namespace amparo {

std::optional<DisclosureField> DisclosureFieldFromName(std::string_view name) {
  for (size_t i = 0; i < kDisclosureFieldNames.size(); ++i) {
    if (kDisclosureFieldNames[i] == name) return static_cast<DisclosureField>(i);
  }
  return std::nullopt;
}

}  // namespace amparo

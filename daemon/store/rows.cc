#include "daemon/store/rows.h"

#include <nlohmann/json.hpp>

namespace amparo::rows {

std::string ToJsonArray(const std::vector<std::string>& names) {
  return nlohmann::json(names).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<std::string>> FromJsonArray(std::string_view json, std::string_view what) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) {
    return Status::Corruption(std::string(what) + " is not a JSON array");
  }
  std::vector<std::string> names;
  for (const nlohmann::json& item : parsed) {
    if (!item.is_string()) {
      return Status::Corruption(std::string(what) + " holds a non-string element");
    }
    names.push_back(item.get<std::string>());
  }
  return names;
}

}  // namespace amparo::rows

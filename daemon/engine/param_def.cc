#include "daemon/engine/param_def.h"

#include <charconv>

#include "daemon/core/duration.h"

namespace amparo {

const ParamDef* FindParam(const std::vector<ParamDef>& params, std::string_view name) {
  for (const ParamDef& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string_view> ParamNames(const std::vector<ParamDef>& params) {
  std::vector<std::string_view> names;
  for (const ParamDef& p : params) names.push_back(p.name);
  return names;
}

std::string ParseParamValue(std::string_view text, ParamDef* param) {
  int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) {
    param->kind = ParamDef::Kind::kInt;
    param->number = number;
    return {};
  }
  Result<Duration> d = ParseDuration(text);
  if (!d.ok()) return d.status().message();
  param->kind = ParamDef::Kind::kDuration;
  param->duration = *d;
  return {};
}

}  // namespace amparo

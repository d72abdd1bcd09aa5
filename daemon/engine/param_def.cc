#include "daemon/engine/param_def.h"

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

}  // namespace amparo

// Named parameters of a rule set (`params:` in the rule files): durations
// such as "immediately" turned into a configurable SLA, and integers.
#ifndef AMPARO_DAEMON_ENGINE_PARAM_DEF_H_
#define AMPARO_DAEMON_ENGINE_PARAM_DEF_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/yaml_reader.h"

namespace amparo {

struct ParamDef {
  enum class Kind { kDuration, kInt };
  std::string name;
  Kind kind = Kind::kDuration;
  Duration duration{0};  // kDuration
  int64_t number = 0;    // kInt
  std::string description;
  bool overridden = false;  // the value came from EngineOptions::param_overrides
  SourcePos pos;            // of the parameter's name
};

// The parameter called `name`, or nullptr.
const ParamDef* FindParam(const std::vector<ParamDef>& params, std::string_view name);

// The names of `params`, for "did you mean" hints.
std::vector<std::string_view> ParamNames(const std::vector<ParamDef>& params);

// Reads `text` as a parameter value, as `params:` and the overrides write it:
// an integer ("12"), else a duration ("90m", core/duration.h). Sets
// param->kind and the value. Returns "" on success, else the reason.
std::string ParseParamValue(std::string_view text, ParamDef* param);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_PARAM_DEF_H_

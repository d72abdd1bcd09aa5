// Options of the rule engine that come from the daemon config, not from the
// rule files: the age thresholds of the derived facts and the overrides of
// rule-file parameters.
#ifndef AMPARO_DAEMON_ENGINE_ENGINE_OPTIONS_H_
#define AMPARO_DAEMON_ENGINE_ENGINE_OPTIONS_H_

#include <array>
#include <map>
#include <string>
#include <string_view>

namespace amparo {

struct EngineOptions {
  // subject.minor: under this age (years) is a minor.
  int minor_age = 18;
  // subject.minor: a doubtful age (no document) below minor_age + this margin
  // is presumed a minor (the presumption of minority, LGDNNA art. 5, 8 USC 1232(b)(4)).
  int doubtful_margin_years = 2;
  // subject.tender_age: under this age (years). ORR practice, not statute.
  int tender_age_below = 13;
  // Replaces the value of a rule-file parameter (`params:`), by name. The text
  // is read like the parameter's own value ("90m", or an integer); an unknown
  // name or a value of the wrong kind is a load error.
  std::map<std::string, std::string> param_overrides;
};

// The values each age option may take. amparod.yaml (`rules:`) and rule tests
// (`options:`) both check against these, so a test cannot use a setting the
// daemon refuses; both also require tender_age_below <= minor_age.
struct EngineOptionRange {
  std::string_view name;
  int min = 0;
  int max = 0;
};
inline constexpr EngineOptionRange kMinorAgeRange{"minor_age", 16, 21};
inline constexpr EngineOptionRange kDoubtfulMarginRange{"doubtful_margin_years", 0, 5};
inline constexpr EngineOptionRange kTenderAgeRange{"tender_age_below", 1, 18};
inline constexpr std::array<EngineOptionRange, 3> kEngineOptionRanges = {
    kMinorAgeRange, kDoubtfulMarginRange, kTenderAgeRange};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_ENGINE_OPTIONS_H_

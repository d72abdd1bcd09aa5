// Helpers for the engine tests: events built in C++, and rule sets loaded
// from strings.
#ifndef AMPARO_TESTS_UNIT_ENGINE_ENGINE_TEST_UTIL_H_
#define AMPARO_TESTS_UNIT_ENGINE_ENGINE_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daemon/engine/rule_set.h"
#include "daemon/event/event.h"

namespace amparo::testing {

// The instant of a local wall time at a UTC offset.
inline Timestamp LocalTime(date::year_month_day day, std::chrono::minutes time_of_day,
                           int offset_minutes) {
  const auto local = date::sys_days(day) + time_of_day;
  return {std::chrono::time_point_cast<Duration>(local - std::chrono::minutes(offset_minutes)),
          offset_minutes};
}

// An unaccompanied Honduran 15-year-old (declared) apprehended by CBP in
// Texas on 2 March 2026 at 10:00 -06:00.
inline Event ChildEvent(EventType type = EventType::kApprehension) {
  using namespace date::literals;  // NOLINT(google-build-using-namespace)
  Event e;
  e.event_id = "ev-1";
  e.type = type;
  e.occurred_at = LocalTime(2026_y / date::March / 2, std::chrono::hours(10), -360);
  e.authority = {"US", "CBP-USBP", std::nullopt};
  e.location = {"US", "US-TX", std::nullopt, std::nullopt};
  e.subject.id = "case-1";
  e.subject.nationalities = {"HN"};
  e.subject.accompaniment = Accompaniment::kUnaccompanied;
  e.subject.age = Age{15, AgeBasis::kDeclared};
  return e;
}

// Loads `texts` as files a.yaml, b.yaml, ...; REQUIREs success.
inline std::shared_ptr<const RuleSet> LoadRules(const std::vector<std::string>& texts,
                                                const EngineOptions& options = {}) {
  std::vector<RuleSource> sources;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    sources.push_back({std::string(1, static_cast<char>('a' + i)) + ".yaml", texts[i]});
  }
  Diagnostics diags;
  auto set = RuleSet::Load(sources, options, &diags);
  INFO(diags.ToString());
  REQUIRE(set.ok());
  return *set;
}

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_UNIT_ENGINE_ENGINE_TEST_UTIL_H_

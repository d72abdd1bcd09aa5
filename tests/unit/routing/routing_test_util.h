// Helpers shared by the routing tests: directories from disk, events, times.
#ifndef AMPARO_TESTS_UNIT_ROUTING_ROUTING_TEST_UTIL_H_
#define AMPARO_TESTS_UNIT_ROUTING_ROUTING_TEST_UTIL_H_

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daemon/event/event.h"
#include "daemon/routing/directory.h"
#include "tests/support/temp_dir.h"

namespace amparo::testing {

// The *.yaml files of `dir` whose names start with `prefix`, sorted by name;
// each source is named by its file name.
inline std::vector<DirectorySource> ReadSources(const std::filesystem::path& dir,
                                                const std::string& prefix = "") {
  std::vector<DirectorySource> sources;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && entry.path().extension() == ".yaml") {
      sources.push_back({name, ReadFile(entry.path())});
    }
  }
  std::sort(sources.begin(), sources.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return sources;
}

// Loads YAML text as a one-file directory; fails the test on any error.
inline std::shared_ptr<const Directory> LoadText(const std::string& text) {
  Diagnostics diags;
  auto dir = Directory::Load({{"test.yaml", text}}, &diags);
  INFO(diags.ToString());
  REQUIRE(dir.ok());
  return *dir;
}

// The shipped sample directory, config/directory; fails the test on errors.
inline std::shared_ptr<const Directory> SampleDirectory() {
  Diagnostics diags;
  auto dir = Directory::Load(ReadSources(SourcePath("config/directory")), &diags);
  INFO(diags.ToString());
  REQUIRE(dir.ok());
  return *dir;
}

// The instant of local time `y-m-d hh:mm` at UTC offset `offset_minutes`.
inline Timestamp LocalTime(date::year_month_day day, int hh, int mm, int offset_minutes) {
  const auto local = date::sys_days(day) + std::chrono::hours(hh) + std::chrono::minutes(mm);
  return {Instant(local - std::chrono::minutes(offset_minutes)), offset_minutes};
}

// An apprehension of a 15-year-old of `nationalities` at `admin1`, at local
// time `when`.
inline Event Apprehension(std::vector<std::string> nationalities, const std::string& admin1,
                          Timestamp when) {
  Event e;
  e.event_id = "ev-1";
  e.occurred_at = when;
  e.authority = {admin1.substr(0, 2), "INM", "Tapachula"};
  e.location.country = admin1.substr(0, 2);
  e.location.admin1 = admin1;
  e.subject.id = "case-77";
  e.subject.age = Age{15, AgeBasis::kDocument};
  e.subject.nationalities = std::move(nationalities);
  e.subject.accompaniment = Accompaniment::kUnaccompanied;
  return e;
}

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_UNIT_ROUTING_ROUTING_TEST_UTIL_H_

// Helpers for the amparoctl command tests: paths under tests/data/rules and
// tests/data/ctl, and
// command output with the source folder cut off so it reads as in the repo.
#ifndef AMPARO_TESTS_UNIT_CTL_CTL_TEST_UTIL_H_
#define AMPARO_TESTS_UNIT_CTL_CTL_TEST_UTIL_H_

#include <string>

namespace amparo::testing {

// AMPARO_SOURCE_DIR/tests/data/rules/<name>.
inline std::string RulesData(const std::string& name) {
  return std::string(AMPARO_SOURCE_DIR) + "/tests/data/rules/" + name;
}

// AMPARO_SOURCE_DIR/tests/data/ctl/<name>.
inline std::string CtlData(const std::string& name) {
  return std::string(AMPARO_SOURCE_DIR) + "/tests/data/ctl/" + name;
}

// AMPARO_SOURCE_DIR/<path>, as a string. (Not named SourcePath: that is
// tests/support/temp_dir.h's, returning a path, and two functions of one name
// and one signature are one symbol to the linker, whichever it picks.)
inline std::string SourceFile(const std::string& path) {
  return std::string(AMPARO_SOURCE_DIR) + "/" + path;
}

// `text` with every "AMPARO_SOURCE_DIR/" removed.
inline std::string Relative(std::string text) {
  const std::string prefix = std::string(AMPARO_SOURCE_DIR) + "/";
  for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
    text.erase(at, prefix.size());
  }
  return text;
}

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_UNIT_CTL_CTL_TEST_UTIL_H_

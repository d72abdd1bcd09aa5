// Reading the hand-written files amparo loads (rules, directory, config):
// whole text files, and the sorted *.yaml files of a folder.
#ifndef AMPARO_DAEMON_CORE_TEXT_FILES_H_
#define AMPARO_DAEMON_CORE_TEXT_FILES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/core/status.h"

namespace amparo {

// Reads the whole file at `path`. On failure says "cannot read [WHAT ]PATH:
// <reason>" (`what` e.g. "config file"): NotFound when it does not exist,
// IOError otherwise.
Result<std::string> ReadTextFile(const std::string& path, std::string_view what = "");

// Returns OK if the secret file at `path` can be read and is not empty;
// InvalidArgument naming the path (never the content) otherwise.
Status CheckSecretFile(const std::string& path);

// The paths of the regular files DIR/*.yaml, sorted by name. Returns IOError
// when `dir` is not a readable folder.
Result<std::vector<std::string>> ListYamlFiles(const std::string& dir);

// Reads DIR/*.yaml, sorted by name: (path, text) pairs.
Result<std::vector<std::pair<std::string, std::string>>> ReadYamlFolder(const std::string& dir);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_TEXT_FILES_H_

// Reading rule files from disk for the amparoctl commands (the engine itself
// does no I/O).
#ifndef AMPARO_DAEMON_CTL_RULE_FILES_H_
#define AMPARO_DAEMON_CTL_RULE_FILES_H_

#include <string>
#include <vector>

#include "daemon/core/status.h"
#include "daemon/engine/rule_set.h"

namespace amparo {

// Reads the whole file at `path`. Returns IOError naming the path on failure.
Result<std::string> ReadTextFile(const std::string& path);

// The paths of the regular files DIR/*.yaml, sorted by name. Returns IOError
// when `dir` is not a readable folder.
Result<std::vector<std::string>> ListYamlFiles(const std::string& dir);

// Reads DIR/*.yaml, sorted by name, as rule sources whose paths are
// "DIR/name.yaml".
Result<std::vector<RuleSource>> ReadRuleFiles(const std::string& dir);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_RULE_FILES_H_

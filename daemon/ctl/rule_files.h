// Reading the rule set and the agency directory from disk for the amparoctl
// commands (the engine and routing do no I/O). Whole files and folder listings
// come from daemon/core/text_files.h.
#ifndef AMPARO_DAEMON_CTL_RULE_FILES_H_
#define AMPARO_DAEMON_CTL_RULE_FILES_H_

#include <memory>
#include <string>
#include <vector>

#include "daemon/core/status.h"
#include "daemon/core/text_files.h"
#include "daemon/core/yaml_reader.h"
#include "daemon/engine/rule_set.h"
#include "daemon/routing/directory.h"

namespace amparo {

// Reads DIR/*.yaml, sorted by name, as rule sources whose paths are
// "DIR/name.yaml".
Result<std::vector<RuleSource>> ReadRuleFiles(const std::string& dir);

// Reads DIR/*.yaml and loads them as one rule set. A folder that cannot be
// read returns its IOError with *diags untouched; rule mistakes go to *diags
// and return InvalidArgument.
Result<std::shared_ptr<const RuleSet>> LoadRuleFolder(const std::string& dir,
                                                      const EngineOptions& options,
                                                      Diagnostics* diags);

// Reads DIR/*.yaml, sorted by name, as directory sources.
Result<std::vector<DirectorySource>> ReadDirectoryFiles(const std::string& dir);

// Reads and loads the agency directory in `dir`, as amparod does: a channel
// type this build cannot deliver to is a mistake. Adds every mistake to
// *diags (a folder that cannot be read as "DIR:1:1: directory: ...") and
// returns an error, or the directory.
Result<std::shared_ptr<const Directory>> LoadDirectoryFolder(const std::string& dir,
                                                             Diagnostics* diags);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_RULE_FILES_H_

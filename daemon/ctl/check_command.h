// `amparoctl check`: validates the rule files (and, once wired, the agency
// directory and the daemon config) and prints every mistake as
// "file:line:col: message (hint: ...)".
#ifndef AMPARO_DAEMON_CTL_CHECK_COMMAND_H_
#define AMPARO_DAEMON_CTL_CHECK_COMMAND_H_

#include <ostream>
#include <string>

#include "daemon/core/status.h"
#include "daemon/core/yaml_reader.h"
#include "daemon/engine/engine_options.h"

namespace amparo {

struct CheckOptions {
  std::string rules_dir = "rules";
  std::string directory_dir;  // empty: not checked
  std::string config_file;    // empty: not checked
};

// Runs the check, writing diagnostics and a summary to `out`. Returns the
// exit code: 0 when everything is valid, 1 otherwise.
int RunCheck(const CheckOptions& options, std::ostream& out);

// HOOK(--config): loads the daemon config at `path`, adds its mistakes to
// *diags and sets *engine from its `rules:` section (ages, param overrides).
// Not wired yet: returns Unavailable and RunCheck says so.
Status CheckConfigHook(const std::string& path, EngineOptions* engine, Diagnostics* diags);

// HOOK(--directory): loads the agency directory in `dir` and adds its
// mistakes to *diags. Not wired yet: returns Unavailable and RunCheck says so.
Status CheckDirectoryHook(const std::string& dir, Diagnostics* diags);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_CHECK_COMMAND_H_

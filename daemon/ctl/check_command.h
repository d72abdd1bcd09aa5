// `amparoctl check`: validates the rule files, the agency directory and the
// daemon config, and prints every mistake as
// "file:line:col: message (hint: ...)".
//
//  * --rules DIR: the rule files DIR/*.yaml (default "rules", or with
//    --config the config's rules.dir);
//  * --directory DIR: the agency directory DIR/*.yaml, every diagnostic;
//  * --config FILE: the daemon config as the daemon reads it
//    (LoadConfigFile). When it loads, the rules and the directory are checked
//    together as the daemon would load them (LoadPolicy: also the unrouted
//    agency and the channel types this build can send on), from the config's
//    rules.dir and directory.dir unless --rules or --directory replaces them,
//    with the config's engine options.
#ifndef AMPARO_DAEMON_CTL_CHECK_COMMAND_H_
#define AMPARO_DAEMON_CTL_CHECK_COMMAND_H_

#include <ostream>
#include <string>

namespace amparo {

struct CheckOptions {
  std::string rules_dir;      // empty: "rules", or the config's rules.dir
  std::string directory_dir;  // empty: not checked, or the config's directory.dir
  std::string config_file;    // empty: no config
};

// Runs the check, writing diagnostics and a summary to `out`: every mistake,
// then "N errors"; or one "...: OK" line per thing checked. Returns the exit
// code: 0 when everything is valid, 78 (EX_CONFIG) otherwise.
int RunCheck(const CheckOptions& options, std::ostream& out);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_CHECK_COMMAND_H_

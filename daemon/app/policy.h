// The policy a daemon runs with: the rule set and the agency directory,
// loaded together from the config's folders and checked against each other
// and against this build's adapters. Loading is all or nothing, so a SIGHUP
// with a broken file leaves the old policy in force (DESIGN.md §8).
#ifndef AMPARO_DAEMON_APP_POLICY_H_
#define AMPARO_DAEMON_APP_POLICY_H_

#include <memory>

#include "daemon/app/config.h"
#include "daemon/core/status.h"
#include "daemon/core/yaml_reader.h"
#include "daemon/engine/rule_set.h"
#include "daemon/routing/directory.h"

namespace amparo {

struct Policy {
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const Directory> directory;
};

// The engine options the config asks for.
EngineOptions EngineOptionsFrom(const RulesConfig& rules);

// Loads config.rules.dir and config.directory.dir. Every problem in every
// file goes to *diags (file:line:col); a missing folder, an unknown unrouted
// agency or a channel type this build cannot send on (smtp without
// config.smtp.url) is an error too.
// Returns InvalidArgument when anything is wrong.
Result<Policy> LoadPolicy(const Config& config, Diagnostics* diags);

}  // namespace amparo

#endif  // AMPARO_DAEMON_APP_POLICY_H_

// The rule set as a Markdown table, for `amparoctl rules --markdown`: what a
// lawyer reviews and what rules/README.md can embed.
#ifndef AMPARO_DAEMON_CTL_RULES_MARKDOWN_H_
#define AMPARO_DAEMON_CTL_RULES_MARKDOWN_H_

#include <ostream>
#include <string>

#include "daemon/engine/engine_options.h"
#include "daemon/engine/rule_set.h"

namespace amparo {

// Renders `rules` as one Markdown table with the columns
//   kind | file | id | obligation | legal basis | severity | deadline | notify | inhibited by
// Rows: the rules, then the clocks, then the inhibits; within each kind,
// sorted by file name, then id. A deadline is the rule's ack_within or the
// clock's warn/due as written, with the effective value of a $parameter in
// brackets ("ack 48h", "ack $sla (1d)"). "inhibited by" lists, for a rule or clock, each inhibit
// that may withhold one of its roles ("int-3-x: consulate"); for an inhibit
// row the notify column lists the roles it withholds and "inhibited by" the
// rules it applies to ("all" when unrestricted). Cells are single lines with
// `|` escaped. Pure: the same rule set always gives the same text.
std::string RulesMarkdown(const RuleSet& rules);

struct RulesCommandOptions {
  std::string rules_dir = "rules";
  bool markdown = false;  // the only format so far; required
  EngineOptions engine;
};

// `amparoctl rules --markdown`: loads the rules and prints RulesMarkdown.
// Returns the exit code: 0, or 1 when the rules do not load (their mistakes
// are printed) or --markdown is missing.
int RunRulesCommand(const RulesCommandOptions& options, std::ostream& out);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_RULES_MARKDOWN_H_

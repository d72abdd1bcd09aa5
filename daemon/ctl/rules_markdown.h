// The rule set as a Markdown table, for `amparoctl rules --markdown`: what a
// lawyer reviews and what README.md embeds; and the fields that conditions
// may use, for `amparoctl rules --fields`: rules/FIELDS.md, what a policy
// officer writes conditions with.
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

// The condition fields (schema.h AllFields()) as the Markdown document
// rules/FIELDS.md: a title, how to read the table, and one table with the
// columns
//   field | type | optional | meaning | values
// in the schema's order. "optional" is "yes" for a field that may be absent
// from an event, "no (may be empty)" for a list; "values" lists the allowed
// values of an enumerated field (its domain), else "—". Pure: it depends on
// this build only, not on a rule set.
std::string FieldsMarkdown();

struct RulesCommandOptions {
  std::string rules_dir = "rules";
  bool markdown = false;  // the rule table (RulesMarkdown)
  bool fields = false;    // the condition fields (FieldsMarkdown); no rules needed
  EngineOptions engine;
};

// `amparoctl rules --markdown`: loads the rules and prints RulesMarkdown.
// `amparoctl rules --fields`: prints FieldsMarkdown.
// Returns the exit code: 0, or 1 when the rules do not load (their mistakes
// are printed) or not exactly one of --markdown and --fields is given.
int RunRulesCommand(const RulesCommandOptions& options, std::ostream& out);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_RULES_MARKDOWN_H_

// A loaded, checked and compiled rule set (DESIGN.md §4), and the plain
// definitions it was read from, for documentation and tools.
//
// Rule files are YAML with four optional top-level sections:
//
//   params:   name -> {value: 1h | 12, description: "..."}; used as $name in
//             ack_within / warn / due (durations) and in conditions (integers);
//             EngineOptions::param_overrides may replace values.
//   rules:    - {id, title: {en, es[, fr]}, legal_basis: [...], when, severity,
//                notify: [roles], ack_within?, summary?: {en, es[, fr]},
//                evidence?, enabled?}
//   clocks:   - {id, title, legal_basis, start, stop, key, anchor?, warn?, due,
//                notify, severity}
//   inhibit:  - {id, when, recipients: [roles], reason, rules?: [ids]}
//
// Ids are kebab-case and unique across all files and sections. Every mistake
// in every file is reported, at file:line:col, before anything is used.
//
// Thread-safety: a RuleSet is immutable; share it as shared_ptr<const RuleSet>.
#ifndef AMPARO_DAEMON_ENGINE_RULE_SET_H_
#define AMPARO_DAEMON_ENGINE_RULE_SET_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/status.h"
#include "daemon/core/yaml_reader.h"
#include "daemon/engine/condition.h"
#include "daemon/engine/decision.h"
#include "daemon/engine/engine_options.h"
#include "daemon/engine/param_def.h"

namespace amparo {

// One rule file. The caller reads files; the engine is pure.
struct RuleSource {
  std::string path;  // used in diagnostics
  std::string text;
};

// A duration written in a rule file: a literal ("2h") or a parameter ("$sla").
struct DurationSetting {
  Duration value{0};
  std::string text;  // as written
};

struct RuleDef {
  std::string id;
  LocalizedText title;
  std::vector<std::string> legal_basis;
  Condition when;
  Severity severity = Severity::kWarning;
  std::vector<std::string> notify;  // roles (decision.h kRoles)
  std::optional<DurationSetting> ack_within;
  LocalizedText summary;  // empty when not given
  std::string evidence;   // free text: the [V]/[S]/[U] label and its source
  bool enabled = true;
  SourcePos pos;  // of the id (of the entry when it has none)
};

struct ClockDef {
  // Where the clock starts counting.
  enum class Anchor {
    kOccurredAt,  // the event's occurred_at
    // The event's custody.start when present; else, for an event that is
    // not itself a custody event (e.g. an age assessment that finds a minor
    // booked as an adult) while the subject is in custody, the start of that
    // custody (CaseSnapshot::custody_since); else occurred_at.
    kCustodyStart,
    // The event's custody.detention_review_at when present, else occurred_at:
    // the periodic detention reviews count from the last review (CA-3).
    kDetentionReviewAt,
  };
  std::string id;
  LocalizedText title;
  std::vector<std::string> legal_basis;
  Condition start;
  Condition stop;
  const FieldDef* key = nullptr;  // a string field, usually subject.id
  Anchor anchor = Anchor::kOccurredAt;
  std::optional<DurationSetting> warn;  // < due
  DurationSetting due;
  std::vector<std::string> notify;
  Severity severity = Severity::kWarning;
  SourcePos pos;
};

struct InhibitDef {
  std::string id;
  Condition when;
  std::vector<std::string> recipients;  // roles withheld
  std::string reason;
  std::vector<std::string> rules;  // rule and clock ids; empty: all
  SourcePos pos;
};

class RuleSet {
 public:
  // Loads all sources together. Returns the rule set, or InvalidArgument after
  // adding every error in every file to *diags (which may already hold other
  // diagnostics; they are kept).
  static Result<std::shared_ptr<const RuleSet>> Load(const std::vector<RuleSource>& sources,
                                                     const EngineOptions& options,
                                                     Diagnostics* diags);

  // The definitions, in file order (files in the order given).
  const std::vector<RuleDef>& rules() const { return rules_; }
  const std::vector<ClockDef>& clocks() const { return clocks_; }
  const std::vector<InhibitDef>& inhibits() const { return inhibits_; }
  // Parameters with their effective values (after overrides).
  const std::vector<ParamDef>& params() const { return params_; }
  const EngineOptions& options() const { return options_; }

 private:
  friend class RuleFileReader;  // rule_file_reader.cc

  std::vector<RuleDef> rules_;
  std::vector<ClockDef> clocks_;
  std::vector<InhibitDef> inhibits_;
  std::vector<ParamDef> params_;
  EngineOptions options_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_RULE_SET_H_

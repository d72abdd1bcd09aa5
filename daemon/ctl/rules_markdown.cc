#include "daemon/ctl/rules_markdown.h"

#include <algorithm>
#include <filesystem>
#include <tuple>
#include <vector>

#include "daemon/core/duration.h"
#include "daemon/core/exit_codes.h"
#include "daemon/ctl/rule_files.h"
#include "daemon/engine/schema.h"

namespace amparo {

namespace {

// One table cell: newlines and runs of spaces folded, `|` escaped.
std::string Cell(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

std::string FileName(const SourcePos& pos) {
  return std::filesystem::path(pos.file).filename().string();
}

// A literal as written ("72h"), or "$sla (24h)" for a parameter with its
// effective value.
std::string DurationText(const DurationSetting& d) {
  if (!d.text.empty() && d.text[0] == '$') return d.text + " (" + FormatDuration(d.value) + ")";
  return d.text;
}

std::string Title(const LocalizedText& title) {
  auto it = title.find("en");
  return it != title.end() ? it->second : (title.empty() ? "" : title.begin()->second);
}

bool AppliesTo(const InhibitDef& inhibit, const std::string& id) {
  return inhibit.rules.empty() ||
         std::find(inhibit.rules.begin(), inhibit.rules.end(), id) != inhibit.rules.end();
}

// "inhibit-id: role, role; other-id: role" for the inhibits that can withhold
// one of `roles` from rule or clock `id`.
std::string InhibitedBy(const RuleSet& rules, const std::string& id,
                        const std::vector<std::string>& roles) {
  std::vector<std::string> parts;
  for (const InhibitDef& inhibit : rules.inhibits()) {
    if (!AppliesTo(inhibit, id)) continue;
    std::vector<std::string> withheld;
    for (const std::string& role : inhibit.recipients) {
      if (std::find(roles.begin(), roles.end(), role) != roles.end()) withheld.push_back(role);
    }
    if (!withheld.empty()) parts.push_back(inhibit.id + ": " + Join(withheld, ", "));
  }
  return parts.empty() ? "—" : Join(parts, "; ");
}

struct Row {
  std::string file, id;
  std::vector<std::string> cells;  // after kind
};

void SortRows(std::vector<Row>* rows) {
  std::sort(rows->begin(), rows->end(), [](const Row& a, const Row& b) {
    return std::tie(a.file, a.id) < std::tie(b.file, b.id);
  });
}

void Emit(std::string_view kind, const std::vector<Row>& rows, std::string* out) {
  for (const Row& row : rows) {
    *out += "| " + std::string(kind);
    for (const std::string& cell : row.cells) *out += " | " + Cell(cell.empty() ? "—" : cell);
    *out += " |\n";
  }
}

}  // namespace

std::string RulesMarkdown(const RuleSet& rules) {
  std::vector<Row> rule_rows, clock_rows, inhibit_rows;
  for (const RuleDef& r : rules.rules()) {
    const std::string file = FileName(r.pos);
    std::string id = "`" + r.id + "`";
    if (!r.enabled) id += " (disabled)";
    rule_rows.push_back({file,
                         r.id,
                         {file, id, Title(r.title), Join(r.legal_basis, "; "),
                          std::string(SeverityName(r.severity)),
                          r.ack_within ? "ack " + DurationText(*r.ack_within) : "",
                          Join(r.notify, ", "), InhibitedBy(rules, r.id, r.notify)}});
  }
  for (const ClockDef& c : rules.clocks()) {
    const std::string file = FileName(c.pos);
    std::string deadline = c.warn ? "warn " + DurationText(*c.warn) + ", " : "";
    deadline += "due " + DurationText(c.due);
    if (c.anchor == ClockDef::Anchor::kCustodyStart) deadline += " from custody.start";
    if (c.anchor == ClockDef::Anchor::kDetentionReviewAt) {
      deadline += " from custody.detention_review_at";
    }
    clock_rows.push_back({file,
                          c.id,
                          {file, "`" + c.id + "`", Title(c.title), Join(c.legal_basis, "; "),
                           std::string(SeverityName(c.severity)), deadline, Join(c.notify, ", "),
                           InhibitedBy(rules, c.id, c.notify)}});
  }
  for (const InhibitDef& i : rules.inhibits()) {
    const std::string file = FileName(i.pos);
    inhibit_rows.push_back(
        {file,
         i.id,
         {file, "`" + i.id + "`", i.reason, "", "", "", "withholds " + Join(i.recipients, ", "),
          i.rules.empty() ? "applies to all" : "applies to " + Join(i.rules, ", ")}});
  }
  SortRows(&rule_rows);
  SortRows(&clock_rows);
  SortRows(&inhibit_rows);
  std::string out =
      "| kind | file | id | obligation | legal basis | severity | deadline | notify | inhibited by "
      "|\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  Emit("rule", rule_rows, &out);
  Emit("clock", clock_rows, &out);
  Emit("inhibit", inhibit_rows, &out);
  return out;
}

std::string FieldsMarkdown() {
  std::string out =
      "# Condition fields\n"
      "\n"
      "<!-- Generated by `amparoctl rules --fields` from daemon/engine/schema.cc: do not edit.\n"
      "     The CTest \"rules: FIELDS.md matches amparoctl rules --fields\" fails while it is "
      "stale. -->\n"
      "\n"
      "Every field that a rule's `when`, a clock's `start`, `stop` and `key`, and an\n"
      "inhibit's `when` may use, as the rule loader checks them. A misspelt field, or\n"
      "a value that is not of the field's type (an enum value not in its list), is a\n"
      "load error at its file:line:col.\n"
      "\n"
      "* **type**: `bool`, `int`, `string`, `instant` (usable only with `has(...)`),\n"
      "  an enumerated type (written as a quoted value from the values column), or\n"
      "  `list<...>` (use `\"v\" in field`, and `has(field)` for \"not empty\").\n"
      "* **optional**: `yes` when the field may be absent from an event. A\n"
      "  comparison with an absent field is false, so `x != \"v\"` is false when `x`\n"
      "  is absent: write `!has(x) || x != \"v\"` to mean \"absent or not v\"\n"
      "  (daemon/engine/condition.h). A list is never absent, only empty.\n"
      "* **meaning**: `derived:` marks a value amparo computes from the event (the\n"
      "  engine options `minor_age`, `doubtful_margin_years` and `tender_age_below`\n"
      "  set the age thresholds); `case.*` fields describe the subject's case as it\n"
      "  stood before this event.\n"
      "\n"
      "| field | type | optional | meaning | values |\n"
      "|---|---|---|---|---|\n";
  for (const FieldDef& f : AllFields()) {
    std::vector<std::string> values;
    if (f.type.domain != nullptr) {
      for (std::string_view name : f.type.domain->names)
        values.push_back("`" + std::string(name) + "`");
    }
    const std::string optional = f.type.list ? "no (may be empty)" : (f.optional ? "yes" : "no");
    out += "| `" + std::string(f.path) + "` | " + Cell(TypeName(f.type)) + " | " + optional +
           " | " + Cell(f.doc) + " | " + (values.empty() ? "—" : Join(values, ", ")) + " |\n";
  }
  return out;
}

int RunRulesCommand(const RulesCommandOptions& options, std::ostream& out) {
  if (options.markdown == options.fields) {
    out << "amparoctl rules: say --markdown (the rule table) or --fields (the condition "
           "fields)\n";
    return kExitUsage;
  }
  if (options.fields) {
    out << FieldsMarkdown();
    return 0;
  }
  Diagnostics diags;
  auto rules = LoadRuleFolder(options.rules_dir, options.engine, &diags);
  if (!rules.ok()) {
    // An unreadable folder has no diagnostics; say what the read said.
    out << diags.ToString() << (diags.empty() ? rules.status().message() : "the rules do not load")
        << "\n";
    return kExitConfig;
  }
  out << RulesMarkdown(**rules);
  return 0;
}

}  // namespace amparo

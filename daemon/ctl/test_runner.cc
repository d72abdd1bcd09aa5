#include "daemon/ctl/test_runner.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "daemon/core/exit_codes.h"
#include "daemon/ctl/rule_files.h"
#include "daemon/ctl/test_coverage.h"
#include "daemon/engine/clock_table.h"
#include "daemon/engine/param_def.h"
#include "daemon/engine/suggest.h"
#include "daemon/event/event_codec.h"
#include "daemon/event/rfc3339.h"
#include "daemon/routing/decide.h"

namespace amparo {

namespace {

// "[a, b]", sorted.
std::string SortedList(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string out = "[";
  for (const std::string& item : items) out += (out.size() > 1 ? ", " : "") + item;
  return out + "]";
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string InhibitionText(const std::string& rule, const std::string& role) {
  return rule + ": " + role;
}

// What one step produced.
struct StepOutcome {
  std::vector<std::string> fired;
  ClockTable::Changes clocks;
  std::vector<std::string> warned;
  std::vector<std::string> due;
  std::vector<std::string> inhibited;   // InhibitionText
  std::vector<std::string> recipients;  // agency ids, once each
};

// Compares one step's outcome with its expectation.
class StepChecker {
 public:
  StepChecker(const RuleTestStep& step, std::string label, std::vector<TestFailure>* failures)
      : step_(step), label_(std::move(label)), failures_(failures) {}

  void Check(const StepOutcome& got) {
    const StepExpectation& e = step_.expect;
    if (e.fired) AllOf("fired", e.fired->ids, got.fired);
    if (e.not_fired) NoneOf("not_fired", e.not_fired->ids, got.fired);
    if (e.fired_exactly) Exactly("fired_exactly", e.fired_exactly->ids, got.fired);
    if (e.clocks_started) Exactly("clocks_started", e.clocks_started->ids, got.clocks.started);
    if (e.clocks_stopped) Exactly("clocks_stopped", e.clocks_stopped->ids, got.clocks.stopped);
    if (e.clocks_warned) Exactly("clocks_warned", e.clocks_warned->ids, got.warned);
    if (e.clocks_due) Exactly("clocks_due", e.clocks_due->ids, got.due);
    if (e.inhibited) AllOf("inhibited", Texts(*e.inhibited), got.inhibited);
    if (e.not_inhibited) NoneOf("not_inhibited", Texts(*e.not_inhibited), got.inhibited);
    if (e.recipients) AllOf("recipients", e.recipients->ids, got.recipients);
    if (e.not_recipients) NoneOf("not_recipients", e.not_recipients->ids, got.recipients);
  }

 private:
  static std::vector<std::string> Texts(const std::vector<ExpectedInhibition>& list) {
    std::vector<std::string> out;
    out.reserve(list.size());
    for (const ExpectedInhibition& i : list) out.push_back(InhibitionText(i.rule, i.role));
    return out;
  }

  void Fail(std::string_view key, std::string expected, std::string got) {
    failures_->push_back(
        {step_.pos, label_ + ": " + std::string(key), std::move(expected), std::move(got)});
  }

  void AllOf(std::string_view key, const std::vector<std::string>& want,
             const std::vector<std::string>& got) {
    for (const std::string& w : want) {
      if (!Contains(got, w)) return Fail(key, "all of " + SortedList(want), SortedList(got));
    }
  }
  void NoneOf(std::string_view key, const std::vector<std::string>& unwanted,
              const std::vector<std::string>& got) {
    for (const std::string& u : unwanted) {
      if (Contains(got, u)) return Fail(key, "none of " + SortedList(unwanted), SortedList(got));
    }
  }
  void Exactly(std::string_view key, const std::vector<std::string>& want,
               const std::vector<std::string>& got) {
    if (SortedList(want) != SortedList(got)) Fail(key, SortedList(want), SortedList(got));
  }

  const RuleTestStep& step_;
  std::string label_;
  std::vector<TestFailure>* failures_;
};

// Reports expectation ids that name no rule, clock, role or agency, and
// recipient expectations without a directory (once per file).
void CheckNames(const RuleSet& rules, const Directory* directory, const RuleTest& test,
                std::vector<Diagnostic>* errors) {
  std::vector<std::string_view> rule_ids, clock_ids, any_ids;
  for (const RuleDef& r : rules.rules()) rule_ids.push_back(r.id);
  for (const ClockDef& c : rules.clocks()) clock_ids.push_back(c.id);
  any_ids = rule_ids;
  any_ids.insert(any_ids.end(), clock_ids.begin(), clock_ids.end());
  const auto check = [errors](const std::string& name, const SourcePos& pos,
                              const std::vector<std::string_view>& known, std::string_view what) {
    if (std::find(known.begin(), known.end(), name) != known.end()) return;
    std::string hint = DidYouMean(name, known);
    if (hint.empty() && what == "agency") {
      hint = "agency ids are the ids of the agencies in the --directory files";
    }
    errors->push_back({pos, "unknown " + std::string(what) + " \"" + name + "\"", hint});
  };
  const auto check_ids = [&](const std::optional<ExpectedIds>& ids,
                             const std::vector<std::string_view>& known, std::string_view what) {
    for (std::size_t i = 0; ids && i < ids->ids.size(); ++i) {
      check(ids->ids[i], ids->positions[i], known, what);
    }
  };
  const std::vector<std::string_view> roles(std::begin(kRoles), std::end(kRoles));
  std::vector<std::string_view> agency_ids;
  if (directory) {
    for (const Agency& agency : directory->agencies()) agency_ids.push_back(agency.id);
  }
  bool said_no_directory = false;
  for (const RuleTestStep& step : test.steps) {
    const StepExpectation& e = step.expect;
    for (const auto* ids : {&e.fired, &e.not_fired, &e.fired_exactly})
      check_ids(*ids, rule_ids, "rule");
    for (const auto* ids :
         {&e.clocks_started, &e.clocks_stopped, &e.clocks_warned, &e.clocks_due}) {
      check_ids(*ids, clock_ids, "clock");
    }
    for (const auto* list : {&e.inhibited, &e.not_inhibited}) {
      for (std::size_t i = 0; *list && i < (*list)->size(); ++i) {
        const ExpectedInhibition& inhibition = (**list)[i];
        check(inhibition.rule, inhibition.pos, any_ids, "rule or clock");
        check(inhibition.role, inhibition.pos, roles, "role");
      }
    }
    for (const auto* ids : {&e.recipients, &e.not_recipients}) {
      if (!*ids || (*ids)->ids.empty()) continue;
      if (directory) {
        check_ids(*ids, agency_ids, "agency");
      } else if (!said_no_directory) {
        said_no_directory = true;
        errors->push_back({(*ids)->positions.front(), "recipients need --directory",
                           "run amparoctl test --directory config/directory ..."});
      }
    }
  }
}

// Why `text` is not a value of `def`'s kind, or "".
std::string ParamKindError(const ParamDef& def, const std::string& text) {
  ParamDef value;
  std::string reason = ParseParamValue(text, &value);
  if (reason.empty() && value.kind == def.kind) return {};
  const std::string got = R"(, got ")" + text + "\"";
  if (def.kind == ParamDef::Kind::kInt) return "must be an integer" + got;
  if (!reason.empty()) return reason;
  return R"(must be a duration such as "20d")" + got;
}

// Sets the engine option `name` (rule_test_file.h OptionOverride).
void SetOption(const OptionOverride& option, EngineOptions* options) {
  if (option.name == "minor_age") options->minor_age = option.value;
  if (option.name == "doubtful_margin_years") options->doubtful_margin_years = option.value;
  if (option.name == "tender_age_below") options->tender_age_below = option.value;
}

// Adds the agencies of `alerts` to `recipients`, once each.
void AddRecipients(const std::vector<PlannedAlert>& alerts, std::vector<std::string>* recipients) {
  for (const PlannedAlert& a : alerts) {
    if (!Contains(*recipients, a.recipient.agency_id)) {
      recipients->push_back(a.recipient.agency_id);
    }
  }
}

// The step's event: base, merge-patched with the step's event, with event_id
// and occurred_at filled in unless given, decoded as any event is.
Result<Event> StepEvent(const RuleTest& test, std::size_t index, Instant at) {
  nlohmann::json json = test.base;
  json.merge_patch(*test.steps[index].event);
  if (!json.contains("event_id")) {
    json["event_id"] =
        std::filesystem::path(test.path).stem().string() + "-" + std::to_string(index + 1);
  }
  if (!json.contains("occurred_at")) {
    json["occurred_at"] = FormatRfc3339(Timestamp{at, test.start.offset_minutes});
  }
  return DecodeEvent(json.dump());
}

// The cases of a simulated run, linked as the daemon links them
// (store/case_links.h), keyed by subject.id instead of its keyed hash.
class SimulatedCases {
 public:
  // The canonical case of pseudonym `id`.
  std::string CaseOf(const std::string& id) const {
    auto it = aliases_.find(id);
    return it == aliases_.end() ? id : it->second;
  }

  CaseSnapshot& operator[](const std::string& id) { return cases_[CaseOf(id)]; }

  // Links `event`'s case to the pseudonyms it names, merging cases with
  // state the way CaseLinks::Plan and Apply do; returns the event's case
  // (its key set).
  CaseSnapshot& Link(const Event& event, Instant at, ClockTable* clocks) {
    std::vector<std::string> keys;
    auto add = [](std::vector<std::string>* list, const std::string& v) {
      if (std::find(list->begin(), list->end(), v) == list->end()) list->push_back(v);
    };
    for (const std::string& id : event.subject.previous_ids) add(&keys, id);
    add(&keys, event.subject.id);
    if (event.transfer && event.transfer->to.case_id) add(&keys, *event.transfer->to.case_id);
    std::vector<std::string> held;
    for (const std::string& k : keys) {
      const std::string c = CaseOf(k);
      if (cases_.contains(c) && cases_[c].events > 0) add(&held, c);
    }
    const std::string kept = held.empty() ? CaseOf(event.subject.id) : held.front();
    for (std::size_t i = 1; i < held.size(); ++i) {
      const bool older = last_at_[held[i]] < last_at_[kept];
      cases_[kept] = older ? MergeCases(cases_[held[i]], cases_[kept])
                           : MergeCases(cases_[kept], cases_[held[i]]);
      last_at_[kept] = std::max(last_at_[kept], last_at_[held[i]]);
      cases_.erase(held[i]);
      clocks->Rekey(held[i], kept);
    }
    for (const std::string& k : keys) {
      const std::string c = CaseOf(k);
      for (auto& [alias, target] : aliases_) {
        if (target == c) target = kept;
      }
      if (k != kept) aliases_[k] = kept;
      if (c != kept) aliases_[c] = kept;
    }
    last_at_[kept] = std::max(last_at_[kept], at);
    CaseSnapshot& snapshot = cases_[kept];
    snapshot.key = kept;
    return snapshot;
  }

 private:
  std::map<std::string, CaseSnapshot> cases_;  // By canonical subject.id.
  std::map<std::string, std::string> aliases_;
  std::map<std::string, Instant> last_at_;
};

}  // namespace

std::string TestFailure::ToString() const {
  std::string out = pos.file + ":" + std::to_string(pos.line) + ": " + what + "\n";
  if (!expected.empty() || !got.empty()) {
    out += "    expected: " + expected + "\n    got:      " + got + "\n";
  }
  return out;
}

RuleTestResult RunRuleTest(const RuleSet& rules, const RuleTest& test, const Directory* directory,
                           const std::string& unrouted) {
  RuleTestResult result{test.path, test.name, {}, {}};
  CheckNames(rules, directory, test, &result.errors);
  if (!result.errors.empty()) return result;
  SimulatedCases cases;                 // By subject.id, linked as the daemon links them.
  std::map<std::string, Event> events;  // Events that started a clock, by event_id.
  ClockTable clocks;
  const RoutingContext routing{directory, unrouted};
  for (std::size_t i = 0; i < test.steps.size(); ++i) {
    const RuleTestStep& step = test.steps[i];
    const std::string label = "step " + std::to_string(i + 1) + " (at " + step.at_text + ")";
    const Instant at = test.start.utc + step.at;
    StepOutcome outcome;
    // What the daemon's clock watcher fires by now, each at its own instant.
    for (const ClockFiring& f : clocks.Advance(at)) {
      (f.kind == ClockFiring::Kind::kWarn ? outcome.warned : outcome.due).push_back(f.clock_id);
      const RunningClock* clock = clocks.Find(f.clock_id, f.key);
      const Event& started_by = events.at(clock->event_id);
      const ClockFiringDecision fired = DecideClockFiring(
          rules, routing, *clock, f.kind, started_by, cases[started_by.subject.id], f.at);
      for (const Inhibition& inh : fired.inhibited) {
        outcome.inhibited.push_back(InhibitionText(inh.rule, inh.role));
      }
      AddRecipients(fired.alerts, &outcome.recipients);
    }
    if (step.event) {
      Result<Event> event = StepEvent(test, i, at);
      if (!event.ok()) {
        result.errors.push_back(
            {step.pos, label + ": invalid event: " + event.status().message(), ""});
        return result;
      }
      CaseSnapshot& snapshot = cases.Link(*event, at, &clocks);
      EventDecision decision = Decide(rules, routing, *event, snapshot, at);
      outcome.clocks = clocks.Apply(decision.decisions.clocks, event->event_id);
      if (!outcome.clocks.started.empty()) events.insert_or_assign(event->event_id, *event);
      for (const FiredRule& r : decision.decisions.rules) outcome.fired.push_back(r.id);
      for (const Inhibition& inh : decision.decisions.inhibited) {
        outcome.inhibited.push_back(InhibitionText(inh.rule, inh.role));
      }
      AddRecipients(decision.alerts, &outcome.recipients);
      snapshot = std::move(decision.case_after);
    }
    StepChecker(step, label, &result.failures).Check(outcome);
  }
  return result;
}

std::shared_ptr<const RuleSet> RulesForTest(const std::vector<RuleSource>& sources,
                                            std::shared_ptr<const RuleSet> rules,
                                            const RuleTest& test, std::vector<Diagnostic>* errors) {
  if (!test.has_overrides()) return rules;
  const std::size_t before = errors->size();
  EngineOptions options = rules->options();
  for (const ParamOverride& p : test.params) {
    const ParamDef* def = FindParam(rules->params(), p.name);
    if (def == nullptr) {
      errors->push_back({p.name_pos, "params." + p.name + ": no rule file defines this parameter",
                         DidYouMean(p.name, ParamNames(rules->params()))});
    } else if (std::string why = ParamKindError(*def, p.value); !why.empty()) {
      errors->push_back({p.value_pos, "params." + p.name + ": " + why, ""});
    } else {
      options.param_overrides[p.name] = p.value;
    }
  }
  const OptionOverride* tender = nullptr;
  const OptionOverride* minor = nullptr;
  for (const OptionOverride& o : test.options) {
    SetOption(o, &options);
    if (o.name == "tender_age_below") tender = &o;
    if (o.name == "minor_age") minor = &o;
  }
  if ((tender || minor) && options.tender_age_below > options.minor_age) {
    errors->push_back({(tender ? tender : minor)->pos,
                       "options.tender_age_below: must not exceed minor_age (" +
                           std::to_string(options.minor_age) + "), got " +
                           std::to_string(options.tender_age_below),
                       ""});
  }
  if (errors->size() != before) return nullptr;
  Diagnostics diags;
  auto loaded = RuleSet::Load(sources, options, &diags);
  if (loaded.ok()) return *loaded;
  // Values of the right kind that the rules still refuse, e.g. a due of 0s.
  const SourcePos at =
      test.params.empty() ? test.options.front().pos : test.params.front().name_pos;
  for (const Diagnostic& d : diags.items()) {
    errors->push_back(
        {at, "with this test's params and options the rules do not load: " + d.ToString(), ""});
  }
  return nullptr;
}

int RunTestCommand(const TestCommandOptions& options, std::ostream& out) {
  Result<std::vector<std::string>> files = ListYamlFiles(options.tests_dir);
  if (!files.ok()) {
    out << files.status().message() << "\n";
    return kExitNoInput;
  }
  Result<std::vector<RuleSource>> sources = ReadRuleFiles(options.rules_dir);
  if (!sources.ok()) {
    out << sources.status().message() << "\n";
    return kExitConfig;
  }
  Diagnostics rule_diags;
  auto rules = RuleSet::Load(*sources, options.engine, &rule_diags);
  if (!rules.ok()) {
    out << rule_diags.ToString() << "the rules do not load; no test ran\n"
        << "0 passed, " << files->size() << " failed\n";
    return kExitConfig;
  }
  std::shared_ptr<const Directory> directory;
  if (!options.directory_dir.empty()) {
    Diagnostics directory_diags;
    auto loaded = LoadDirectoryFolder(options.directory_dir, &directory_diags);
    if (loaded.ok() && directory_diags.empty()) {
      if (Status s = (*loaded)->Check(options.unrouted); !s.ok()) {
        directory_diags.Add({options.directory_dir, 1, 1},
                            "--unrouted " + options.unrouted + ": " + s.message());
      }
    }
    if (!directory_diags.empty()) {
      out << directory_diags.ToString() << "the directory does not load; no test ran\n"
          << "0 passed, " << files->size() << " failed\n";
      return kExitConfig;
    }
    directory = *loaded;
  }
  int passed = 0;
  int failed = 0;
  TestCoverage coverage(**rules);
  for (const std::string& path : *files) {
    RuleTestResult result{path, "", {}, {}};
    Result<std::string> text = ReadTextFile(path);
    Diagnostics diags;
    Result<RuleTest> test = text.ok() ? ParseRuleTest(path, *text, &diags) : text.status();
    if (test.ok()) {
      result.name = test->name;
      if (auto test_rules = RulesForTest(*sources, *rules, *test, &result.errors)) {
        result = RunRuleTest(*test_rules, *test, directory.get(), options.unrouted);
      }
      if (result.passed()) coverage.Add(*test);
    } else if (!text.ok()) {
      result.errors.push_back({{path, 0, 0}, text.status().message(), ""});
    } else {
      result.errors = diags.items();
    }
    out << (result.passed() ? "PASS " : "FAIL ") << path
        << (result.name.empty() ? "" : ": " + result.name) << "\n";
    for (const Diagnostic& d : result.errors) out << "  " << d.ToString() << "\n";
    for (const TestFailure& f : result.failures) out << "  " << f.ToString();
    (result.passed() ? passed : failed) += 1;
  }
  out << passed << " passed, " << failed << " failed\n";
  if (!options.require_coverage) return failed == 0 ? kExitOk : kExitFinding;
  const std::vector<CoverageGap> gaps = coverage.Gaps();
  out << CoverageReport(**rules, gaps);
  return failed == 0 && gaps.empty() ? kExitOk : kExitFinding;
}

}  // namespace amparo

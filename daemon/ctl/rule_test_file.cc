#include "daemon/ctl/rule_test_file.h"

#include <algorithm>
#include <charconv>

#include "daemon/core/duration.h"
#include "daemon/engine/engine_options.h"
#include "daemon/engine/suggest.h"
#include "daemon/event/rfc3339.h"

namespace amparo {

namespace {

// Reads `key` as a list of ids.
std::optional<ExpectedIds> ReadIds(MapReader* r, std::string_view key) {
  std::optional<std::vector<std::string>> ids = r->StringList(key, false);
  if (!ids) return std::nullopt;
  ExpectedIds out;
  const YAML::Node node = r->Node(key);
  for (std::size_t i = 0; i < ids->size(); ++i) {
    out.ids.push_back((*ids)[i]);
    out.positions.push_back(PosOf(node[i], r->file()));
  }
  return out;
}

// Reads `key` as a list of {rule, role}.
std::optional<std::vector<ExpectedInhibition>> ReadInhibitions(MapReader* r, std::string_view key) {
  const YAML::Node node = r->Node(key);
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  if (!node.IsSequence()) {
    r->Error(node, key, "must be a list of {rule, role}");
    return std::nullopt;
  }
  std::vector<ExpectedInhibition> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    MapReader item(node[i], r->PathOf(key) + "[" + std::to_string(i) + "]", r->file(), r->diags());
    ExpectedInhibition e;
    e.rule = item.String("rule", true).value_or("");
    e.role = item.String("role", true).value_or("");
    e.pos = PosOf(node[i], r->file());
    item.Finish();
    out.push_back(std::move(e));
  }
  return out;
}

// Reads `params:`: parameter names to values, each a scalar.
void ReadParamOverrides(MapReader* top, RuleTest* test) {
  const YAML::Node node = top->Node("params");
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    top->Error(node, "params", "must be a mapping of rule-file parameter names to values");
    return;
  }
  for (const auto& kv : node) {
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (!kv.second.IsScalar()) {
      top->diags()->Add(PosOf(kv.second, top->file()),
                        top->PathOf("params") + "." + name +
                            ": must be a duration such as \"20d\" or an integer");
      continue;
    }
    test->params.push_back(
        {name, kv.second.Scalar(), PosOf(kv.first, top->file()), PosOf(kv.second, top->file())});
  }
}

// Reads `options:`: engine options to integers in their ranges; an unknown
// option is an error with a "did you mean" hint.
void ReadOptionOverrides(MapReader* top, RuleTest* test) {
  const YAML::Node node = top->Node("options");
  MapReader r(node, top->PathOf("options"), top->file(), top->diags());
  if (!node.IsDefined() || node.IsNull() || !r.ok()) return;
  std::vector<std::string_view> names;
  names.reserve(kEngineOptionRanges.size());
  for (const EngineOptionRange& option : kEngineOptionRanges) names.push_back(option.name);
  for (const auto& kv : node) {
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    const auto* option =
        std::find_if(kEngineOptionRanges.begin(), kEngineOptionRanges.end(),
                     [&name](const EngineOptionRange& o) { return o.name == name; });
    if (option == kEngineOptionRanges.end()) {
      std::string hint = DidYouMean(name, names);
      if (hint.empty()) hint = "the options are " + JoinNames(names);
      top->diags()->Add(PosOf(kv.first, top->file()), r.PathOf(name) + ": unknown option",
                        std::move(hint));
      continue;
    }
    if (std::optional<int64_t> value = r.Int(name, false, option->min, option->max)) {
      test->options.push_back({name, static_cast<int>(*value), PosOf(kv.second, top->file())});
    }
  }
}

StepExpectation ReadExpectation(MapReader* r) {
  StepExpectation e;
  e.fired = ReadIds(r, "fired");
  e.not_fired = ReadIds(r, "not_fired");
  e.fired_exactly = ReadIds(r, "fired_exactly");
  e.clocks_started = ReadIds(r, "clocks_started");
  e.clocks_stopped = ReadIds(r, "clocks_stopped");
  e.clocks_warned = ReadIds(r, "clocks_warned");
  e.clocks_due = ReadIds(r, "clocks_due");
  e.inhibited = ReadInhibitions(r, "inhibited");
  e.not_inhibited = ReadInhibitions(r, "not_inhibited");
  e.recipients = ReadIds(r, "recipients");
  e.not_recipients = ReadIds(r, "not_recipients");
  r->Finish();
  return e;
}

}  // namespace

nlohmann::json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = YamlToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() != "?") return s;  // quoted
      if (s == "true" || s == "false") return s == "true";
      if (s == "null" || s == "~") return nullptr;
      int64_t number = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
      if (!s.empty() && ec == std::errc() && end == s.data() + s.size()) return number;
      return s;
    }
    default:
      return nullptr;
  }
}

Result<RuleTest> ParseRuleTest(const std::string& path, const std::string& text,
                               Diagnostics* diags) {
  const std::size_t before = diags->size();
  std::optional<YAML::Node> doc = ParseYaml(text, path, diags);
  if (!doc) return Status::InvalidArgument("bad rule test " + path);
  RuleTest test;
  test.path = path;
  MapReader top(*doc, "", path, diags);
  test.name = top.String("name", true).value_or("");
  if (std::optional<std::string> start = top.String("start", true)) {
    Result<Timestamp> t = ParseRfc3339(*start);
    if (t.ok()) {
      test.start = *t;
    } else {
      top.Error(top.Node("start"), "start", t.status().message());
    }
  }
  const YAML::Node base = top.Node("base");
  if (base.IsDefined() && !base.IsMap()) {
    top.Error(base, "base", "must be a mapping: the event every step starts from");
  } else if (base.IsDefined()) {
    test.base = YamlToJson(base);
  }
  ReadParamOverrides(&top, &test);
  ReadOptionOverrides(&top, &test);
  const YAML::Node steps = top.Required("steps");
  if (steps.IsDefined() && !steps.IsNull() && !steps.IsSequence()) {
    top.Error(steps, "steps", "must be a list");
  }
  for (std::size_t i = 0; steps.IsSequence() && i < steps.size(); ++i) {
    MapReader s(steps[i], "steps[" + std::to_string(i) + "]", path, diags);
    if (!s.ok()) continue;
    RuleTestStep step;
    step.pos = PosOf(steps[i], path);
    if (std::optional<Duration> at = s.DurationValue("at", true)) {
      step.at = *at;
      step.at_text = s.Node("at").Scalar();
    }
    if (!test.steps.empty() && step.at < test.steps.back().at) {
      s.Error(
          s.Node("at"), "at",
          "steps must not go back in time (the previous is at " + test.steps.back().at_text + ")");
    }
    const YAML::Node event = s.Node("event");
    if (event.IsDefined() && !event.IsMap()) {
      s.Error(event, "event", "must be a mapping merged onto base");
    } else if (event.IsDefined()) {
      step.event = YamlToJson(event);
    }
    MapReader expect(s.Node("expect"), s.PathOf("expect"), path, diags);
    step.expect = ReadExpectation(&expect);
    s.Finish();
    test.steps.push_back(std::move(step));
  }
  top.Finish();
  if (diags->size() != before) return Status::InvalidArgument("bad rule test " + path);
  return test;
}

}  // namespace amparo

#include "daemon/ctl/rule_test_file.h"

#include <charconv>

#include "daemon/core/duration.h"
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

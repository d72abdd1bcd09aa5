#include "daemon/engine/rule_file_reader.h"

#include <algorithm>

#include "daemon/core/duration.h"
#include "daemon/engine/expr_compiler.h"
#include "daemon/engine/suggest.h"

namespace amparo {

namespace {

bool IsKebabCase(std::string_view id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && id[i - 1] != '-');
    if (!ok) return false;
  }
  return true;
}

bool IsParamName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string PosText(const SourcePos& pos) {
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col);
}

}  // namespace

void RuleFileReader::Read(const std::vector<RuleSource>& sources, const EngineOptions& options) {
  out_->options_ = options;
  std::vector<File> files;
  for (const RuleSource& source : sources) {
    std::optional<YAML::Node> doc = ParseYaml(source.text, source.path, diags_);
    if (!doc) continue;
    File file;
    file.source = std::make_unique<ScalarSource>(source.path, source.text);
    file.top = std::make_unique<MapReader>(*doc, "", source.path, diags_);
    files.push_back(std::move(file));
  }
  for (File& file : files) ReadParams(&file);
  ApplyOverrides(options.param_overrides);
  for (File& file : files) ReadSections(&file);
  CheckReferences();
}

void RuleFileReader::ReadParams(File* file) {
  const YAML::Node params = file->top->Node("params");
  if (!params.IsDefined() || params.IsNull()) return;
  if (!params.IsMap()) {
    file->top->Error(params, "params", "must be a mapping of names to {value, description}");
    return;
  }
  const std::string& path = file->top->file();
  for (const auto& kv : params) {
    ParamDef param;
    param.name = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    param.pos = PosOf(kv.first, path);
    MapReader r(kv.second, "params." + param.name, path, diags_);
    const YAML::Node value = r.Required("value");
    param.description = r.String("description", true).value_or("");
    r.Finish();
    if (!IsParamName(param.name)) {
      diags_->Add(param.pos,
                  "params." + param.name + ": a parameter name is lowercase letters, digits and _");
      continue;
    }
    if (const ParamDef* first = FindParam(out_->params_, param.name)) {
      diags_->Add(param.pos, "params." + param.name + ": duplicate parameter; first defined at " +
                                 PosText(first->pos));
      continue;
    }
    if (!value.IsDefined() || value.IsNull()) continue;
    const std::string reason = value.IsScalar() ? ParseParamValue(value.Scalar(), &param)
                                                : "must be a duration such as \"1h\" or an integer";
    if (!reason.empty()) {
      r.Error(value, "value", reason);
      continue;
    }
    out_->params_.push_back(std::move(param));
  }
}

void RuleFileReader::ApplyOverrides(const std::map<std::string, std::string>& overrides) {
  for (const auto& entry : overrides) {
    const std::string& name = entry.first;
    const std::string& text = entry.second;
    auto it = std::find_if(out_->params_.begin(), out_->params_.end(),
                           [&name](const ParamDef& p) { return p.name == name; });
    if (it == out_->params_.end()) {
      diags_->Add({"param_overrides", 1, 1},
                  "param_overrides." + name + ": no rule file defines this parameter",
                  DidYouMean(name, ParamNames(out_->params_)));
      continue;
    }
    ParamDef value = *it;
    const std::string reason = ParseParamValue(text, &value);
    if (!reason.empty() || value.kind != it->kind) {
      diags_->Add(it->pos, "params." + name + ": override \"" + text + "\" is not " +
                               (it->kind == ParamDef::Kind::kInt ? "an integer" : "a duration") +
                               (reason.empty() ? "" : ": " + reason));
      continue;
    }
    value.overridden = true;
    *it = std::move(value);
  }
}

void RuleFileReader::ReadSections(File* file) {
  struct Section {
    std::string_view key;
    void (RuleFileReader::*read)(File*, const YAML::Node&, const std::string&);
  };
  static constexpr Section kSections[] = {{"rules", &RuleFileReader::ReadRule},
                                          {"clocks", &RuleFileReader::ReadClock},
                                          {"inhibit", &RuleFileReader::ReadInhibit}};
  for (const Section& section : kSections) {
    const YAML::Node list = file->top->Node(section.key);
    if (!list.IsDefined() || list.IsNull()) continue;
    if (!list.IsSequence()) {
      file->top->Error(list, section.key, "must be a list");
      continue;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      (this->*section.read)(file, list[i],
                            std::string(section.key) + "[" + std::to_string(i) + "]");
    }
  }
  file->top->Finish();
}

void RuleFileReader::CheckReferences() {
  std::vector<std::string_view> ids;
  for (const RuleDef& r : out_->rules_) ids.push_back(r.id);
  for (const ClockDef& c : out_->clocks_) ids.push_back(c.id);
  for (const Reference& ref : references_) {
    if (std::find(ids.begin(), ids.end(), ref.id) != ids.end()) continue;
    diags_->Add(ref.pos, ref.path + ": unknown rule or clock \"" + ref.id + "\"",
                DidYouMean(ref.id, ids, true));
  }
}

void RuleFileReader::ReadRule(File* file, const YAML::Node& node, const std::string& path) {
  MapReader r(node, path, file->top->file(), diags_);
  if (!r.ok()) return;
  RuleDef def;
  def.pos = PosOf(node, r.file());
  def.id = ReadId(&r, &def.pos);
  def.title = ReadLocalized(&r, "title", true);
  def.legal_basis = ReadLegalBasis(&r);
  ReadCondition(file, &r, "when", &def.when);
  def.severity = ReadSeverity(&r);
  def.notify = ReadRoles(&r, "notify");
  def.ack_within = ReadDuration(&r, "ack_within", false);
  def.summary = ReadLocalized(&r, "summary", false);
  def.evidence = r.String("evidence", false).value_or("");
  def.enabled = r.Bool("enabled", false).value_or(true);
  r.Finish();
  out_->rules_.push_back(std::move(def));
}

void RuleFileReader::ReadClock(File* file, const YAML::Node& node, const std::string& path) {
  MapReader r(node, path, file->top->file(), diags_);
  if (!r.ok()) return;
  ClockDef def;
  def.pos = PosOf(node, r.file());
  def.id = ReadId(&r, &def.pos);
  def.title = ReadLocalized(&r, "title", true);
  def.legal_basis = ReadLegalBasis(&r);
  ReadCondition(file, &r, "start", &def.start);
  ReadCondition(file, &r, "stop", &def.stop);
  def.key = ReadKeyField(file, &r);
  const std::optional<std::string> anchor =
      r.Enum("anchor", false, {"occurred_at", "custody.start", "custody.detention_review_at"});
  if (anchor == "custody.start") def.anchor = ClockDef::Anchor::kCustodyStart;
  if (anchor == "custody.detention_review_at") def.anchor = ClockDef::Anchor::kDetentionReviewAt;
  def.warn = ReadDuration(&r, "warn", false);
  def.due = ReadDuration(&r, "due", true).value_or(DurationSetting{});
  if (def.warn && def.due.value.count() > 0 && def.warn->value >= def.due.value) {
    r.Error(r.Node("warn"), "warn", "must be shorter than due (" + def.due.text + ")");
  }
  def.notify = ReadRoles(&r, "notify");
  def.severity = ReadSeverity(&r);
  r.Finish();
  out_->clocks_.push_back(std::move(def));
}

void RuleFileReader::ReadInhibit(File* file, const YAML::Node& node, const std::string& path) {
  MapReader r(node, path, file->top->file(), diags_);
  if (!r.ok()) return;
  InhibitDef def;
  def.pos = PosOf(node, r.file());
  def.id = ReadId(&r, &def.pos);
  ReadCondition(file, &r, "when", &def.when);
  def.recipients = ReadRoles(&r, "recipients");
  def.reason = r.String("reason", true).value_or("");
  def.rules = r.StringList("rules", false).value_or(std::vector<std::string>{});
  const YAML::Node rules = r.Node("rules");
  for (std::size_t i = 0; i < def.rules.size(); ++i) {
    references_.push_back({def.rules[i], PosOf(rules[i], r.file()),
                           r.PathOf("rules") + "[" + std::to_string(i) + "]"});
  }
  r.Finish();
  out_->inhibits_.push_back(std::move(def));
}

std::string RuleFileReader::ReadId(MapReader* r, SourcePos* pos) {
  const YAML::Node node = r->Node("id");
  if (node.IsDefined()) *pos = PosOf(node, r->file());
  std::optional<std::string> id = r->String("id", true);
  if (!id) return {};
  if (!IsKebabCase(*id)) {
    r->Error(node, "id", "\"" + *id + "\" is not kebab-case",
             "use lowercase letters, digits and single dashes, e.g. us-transfer-72h");
    return *id;
  }
  auto [it, inserted] = ids_.emplace(*id, *pos);
  if (!inserted) {
    r->Error(node, "id", "duplicate id \"" + *id + "\"; first defined at " + PosText(it->second));
  }
  return *id;
}

LocalizedText RuleFileReader::ReadLocalized(MapReader* r, std::string_view key, bool required) {
  const YAML::Node node = required ? r->Required(key) : r->Node(key);
  LocalizedText text;
  if (!node.IsDefined() || node.IsNull()) return text;
  MapReader m(node, r->PathOf(key), r->file(), diags_);
  for (std::string_view lang : {"en", "es", "fr"}) {
    std::optional<std::string> value = m.String(lang, lang != "fr");
    if (value) text.emplace(std::string(lang), std::move(*value));
  }
  m.Finish();
  return text;
}

std::vector<std::string> RuleFileReader::ReadLegalBasis(MapReader* r) {
  std::optional<std::vector<std::string>> basis = r->StringList("legal_basis", true);
  if (basis && basis->empty()) {
    r->Error(r->Node("legal_basis"), "legal_basis", "must cite at least one legal basis");
  }
  return basis.value_or(std::vector<std::string>{});
}

std::vector<std::string> RuleFileReader::ReadRoles(MapReader* r, std::string_view key) {
  std::optional<std::vector<std::string>> roles = r->StringList(key, true);
  if (!roles) return {};
  const YAML::Node node = r->Node(key);
  if (roles->empty()) r->Error(node, key, "must name at least one role");
  for (std::size_t i = 0; i < roles->size(); ++i) {
    const std::string& role = (*roles)[i];
    if (std::find(std::begin(kRoles), std::end(kRoles), role) != std::end(kRoles)) continue;
    diags_->Add(PosOf(node[i], r->file()),
                r->PathOf(key) + "[" + std::to_string(i) + "]: unknown role \"" + role +
                    "\"; expected one of " + JoinNames(kRoles),
                DidYouMean(role, kRoles));
  }
  return *roles;
}

Severity RuleFileReader::ReadSeverity(MapReader* r) {
  std::optional<std::string> name =
      r->Enum("severity", true, {kSeverityNames.begin(), kSeverityNames.end()});
  return name ? ParseSeverity(*name).value_or(Severity::kWarning) : Severity::kWarning;
}

void RuleFileReader::ReadCondition(File* file, MapReader* r, std::string_view key, Condition* out) {
  const YAML::Node node = r->Required(key);
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsScalar()) {
    r->Error(node, key, "must be a condition, written as a string");
    return;
  }
  std::vector<ExprError> errors;
  if (CompileCondition(node.Scalar(), out_->params_, out, &errors)) return;
  for (ExprError& e : errors) {
    diags_->Add(file->source->PosInScalar(node, e.offset), r->PathOf(key) + ": " + e.message,
                std::move(e.hint));
  }
}

std::optional<DurationSetting> RuleFileReader::ReadDuration(MapReader* r, std::string_view key,
                                                            bool required) {
  const YAML::Node node = required ? r->Required(key) : r->Node(key);
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  if (!node.IsScalar()) {
    r->Error(node, key, "must be a duration such as \"2h\" or a $parameter");
    return std::nullopt;
  }
  DurationSetting setting{Duration(0), node.Scalar()};
  const std::string& text = setting.text;
  if (!text.empty() && text[0] == '$') {
    const ParamDef* p = FindParam(out_->params_, std::string_view(text).substr(1));
    if (p == nullptr) {
      r->Error(node, key, "unknown parameter " + text,
               DidYouMean(text.substr(1), ParamNames(out_->params_)));
      return std::nullopt;
    }
    if (p->kind != ParamDef::Kind::kDuration) {
      r->Error(node, key, text + " is an integer, not a duration");
      return std::nullopt;
    }
    setting.value = p->duration;
  } else {
    Result<Duration> d = ParseDuration(text);
    if (!d.ok()) {
      r->Error(node, key, d.status().message());
      return std::nullopt;
    }
    setting.value = *d;
  }
  if (setting.value.count() <= 0) {
    r->Error(node, key, "must be longer than 0s");
    return std::nullopt;
  }
  return setting;
}

const FieldDef* RuleFileReader::ReadKeyField(File* file, MapReader* r) {
  std::optional<std::string> path = r->String("key", true);
  if (!path) return nullptr;
  const YAML::Node node = r->Node("key");
  const FieldDef* field = FindField(*path);
  if (field == nullptr) {
    ExprError e = UnknownFieldError(*path, 0);
    diags_->Add(file->source->PosInScalar(node, 0), r->PathOf("key") + ": " + e.message, e.hint);
    return nullptr;
  }
  if (field->type != ValueType{BaseType::kString}) {
    r->Error(node, "key", "must be a string field; " + *path + " is " + TypeName(field->type));
    return nullptr;
  }
  return field;
}

}  // namespace amparo

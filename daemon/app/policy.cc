#include "daemon/app/policy.h"

#include "adapters/registry.h"
#include "daemon/core/text_files.h"

namespace amparo {

EngineOptions EngineOptionsFrom(const RulesConfig& rules) {
  EngineOptions options;
  options.minor_age = rules.minor_age;
  options.doubtful_margin_years = rules.doubtful_margin_years;
  options.tender_age_below = rules.tender_age_below;
  options.param_overrides = rules.params;
  return options;
}

namespace {

Result<std::shared_ptr<const RuleSet>> LoadRules(const Config& config, Diagnostics* diags) {
  auto files = ReadYamlFolder(config.rules.dir);
  if (!files.ok()) {
    diags->Add({config.rules.dir, 1, 1}, "rules: " + files.status().message());
    return files.status();
  }
  if (files->empty()) {
    diags->Add({config.rules.dir, 1, 1},
               "rules: no *.yaml files; a daemon without rules "
               "would alert no one");
    return Status::InvalidArgument("no rule files");
  }
  std::vector<RuleSource> sources;
  for (auto& [path, text] : *files) sources.push_back({path, std::move(text)});
  return RuleSet::Load(sources, EngineOptionsFrom(config.rules), diags);
}

Result<std::shared_ptr<const Directory>> LoadDirectory(const Config& config, Diagnostics* diags) {
  auto files = ReadYamlFolder(config.directory.dir);
  if (!files.ok()) {
    diags->Add({config.directory.dir, 1, 1}, "directory: " + files.status().message());
    return files.status();
  }
  std::vector<DirectorySource> sources;
  for (auto& [path, text] : *files) sources.push_back({path, std::move(text)});
  // An smtp channel needs a relay to send through.
  const bool relay = config.smtp.url.has_value();
  auto channel_types = [relay](std::string_view type) -> Status {
    if (type == "smtp" && !relay) {
      return Status::InvalidArgument(
          "an smtp channel needs a relay: set smtp.url (and smtp.from) in amparod.yaml");
    }
    return CheckChannelType(type);
  };
  auto directory = Directory::Load(sources, diags, channel_types, CheckSecretFile);
  if (!directory.ok()) return directory;
  if (Status s = (*directory)->Check(config.directory.unrouted); !s.ok()) {
    diags->Add({config.directory.dir, 1, 1}, "directory.unrouted: " + s.message());
  }
  return directory;
}

}  // namespace

Result<Policy> LoadPolicy(const Config& config, Diagnostics* diags) {
  const size_t before = diags->size();
  auto rules = LoadRules(config, diags);
  auto directory = LoadDirectory(config, diags);
  if (!rules.ok() || !directory.ok() || diags->size() > before) {
    return Status::InvalidArgument("the rules or the directory have errors");
  }
  return Policy{*rules, *directory};
}

}  // namespace amparo

#include "daemon/ctl/rule_files.h"

#include <utility>

#include "adapters/registry.h"
#include "daemon/core/text_files.h"

namespace amparo {

Result<std::vector<RuleSource>> ReadRuleFiles(const std::string& dir) {
  auto files = ReadYamlFolder(dir);
  if (!files.ok()) return files.status();
  std::vector<RuleSource> sources;
  for (auto& [path, text] : *files) sources.push_back({path, std::move(text)});
  return sources;
}

Result<std::vector<DirectorySource>> ReadDirectoryFiles(const std::string& dir) {
  auto files = ReadYamlFolder(dir);
  if (!files.ok()) return files.status();
  std::vector<DirectorySource> sources;
  for (auto& [path, text] : *files) sources.push_back({path, std::move(text)});
  return sources;
}

Result<std::shared_ptr<const Directory>> LoadDirectoryFolder(const std::string& dir,
                                                             Diagnostics* diags) {
  Result<std::vector<DirectorySource>> sources = ReadDirectoryFiles(dir);
  if (!sources.ok()) {
    diags->Add({dir, 1, 1}, "directory: " + sources.status().message());
    return sources.status();
  }
  return Directory::Load(*sources, diags, CheckChannelType, CheckSecretFile);
}

Result<std::shared_ptr<const RuleSet>> LoadRuleFolder(const std::string& dir,
                                                      const EngineOptions& options,
                                                      Diagnostics* diags) {
  Result<std::vector<RuleSource>> sources = ReadRuleFiles(dir);
  if (!sources.ok()) return sources.status();
  return RuleSet::Load(*sources, options, diags);
}

}  // namespace amparo

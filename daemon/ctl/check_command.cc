#include "daemon/ctl/check_command.h"

#include <optional>
#include <sstream>
#include <vector>

#include "daemon/app/config.h"
#include "daemon/app/policy.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/iso3166.h"
#include "daemon/ctl/rule_files.h"
#include "daemon/engine/rule_set.h"

namespace amparo {

namespace {

// The non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string RulesSummary(std::size_t files, const RuleSet& rules) {
  return std::to_string(files) + " rule files: " + std::to_string(rules.rules().size()) +
         " rules, " + std::to_string(rules.clocks().size()) + " clocks, " +
         std::to_string(rules.inhibits().size()) + " inhibits, " +
         std::to_string(rules.params().size()) + " params: OK";
}

std::string DirectorySummary(const std::string& dir, std::size_t files,
                             const Directory& directory) {
  return "directory " + dir + ": " + std::to_string(files) + " files, " +
         std::to_string(directory.agencies().size()) + " agencies: OK";
}

// Checks the rule files in `dir`; on success appends a summary line.
void CheckRules(const std::string& dir, const EngineOptions& engine, Diagnostics* diags,
                std::vector<std::string>* summary) {
  Result<std::vector<RuleSource>> sources = ReadRuleFiles(dir);
  if (!sources.ok()) {
    diags->Add({dir, 1, 1}, "rules: " + sources.status().message());
    return;
  }
  auto rules = RuleSet::Load(*sources, engine, diags);
  if (rules.ok()) summary->push_back(RulesSummary(sources->size(), **rules));
}

// Checks the agency directory in `dir`; on success appends a summary line.
void CheckDirectory(const std::string& dir, Diagnostics* diags, std::vector<std::string>* summary) {
  const std::size_t before = diags->size();
  auto directory = LoadDirectoryFolder(dir, diags);
  if (directory.ok() && diags->size() == before) {
    summary->push_back(DirectorySummary(dir, ListYamlFiles(dir)->size(), **directory));
  }
}

}  // namespace

int RunCheck(const CheckOptions& options, std::ostream& out) {
  Diagnostics diags;
  std::vector<std::string> config_errors;  // as LoadConfigFile words them
  std::vector<std::string> summary;
  std::optional<Config> config;
  if (!options.config_file.empty()) {
    Result<Config> loaded = LoadConfigFile(options.config_file);
    if (loaded.ok()) {
      config = std::move(loaded).value();
    } else {
      config_errors = Lines(loaded.status().message());
    }
  }
  if (config) {
    // As the daemon loads its policy, with the folders given on the command
    // line instead of the config's.
    Config effective = *config;
    if (!options.rules_dir.empty()) effective.rules.dir = options.rules_dir;
    if (!options.directory_dir.empty()) effective.directory.dir = options.directory_dir;
    // The directory's codes are checked against the config's iso-codes.
    if (Status s = InstallIso3166Dir(effective.directory.iso_codes_dir); !s.ok()) {
      config_errors.push_back(options.config_file + ": directory.iso_codes_dir: " + s.message());
    }
    summary.push_back("config " + options.config_file + ": OK");
    Result<Policy> policy = LoadPolicy(effective, &diags);
    if (policy.ok()) {
      summary.push_back(RulesSummary(ListYamlFiles(effective.rules.dir)->size(), *policy->rules));
      summary.push_back(DirectorySummary(effective.directory.dir,
                                         ListYamlFiles(effective.directory.dir)->size(),
                                         *policy->directory) +
                        " (unrouted: " + effective.directory.unrouted + ")");
    }
  } else {
    // Without a usable config: what was named on the command line, with the
    // default engine options.
    if (options.config_file.empty() || !options.rules_dir.empty()) {
      CheckRules(options.rules_dir.empty() ? "rules" : options.rules_dir, EngineOptions{}, &diags,
                 &summary);
    }
    if (!options.directory_dir.empty()) CheckDirectory(options.directory_dir, &diags, &summary);
  }
  const std::size_t errors = config_errors.size() + diags.size();
  for (const std::string& line : config_errors) out << line << "\n";
  out << diags.ToString();
  if (errors > 0) {
    out << errors << (errors == 1 ? " error" : " errors") << "\n";
    return kExitConfig;
  }
  for (const std::string& line : summary) out << line << "\n";
  return kExitOk;
}

}  // namespace amparo

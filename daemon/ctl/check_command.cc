#include "daemon/ctl/check_command.h"

#include "daemon/ctl/rule_files.h"
#include "daemon/engine/rule_set.h"

namespace amparo {

Status CheckConfigHook(const std::string& path, EngineOptions* /*engine*/, Diagnostics* /*diags*/) {
  return Status::Unavailable("checking the config (" + path + ") is not wired in yet");
}

Status CheckDirectoryHook(const std::string& dir, Diagnostics* /*diags*/) {
  return Status::Unavailable("checking the directory (" + dir + ") is not wired in yet");
}

int RunCheck(const CheckOptions& options, std::ostream& out) {
  Diagnostics diags;
  EngineOptions engine;
  if (!options.config_file.empty()) {
    if (Status s = CheckConfigHook(options.config_file, &engine, &diags); !s.ok()) {
      out << "note: " << s.message() << "\n";
    }
  }
  if (!options.directory_dir.empty()) {
    if (Status s = CheckDirectoryHook(options.directory_dir, &diags); !s.ok()) {
      out << "note: " << s.message() << "\n";
    }
  }
  Result<std::vector<RuleSource>> sources = ReadRuleFiles(options.rules_dir);
  if (!sources.ok()) {
    out << sources.status().message() << "\n";
    return 1;
  }
  auto rules = RuleSet::Load(*sources, engine, &diags);
  out << diags.ToString();
  if (!diags.empty()) {
    out << diags.size() << (diags.size() == 1 ? " error" : " errors") << "\n";
    return 1;
  }
  out << sources->size() << " rule files: " << (*rules)->rules().size() << " rules, "
      << (*rules)->clocks().size() << " clocks, " << (*rules)->inhibits().size() << " inhibits, "
      << (*rules)->params().size() << " params: OK\n";
  return 0;
}

}  // namespace amparo

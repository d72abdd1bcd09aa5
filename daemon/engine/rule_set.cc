#include "daemon/engine/rule_set.h"

#include <algorithm>

#include "daemon/engine/rule_file_reader.h"

namespace amparo {

namespace {

// The position of `file` among `sources`; other files (param_overrides) last.
std::size_t FileIndex(const std::vector<RuleSource>& sources, const std::string& file) {
  const auto it = std::find_if(sources.begin(), sources.end(),
                               [&file](const RuleSource& s) { return s.path == file; });
  return static_cast<std::size_t>(it - sources.begin());
}

}  // namespace

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(const std::vector<RuleSource>& sources,
                                                     const EngineOptions& options,
                                                     Diagnostics* diags) {
  auto set = std::shared_ptr<RuleSet>(new RuleSet());
  Diagnostics found;
  RuleFileReader(set.get(), &found).Read(sources, options);
  if (found.empty()) return std::shared_ptr<const RuleSet>(std::move(set));
  // Report file by file, in the order of the sources, each in reading order.
  std::vector<Diagnostic> items = found.items();
  std::stable_sort(items.begin(), items.end(),
                   [&sources](const Diagnostic& a, const Diagnostic& b) {
                     return FileIndex(sources, a.pos.file) < FileIndex(sources, b.pos.file);
                   });
  for (Diagnostic& d : items) diags->Add(std::move(d.pos), std::move(d.message), std::move(d.hint));
  return Status::InvalidArgument(std::to_string(items.size()) +
                                 (items.size() == 1 ? " error" : " errors") + " in the rule files");
}

}  // namespace amparo

// Reads rule files into a RuleSet: the strict YAML reading behind
// RuleSet::Load (rule_set.h documents the format).
//
// Files are read in two passes: first every file's `params`, so that any
// file may use any parameter, then the overrides, then `rules`, `clocks` and
// `inhibit`; references between files (inhibit `rules:`) are checked last.
#ifndef AMPARO_DAEMON_ENGINE_RULE_FILE_READER_H_
#define AMPARO_DAEMON_ENGINE_RULE_FILE_READER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/yaml_reader.h"
#include "daemon/engine/rule_set.h"
#include "daemon/engine/scalar_source.h"

namespace amparo {

class RuleFileReader {
 public:
  // Fills *out, reporting to *diags. `out` and `diags` must outlive the reader.
  RuleFileReader(RuleSet* out, Diagnostics* diags) : out_(out), diags_(diags) {}

  // Reads all `sources` (which must outlive the reader) with `options`.
  void Read(const std::vector<RuleSource>& sources, const EngineOptions& options);

 private:
  // One parsed file and its top-level reader.
  struct File {
    std::unique_ptr<ScalarSource> source;
    std::unique_ptr<MapReader> top;
  };
  // An id that an inhibit entry refers to, checked once every file is read.
  struct Reference {
    std::string id;
    SourcePos pos;
    std::string path;
  };

  void ReadParams(File* file);
  void ApplyOverrides(const std::map<std::string, std::string>& overrides);
  void ReadSections(File* file);
  void CheckReferences();

  void ReadRule(File* file, const YAML::Node& node, const std::string& path);
  void ReadClock(File* file, const YAML::Node& node, const std::string& path);
  void ReadInhibit(File* file, const YAML::Node& node, const std::string& path);

  // Field readers: each reports its own errors and returns an empty value after one.
  // ReadId sets *pos to the id's position when there is an id.
  std::string ReadId(MapReader* r, SourcePos* pos);
  LocalizedText ReadLocalized(MapReader* r, std::string_view key, bool required);
  std::vector<std::string> ReadLegalBasis(MapReader* r);
  std::vector<std::string> ReadRoles(MapReader* r, std::string_view key);
  Severity ReadSeverity(MapReader* r);
  void ReadCondition(File* file, MapReader* r, std::string_view key, Condition* out);
  std::optional<DurationSetting> ReadDuration(MapReader* r, std::string_view key, bool required);
  const FieldDef* ReadKeyField(File* file, MapReader* r);

  RuleSet* out_;
  Diagnostics* diags_;
  std::map<std::string, SourcePos, std::less<>> ids_;  // every id, with where it was defined
  std::vector<Reference> references_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_RULE_FILE_READER_H_

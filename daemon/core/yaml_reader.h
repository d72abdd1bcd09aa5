// Strict reading of YAML files with errors at file:line:col.
//
// Rule files, the agency directory and the daemon config are all YAML that
// people write by hand. Every mistake must be reported with its position, all
// mistakes in one run, and an unknown key is a mistake (a misspelt key that is
// silently ignored is a rule that silently does nothing). These helpers do
// that once for all three loaders.
//
// Thread-safety: none; use one Diagnostics and its readers from one thread.
#ifndef AMPARO_DAEMON_CORE_YAML_READER_H_
#define AMPARO_DAEMON_CORE_YAML_READER_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"

namespace amparo {

// A position in a source file; line and col are 1-based.
struct SourcePos {
  std::string file;
  int line = 0;
  int col = 0;
};

struct Diagnostic {
  SourcePos pos;
  std::string message;  // "rules[2].severity: must be one of info, warning, high, critical"
  std::string hint;     // optional one-line help

  // "file:line:col: message" plus " (hint: ...)" when there is a hint.
  std::string ToString() const;
};

// Collects diagnostics for one or more files.
class Diagnostics {
 public:
  void Add(SourcePos pos, std::string message, std::string hint = {});
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  // Every diagnostic, one per line.
  std::string ToString() const;
  // OK when empty, else InvalidArgument carrying ToString().
  Status ToStatus() const;

 private:
  std::vector<Diagnostic> items_;
};

// The position of `node` in `file` (yaml-cpp marks are 0-based).
SourcePos PosOf(const YAML::Node& node, const std::string& file);

// Parses YAML text. On a syntax error, or a key repeated in one mapping (at
// any depth: "steps[0].event.type: duplicate key" at the repeat's position),
// adds diagnostics and returns nullopt.
std::optional<YAML::Node> ParseYaml(const std::string& text, const std::string& file,
                                    Diagnostics* diags);

// Reads one YAML mapping strictly. Each getter marks its key as known and
// reports a missing required key or a wrong type at the key's position, under
// the key path `path.key`. Finish() reports every key that no getter asked
// for. Getters return nullopt (or an empty value) after reporting an error.
class MapReader {
 public:
  // Reports an error if `node` is present but not a mapping.
  MapReader(YAML::Node node, std::string path, std::string file, Diagnostics* diags);

  // True if the node was a mapping (or absent and treated as empty).
  bool ok() const { return ok_; }
  bool Has(std::string_view key) const;
  // The raw child node (may be undefined); marks the key known.
  YAML::Node Node(std::string_view key);
  // The child node, reporting it missing when required and absent.
  YAML::Node Required(std::string_view key);

  std::optional<std::string> String(std::string_view key, bool required);
  std::optional<int64_t> Int(std::string_view key, bool required, int64_t min, int64_t max);
  std::optional<bool> Bool(std::string_view key, bool required);
  // A duration such as "2h" (core/duration.h), at least `min`.
  std::optional<Duration> DurationValue(std::string_view key, bool required,
                                        Duration min = Duration(0));
  // A string that must be one of `allowed`.
  std::optional<std::string> Enum(std::string_view key, bool required,
                                  const std::vector<std::string_view>& allowed);
  // A sequence of strings (a single string is an error, not a one-element list).
  std::optional<std::vector<std::string>> StringList(std::string_view key, bool required);

  // Reports the keys no getter asked for, at their positions.
  void Finish();

  // "path.key", or "key" when the path is empty.
  std::string PathOf(std::string_view key) const;
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  Diagnostics* diags() const { return diags_; }
  // Reports an error at `at` under `path.key`.
  void Error(const YAML::Node& at, std::string_view key, std::string message,
             std::string hint = {});

 private:
  YAML::Node node_;
  std::string path_;
  std::string file_;
  Diagnostics* diags_;
  std::set<std::string, std::less<>> known_;
  bool ok_ = true;
};

// Reads a scalar as a string, reporting an error at `path` if it is not one.
std::optional<std::string> ScalarString(const YAML::Node& node, const std::string& path,
                                        const std::string& file, Diagnostics* diags);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_YAML_READER_H_

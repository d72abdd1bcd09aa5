#include "daemon/core/yaml_reader.h"

#include <charconv>
#include <set>

#include "daemon/core/duration.h"

namespace amparo {

std::string Diagnostic::ToString() const {
  std::string out =
      pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col) + ": " + message;
  if (!hint.empty()) out += " (hint: " + hint + ")";
  return out;
}

void Diagnostics::Add(SourcePos pos, std::string message, std::string hint) {
  items_.push_back({std::move(pos), std::move(message), std::move(hint)});
}

std::string Diagnostics::ToString() const {
  std::string out;
  for (const auto& d : items_) {
    out += d.ToString();
    out += '\n';
  }
  return out;
}

Status Diagnostics::ToStatus() const {
  if (items_.empty()) return Status::OK();
  return Status::InvalidArgument(ToString());
}

SourcePos PosOf(const YAML::Node& node, const std::string& file) {
  if (!node.IsDefined()) return {file, 1, 1};  // an absent node has no position
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file, 1, 1};
  return {file, mark.line + 1, mark.column + 1};
}

namespace {

// yaml-cpp keeps both of two equal keys and a lookup sees only the first, so
// a repeated key would silently lose the second value. Reports every
// repeated key at its position, under its key path; returns how many.
// `seen` holds the text offsets of the collections already walked: an alias
// is the node it names (same offset), so a cycle (`a: &x {b: *x}`) or a
// tower of aliases is walked once, not forever.
int ReportDuplicateKeys(const YAML::Node& node, const std::string& path, const std::string& file,
                        Diagnostics* diags, std::set<int>* seen) {
  int found = 0;
  if ((node.IsMap() || node.IsSequence()) && !seen->insert(node.Mark().pos).second) return 0;
  if (node.IsMap()) {
    std::set<std::string, std::less<>> keys;
    for (const auto& kv : node) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
      const std::string key_path = path.empty() ? key : path + "." + key;
      if (kv.first.IsScalar() && !keys.insert(key).second) {
        diags->Add(PosOf(kv.first, file), key_path + ": duplicate key");
        ++found;
      }
      found += ReportDuplicateKeys(kv.second, key_path, file, diags, seen);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      found +=
          ReportDuplicateKeys(node[i], path + "[" + std::to_string(i) + "]", file, diags, seen);
    }
  }
  return found;
}

}  // namespace

std::optional<YAML::Node> ParseYaml(const std::string& text, const std::string& file,
                                    Diagnostics* diags) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diags->Add({file, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  std::set<int> seen;
  if (ReportDuplicateKeys(doc, "", file, diags, &seen) > 0) return std::nullopt;
  return doc;
}

std::optional<std::string> ScalarString(const YAML::Node& node, const std::string& path,
                                        const std::string& file, Diagnostics* diags) {
  if (!node.IsScalar()) {
    diags->Add(PosOf(node, file), path + ": must be a string");
    return std::nullopt;
  }
  return node.Scalar();
}

MapReader::MapReader(YAML::Node node, std::string path, std::string file, Diagnostics* diags)
    : node_(std::move(node)), path_(std::move(path)), file_(std::move(file)), diags_(diags) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    diags_->Add(PosOf(node_, file_), (path_.empty() ? std::string("document") : path_) +
                                         ": must be a mapping of keys to values");
    ok_ = false;
  }
}

std::string MapReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void MapReader::Error(const YAML::Node& at, std::string_view key, std::string message,
                      std::string hint) {
  diags_->Add(PosOf(at.IsDefined() ? at : node_, file_), PathOf(key) + ": " + std::move(message),
              std::move(hint));
}

bool MapReader::Has(std::string_view key) const {
  if (!ok_ || !node_.IsDefined() || !node_.IsMap()) return false;
  return node_[std::string(key)].IsDefined();
}

YAML::Node MapReader::Node(std::string_view key) {
  known_.emplace(key);
  if (!ok_ || !node_.IsDefined() || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  // A const lookup does not insert the key into the mapping. For an absent
  // key it returns a "zombie" node on which anything but IsDefined() throws;
  // hand out a plain undefined node instead, so that callers may ask it
  // IsSequence() and the like (a rule test without steps: used to abort).
  const YAML::Node& map = node_;
  YAML::Node child = map[std::string(key)];
  if (!child.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
  return child;
}

YAML::Node MapReader::Required(std::string_view key) {
  YAML::Node child = Node(key);
  if (ok_ && (!child.IsDefined() || child.IsNull())) {
    Error(node_.IsDefined() ? node_ : child, key, "is required");
  }
  return child;
}

std::optional<std::string> MapReader::String(std::string_view key, bool required) {
  YAML::Node child = required ? Required(key) : Node(key);
  if (!child.IsDefined() || child.IsNull()) return std::nullopt;
  if (!child.IsScalar()) {
    Error(child, key, "must be a string");
    return std::nullopt;
  }
  return child.Scalar();
}

std::optional<int64_t> MapReader::Int(std::string_view key, bool required, int64_t min,
                                      int64_t max) {
  YAML::Node child = required ? Required(key) : Node(key);
  if (!child.IsDefined() || child.IsNull()) return std::nullopt;
  const std::string text = child.IsScalar() ? child.Scalar() : std::string();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!child.IsScalar() || ec != std::errc() || end != text.data() + text.size()) {
    Error(child, key, "must be an integer");
    return std::nullopt;
  }
  if (value < min || value > max) {
    Error(
        child, key,
        "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + text);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> MapReader::Bool(std::string_view key, bool required) {
  YAML::Node child = required ? Required(key) : Node(key);
  if (!child.IsDefined() || child.IsNull()) return std::nullopt;
  if (child.IsScalar()) {
    const std::string& s = child.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  Error(child, key, "must be true or false");
  return std::nullopt;
}

std::optional<Duration> MapReader::DurationValue(std::string_view key, bool required,
                                                 Duration min) {
  YAML::Node child = required ? Required(key) : Node(key);
  if (!child.IsDefined() || child.IsNull()) return std::nullopt;
  if (!child.IsScalar()) {
    Error(child, key, "must be a duration such as \"2h\"");
    return std::nullopt;
  }
  Result<Duration> d = ParseDuration(child.Scalar());
  if (!d.ok()) {
    Error(child, key, d.status().message());
    return std::nullopt;
  }
  if (*d < min) {
    Error(child, key, "must be at least " + FormatDuration(min));
    return std::nullopt;
  }
  return *d;
}

std::optional<std::string> MapReader::Enum(std::string_view key, bool required,
                                           const std::vector<std::string_view>& allowed) {
  std::optional<std::string> value = String(key, required);
  if (!value) return std::nullopt;
  for (std::string_view a : allowed) {
    if (a == *value) return value;
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  Error(Node(key), key, "\"" + *value + "\" is not one of " + list);
  return std::nullopt;
}

std::optional<std::vector<std::string>> MapReader::StringList(std::string_view key, bool required) {
  YAML::Node child = required ? Required(key) : Node(key);
  if (!child.IsDefined() || child.IsNull()) return std::nullopt;
  if (!child.IsSequence()) {
    Error(child, key, "must be a list, e.g. [a, b]");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool good = true;
  for (size_t i = 0; i < child.size(); ++i) {
    const std::string item_path = PathOf(key) + "[" + std::to_string(i) + "]";
    std::optional<std::string> s = ScalarString(child[i], item_path, file_, diags_);
    if (s) {
      out.push_back(*s);
    } else {
      good = false;
    }
  }
  if (!good) return std::nullopt;
  return out;
}

void MapReader::Finish() {
  if (!ok_ || !node_.IsDefined() || !node_.IsMap()) return;
  for (const auto& kv : node_) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (known_.find(key) == known_.end()) {
      std::string known_list;
      for (const auto& k : known_) {
        if (!known_list.empty()) known_list += ", ";
        known_list += k;
      }
      diags_->Add(PosOf(kv.first, file_), PathOf(key) + ": unknown key",
                  known_list.empty() ? std::string() : "known keys here: " + known_list);
    }
  }
}

}  // namespace amparo

// Positions inside YAML scalars: maps a byte offset in a scalar's value (say,
// the column of a bad token inside a rule condition) back to file:line:col.
//
// yaml-cpp marks where a scalar starts; this class reads the raw file text
// from there, following the scalar's style:
//   * plain: the value starts at the mark;
//   * "double-quoted": one column for the quote; escapes (\" \\ \n \xXX
//     \uXXXX ...) take their written width;
//   * 'single-quoted': one for the quote; '' is one character of the value;
//   * block | and >: the value starts on the next line, after the
//     indentation of the first non-empty line.
// Line folding of flow scalars (a line break and the indentation that follows
// it are one space of the value) and of literal/folded block scalars (one
// line break per line) is followed. Limitations: in folded (>) scalars, a
// blank line folded into the line break before it, and "more indented" lines,
// may shift positions on later lines; so does an escaped line break (a
// backslash at the end of a line) in a double-quoted scalar; an explicit
// indentation indicator (|2) is ignored in favour of the first line's
// indentation; columns count bytes.
#ifndef AMPARO_DAEMON_ENGINE_SCALAR_SOURCE_H_
#define AMPARO_DAEMON_ENGINE_SCALAR_SOURCE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "daemon/core/yaml_reader.h"

namespace amparo {

// The text of one YAML file, indexed by line. Keeps a reference to `text`.
class ScalarSource {
 public:
  ScalarSource(std::string file, std::string_view text);

  // The position of byte `offset` of the value of `scalar` (a node parsed
  // from this file). Falls back to the scalar's own position when the raw text
  // does not match.
  SourcePos PosInScalar(const YAML::Node& scalar, std::size_t offset) const;

 private:
  SourcePos PosOfIndex(std::size_t index) const;
  std::size_t FlowIndex(std::size_t start, char quote, std::size_t offset) const;
  std::size_t BlockIndex(std::size_t indicator, std::size_t offset) const;

  std::string file_;
  std::string_view text_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_SCALAR_SOURCE_H_

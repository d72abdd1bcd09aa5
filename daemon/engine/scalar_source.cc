#include "daemon/engine/scalar_source.h"

#include <algorithm>

namespace amparo {

namespace {

constexpr std::size_t kNotFound = std::string_view::npos;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The number of value bytes an escape (text at `i` is the backslash) stands
// for, and its written width in *width.
std::size_t EscapeBytes(std::string_view text, std::size_t i, std::size_t* width) {
  const char kind = i + 1 < text.size() ? text[i + 1] : '\0';
  std::size_t digits = kind == 'x' ? 2 : kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
  *width = 2 + digits;
  if (digits == 0) return 1;
  unsigned long code = 0;
  for (std::size_t d = 0; d < digits && i + 2 + d < text.size(); ++d) {
    const char c = text[i + 2 + d];
    const int v = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : 0;
    code = code * 16 + static_cast<unsigned long>(v);
  }
  if (kind == 'x' || code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code < 0x10000) return 3;
  return 4;
}

}  // namespace

ScalarSource::ScalarSource(std::string file, std::string_view text)
    : file_(std::move(file)), text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

SourcePos ScalarSource::PosOfIndex(std::size_t index) const {
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), index);
  const std::size_t line = static_cast<std::size_t>(it - line_starts_.begin()) - 1;
  return {file_, static_cast<int>(line + 1), static_cast<int>(index - line_starts_[line] + 1)};
}

SourcePos ScalarSource::PosInScalar(const YAML::Node& scalar, std::size_t offset) const {
  const SourcePos fallback = PosOf(scalar, file_);
  const YAML::Mark mark = scalar.Mark();
  if (mark.is_null() || static_cast<std::size_t>(mark.line) >= line_starts_.size()) {
    return fallback;
  }
  const std::size_t start = line_starts_[mark.line] + mark.column;
  if (start >= text_.size()) return fallback;
  const char c = text_[start];
  std::size_t index = kNotFound;
  if (c == '|' || c == '>') {
    index = BlockIndex(start, offset);
  } else if (c == '"' || c == '\'') {
    index = FlowIndex(start + 1, c, offset);
  } else {
    index = FlowIndex(start, '\0', offset);
  }
  return index == kNotFound ? fallback : PosOfIndex(index);
}

// Walks a flow scalar (plain when quote is '\0') from `start` until `offset`
// bytes of the value are behind.
std::size_t ScalarSource::FlowIndex(std::size_t start, char quote, std::size_t offset) const {
  std::size_t i = start;
  std::size_t value = 0;
  while (i < text_.size()) {
    if (value >= offset) return i;
    const char c = text_[i];
    if (c == quote && quote != '\0' &&
        !(quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'')) {
      return kNotFound;  // the closing quote came first
    }
    // A line break, with the blanks around it, folds to one space, or to one
    // line break per empty line that follows.
    std::size_t j = i;
    while (j < text_.size() && IsBlank(text_[j])) ++j;
    if (j < text_.size() && text_[j] == '\n') {
      std::size_t empty_lines = 0;
      std::size_t k = j + 1;
      while (true) {
        while (k < text_.size() && IsBlank(text_[k])) ++k;
        if (k < text_.size() && text_[k] == '\n') {
          ++empty_lines;
          ++k;
        } else {
          break;
        }
      }
      value += std::max<std::size_t>(1, empty_lines);
      i = k;
      continue;
    }
    if (quote == '"' && c == '\\') {
      std::size_t width = 0;
      value += EscapeBytes(text_, i, &width);
      i += width;
    } else if (quote == '\'' && c == '\'') {
      value += 1;
      i += 2;
    } else {
      value += 1;
      i += 1;
    }
  }
  return value >= offset ? i : kNotFound;
}

// Walks a block scalar whose indicator (| or >) is at `indicator`.
std::size_t ScalarSource::BlockIndex(std::size_t indicator, std::size_t offset) const {
  std::size_t line_start = text_.find('\n', indicator);
  if (line_start == kNotFound) return kNotFound;
  ++line_start;
  std::size_t indent = kNotFound;
  std::size_t value = 0;
  while (line_start < text_.size()) {
    std::size_t end = text_.find('\n', line_start);
    if (end == kNotFound) end = text_.size();
    std::size_t blanks = 0;
    while (line_start + blanks < end && text_[line_start + blanks] == ' ') ++blanks;
    const bool empty = line_start + blanks == end;
    if (!empty && indent == kNotFound) indent = blanks;
    if (!empty) {
      if (blanks < indent) return kNotFound;  // the scalar ended
      const std::size_t length = end - line_start - indent;
      if (offset < value + length) return line_start + indent + (offset - value);
      value += length;
    }
    if (offset == value) return end;  // at the line break
    value += 1;
    line_start = end + 1;
  }
  return kNotFound;
}

}  // namespace amparo

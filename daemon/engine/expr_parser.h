// Parsing of rule conditions: a small subset of CEL (DESIGN.md §4).
//
//   condition := or
//   or        := and ("||" and)*
//   and       := rel ("&&" rel)*
//   rel       := unary (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") unary)?
//   unary     := "!" unary | primary
//   primary   := STRING | INT | "true" | "false" | "[" [literal ("," literal)*] "]"
//              | PATH | "has" "(" PATH ")" | "$" NAME | "(" or ")"
//
// Precedence: ! binds tightest, then comparisons and `in`, then &&, then ||.
// Comparisons do not chain (`a == b == c` is an error). Strings are "..."
// with the escapes \" and \\. Nesting of "(" and "!" is limited to
// kMaxExprDepth, so hostile input cannot exhaust the stack; && and || chains
// are flat, not nested. The parser knows no types: see expr_compiler.h.
#ifndef AMPARO_DAEMON_ENGINE_EXPR_PARSER_H_
#define AMPARO_DAEMON_ENGINE_EXPR_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace amparo {

inline constexpr int kMaxExprDepth = 64;

// An error inside a condition, at a byte offset of the condition text.
struct ExprError {
  std::size_t offset = 0;
  std::string message;
  std::string hint;
};

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };
std::string_view CmpOpName(CmpOp op);

// A node of the syntax tree. `offset` is where its first token starts.
struct Expr {
  enum class Kind {
    kBool,     // value
    kInt,      // number
    kString,   // text
    kList,     // children: literals
    kField,    // text: the path
    kParam,    // text: the name without "$"
    kHas,      // text: the path
    kNot,      // children[0]
    kAnd,      // children, two or more
    kOr,       // children, two or more
    kCompare,  // op, children[0] op children[1]
    kIn,       // children[0] in children[1]
  };
  Kind kind = Kind::kBool;
  std::size_t offset = 0;
  bool value = false;
  int64_t number = 0;
  std::string text;
  CmpOp op = CmpOp::kEq;
  std::vector<Expr> children;
};

// Parses `text`. On a syntax error returns false with *error set to the
// first error.
bool ParseExpr(std::string_view text, Expr* out, ExprError* error);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_EXPR_PARSER_H_

// Type checking and compilation of rule conditions, in one pass over the
// syntax tree of expr_parser.h.
//
// Checks, each reported at the offending token: unknown fields (with a
// "did you mean" hint), operand types of comparisons (== and != need equal
// types; <, <=, >, >= need ints), enum literals against their field's
// vocabulary (`event.type == "aprehension"` is an error), `in` on something
// that is not a list, && || ! on non-conditions, and unknown or non-integer
// `$param`s. Every error of a condition is reported, not just the first
// (a syntax error stops the condition, though).
#ifndef AMPARO_DAEMON_ENGINE_EXPR_COMPILER_H_
#define AMPARO_DAEMON_ENGINE_EXPR_COMPILER_H_

#include <string_view>
#include <vector>

#include "daemon/engine/condition.h"
#include "daemon/engine/expr_parser.h"
#include "daemon/engine/param_def.h"

namespace amparo {

// Parses, checks and compiles `text`. `params` are the rule set's parameters
// (integer ones may appear as `$name`). Returns false with the errors in
// *errors (offsets into `text`).
bool CompileCondition(std::string_view text, const std::vector<ParamDef>& params, Condition* out,
                      std::vector<ExprError>* errors);

// The error for a field path that is not in the schema, with a hint.
ExprError UnknownFieldError(std::string_view path, std::size_t offset);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_EXPR_COMPILER_H_

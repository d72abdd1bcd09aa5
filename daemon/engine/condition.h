// A compiled rule condition: fields resolved to accessors, enum literals
// interned to their indices, evaluated without string look-ups or heap
// allocation.
//
// Absent values. A field marked optional in schema.h may be absent from an
// event. The rules are:
//   * A comparison (==, !=, <, <=, >, >=) with an absent operand is FALSE.
//     So `x != "v"` is false when x is absent; write `!has(x) || x != "v"` to
//     mean "x is absent or not v".
//   * `!` of such a comparison is therefore TRUE: `!(x == "v")` holds when x
//     is absent, unlike `x != "v"`.
//   * `x in [...]` and `x in list_field` are false when x is absent; `in` an
//     empty list is false.
//   * An optional bool field used on its own (custody.with_unrelated_adults)
//     is false when absent.
//   * `has(x)` is true when x is present; for a list field, when the list is
//     not empty.
//
// Thread-safety: immutable after compilation; share freely.
#ifndef AMPARO_DAEMON_ENGINE_CONDITION_H_
#define AMPARO_DAEMON_ENGINE_CONDITION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/engine/expr_parser.h"
#include "daemon/engine/schema.h"

namespace amparo {

class Condition {
 public:
  // An empty condition: text() is "" and Evaluate returns false.
  Condition() = default;

  // Evaluates the condition on one event. Deterministic; no allocation.
  bool Evaluate(const FieldContext& ctx) const;

  // The condition as written in the rule file.
  const std::string& text() const { return text_; }

 private:
  friend class ConditionBuilder;  // expr_compiler.cc

  // A comparison operand: a field, or a literal when `field` is null.
  struct Operand {
    const FieldDef* field = nullptr;
    int64_t number = 0;  // bool, int and enum literals
    std::string text;    // string literals
  };
  enum class Op : uint8_t {
    kConst,
    kAnd,
    kOr,
    kNot,
    kBoolField,
    kHas,
    kCompare,
    kInItems,
    kInField
  };
  struct Node {
    Op op = Op::kConst;
    bool value = false;               // kConst
    bool strings = false;             // kCompare, kIn*: compare Scalar::s, not Scalar::i
    CmpOp cmp = CmpOp::kEq;           // kCompare
    const FieldDef* field = nullptr;  // kBoolField, kHas, kInField (the list)
    Operand lhs;                      // kCompare; kIn*: the needle
    Operand rhs;                      // kCompare
    std::vector<Operand> items;       // kInItems
    std::vector<uint32_t> children;   // kAnd, kOr, kNot
  };

  bool Eval(uint32_t node, const FieldContext& ctx) const;
  static bool Load(const Operand& operand, const FieldContext& ctx, Scalar* out);
  static bool Equal(const Node& node, const Scalar& a, const Scalar& b);

  std::string text_;
  std::vector<Node> nodes_;  // the root is the last node
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_CONDITION_H_

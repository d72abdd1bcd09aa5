#include "daemon/engine/condition.h"

namespace amparo {

bool Condition::Evaluate(const FieldContext& ctx) const {
  return !nodes_.empty() && Eval(static_cast<uint32_t>(nodes_.size() - 1), ctx);
}

bool Condition::Load(const Operand& operand, const FieldContext& ctx, Scalar* out) {
  if (operand.field != nullptr) return operand.field->get(ctx, out);
  out->i = operand.number;
  out->s = operand.text;
  return true;
}

bool Condition::Equal(const Node& node, const Scalar& a, const Scalar& b) {
  return node.strings ? a.s == b.s : a.i == b.i;
}

bool Condition::Eval(uint32_t index, const FieldContext& ctx) const {
  const Node& node = nodes_[index];
  switch (node.op) {
    case Op::kConst:
      return node.value;
    case Op::kAnd:
      for (uint32_t child : node.children) {
        if (!Eval(child, ctx)) return false;
      }
      return true;
    case Op::kOr:
      for (uint32_t child : node.children) {
        if (Eval(child, ctx)) return true;
      }
      return false;
    case Op::kNot:
      return !Eval(node.children[0], ctx);
    case Op::kBoolField: {
      Scalar v;
      return node.field->get(ctx, &v) && v.i != 0;
    }
    case Op::kHas: {
      if (node.field->type.list) return node.field->size(ctx) > 0;
      Scalar ignored;
      return node.field->get(ctx, &ignored);
    }
    case Op::kCompare: {
      Scalar a, b;
      if (!Load(node.lhs, ctx, &a) || !Load(node.rhs, ctx, &b)) return false;
      const auto order = node.strings ? a.s.compare(b.s) <=> 0 : a.i <=> b.i;
      switch (node.cmp) {
        case CmpOp::kEq:
          return order == 0;
        case CmpOp::kNe:
          return order != 0;
        case CmpOp::kLt:
          return order < 0;
        case CmpOp::kLe:
          return order <= 0;
        case CmpOp::kGt:
          return order > 0;
        case CmpOp::kGe:
          return order >= 0;
      }
      return false;
    }
    case Op::kInItems: {
      Scalar needle, item;
      if (!Load(node.lhs, ctx, &needle)) return false;
      for (const Operand& operand : node.items) {
        if (Load(operand, ctx, &item) && Equal(node, needle, item)) return true;
      }
      return false;
    }
    case Op::kInField: {
      Scalar needle;
      return Load(node.lhs, ctx, &needle) && node.field->contains(ctx, needle);
    }
  }
  return false;
}

}  // namespace amparo

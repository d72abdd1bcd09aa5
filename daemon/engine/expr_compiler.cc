#include "daemon/engine/expr_compiler.h"

#include <optional>
#include <utility>

#include "daemon/engine/suggest.h"

namespace amparo {

namespace {

// An operand after type checking: its type, and either a field or a literal.
struct TypedOperand {
  ValueType type;
  const FieldDef* field = nullptr;
  const Expr* expr = nullptr;  // the literal or field as written
  int64_t number = 0;
  std::string text;
};

std::string Quote(std::string_view s) {
  std::string out = "\"";  // appended, not "+": GCC 12 -Wrestrict false positive
  out += s;
  out += '"';
  return out;
}

// How an operand reads in an error message: the field path or the literal.
std::string Describe(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kString:
      return Quote(e.text);
    case Expr::Kind::kInt:
      return std::to_string(e.number);
    case Expr::Kind::kBool:
      return e.value ? "true" : "false";
    case Expr::Kind::kParam:
      return "$" + e.text;
    case Expr::Kind::kList:
      return "a list";
    default:
      return e.text;
  }
}

}  // namespace

// Checks one syntax tree and appends the compiled nodes to a Condition.
class ConditionBuilder {
 public:
  // Compiles into `out`, whose text becomes `text`.
  ConditionBuilder(std::string_view text, const std::vector<ParamDef>& params, Condition* out,
                   std::vector<ExprError>* errors)
      : params_(params), out_(out), errors_(errors) {
    out_->text_ = std::string(text);
  }

  // Compiles `e` as a condition; returns its node index.
  uint32_t Bool(const Expr& e) {
    using Kind = Expr::Kind;
    Node node;
    switch (e.kind) {
      case Kind::kBool:
        node.value = e.value;
        break;
      case Kind::kField: {
        const FieldDef* field = Field(e);
        if (field == nullptr) break;
        if (field->type != ValueType{BaseType::kBool}) {
          Error(e.offset, e.text + " is a " + TypeName(field->type) + ", not a condition",
                "compare it, e.g. " + e.text + " == ...");
          break;
        }
        node.op = Op::kBoolField;
        node.field = field;
        break;
      }
      case Kind::kHas:
        node.field = Field(e);
        if (node.field != nullptr) node.op = Op::kHas;
        break;
      case Kind::kNot:
      case Kind::kAnd:
      case Kind::kOr:
        node.op = e.kind == Kind::kNot ? Op::kNot : e.kind == Kind::kAnd ? Op::kAnd : Op::kOr;
        for (const Expr& child : e.children) node.children.push_back(Bool(child));
        break;
      case Kind::kCompare:
        Compare(e, &node);
        break;
      case Kind::kIn:
        In(e, &node);
        break;
      case Kind::kInt:
      case Kind::kString:
      case Kind::kList:
      case Kind::kParam:
        Error(e.offset, "a condition must be true or false, not " + Describe(e),
              e.kind == Kind::kList ? "use \"in\" to test membership" : "");
        break;
    }
    out_->nodes_.push_back(std::move(node));
    return static_cast<uint32_t>(out_->nodes_.size() - 1);
  }

 private:
  using Node = Condition::Node;
  using Op = Condition::Op;

  void Error(std::size_t offset, std::string message, std::string hint = {}) {
    errors_->push_back({offset, std::move(message), std::move(hint)});
  }

  const FieldDef* Field(const Expr& e) {
    const FieldDef* field = FindField(e.text);
    if (field == nullptr) errors_->push_back(UnknownFieldError(e.text, e.offset));
    return field;
  }

  // Types a field, literal or $param; nullopt after reporting an error.
  std::optional<TypedOperand> Operand(const Expr& e, std::string_view op) {
    TypedOperand t;
    t.expr = &e;
    switch (e.kind) {
      case Expr::Kind::kField:
        t.field = Field(e);
        if (t.field == nullptr) return std::nullopt;
        t.type = t.field->type;
        if (t.type.base == BaseType::kInstant) {
          Error(e.offset, e.text + " can only be used with has()");
          return std::nullopt;
        }
        return t;
      case Expr::Kind::kString:
        t.type = {BaseType::kString};
        t.text = e.text;
        return t;
      case Expr::Kind::kInt:
        t.type = {BaseType::kInt};
        t.number = e.number;
        return t;
      case Expr::Kind::kBool:
        t.type = {BaseType::kBool};
        t.number = e.value;
        return t;
      case Expr::Kind::kParam: {
        const ParamDef* p = FindParam(params_, e.text);
        if (p == nullptr) {
          Error(e.offset, "unknown parameter $" + e.text, DidYouMean(e.text, ParamNames(params_)));
          return std::nullopt;
        }
        if (p->kind != ParamDef::Kind::kInt) {
          Error(e.offset, "$" + e.text + " is a duration; conditions compare integers");
          return std::nullopt;
        }
        t.type = {BaseType::kInt};
        t.number = p->number;
        return t;
      }
      default:
        Error(e.offset,
              "the operands of \"" + std::string(op) +
                  "\" must be fields or literals, not a condition",
              "compare conditions with && and ||");
        return std::nullopt;
    }
  }

  // Makes `literal` (a string) a value of `domain`; false after reporting.
  bool Intern(const EnumDomain* domain, TypedOperand* literal) {
    for (std::size_t i = 0; i < domain->names.size(); ++i) {
      if (domain->names[i] == literal->text) {
        literal->number = static_cast<int64_t>(i);
        literal->type = {BaseType::kEnum, false, domain};
        return true;
      }
    }
    Error(literal->expr->offset,
          "unknown " + std::string(domain->type_name) + " " + Quote(literal->text) +
              "; expected one of " + JoinNames(domain->names),
          DidYouMean(literal->text, domain->names, true));
    return false;
  }

  // Checks that `b` can be compared with a value of scalar type `a` (interning
  // a string literal against an enum); false after reporting at `b`.
  bool Unify(const ValueType& a, const std::string& a_text, TypedOperand* b) {
    if (a.base == BaseType::kEnum && b->field == nullptr && b->type.base == BaseType::kString) {
      return Intern(a.domain, b);
    }
    if (b->type == a) return true;
    Error(b->expr->offset, "cannot compare " + a_text + " (" + TypeName(a) + ") with " +
                               Describe(*b->expr) + " (" + TypeName(b->type) + ")");
    return false;
  }

  static Condition::Operand Compiled(TypedOperand t) {
    return {t.field, t.number, std::move(t.text)};
  }

  void Compare(const Expr& e, Node* node) {
    const std::string_view op = CmpOpName(e.op);
    std::optional<TypedOperand> a = Operand(e.children[0], op);
    std::optional<TypedOperand> b = Operand(e.children[1], op);
    if (!a || !b) return;
    for (const TypedOperand* t : {&*a, &*b}) {
      if (t->expr->kind == Expr::Kind::kList || t->type.list) {
        Error(t->expr->offset,
              "cannot use " + std::string(op) + " on a list (" + Describe(*t->expr) + ")",
              "use \"in\" to test membership");
        return;
      }
    }
    // An enum field on the right interns a string literal on the left; == and
    // != are symmetric, and enums have no order.
    if (b->field != nullptr && b->type.base == BaseType::kEnum && a->field == nullptr) {
      std::swap(a, b);
    }
    if (!Unify(a->type, Describe(*a->expr), &*b)) return;
    if (e.op != CmpOp::kEq && e.op != CmpOp::kNe && a->type.base != BaseType::kInt) {
      Error(e.children[0].offset, Quote(op) + " orders integers only, not " + Describe(*a->expr) +
                                      " (" + TypeName(a->type) + ")");
      return;
    }
    node->op = Op::kCompare;
    node->cmp = e.op;
    node->strings = a->type.base == BaseType::kString;
    node->lhs = Compiled(std::move(*a));
    node->rhs = Compiled(std::move(*b));
  }

  void In(const Expr& e, Node* node) {
    const Expr& hay = e.children[1];
    std::optional<TypedOperand> needle = Operand(e.children[0], "in");
    if (!needle) return;
    if (needle->type.list || needle->expr->kind == Expr::Kind::kList) {
      Error(needle->expr->offset, "the left side of \"in\" must be a single value, not a list");
      return;
    }
    if (hay.kind == Expr::Kind::kList) {
      bool good = true;
      for (const Expr& item : hay.children) {
        std::optional<TypedOperand> t = Operand(item, "in");
        if (!t || !Unify(needle->type, Describe(*needle->expr), &*t)) {
          good = false;
          continue;
        }
        node->items.push_back(Compiled(std::move(*t)));
      }
      if (!good) return;
      node->op = Op::kInItems;
    } else {
      std::optional<TypedOperand> list = Operand(hay, "in");
      if (!list) return;
      if (!list->type.list) {
        Error(hay.offset, "\"in\" needs a list on its right; " + Describe(hay) + " is a " +
                              TypeName(list->type));
        return;
      }
      ValueType item = list->type;
      item.list = false;
      // The needle is checked against the list's item type, from either side.
      if (needle->field == nullptr) {
        if (!Unify(item, Describe(hay) + " item", &*needle)) return;
      } else if (needle->type != item) {
        Error(needle->expr->offset, "cannot look for " + Describe(*needle->expr) + " (" +
                                        TypeName(needle->type) + ") in " + Describe(hay) + " (" +
                                        TypeName(list->type) + ")");
        return;
      }
      node->op = Op::kInField;
      node->field = list->field;
    }
    node->strings = needle->type.base == BaseType::kString;
    node->lhs = Compiled(std::move(*needle));
  }

  const std::vector<ParamDef>& params_;
  Condition* out_;
  std::vector<ExprError>* errors_;
};

ExprError UnknownFieldError(std::string_view path, std::size_t offset) {
  std::vector<std::string_view> paths;
  for (const FieldDef& f : AllFields()) paths.push_back(f.path);
  return {offset, "unknown field " + Quote(path), DidYouMean(path, paths)};
}

bool CompileCondition(std::string_view text, const std::vector<ParamDef>& params, Condition* out,
                      std::vector<ExprError>* errors) {
  const std::size_t before = errors->size();
  Expr tree;
  ExprError syntax;
  if (!ParseExpr(text, &tree, &syntax)) {
    errors->push_back(std::move(syntax));
    return false;
  }
  Condition compiled;
  ConditionBuilder(text, params, &compiled, errors).Bool(tree);
  if (errors->size() != before) return false;
  *out = std::move(compiled);
  return true;
}

}  // namespace amparo

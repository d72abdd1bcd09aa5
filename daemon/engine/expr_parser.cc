#include "daemon/engine/expr_parser.h"

#include <limits>
#include <utility>

namespace amparo {

namespace {

enum class Tok {
  kEnd,
  kString,
  kInt,
  kIdent,
  kParam,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kAnd,
  kOr,
  kNot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe
};

struct Token {
  Tok kind = Tok::kEnd;
  std::size_t offset = 0;
  std::string_view raw;  // the token as written
  std::string text;      // string value, identifier or parameter name
  int64_t number = 0;
};

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

// Splits a condition into tokens, ending with one kEnd token.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  bool Run(std::vector<Token>* out, ExprError* error) {
    while (true) {
      while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                     text_[pos_] == '\n' || text_[pos_] == '\r')) {
        ++pos_;
      }
      Token tok;
      tok.offset = pos_;
      if (pos_ == text_.size()) {
        out->push_back(tok);
        return true;
      }
      if (!Next(&tok, error)) return false;
      tok.raw = text_.substr(tok.offset, pos_ - tok.offset);
      out->push_back(std::move(tok));
    }
  }

 private:
  bool Fail(ExprError* error, std::size_t at, std::string message, std::string hint = {}) {
    *error = {at, std::move(message), std::move(hint)};
    return false;
  }

  bool Next(Token* tok, ExprError* error) {
    const char c = text_[pos_];
    struct Punct {
      std::string_view spelling;
      Tok kind;
    };
    static constexpr Punct kPuncts[] = {
        {"&&", Tok::kAnd},     {"||", Tok::kOr},    {"==", Tok::kEq},    {"!=", Tok::kNe},
        {"<=", Tok::kLe},      {">=", Tok::kGe},    {"<", Tok::kLt},     {">", Tok::kGt},
        {"!", Tok::kNot},      {"(", Tok::kLParen}, {")", Tok::kRParen}, {"[", Tok::kLBracket},
        {"]", Tok::kRBracket}, {",", Tok::kComma},  {".", Tok::kDot}};
    for (const Punct& p : kPuncts) {
      if (text_.substr(pos_, p.spelling.size()) == p.spelling) {
        tok->kind = p.kind;
        pos_ += p.spelling.size();
        return true;
      }
    }
    if (c == '"') return String(tok, error);
    if (IsDigit(c)) return Number(tok, error);
    if (IsIdentStart(c)) {
      tok->kind = Tok::kIdent;
      tok->text = Word();
      return true;
    }
    if (c == '$') {
      ++pos_;
      if (pos_ == text_.size() || !IsIdentStart(text_[pos_])) {
        return Fail(error, tok->offset, "\"$\" must be followed by a parameter name");
      }
      tok->kind = Tok::kParam;
      tok->text = Word();
      return true;
    }
    std::string hint;
    if (c == '=') hint = "did you mean \"==\"?";
    if (c == '&') hint = "did you mean \"&&\"?";
    if (c == '|') hint = "did you mean \"||\"?";
    if (c == '\'') hint = "strings are written in double quotes";
    return Fail(error, pos_, "unexpected character \"" + std::string(1, c) + "\"", hint);
  }

  std::string Word() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  bool String(Token* tok, ExprError* error) {
    tok->kind = Tok::kString;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') {
        const char e = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
        if (e != '"' && e != '\\') {
          return Fail(error, pos_, "unknown escape in a string", "use \\\" or \\\\");
        }
        tok->text += e;
        pos_ += 2;
      } else {
        tok->text += text_[pos_++];
      }
    }
    if (pos_ == text_.size()) return Fail(error, tok->offset, "unterminated string");
    ++pos_;
    return true;
  }

  bool Number(Token* tok, ExprError* error) {
    tok->kind = Tok::kInt;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      const int digit = text_[pos_++] - '0';
      if (tok->number > (std::numeric_limits<int64_t>::max() - digit) / 10) {
        return Fail(error, tok->offset, "integer too large");
      }
      tok->number = tok->number * 10 + digit;
    }
    if (pos_ < text_.size() && IsIdentStart(text_[pos_])) {
      return Fail(
          error, tok->offset, "malformed number",
          "durations are not values in conditions; compare hours, e.g. custody.hours >= 72");
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// How a token reads in an error message.
std::string Describe(const Token& tok) {
  if (tok.kind == Tok::kEnd) return "the end of the condition";
  std::string out = "\"";  // appended, not "+": GCC 12 -Wrestrict false positive
  out += tok.raw;
  out += '"';
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  bool Run(Expr* out, ExprError* error) {
    error_ = error;
    if (!Or(out)) return false;
    if (Peek().kind != Tok::kEnd) {
      if (IsCompare(Peek().kind) || (Peek().kind == Tok::kIdent && Peek().text == "in")) {
        return Fail(Peek(), "comparisons do not chain", "join them with &&");
      }
      return Fail(Peek(), "unexpected " + Describe(Peek()) + " after a complete condition",
                  "join conditions with && or ||");
    }
    return true;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  bool Fail(const Token& at, std::string message, std::string hint = {}) {
    *error_ = {at.offset, std::move(message), std::move(hint)};
    return false;
  }

  static bool IsCompare(Tok t) {
    return t == Tok::kEq || t == Tok::kNe || t == Tok::kLt || t == Tok::kLe || t == Tok::kGt ||
           t == Tok::kGe;
  }

  // Parses `sub (sep sub)*` into one flat node of `kind` when there are two or more.
  bool Chain(Tok sep, Expr::Kind kind, bool (Parser::*sub)(Expr*), Expr* out) {
    if (!(this->*sub)(out)) return false;
    if (Peek().kind != sep) return true;
    Expr chain;
    chain.kind = kind;
    chain.offset = out->offset;
    chain.children.push_back(std::move(*out));
    while (Peek().kind == sep) {
      Take();
      Expr next;
      if (!(this->*sub)(&next)) return false;
      chain.children.push_back(std::move(next));
    }
    *out = std::move(chain);
    return true;
  }

  bool Or(Expr* out) { return Chain(Tok::kOr, Expr::Kind::kOr, &Parser::And, out); }
  bool And(Expr* out) { return Chain(Tok::kAnd, Expr::Kind::kAnd, &Parser::Rel, out); }

  bool Rel(Expr* out) {
    Expr left;
    if (!Unary(&left)) return false;
    const Token& tok = Peek();
    static constexpr std::pair<Tok, CmpOp> kOps[] = {
        {Tok::kEq, CmpOp::kEq}, {Tok::kNe, CmpOp::kNe}, {Tok::kLt, CmpOp::kLt},
        {Tok::kLe, CmpOp::kLe}, {Tok::kGt, CmpOp::kGt}, {Tok::kGe, CmpOp::kGe}};
    Expr rel;
    rel.offset = left.offset;
    if (tok.kind == Tok::kIdent && tok.text == "in") {
      rel.kind = Expr::Kind::kIn;
    } else if (IsCompare(tok.kind)) {
      rel.kind = Expr::Kind::kCompare;
      for (const auto& [t, op] : kOps) {
        if (t == tok.kind) rel.op = op;
      }
    } else {
      *out = std::move(left);
      return true;
    }
    Take();
    Expr right;
    if (!Unary(&right)) return false;
    rel.children.push_back(std::move(left));
    rel.children.push_back(std::move(right));
    *out = std::move(rel);
    return true;
  }

  bool Enter(const Token& at) {
    if (++depth_ > kMaxExprDepth) {
      return Fail(at,
                  "the condition nests deeper than " + std::to_string(kMaxExprDepth) + " levels");
    }
    return true;
  }

  bool Unary(Expr* out) {
    if (Peek().kind != Tok::kNot) return Primary(out);
    const Token& bang = Take();
    if (!Enter(bang)) return false;
    Expr operand;
    if (!Unary(&operand)) return false;
    --depth_;
    out->kind = Expr::Kind::kNot;
    out->offset = bang.offset;
    out->children.push_back(std::move(operand));
    return true;
  }

  bool Path(Expr* out) {
    const Token& first = Take();
    out->kind = Expr::Kind::kField;
    out->offset = first.offset;
    out->text = first.text;
    while (Peek().kind == Tok::kDot) {
      Take();
      if (Peek().kind != Tok::kIdent) {
        return Fail(Peek(), "expected a field name after \".\" but found " + Describe(Peek()));
      }
      out->text += "." + Take().text;
    }
    return true;
  }

  bool Literal(const Token& tok, Expr* out) {
    out->offset = tok.offset;
    switch (tok.kind) {
      case Tok::kString:
        out->kind = Expr::Kind::kString;
        out->text = tok.text;
        return true;
      case Tok::kInt:
        out->kind = Expr::Kind::kInt;
        out->number = tok.number;
        return true;
      case Tok::kIdent:
        if (tok.text == "true" || tok.text == "false") {
          out->kind = Expr::Kind::kBool;
          out->value = tok.text == "true";
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  bool List(Expr* out) {
    out->kind = Expr::Kind::kList;
    out->offset = Take().offset;
    while (Peek().kind != Tok::kRBracket) {
      if (!out->children.empty()) {
        if (Peek().kind != Tok::kComma) {
          return Fail(Peek(), "expected \",\" or \"]\" but found " + Describe(Peek()));
        }
        Take();
      }
      Expr item;
      if (!Literal(Peek(), &item)) {
        return Fail(Peek(),
                    "expected a literal list item (a string, integer, true or false) "
                    "but found " +
                        Describe(Peek()));
      }
      Take();
      out->children.push_back(std::move(item));
    }
    Take();
    return true;
  }

  bool Has(Expr* out) {
    const Token& has = Take();
    if (Take().kind != Tok::kLParen || Peek().kind != Tok::kIdent) {
      return Fail(has, "has() takes a field path, e.g. has(subject.age_years)");
    }
    if (!Path(out)) return false;
    if (Peek().kind != Tok::kRParen) {
      return Fail(Peek(), "expected \")\" after the field of has() but found " + Describe(Peek()));
    }
    Take();
    out->kind = Expr::Kind::kHas;  // offset: the path's, where a bad path is reported
    return true;
  }

  bool Primary(Expr* out) {
    const Token& tok = Peek();
    if (Literal(tok, out)) {
      Take();
      return true;
    }
    switch (tok.kind) {
      case Tok::kLBracket:
        return List(out);
      case Tok::kParam:
        out->kind = Expr::Kind::kParam;
        out->offset = tok.offset;
        out->text = Take().text;
        return true;
      case Tok::kLParen: {
        Take();
        const std::size_t open = tok.offset;
        if (!Enter(tok) || !Or(out)) return false;
        --depth_;
        out->offset = open;
        if (Peek().kind != Tok::kRParen) {
          return Fail(Peek(), "expected \")\" but found " + Describe(Peek()));
        }
        Take();
        return true;
      }
      case Tok::kIdent:
        if (tok.text == "in") break;
        if (tok.text == "has" && tokens_[pos_ + 1].kind == Tok::kLParen) return Has(out);
        return Path(out);
      default:
        break;
    }
    return Fail(tok, "expected a value, a field or \"(\" but found " + Describe(tok));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  ExprError* error_ = nullptr;
};

}  // namespace

std::string_view CmpOpName(CmpOp op) {
  switch (op) {
    case CmpOp::kEq:
      return "==";
    case CmpOp::kNe:
      return "!=";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kLe:
      return "<=";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kGe:
      return ">=";
  }
  return "?";
}

bool ParseExpr(std::string_view text, Expr* out, ExprError* error) {
  std::vector<Token> tokens;
  if (!Lexer(text).Run(&tokens, error)) return false;
  *out = Expr();
  return Parser(std::move(tokens)).Run(out, error);
}

}  // namespace amparo

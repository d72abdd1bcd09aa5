// Fuzz target: one condition string. Compilation must never crash (nesting is
// limited to kMaxExprDepth) and must explain every refusal with an offset
// inside the text; a compiled condition must evaluate.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "daemon/engine/expr_compiler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<amparo::ParamDef> params(1);
  params[0].name = "limit";
  params[0].kind = amparo::ParamDef::Kind::kInt;
  params[0].number = 72;
  amparo::Condition condition;
  std::vector<amparo::ExprError> errors;
  if (!amparo::CompileCondition(text, params, &condition, &errors)) {
    if (errors.empty()) std::abort();
    for (const amparo::ExprError& e : errors) {
      if (e.offset > text.size() || e.message.empty()) std::abort();
    }
    return 0;
  }
  amparo::Event event;
  event.subject.nationalities = {"GT"};
  event.subject.flags = {amparo::SubjectFlag::kAsylumClaim};
  const amparo::CaseSnapshot snapshot;
  const amparo::DerivedFacts facts =
      amparo::ComputeDerivedFacts(event, snapshot, amparo::EngineOptions{});
  (void)condition.Evaluate({event, facts, snapshot});
  return 0;
}

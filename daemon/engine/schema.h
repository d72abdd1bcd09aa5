// The fields that rule conditions may use: one table, with each field's type,
// whether it can be absent, and its accessor.
//
// A condition refers to a field by path ("subject.age_years"). The compiler
// looks the path up here once, at load; evaluation then calls the field's
// accessor through a function pointer, with no string look-up.
//
// Absent values: a field marked `optional` may be absent from an event (for
// example location.facility.type when the event names no facility). List
// fields are never absent, but may be empty; has(list) is true when the list
// is not empty. The comparison rules for absent values are in condition.h.
#ifndef AMPARO_DAEMON_ENGINE_SCHEMA_H_
#define AMPARO_DAEMON_ENGINE_SCHEMA_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/derived_facts.h"
#include "daemon/event/event.h"

namespace amparo {

// The named values of an enumerated field: an event enum (event/enums.h) or
// the notification roles (decision.h kRoles). Compared by address.
struct EnumDomain {
  std::string_view type_name;  // "event type"
  std::span<const std::string_view> names;
};

// The domain of enum E, built from EnumNames<E>.
template <typename E>
const EnumDomain* DomainOf() {
  static const EnumDomain domain{EnumNames<E>::kTypeName, EnumNames<E>::kNames};
  return &domain;
}
// The domain of notification roles (decision.h kRoles).
const EnumDomain* RoleDomain();

enum class BaseType {
  kBool,
  kInt,
  kString,
  kEnum,     // stored as the value's index in its domain
  kInstant,  // only usable with has()
};

struct ValueType {
  BaseType base = BaseType::kBool;
  bool list = false;
  const EnumDomain* domain = nullptr;  // kEnum only

  bool operator==(const ValueType&) const = default;
};

// "int", "string", "event type", "list<subject flag>", ...
std::string TypeName(const ValueType& type);

// One value as evaluation sees it: bool, int, enum index and instant (ms since
// the epoch) in `i`; strings in `s`, viewing the event or the condition.
struct Scalar {
  int64_t i = 0;
  std::string_view s;
};

// What accessors read.
struct FieldContext {
  const Event& event;
  const DerivedFacts& facts;
  const CaseSnapshot& snapshot;
};

// Stores the value of a scalar field in *out; false when it is absent.
using ScalarGetter = bool (*)(const FieldContext& ctx, Scalar* out);
// True when a list field holds `item`.
using ListContains = bool (*)(const FieldContext& ctx, const Scalar& item);
// The number of items of a list field.
using ListSize = std::size_t (*)(const FieldContext& ctx);

struct FieldDef {
  std::string_view path;
  ValueType type;
  bool optional = false;  // scalar fields only: may be absent
  std::string_view doc;
  ScalarGetter get = nullptr;       // scalar fields
  ListContains contains = nullptr;  // list fields
  ListSize size = nullptr;          // list fields
};

// Every field, in documentation order.
std::span<const FieldDef> AllFields();

// The field with `path`, or nullptr.
const FieldDef* FindField(std::string_view path);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_SCHEMA_H_

#include "daemon/event/event_codec.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <set>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/core/iso3166.h"
#include "daemon/core/json_writer.h"
#include "daemon/core/topic_segment.h"
#include "daemon/core/utf8.h"
#include "daemon/event/rfc3339.h"

namespace amparo {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxEventIdBytes = 128;
constexpr std::size_t kMaxTextBytes = 256;
// At most this many earlier pseudonyms in subject.previous_ids.
constexpr std::size_t kMaxPreviousIds = 16;
constexpr std::size_t kMaxQuotedBytes = 64;
constexpr std::size_t kMaxReasonBytes = 512;
constexpr std::size_t kMaxPeekBytes = 16 * kMaxEventBytes;
constexpr int kMaxAgeYears = 130;
constexpr int kMaxFollowUpVisit = 20;
constexpr int kMaxDetentionReview = 999;

// ---------------------------------------------------------------------------
// The payload as bytes.

// Checks what can be checked before parsing: size and encoding.
Status CheckBytes(std::string_view bytes) {
  if (bytes.size() > kMaxEventBytes) {
    return Status::InvalidArgument("payload is " + std::to_string(bytes.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxEventBytes));
  }
  if (const auto offset = FindInvalidUtf8(bytes)) {
    return Status::InvalidArgument("payload is not valid UTF-8 (byte " + std::to_string(*offset) +
                                   ")");
  }
  return Status::OK();
}

// Watches the parser and remembers the path of the first key that appears
// twice in one object: nlohmann keeps the last silently, and a strict reader
// must not guess which one the publisher meant.
class DuplicateKeyFinder {
 public:
  // The parser callback: records the structure; always keeps the value.
  bool operator()(int /*depth*/, Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        CountElement();
        frames_.push_back({event == Json::parse_event_t::array_start, {}, {}, -1});
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        break;
      case Json::parse_event_t::key:
        OnKey(parsed.get<std::string>());
        break;
      case Json::parse_event_t::value:
        CountElement();
        break;
    }
    return true;
  }

  // The path of the first repeated key, if any.
  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  struct Frame {
    bool is_array;
    std::set<std::string> keys;
    std::string key;  // The key being read, in an object.
    int index;        // The element being read, in an array.
  };

  void CountElement() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
  }

  void OnKey(std::string key) {
    Frame& frame = frames_.back();
    if (!frame.keys.insert(key).second && !duplicate_) duplicate_ = PathTo(key);
    frame.key = std::move(key);
  }

  std::string PathTo(std::string_view key) const {
    std::string path;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      if (frames_[i].is_array) {
        path += "[" + std::to_string(frames_[i].index) + "]";
      } else {
        path += (path.empty() ? "" : ".") + frames_[i].key;
      }
    }
    return path + (path.empty() ? "" : ".") + std::string(key);
  }

  std::vector<Frame> frames_;
  std::optional<std::string> duplicate_;
};

// nlohmann's message without its "[json.exception...] " prefix and without
// the bytes it last read, which may be personal data.
std::string JsonErrorMessage(const Json::exception& e) {
  std::string message = e.what();
  if (const auto end = message.find("] "); end != std::string::npos) message.erase(0, end + 2);
  if (const auto last = message.find("; last read:"); last != std::string::npos) {
    message.erase(last);
  }
  return message;
}

// Parses `bytes` into `*doc`. Refuses bad syntax, a top level that is not an
// object, and repeated keys.
Status ParseObject(std::string_view bytes, Json* doc) {
  DuplicateKeyFinder finder;
  try {
    *doc = Json::parse(bytes, [&finder](int depth, Json::parse_event_t event, Json& parsed) {
      return finder(depth, event, parsed);
    });
  } catch (const Json::exception& e) {
    return Status::InvalidArgument("payload is not JSON: " + JsonErrorMessage(e));
  }
  if (!doc->is_object()) {
    return Status::InvalidArgument(std::string("payload is not a JSON object (got ") +
                                   doc->type_name() + ")");
  }
  if (finder.duplicate()) return Status::InvalidArgument(*finder.duplicate() + ": duplicate key");
  return Status::OK();
}

// The length of the longest prefix of the UTF-8 text `s` that has at most
// `max_bytes` bytes and does not split a character.
std::size_t PrefixLength(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s.size();
  std::size_t length = max_bytes;
  while (length > 0 && (static_cast<unsigned char>(s[length]) & 0xC0) == 0x80) --length;
  return length;
}

// `s` as a JSON string literal, cut short so that a reason stays short.
std::string Quote(std::string_view s) {
  const std::size_t length = PrefixLength(s, kMaxQuotedBytes);
  const std::string quoted =
      Json(std::string(s.substr(0, length))).dump(-1, ' ', false, Json::error_handler_t::replace);
  return length < s.size() ? quoted + "..." : quoted;
}

// `status` with its message cut short: unknown keys in a path come from the
// payload and may be long.
Status Clipped(const Status& status) {
  const std::string& message = status.message();
  const std::size_t length = PrefixLength(message, kMaxReasonBytes);
  if (length == message.size()) return status;
  return {status.code(), message.substr(0, length) + "..."};
}

Status CheckSchema(const Json& doc) {
  const auto it = doc.find("schema");
  if (it == doc.end()) return Status::InvalidArgument("schema: required field missing");
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string("schema: expected a string, got ") +
                                   it->type_name());
  }
  const auto& schema = it->get_ref<const std::string&>();
  if (schema != kEventSchemaV1) {
    return Status::InvalidArgument("schema: " + Quote(schema) + " is not supported; expected \"" +
                                   kEventSchemaV1 + "\"");
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Reading fields.

// Kinds of problem, in the order of precedence of DecodeEvent's reason.
enum class Problem {
  kMissing,
  kType,
  kEnum,
  kTimestamp,
  kCode,
  kAdmin1,
  kBirthDate,
  kAge,
  kNationalities,
  kUnknownField,
  kText,
  kConsistency,
  kRepeated,
};

// Collects the problems of one payload and keeps the one to report: the first
// of the kind with the highest precedence.
class Problems {
 public:
  void Add(Problem kind, const std::string& path, const std::string& what) {
    if (first_ && first_->first <= kind) return;
    first_.emplace(kind, path + ": " + what);
  }
  bool empty() const { return !first_.has_value(); }
  // REQUIRES: !empty().
  Status ToStatus() const { return Status::InvalidArgument(first_->second); }

 private:
  std::optional<std::pair<Problem, std::string>> first_;
};

// A value in the payload with its path; `value` is null when it is absent.
struct Field {
  Problems* problems;
  const Json* value;
  std::string path;

  void Report(Problem kind, const std::string& what) const { problems->Add(kind, path, what); }
  // The i-th element of this array. REQUIRES: value is an array.
  Field Element(std::size_t i) const {
    return {problems, &(*value)[i], path + "[" + std::to_string(i) + "]"};
  }
};

// A predicate of nlohmann::json such as is_string.
using JsonTypeTest = bool (Json::*)() const noexcept;

// True if `f` is present and passes `is`; reports a wrong type if present and not.
bool Expect(const Field& f, JsonTypeTest is, std::string_view expected) {
  if (f.value == nullptr) return false;
  const bool ok = (f.value->*is)();
  if (!ok) {
    f.Report(Problem::kType, "expected " + std::string(expected) + ", got " + f.value->type_name());
  }
  return ok;
}

// A JSON object being decoded. Construction reports a wrong type and every
// key that is not one of `known`.
class Object {
 public:
  Object(const Field& f, std::initializer_list<std::string_view> known)
      : field_(f), ok_(Expect(f, &Json::is_object, "an object")) {
    if (!ok_) return;
    for (const auto& [key, value] : f.value->items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        Member(key).Report(Problem::kUnknownField, "unknown field");
      }
    }
  }

  bool ok() const { return ok_; }

  // The member `key`, reported missing when absent.
  Field Required(std::string_view key) const {
    Field member = Member(key);
    if (ok_ && member.value == nullptr) member.Report(Problem::kMissing, "required field missing");
    return member;
  }

  // The member `key`; its value is null when absent.
  Field Optional(std::string_view key) const { return Member(key); }

 private:
  Field Member(std::string_view key) const {
    std::string path =
        field_.path.empty() ? std::string(key) : field_.path + "." + std::string(key);
    const Json* value = nullptr;
    if (ok_) {
      const auto it = field_.value->find(std::string(key));
      if (it != field_.value->end()) value = &*it;
    }
    return {field_.problems, value, std::move(path)};
  }

  Field field_;
  bool ok_;
};

bool HasControlCharacter(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// A non-empty string of at most `max_bytes` bytes without control characters.
std::optional<std::string> Text(const Field& f, std::size_t max_bytes = kMaxTextBytes) {
  if (!Expect(f, &Json::is_string, "a string")) return std::nullopt;
  const auto& s = f.value->get_ref<const std::string&>();
  if (s.empty()) {
    f.Report(Problem::kText, "must not be empty");
  } else if (s.size() > max_bytes) {
    f.Report(Problem::kText, "is " + std::to_string(s.size()) + " bytes long; the limit is " +
                                 std::to_string(max_bytes));
  } else if (HasControlCharacter(s)) {
    f.Report(Problem::kText, "must not contain control characters");
  }
  return s;
}

std::optional<std::string> EventId(const Field& f) { return Text(f, kMaxEventIdBytes); }

// A string whose shape `valid` accepts; otherwise reports "<quoted> <what>".
template <typename Predicate>
std::optional<std::string> Code(const Field& f, Problem kind, Predicate valid,
                                std::string_view what) {
  if (!Expect(f, &Json::is_string, "a string")) return std::nullopt;
  const auto& s = f.value->get_ref<const std::string&>();
  if (!valid(s)) f.Report(kind, Quote(s) + " " + std::string(what));
  return s;
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

// Assigned ISO 3166-1 alpha-2 codes and the ISO 3166-2 subdivisions that
// Debian's iso-codes lists (core/iso3166.h, the table the directory uses too).
bool IsAlpha2(std::string_view s) { return IsCountryCode(s); }
bool IsIso3166_2(std::string_view s) { return IsSubdivisionCode(s); }

// An ISO 639 code as BCP 47 writes a primary language subtag: "es", "mam".
bool IsLanguageTag(std::string_view s) {
  if (s.size() < 2 || s.size() > 3) return false;
  for (char c : s) {
    if (!IsLower(c)) return false;
  }
  return true;
}

std::optional<std::string> Country(const Field& f) {
  return Code(f, Problem::kCode, IsAlpha2, "is not an ISO 3166-1 alpha-2 code");
}

std::optional<std::string> Admin1(const Field& f) {
  return Code(f, Problem::kAdmin1, IsIso3166_2, "is not an ISO 3166-2 subdivision code");
}

// The publishing agency: it names a level of the event, receipt and dead-letter
// topics, so it must be safe as one (core/topic_segment.h).
std::optional<std::string> AgencySegment(const Field& f) {
  return Code(f, Problem::kCode, IsTopicSegment, "must be " + std::string(kTopicSegmentRule));
}

std::optional<std::string> Language(const Field& f) {
  return Code(f, Problem::kCode, IsLanguageTag, "is not an ISO 639 language code (BCP 47)");
}

template <typename E>
std::optional<E> Enumerated(const Field& f) {
  if (!Expect(f, &Json::is_string, "a string")) return std::nullopt;
  const auto& s = f.value->get_ref<const std::string&>();
  if (const auto value = FromString<E>(s)) return value;
  std::string allowed;
  for (std::string_view name : AllNames<E>()) {
    allowed += (allowed.empty() ? "" : ", ") + std::string(name);
  }
  f.Report(Problem::kEnum, Quote(s) + " is not one of " + allowed);
  return std::nullopt;
}

std::optional<Timestamp> Time(const Field& f) {
  if (!Expect(f, &Json::is_string, "a string")) return std::nullopt;
  const auto& s = f.value->get_ref<const std::string&>();
  Result<Timestamp> t = ParseRfc3339(s);
  if (t.ok()) return *t;
  f.Report(Problem::kTimestamp, Quote(s) + " is not an RFC 3339 timestamp with offset");
  return std::nullopt;
}

std::optional<date::year_month_day> Date(const Field& f) {
  if (!Expect(f, &Json::is_string, "a string")) return std::nullopt;
  const auto& s = f.value->get_ref<const std::string&>();
  Result<date::year_month_day> d = ParseIsoDate(s);
  if (d.ok()) return *d;
  f.Report(Problem::kBirthDate, Quote(s) + " is not a valid date (YYYY-MM-DD)");
  return std::nullopt;
}

std::optional<bool> Boolean(const Field& f) {
  if (!Expect(f, &Json::is_boolean, "a boolean")) return std::nullopt;
  return f.value->get<bool>();
}

std::optional<int> AgeYears(const Field& f) {
  if (!Expect(f, &Json::is_number_integer, "an integer")) return std::nullopt;
  // nlohmann reads a number with a minus sign as signed: negative, or "-0".
  const bool in_range = f.value->is_number_unsigned()
                            ? f.value->get<std::uint64_t>() <= kMaxAgeYears
                            : f.value->get<std::int64_t>() == 0;
  if (!in_range) {
    f.Report(Problem::kAge,
             f.value->dump() + " is out of range 0.." + std::to_string(kMaxAgeYears));
    return std::nullopt;
  }
  return f.value->get<int>();
}

// An integer in 1..max: a visit or review number.
std::optional<int> Ordinal(const Field& f, int max) {
  if (!Expect(f, &Json::is_number_integer, "an integer")) return std::nullopt;
  const bool in_range = f.value->is_number_unsigned() && f.value->get<std::uint64_t>() >= 1 &&
                        f.value->get<std::uint64_t>() <= static_cast<std::uint64_t>(max);
  if (!in_range) {
    f.Report(Problem::kAge, f.value->dump() + " is out of range 1.." + std::to_string(max));
    return std::nullopt;
  }
  return f.value->get<int>();
}

std::optional<int> VisitNumber(const Field& f) { return Ordinal(f, kMaxFollowUpVisit); }

// Reads every element of the array `f` with `read`, keeping those it could.
template <typename Reader>
auto List(const Field& f, Reader read) {
  std::vector<typename std::invoke_result_t<Reader, const Field&>::value_type> out;
  if (!Expect(f, &Json::is_array, "an array")) return out;
  for (std::size_t i = 0; i < f.value->size(); ++i) {
    if (auto element = read(f.Element(i))) out.push_back(std::move(*element));
  }
  return out;
}

// Reports every element of the array `f` that equals an earlier one.
void CheckNoRepeats(const Field& f) {
  if (f.value == nullptr || !f.value->is_array()) return;
  std::set<Json> seen;
  for (std::size_t i = 0; i < f.value->size(); ++i) {
    const Field element = f.Element(i);
    if (!seen.insert(*element.value).second) {
      element.Report(
          Problem::kRepeated,
          element.value->dump(-1, ' ', false, Json::error_handler_t::replace) + " is listed twice");
    }
  }
}

template <typename T>
void Set(T* out, std::optional<T> value) {
  if (value) *out = std::move(*value);
}

// ---------------------------------------------------------------------------
// Reading the blocks of an event.

std::optional<Facility> ReadFacility(const Field& f) {
  const Object o(f, {"id", "type"});
  if (!o.ok()) return std::nullopt;
  Facility facility;
  Set(&facility.id, Text(o.Required("id")));
  Set(&facility.type, Enumerated<FacilityType>(o.Required("type")));
  return facility;
}

Authority ReadAuthority(const Field& f) {
  const Object o(f, {"country", "agency", "office"});
  Authority authority;
  Set(&authority.country, Country(o.Required("country")));
  Set(&authority.agency, AgencySegment(o.Required("agency")));
  authority.office = Text(o.Optional("office"));
  return authority;
}

Location ReadLocation(const Field& f) {
  const Object o(f, {"country", "admin1", "place", "facility"});
  Location location;
  const auto country = Country(o.Required("country"));
  const Field admin1_field = o.Required("admin1");
  const auto admin1 = Admin1(admin1_field);
  if (country && admin1 && IsAlpha2(*country) && IsIso3166_2(*admin1) &&
      admin1->compare(0, 2, *country) != 0) {
    admin1_field.Report(
        Problem::kAdmin1,
        Quote(*admin1) + " is not a subdivision of location.country " + Quote(*country));
  }
  Set(&location.country, country);
  Set(&location.admin1, admin1);
  location.place = Text(o.Optional("place"));
  location.facility = ReadFacility(o.Optional("facility"));
  return location;
}

std::optional<PersonName> ReadName(const Field& f) {
  const Object o(f, {"given", "family"});
  if (!o.ok()) return std::nullopt;
  PersonName name;
  Set(&name.given, Text(o.Required("given")));
  Set(&name.family, Text(o.Required("family")));
  return name;
}

std::optional<Age> ReadAge(const Field& f) {
  const Object o(f, {"years", "basis", "method"});
  if (!o.ok()) return std::nullopt;
  Age age;
  const std::optional<AgeBasis> basis = Enumerated<AgeBasis>(o.Required("basis"));
  // An authority that honestly does not know the age sends {basis: unknown}
  // without years; the child is then presumed a minor (DOMAIN.md MX-5).
  const bool unknown = basis == AgeBasis::kUnknown;
  age.years = AgeYears(unknown ? o.Optional("years") : o.Required("years"));
  Set(&age.basis, basis);
  // The method says how an ASSESSMENT was made (US-5); a document or a
  // declaration has none.
  const Field method = o.Optional("method");
  age.method = Enumerated<AgeMethod>(method);
  if (method.value != nullptr && basis && *basis != AgeBasis::kAssessment) {
    method.Report(Problem::kConsistency, "requires subject.age.basis \"assessment\"");
  }
  return age;
}

std::optional<Companion> ReadCompanion(const Field& f) {
  const Object o(f, {"relation", "custody_status"});
  if (!o.ok()) return std::nullopt;
  Companion companion;
  Set(&companion.relation, Enumerated<Relation>(o.Required("relation")));
  companion.custody_status = Enumerated<CompanionCustody>(o.Optional("custody_status"));
  return companion;
}

std::vector<std::string> ReadNationalities(const Field& f) {
  std::vector<std::string> nationalities = List(f, Country);
  if (f.value != nullptr && f.value->is_array() && f.value->empty()) {
    f.Report(Problem::kNationalities, "must list at least one nationality");
  }
  CheckNoRepeats(f);
  return nationalities;
}

template <typename Reader>
auto ListOfDistinct(const Field& f, Reader read) {
  CheckNoRepeats(f);
  return List(f, read);
}

// The earlier pseudonyms of the subject: at most kMaxPreviousIds distinct
// strings, none of them the subject's own id.
std::vector<std::string> ReadPreviousIds(const Field& f, const std::string& own_id) {
  std::vector<std::string> ids = ListOfDistinct(f, [](const Field& e) { return Text(e); });
  if (f.value == nullptr || !f.value->is_array()) return ids;
  if (f.value->size() > kMaxPreviousIds) {
    f.Report(Problem::kConsistency, "lists " + std::to_string(f.value->size()) +
                                        " ids; the limit is " + std::to_string(kMaxPreviousIds));
  }
  for (std::size_t i = 0; i < f.value->size(); ++i) {
    const Field element = f.Element(i);
    if (element.value->is_string() && !own_id.empty() &&
        element.value->get_ref<const std::string&>() == own_id) {
      element.Report(Problem::kConsistency, "is subject.id itself; a case cannot succeed itself");
    }
  }
  return ids;
}

Subject ReadSubject(const Field& f) {
  const Object o(
      f, {"id", "name", "birth_date", "age", "sex", "nationalities", "languages", "accompaniment",
          "companions", "flags", "habitual_residence", "birth_date_precision", "previous_ids"});
  Subject subject;
  Set(&subject.id, Text(o.Required("id")));
  subject.name = ReadName(o.Optional("name"));
  const Field birth_date = o.Optional("birth_date");
  subject.birth_date = Date(birth_date);
  const Field precision = o.Optional("birth_date_precision");
  subject.birth_date_precision = Enumerated<BirthDatePrecision>(precision);
  if (precision.value != nullptr && birth_date.value == nullptr) {
    precision.Report(Problem::kConsistency, "requires subject.birth_date");
  }
  subject.age = ReadAge(o.Optional("age"));
  Set(&subject.sex, Enumerated<Sex>(o.Optional("sex")));
  subject.nationalities = ReadNationalities(o.Required("nationalities"));
  subject.languages = ListOfDistinct(o.Optional("languages"), Language);
  Set(&subject.accompaniment, Enumerated<Accompaniment>(o.Required("accompaniment")));
  subject.companions = List(o.Optional("companions"), ReadCompanion);
  subject.flags = ListOfDistinct(o.Optional("flags"), Enumerated<SubjectFlag>);
  subject.habitual_residence = Country(o.Optional("habitual_residence"));
  subject.previous_ids = ReadPreviousIds(o.Optional("previous_ids"), subject.id);
  return subject;
}

std::optional<TransferTarget> ReadTransferTarget(const Field& f) {
  const Object o(f, {"agency", "kind", "facility", "case_id"});
  if (!o.ok()) return std::nullopt;
  TransferTarget target;
  Set(&target.agency, Text(o.Required("agency")));
  Set(&target.kind, Enumerated<TransferKind>(o.Required("kind")));
  target.facility = ReadFacility(o.Optional("facility"));
  target.case_id = Text(o.Optional("case_id"));
  return target;
}

std::optional<Transfer> ReadTransfer(const Field& f) {
  const Object o(f, {"to"});
  if (!o.ok()) return std::nullopt;
  Transfer transfer;
  Set(&transfer.to, ReadTransferTarget(o.Required("to")));
  return transfer;
}

std::optional<Return> ReadReturn(const Field& f) {
  const Object o(f, {"to_country", "port", "scheduled_at"});
  if (!o.ok()) return std::nullopt;
  Return back;
  Set(&back.to_country, Country(o.Required("to_country")));
  back.port = Text(o.Optional("port"));
  back.scheduled_at = Time(o.Optional("scheduled_at"));
  return back;
}

std::optional<Custody> ReadCustody(const Field& f) {
  const Object o(f, {"start", "with_unrelated_adults", "kind", "detention_review_at",
                     "detention_review_number"});
  if (!o.ok()) return std::nullopt;
  Custody custody;
  custody.start = Time(o.Optional("start"));
  custody.with_unrelated_adults = Boolean(o.Optional("with_unrelated_adults"));
  custody.kind = Enumerated<CustodyKind>(o.Optional("kind"));
  const Field review_at = o.Optional("detention_review_at");
  custody.detention_review_at = Time(review_at);
  const Field review_number = o.Optional("detention_review_number");
  custody.detention_review_number = Ordinal(review_number, kMaxDetentionReview);
  if (review_number.value != nullptr && review_at.value == nullptr) {
    review_number.Report(Problem::kConsistency, "requires custody.detention_review_at");
  }
  return custody;
}

std::optional<ConsularNotification> ReadConsularNotification(const Field& f) {
  const Object o(f, {"requested_by_child"});
  if (!o.ok()) return std::nullopt;
  ConsularNotification notification;
  Set(&notification.requested_by_child,
      Enumerated<ConsularRequest>(o.Required("requested_by_child")));
  return notification;
}

std::optional<TvpraScreening> ReadTvpraScreening(const Field& f) {
  const Object o(f, {"trafficking_victim", "credible_fear", "independent_decision"});
  if (!o.ok()) return std::nullopt;
  TvpraScreening screening;
  Set(&screening.trafficking_victim, Enumerated<ScreeningAnswer>(o.Required("trafficking_victim")));
  Set(&screening.credible_fear, Enumerated<ScreeningAnswer>(o.Required("credible_fear")));
  Set(&screening.independent_decision,
      Enumerated<ScreeningAnswer>(o.Required("independent_decision")));
  return screening;
}

std::optional<Procedure> ReadProcedure(const Field& f) {
  const Object o(f, {"restitution_plan_id", "protection_measure"});
  if (!o.ok()) return std::nullopt;
  Procedure procedure;
  procedure.restitution_plan_id = Text(o.Optional("restitution_plan_id"));
  procedure.protection_measure = Enumerated<ProtectionMeasure>(o.Optional("protection_measure"));
  return procedure;
}

std::optional<Release> ReadRelease(const Field& f) {
  const Object o(f, {"to", "by", "available"});
  if (!o.ok()) return std::nullopt;
  Release release;
  Set(&release.to, Enumerated<ReleaseTo>(o.Required("to")));
  release.by = Enumerated<TransferKind>(o.Optional("by"));
  release.available = ListOfDistinct(o.Optional("available"), Enumerated<ReleaseTo>);
  return release;
}

std::optional<Reintegration> ReadReintegration(const Field& f) {
  const Object o(f, {"return_event_id", "care", "plan_id", "follow_up_visit"});
  if (!o.ok()) return std::nullopt;
  Reintegration r;
  Set(&r.return_event_id, EventId(o.Required("return_event_id")));
  r.care = Enumerated<ReintegrationCare>(o.Optional("care"));
  r.plan_id = Text(o.Optional("plan_id"));
  r.follow_up_visit = VisitNumber(o.Optional("follow_up_visit"));
  return r;
}

std::optional<Guardian> ReadGuardian(const Field& f) {
  const Object o(f, {"appointed", "appointed_at"});
  if (!o.ok()) return std::nullopt;
  Guardian guardian;
  const std::optional<bool> appointed = Boolean(o.Required("appointed"));
  Set(&guardian.appointed, appointed);
  const Field appointed_at = o.Optional("appointed_at");
  guardian.appointed_at = Time(appointed_at);
  if (appointed_at.value != nullptr && appointed == false) {
    appointed_at.Report(Problem::kConsistency, "requires guardian.appointed true");
  }
  return guardian;
}

// Reports a birth date after the local date of the event.
void CheckBirthDate(const Field& birth_date, const std::optional<Timestamp>& occurred_at,
                    const Subject& s) {
  if (!occurred_at || !s.birth_date || *s.birth_date <= occurred_at->LocalDate()) return;
  birth_date.Report(Problem::kBirthDate, FormatIsoDate(*s.birth_date) + " is after occurred_at (" +
                                             FormatIsoDate(occurred_at->LocalDate()) + ")");
}

// Reports a transfer or return event that lacks its block.
void CheckTypeBlocks(const Field& root, const Event& event) {
  if (event.type == EventType::kTransfer && !event.transfer) {
    Field{root.problems, nullptr, "transfer"}.Report(Problem::kConsistency,
                                                     "required for a transfer event");
  }
  if (event.type == EventType::kReturn && !event.return_) {
    Field{root.problems, nullptr, "return"}.Report(Problem::kConsistency,
                                                   "required for a return event");
  }
  if (event.type == EventType::kReception && !event.reintegration) {
    Field{root.problems, nullptr, "reintegration"}.Report(Problem::kConsistency,
                                                          "required for a reception event");
  }
}

Event ReadEvent(const Field& root) {
  const Object o(root, {"schema", "event_id", "type", "occurred_at", "authority", "location",
                        "subject", "transfer", "return", "custody", "consular_notification",
                        "tvpra_screening", "procedure", "release", "reintegration", "guardian"});
  Event event;
  Set(&event.event_id, EventId(o.Required("event_id")));
  Set(&event.type, Enumerated<EventType>(o.Required("type")));
  const auto occurred_at = Time(o.Required("occurred_at"));
  Set(&event.occurred_at, occurred_at);
  event.authority = ReadAuthority(o.Required("authority"));
  event.location = ReadLocation(o.Required("location"));
  event.subject = ReadSubject(o.Required("subject"));
  CheckBirthDate(Field{root.problems, nullptr, "subject.birth_date"}, occurred_at, event.subject);
  event.transfer = ReadTransfer(o.Optional("transfer"));
  if (event.transfer && event.transfer->to.case_id &&
      *event.transfer->to.case_id == event.subject.id) {
    Field{root.problems, nullptr, "transfer.to.case_id"}.Report(
        Problem::kConsistency, "is subject.id itself; name the receiving agency's case");
  }
  event.return_ = ReadReturn(o.Optional("return"));
  event.custody = ReadCustody(o.Optional("custody"));
  event.consular_notification = ReadConsularNotification(o.Optional("consular_notification"));
  event.tvpra_screening = ReadTvpraScreening(o.Optional("tvpra_screening"));
  event.procedure = ReadProcedure(o.Optional("procedure"));
  event.release = ReadRelease(o.Optional("release"));
  event.reintegration = ReadReintegration(o.Optional("reintegration"));
  event.guardian = ReadGuardian(o.Optional("guardian"));
  CheckTypeBlocks(root, event);
  return event;
}

Result<Event> Decode(std::string_view bytes) {
  if (Status s = CheckBytes(bytes); !s.ok()) return s;
  Json doc;
  if (Status s = ParseObject(bytes, &doc); !s.ok()) return s;
  if (Status s = CheckSchema(doc); !s.ok()) return s;
  Problems problems;
  Event event = ReadEvent(Field{&problems, &doc, ""});
  if (!problems.empty()) return problems.ToStatus();
  return event;
}

// ---------------------------------------------------------------------------
// Writing.

// Each block in contract order, straight into the text (core/json_writer.h).

void Write(JsonWriter& w, const Facility& f) {
  w.BeginObject().Key("id").String(f.id).Key("type").String(ToString(f.type)).EndObject();
}

void Write(JsonWriter& w, const Authority& a) {
  w.BeginObject().Key("country").String(a.country).Key("agency").String(a.agency);
  if (a.office) w.Key("office").String(*a.office);
  w.EndObject();
}

void Write(JsonWriter& w, const Location& l) {
  w.BeginObject().Key("country").String(l.country).Key("admin1").String(l.admin1);
  if (l.place) w.Key("place").String(*l.place);
  if (l.facility) Write(w.Key("facility"), *l.facility);
  w.EndObject();
}

template <typename E>
void WriteNames(JsonWriter& w, const std::vector<E>& values) {
  w.BeginArray();
  for (E value : values) w.String(ToString(value));
  w.EndArray();
}

void Write(JsonWriter& w, const Subject& s) {
  w.BeginObject().Key("id").String(s.id);
  if (s.name) {
    w.Key("name").BeginObject();
    w.Key("given").String(s.name->given).Key("family").String(s.name->family).EndObject();
  }
  if (s.birth_date) w.Key("birth_date").String(FormatIsoDate(*s.birth_date));
  if (s.birth_date_precision) {
    w.Key("birth_date_precision").String(ToString(*s.birth_date_precision));
  }
  if (s.age) {
    w.Key("age").BeginObject();
    if (s.age->years) w.Key("years").Int(*s.age->years);
    w.Key("basis").String(ToString(s.age->basis));
    if (s.age->method) w.Key("method").String(ToString(*s.age->method));
    w.EndObject();
  }
  w.Key("sex").String(ToString(s.sex));
  w.Key("nationalities").Strings(s.nationalities);
  if (!s.languages.empty()) w.Key("languages").Strings(s.languages);
  w.Key("accompaniment").String(ToString(s.accompaniment));
  if (!s.companions.empty()) {
    w.Key("companions").BeginArray();
    for (const Companion& c : s.companions) {
      w.BeginObject().Key("relation").String(ToString(c.relation));
      if (c.custody_status) w.Key("custody_status").String(ToString(*c.custody_status));
      w.EndObject();
    }
    w.EndArray();
  }
  if (!s.flags.empty()) WriteNames(w.Key("flags"), s.flags);
  if (s.habitual_residence) w.Key("habitual_residence").String(*s.habitual_residence);
  if (!s.previous_ids.empty()) w.Key("previous_ids").Strings(s.previous_ids);
  w.EndObject();
}

void Write(JsonWriter& w, const Transfer& t) {
  w.BeginObject().Key("to").BeginObject();
  w.Key("agency").String(t.to.agency).Key("kind").String(ToString(t.to.kind));
  if (t.to.facility) Write(w.Key("facility"), *t.to.facility);
  if (t.to.case_id) w.Key("case_id").String(*t.to.case_id);
  w.EndObject().EndObject();
}

void Write(JsonWriter& w, const Return& r) {
  w.BeginObject().Key("to_country").String(r.to_country);
  if (r.port) w.Key("port").String(*r.port);
  if (r.scheduled_at) w.Key("scheduled_at").String(FormatRfc3339(*r.scheduled_at));
  w.EndObject();
}

void Write(JsonWriter& w, const Custody& c) {
  w.BeginObject();
  if (c.start) w.Key("start").String(FormatRfc3339(*c.start));
  if (c.with_unrelated_adults) w.Key("with_unrelated_adults").Bool(*c.with_unrelated_adults);
  if (c.kind) w.Key("kind").String(ToString(*c.kind));
  if (c.detention_review_at) {
    w.Key("detention_review_at").String(FormatRfc3339(*c.detention_review_at));
  }
  if (c.detention_review_number) w.Key("detention_review_number").Int(*c.detention_review_number);
  w.EndObject();
}

void Write(JsonWriter& w, const ConsularNotification& c) {
  w.BeginObject().Key("requested_by_child").String(ToString(c.requested_by_child)).EndObject();
}

void Write(JsonWriter& w, const TvpraScreening& t) {
  w.BeginObject();
  w.Key("trafficking_victim").String(ToString(t.trafficking_victim));
  w.Key("credible_fear").String(ToString(t.credible_fear));
  w.Key("independent_decision").String(ToString(t.independent_decision));
  w.EndObject();
}

void Write(JsonWriter& w, const Procedure& p) {
  w.BeginObject();
  if (p.restitution_plan_id) w.Key("restitution_plan_id").String(*p.restitution_plan_id);
  if (p.protection_measure) w.Key("protection_measure").String(ToString(*p.protection_measure));
  w.EndObject();
}

void Write(JsonWriter& w, const Release& r) {
  w.BeginObject().Key("to").String(ToString(r.to));
  if (r.by) w.Key("by").String(ToString(*r.by));
  if (!r.available.empty()) WriteNames(w.Key("available"), r.available);
  w.EndObject();
}

void Write(JsonWriter& w, const Reintegration& r) {
  w.BeginObject().Key("return_event_id").String(r.return_event_id);
  if (r.care) w.Key("care").String(ToString(*r.care));
  if (r.plan_id) w.Key("plan_id").String(*r.plan_id);
  if (r.follow_up_visit) w.Key("follow_up_visit").Int(*r.follow_up_visit);
  w.EndObject();
}

void Write(JsonWriter& w, const Guardian& g) {
  w.BeginObject().Key("appointed").Bool(g.appointed);
  if (g.appointed_at) w.Key("appointed_at").String(FormatRfc3339(*g.appointed_at));
  w.EndObject();
}

// `key` and `block`, when the event has the block.
template <typename T>
void WriteBlock(JsonWriter& w, std::string_view key, const std::optional<T>& block) {
  if (block) Write(w.Key(key), *block);
}

// ---------------------------------------------------------------------------
// Peeking.

// The string member `key` of `object`, if `accept` takes it.
std::optional<std::string> Member(const Json& object, const char* key,
                                  bool (*accept)(std::string_view)) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  const auto& s = it->get_ref<const std::string&>();
  if (!accept(s)) return std::nullopt;
  return s;
}

// An event id worth quoting in a receipt: not empty, not too long, no control characters.
bool IsQuotableEventId(std::string_view s) {
  return !s.empty() && s.size() <= kMaxEventIdBytes && !HasControlCharacter(s);
}

}  // namespace

Result<Event> DecodeEvent(std::string_view bytes) noexcept {
  try {
    Result<Event> event = Decode(bytes);
    if (!event.ok()) return Clipped(event.status());
    return event;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("decoding the event failed: ") + e.what());
  }
}

// Only std::bad_alloc can escape (invalid UTF-8 is replaced, as
// core/json_writer.h says), and terminating is the answer to that.
// NOLINTNEXTLINE(bugprone-exception-escape)
std::string EncodeEvent(const Event& event) noexcept {
  JsonWriter w;
  w.BeginObject();
  w.Key("schema").String(event.schema);
  w.Key("event_id").String(event.event_id);
  w.Key("type").String(ToString(event.type));
  w.Key("occurred_at").String(FormatRfc3339(event.occurred_at));
  Write(w.Key("authority"), event.authority);
  Write(w.Key("location"), event.location);
  Write(w.Key("subject"), event.subject);
  WriteBlock(w, "transfer", event.transfer);
  WriteBlock(w, "return", event.return_);
  WriteBlock(w, "custody", event.custody);
  WriteBlock(w, "consular_notification", event.consular_notification);
  WriteBlock(w, "tvpra_screening", event.tvpra_screening);
  WriteBlock(w, "procedure", event.procedure);
  WriteBlock(w, "release", event.release);
  WriteBlock(w, "reintegration", event.reintegration);
  WriteBlock(w, "guardian", event.guardian);
  w.EndObject();
  return std::move(w).Take();
}

EventOrigin PeekOrigin(std::string_view bytes) noexcept {
  EventOrigin origin;
  if (bytes.size() > kMaxPeekBytes) return origin;
  try {
    const Json doc = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) return origin;
    origin.event_id = Member(doc, "event_id", IsQuotableEventId);
    const auto authority = doc.find("authority");
    if (authority != doc.end() && authority->is_object()) {
      origin.country = Member(*authority, "country", IsAlpha2);
      origin.agency = Member(*authority, "agency", IsTopicSegment);
    }
    return origin;
  } catch (...) {
    return EventOrigin{};
  }
}

}  // namespace amparo

// The enumerated vocabularies of the event contract, and their wire names.
//
// Each enum's values are numbered 0..N-1 in the order of its EnumNames<E>
// table, which holds the exact JSON spelling. ToString/FromString convert; the
// rule engine uses the same tables to type-check enum literals at load and to
// intern them, so a misspelled "aprehension" is a load error.
#ifndef AMPARO_DAEMON_EVENT_ENUMS_H_
#define AMPARO_DAEMON_EVENT_ENUMS_H_

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace amparo {

enum class EventType {
  kApprehension,
  kDetention,
  kTransfer,
  kRelease,
  kReturn,
  kAgeAssessment,
  kCaseUpdate,
  // The receiving state's child-welfare authority received a returned child
  // (DOMAIN.md (c) RECEPTION_IN_ORIGIN); carries a `reintegration` block.
  kReception
};
enum class FacilityType {
  kBorderPost,
  kMigrationStation,
  kPolice,
  kShelter,
  kChildWelfareCentre,
  kAdultDetention,
  kFamilyUnit,
  kHospital,
  kProvisionalStay  // Mexico's estancia provisional (LM art. 99; MX-1).
};
enum class AgeBasis { kDocument, kDeclared, kAssessment, kUnknown };
enum class Sex { kF, kM, kX, kUnknown };
enum class Accompaniment { kUnaccompanied, kSeparated, kAccompanied, kUnknown };
enum class Relation { kParent, kLegalGuardian, kRelative, kUnrelatedAdult, kSiblingMinor };
// subject.companions[].custody_status: where an accompanying person is,
// relative to the child (DOMAIN.md (c) custody_status; MX-1 no separation).
enum class CompanionCustody { kSameFacility, kSeparated, kProsecuted, kReleased };
// subject.age.method: how an age assessment was made (DOMAIN.md (c)
// age_assessment_method; US-5: radiographs may not be the only basis).
enum class AgeMethod { kInterview, kDocuments, kDentalXray, kSkeletalXray, kMultipleEvidence };
// procedure.protection_measure: whether the Procuraduría issued the
// protection measure a placement in a Centro de Asistencia Social needs (MX-4).
enum class ProtectionMeasure { kIssued, kRequested, kNone };
enum class TransferKind { kChildWelfare, kMigration, kPolice, kShelter };
enum class SubjectFlag {
  kAsylumClaim,
  kFearOfReturn,
  kTraffickingIndicators,
  kPregnant,
  kDisability,
  kMedicalNeed,
  kParentMinor
};
// How exact subject.birth_date is. A date known only to the month or year, or
// estimated, makes the age doubtful (DOMAIN.md (c), dob_precision).
enum class BirthDatePrecision { kExact, kMonth, kYear, kEstimated };
// custody.kind: a minor detained in their own right, or housed with a
// detained parent (Canada's National Directive, DOMAIN.md CA-2).
enum class CustodyKind { kDetained, kHoused };
// consular_notification.requested_by_child (VCCR art. 36(1)(b), INT-1).
enum class ConsularRequest { kYes, kNo, kNotAsked };
// One answer of the TVPRA screening (8 USC 1232(a)(2)(A), US-3).
enum class ScreeningAnswer { kYes, kNo, kPending };
// release.to: to whom a child was released. `child_welfare` is a release into
// the child-welfare system (ORR, DIF/Procuraduría, PANI...); the others are
// releases outside it.
enum class ReleaseTo {
  kChildWelfare,
  kParentOrGuardian,
  kRelative,
  kSponsor,
  kOwnRecognizance,
  kOther
};
// reintegration.care: what the receiving child-welfare authority decided for a
// returned child: reunified with family, or placed in alternative care.
enum class ReintegrationCare { kFamily, kAlternativeCare };
// The outcome the engine derives from a TVPRA screening; not on the wire, but
// kept in the case (see engine/case_snapshot.h).
enum class ScreeningOutcome { kPending, kScreenedIn, kScreenedOut };

template <typename E>
struct EnumNames;

template <>
struct EnumNames<EventType> {
  static constexpr std::string_view kTypeName = "event type";
  static constexpr std::array<std::string_view, 8> kNames = {
      "apprehension", "detention",      "transfer",    "release",
      "return",       "age_assessment", "case_update", "reception"};
};
template <>
struct EnumNames<FacilityType> {
  static constexpr std::string_view kTypeName = "facility type";
  static constexpr std::array<std::string_view, 9> kNames = {
      "border_post",     "migration_station", "police",   "shelter",         "child_welfare_centre",
      "adult_detention", "family_unit",       "hospital", "provisional_stay"};
};
template <>
struct EnumNames<AgeBasis> {
  static constexpr std::string_view kTypeName = "age basis";
  static constexpr std::array<std::string_view, 4> kNames = {"document", "declared", "assessment",
                                                             "unknown"};
};
template <>
struct EnumNames<Sex> {
  static constexpr std::string_view kTypeName = "sex";
  static constexpr std::array<std::string_view, 4> kNames = {"F", "M", "X", "unknown"};
};
template <>
struct EnumNames<Accompaniment> {
  static constexpr std::string_view kTypeName = "accompaniment";
  static constexpr std::array<std::string_view, 4> kNames = {"unaccompanied", "separated",
                                                             "accompanied", "unknown"};
};
template <>
struct EnumNames<Relation> {
  static constexpr std::string_view kTypeName = "relation";
  static constexpr std::array<std::string_view, 5> kNames = {"parent", "legal_guardian", "relative",
                                                             "unrelated_adult", "sibling_minor"};
};
template <>
struct EnumNames<CompanionCustody> {
  static constexpr std::string_view kTypeName = "companion custody status";
  static constexpr std::array<std::string_view, 4> kNames = {"same_facility", "separated",
                                                             "prosecuted", "released"};
};
template <>
struct EnumNames<AgeMethod> {
  static constexpr std::string_view kTypeName = "age assessment method";
  static constexpr std::array<std::string_view, 5> kNames = {
      "interview", "documents", "dental_xray", "skeletal_xray", "multiple_evidence"};
};
template <>
struct EnumNames<ProtectionMeasure> {
  static constexpr std::string_view kTypeName = "protection measure";
  static constexpr std::array<std::string_view, 3> kNames = {"issued", "requested", "none"};
};
template <>
struct EnumNames<TransferKind> {
  static constexpr std::string_view kTypeName = "transfer kind";
  static constexpr std::array<std::string_view, 4> kNames = {"child_welfare", "migration", "police",
                                                             "shelter"};
};
template <>
struct EnumNames<SubjectFlag> {
  static constexpr std::string_view kTypeName = "subject flag";
  static constexpr std::array<std::string_view, 7> kNames = {
      "asylum_claim", "fear_of_return", "trafficking_indicators", "pregnant", "disability",
      "medical_need", "parent_minor"};
};

template <>
struct EnumNames<BirthDatePrecision> {
  static constexpr std::string_view kTypeName = "birth date precision";
  static constexpr std::array<std::string_view, 4> kNames = {"exact", "month", "year", "estimated"};
};
template <>
struct EnumNames<CustodyKind> {
  static constexpr std::string_view kTypeName = "custody kind";
  static constexpr std::array<std::string_view, 2> kNames = {"detained", "housed"};
};
template <>
struct EnumNames<ConsularRequest> {
  static constexpr std::string_view kTypeName = "consular request";
  static constexpr std::array<std::string_view, 3> kNames = {"yes", "no", "not_asked"};
};
template <>
struct EnumNames<ScreeningAnswer> {
  static constexpr std::string_view kTypeName = "screening answer";
  static constexpr std::array<std::string_view, 3> kNames = {"yes", "no", "pending"};
};
template <>
struct EnumNames<ReleaseTo> {
  static constexpr std::string_view kTypeName = "release destination";
  static constexpr std::array<std::string_view, 6> kNames = {
      "child_welfare", "parent_or_guardian", "relative", "sponsor", "own_recognizance", "other"};
};
template <>
struct EnumNames<ReintegrationCare> {
  static constexpr std::string_view kTypeName = "reintegration care";
  static constexpr std::array<std::string_view, 2> kNames = {"family", "alternative_care"};
};
template <>
struct EnumNames<ScreeningOutcome> {
  static constexpr std::string_view kTypeName = "screening outcome";
  static constexpr std::array<std::string_view, 3> kNames = {"pending", "screened_in",
                                                             "screened_out"};
};

// The wire name of `e`.
template <typename E>
constexpr std::string_view ToString(E e) {
  const auto i = static_cast<std::size_t>(e);
  return i < EnumNames<E>::kNames.size() ? EnumNames<E>::kNames[i] : std::string_view("?");
}

// The value whose wire name is `s`, or nullopt. Case-sensitive.
template <typename E>
constexpr std::optional<E> FromString(std::string_view s) {
  for (std::size_t i = 0; i < EnumNames<E>::kNames.size(); ++i) {
    if (EnumNames<E>::kNames[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

// All wire names of E, in order.
template <typename E>
constexpr std::span<const std::string_view> AllNames() {
  return EnumNames<E>::kNames;
}

}  // namespace amparo

#endif  // AMPARO_DAEMON_EVENT_ENUMS_H_

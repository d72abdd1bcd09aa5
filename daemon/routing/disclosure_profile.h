// Disclosure profiles: which fields of an alert an agency may see.
//
// A profile is a named set of fields from a fixed vocabulary; the directory
// defines profiles (`disclosure_profiles:`) and names one per agency.
#ifndef AMPARO_DAEMON_ROUTING_DISCLOSURE_PROFILE_H_
#define AMPARO_DAEMON_ROUTING_DISCLOSURE_PROFILE_H_

#include <array>
#include <bitset>
#include <optional>
#include <string>
#include <string_view>

namespace amparo {

// The fields a profile may allow, in the order of kDisclosureFieldNames.
enum class DisclosureField {
  kEventType,
  kEventOccurredAt,
  kAuthority,
  kSubjectId,
  kSubjectName,
  kSubjectBirthDate,
  kSubjectAgeYears,
  kSubjectSex,
  kSubjectNationalities,
  kSubjectLanguages,
  kSubjectAccompaniment,
  kSubjectCompanions,
  kSubjectFlags,
  kLocationCountry,
  kLocationAdmin1,
  kLocationPlace,
  kLocationFacility,
  kTransfer,
  kReturn,
  kRelease,        // release.to / release.by
  kReintegration,  // the receiving state's report after a return
};

// The names profiles use for each DisclosureField, in enum order.
inline constexpr std::array<std::string_view, 21> kDisclosureFieldNames = {"event.type",
                                                                           "event.occurred_at",
                                                                           "authority",
                                                                           "subject.id",
                                                                           "subject.name",
                                                                           "subject.birth_date",
                                                                           "subject.age_years",
                                                                           "subject.sex",
                                                                           "subject.nationalities",
                                                                           "subject.languages",
                                                                           "subject.accompaniment",
                                                                           "subject.companions",
                                                                           "subject.flags",
                                                                           "location.country",
                                                                           "location.admin1",
                                                                           "location.place",
                                                                           "location.facility",
                                                                           "transfer",
                                                                           "return",
                                                                           "release",
                                                                           "reintegration"};

// The field named `name`, or nullopt.
std::optional<DisclosureField> DisclosureFieldFromName(std::string_view name);

struct DisclosureProfile {
  std::string name;
  std::bitset<kDisclosureFieldNames.size()> allowed;

  // True if the profile lets its agencies see `field`.
  bool Allows(DisclosureField field) const { return allowed[static_cast<size_t>(field)]; }
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ROUTING_DISCLOSURE_PROFILE_H_

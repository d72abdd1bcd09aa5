#include "daemon/routing/disclosure.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "daemon/event/rfc3339.h"

namespace amparo {
namespace {

using nlohmann::json;
using F = DisclosureField;

template <typename E>
std::string Name(E e) {
  return std::string(ToString(e));
}

json FacilityJson(const Facility& f) { return {{"id", f.id}, {"type", Name(f.type)}}; }

bool IsProtectionFlag(SubjectFlag f) {
  return f == SubjectFlag::kAsylumClaim || f == SubjectFlag::kFearOfReturn;
}

json SubjectJson(const Subject& s, std::optional<int> age_years, const DisclosureProfile& p,
                 bool withhold) {
  json out = json::object();
  // The authority's case number names the authority's case file: a state that
  // holds it can ask for, or trace, the child through that authority.
  if (p.Allows(F::kSubjectId) && !withhold) out["id"] = s.id;
  if (p.Allows(F::kSubjectName) && s.name) {
    out["name"] = {{"given", s.name->given}, {"family", s.name->family}};
  }
  if (p.Allows(F::kSubjectBirthDate) && s.birth_date)
    out["birth_date"] = FormatIsoDate(*s.birth_date);
  if (p.Allows(F::kSubjectAgeYears) && age_years) out["age_years"] = *age_years;
  if (p.Allows(F::kSubjectSex)) out["sex"] = Name(s.sex);
  if (p.Allows(F::kSubjectNationalities)) out["nationalities"] = s.nationalities;
  if (p.Allows(F::kSubjectLanguages)) out["languages"] = s.languages;
  if (p.Allows(F::kSubjectAccompaniment)) out["accompaniment"] = Name(s.accompaniment);
  if (p.Allows(F::kSubjectCompanions)) {
    out["companions"] = json::array();
    for (const Companion& c : s.companions)
      out["companions"].push_back({{"relation", Name(c.relation)}});
  }
  if (p.Allows(F::kSubjectFlags)) {
    out["flags"] = json::array();
    for (SubjectFlag f : s.flags) {
      if (!(withhold && IsProtectionFlag(f))) out["flags"].push_back(Name(f));
    }
  }
  return out;
}

json LocationJson(const Location& l, const DisclosureProfile& p) {
  json out = json::object();
  if (p.Allows(F::kLocationCountry)) out["country"] = l.country;
  if (p.Allows(F::kLocationAdmin1)) out["admin1"] = l.admin1;
  if (p.Allows(F::kLocationPlace) && l.place) out["place"] = *l.place;
  if (p.Allows(F::kLocationFacility) && l.facility) out["facility"] = FacilityJson(*l.facility);
  return out;
}

json AuthorityJson(const Authority& a) {
  json out = {{"country", a.country}, {"agency", a.agency}};
  if (a.office) out["office"] = *a.office;
  return out;
}

// A time as the recipient may see it: at the offset it was written with, or,
// when the child's whereabouts are withheld, in UTC (a local offset narrows
// down where the child is: -06:00 is Chiapas or Texas, not Ontario).
std::string TimeJson(const Timestamp& t, bool withhold) {
  return withhold ? FormatUtc(t.utc) : FormatRfc3339Seconds(t);
}

json TransferJson(const Transfer& t) {
  json to = {{"agency", t.to.agency}, {"kind", Name(t.to.kind)}};
  if (t.to.facility) to["facility"] = FacilityJson(*t.to.facility);
  return {{"to", to}};
}

json ReturnJson(const Return& r, bool withhold) {
  json out = {{"to_country", r.to_country}};
  if (r.port && !withhold) out["port"] = *r.port;
  if (r.scheduled_at) out["scheduled_at"] = TimeJson(*r.scheduled_at, withhold);
  return out;
}

json ReleaseJson(const Release& r) {
  json out = {{"to", Name(r.to)}};
  if (r.by) out["by"] = Name(*r.by);
  return out;
}

json ReintegrationJson(const Reintegration& r) {
  json out = {{"return_event_id", r.return_event_id}};
  if (r.care) out["care"] = Name(*r.care);
  if (r.plan_id) out["plan_id"] = *r.plan_id;
  if (r.follow_up_visit) out["follow_up_visit"] = *r.follow_up_visit;
  return out;
}

bool Has(const std::vector<SubjectFlag>& flags, SubjectFlag flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

}  // namespace

LocalizedChoice Localize(const LocalizedText& text, const std::vector<std::string>& languages) {
  for (const std::string& lang : languages) {
    if (auto it = text.find(lang); it != text.end()) return {lang, it->second};
  }
  if (auto it = text.find("en"); it != text.end() || text.empty()) {
    return {"en", it == text.end() ? "" : it->second};
  }
  return {text.begin()->first, text.begin()->second};
}

bool WithholdsWhereabouts(const Event& event, const Recipient& recipient) {
  const Subject& s = event.subject;
  if (!Has(s.flags, SubjectFlag::kAsylumClaim) && !Has(s.flags, SubjectFlag::kFearOfReturn)) {
    return false;
  }
  // amparo's own duty officer must see everything to act. The state's other
  // organs (its child welfare, say) already know where a child on its own
  // territory is; its consulates and foreign ministry are never told.
  if (recipient.kind == AgencyKind::kDutyOfficer) return false;
  const bool diplomatic =
      recipient.kind == AgencyKind::kConsulate || recipient.kind == AgencyKind::kForeignMinistry;
  if (!diplomatic && recipient.country == event.location.country) return false;
  const bool national = std::find(s.nationalities.begin(), s.nationalities.end(),
                                  recipient.country) != s.nationalities.end();
  return national || s.habitual_residence == recipient.country;
}

json DisclosedView(const Event& event, std::optional<int> age_years, const Recipient& recipient,
                   const DisclosureProfile& profile) {
  const bool withhold = WithholdsWhereabouts(event, recipient);
  json out = json::object();
  if (profile.Allows(F::kEventType)) out["type"] = Name(event.type);
  if (profile.Allows(F::kEventOccurredAt))
    out["occurred_at"] = TimeJson(event.occurred_at, withhold);
  // The authority is an organ of the state the child is in: withheld whole.
  if (profile.Allows(F::kAuthority) && !withhold) out["authority"] = AuthorityJson(event.authority);
  if (json subject = SubjectJson(event.subject, age_years, profile, withhold); !subject.empty()) {
    out["subject"] = std::move(subject);
  }
  if (json location = LocationJson(event.location, profile); !withhold && !location.empty()) {
    out["location"] = std::move(location);
  }
  if (profile.Allows(F::kTransfer) && event.transfer && !withhold) {
    out["transfer"] = TransferJson(*event.transfer);
  }
  if (profile.Allows(F::kReturn) && event.return_) {
    out["return"] = ReturnJson(*event.return_, withhold);
  }
  if (profile.Allows(F::kRelease) && event.release) out["release"] = ReleaseJson(*event.release);
  // A reintegration report says the child is back in the receiving state.
  if (profile.Allows(F::kReintegration) && event.reintegration && !withhold) {
    out["reintegration"] = ReintegrationJson(*event.reintegration);
  }
  return out;
}

}  // namespace amparo

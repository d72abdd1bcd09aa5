#include "daemon/routing/disclosure.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

#include "daemon/event/event_codec.h"
#include "daemon/event/rfc3339.h"

namespace amparo {
namespace {

using nlohmann::json;
using F = DisclosureField;

// A time as the recipient may see it: at the offset it was written with, or,
// when the child's whereabouts are withheld, in UTC (a local offset narrows
// down where the child is: -06:00 is Chiapas or Texas, not Ontario).
std::string TimeJson(const Timestamp& t, bool withhold) {
  return withhold ? FormatUtc(t.utc) : FormatRfc3339Seconds(t);
}

// The members of `from` that `profile` allows, each under its field, copied
// into `into` when present (the event JSON leaves out absent values).
template <size_t N>
void CopyAllowed(const nlohmann::ordered_json& from,
                 const std::array<std::pair<F, const char*>, N>& fields,
                 const DisclosureProfile& profile, json& into) {
  for (const auto& [field, key] : fields) {
    if (!profile.Allows(field)) continue;
    if (auto it = from.find(key); it != from.end()) into[key] = json(*it);
  }
}

constexpr std::array<std::pair<F, const char*>, 9> kSubjectFields = {{
    {F::kSubjectId, "id"},
    {F::kSubjectName, "name"},
    {F::kSubjectBirthDate, "birth_date"},
    {F::kSubjectSex, "sex"},
    {F::kSubjectNationalities, "nationalities"},
    {F::kSubjectLanguages, "languages"},
    {F::kSubjectAccompaniment, "accompaniment"},
    {F::kSubjectCompanions, "companions"},
    {F::kSubjectFlags, "flags"},
}};

constexpr std::array<std::pair<F, const char*>, 4> kLocationFields = {{
    {F::kLocationCountry, "country"},
    {F::kLocationAdmin1, "admin1"},
    {F::kLocationPlace, "place"},
    {F::kLocationFacility, "facility"},
}};

// The blocks a profile allows whole (when the event has them).
constexpr std::array<std::pair<F, const char*>, 5> kBlockFields = {{
    {F::kAuthority, "authority"},
    {F::kTransfer, "transfer"},
    {F::kReturn, "return"},
    {F::kRelease, "release"},
    {F::kReintegration, "reintegration"},
}};

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
  // Cut from the event's one JSON form (event/event_codec.h), so that a
  // field added to the contract reaches no recipient until a profile names it.
  // Only what the profile allows is copied out of it.
  const nlohmann::ordered_json full = EventToJson(event);
  json out = json::object();
  if (profile.Allows(F::kEventType)) out["type"] = json(full.at("type"));
  if (profile.Allows(F::kEventOccurredAt)) {
    out["occurred_at"] = TimeJson(event.occurred_at, withhold);
  }
  json subject = json::object();
  CopyAllowed(full.at("subject"), kSubjectFields, profile, subject);
  if (profile.Allows(F::kSubjectAgeYears) && age_years) subject["age_years"] = *age_years;
  json location = json::object();
  CopyAllowed(full.at("location"), kLocationFields, profile, location);
  CopyAllowed(full, kBlockFields, profile, out);
  if (withhold) {
    // The authority is an organ of the state the child is in; its case
    // number names its case file, through which a state can trace the child.
    out.erase("authority");
    subject.erase("id");
    if (auto flags = subject.find("flags"); flags != subject.end()) {
      json kept = json::array();
      for (const json& f : *flags) {
        if (f != std::string(ToString(SubjectFlag::kAsylumClaim)) &&
            f != std::string(ToString(SubjectFlag::kFearOfReturn))) {
          kept.push_back(f);
        }
      }
      *flags = std::move(kept);
    }
    location = json::object();
    out.erase("transfer");
    // A reintegration report says the child is back in the receiving state.
    out.erase("reintegration");
    if (auto ret = out.find("return"); ret != out.end()) ret->erase("port");
  }
  if (auto ret = out.find("return"); ret != out.end() && event.return_->scheduled_at) {
    (*ret)["scheduled_at"] = TimeJson(*event.return_->scheduled_at, withhold);
  }
  if (!subject.empty()) out["subject"] = std::move(subject);
  if (!location.empty()) out["location"] = std::move(location);
  return out;
}

}  // namespace amparo

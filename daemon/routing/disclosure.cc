#include "daemon/routing/disclosure.h"

#include <algorithm>
#include <string>

#include "daemon/core/json_writer.h"
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

bool Has(const std::vector<SubjectFlag>& flags, SubjectFlag flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// Each value below is spelled as the event's canonical JSON spells it
// (event/event_codec.h EncodeEvent); members come in key order, so that the
// view's text is what nlohmann::json writes for the same object. A test
// holds each member to the canonical one (tests/unit/routing/disclosure_test.cc).

template <typename E>
void Names(JsonWriter& w, const std::vector<E>& values) {
  w.BeginArray();
  for (E value : values) w.String(ToString(value));
  w.EndArray();
}

void WriteFacility(JsonWriter& w, const Facility& f) {
  w.BeginObject().Key("id").String(f.id).Key("type").String(ToString(f.type)).EndObject();
}

// The subject's members `profile` allows; nothing at all is written when it
// allows none the event has.
void WriteSubject(JsonWriter& w, const Subject& s, std::optional<int> age_years, bool withhold,
                  const DisclosureProfile& profile) {
  JsonWriter m;
  m.BeginObject();
  bool any = false;
  const auto key = [&](std::string_view name) -> JsonWriter& {
    any = true;
    return m.Key(name);
  };
  if (profile.Allows(F::kSubjectAccompaniment))
    key("accompaniment").String(ToString(s.accompaniment));
  if (profile.Allows(F::kSubjectAgeYears) && age_years) key("age_years").Int(*age_years);
  if (profile.Allows(F::kSubjectBirthDate) && s.birth_date) {
    key("birth_date").String(FormatIsoDate(*s.birth_date));
  }
  if (profile.Allows(F::kSubjectCompanions) && !s.companions.empty()) {
    key("companions").BeginArray();
    for (const Companion& c : s.companions) {
      m.BeginObject();
      if (c.custody_status) m.Key("custody_status").String(ToString(*c.custody_status));
      m.Key("relation").String(ToString(c.relation));
      m.EndObject();
    }
    m.EndArray();
  }
  if (profile.Allows(F::kSubjectFlags) && !s.flags.empty()) {
    // Nor that the child asked for protection, when its whereabouts are withheld.
    key("flags").BeginArray();
    for (SubjectFlag f : s.flags) {
      if (withhold && (f == SubjectFlag::kAsylumClaim || f == SubjectFlag::kFearOfReturn)) continue;
      m.String(ToString(f));
    }
    m.EndArray();
  }
  // The authority's case number traces the child to its case file.
  if (profile.Allows(F::kSubjectId) && !withhold) key("id").String(s.id);
  if (profile.Allows(F::kSubjectLanguages) && !s.languages.empty()) {
    key("languages").Strings(s.languages);
  }
  if (profile.Allows(F::kSubjectName) && s.name) {
    key("name").BeginObject();
    m.Key("family").String(s.name->family).Key("given").String(s.name->given).EndObject();
  }
  if (profile.Allows(F::kSubjectNationalities)) key("nationalities").Strings(s.nationalities);
  if (profile.Allows(F::kSubjectSex)) key("sex").String(ToString(s.sex));
  m.EndObject();
  if (any) w.Key("subject").Raw(std::move(m).Take());
}

// The location's members `profile` allows; called only when the child's
// whereabouts are not withheld.
void WriteLocation(JsonWriter& w, const Location& l, const DisclosureProfile& profile) {
  const bool admin1 = profile.Allows(F::kLocationAdmin1);
  const bool country = profile.Allows(F::kLocationCountry);
  const bool facility = profile.Allows(F::kLocationFacility) && l.facility;
  const bool place = profile.Allows(F::kLocationPlace) && l.place;
  if (!admin1 && !country && !facility && !place) return;
  w.Key("location").BeginObject();
  if (admin1) w.Key("admin1").String(l.admin1);
  if (country) w.Key("country").String(l.country);
  if (facility) WriteFacility(w.Key("facility"), *l.facility);
  if (place) w.Key("place").String(*l.place);
  w.EndObject();
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

void WriteDisclosedView(const Event& event, std::optional<int> age_years,
                        const Recipient& recipient, const DisclosureProfile& profile,
                        JsonWriter& w) {
  const bool withhold = WithholdsWhereabouts(event, recipient);
  w.BeginObject();
  // The authority is an organ of the state the child is in; its case
  // number names its case file, through which a state can trace the child.
  if (profile.Allows(F::kAuthority) && !withhold) {
    const Authority& a = event.authority;
    w.Key("authority").BeginObject();
    w.Key("agency").String(a.agency).Key("country").String(a.country);
    if (a.office) w.Key("office").String(*a.office);
    w.EndObject();
  }
  if (!withhold) WriteLocation(w, event.location, profile);
  if (profile.Allows(F::kEventOccurredAt)) {
    w.Key("occurred_at").String(TimeJson(event.occurred_at, withhold));
  }
  // A reintegration report says the child is back in the receiving state.
  if (profile.Allows(F::kReintegration) && event.reintegration && !withhold) {
    const Reintegration& r = *event.reintegration;
    w.Key("reintegration").BeginObject();
    if (r.care) w.Key("care").String(ToString(*r.care));
    if (r.follow_up_visit) w.Key("follow_up_visit").Int(*r.follow_up_visit);
    if (r.plan_id) w.Key("plan_id").String(*r.plan_id);
    w.Key("return_event_id").String(r.return_event_id);
    w.EndObject();
  }
  if (profile.Allows(F::kRelease) && event.release) {
    const Release& r = *event.release;
    w.Key("release").BeginObject();
    if (!r.available.empty()) Names(w.Key("available"), r.available);
    if (r.by) w.Key("by").String(ToString(*r.by));
    w.Key("to").String(ToString(r.to));
    w.EndObject();
  }
  if (profile.Allows(F::kReturn) && event.return_) {
    const Return& r = *event.return_;
    w.Key("return").BeginObject();
    if (r.port && !withhold) w.Key("port").String(*r.port);
    if (r.scheduled_at) w.Key("scheduled_at").String(TimeJson(*r.scheduled_at, withhold));
    w.Key("to_country").String(r.to_country);
    w.EndObject();
  }
  WriteSubject(w, event.subject, age_years, withhold, profile);
  if (profile.Allows(F::kTransfer) && event.transfer && !withhold) {
    const TransferTarget& to = event.transfer->to;
    w.Key("transfer").BeginObject().Key("to").BeginObject();
    w.Key("agency").String(to.agency);
    if (to.case_id) w.Key("case_id").String(*to.case_id);
    if (to.facility) WriteFacility(w.Key("facility"), *to.facility);
    w.Key("kind").String(ToString(to.kind));
    w.EndObject().EndObject();
  }
  if (profile.Allows(F::kEventType)) w.Key("type").String(ToString(event.type));
  w.EndObject();
}

json DisclosedView(const Event& event, std::optional<int> age_years, const Recipient& recipient,
                   const DisclosureProfile& profile) {
  JsonWriter w;
  WriteDisclosedView(event, age_years, recipient, profile, w);
  return json::parse(std::move(w).Take());
}

}  // namespace amparo

#include "daemon/engine/schema.h"

#include <algorithm>
#include <array>

#include "daemon/engine/decision.h"

namespace amparo {

namespace {

using Ctx = FieldContext;

constexpr ValueType kBool{BaseType::kBool};
constexpr ValueType kInt{BaseType::kInt};
constexpr ValueType kString{BaseType::kString};
constexpr ValueType kInstant{BaseType::kInstant};
constexpr ValueType kStringList{BaseType::kString, true};

template <typename E>
ValueType EnumType(bool list = false) {
  return {BaseType::kEnum, list, DomainOf<E>()};
}

bool Str(std::string_view s, Scalar* out) {
  out->s = s;
  return true;
}
bool OptStr(const std::optional<std::string>& s, Scalar* out) { return s && Str(*s, out); }
bool Int(int64_t i, Scalar* out) {
  out->i = i;
  return true;
}
template <typename E>
bool Enum(E e, Scalar* out) {
  return Int(static_cast<int64_t>(e), out);
}

bool HasString(const std::vector<std::string>& list, const Scalar& item) {
  return std::find(list.begin(), list.end(), item.s) != list.end();
}
template <typename E>
bool HasEnum(const std::vector<E>& list, const Scalar& item) {
  return std::find(list.begin(), list.end(), static_cast<E>(item.i)) != list.end();
}

template <typename T>
bool OptEnum(const std::optional<T>& e, Scalar* out) {
  return e && Enum(*e, out);
}

// Local weekdays, indexed by ISO weekday - 1.
constexpr std::array<std::string_view, 7> kWeekdayNames = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
const EnumDomain* WeekdayDomain() {
  static const EnumDomain domain{"weekday", kWeekdayNames};
  return &domain;
}
bool Weekday(int iso_weekday, Scalar* out) { return Int(iso_weekday - 1, out); }

// The table, built on first use (no static-initialization order to get wrong).
std::span<const FieldDef> FieldTable() {
  static const FieldDef kFields[] = {
      {"event.type", EnumType<EventType>(), false, "the event type",
       [](const Ctx& c, Scalar* o) { return Enum(c.event.type, o); }},
      {"event.id", kString, false, "the publisher's event_id",
       [](const Ctx& c, Scalar* o) { return Str(c.event.event_id, o); }},
      {"event.local_hour", kInt, false, "derived: hour 0-23 of occurred_at, at its offset",
       [](const Ctx& c, Scalar* o) { return Int(c.facts.local_hour, o); }},
      {"event.local_weekday",
       {BaseType::kEnum, false, WeekdayDomain()},
       false,
       "derived: weekday of occurred_at, at its offset (monday .. sunday)",
       [](const Ctx& c, Scalar* o) { return Weekday(c.facts.local_weekday, o); }},
      {"authority.country", kString, false, "ISO 3166-1 alpha-2 of the publishing authority",
       [](const Ctx& c, Scalar* o) { return Str(c.event.authority.country, o); }},
      {"authority.agency", kString, false, "e.g. \"INM\", \"CBP-USBP\"",
       [](const Ctx& c, Scalar* o) { return Str(c.event.authority.agency, o); }},
      {"authority.office", kString, true, "the office or station",
       [](const Ctx& c, Scalar* o) { return OptStr(c.event.authority.office, o); }},
      {"location.country", kString, false, "ISO 3166-1 alpha-2 of the place",
       [](const Ctx& c, Scalar* o) { return Str(c.event.location.country, o); }},
      {"location.admin1", kString, false, "ISO 3166-2 of the place, e.g. \"MX-CHP\"",
       [](const Ctx& c, Scalar* o) { return Str(c.event.location.admin1, o); }},
      {"location.place", kString, true, "the place name",
       [](const Ctx& c, Scalar* o) { return OptStr(c.event.location.place, o); }},
      {"location.facility.type", EnumType<FacilityType>(), true, "the facility type",
       [](const Ctx& c, Scalar* o) {
         const auto& f = c.event.location.facility;
         return f && Enum(f->type, o);
       }},
      {"location.facility.id", kString, true, "the facility id",
       [](const Ctx& c, Scalar* o) {
         const auto& f = c.event.location.facility;
         return f && Str(f->id, o);
       }},
      {"subject.id", kString, false, "the authority's pseudonymous case number",
       [](const Ctx& c, Scalar* o) { return Str(c.event.subject.id, o); }},
      {"subject.sex", EnumType<Sex>(), false, "F, M, X or unknown",
       [](const Ctx& c, Scalar* o) { return Enum(c.event.subject.sex, o); }},
      {"subject.nationalities", kStringList, false, "ISO 3166-1 alpha-2 codes", nullptr,
       [](const Ctx& c, const Scalar& x) { return HasString(c.event.subject.nationalities, x); },
       [](const Ctx& c) { return c.event.subject.nationalities.size(); }},
      {"subject.languages", kStringList, false, "BCP 47 primary tags", nullptr,
       [](const Ctx& c, const Scalar& x) { return HasString(c.event.subject.languages, x); },
       [](const Ctx& c) { return c.event.subject.languages.size(); }},
      {"subject.accompaniment", EnumType<Accompaniment>(), false,
       "unaccompanied, separated, accompanied or unknown",
       [](const Ctx& c, Scalar* o) { return Enum(c.event.subject.accompaniment, o); }},
      {"subject.flags", EnumType<SubjectFlag>(true), false, "flags on this event", nullptr,
       [](const Ctx& c, const Scalar& x) { return HasEnum(c.event.subject.flags, x); },
       [](const Ctx& c) { return c.event.subject.flags.size(); }},
      {"subject.companion_relations", EnumType<Relation>(true), false,
       "the relation of each companion", nullptr,
       [](const Ctx& c, const Scalar& x) {
         const auto& list = c.event.subject.companions;
         return std::any_of(list.begin(), list.end(), [&x](const Companion& comp) {
           return comp.relation == static_cast<Relation>(x.i);
         });
       },
       [](const Ctx& c) { return c.event.subject.companions.size(); }},
      {"subject.separated_companion_relations", EnumType<Relation>(true), false,
       "derived: the relation of each companion whose custody_status is separated (held apart "
       "from the child)",
       nullptr,
       [](const Ctx& c, const Scalar& x) {
         const auto& list = c.event.subject.companions;
         return std::any_of(list.begin(), list.end(), [&x](const Companion& comp) {
           return comp.custody_status == CompanionCustody::kSeparated &&
                  comp.relation == static_cast<Relation>(x.i);
         });
       },
       [](const Ctx& c) {
         const auto& list = c.event.subject.companions;
         return static_cast<std::size_t>(
             std::count_if(list.begin(), list.end(), [](const Companion& comp) {
               return comp.custody_status == CompanionCustody::kSeparated;
             }));
       }},
      {"subject.age.years", kInt, true, "the age as the authority stated it",
       [](const Ctx& c, Scalar* o) {
         const auto& a = c.event.subject.age;
         return a && a->years && Int(*a->years, o);
       }},
      {"subject.age.basis", EnumType<AgeBasis>(), true, "document, declared, assessment, unknown",
       [](const Ctx& c, Scalar* o) {
         const auto& a = c.event.subject.age;
         return a && Enum(a->basis, o);
       }},
      {"subject.age.method", EnumType<AgeMethod>(), true,
       "how an age assessment was made (only with basis assessment); dental_xray and "
       "skeletal_xray are radiographs alone",
       [](const Ctx& c, Scalar* o) {
         const auto& a = c.event.subject.age;
         return a && OptEnum(a->method, o);
       }},
      {"subject.birth_date_precision", EnumType<BirthDatePrecision>(), true,
       "exact, month, year or estimated; absent without a birth date",
       [](const Ctx& c, Scalar* o) {
         const Subject& s = c.event.subject;
         if (!s.birth_date) return false;
         return Enum(s.birth_date_precision.value_or(BirthDatePrecision::kExact), o);
       }},
      {"subject.habitual_residence", kString, true, "ISO 3166-1 alpha-2",
       [](const Ctx& c, Scalar* o) { return OptStr(c.event.subject.habitual_residence, o); }},
      {"subject.age_years", kInt, true, "derived: age in years at the local date of the event",
       [](const Ctx& c, Scalar* o) { return c.facts.age_years && Int(*c.facts.age_years, o); }},
      {"subject.age_doubtful", kBool, false, "derived: no document-based age",
       [](const Ctx& c, Scalar* o) { return Int(c.facts.age_doubtful, o); }},
      {"subject.minor", kBool, false, "derived: the presumption of minority",
       [](const Ctx& c, Scalar* o) { return Int(c.facts.minor, o); }},
      {"subject.unaccompanied_or_separated", kBool, false,
       "derived: unaccompanied, separated or unknown, or accompanied by no parent or legal "
       "guardian among the companions listed",
       [](const Ctx& c, Scalar* o) { return Int(c.facts.unaccompanied_or_separated, o); }},
      {"subject.age_conflict", kBool, false,
       "derived: the age evidence since the last age assessment (birth dates, ages declared, "
       "documented or assessed, on this event and earlier ones) disagrees: one says certainly a "
       "minor, another certainly of age; subject.minor is then true",
       [](const Ctx& c, Scalar* o) { return Int(c.facts.age_conflict, o); }},
      {"subject.tender_age", kBool, false, "derived: under the tender-age threshold",
       [](const Ctx& c, Scalar* o) { return Int(c.facts.tender_age, o); }},
      {"transfer.to.kind", EnumType<TransferKind>(), true, "the receiving kind of agency",
       [](const Ctx& c, Scalar* o) {
         return c.event.transfer && Enum(c.event.transfer->to.kind, o);
       }},
      {"transfer.to.agency", kString, true, "the receiving agency",
       [](const Ctx& c, Scalar* o) {
         return c.event.transfer && Str(c.event.transfer->to.agency, o);
       }},
      {"transfer.to.facility.type", EnumType<FacilityType>(), true, "the receiving facility type",
       [](const Ctx& c, Scalar* o) {
         const auto& t = c.event.transfer;
         return t && t->to.facility && Enum(t->to.facility->type, o);
       }},
      {"return.to_country", kString, true, "ISO 3166-1 alpha-2 of the return",
       [](const Ctx& c, Scalar* o) {
         return c.event.return_ && Str(c.event.return_->to_country, o);
       }},
      {"return.port", kString, true, "the port of return",
       [](const Ctx& c, Scalar* o) { return c.event.return_ && OptStr(c.event.return_->port, o); }},
      {"return.local_hour", kInt, true,
       "derived: hour 0-23 of return.scheduled_at (else occurred_at), at its offset",
       [](const Ctx& c, Scalar* o) {
         return c.facts.return_local_hour && Int(*c.facts.return_local_hour, o);
       }},
      {"return.local_weekday",
       {BaseType::kEnum, false, WeekdayDomain()},
       true,
       "derived: weekday of return.scheduled_at (else occurred_at), at its offset",
       [](const Ctx& c, Scalar* o) {
         return c.facts.return_local_weekday && Weekday(*c.facts.return_local_weekday, o);
       }},
      {"custody.kind", EnumType<CustodyKind>(), true, "detained, or housed with a detained parent",
       [](const Ctx& c, Scalar* o) {
         return c.event.custody && OptEnum(c.event.custody->kind, o);
       }},
      {"custody.detention_review_at", kInstant, true, "when the detention was reviewed",
       [](const Ctx& c, Scalar* o) {
         const auto& k = c.event.custody;
         return k && k->detention_review_at &&
                Int(k->detention_review_at->utc.time_since_epoch().count(), o);
       }},
      {"custody.detention_review_number", kInt, true,
       "the ordinal (1..999) of the detention review reported: 1 the first (48 h), 2 the next",
       [](const Ctx& c, Scalar* o) {
         const auto& k = c.event.custody;
         return k && k->detention_review_number && Int(*k->detention_review_number, o);
       }},
      {"custody.detention_review_even", kBool, true,
       "derived: custody.detention_review_number is even; absent without it (the two 30-day "
       "review clocks of CA-3 take turns on it)",
       [](const Ctx& c, Scalar* o) {
         const auto& k = c.event.custody;
         return k && k->detention_review_number && Int(*k->detention_review_number % 2 == 0, o);
       }},
      {"consular_notification.requested_by_child", EnumType<ConsularRequest>(), true,
       "yes, no or not_asked (VCCR art. 36(1)(b))",
       [](const Ctx& c, Scalar* o) {
         const auto& n = c.event.consular_notification;
         return n && Enum(n->requested_by_child, o);
       }},
      {"tvpra_screening.trafficking_victim", EnumType<ScreeningAnswer>(), true,
       "yes, no or pending: a victim of trafficking, or at risk on return",
       [](const Ctx& c, Scalar* o) {
         const auto& t = c.event.tvpra_screening;
         return t && Enum(t->trafficking_victim, o);
       }},
      {"tvpra_screening.credible_fear", EnumType<ScreeningAnswer>(), true,
       "yes, no or pending: a credible fear of persecution",
       [](const Ctx& c, Scalar* o) {
         const auto& t = c.event.tvpra_screening;
         return t && Enum(t->credible_fear, o);
       }},
      {"tvpra_screening.independent_decision", EnumType<ScreeningAnswer>(), true,
       "yes, no or pending: able to decide to withdraw the application",
       [](const Ctx& c, Scalar* o) {
         const auto& t = c.event.tvpra_screening;
         return t && Enum(t->independent_decision, o);
       }},
      {"tvpra_screening.outcome", EnumType<ScreeningOutcome>(), true,
       "derived: screened_in, screened_out or pending",
       [](const Ctx& c, Scalar* o) {
         const auto& t = c.event.tvpra_screening;
         return t && Enum(t->Outcome(), o);
       }},
      {"procedure.restitution_plan_id", kString, true,
       "the PPNNA's Plan de Restitucion de Derechos",
       [](const Ctx& c, Scalar* o) {
         const auto& p = c.event.procedure;
         return p && OptStr(p->restitution_plan_id, o);
       }},
      {"procedure.protection_measure", EnumType<ProtectionMeasure>(), true,
       "issued, requested or none: the Procuraduria's protection measure for a placement in a "
       "Centro de Asistencia Social",
       [](const Ctx& c, Scalar* o) {
         const auto& p = c.event.procedure;
         return p && OptEnum(p->protection_measure, o);
       }},
      {"release.to", EnumType<ReleaseTo>(), true,
       "to whom the child was released: child_welfare (the child-welfare system), "
       "parent_or_guardian, relative, sponsor, own_recognizance or other",
       [](const Ctx& c, Scalar* o) { return c.event.release && Enum(c.event.release->to, o); }},
      {"release.by", EnumType<TransferKind>(), true,
       "the kind of authority that released the child; absent: the publisher (a migration or "
       "border authority)",
       [](const Ctx& c, Scalar* o) { return c.event.release && OptEnum(c.event.release->by, o); }},
      {"release.available", EnumType<ReleaseTo>(true), false,
       "who else was available to take the child at the release (Flores order of preference)",
       nullptr,
       [](const Ctx& c, const Scalar& x) {
         return c.event.release && HasEnum(c.event.release->available, x);
       },
       [](const Ctx& c) {
         return c.event.release ? c.event.release->available.size() : std::size_t{0};
       }},
      {"reintegration.return_event_id", kString, true,
       "derived: the return a child came back on: a return event's own event_id, else "
       "reintegration.return_event_id as the receiving state sent it (the key of the return's "
       "follow-up clocks)",
       [](const Ctx& c, Scalar* o) {
         if (c.event.type == EventType::kReturn) return Str(c.event.event_id, o);
         return c.event.reintegration && Str(c.event.reintegration->return_event_id, o);
       }},
      {"reintegration.care", EnumType<ReintegrationCare>(), true,
       "family (reunified) or alternative_care, as the receiving child welfare decided",
       [](const Ctx& c, Scalar* o) {
         return c.event.reintegration && OptEnum(c.event.reintegration->care, o);
       }},
      {"reintegration.plan_id", kString, true, "the receiving state's reintegration plan",
       [](const Ctx& c, Scalar* o) {
         return c.event.reintegration && OptStr(c.event.reintegration->plan_id, o);
       }},
      {"reintegration.follow_up_visit", kInt, true,
       "the ordinal (1..20) of the follow-up visit this event reports",
       [](const Ctx& c, Scalar* o) {
         const auto& r = c.event.reintegration;
         return r && r->follow_up_visit && Int(*r->follow_up_visit, o);
       }},
      {"guardian.appointed", kBool, true,
       "whether a guardian or legal representative has been appointed for the child",
       [](const Ctx& c, Scalar* o) {
         return c.event.guardian && Int(c.event.guardian->appointed, o);
       }},
      {"guardian.appointed_at", kInstant, true, "when the guardian was appointed",
       [](const Ctx& c, Scalar* o) {
         const auto& g = c.event.guardian;
         return g && g->appointed_at && Int(g->appointed_at->utc.time_since_epoch().count(), o);
       }},
      {"custody.with_unrelated_adults", kBool, true, "held together with unrelated adults",
       [](const Ctx& c, Scalar* o) {
         const auto& k = c.event.custody;
         return k && k->with_unrelated_adults && Int(*k->with_unrelated_adults, o);
       }},
      {"custody.hours", kInt, true, "derived: whole hours since the first custody event",
       [](const Ctx& c, Scalar* o) {
         return c.facts.custody_hours && Int(*c.facts.custody_hours, o);
       }},
      {"case.key", kString, false,
       "the case's identity, shared by every pseudonym linked to it (subject.previous_ids, "
       "transfer.to.case_id): key clocks by it",
       [](const Ctx& c, Scalar* o) {
         return Str(c.snapshot.key.empty() ? c.event.subject.id : c.snapshot.key, o);
       }},
      {"case.events", kInt, false, "earlier events of this subject",
       [](const Ctx& c, Scalar* o) { return Int(c.snapshot.events, o); }},
      {"case.status", kString, true, "the case status; absent when empty",
       [](const Ctx& c, Scalar* o) {
         return !c.snapshot.status.empty() && Str(c.snapshot.status, o);
       }},
      {"case.first_custody_at", kInstant, true, "when custody began, before this event",
       [](const Ctx& c, Scalar* o) {
         const auto& t = c.snapshot.first_custody_at;
         return t && Int(t->time_since_epoch().count(), o);
       }},
      {"case.flags", EnumType<SubjectFlag>(true), false, "flags seen on earlier events", nullptr,
       [](const Ctx& c, const Scalar& x) { return HasEnum(c.snapshot.flags, x); },
       [](const Ctx& c) { return c.snapshot.flags.size(); }},
      {"case.tvpra_screening", EnumType<ScreeningOutcome>(), true,
       "screening outcome of earlier events (screened_in is final); absent when none",
       [](const Ctx& c, Scalar* o) { return OptEnum(c.snapshot.tvpra_screening, o); }},
      {"case.restitution_plan", kBool, false, "an earlier event reported a restitution plan",
       [](const Ctx& c, Scalar* o) { return Int(c.snapshot.restitution_plan, o); }},
      {"case.age_conflict", kBool, false,
       "derived: the age evidence of earlier events alone already disagreed (see "
       "subject.age_conflict)",
       [](const Ctx& c, Scalar* o) { return Int(c.facts.case_age_conflict, o); }},
      {"case.alerted_roles",
       {BaseType::kEnum, true, RoleDomain()},
       false,
       "roles already alerted for this subject",
       nullptr,
       [](const Ctx& c, const Scalar& x) {
         const auto& list = c.snapshot.alerted_roles;
         return std::find(list.begin(), list.end(), RoleDomain()->names[x.i]) != list.end();
       },
       [](const Ctx& c) { return c.snapshot.alerted_roles.size(); }},
  };
  return kFields;
}

}  // namespace

const EnumDomain* RoleDomain() {
  static const EnumDomain domain{"role", kRoles};
  return &domain;
}

std::string TypeName(const ValueType& type) {
  std::string base;
  switch (type.base) {
    case BaseType::kBool:
      base = "bool";
      break;
    case BaseType::kInt:
      base = "int";
      break;
    case BaseType::kString:
      base = "string";
      break;
    case BaseType::kEnum:
      base = std::string(type.domain->type_name);
      break;
    case BaseType::kInstant:
      base = "instant";
      break;
  }
  return type.list ? "list<" + base + ">" : base;
}

std::span<const FieldDef> AllFields() { return FieldTable(); }

const FieldDef* FindField(std::string_view path) {
  for (const FieldDef& f : FieldTable()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

}  // namespace amparo
